"""Scenario files: a YAML patch of the district's planning facts, validated and applied.

A patch takes any settings.yaml key (mappings merged key by key, other values replaced, the
result validated like settings.yaml) plus capacity keys for the Terms sheet and the network.
Applying one builds fresh facts, and `describe_changes` says in a planner's words what
differs from the base. The sweep and the binding limits make their own patches (`derived`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from rollout.domain import CapacityChange
from rollout.errors import Problems, RolloutError
from rollout.intake.settings import Settings, Strict, load_yaml
from rollout.planning.facts import PlanningFacts
from rollout.scoring.inputs import resolve_cohorts
from rollout.whatif.decisions import DECISION_KEYS, ScenarioDecisions, read_decisions, resolve
from rollout.whatif.scenario_keys import checked, in_words, key_guess, term_guess, where

ALL_TERMS = "all"


class CapacityRow(Strict):
    link: str = Field(min_length=1)
    term: str = Field(min_length=1)
    capacity_mbps: float = Field(ge=0)


class CapacityOverrides(Strict):
    """The keys a scenario has beyond settings.yaml: the Terms sheet and the network."""

    description: str | None = None
    coaches_fte: dict[str, Annotated[float, Field(ge=0)]] = {}   # term (or "all") -> FTE
    coaches_fte_delta: dict[str, float] = {}                     # term (or "all") -> +FTE
    upgrade_crews: dict[str, Annotated[int, Field(ge=0)]] = {}   # term (or "all") -> crews
    capacity_plan: list[CapacityRow] = []                        # like the Capacity plan sheet
    link_mbps_delta: dict[str, float] = {}                       # link -> +Mbps in every term


SCENARIO_KEYS = set(CapacityOverrides.model_fields)


@dataclass
class Variant:
    """A plan to solve: a name, what differs from the base, and the facts to solve."""

    name: str
    facts: PlanningFacts
    description: str = ""
    changes: list[str] = field(default_factory=list)
    source: str = ""
    pending: ScenarioDecisions | None = None  # decisions to resolve against the base plan
    conflicts: list[str] = field(default_factory=list)  # decisions that leave no plan, in words

    @property
    def decided_by(self) -> str:
        """Who made this plan's decisions, in words: the scenario, by its description."""
        return f"the scenario '{self.description or self.name}'"


def parse_scenario_option(text: str) -> tuple[str, Path]:
    """'name=path.yaml' (or just 'path.yaml', named after the file)."""
    name, sep, path = text.partition("=")
    if not sep:
        return Path(text).stem, Path(text)
    return name.strip(), Path(path.strip())


def load_scenarios(base: PlanningFacts, specs: list[tuple[str, Path]],
                   problems: Problems | None = None) -> list[Variant]:
    """Read and apply every scenario file; all problems in all files (and any already in
    `problems`) are reported at once."""
    problems = Problems() if problems is None else problems
    seen: set[str] = set()
    variants = []
    for name, path in specs:
        if not name or name.lower() in ("base", "base plan") or name in seen:
            problems.add(path, f"scenario name '{name}' must be given, unique and not 'base' "
                         "(write --scenario name=file.yaml)")
        seen.add(name)
        raw = load_yaml(Path(path), problems)
        if raw is None:
            continue
        facts = apply_overrides(base, raw, str(path), problems)
        if facts is None:  # the names its decisions use are still checked, against the base
            read_decisions(base, raw, str(path), problems)
            continue
        variant = Variant(name, facts, str(raw.get("description") or ""),
                          describe_changes(base, facts), str(path))
        spec = read_decisions(facts, raw, str(path), problems)
        if spec and spec.needs_base_plan():
            variant.pending = spec
        elif spec:
            variant = decided(variant, spec, None, problems)
        variants.append(variant)
    problems.raise_if_any()
    return variants


def decided(variant: Variant, spec: ScenarioDecisions, base_plan: dict[str, int] | None,
            problems: Problems) -> Variant:
    """The variant with its decisions resolved into its facts and said in 'What changes'."""
    resolved = resolve(variant.facts, spec, variant.decided_by, base_plan, variant.source,
                       problems)
    return dataclasses.replace(
        # The district's standing decisions (decisions.xlsx) hold in every scenario too.
        variant, facts=dataclasses.replace(
            variant.facts, decisions=resolved.decisions.with_standing(variant.facts.decisions)),
        changes=variant.changes + resolved.said + [f"cannot move: {u}"
                                                   for u in resolved.unmoved],
        pending=None, conflicts=resolved.conflicts)


