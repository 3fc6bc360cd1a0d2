"""Tiny hand-made districts for tests: as in-memory facts, or as a folder of real files."""
from __future__ import annotations

from pathlib import Path

import yaml
from openpyxl import Workbook

from rollout.domain import (
    Cohort,
    District,
    Launch,
    NetworkNode,
    Preference,
    School,
    Term,
    Upgrade,
)
from rollout.intake.settings import Settings
from rollout.planning.facts import PlanningFacts

BASE_SETTINGS = {
    "cohorts": [{"name": "Group 1", "launch_term": "T1"}, {"name": "Group 2", "launch_term": "T2"}],
    "cohort_size": {"min": 0, "max": 10},
    "need_weight": 0.5,
    "coaching": {"teachers_per_coach": 10, "load_profile": {0: 1.0}},
    "bandwidth": {"baseline_kbps_per_student": 100, "launch_kbps_per_student": 1000},
    "readiness_gate": 0,
    "preference_weight": 10,
}


def merge(base: dict, patch: dict) -> dict:
    out = dict(base)
    for key, value in patch.items():
        out[key] = merge(base[key], value) if isinstance(value, dict) and isinstance(
            base.get(key), dict) else value
    return out


def school(sid: str, students=100, teachers=10, node="HUB", link_mbps=10_000, **kw) -> School:
    values = dict(school_id=sid, school_name=f"{sid} School", level="ES", region="North",
                  feeder="F1", students=students, teachers=teachers, devices=students,
                  frl_pct=50.0, proficiency_pct=50.0, network_node=node, link_mbps=link_mbps)
    values.update(kw)
    return School(**values)


def facts(schools, readiness=None, need=None, terms=("T1", "T2"), coaches=100.0,
          nodes=None, capacity_plan=(), preferences=(), upgrades=(), crews=None, launches=(),
          previous=None, **settings_patch) -> PlanningFacts:
    """In-memory facts; `launches` are (school_id, status, term label or None) rows of the
    Launches sheet and `previous` last year's cohorts."""
    settings = Settings.model_validate(merge(BASE_SETTINGS, settings_patch))
    coach_list = coaches if isinstance(coaches, (list, tuple)) else [coaches] * len(terms)
    district = District(
        schools=tuple(sorted(schools, key=lambda s: s.school_id)),
        nodes=tuple(nodes or (NetworkNode("HUB", None, 1_000_000),)),
        terms=tuple(Term(i, t, c, crews[i] if crews else None)
                    for i, (t, c) in enumerate(zip(terms, coach_list))),
        capacity_plan=tuple(capacity_plan), preferences=tuple(
            Preference(*p) for p in preferences),
        upgrades=tuple(Upgrade(*u) for u in upgrades),
        launches=tuple(Launch(sid, status, None if term is None else terms.index(term))
                       for sid, status, term in sorted(launches)))
    index = {t: i for i, t in enumerate(terms)}
    cohorts = tuple(Cohort(i + 1, c.name, index[c.launch_term])
                    for i, c in enumerate(settings.cohorts))
    ids = [s.school_id for s in schools]
    return PlanningFacts(district, settings, cohorts,
                         readiness or {sid: 50.0 for sid in ids}, need or {sid: 50.0 for sid in ids},
                         current_term=index.get(settings.current_term, 0),
                         previous=dict(previous or {}))


# ---- a district folder with real files ----------------------------------------------------

SCHOOL_HEADER = ["school_id", "school_name", "level", "region", "feeder", "students", "teachers",
                 "devices", "frl_pct", "proficiency_pct", "network_node", "link_mbps"]


def default_school_rows():
    return [["S1", "Alpha Elementary", "ES", "North", "Ridge HS", 400, 25, 400, 60, 40, "HUB", 1000],
            ["S2", "Beta Middle", "MS", "North", "Ridge HS", 600, 40, 300, 30, 70, "HUB", 1000],
            ["S3", "Ridge High", "HS", "South", "Ridge HS", 900, 60, 900, 20, 80, "HUB", 1000]]


def write_district_folder(root: Path, schools=None, network=None, terms=None, capacity_plan=None,
                          preferences=None, settings_patch=None, survey_rows=None,
                          survey_header=None, launches=None) -> Path:
    """A 3-school district whose every sheet can be replaced to provoke one problem."""
    root.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Schools"
    for row in [SCHOOL_HEADER] + (schools if schools is not None else default_school_rows()):
        ws.append(row)
    sheets = {"Network": network if network is not None else
              [["node", "parent", "capacity_mbps"], ["CORE", None, 100000], ["HUB", "CORE", 50000]],
              "Terms": terms if terms is not None else
              [["term", "coaches_fte"], ["T1", 20], ["T2", 20]]}
    if capacity_plan is not None:
        sheets["Capacity plan"] = capacity_plan
    if preferences is not None:
        sheets["Preferences"] = preferences
    if launches is not None:
        sheets["Launches"] = launches
    for name, rows in sheets.items():
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(row)
    wb.save(root / "district.xlsx")
    settings = merge(BASE_SETTINGS, settings_patch or {})
    (root / "settings.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    write_survey(root / "surveys" / "responses.xlsx", survey_rows, survey_header)
    return root


SURVEY_HEADER = ["Timestamp", "school_id", "role", "INF1", "INF2", "INF3", "TEC1", "TEC2", "TEC3",
                 "INS1", "INS2", "INS3", "INS4", "LOCAL1"]


def default_survey_rows():
    rows = []
    for sid, level in (("S1", 3), ("S2", 2), ("S3", 4)):
        rows.append(["2027-03-01", sid, "principal", level, level, None, level, None, level,
                     level, level, level, level, 2])
        rows.append(["2027-03-02", sid, "teacher", level, None, None, level, level, level,
                     level, level, level, level, None])
        rows.append(["2027-03-03", sid, "technology", level, level, level, level, level, level,
                     None, None, None, None, None])
    return rows


def write_survey(path: Path, rows=None, header=None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Responses"
    ws.append(header or SURVEY_HEADER)
    for row in rows if rows is not None else default_survey_rows():
        ws.append(row)
    wb.save(path)
