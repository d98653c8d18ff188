"""The targets kind: entered baselines and targets, one row per indicator and scope of a plan."""

from importers import targets, templates
from importers.kinds import Kind
from kpi import store
from kpi.fields import TARGET_FIELDS, TARGETS_KIND


def _read_stored(connection, plan) -> dict:
    return {"stored": store.read_targets(connection, plan.code)}


KIND = Kind(templates.write_targets_template, (), targets.validate_targets, targets.compare_targets,
            targets.canonicalise_targets, targets.store_targets, read_stored=_read_stored, takes_plan=True,
            code=TARGETS_KIND, label="Targets workbook", title="targets", fields=TARGET_FIELDS, file_parts=("plan",),
            download_label="Targets workbook (baselines and targets, as stored)")