def conflicts_as_problems(variant: Variant, problems: Problems) -> None:
    """A scenario to adopt (`plan --scenario`) whose decisions leave no plan: an input error
    of its file. (`compare` answers "no plan" for it instead, beside the other scenarios.)"""
    for conflict in variant.conflicts:
        problems.add(variant.source, conflict)


def resolve_pending(variants: list[Variant], base_plan: dict[str, int]) -> list[Variant]:
    """Every variant's decisions that need the base plan (a shift, a pick by cohort), resolved
    against it; conflicts in any scenario are reported at once."""
    problems = Problems()
    out = [decided(v, v.pending, base_plan, problems) if v.pending else v for v in variants]
    problems.raise_if_any()
    return out


def apply_overrides(base: PlanningFacts, patch: dict, file: str, problems: Problems
                    ) -> PlanningFacts | None:
    """The base facts with a scenario's patch applied, or None (with problems) when the patch
    is not valid. Builds fresh District/Settings records: nothing cached is carried over."""
    start = len(problems.items)
    own = sorted(SCENARIO_KEYS | DECISION_KEYS)
    for key in sorted(set(patch) - SCENARIO_KEYS - DECISION_KEYS - set(Settings.model_fields),
                      key=str):
        near = key_guess(key, own + sorted(Settings.model_fields))
        problems.add(file, f"{where([key])}: unknown; " + (
            f"did you mean {near}?" if near else "check the spelling (a scenario takes "
            f"settings.yaml keys and {', '.join(own)})"))
    overrides = checked(CapacityOverrides, {k: v for k, v in patch.items() if k in
                                            SCENARIO_KEYS}, file, problems)
    settings_patch = {k: v for k, v in patch.items() if k in Settings.model_fields}
    settings = checked(Settings, deep_merge(base.settings.model_dump(), settings_patch), file,
                       problems)
    district = patched_district(base, overrides, file, problems) if overrides else None
    cohorts, current = resolve_terms(settings, base.district, file, problems) if settings \
        else ((), 0)
    if len(problems.items) > start:
        return None
    return dataclasses.replace(base, district=district, settings=settings, cohorts=cohorts,
                               current_term=current)


def deep_merge(base: dict, patch: dict) -> dict:
    """Mappings merge key by key; any other value (lists included) replaces the base's."""
    out = dict(base)
    for key, value in patch.items():
        both = isinstance(value, dict) and isinstance(base.get(key), dict)
        out[key] = deep_merge(base[key], value) if both else value
    return out


def patched_district(base: PlanningFacts, o: CapacityOverrides, file: str, problems: Problems):
    district = base.district
    by_label = {t.label: t for t in district.terms}
    labels = ", ".join(by_label)

    def terms_named(key: str, label: str) -> list:
        if label == ALL_TERMS:  # past terms are history: no scenario changes them
            return [t for t in district.terms if not base.is_history(t.index)]
        if label not in by_label:
            near = term_guess(label, list(by_label))
            problems.add(file, f"{where(key)}: '{label}' is not a term of the Terms sheet; "
                         + (f"did you mean '{near}'? (terms" if near else "the terms")
                         + f" are {labels}, or '{ALL_TERMS}'" + (")" if near else ""))
            return []
        return [by_label[label]]

    fte = {t.index: t.coaches_fte for t in district.terms}
    crews = {t.index: t.upgrade_crews for t in district.terms}
    for label, value in o.coaches_fte.items():
        fte.update({t.index: value for t in terms_named("coaches_fte", label)})
    for label, value in o.coaches_fte_delta.items():
        for term in terms_named("coaches_fte_delta", label):
            fte[term.index] += value
    for label, value in o.upgrade_crews.items():
        crews.update({t.index: value for t in terms_named("upgrade_crews", label)})
    for term in district.terms:
        if fte[term.index] < 0:
            problems.add(file, f"coaches_fte_delta: leaves {fte[term.index]:g} coaching "
                         f"FTE in {term.label} (at least 0 needed)")
    changes = []
    for i, row in enumerate(o.capacity_plan):
        known = check_link(district, f"capacity_plan.{i}.link", row.link, file, problems)
        term = terms_named(f"capacity_plan.{i}.term", row.term)
        if known and term:
            changes.append(CapacityChange(row.link, term[0].index, row.capacity_mbps))
    delta = {link: mbps for link, mbps in o.link_mbps_delta.items()
             if check_link(district, "link_mbps_delta", link, file, problems)}
    for link, mbps in delta.items():
        low = min(district.capacity_by_term[link])
        if low + mbps < 0:
            problems.add(file, f"{where(['link_mbps_delta', link])}: leaves {low + mbps:,.0f} Mbps "
                         "(at least 0 needed)")
    return dataclasses.replace(
        district,
        schools=tuple(dataclasses.replace(s, link_mbps=s.link_mbps + delta.get(s.school_id, 0))
                      for s in district.schools),
        nodes=tuple(dataclasses.replace(n, capacity_mbps=n.capacity_mbps + delta.get(n.node, 0))
                    for n in district.nodes),
        terms=tuple(dataclasses.replace(t, coaches_fte=fte[t.index], upgrade_crews=crews[t.index])
                    for t in district.terms),
        # Appended last: on the same term, a scenario's row wins over the district's own.
        capacity_plan=tuple(dataclasses.replace(c, capacity_mbps=c.capacity_mbps
                                                + delta.get(c.link, 0))
                            for c in district.capacity_plan) + tuple(changes),
        upgrades=tuple(dataclasses.replace(u, new_capacity_mbps=u.new_capacity_mbps
                                           + delta.get(u.link, 0)) for u in district.upgrades))


