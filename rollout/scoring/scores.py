"""Pooled rubric scores per school: survey answers pooled by role, blended with indicators.

Every score is on 0-100. Individual answers never leave this module: only school-level pools.

Per item, each role's answers are averaged, then the role means are combined with the domain's
role weights (over the roles that answered). Per domain, the items' pooled levels are combined
with the item weights, and the domain's `survey_share` of it is blended with the measured
indicators. Unscored (local) items are pooled for reporting and never enter a score.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rollout.domain import District
from rollout.errors import TOO_FEW_ANSWERS, Note
from rollout.intake.rubric import DOMAINS, Domain, Rubric
from rollout.intake.survey import SurveyResponses

COVERAGE_TOLERANCE = 1e-9


@dataclass
class Scores:
    """School-level results; `table` is indexed by school_id."""

    table: pd.DataFrame        # domains, readiness, need, coverage, assessable, respondents...
    item_levels: pd.DataFrame  # school x item (local items too): pooled level on the scale
    indicators: pd.DataFrame   # school x metric: measured value
    notes: list[str]

    def readiness(self, school_id: str) -> float:
        return float(self.table.at[school_id, "readiness"])

    def local_items(self, rubric: Rubric) -> pd.DataFrame:
        """Pooled answers to the rubric's unscored (local) questions: reported, never scored."""
        return self.item_levels[[item.id for _, item in rubric.items() if not item.scored]]


def score_schools(district: District, rubric: Rubric, responses: SurveyResponses) -> Scores:
    school_ids = pd.Index([s.school_id for s in district.schools], name="school_id")
    role_means = role_item_means(responses, rubric, school_ids)
    item_levels = pool_items(role_means, rubric, school_ids)
    item_scores = (item_levels - rubric.low) / (rubric.high - rubric.low) * 100
    indicators = measure_indicators(district)
    table = pd.DataFrame(index=school_ids)
    answered_weight = pd.Series(0.0, index=school_ids)
    total_weight = 0.0
    empty_domains = pd.Series("", index=school_ids)
    for name in DOMAINS:
        domain = rubric.domains[name]
        weights = pd.Series({i.id: i.weight for i in domain.items if i.scored and i.weight > 0})
        scores = item_scores[weights.index]
        answered = scores.notna().mul(weights, axis=1).sum(axis=1)
        survey = scores.mul(weights, axis=1).sum(axis=1) / answered.replace(0, np.nan)
        table[name] = blend_indicators(survey, indicators, domain)
        empty_domains = empty_domains.where(answered > 0, empty_domains + name + "|")
        answered_weight += answered
        total_weight += weights.sum()
    table["coverage"] = (answered_weight / total_weight).round(4)
    table["assessable"] = ((table["coverage"] >= rubric.min_coverage - COVERAGE_TOLERANCE)
                           & (empty_domains == ""))
    domain_weights = pd.Series({d: rubric.domains[d].weight for d in DOMAINS})
    table["readiness"] = table[DOMAINS].mul(domain_weights, axis=1).sum(axis=1)
    table.loc[~table["assessable"], DOMAINS + ["readiness"]] = np.nan
    table["need"] = [rubric.need.frl_pct * s.frl_pct + rubric.need.not_proficient_pct
                     * (100 - s.proficiency_pct) for s in district.schools]
    add_respondent_counts(table, responses, rubric)
    add_role_gaps(table, role_means, rubric)
    notes = not_assessable_notes(table, empty_domains, rubric)
    return Scores(table, item_levels, indicators, notes)


def role_item_means(responses: SurveyResponses, rubric: Rubric, school_ids: pd.Index
                    ) -> pd.DataFrame:
    """School x (item, role): the mean level each role gave each item (NaN: no answer)."""
    people = responses.respondents
    means = responses.levels.groupby([people["school_id"].to_numpy(),
                                      people["role"].to_numpy()]).mean()
    means.index.names = ["school_id", "role"]
    wide = means.unstack("role").reindex(school_ids)
    columns = pd.MultiIndex.from_product([[item.id for _, item in rubric.items()],
                                          rubric.roles], names=["item_id", "role"])
    return wide.reindex(columns=columns)


def pool_items(role_means: pd.DataFrame, rubric: Rubric, school_ids: pd.Index) -> pd.DataFrame:
    """Per item: the role-weighted mean of each role's mean answer (over roles that answered).
    Local items, which no weight applies to, get the plain mean of their roles."""
    pooled = {}
    for domain_name, item in rubric.items():
        weights = pd.Series({r: rubric.domains[domain_name].role_weights.get(r, 0.0)
                             for r in item.roles})
        if not item.scored or not weights.any():
            weights[:] = 1.0
        means = role_means[item.id][weights.index]
        present = means.notna().mul(weights, axis=1).sum(axis=1)
        pooled[item.id] = means.mul(weights, axis=1).sum(axis=1) / present.replace(0, np.nan)
    return pd.DataFrame(pooled, index=school_ids)


