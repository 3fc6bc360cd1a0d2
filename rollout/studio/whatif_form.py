"""The What if page's form: what the planner entered (kept, so that they can adjust and try
again), the scenario it asks for (the keys of the YAML `rollout compare` reads), and each
problem with the field it belongs to (shown next to that field). A problem is a kind and its
values; the page words it (templates/whatif.html), except the scenario loader's own sentences,
which are shown as `rollout compare` prints them (kind "text")."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# The form's fields, in the page's order.
FIELDS = ("description", "coaches", "coaches_term", "link", "mbps", "shift_schools",
          "shift_by", "no_launch_in", "need_weight")
EVERY_TERM = "all"  # coaches_term: every term still to come (the scenario file's `all`)
MAX_ENTERED = 200  # characters kept of what was typed in a field
# A scenario file's key -> the field it comes from (for the problems the scenario loader finds).
FIELD_OF_KEY = {"description": "description", "coaches_fte_delta": "coaches",
                "link_mbps_delta": "mbps", "shift": "shift_by", "no_launch_in": "no_launch_in",
                "need_weight": "need_weight"}


@dataclass
class WhatIfForm:
    """What the planner entered, and the problems found in it: by field, and those of no
    one field."""

    entered: dict[str, str] = field(default_factory=dict)
    problems: dict[str, tuple[str, dict]] = field(default_factory=dict)
    others: list[tuple[str, dict]] = field(default_factory=list)

    def value(self, name: str) -> str:
        return self.entered.get(name, "")

    def all_problems(self) -> list[tuple[str | None, tuple[str, dict]]]:
        """(field or None, message), in the page's order."""
        return [(name, self.problems[name]) for name in FIELDS if name in self.problems] + \
            [(None, text) for text in self.others]

    def add_scenario_problem(self, message: str) -> None:
        """A problem of the scenario loader ('need_weight: must be 1 or less (found 2)'): next
        to its field when the key names one, else with the others."""
        key, _, rest = message.partition(": ")
        name = FIELD_OF_KEY.get(key)
        if not (name and rest):
            self.others.append(("text", {"text": message}))
        elif name in self.problems:  # several of one field: said together, next to it
            self.problems[name][1]["text"] += "; " + rest
        else:
            self.problems[name] = ("text", {"text": rest[:1].upper() + rest[1:]})


def entered(form) -> WhatIfForm:
    """The form as the planner filled it in (each value as typed, spaces trimmed)."""
    return WhatIfForm({name: str(form.get(name, "") or "").strip()[:MAX_ENTERED]
                       for name in FIELDS})


# A comma only as a thousands separator ("1,500.5"): "1,5" is not read as 15, it is asked again.
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def number(made: WhatIfForm, name: str, whole: bool = False) -> float | int | None:
    """The field's number, or None when empty; a problem for its field when it is not one
    (a comma is a thousands separator followed by exactly three digits, nothing else)."""
    text = made.value(name)
    if not text:
        return None
    if "," in text and THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        value = float(text) if "," not in text else None
    except ValueError:
        value = None
    if value is None or value != value or value in (float("inf"), float("-inf")):
        made.problems[name] = ("not_number", {"found": made.value(name)[:20]})
        return None
    if whole and not value.is_integer():
        made.problems[name] = ("not_whole", {"found": made.value(name)[:20]})
        return None
    return int(value) if value.is_integer() else value


def scenario_patch(made: WhatIfForm) -> dict:
    """The scenario the form asks for; the problems it finds are added to `made`."""
    patch: dict = {"description": " ".join(made.value("description").split()) or "What if"}
    coaches = number(made, "coaches")
    if coaches:
        patch["coaches_fte_delta"] = {made.value("coaches_term") or EVERY_TERM: coaches}
    mbps, link = number(made, "mbps"), made.value("link")
    if mbps and link:
        patch["link_mbps_delta"] = {link: mbps}
    elif mbps:
        made.problems["link"] = ("no_link", {})
    elif link and "mbps" not in made.problems:
        made.problems["mbps"] = ("no_mbps", {})
    groups, schools = number(made, "shift_by", whole=True), made.value("shift_schools")
    if groups and ":" in schools:
        key, _, value = schools.partition(":")
        patch["shift"] = [{"schools": {key: value}, "cohorts": groups}]
    elif groups:
        made.problems["shift_schools"] = ("no_schools", {})
    elif schools and "shift_by" not in made.problems:
        made.problems["shift_by"] = ("no_groups", {})
    if made.value("no_launch_in"):
        patch["no_launch_in"] = [made.value("no_launch_in")]
    weight = number(made, "need_weight")
    if weight is not None and not 0 <= weight <= 1:
        made.problems["need_weight"] = ("not_a_weight", {"found": made.value("need_weight")})
    elif weight is not None:
        patch["need_weight"] = weight
    return patch
