"""Workbooks are sound: every XML part parses, openpyxl opens them, and LibreOffice converts
them when it is installed. Also the helpers that keep input text safe.

`planned_district` is shared by the export tests: one tiny synthetic district, planned once.
"""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rollout.devtools.synthetic import make_district
from rollout.errors import Problems
from rollout.intake.rubric import default_rubric_path, load_rubric
from rollout.outputs.style import lines, unique_headers
from rollout.pipeline import plan_district
from rollout.safe import header_text, safe_file_stem, safe_text, xlsx_problems

TINY_SCHOOLS = 30
# Zip entries keep their time in 2-second steps, document dates in seconds: a file written
# this much later shows any clock that reaches it.
CLOCK_TICK = 2.1


def make_tiny_district(folder: Path, schools: int = TINY_SCHOOLS, seed: int = 11) -> Path:
    rubric = load_rubric(default_rubric_path(), Problems())
    make_district(folder, schools=schools, seed=seed, rubric=rubric, respondents=(3, 5))
    return folder


@pytest.fixture(scope="session")
def planned_district(tmp_path_factory):
    """(results, out folder) of a planned 30-school synthetic district."""
    base = tmp_path_factory.mktemp("export")
    district = make_tiny_district(base / "district")
    results, _ = plan_district(district, base / "out", time_limit=20)
    return results, base / "out"


def test_every_workbook_is_well_formed(planned_district):
    results, out = planned_district
    books = [out / "dashboard.xlsx", *sorted((out / "schools").glob("*.xlsx"))]
    assert len(books) == len(results.rows) + 1
    for path in books:
        assert xlsx_problems(path) == [], path.name
        load_workbook(path).close()


def test_same_inputs_give_the_same_files_byte_for_byte(tmp_path):
    district = make_tiny_district(tmp_path / "district", schools=12)
    plan_district(district, tmp_path / "first", time_limit=20)
    time.sleep(CLOCK_TICK)
    plan_district(district, tmp_path / "second", time_limit=20)
    files = sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*")
                   if p.is_file())
    assert Path("dashboard.xlsx") in files
    assert len([f for f in files if f.parent == Path("schools")]) == 12  # site/schools: #16
    for name in files:
        assert (tmp_path / "first" / name).read_bytes() == \
            (tmp_path / "second" / name).read_bytes(), name


def test_xlsx_problems_reports_a_broken_part(tmp_path, planned_district):
    import zipfile

    _, out = planned_district
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(out / "dashboard.xlsx") as source, \
            zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data[:-20]  # cut the closing tags
            target.writestr(item, data)
    assert any("xl/workbook.xml is not well-formed" in p for p in xlsx_problems(broken))
    (tmp_path / "not.xlsx").write_text("plain text")
    assert "not a zip file" in xlsx_problems(tmp_path / "not.xlsx")[0]


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_dashboard_and_a_principal_workbook(tmp_path, planned_district):
    results, out = planned_district
    principal = out / "schools" / results.workbook_names[results.rows[0]["school_id"]]
    profile = (tmp_path / "profile").as_uri()
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path),
                           str(out / "dashboard.xlsx"), str(principal)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    for name in ("dashboard.pdf", principal.with_suffix(".pdf").name):
        pdf = tmp_path / name
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), name
        assert pdf.stat().st_size > 5_000


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1",
                                  "  =1", "\t1", "＝1", "=HYPERLINK(\"http://x\",\"y\")"])
def test_safe_text_escapes_what_a_spreadsheet_would_run(text):
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Oak Elementary", "Ann's school", "3 - Advanced", "a=b",
                                  "North-East", ""])
def test_safe_text_leaves_plain_text_alone(text):
    assert safe_text(text) == text


def test_safe_text_drops_characters_xml_cannot_hold_and_keeps_excels_limit():
    assert safe_text("Oak\x00\x07 School\x1f") == "Oak School"
    assert len(safe_text("x" * 40_000)) == 32_767
    assert safe_text(12.5) == 12.5 and safe_text(None) is None


def test_file_stems_and_print_headers_are_safe():
    assert safe_file_stem("../../etc/passwd") == "_.._etc_passwd"
    assert safe_file_stem("ES 001/2") == "ES_001_2"
    assert safe_file_stem("...") == "_"
    assert header_text("A & B") == "A && B"
    assert header_text("=cmd") == "'=cmd"


def test_lines_wraps_by_words_and_breaks_long_words():
    assert lines("short", 20) == 1
    assert lines("one two three four five six seven", 10) >= 4
    assert lines("x" * 100, 20) == 5
    assert lines("first\nsecond", 40) == 2


def test_table_headers_never_repeat_ignoring_case():
    assert unique_headers(["ES", "North", "north", "ES", " "]) == \
        ["ES", "North", "north (2)", "ES (2)", "Column"]
