"""Pooled rubric scores per school: survey answers pooled by role, blended with indicators.

Every score is on 0-100. Individual answers never leave this module: only school-level pools.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rollout.domain import District
from rollout.errors import Problems
from rollout.rubric import DOMAINS, Rubric
from rollout.survey import SurveyResponses


@dataclass
class Scores:
    """School-level results; `table` is indexed by school_id."""

    table: pd.DataFrame        # domains, readiness, need, coverage, assessable, respondents
    item_levels: pd.DataFrame  # school x item: pooled mean level on the rubric scale
    indicators: pd.DataFrame   # school x indicator: measured value
    notes: list[str]

    def readiness(self, school_id: str) -> float:
        return float(self.table.at[school_id, "readiness"])


def score_schools(district: District, rubric: Rubric, responses: SurveyResponses,
                  problems: Problems, survey_folder: str = "surveys") -> Scores:
    school_ids = [s.school_id for s in district.schools]
    role_means = (responses.answers.groupby(["school_id", "item_id", "role"])["level"].mean()
                  .unstack("role"))
    item_levels = pool_items(role_means, rubric, school_ids)
    item_scores = (item_levels - rubric.low) / (rubric.high - rubric.low) * 100
    indicators = measure_indicators(district, rubric)
    table = pd.DataFrame(index=pd.Index(school_ids, name="school_id"))
    coverage_num = pd.Series(0.0, index=table.index)
    coverage_den = 0.0
    for name in DOMAINS:
        domain = rubric.domains[name]
        items = [i for i in domain.items if i.scored and i.weight > 0]
        weights = pd.Series({i.id: i.weight for i in items})
        scores = item_scores.reindex(columns=weights.index)
        answered = scores.notna().mul(weights, axis=1).sum(axis=1)
        survey = scores.mul(weights, axis=1).sum(axis=1) / answered.replace(0, np.nan)
        table[name] = blend_indicators(survey, indicators, domain)
        coverage_num += answered
        coverage_den += weights.sum()
    table["coverage"] = (coverage_num / coverage_den).round(4)
    table["assessable"] = table["coverage"] >= rubric.min_coverage - 1e-9
    domain_weights = pd.Series({d: rubric.domains[d].weight for d in DOMAINS})
    table["readiness"] = table[DOMAINS].mul(domain_weights, axis=1).sum(axis=1, min_count=3)
    table.loc[~table["assessable"], DOMAINS + ["readiness"]] = np.nan
    table["need"] = [rubric.need.frl_pct * s.frl_pct + rubric.need.not_proficient_pct
                     * (100 - s.proficiency_pct) for s in district.schools]
    add_respondent_counts(table, responses, rubric)
    add_role_gaps(table, role_means, rubric)
    notes = report_unscored(table, problems, survey_folder)
    return Scores(table, item_levels, indicators, notes)


def pool_items(role_means: pd.DataFrame, rubric: Rubric, school_ids: list[str]) -> pd.DataFrame:
    """Per item: the role-weighted mean of each role's mean answer (roles that answered)."""
    pooled = pd.DataFrame(index=pd.Index(school_ids, name="school_id"))
    for domain_name, item in rubric.items():
        weights = {r: rubric.domains[domain_name].role_weights.get(r, 0.0) for r in item.roles}
        if not item.scored or not any(weights.values()):
            weights = {r: 1.0 for r in item.roles}  # local questions: plain mean, never scored
        try:
            means = role_means.xs(item.id, level="item_id")
        except KeyError:
            pooled[item.id] = np.nan
            continue
        means = means.reindex(index=school_ids, columns=list(weights))
        w = pd.Series(weights)
        present = means.notna().mul(w, axis=1).sum(axis=1)
        pooled[item.id] = means.mul(w, axis=1).sum(axis=1) / present.replace(0, np.nan)
    return pooled


def measure_indicators(district: District, rubric: Rubric) -> pd.DataFrame:
    rows = {}
    for s in district.schools:
        rows[s.school_id] = {
            "link_kbps_per_student": s.link_mbps * 1000 / s.students,
            "students_per_device": s.students / s.devices if s.devices else np.inf,
            "devices_per_tech_staff": (s.devices / s.tech_staff if s.tech_staff else np.inf)
            if s.tech_staff is not None else np.nan,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "school_id"
    return frame


def blend_indicators(survey: pd.Series, indicators: pd.DataFrame, domain) -> pd.Series:
    """Domain score: survey share from the items, the rest from the measured indicators."""
    if not domain.indicators or domain.survey_share >= 1:
        return survey
    total = pd.Series(0.0, index=survey.index)
    weight = pd.Series(0.0, index=survey.index)
    for ind in domain.indicators:
        values = indicators[ind.metric]
        xs, ys = zip(*ind.points)
        score = pd.Series(np.interp(values.fillna(0), xs, ys), index=values.index)
        known = values.notna()
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


def add_role_gaps(table: pd.DataFrame, role_means: pd.DataFrame, rubric: Rubric) -> None:
    """Domains where the principal's and teachers' mean levels differ by more than the rubric's
    `role_gap_levels`."""
    gaps = pd.Series("", index=table.index)
    if {"principal", "teacher"} <= set(role_means.columns):
        for name in DOMAINS:
            ids = [i.id for i in rubric.domains[name].items if i.scored]
            sub = role_means[role_means.index.get_level_values("item_id").isin(ids)]
            by_school = sub.groupby(level="school_id")[["principal", "teacher"]].mean()
            diff = (by_school["principal"] - by_school["teacher"]).reindex(table.index)
            flagged = diff.abs() > rubric.role_gap_levels
            gaps = gaps.where(~flagged, gaps + f"{name} ({diff.round(1).astype(str)} levels); ")
    table["role_gap"] = gaps.str.rstrip("; ")


def report_unscored(table: pd.DataFrame, problems: Problems, folder: str) -> list[str]:
    notes = []
    for school_id, row in table.iterrows():
        if row["respondents"] == 0:
            problems.add(folder, f"school {school_id} has no survey responses; every school "
                         "needs at least one")
        elif not row["assessable"]:
            notes.append(f"{school_id}: answers cover {row['coverage']:.0%} of the rubric, below "
                         "the minimum; the school is not assessable and is planned with "
                         "readiness 0")
    return notes
