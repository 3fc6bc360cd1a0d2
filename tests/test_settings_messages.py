"""settings.yaml and scenario files in the reader's words: a YAML slip is one problem at its
own line with the fix (#24 item 8), and no validator's message reaches the user (item 9)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rollout.errors import InputError
from rollout.scoring.inputs import load_inputs

SAMPLE_YEAR2 = Path(__file__).resolve().parent.parent / "sample_data" / "year2"


def year2_with(tmp_path: Path, edit) -> list[str]:
    """The problems of the sample's second spring after `edit(lines)` of its settings.yaml."""
    folder = tmp_path / "district"
    folder.mkdir()
    shutil.copy(SAMPLE_YEAR2 / "district.xlsx", folder)
    (folder / "surveys").mkdir()
    lines = (SAMPLE_YEAR2 / "settings.yaml").read_text(encoding="utf-8").splitlines()
    edit(lines)
    (folder / "settings.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_inputs(folder)
    return [str(p) for p in caught.value.problems]


def line_of(lines: list[str], start: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(start))


@pytest.mark.parametrize("slip, expected", [
    (lambda line: line.replace(": ", ":"),
     "'need_weight:0.4' needs a space after the colon (need_weight: 0.4)"),
    (lambda line: "\t" + line, "a tab indents this line; YAML needs spaces"),
    (lambda line: line.replace(": ", ': "'),
     'the quote " opened on this line is never closed (add the closing " at the end'),
    (lambda line: line.replace(": ", ": '"),
     "the quote ' opened on this line is never closed"),
])
def test_a_yaml_slip_is_one_problem_at_its_line_with_the_fix(tmp_path, slip, expected):
    where = {}

    def edit(lines):
        where["line"] = line_of(lines, "need_weight:") + 1
        lines[where["line"] - 1] = slip(lines[where["line"] - 1])

    problems = year2_with(tmp_path, edit)
    assert len(problems) == 1, problems  # no "current_term is not set", no cohort 1-0 repeats
    assert f"settings.yaml: is not valid YAML at line {where['line']}: {expected}" in problems[0]


def test_a_slip_inside_a_mapping_names_its_key(tmp_path):
    def edit(lines):
        at = line_of(lines, "cohort_size:")
        lines[at] = lines[at].replace("min: ", "min:")

    problems = year2_with(tmp_path, edit)
    assert len(problems) == 1
    assert "'min:14' needs a space after the colon (min: 14)" in problems[0]


def test_a_yaml_error_without_a_known_slip_names_the_line_the_key_began_on(tmp_path):
    where = {}

    def edit(lines):  # a key and its value with no colon at all, before an indented block
        where["line"] = line_of(lines, "need_weight:") + 1
        lines[where["line"] - 1] = "need_weight 0.4"
        lines.insert(where["line"], "  teachers: 3")

    problems = year2_with(tmp_path, edit)
    assert len(problems) == 1, problems  # the parser noticed it only on the next line
    assert f"is not valid YAML at line {where['line']}, column 1: could not find" in problems[0]


# ---- item 9: every kind of validator error in plain words ------------------------------------
from pydantic import ValidationError  # noqa: E402

from rollout.errors import Problems  # noqa: E402
from rollout.intake.settings import Settings, settings_from_dict  # noqa: E402
from rollout.whatif.scenarios import CapacityOverrides, apply_overrides  # noqa: E402
from tests.factory import BASE_SETTINGS, facts, merge, school  # noqa: E402

VALIDATOR_WORDS = ("Input should", "Value error", "valid dictionary", "instance of",
                   "should have at least", "unable to", "[key]", "dict[", "str]")

# (error type pydantic raises, settings patch, the sentence the district reads)
SETTINGS_ERRORS = [
    ("extra_forbidden", {"need_wieght": 0.4}, "setting 'need_wieght': unknown setting (check "
     "the spelling)"),
    ("missing", {"cohorts": [{"name": "G"}]},
     "setting 'cohorts.0.launch_term': is required but missing"),
    ("float_parsing", {"need_weight": "half"}, "setting 'need_weight': must be a number, e.g. "
     "0.5 (found 'half')"),
    ("float_type", {"need_weight": None}, "setting 'need_weight': must be a number, e.g. 0.5 "
     "(found None)"),
    ("int_parsing", {"solver": {"workers": "two"}}, "setting 'solver.workers': must be a whole "
     "number, e.g. 3 (found 'two')"),
    ("int_from_float", {"cohort_size": {"min": 1.5}}, "setting 'cohort_size.min': must be a "
     "whole number, e.g. 3 (found 1.5)"),
    ("int_type", {"solver": {"random_seed": None}}, "setting 'solver.random_seed': must be a "
     "whole number, e.g. 3 (found None)"),
    ("bool_parsing", {"publish": {"scores": "maybe"}}, "setting 'publish.scores': must be true "
     "or false (found 'maybe')"),
    ("bool_type", {"feeder_cohesion": {"hard": None}}, "setting 'feeder_cohesion.hard': must be "
     "true or false (found None)"),
    ("string_type", {"district_name": 2028}, "setting 'district_name': must be text (a name or "
     'term that looks like a number or date goes in quotes, e.g. "2028") (found 2028)'),
    ("string_too_short", {"cohorts": [{"name": "", "launch_term": "T1"}]},
     "setting 'cohorts.0.name': must not be empty (found '')"),
    ("greater_than", {"coaching": {"teachers_per_coach": 0}}, "setting "
     "'coaching.teachers_per_coach': must be more than 0 (found 0)"),
    ("greater_than_equal", {"cohort_size": {"max": 0}}, "setting 'cohort_size.max': must be 1 "
     "or more (found 0)"),
    ("less_than", {"solver": {"polish_share": 1}}, "setting 'solver.polish_share': must be less "
     "than 1 (found 1)"),
    ("less_than_equal", {"need_weight": 2}, "setting 'need_weight': must be 1 or less (found "
     "2)"),
    ("too_short", {"cohorts": []}, "setting 'cohorts': must list at least 1 item, e.g. "
     "[{name: Group 1, launch_term: 2028 Spring}]"),
    ("list_type", {"cohorts": {"name": "G"}}, "setting 'cohorts': must be a list of cohorts, "
     "each with a name and a launch term, e.g. [{name: Group 1, launch_term: 2028 Spring}]"),
    ("dict_type", {"readiness_gates": 50}, "setting 'readiness_gates': must be a list of cohort "
     "numbers with a minimum readiness each, e.g. {2: 50} (found 50)"),
    ("model_type", {"cohort_size": 20}, "setting 'cohort_size': must be the fewest and the most "
     "schools in a cohort, e.g. {min: 14, max: 25} (found 20)"),
    ("literal_error", {"balance": {"by": ["zone"]}}, "setting 'balance.by.0': must be 'region' "
     "or 'level' (found 'zone')"),
    ("value_error", {"cohort_size": {"min": 9, "max": 3}}, "setting 'cohort_size': min (9) is "
     "larger than max (3)"),
]


def pydantic_types(model, raw) -> set[str]:
    try:
        model.model_validate(raw)
    except ValidationError as exc:
        return {e["type"] for e in exc.errors()}
    return set()


@pytest.mark.parametrize("kind, patch, expected", SETTINGS_ERRORS,
                         ids=[kind for kind, _, _ in SETTINGS_ERRORS])
def test_every_settings_error_type_is_a_plain_sentence(kind, patch, expected):
    raw = merge(BASE_SETTINGS, patch)
    assert kind in pydantic_types(Settings, raw)  # the test provokes the kind it names
    problems = Problems()
    assert settings_from_dict(raw, "settings.yaml", problems) is None
    messages = [p.message for p in problems.items]
    assert expected in messages, messages
    for message in messages:
        assert not any(word in message for word in VALIDATOR_WORDS), message


def test_a_key_that_must_be_a_number_and_a_choice_of_shapes_are_said_once():
    problems = Problems()
    raw = merge(BASE_SETTINGS, {"coaching": {"load_profile": {"launch": 1.0}},
                                "publish": {"title": 5}})
    settings_from_dict(raw, "settings.yaml", problems)
    assert [p.message for p in problems.items] == [
        "setting 'coaching.load_profile': 'launch' is not a whole number; the names here are "
        "numbers, e.g. {-1: 0.25, 0: 1.0, 1: 0.5}",
        "setting 'publish.title': must be one title, or one per language, e.g. Roll Out "
        "Dashboard or {en: Roll Out Dashboard, es: Panel} (found 5)"]


def test_a_rule_across_settings_is_said_in_its_own_words():
    problems = Problems()
    settings_from_dict(merge(BASE_SETTINGS, {"readiness_gates": {9: 50}}), "settings.yaml",
                       problems)
    assert [p.message for p in problems.items] == [
        "readiness_gates: cohort 9 does not exist (cohorts are 1-2)"]


SCENARIO_ERRORS = [
    ({"coaches_fte_delta": 2}, "coaches_fte_delta: must be a list of terms with a number "
     'each, e.g. {all: 2} or {"2028 Fall": 2} (found 2)'),
    ({"coaches_fte": [20]}, "coaches_fte: must be a list of terms with a number of "
     'coaches each, e.g. {all: 20} or {"2028 Fall": 18}'),
    ({"upgrade_crews": {"all": 1.5}}, "upgrade_crews: all: must be a whole number, e.g. 3 "
     "(found 1.5)"),
    ({"capacity_plan": {"link": "HUB"}}, "capacity_plan: must be a list of links, each "
     "with a term and a capacity, e.g. [{link: SOUTH-HUB, term: 2029 Spring, capacity_mbps: "
     "30000}]"),
    ({"capacity_plan": ["HUB"]}, "capacity_plan, entry 1: must be a link with a term and a "
     "capacity, e.g. {link: SOUTH-HUB, term: 2029 Spring, capacity_mbps: 30000} (found 'HUB')"),
    ({"link_mbps_delta": {"HUB": "more"}}, "link_mbps_delta: HUB: must be a number, e.g. "
     "0.5 (found 'more')"),
    ({"need_weight": "high"}, "need_weight: must be a number, e.g. 0.5 (found 'high')"),
]


@pytest.mark.parametrize("patch, expected", SCENARIO_ERRORS)
def test_scenario_errors_are_plain_sentences(patch, expected):
    base = facts([school("S1")])
    problems = Problems()
    assert apply_overrides(base, patch, "what-if.yaml", problems) is None
    messages = [p.message for p in problems.items]
    assert expected in messages, messages
    assert not any(word in m for m in messages for word in VALIDATOR_WORDS), messages


def test_the_scenario_errors_cover_the_scenario_keys_error_types():
    kinds = set().union(*(pydantic_types(CapacityOverrides, patch)
                          for patch, _ in SCENARIO_ERRORS[:-1]))
    assert {"dict_type", "list_type", "model_type", "int_from_float", "float_parsing"} <= kinds


def test_a_scenario_file_slip_is_one_problem_at_its_line(tmp_path):
    from rollout.whatif.scenarios import load_scenarios

    scenario = tmp_path / "more_coaches.yaml"
    scenario.write_text("description: two more coaches\ncoaches_fte_delta: {all:2}\n",
                        encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenarios(facts([school("S1")]), [("more", scenario)])
    assert [str(p) for p in caught.value.problems] == [
        f"{scenario}: is not valid YAML at line 2: 'all:2' needs a space after the colon "
        "(all: 2)"]
