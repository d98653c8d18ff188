"""The templates keep the layout contract and are built for people: drop-downs, validation, locks, frozen headers."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from importers.load import KINDS
from importers.templates import fill_return, write_return_template
from kpi.fields import LIST_SHEETS, RETURN_FIELDS


@pytest.fixture
def workbook(return_template):
    return load_workbook(return_template)


def _validation_for(sheet, coordinate: str):
    matches = [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(matches) == 1, coordinate
    return matches[0]


def test_instructions_say_kind_and_version(workbook, targets_template):
    assert workbook.sheetnames[0] == "Instructions"
    sheet = workbook["Instructions"]
    assert [[c.value for c in row] for row in sheet["A2:B6"]] == [["template_kind", "return"],
                                                                   ["template_version", "2"],
                                                                   ["country", "BRN"], ["year", 2018],
                                                                   ["plan", "2016-2020"]]
    targets = load_workbook(targets_template)
    assert targets.sheetnames == ["Instructions", "Targets"]
    assert targets["Instructions"]["B2"].value == "targets"


def test_return_sheet_has_every_field_in_declared_order(workbook):
    sheet = workbook["Return"]
    assert [c.value for c in sheet[1]] == ["code", "label", "value", "unit"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [f.code for f in RETURN_FIELDS]
    assert [r[1] for r in rows] == [f.label for f in RETURN_FIELDS]
    assert rows[0][2] == "BRN" and rows[1][2] == 2018
    assert all(r[2] is None for r in rows[2:])


def test_list_sheets_have_code_headers(workbook):
    assert workbook.sheetnames == ["Instructions", "Return", "Policies", "ARC projects", "Reform measures"]
    for list_sheet in LIST_SHEETS:
        header = [c.value for c in workbook[list_sheet.sheet][1] if c.value]
        assert header == [c.code for c in list_sheet.columns]


def test_codes_and_labels_locked_values_unlocked(workbook):
    sheet = workbook["Return"]
    assert sheet.protection.sheet and not sheet.protection.password
    for row in range(2, len(RETURN_FIELDS) + 2):
        assert sheet.cell(row, 1).protection.locked and sheet.cell(row, 2).protection.locked
        code = sheet.cell(row, 1).value
        assert sheet.cell(row, 3).protection.locked is (code in ("country", "year")), code
    policies = workbook["Policies"]
    assert policies.protection.sheet and policies["A1"].protection.locked
    assert not policies["A2"].protection.locked and not policies["C50"].protection.locked


def test_drop_downs_and_number_validation(workbook):
    sheet = workbook["Return"]
    rows = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    yes_no = _validation_for(sheet, f"C{rows['a1_competency_institutionalised']}")
    assert (yes_no.type, yes_no.formula1) == ("list", '"yes,no"')
    assert yes_no.prompt and yes_no.showInputMessage
    percent = _validation_for(sheet, f"C{rows['e3_satisfaction_pct']}")
    assert (percent.type, percent.formula1, percent.formula2) == ("decimal", "0", "100")
    count = _validation_for(sheet, f"C{rows['agencies_total']}")
    assert (count.type, count.formula1) == ("whole", "1")
    level = _validation_for(workbook["Policies"], "B2")
    assert (level.type, level.formula1) == ("list", '"national,sub-national"')
    aim = _validation_for(workbook["Reform measures"], "B2")
    assert aim.formula1 == '"effectiveness,efficiency,responsiveness,accountability"'


def test_frozen_headers_and_widths(workbook):
    for name in ("Return", "Policies", "ARC projects", "Reform measures"):
        assert workbook[name].freeze_panes == "A2"
    widths = workbook["Return"].column_dimensions
    assert widths["A"].width >= max(len(f.code) for f in RETURN_FIELDS)
    assert widths["B"].width >= 40


def test_unknown_country_is_refused(tmp_path):
    with pytest.raises(ValueError, match="CHN is not an AMS"):
        write_return_template(tmp_path / "x.xlsx", "CHN", 2018)


def test_fill_return_writes_by_code_and_refuses_unknown_codes(return_template, tmp_path):
    path = fill_return(return_template, tmp_path / "f.xlsx", {"agencies_total": 12},
                       {"Policies": [{"title": "T", "level": "national"}]})
    workbook = load_workbook(path)
    assert workbook["Return"]["C6"].value == 12
    assert [c.value for c in workbook["Policies"][2]] == ["T", "national", None]
    assert workbook["Return"].protection.sheet
    with pytest.raises(KeyError):
        fill_return(return_template, tmp_path / "g.xlsx", {"no_such_field": 1}, {})


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_writes_a_template_the_importer_identifies(kind, tmp_path, load):
    options = {"country": "BRN", "year": 2018, "project": "Workshop on Civil Service Competency (fictional)"}
    path = tmp_path / f"{kind}.xlsx"
    KINDS[kind].write_template(path, **{o: options[o] for o in KINDS[kind].template_options})

    report = load(path, dry_run=True)

    assert report.kind == kind
