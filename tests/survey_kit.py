"""Small hand-made rubric, district and survey files for the intake tests."""
from __future__ import annotations

import csv
from pathlib import Path

import yaml
from openpyxl import Workbook

from rollout.domain import District, NetworkNode, Term
from rollout.errors import InputError, Problems
from rollout.intake.rubric import Rubric, load_rubric
from rollout.intake.survey import SurveyResponses, read_surveys
from tests.factory import school

LEVELS = {1: "Early", 2: "Developing", 3: "Advanced", 4: "Target"}


def item(item_id: str, roles: list[str], weight: float = 1, **extra) -> dict:
    return {"id": item_id, "text": f"{item_id} question", "weight": weight, "roles": roles,
            "levels": {k: f"{item_id} at {v.lower()}" for k, v in LEVELS.items()}, **extra}


TINY_RUBRIC = {
    "name": "Tiny rubric",
    "scale": LEVELS,
    "roles": ["principal", "teacher", "technology"],
    "min_coverage": 0.5,
    "role_gap_levels": 1.0,
    "domains": {
        "infrastructure": {
            "weight": 0.25, "survey_share": 0.5,
            "role_weights": {"principal": 0.5, "teacher": 0.0, "technology": 0.5},
            "items": [item("NET", ["principal", "technology"])],
            "indicators": [{"id": "bw", "text": "Bandwidth", "metric": "link_kbps_per_student",
                            "weight": 1, "points": [[100, 0], [1000, 100]]}]},
        "technology": {
            "weight": 0.25, "survey_share": 0.5,
            "role_weights": {"principal": 0.5, "technology": 0.5},
            "items": [item("DEV", ["principal", "technology"])],
            "indicators": [
                {"id": "spd", "text": "Students per device", "metric": "students_per_device",
                 "weight": 1, "points": [[1, 100], [3, 60], [6, 0]]},
                {"id": "dpt", "text": "Devices per tech", "metric": "devices_per_tech_staff",
                 "weight": 1, "points": [[500, 100], [1000, 40], [2000, 0]]}]},
        "instructional": {
            "weight": 0.5, "survey_share": 1.0,
            "role_weights": {"principal": 0.25, "teacher": 0.75},
            "items": [item("LEAD", ["principal", "teacher"], weight=2, required=True),
                      item("PRAC", ["principal", "teacher"]),
                      item("VISIT", ["principal"], weight=0, scored=False)]},
    },
    "need": {"frl_pct": 0.5, "not_proficient_pct": 0.5},
}
ITEMS = ["NET", "DEV", "LEAD", "PRAC", "VISIT"]


def write_rubric(path: Path, rubric: dict | None = None) -> Path:
    path.write_text(yaml.safe_dump(rubric or TINY_RUBRIC, sort_keys=False), encoding="utf-8")
    return path


def tiny_rubric(tmp_path: Path) -> Rubric:
    problems = Problems()
    rubric = load_rubric(write_rubric(tmp_path / "tiny.yaml"), problems)
    assert not problems, problems.items
    return rubric


def tiny_district(**overrides) -> District:
    """Three schools; `overrides` maps school_id -> School fields to change."""
    base = {"A": dict(school_name="Alpha Elementary School", students=500, devices=250,
                      link_mbps=250, tech_staff=0.5),
            "B": dict(school_name="Beta Middle School", students=600, devices=600,
                      link_mbps=1000, tech_staff=1.0),
            "C": dict(school_name="Cedar Grove High School", students=800, devices=400,
                      link_mbps=1000, tech_staff=0.0)}
    schools = [school(sid, node="HUB", **(fields | overrides.get(sid, {})))
               for sid, fields in base.items()]
    return District(schools=tuple(schools), nodes=(NetworkNode("HUB", None, 100_000),),
                    terms=(Term(0, "T1", 10.0),))


FORM_HEADER = ["Timestamp", "Email Address", "School", "Role", "NET - NET question",
               "DEV - DEV question", "LEAD - LEAD question", "PRAC - PRAC question",
               "VISIT - VISIT question"]


def form_rows() -> list[list]:
    """Every school answered by every role that the tiny rubric asks."""
    return [
        ["2027-03-01 09:00", "p@a", "A", "Principal", 4, "3 - Advanced", 4, 3, 2],
        ["2027-03-01 10:00", "t@a", "A", "Technology", "2 - Developing", 3, None, None, None],
        ["2027-03-02 09:00", "t1@a", "A", "Teacher", None, None, 2, 1, None],
        ["2027-03-02 09:30", "t2@a", "A", "teacher", None, None, "Developing", 2, None],
        ["2027-03-03 09:00", "p@b", "B", "Principal", 3, 3, 3, 3, 4],
        ["2027-03-03 09:00", "p@c", "C", "Principal", 2, 2, 2, 2, 1],
    ]


def write_form(path: Path, rows: list[list], header: list | None = None,
               sheet: str = "Form Responses 1") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header or FORM_HEADER, *rows])
        return path
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in [header or FORM_HEADER, *rows]:
        ws.append(row)
    wb.save(path)
    return path


def read(folder: Path, rubric: Rubric, district: District | None = None, **settings
         ) -> tuple[SurveyResponses, Problems]:
    """`settings`: read_surveys' missing_surveys and ignore_schools."""
    problems = Problems()
    responses = read_surveys(folder, rubric, district or tiny_district(), problems, **settings)
    return responses, problems


def messages(problems: Problems) -> list[str]:
    return [str(p) for p in problems.items]


def user_message(problems: Problems) -> str:
    return InputError(problems.items).user_message()


def levels_of(responses: SurveyResponses) -> dict:
    """Each respondent's levels by (school, role, row), without the items left blank."""
    people = responses.respondents
    return {(r["school_id"], r["role"], r["row"]): responses.levels.loc[i].dropna().to_dict()
            for i, r in people.iterrows()}
