"""The framework files: every one validates, and a broken one is refused naming the file and the key."""

from pathlib import Path

import pytest

from kpi.catalogue import FRAMEWORKS, KINDS
from kpi.frameworks import FRAMEWORKS_DIR, FrameworkFileError, load_framework_file, load_frameworks

GOOD = (FRAMEWORKS_DIR / "2016-2020.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", sorted(FRAMEWORKS_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_every_framework_file_validates(path):
    framework = load_framework_file(path)
    assert framework.code == path.stem
    assert all(i.kind in KINDS for i in framework.indicators)


def test_the_two_plans_are_loaded_in_order():
    assert list(FRAMEWORKS) == ["2016-2020", "2026-2030"]
    old, new = FRAMEWORKS.values()
    assert (old.baseline_year, old.target_year, old.is_provisional) == (2014, 2020, False)
    assert (new.baseline_year, new.target_year, new.is_provisional) == (2025, 2030, True)


def test_2026_2030__areas_are_the_seven_commitments_of_the_declaration():
    seed = (Path(__file__).resolve().parents[2].parent / "shared" / "seeds").glob("004_*.txt")
    areas = FRAMEWORKS["2026-2030"].areas
    assert list(areas) == [str(n) for n in range(1, 8)]
    text = next(seed, None)
    if text is not None:  # the declaration is beside the project on the team's machines and in CI
        declaration = " ".join(text.read_text(encoding="utf-8").split())
        for number, title in areas.items():
            assert f"{number}. {title}" in declaration, title


def test_2026_2030__carries_over_every_2016_2020_indicator_unchanged_but_the_area():
    old = {i.code: i for i in FRAMEWORKS["2016-2020"].indicators}
    new = {i.code: i for i in FRAMEWORKS["2026-2030"].indicators}
    assert set(new) == set(old)
    for code, indicator in new.items():
        assert (indicator.wording, indicator.kind, indicator.inputs) == (old[code].wording, old[code].kind,
                                                                        old[code].inputs)


def _write(tmp_path, text, name="broken.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "expected"), [
    (('kind = "yes_count"', 'kind = "yes_cuont"'), "indicators[0] (A.1).kind: unknown kind 'yes_cuont'"),
    (('inputs = ["a1_competency_institutionalised"]', 'inputs = ["a1_typo"]'),
     "indicators[0] (A.1).inputs: 'a1_typo' is not a field of the country return"),
    (('code = "A.1.1"', 'code = "A.1"'), "indicators[1] (A.1).code: duplicate indicator code 'A.1'"),
    (("baseline_year = 2014", "baseline_year = 2021"), "baseline_year: 2021 is after target_year 2020"),
    (('area = "A"', 'area = "Z"'), "indicators[0] (A.1).area: 'Z' is not an area of [areas]"),
    (('status = "adopted"', 'status = "maybe"'), "status: 'maybe' is not one of adopted, provisional"),
    (("target_year = 2020", "target_year = \"2020\""), "target_year: must be a whole number"),
    (("start_year = 2016\n", ""), "start_year: missing"),
])
def test_a_broken_file_is_refused_naming_file_and_key(tmp_path, change, expected):
    path = _write(tmp_path, GOOD.replace(*change, 1))
    with pytest.raises(FrameworkFileError) as error:
        load_framework_file(path)
    assert str(path) in str(error.value) and expected in str(error.value)


def test_not_toml_is_refused_naming_the_file(tmp_path):
    with pytest.raises(FrameworkFileError, match="broken.toml: not valid TOML"):
        load_framework_file(_write(tmp_path, "code = "))


def test_two_files_with_one_code_are_refused(tmp_path):
    _write(tmp_path, GOOD, "a.toml")
    _write(tmp_path, GOOD, "b.toml")
    with pytest.raises(FrameworkFileError, match="b.toml: code: '2016-2020' is declared by another file too"):
        load_frameworks(tmp_path)
