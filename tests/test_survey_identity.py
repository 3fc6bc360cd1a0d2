"""Who is one respondent is decided the same way on every run: a response id first, then an
e-mail that is a real address, then a name; placeholders such as Microsoft Forms' `anonymous`
(its "Anyone can respond" export: Email `anonymous`, Name blank) never merge people."""
from __future__ import annotations

import os
import subprocess
import sys

from rollout.scoring.inputs import load_inputs
from tests.factory import SURVEY_HEADER, default_survey_rows, write_district_folder

# Microsoft Forms export columns (support.microsoft.com, "View results of your form": ID,
# Start time, Completion time, Email, Name, then one column per question).
FORMS_HEADER = ["ID", "Start time", "Completion time", "Email", "Name", *SURVEY_HEADER[1:]]


def more_teachers(extra: int) -> list[list]:
    """The factory's answers with `extra` more teachers per school."""
    return [row for row in default_survey_rows()
            for _ in range(1 + (extra if row[2] == "teacher" else 0))]


def anonymous_rows(extra_teachers: int = 2) -> list[list]:
    """Every school's answers as an anonymous Forms export, with more teachers answering."""
    return [[n, row[0], row[0], "anonymous", None, *row[1:]]
            for n, row in enumerate(more_teachers(extra_teachers), start=1)]


def test_anonymous_respondents_are_each_counted(tmp_path):
    folder = write_district_folder(tmp_path / "d", survey_header=FORMS_HEADER,
                                   survey_rows=anonymous_rows())
    inputs = load_inputs(folder)
    teachers = inputs.responses.respondents.query("role == 'teacher'")
    assert len(teachers) == 9  # three per school, none merged into "anonymous"
    assert not any("earlier submission" in note for note in inputs.notes)


def test_an_id_beats_an_email_and_a_fake_email_is_no_identity(tmp_path):
    header = ["Respondent ID", "Email Address", *SURVEY_HEADER]
    rows = [[101, "pat@district.example", *r] if r[2] == "teacher" else [None, "-", *r]
            for r in default_survey_rows()]
    rows.append([101, "other@district.example", *default_survey_rows()[1]])  # resent by 101
    rows[-1][2] = "2027-03-09"
    folder = write_district_folder(tmp_path / "d", survey_header=header, survey_rows=rows)
    inputs = load_inputs(folder)
    dropped = [n for n in inputs.notes if "earlier submission" in n]
    assert len(dropped) == 1 and "S1 (teacher)" in dropped[0]


def test_the_same_plan_under_every_hash_seed(tmp_path):
    header = ["Respondent ID", "Email", "Name", *SURVEY_HEADER]
    # Two columns that could name a person, and teachers who share a name: whichever column
    # were taken first by chance, the plan would change with the hash seed.
    rows = [[None, "anonymous", f"Person {i % 4}", *r] for i, r in enumerate(more_teachers(3))]
    folder = write_district_folder(tmp_path / "d", survey_header=header, survey_rows=rows)
    outputs = []
    for seed in ("0", "1", "2", "3"):
        out = tmp_path / f"out{seed}"
        subprocess.run([sys.executable, "-m", "rollout", "plan", str(folder), "--out", str(out)],
                       check=True, capture_output=True,
                       env=dict(os.environ, PYTHONHASHSEED=seed))
        outputs.append({name: (out / name).read_bytes()
                        for name in ("plan.csv", "history.csv", "dashboard.xlsx")})
    assert all(o == outputs[0] for o in outputs[1:])
