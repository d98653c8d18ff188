"""A loaded file is stored under its own name, never the folder it was loaded from on someone's machine."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kpi import schema


@pytest.mark.parametrize("given", ["/home/official/Downloads/return.xlsx", r"C:\Users\official\return.xlsx",
                                   "return.xlsx"])
def test_the_stored_file_name_has_no_folder(engine, make_return, given):
    from importers.load import load_file

    report = load_file(engine, make_return().read_bytes(), given, "local")
    assert report.accepted, [str(m) for m in report.errors]
    with engine.connect() as connection:
        names = connection.execute(select(schema.submission.c.file_name)).scalars().all()
    assert names == ["return.xlsx"]
    assert report.file_name == given  # what the person loading sees still names the file they chose
