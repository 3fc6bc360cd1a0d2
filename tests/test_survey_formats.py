"""Survey files in every format a district really downloads (#15) read as the same answers.

.xls and .ods files are made by LibreOffice from the .xlsx the test writes (`soffice
--convert-to`), as a district converting or re-saving an export would; LibreOffice cannot
write .xlsb, so .xlsb reading rests on calamine (which reads it like the others) untested here.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from rollout.outputs.survey_templates import survey_workbook
from tests.survey_kit import (
    form_rows,
    levels_of,
    messages,
    read,
    tiny_district,
    tiny_rubric,
    write_form,
)

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")


@pytest.fixture
def rubric(tmp_path):
    return tiny_rubric(tmp_path)


def convert(source, folder, suffix: str, tmp_path):
    """`source` saved by LibreOffice as `suffix` into `folder` (own profile: tests may run
    side by side)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
                    "--headless", "--convert-to", suffix.lstrip("."), "--outdir", str(folder),
                    str(source)], check=True, capture_output=True, timeout=120)
    return folder / (source.stem + suffix)


@needs_soffice
@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_xls_and_ods_exports_read_the_same_as_xlsx(tmp_path, rubric, suffix):
    plain = write_form(tmp_path / "x" / "form.xlsx", form_rows())
    convert(plain, tmp_path / "other", suffix, tmp_path)
    reference, _ = read(tmp_path / "x", rubric)
    responses, problems = read(tmp_path / "other", rubric)
    assert not problems, messages(problems)
    assert levels_of(responses) == levels_of(reference)
    assert responses.files == {"form export": 1}


@needs_soffice
def test_two_ods_templates_from_one_person_keep_one_without_a_save_time(tmp_path, rubric):
    """An .ods has no docProps/core.xml (its save time is elsewhere): choosing the later of two
    submissions falls back to the file's time instead of failing."""
    district = tiny_district()
    book = survey_workbook(rubric, list(district.schools), school=district.school_by_id["B"])
    ws = book["Principal"]
    ws["D6"] = "Pat@B"
    for row in ws.iter_rows(min_row=9):
        if row[0].value:
            row[3].value = "3 - x"
    for name in ("first", "second"):
        book.save(tmp_path / f"{name}.xlsx")
        convert(tmp_path / f"{name}.xlsx", tmp_path / "s", ".ods", tmp_path)
    responses, _ = read(tmp_path / "s", rubric)
    kept = responses.respondents[responses.respondents["school_id"] == "B"]
    assert len(kept) == 1
    assert responses.levels.loc[kept.index[0], "NET"] == 3