def measure_indicators(district: District) -> pd.DataFrame:
    """Measured figures from the Schools sheet. A school with no devices (or no technology
    staff) gets infinity, which every indicator scores as its worst point."""
    schools = district.schools
    students = np.array([s.students for s in schools], dtype=float)
    devices = np.array([s.devices for s in schools], dtype=float)
    staff = np.array([np.nan if s.tech_staff is None else s.tech_staff for s in schools])
    link = np.array([s.link_mbps for s in schools], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame = pd.DataFrame({
            "link_kbps_per_student": link * 1000 / students,
            "students_per_device": np.where(devices > 0, students / devices, np.inf),
            "devices_per_tech_staff": np.where(staff > 0, devices / staff,
                                               np.where(staff == 0, np.inf, np.nan)),
        }, index=pd.Index([s.school_id for s in schools], name="school_id"))
    return frame


def blend_indicators(survey: pd.Series, indicators: pd.DataFrame, domain: Domain) -> pd.Series:
    """Domain score: `survey_share` from the items, the rest from the measured indicators
    (each scored by interpolating its points; weighted by indicator weight)."""
    if not domain.indicators or domain.survey_share >= 1:
        return survey
    total = pd.Series(0.0, index=survey.index)
    weight = pd.Series(0.0, index=survey.index)
    for ind in domain.indicators:
        values = indicators[ind.metric]
        xs, ys = zip(*ind.points)
        known = values.notna()
        score = pd.Series(np.interp(values.where(known, xs[0]), xs, ys), index=values.index)
        total += score.where(known, 0) * ind.weight
        weight += known * ind.weight
    measured = total / weight.replace(0, np.nan)
    blended = domain.survey_share * survey + (1 - domain.survey_share) * measured
    return blended.fillna(survey)


def add_respondent_counts(table: pd.DataFrame, responses: SurveyResponses, rubric: Rubric):
    counts = responses.respondents.groupby(["school_id", "role"]).size().unstack(fill_value=0)
    for role in rubric.roles:
        column = counts[role] if role in counts else pd.Series(dtype=int)
        table[f"respondents_{role}"] = column.reindex(table.index).fillna(0).astype(int)
    table["respondents"] = table[[f"respondents_{r}" for r in rubric.roles]].sum(axis=1)


def add_role_gaps(table: pd.DataFrame, role_means: pd.DataFrame, rubric: Rubric,
                  leader: str = "principal", staff: str = "teacher") -> None:
    """Per domain, the mean over items both answered of (principal's mean level - teachers'
    mean level); domains beyond the rubric's `role_gap_levels` are named in `role_gap` in
    plain words, e.g. 'in instructional readiness, teachers rate the school 1.8 levels lower
    than the principal does'."""
    text = pd.Series("", index=table.index)
    for name in DOMAINS:
        ids = [i.id for i in rubric.domains[name].items
               if i.scored and {leader, staff} <= set(i.roles)]
        if not ids or leader not in rubric.roles or staff not in rubric.roles:
            table[f"role_gap_{name}"] = np.nan
            continue
        lead = role_means.xs(leader, axis=1, level="role")[ids]
        rest = role_means.xs(staff, axis=1, level="role")[ids]
        gap = (lead - rest).mean(axis=1)
        table[f"role_gap_{name}"] = gap.round(2)
        flagged = gap.abs() > rubric.role_gap_levels
        words = gap.map(role_gap_words)
        text = text.where(~flagged, text + f"in {name} readiness, " + words + "; ")
    table["role_gap"] = text.str.rstrip("; ")


def role_gap_words(gap: float) -> str:
    """A principal-minus-teachers difference in mean level, as a principal would say it."""
    direction = "lower" if gap > 0 else "higher"
    return f"teachers rate the school {abs(gap):.1f} levels {direction} than the principal does"


def domain_list(names: str) -> str:
    parts = names.rstrip("|").split("|")
    return (f"{parts[0]} domain" if len(parts) == 1
            else f"{', '.join(parts[:-1])} and {parts[-1]} domains")


def not_assessable_notes(table: pd.DataFrame, empty_domains: pd.Series, rubric: Rubric
                         ) -> list[str]:
    notes = []
    for school_id in table.index[~table["assessable"] & (table["respondents"] > 0)]:
        coverage = table.at[school_id, "coverage"]
        why = (f"answers cover {coverage:.0%} of the rubric (minimum {rubric.min_coverage:.0%})"
               if coverage < rubric.min_coverage - COVERAGE_TOLERANCE
               else "no answers in the " + domain_list(empty_domains[school_id]))
        notes.append(Note(f"{school_id}: {why}; the school is not assessable and is planned "
                          "with readiness 0", TOO_FEW_ANSWERS))
    return notes
