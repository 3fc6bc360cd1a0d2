"""A new district's first spring (#26 items 1, 3, 7; #24 item 10): `rollout init` and the
district workbook it writes, numbers and terms as people type them, names for ids, and
`rollout template --kind district`."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from rollout.errors import InputError, Problems
from rollout.intake.district import load_district
from rollout.intake.district_layout import DISTRICT_SHEETS, HELP_MARK
from rollout.intake.settings import load_settings
from rollout.intake.terms import read_term_name
from rollout.outputs.district_template import coming_terms, init_district
from rollout.scoring.inputs import load_inputs
from tests.factory import SURVEY_HEADER, write_district_folder, write_survey
from tests.test_cli import run as run_cli

TODAY = dt.date(2026, 12, 6)


def run(args):
    """The real entry point as a user meets it (exit codes and messages)."""
    return run_cli([str(a) for a in args])


def write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


PLAIN_LIST = [["School Number", "School", "Grades", "Enrollment", "Teachers"],
              ["101", "Alpha Elementary", "K-5", "420", "26"],
              ["102", "Beta Elementary", "PK-5", "380", "24"],
              ["201", "Cedar Middle", "6-8", "610", "38"],
              ["301", "Ridge High", "9-12", "980", "61"],
              ["401", "Pine Academy", "K-8", "500", ""]]
CCD_DIRECTORY = [
    ["SCHOOL_YEAR", "ST", "SCH_NAME", "LEA_NAME", "LEAID", "ST_SCHID", "NCESSCH",
     "SY_STATUS_TEXT", "GSLO", "GSHI", "LEVEL"],
    ["2023-2024", "GA", "Sycamore Elementary School", "Test County", "1399999", "GA-0101",
     "139999900101", "Open", "PK", "05", "Elementary"],
    ["2023-2024", "GA", "Oak Middle School", "Test County", "1399999", "GA-0102",
     "139999900102", "Open", "06", "08", "Middle"],
    ["2023-2024", "GA", "Ridge High School", "Test County", "1399999", "GA-0103",
     "139999900103", "Open", "09", "12", "High"],
    ["2023-2024", "GA", "Harbor School", "Test County", "1399999", "GA-0104",
     "139999900104", "Open", "06", "12", "Secondary"],
    ["2023-2024", "GA", "Old Mill Elementary", "Test County", "1399999", "GA-0105",
     "139999900105", "Closed", "KG", "05", "Elementary"]]
CCD_MEMBERSHIP = [
    ["SCHOOL_YEAR", "NCESSCH", "GRADE", "RACE_ETHNICITY", "SEX", "STUDENT_COUNT",
     "TOTAL_INDICATOR"],
    ["2023-2024", "139999900101", "Grade 1", "White", "Female", "30",
     "Category Set A - By Race/Ethnicity; Sex; Grade"],
    ["2023-2024", "139999900101", "No Category Codes", "No Category Codes", "No Category Codes",
     "512", "Education Unit Total"],
    ["2023-2024", "139999900102", "No Category Codes", "No Category Codes", "No Category Codes",
     "705", "Education Unit Total"],
    ["2023-2024", "139999900103", "No Category Codes", "No Category Codes", "No Category Codes",
     "1210", "Education Unit Total"],
    ["2023-2024", "139999900104", "No Category Codes", "No Category Codes", "No Category Codes",
     "-1", "Education Unit Total"]]
CCD_STAFF = [["SCHOOL_YEAR", "NCESSCH", "SCH_NAME", "TEACHERS"],
             ["2023-2024", "139999900101", "Sycamore Elementary School", "31.5"],
             ["2023-2024", "139999900102", "Oak Middle School", "44"],
             ["2023-2024", "139999900103", "Ridge High School", "70.2"],
             ["2023-2024", "139999900104", "Harbor School", "-2"]]


def schools_sheet(path: Path) -> list[dict]:
    ws = load_workbook(path)["Schools"]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=3, values_only=True)
            if row[0] is not None]


def fill_and_plan(tmp_path: Path, district: Path) -> Path:
    """What the analyst does after `rollout init`: fill the blanks, add surveys, plan."""
    path = district / "district.xlsx"
    book = load_workbook(path)
    ws = book["Schools"]
    header = {c.value: c.column for c in ws[1]}
    for r in range(3, ws.max_row + 1):
        if ws.cell(row=r, column=1).value is None:
            continue
        defaults = {"region": "North", "feeder": "Ridge", "teachers": 30, "students": 400,
                    "devices": 300, "frl_pct": 0.55, "proficiency_pct": 0.5,
                    "network_node": "HUB", "link_mbps": 2000}
        for name, value in defaults.items():
            if ws.cell(row=r, column=header[name]).value is None:
                ws.cell(row=r, column=header[name]).value = value
    network = book["Network"]
    network.delete_rows(3, 2)
    network.append(["CORE", None, 100000])
    network.append(["HUB", "CORE", 50000])
    terms = book["Terms"]
    for r in range(3, terms.max_row + 1):
        terms.cell(row=r, column=2).value = 20
    book.save(path)
    settings = yaml.safe_load((district / "settings.yaml").read_text(encoding="utf-8"))
    settings["cohorts"] = settings["cohorts"][:2]
    settings["readiness_gate"] = 0
    (district / "settings.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    rows = []
    for school in schools_sheet(path):
        for role in ("principal", "teacher", "technology"):
            rows.append(["2027-03-01", school["school_name"], role] + [3] * 10 + [2])
    write_survey(district / "surveys" / "responses.xlsx", rows, SURVEY_HEADER)
    out = tmp_path / "out"
    result = run(["plan", district, "--out", out])
    assert result.exit_code == 0, result.output
    # Read back as fractions in percent-formatted cells: 0.55 is 55 %.
    assert "formatted as percent" in result.output
    checked = run(["check", district, out / "plan.csv"])  # the independent checker
    assert checked.exit_code == 0, checked.output
    return out


# ----- rollout init ----------------------------------------------------------------------

def test_init_from_a_plain_school_list_then_filled_and_planned(tmp_path):
    school_list = write_csv(tmp_path / "sis_export.csv", PLAIN_LIST)
    result = run(["init", tmp_path / "d", "--schools", school_list,
                  "--district-name", "Lakeside Schools"])
    assert result.exit_code == 0, result.output
    assert "Schools: 5 read from your list (school list)" in result.output
    assert "school_id from School Number; school_name from School; level from Grades; " \
           "students from Enrollment; teachers from Teachers" in result.output
    assert "Still to fill: teachers for 1 school(s): Pine Academy" in result.output
    assert "What to fill in first:" in result.output
    district = tmp_path / "d"
    assert sorted(p.name for p in district.iterdir()) == ["district.xlsx", "settings.yaml",
                                                           "surveys"]
    assert not list((district / "surveys").iterdir())
    rows = schools_sheet(district / "district.xlsx")
    assert [(r["school_id"], r["level"], r["students"]) for r in rows] == [
        ("101", "ES", 420), ("102", "ES", 380), ("201", "MS", 610), ("301", "HS", 980),
        ("401", "Other", 500)]
    settings = yaml.safe_load((district / "settings.yaml").read_text(encoding="utf-8"))
    assert settings["district_name"] == "Lakeside Schools"
    fill_and_plan(tmp_path, district)


def test_init_from_nces_ccd_files_then_filled_and_planned(tmp_path):
    directory = write_xlsx(tmp_path / "ccd_sch_029.xlsx", CCD_DIRECTORY)
    membership = write_csv(tmp_path / "ccd_sch_052.csv", CCD_MEMBERSHIP)
    staff = write_csv(tmp_path / "ccd_sch_059.csv", CCD_STAFF)
    result = run(["init", tmp_path / "d", "--schools", directory, "--schools", membership,
                  "--schools", staff])
    assert result.exit_code == 0, result.output
    assert "Schools: 4 read from your list (NCES CCD)" in result.output
    assert "students from STUDENT_COUNT of the 'Education Unit Total' rows (ccd_sch_052.csv)" \
        in result.output
    assert "1 closed or inactive school(s) left out" in result.output
    assert "teachers are full-time equivalents there (e.g. 31.5)" in result.output
    assert "Still to fill: students for 1 school(s): Harbor School" in result.output
    rows = {r["school_id"]: r for r in schools_sheet(tmp_path / "d" / "district.xlsx")}
    assert sorted(rows) == ["139999900101", "139999900102", "139999900103", "139999900104"]
    assert rows["139999900101"]["level"] == "ES" and rows["139999900101"]["students"] == 512
    assert rows["139999900101"]["teachers"] == 32  # 31.5 FTE, rounded
    assert rows["139999900103"]["level"] == "HS" and rows["139999900103"]["teachers"] == 70
    assert rows["139999900104"]["level"] == "Other"  # CCD "Secondary", grades 6-12
    assert rows["139999900104"]["students"] is None  # -1: missing in CCD
    fill_and_plan(tmp_path, tmp_path / "d")


def test_a_national_ccd_file_must_be_cut_to_the_district(tmp_path):
    rows = CCD_DIRECTORY + [["2023-2024", "GA", "Far School", "Other County", "1300001",
                             "GA-1", "130000100001", "Open", "KG", "05", "Elementary"]]
    result = run(["init", tmp_path / "d", "--schools", write_csv(tmp_path / "ccd.csv", rows)])
    assert result.exit_code == 2
    assert "holds the schools of 2 districts (LEAID 1300001, 1399999)" in result.output
    assert not (tmp_path / "d").exists()


def test_init_refuses_a_folder_that_holds_a_district(tmp_path):
    district = write_district_folder(tmp_path / "d")
    before = (district / "district.xlsx").read_bytes()
    result = run(["init", district])
    assert result.exit_code == 2
    assert "already holds district.xlsx, settings.yaml, surveys" in result.output
    assert (district / "district.xlsx").read_bytes() == before


def test_the_new_workbook_has_every_sheet_help_dropdowns_and_percent_formats(tmp_path):
    init_district(tmp_path / "d", today=TODAY)
    book = load_workbook(tmp_path / "d" / "district.xlsx")
    assert book.sheetnames == [s.name for s in DISTRICT_SHEETS]
    schools = book["Schools"]
    assert schools["A2"].value.startswith(HELP_MARK)
    assert "headcount, not FTE" in schools["G2"].value  # teachers
    assert "not staff computers" in schools["H2"].value  # devices
    assert "1 per 500 devices" in schools["M2"].value  # tech_staff
    assert schools["I3"].number_format == "0%" and schools["J500"].number_format == "0%"
    lists = {str(dv.sqref)[0]: dv.formula1
             for dv in schools.data_validations.dataValidation}
    assert lists["C"] == '"ES,MS,HS,Other"'
    assert lists["K"].startswith("'Network'!$A$3")
    launches = {dv.formula1 for dv in book["Launches"].data_validations.dataValidation}
    assert '"launched,delayed,paused,withdrawn"' in launches
    assert any(f.startswith("'Schools'!$A$3") for f in launches)
    assert any(f.startswith("'Terms'!$A$3") for f in launches)
    preferences = {dv.formula1 for dv in book["Preferences"].data_validations.dataValidation}
    assert '"Group 1,Group 2,Group 3,Group 4,Group 5"' in preferences
    assert [book["Terms"].cell(row=r, column=1).value for r in range(3, 9)] == coming_terms(TODAY)
    assert coming_terms(TODAY)[:2] == ["2027 Fall", "2028 Spring"]
    settings = load_settings(tmp_path / "d" / "settings.yaml", Problems())
    assert settings is not None and settings.cohorts[0].launch_term == "2028 Spring"


def test_example_rows_left_in_are_refused_naming_the_row(tmp_path):
    init_district(tmp_path / "d", today=TODAY)
    result = run(["plan", tmp_path / "d", "--out", tmp_path / "out"])
    assert result.exit_code == 2
    assert "sheet 'Schools', row 3: an example row ('EXAMPLE-E01') is still here" in result.output
    assert "sheet 'Network', row 4: an example row ('EXAMPLE-HUB')" in result.output
    assert "needs exactly one root" not in result.output  # no cascade from the dropped rows
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


# ----- numbers as people type them (#26 item 3) ------------------------------------------

def district(tmp_path, **kw):
    folder = write_district_folder(tmp_path / "d", **kw)
    return folder


def load(folder: Path):
    problems = Problems()
    settings = load_settings(folder / "settings.yaml", problems)
    result = load_district(folder / "district.xlsx", settings, problems)
    return result, [str(p) for p in problems.items]


def rows_with(frl, proficiency=(40, 70, 80), changes=None):
    rows = [["S1", "Alpha Elementary", "ES", "North", "Ridge HS", 400, 25, 400, 60, 40, "HUB",
             1000],
            ["S2", "Beta Middle", "MS", "North", "Ridge HS", 600, 40, 300, 30, 70, "HUB", 1000],
            ["S3", "Ridge High", "HS", "South", "Ridge HS", 900, 60, 900, 20, 80, "HUB", 1000]]
    for row, f, p in zip(rows, frl, proficiency):
        row[8], row[9] = f, p
    for (index, column), value in (changes or {}).items():
        rows[index][column] = value
    return rows


def test_fractions_in_frl_pct_are_read_as_percentages_with_a_note(tmp_path):
    folder = district(tmp_path, schools=rows_with((0.68, 0.3, 1.0)))
    result, problems = load(folder)
    assert problems == []
    assert [s.frl_pct for s in result.schools] == pytest.approx([68, 30, 100])
    assert [s.proficiency_pct for s in result.schools] == [40, 70, 80]
    assert any("column I (frl_pct): every value is 1 or less, so its values were read as "
               "fractions and turned into percentages" in n for n in result.notes)
    inputs = load_inputs(folder)  # the need follows: 0.68 counts as 68 %, not 0.68 %
    need, weights = inputs.scores.table["need"], inputs.rubric.need
    assert need["S1"] == pytest.approx(weights.frl_pct * 68 + weights.not_proficient_pct * 60)


def test_a_percent_column_mixing_fractions_and_percentages_is_an_error_naming_the_rows(
        tmp_path):
    folder = district(tmp_path, schools=rows_with((0.68, 30, 0.2)))
    result, problems = load(folder)
    assert result is None
    assert problems == [f"{folder / 'district.xlsx'}, sheet 'Schools', row 2, column I (frl_pct)"
                        ": frl_pct holds fractions in rows 2, 4 (e.g. 0.68) beside percentages "
                        "in the other rows (e.g. 68): write them all as percentages, 0-100"]


def test_cells_formatted_as_percent_are_read_as_shown(tmp_path):
    folder = district(tmp_path, schools=rows_with((0.68, 30, 45)))
    book = load_workbook(folder / "district.xlsx")
    book["Schools"]["I2"].number_format = "0%"  # typed 68 into a percent cell: Excel holds 0.68
    book.save(folder / "district.xlsx")
    result, problems = load(folder)
    assert problems == []
    assert [s.frl_pct for s in result.schools] == pytest.approx([68, 30, 45])
    assert any("its cells are formatted as percent" in n for n in result.notes)


def test_implausible_values_are_warnings_with_the_row(tmp_path):
    folder = district(tmp_path, schools=rows_with(
        (60, 30, 20), changes={(0, 6): 500, (1, 7): 3500, (2, 11): 5}))
    result, problems = load(folder)
    assert problems == []
    notes = "\n".join(result.notes)
    assert "sheet 'Schools', row 2: check teachers: S1 has 500 teachers for 400 students" in notes
    assert "row 3: check devices: S2 has 3,500 devices for 600 students (more than 5 per " \
           "student)" in notes
    assert "row 4: check link_mbps: S3's own link is 5 Mbps (under 10 Mbps)" in notes
    out = tmp_path / "out"
    folder = write_district_folder(tmp_path / "d2", schools=rows_with(
        (60, 30, 20), changes={(0, 6): 500, (1, 7): 3500}),
        terms=[["term", "coaches_fte"], ["T1", 100], ["T2", 100]])
    result = run(["plan", folder, "--out", out])
    assert result.exit_code == 0, result.output
    assert "Note: " in result.output and "check teachers: S1" in result.output  # the terminal
    issues = [row for row in load_workbook(out / "dashboard.xlsx")["Data issues"].iter_rows(
        values_only=True) if row[3] and "check devices" in str(row[3])]
    assert len(issues) == 1 and "row 3" in issues[0][2]  # Data issues: kind, where, then what


def test_warning_thresholds_are_settings(tmp_path):
    folder = district(tmp_path, schools=rows_with((60, 30, 20), changes={(2, 11): 5}),
                      settings_patch={"warn_if": {"link_mbps_below": 1}})
    result, problems = load(folder)
    assert problems == [] and not [n for n in result.notes if "check link_mbps" in n]


# ----- terms checked where they are (#26 item 7) ------------------------------------------

TERMS = [["term", "coaches_fte"], ["2027 Fall", 20], ["2028 Spring", 20], ["2028 Fall", 20],
         ["2029 Spring", 20]]
REAL_TERMS = {"cohorts": [{"name": "Group 1", "launch_term": "2028 Spring"},
                          {"name": "Group 2", "launch_term": "2028 Fall"}]}


def test_a_misspelt_terms_row_is_one_error_on_that_row(tmp_path):
    terms = [row[:] for row in TERMS]
    terms[1][0] = "Fall 2027"
    plan = [["link", "term", "capacity_mbps"]] + [[link, "2027 Fall", 2000]
                                                  for link in ("S1", "S2", "S3", "HUB")]
    folder = district(tmp_path, terms=terms, capacity_plan=plan, settings_patch=REAL_TERMS)
    result, problems = load(folder)
    assert result is None
    assert problems == [f"{folder / 'district.xlsx'}, sheet 'Terms', row 2, column A (term): "
                        "'Fall 2027' is not written like the other terms: did you mean 2027 "
                        "Fall?; Capacity plan row 2, Capacity plan row 3, Capacity plan row 4, "
                        "Capacity plan row 5 name '2027 Fall'"]


def test_a_season_typo_in_terms_gets_the_term_it_means(tmp_path):
    terms = [row[:] for row in TERMS]
    terms[3][0] = "2028 Fal"
    folder = district(tmp_path, terms=terms, settings_patch=REAL_TERMS)
    _, problems = load(folder)
    assert problems == [f"{folder / 'district.xlsx'}, sheet 'Terms', row 4, column A (term): "
                        "'2028 Fal' is not written like the other terms: did you mean 2028 "
                        "Fall?"]


def test_terms_out_of_order_are_an_error_on_the_terms_sheet(tmp_path):
    terms = [TERMS[0], TERMS[1], TERMS[3], TERMS[2], TERMS[4]]  # 2028 Fall before 2028 Spring
    folder = district(tmp_path, terms=terms, settings_patch=REAL_TERMS)
    result = run(["plan", folder, "--out", tmp_path / "out"])
    assert result.exit_code == 2
    assert "sheet 'Terms', row 4, column A (term): '2028 Spring' comes after '2028 Fall' (row 3)" \
           " but is not later: list the terms in time order" in result.output
    assert "must launch in term order" not in result.output
    assert "1 problem in the input" in result.output


def test_terms_that_are_not_seasons_are_taken_as_they_are(tmp_path):
    folder = district(tmp_path)  # T1, T2
    result, problems = load(folder)
    assert problems == [] and [t.label for t in result.terms] == ["T1", "T2"]
    assert read_term_name("T1") is None and read_term_name("Spring 2028").written(True) == \
        "2028 Spring"


def test_a_cohort_launching_in_the_first_term_gets_a_note(tmp_path):
    folder = district(tmp_path, settings_patch={"coaching": {"load_profile": {-1: 0.25, 0: 1}}})
    notes = load_inputs(folder).notes
    assert "settings.yaml: Group 1 launches in T1, so its planning (coaching.load_profile -1) " \
           "would come before the first term of the Terms sheet: that coaching is not counted" \
           in notes
    assert not [n for n in notes if "Group 2 launches" in n]


def test_a_cohort_launch_term_written_otherwise_gets_did_you_mean(tmp_path):
    folder = district(tmp_path, terms=TERMS, settings_patch={"cohorts": [
        {"name": "Group 1", "launch_term": "Spring 2028"},
        {"name": "Group 2", "launch_term": "2028 Fall"}]})
    with pytest.raises(InputError) as error:
        load_inputs(folder)
    assert "setting 'cohorts.0.launch_term': 'Spring 2028' is not a term of the Terms sheet: " \
           "did you mean 2028 Spring?" in error.value.user_message()


# ----- Launches and Preferences as people type them (#24 item 10) ------------------------

def test_launches_term_typed_the_other_way_gets_did_you_mean(tmp_path):
    folder = district(tmp_path, terms=TERMS, settings_patch={**REAL_TERMS,
                                                             "current_term": "2028 Fall"},
                      launches=[["school_id", "status", "term"], ["S1", "launched",
                                                                  "Spring 2028"]])
    _, problems = load(folder)
    assert problems == [f"{folder / 'district.xlsx'}, sheet 'Launches', row 2, column C (term): "
                        "'Spring 2028' is not a term of the Terms sheet: did you mean 2028 "
                        "Spring? (found 'Spring 2028')"]


def test_a_school_name_for_an_id_is_matched_and_noted(tmp_path):
    folder = district(tmp_path, preferences=[["school_id", "preferred_cohort"],
                                             ["Beta Middle School", "Group 2"],
                                             ["ridge high", 1]],
                      launches=[["school_id", "status"], ["Alpha Elem.", "paused"]])
    result, problems = load(folder)
    assert problems == []
    assert [(p.school_id, p.preferred_cohort) for p in result.preferences] == [("S2", 2),
                                                                               ("S3", 1)]
    assert [(launch.school_id, launch.status) for launch in result.launches] == [("S1", "paused")]
    assert any("sheet 'Preferences', row 2, column A (school_id): 'Beta Middle School' was read "
               "as S2 (Beta Middle)" in n for n in result.notes)
    assert any("sheet 'Launches', row 2" in n and "'Alpha Elem.' was read as S1" in n
               for n in result.notes)


def test_an_unknown_school_name_is_an_error_with_the_closest(tmp_path):
    folder = district(tmp_path, preferences=[["school_id", "preferred_cohort"],
                                             ["Gamma Elementary", 1]])
    _, problems = load(folder)
    assert len(problems) == 1
    assert "sheet 'Preferences', row 2, column A (school_id): unknown school 'Gamma " \
           "Elementary'; closest:" in problems[0]


# ----- rollout template --kind district ----------------------------------------------------

def cell_values(path: Path) -> dict:
    book = load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in book for row in ws.iter_rows()
            for c in row if c.value is not None}


def test_template_kind_district_adds_sheets_and_dropdowns_without_changing_data(tmp_path):
    folder = district(tmp_path, preferences=[["school_id", "preferred_cohort"], ["S1", 1]])
    before = cell_values(folder / "district.xlsx")
    original = (folder / "district.xlsx").read_bytes()
    result = run(["template", folder, "--kind", "district", "--out", tmp_path / "t"])
    assert result.exit_code == 0, result.output
    assert "sheets added: Capacity plan, Upgrades, Launches" in result.output
    made = tmp_path / "t" / "district.xlsx"
    after = cell_values(made)
    assert {k: v for k, v in after.items() if k in before} == before  # the district's data
    assert (folder / "district.xlsx").read_bytes() == original  # the original is untouched
    book = load_workbook(made)
    assert [s.name for s in DISTRICT_SHEETS if s.name in book.sheetnames] == \
        [s.name for s in DISTRICT_SHEETS]
    preferences = book["Preferences"]
    formulas = {dv.formula1 for dv in preferences.data_validations.dataValidation}
    assert "'Schools'!$A$2:$A$1004" in formulas  # no help row there: from row 2
    assert '"Group 1,Group 2"' in formulas
    assert preferences["A1"].comment is not None  # help on the header, rows not moved
    launches = {dv.formula1 for dv in book["Launches"].data_validations.dataValidation}
    assert '"launched,delayed,paused,withdrawn"' in launches
    assert any(f.startswith("'Terms'!$A$2") for f in launches)
    assert book["Launches"]["A2"].value.startswith(HELP_MARK)  # a new sheet gets the help row
    # The copy reads like the original.
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("settings.yaml",):
        (copy / name).write_bytes((folder / name).read_bytes())
    (copy / "district.xlsx").write_bytes(made.read_bytes())
    result_copy, problems = load(copy)
    result_original, _ = load(folder)
    assert problems == []
    assert result_copy.schools == result_original.schools
    assert result_copy.preferences == result_original.preferences


@pytest.mark.parametrize("level, grades, low, high, expected", [
    ("Elementary School", None, None, None, "ES"), ("Middle", None, None, None, "MS"),
    ("HS", None, None, None, "HS"), (None, "K-5", None, None, "ES"),
    (None, "PK-6", None, None, "ES"), (None, "6-8", None, None, "MS"),
    (None, "9 - 12", None, None, "HS"), (None, "K-8", None, None, "Other"),
    ("Secondary", None, "07", "12", "Other"), ("Not reported", None, "KG", "05", "ES"),
    (None, None, "Kindergarten", "5th Grade", "ES"), ("3", None, None, None, "HS"),
    (None, None, None, None, None)])
def test_a_school_lists_level_or_grades_give_the_level(level, grades, low, high, expected):
    from rollout.intake.school_list import level_of
    assert level_of(level, grades, low, high) == expected


def test_a_school_list_with_title_lines_above_its_headers(tmp_path):
    rows = [["Lakeside Schools: school list"], ["Exported 2026-11-30"], [],
            ["School ID", "School Name", "Level", "Students"],
            [101, "Alpha Elementary", "Elementary", 420], [301, "Ridge High", "High", 980]]
    init_district(tmp_path / "d", [write_xlsx(tmp_path / "list.xlsx", rows)], today=TODAY)
    assert [(r["school_id"], r["level"], r["students"], r["teachers"])
            for r in schools_sheet(tmp_path / "d" / "district.xlsx")] == [
        ("101", "ES", 420, None), ("301", "HS", 980, None)]


def test_a_file_that_is_no_school_list_is_an_error_listing_its_headers(tmp_path):
    path = write_csv(tmp_path / "list.csv", [["Name of building", "Pupils"], ["Alpha", 3]])
    with pytest.raises(InputError) as error:
        init_district(tmp_path / "d", [path], today=TODAY)
    assert "is not a school list we know: it needs a school id column (School ID, School " \
           "Number or NCESSCH) and a school name column (School Name, School or SCH_NAME); " \
           "found Name of building, Pupils" in error.value.user_message()
    assert not (tmp_path / "d").exists()
