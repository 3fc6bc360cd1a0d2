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
