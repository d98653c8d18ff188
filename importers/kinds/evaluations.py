"""The evaluations kind: one ARC project's participant ratings (Annex 1 items, Annex 2 overall rating)."""

from importers import evaluations
from importers.kinds import Kind
from kpi.fields import EVALUATION_FIELDS

KIND = Kind(evaluations.write_evaluations_template, ("country", "year", "project"),
            evaluations.validate_evaluations, evaluations.compare_evaluations,
            evaluations.canonicalise_evaluations, evaluations.store_validated_evaluations,
            code=evaluations.KIND, label="Participant evaluations", title="evaluations", fields=EVALUATION_FIELDS,
            file_parts=("country", "year"), download_label="Participant evaluations for this project")