def check_link(district, key: str, link: str, file: str, problems: Problems) -> bool:
    if link in district.schools_behind:
        return True
    problems.add(file, f"{where(key)}: '{link}' is not a link of the district (a school_id of "
                 "the Schools sheet or a node of the Network sheet)")
    return False


def resolve_terms(settings: Settings, district, file: str, problems: Problems):
    """Cohorts and current term of patched settings, checked against the Terms sheet."""
    found = Problems()
    cohorts = resolve_cohorts(settings, district, found)
    for problem in found.items:  # resolve_cohorts names settings.yaml; the patch is this file
        problems.add(file, in_words(problem.message.replace("setting '", "key '", 1)))
    index = {t.label: t.index for t in district.terms}
    return tuple(cohorts), index.get(settings.current_term, 0) if settings.current_term else 0


def describe_changes(base: PlanningFacts, facts: PlanningFacts) -> list[str]:
    """What differs from the base, in a planner's words, derived from the facts themselves."""
    out = [f"{path}: {show(old)} -> {show(new)}" for path, old, new in
           flat_diff(base.settings.model_dump(), facts.settings.model_dump())]
    old_terms, new_terms = base.district.terms, facts.district.terms
    to_come = [(o, n) for o, n in zip(old_terms, new_terms) if not base.is_history(o.index)]
    deltas = {round(n.coaches_fte - o.coaches_fte, 6) for o, n in to_come}
    past_same = all(o.coaches_fte == n.coaches_fte for o, n in zip(old_terms, new_terms)
                    if base.is_history(o.index))
    if len(deltas) == 1 and deltas != {0} and len(to_come) > 1 and past_same:
        every = "every term still to come" if base.current_term else "every term"
        out.append(f"coaches: {signed(deltas.pop())} FTE in {every}")
    else:
        out += [f"coaches in {n.label}: {o.coaches_fte:g} -> {n.coaches_fte:g} FTE"
                for o, n in zip(old_terms, new_terms) if o.coaches_fte != n.coaches_fte]
    out += [f"upgrade crews in {n.label}: {show(o.upgrade_crews)} -> {show(n.upgrade_crews)}"
            for o, n in zip(old_terms, new_terms) if o.upgrade_crews != n.upgrade_crews]
    for link in base.district.links:
        before = base.district.capacity_by_term[link]
        after = facts.district.capacity_by_term[link]
        changed = [(new - old, i) for i, (old, new) in enumerate(zip(before, after)) if new != old]
        if changed and len({d for d, _ in changed}) == 1 and len(changed) == len(before):
            out.append(f"{link}: {signed(changed[0][0], ',.0f')} Mbps in every term")
        elif changed:
            out.append(f"{link}: " + ", ".join(
                f"{before[i]:,.0f} -> {after[i]:,.0f} Mbps in {facts.term_label(i)}"
                for _, i in changed))
    return out


def flat_diff(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        return [d for key in sorted(set(old) | set(new), key=str)
                for d in flat_diff(old.get(key), new.get(key), f"{path}.{key}" if path else
                                   str(key))]
    return [] if old == new else [(path, old, new)]


def show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:,g}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return str(value)


def signed(value: float, spec: str = "g") -> str:
    return ("+" if value > 0 else "") + format(value, spec)


class InternalPlanError(RolloutError):
    """A bug, never shown as a result: a solved plan that the independent checker rejects, or
    a patch of our own making that does not apply."""


def derived(base: PlanningFacts, name: str, patch: dict) -> Variant:
    """A variant of our own making (a sweep point, one more unit of a limit)."""
    problems = Problems()
    facts = apply_overrides(base, patch, name, problems)
    if facts is None:
        raise InternalPlanError(f"internal error: {'; '.join(map(str, problems.items))}")
    return Variant(name, facts, changes=describe_changes(base, facts))
