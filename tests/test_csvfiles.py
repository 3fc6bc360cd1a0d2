"""The CSV format shared by plan.csv, upgrades.csv, changes.csv and history.csv."""
from __future__ import annotations

from rollout.csvfiles import read_csv, write_csv
from rollout.errors import Problems
from rollout.outputs.planfile import read_plan_csv, read_upgrades_csv


def messages(problems: Problems) -> list[str]:
    return [str(p) for p in problems.items]


def test_written_file_is_utf8_with_newlines_and_quotes_only_where_needed(tmp_path):
    path = tmp_path / "out.csv"
    write_csv(path, ["school_id", "school_name"], [["S1", "Oak, North"], ["S2", "Élan \"A\""]])
    assert path.read_bytes() == ('school_id,school_name\nS1,"Oak, North"\n'
                                 'S2,"Élan ""A"""\n').encode("utf-8")


def test_read_back_what_was_written_even_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(b"\xef\xbb\xbfschool_id,cohort\nS1,2\n")
    problems = Problems()
    assert read_csv(path, ["school_id", "cohort"], problems, "gone") == [
        {"school_id": "S1", "cohort": "2"}]
    assert not problems


def test_every_missing_column_is_reported_on_the_header_row(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("name\nx\n")
    problems = Problems()
    assert read_csv(path, ["school_id", "cohort"], problems, "gone") is None
    assert messages(problems) == [f"{path}, row 1: required column 'school_id' is missing",
                                  f"{path}, row 1: required column 'cohort' is missing"]


def test_absent_and_binary_files_are_problems_not_crashes(tmp_path):
    problems = Problems()
    assert read_plan_csv(tmp_path / "none.csv", problems) == {}
    binary = tmp_path / "plan.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81 not text")
    assert read_plan_csv(binary, problems) == {}
    upgrades = tmp_path / "upgrades.csv"
    upgrades.write_bytes(b"\xff\xfe\x00\x81 not text")
    assert read_upgrades_csv(upgrades, {"T1": 0}, problems) == {}
    assert messages(problems) == [f"{tmp_path / 'none.csv'}: plan file not found",
                                  f"{binary}: is not a CSV text file",
                                  f"{upgrades}: is not a CSV text file"]


def test_plan_rows_keep_their_row_numbers(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("school_id,cohort\n'S1,2\nS2,two\n")
    problems = Problems()
    assert read_plan_csv(path, problems) == {"S1": 2}
    assert messages(problems) == [f"{path}, row 3, column cohort: cohort must be a whole number "
                                  "(found 'two')"]
