"""The What if page's answer in the studio's words: the sentences of `rollout compare`'s short
comparison (the same figures, from outputs.whatif_words), except where compare points to its
workbook's sheets or speaks of cohorts and proof. In the studio the list of moves is on the
page, groups are called by their names, and a plan not shown to be the best is "a good plan,
not yet shown to be the best", as the board says it. The CLI's own words stay unchanged."""
from __future__ import annotations

from rollout.outputs import whatif_words as compare

# As the board says it (session.GOOD): the one way the studio tells a plan is not proven best.
NOT_SHOWN_BEST = "a good plan, not yet shown to be the best"

# `rollout compare`'s notes on a scenario's plan, as the studio says them.
NOTES = {
    compare.KEPT_WORSE: ("the search found no plan better than the board's, which meets every "
                         "limit of this what-if: the board's plan is kept"),
    compare.KEPT_NO_BETTER: "no better plan than the board's was found: the board's plan is kept",
    compare.KEPT_NO_BETTER + compare.KEPT_NOT_PROVEN:
        f"no better plan than the board's was found: the board's plan is kept ({NOT_SHOWN_BEST})",
    compare.TIES_LEFT: ("the time ran out before every school that could keep its place on the "
                        "board had kept it: some moves may make no difference (see the list of "
                        "moves below)"),
    compare.BASE_NOT_BEST: ("this plan also meets the board's own limits and is better under "
                            "them: the board's plan is not the best possible, so some of these "
                            "moves come from the longer search, not from the what-if"),
}


def studio_note(note: str | None) -> str | None:
    """A note of `rollout compare` on the what-if's plan, in the studio's words."""
    return NOTES.get(note, note) if note else None


def groups_text(facts, summary) -> str:
    """'Group 1 has 20 schools, Group 2 21, Group 3 20': each group by its name."""
    said = [f"{cohort.name} {group.schools}" for cohort, group in zip(facts.cohorts,
                                                                     summary.cohorts)]
    if not said:
        return "no groups"
    first = said[0].rsplit(" ", 1)
    return ", ".join([f"{first[0]} has {first[1]} schools"] + said[1:])


def held_lines(summary) -> list[str]:
    """How withdrawn and paused schools are counted (as compare's `held_lines`, in groups)."""
    return compare.held_lines(summary, "group")


def plan_lines(facts, term: int, name: str, description: str, summary, moved: bool,
               proven: bool, note: str | None = None) -> list[str]:
    """One plan of the answer: as `rollout compare`'s plan lines, in the studio's words."""
    said = f" ({description})" if description else ""
    lines = [f"{name}{said}: {compare.launched_by(facts, summary, term)} launched; "
             f"{groups_text(facts, summary)}"]
    second = [f"busiest coaching term {compare.peak_coaching(facts, summary)}",
              compare.upgrades_text(summary)]
    if moved:
        second.append(compare.moved_text(summary))
    if not proven:
        second.append(NOT_SHOWN_BEST)
    lines.append("  " + "; ".join(second))
    if note:
        lines.append(f"  Note: {studio_note(note)}")
    return lines


def whatif_lines(facts, made, base_name: str, name: str) -> list[str]:
    """The what-if (`made`, session.WhatIf) against the board's plan, line by line."""
    if made is None or made.summary is None:
        return []
    term = compare.headline_term(facts)
    return ([compare.headline(facts, term)] + held_lines(made.base)
            + plan_lines(facts, term, base_name, "", made.base, False, made.base_proven)
            + plan_lines(facts, term, name, made.description, made.summary, True, made.proven,
                         made.note))
