"""README.md is for the people who run rollout; docs/ holds the reference it links to (#24 item
15). These tests keep the two honest: every link leads somewhere, every command and option the
pages name exists, and the reference pages name every setting and scenario key there is."""
from __future__ import annotations

import re
from pathlib import Path

import click
from pydantic import BaseModel

from rollout.cli import cli
from rollout.intake.settings import Settings
from rollout.whatif.decisions import DECISION_KEYS
from rollout.whatif.scenarios import SCENARIO_KEYS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
MAX_README_LINES = 270  # about 250 and a short planning-studio section: a page to read through

LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE_BLOCK = re.compile(r"```[^\n]*\n(.*?)```", re.S)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
COMMAND = re.compile(r"\brollout (" + "|".join(map(re.escape, cli.commands)) + r")\b")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = CODE_BLOCK.sub("", page.read_text(encoding="utf-8"))
    return {slug(m) for m in re.findall(r"^#+ (.+)$", text, re.M)}


def test_readme_stays_short():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines: move reference to docs/"


def test_every_link_leads_to_a_file_and_heading_that_exist():
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and anchor not in anchors(linked):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert not broken, broken


def command_texts(text: str) -> list[str]:
    """Each `rollout COMMAND ...` as written: in code blocks from the command to the next one,
    a backtick or a line that is no indented continuation; then the inline code spans."""
    texts = []
    for block in CODE_BLOCK.findall(text):
        starts = [m.start() for m in COMMAND.finditer(block)]
        for a, b in zip(starts, [*starts[1:], len(block)]):
            written = block[a:b].split("`")[0]
            texts.append(re.split(r"\n(?=\S)", written)[0])
    texts += [span for span in INLINE_CODE.findall(CODE_BLOCK.sub("", text))
              if COMMAND.search(span)]
    return texts


def options_of(command: click.Command) -> set[str]:
    return {name for p in command.params for name in getattr(p, "opts", [])} | {"--help"}


def test_every_command_and_option_named_exists():
    unknown = []
    for page in PAGES:
        for written in command_texts(page.read_text(encoding="utf-8")):
            command = cli.commands[COMMAND.search(written).group(1)]
            for option in set(OPTION.findall(written)) - options_of(command):
                unknown.append(f"{page.name}: {option} in `{written.strip()[:60]}`")
    assert not unknown, unknown


def setting_names(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every settings key, nested ones as their last name (`time_limit_seconds`), except the
    free-form ones whose keys the district chooses (levels, languages, cohort numbers)."""
    names = set()
    for name, field in model.model_fields.items():
        names.add(name)
        inner = field.annotation
        for candidate in (inner, *getattr(inner, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                names |= setting_names(candidate, f"{prefix}{name}.")
    return names


def test_the_settings_page_names_every_setting():
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = sorted(n for n in setting_names(Settings) if f"{n}" not in page)
    assert not missing, f"docs/settings.md does not name {missing}"


def test_the_whatif_page_names_every_scenario_key():
    page = (ROOT / "docs" / "whatif.md").read_text(encoding="utf-8")
    missing = sorted(k for k in SCENARIO_KEYS | DECISION_KEYS | {"description"}
                     if f"`{k}`" not in page)
    assert not missing, f"docs/whatif.md does not name {missing}"
