"""The work plan kind: one row per programme of a plan, where the secretariat sets each status."""

from importers import workplan
from importers.kinds import Kind
from kpi import store
from kpi.fields import WORKPLAN_FIELDS


def _read_stored(connection, plan) -> dict:
    return {"programmes": store.read_workplan(connection, plan.code).to_dict("records"), "plan_code": plan.code}


KIND = Kind(workplan.write_workplan_template, (), workplan.validate_workplan, workplan.compare_workplan,
            workplan.canonicalise_workplan, workplan.store_workplan, read_stored=_read_stored,
            code=workplan.KIND, label="Work plan workbook", title="workplan", fields=WORKPLAN_FIELDS,
            file_parts=("plan",), fills_programmes=True,
            download_label="Work plan workbook (programme statuses, as stored)")
