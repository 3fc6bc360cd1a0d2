"""Text from district files and settings that looks like a formula stays text in every
workbook: written escaped, never as a formula, and the files still open cleanly."""
from __future__ import annotations

import zipfile

import pytest
import yaml
from openpyxl import load_workbook

from rollout.pipeline import plan_district
from rollout.safe import xlsx_problems
from rollout.scoring.inputs import load_inputs
from tests.test_export import make_tiny_district

SCHOOL_NAMES = ['=HYPERLINK("http://example.invalid","click")', "+1+1", "-2+3 Academy",
                "@SUM(A1:A9)", "\t=1+2", "\r=cmd|' /C calc'!A0", " =1 School"]
REGION = "=2*3"
COHORT = "@Pilot"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    district = make_tiny_district(base / "district", schools=12, seed=5)
    renamed = rename_schools(district)
    settings_path = district / "settings.yaml"
    settings = yaml.safe_load(settings_path.read_text())
    settings["cohorts"][0]["name"] = COHORT
    settings_path.write_text(yaml.safe_dump(settings))
    results, _ = plan_district(district, base / "out", time_limit=20)
    return results, base / "out", renamed


def rename_schools(district) -> dict[str, str]:
    """Give the first schools hostile names and every other school a hostile region; survey
    rows are first pointed at school ids (as rollout matched them), since the names change."""
    respondents = load_inputs(district).responses.respondents
    for file, rows in respondents.groupby("file"):
        answers = load_workbook(file)
        for (sheet, row), sid in zip(zip(rows["sheet"], rows["row"]), rows["school_id"]):
            ws = answers[sheet]
            column = [c.value for c in ws[1]].index("School") + 1
            ws.cell(int(row), column).value = sid
        answers.save(file)
    book = load_workbook(district / "district.xlsx")
    ws = book["Schools"]
    renamed = {}
    for row, name in zip(range(2, 2 + len(SCHOOL_NAMES)), SCHOOL_NAMES):
        as_text(ws.cell(row, 2), name)
        renamed[ws.cell(row, 1).value] = name
    for row in range(3, ws.max_row + 1, 2):
        as_text(ws.cell(row, 4), REGION)
    book.save(district / "district.xlsx")
    return renamed


def as_text(cell, text: str) -> None:
    """Store text as text, as a district file would hold it (openpyxl would make '=...' a
    formula)."""
    cell.value = text
    cell.data_type = "s"


def workbooks(out):
    return [out / "dashboard.xlsx", *sorted((out / "schools").glob("*.xlsx"))]


def test_no_cell_in_any_workbook_is_a_formula(hostile_run):
    _, out, _ = hostile_run
    for path in workbooks(out):
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name} {ws.title}!{cell.coordinate}"
        wb.close()


def test_hostile_text_is_written_escaped(hostile_run):
    results, out, renamed = hostile_run
    dashboard = load_workbook(out / "dashboard.xlsx")
    values = {c.value for ws in dashboard.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, str)}
    # As the district reader keeps them (it trims blanks, so "\t=1+2" arrives as "=1+2").
    stored = {sid: results.row(sid)["school_name"] for sid in renamed}
    for name in [*stored.values(), REGION, COHORT]:
        assert "'" + name in values, name
        assert name not in values, name
    for sid, name in stored.items():
        ws = load_workbook(out / "schools" / results.workbook_names[sid])["Your school"]
        cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert any(c.value.startswith("'" + name) for c in cells), sid  # the title


def test_hostile_names_leave_the_files_sound(hostile_run):
    _, out, _ = hostile_run
    for path in workbooks(out):
        assert xlsx_problems(path) == [], path.name
    with zipfile.ZipFile(out / "dashboard.xlsx") as archive:
        charts = "".join(archive.read(n).decode() for n in archive.namelist()
                         if n.startswith("xl/charts/"))
    # The cohort name is a literal series name in the scatter chart, never a reference.
    assert f"<c:v>'{COHORT}</c:v>" in charts
    assert f"<c:f>{COHORT}" not in charts


@pytest.mark.parametrize("text", SCHOOL_NAMES + ["-2028 Spring", "=T2", "'quoted already",
                                                 "Plain name", "O'Brien Elementary"])
def test_csv_cells_read_back_as_written(text):
    from rollout.safe import restore_text, safe_text

    assert restore_text(safe_text(text)) == text  # blanks a formula hid behind are kept


def test_upgrades_csv_with_a_formula_like_term_reads_back(tmp_path):
    from rollout.errors import Problems
    from rollout.outputs.planfile import read_upgrades_csv
    from rollout.safe import safe_text

    path = tmp_path / "upgrades.csv"
    path.write_text(f"upgrade,link,complete_term,cost\n{safe_text('=U1')},HUB,"
                    f"{safe_text('-2028 Spring')},100\n")
    problems = Problems()
    assert read_upgrades_csv(path, {"-2028 Spring": 2}, problems) == {"=U1": 2}
    assert not problems
