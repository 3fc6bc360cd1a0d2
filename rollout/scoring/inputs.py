"""Load a whole district folder: settings, rubric, district.xlsx and surveys, checked together.

Every problem in every file is collected first; then one InputError reports them all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rollout.domain import Cohort, Decisions, District
from rollout.errors import Problems
from rollout.intake.decisions import DecisionRow, district_decisions, read_decisions_file
from rollout.intake.district import capacity_plan_notes, load_district
from rollout.intake.rubric import Rubric, default_rubric_path, load_rubric
from rollout.intake.settings import Settings, load_settings
from rollout.intake.survey import SurveyResponses, read_surveys
from rollout.intake.terms import suggest_term
from rollout.scoring.scores import Scores, score_schools


@dataclass
class Inputs:
    district_dir: Path
    district: District
    settings: Settings
    rubric: Rubric
    rubric_path: Path
    responses: SurveyResponses
    scores: Scores
    cohorts: list[Cohort]
    notes: list[str] = field(default_factory=list)
    decision_rows: list[DecisionRow] = field(default_factory=list)  # decisions.xlsx (#25)

    @property
    def decisions(self) -> Decisions:
        """The planner's decisions of decisions.xlsx as hard rules of every plan."""
        return district_decisions(self.decision_rows)


def load_inputs(district_dir: Path, rubric_path: Path | None = None,
                settings_override: Settings | None = None) -> Inputs:
    district_dir = Path(district_dir)
    rubric_path = Path(rubric_path) if rubric_path else default_rubric_path()
    problems = Problems()
    if not district_dir.is_dir():
        problems.add(district_dir, "district folder not found")
        problems.raise_if_any()
    settings = settings_override or load_settings(district_dir / "settings.yaml", problems)
    rubric = load_rubric(rubric_path, problems)
    district = load_district(district_dir / "district.xlsx", settings, problems)
    cohorts = resolve_cohorts(settings, district, problems) if settings and district else []
    decision_rows = read_decisions_file(district_dir, district, [c.name for c in cohorts],
                                        problems) if district and cohorts else []
    survey_dir = district_dir / "surveys"
    if not survey_dir.is_dir():
        problems.add(survey_dir, "folder not found (put the survey files in a 'surveys' folder)")
    problems.raise_if_any()
    responses = read_surveys(survey_dir, rubric, district, problems,
                             missing_surveys=settings.missing_surveys,
                             ignore_schools=settings.surveys.ignore_schools)
    problems.raise_if_any(responses.notes)
    scores = score_schools(district, rubric, responses)
    check_locks_against_gate(district, settings, scores, problems)
    problems.raise_if_any()
    notes = list(district.notes) + first_term_notes(settings, district, cohorts) + \
        capacity_plan_notes(district) + responses.notes + scores.notes
    return Inputs(district_dir, district, settings, rubric, rubric_path, responses, scores,
                  cohorts, notes, decision_rows)


def resolve_cohorts(settings: Settings, district: District, problems: Problems) -> list[Cohort]:
    """Cohorts with their launch term found in the Terms sheet, in launch order."""
    term_index = {t.label: t.index for t in district.terms}
    cohorts, previous = [], -1
    for number, spec in enumerate(settings.cohorts, start=1):
        index = term_index.get(spec.launch_term)
        if index is None:
            meant = suggest_term(spec.launch_term, list(term_index))
            hint = f": did you mean {meant}?" if meant else f" ({', '.join(term_index)})"
            problems.add("settings.yaml", f"setting 'cohorts.{number - 1}.launch_term': "
                         f"'{spec.launch_term}' is not a term of the Terms sheet{hint}")
            continue
        if index <= previous:
            problems.add("settings.yaml", f"setting 'cohorts.{number - 1}.launch_term': cohorts "
                         "must launch in term order, each after the one before")
        previous = index
        cohorts.append(Cohort(number, spec.name, index))
    if settings.current_term is not None and settings.current_term not in term_index:
        meant = suggest_term(settings.current_term, list(term_index))
        hint = f": did you mean {meant}?" if meant else f" ({', '.join(term_index)})"
        problems.add("settings.yaml", f"setting 'current_term': '{settings.current_term}' is not "
                     f"a term of the Terms sheet{hint}")
    return cohorts


def first_term_notes(settings: Settings, district: District, cohorts: list[Cohort]) -> list[str]:
    """A cohort may launch in the Terms sheet's first term; the coaching of the terms before it
    (its planning) is then not counted, which the planner should know."""
    before = sorted(offset for offset, share in settings.coaching.load_profile.items()
                    if offset < 0 and share > 0)
    if not before or settings.current_term:
        return []
    return [f"settings.yaml: {c.name} launches in {district.terms[c.launch_term_index].label}, "
            "so its planning (coaching.load_profile "
            f"{', '.join(str(o) for o in before)}) would come before the first term of the "
            "Terms sheet: that coaching is not counted" for c in cohorts
            if c.launch_term_index < -before[0]]


def check_locks_against_gate(district: District, settings: Settings, scores: Scores,
                             problems: Problems) -> None:
    for pref in district.preferences:
        readiness = scores.table.at[pref.school_id, "readiness"]
        ready = readiness if readiness == readiness else 0.0
        if pref.locked and pref.preferred_cohort == 1 and ready < settings.readiness_gate:
            silent = " (no survey answers yet)" if not scores.table.at[
                pref.school_id, "respondents"] else ""
            problems.add("district.xlsx", f"{pref.school_id} is locked to cohort 1 but its "
                         f"readiness {ready:.1f}{silent} is below the readiness gate "
                         f"{settings.readiness_gate:g}; unlock it or lower the gate",
                         "Preferences")
