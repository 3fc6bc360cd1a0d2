"""A scenario file's keys in people's words, with a "did you mean" for a misspelt one.

A key is said as a planner would point at it ("place, entry 1, schools: name", not
`place.0.schools.name`). A file's structure is checked leniently: an unknown key is reported
and left out, so that the rest of the same entry (a school id, a cohort, a term) is still
checked in the same run: every problem of the file at once.
"""
from __future__ import annotations

import copy
import typing

from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz, process, utils

from rollout.errors import Problems
from rollout.intake.settings import is_type_tag, report_pydantic_error
from rollout.intake.terms import suggest_term

SCORE_CUTOFF = 60  # rapidfuzz score a guess must reach to be offered as "did you mean"


def where(path) -> str:
    """'place.0.schools.name' (or its parts) -> 'place, entry 1, schools: name'."""
    parts = path.split(".") if isinstance(path, str) else [str(p) for p in path]
    groups: list[list[str]] = []
    for part in parts:
        if part.isdigit():
            groups.append([f"entry {int(part) + 1}"])
        elif groups and not groups[-1][0].startswith("entry "):
            groups[-1].append(part)
        else:
            groups.append([part])
    return ", ".join(": ".join(group) for group in groups)


def guess(value, choices: list[str], scorer=fuzz.WRatio) -> str | None:
    """The choice nearest to a misspelt value, if one is near enough. (A key is guessed by
    its whole spelling, `fuzz.ratio`: a part in common, coach_hours and teachers_per_coach,
    is no reason to offer one for the other.)"""
    found = process.extractOne(str(value), choices, scorer=scorer,
                               processor=utils.default_process, score_cutoff=SCORE_CUTOFF)
    return found[0] if found else None


def term_guess(value, labels: list[str]) -> str | None:
    """The term a scenario meant: written otherwise ("Spring 2029" for "2029 Spring"), as the
    district's own sheets are read, else the nearest spelling."""
    return suggest_term(str(value), labels) or guess(value, labels)


def key_guess(key, choices: list[str]) -> str | None:
    return guess(key, choices, fuzz.ratio)


def unknown_key(path: tuple, choices: list[str]) -> str:
    near = key_guess(path[-1], choices)
    hint = f"did you mean {near}?" if near else "the keys here are " + ", ".join(choices)
    return f"{where(path)}: unknown; {hint}"


def checked(model: type[BaseModel], raw, file: str, problems: Problems, prefix: tuple = ()):
    """`raw` as `model`, or None; every problem is reported (keys in people's words, a "did you
    mean" for an unknown key). With its unknown keys left out, a value is still returned when
    the rest is valid, so that what it names can be checked too."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
    for error in one_error_per_value(errors):
        loc = (*prefix, *error["loc"])
        if error["type"] == "extra_forbidden":
            problems.add(file, unknown_key(loc, fields_at(model, error["loc"][:-1])))
        elif error["type"] == ONE_VALUE:
            problems.add(file, f"{where(value_path(loc))}: must be one value, not a "
                         f"{'list' if isinstance(error['input'], list) else 'mapping'}")
        else:
            said = Problems()
            report_pydantic_error(error | {"loc": loc}, file, said, what="key")
            for problem in said.items:
                problems.add(file, in_words(problem.message))
    cleaned = without(raw, [e["loc"] for e in errors if e["type"] == "extra_forbidden"])
    if cleaned == raw:
        return None
    try:
        return model.model_validate(cleaned)
    except ValidationError:  # said above
        return None


ONE_VALUE = "one value"  # our own error type: a list or mapping where one value goes


def one_error_per_value(errors: list[dict]) -> list[dict]:
    """pydantic reports a value that fits none of a choice of types (a cohort's number or name)
    once per type; a planner needs one sentence: a list or mapping given for one value is said
    as such, anything else by its first error."""
    out, seen = [], set()
    for error in errors:
        path = value_path(error["loc"])
        if path in seen:
            continue
        seen.add(path)
        choices = [e for e in errors if value_path(e["loc"]) == path]
        if len(choices) > 1 and isinstance(error.get("input"), (list, dict)):
            error = error | {"type": ONE_VALUE}
        out.append(error)
    return out


def value_path(loc: tuple) -> tuple:
    """A location without pydantic's names for the choices of a union (`str`, `int`)."""
    return tuple(p for p in loc if not is_type_tag(p))


def in_words(message: str) -> str:
    """"key 'place.0.cohort': must be ..." -> "place, entry 1, cohort: must be ..."."""
    if not message.startswith("key '") or "': " not in message:
        return message
    path, rest = message[len("key '"):].split("': ", 1)
    return f"{where(path)}: {rest}"


def without(raw, locations: list[tuple]):
    """A copy of `raw` without the keys at `locations`."""
    out = copy.deepcopy(raw)
    for loc in locations:
        parent = out
        try:
            for part in loc[:-1]:
                parent = parent[part]
            parent.pop(loc[-1], None)
        except (KeyError, IndexError, TypeError, AttributeError):
            continue  # a location through a choice of types: left as it is
    return out


def fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys a mapping at `loc` inside `model` may have."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = field and submodel(field.annotation)
        if model is None:
            return []
    return list(model.model_fields)


def submodel(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for a in typing.get_args(annotation) if (m := submodel(a))), None)
