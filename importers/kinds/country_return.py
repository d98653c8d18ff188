"""The country return kind: an AMS's annual answers and its three list sheets."""

from importers import returns, templates
from importers.kinds import Kind
from kpi.fields import LIST_SHEETS, RETURN_FIELDS, RETURN_KIND

KIND = Kind(templates.write_return_template, ("country", "year"), returns.validate_return, returns.compare_return,
            returns.canonicalise_return, returns.store_validated_return,
            code=RETURN_KIND, label="Country return", title="return",
            fields=RETURN_FIELDS + tuple(f for s in LIST_SHEETS for f in s.columns),
            file_parts=("country", "year"), download_label="Blank return for {country} {year}",
            locks_confirmed=True)
