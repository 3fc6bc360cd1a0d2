"""Text from surveys and district files must never become a formula in our outputs, and every
workbook we write must open without a repair prompt.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

# Spreadsheets run a cell as a formula when it starts with one of these (OWASP CSV injection);
# full-width forms are included because some spreadsheet apps normalise them.
FORMULA_LEADS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
# Tabs and line breaks in front hide a formula lead from a quick check; spaces too.
LEADING_BLANKS = " \t\r\n\u00a0"
# Characters XML 1.0 cannot hold: written as is they make Excel offer to "repair" the file.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_CELL_TEXT = 32_767  # Excel's limit; longer text is cut rather than corrupting the file
UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]")


def safe_text(value):
    """Make text safe for a spreadsheet cell: no illegal XML characters, within Excel's length
    limit, and prefixed with an apostrophe (OWASP) when a spreadsheet would run it as a formula
    or when it starts with a tab or line break. Other values pass through unchanged."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_XML.sub("", value)
    if text[:1] in ("\t", "\r", "\n") or text.lstrip(LEADING_BLANKS).startswith(FORMULA_LEADS):
        text = "'" + text
    return text[:MAX_CELL_TEXT]


def restore_text(value: str | None) -> str:
    """A CSV cell as we wrote it, back to the original text: blanks around it dropped and the
    apostrophe `safe_text` added removed (only that one: an id that really starts with an
    apostrophe keeps it)."""
    text = (value or "").strip()
    return text[1:] if text.startswith("'") and safe_text(text[1:]) == text else text


def restore_id(value: str | None) -> str:
    """An id read back from a CSV cell: as `restore_text`, and without any leading apostrophe
    (a spreadsheet app may add one; an id never starts with one)."""
    return restore_text(value).lstrip("'")


def safe_file_stem(text: str) -> str:
    """A file name part made of letters, digits, dot, dash and underscore only, never hidden
    and never a path: input ids such as '../x' or 'a/b' cannot escape the output folder."""
    stem = UNSAFE_FILE_CHARACTERS.sub("_", text).lstrip(".")
    return stem or "_"


def header_text(text: str, limit: int = 80) -> str:
    """Text for a print header or footer: '&' starts a code there, so it is doubled."""
    return safe_text(text)[:limit].replace("&", "&&")


def xlsx_problems(path: Path) -> list[str]:
    """What would make Excel offer to repair the file: a broken zip, a part that is not
    well-formed XML, or a missing core part. Empty when the workbook is sound."""
    from defusedxml import ElementTree  # parses untrusted XML without entity expansion

    problems = []
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            if bad:
                problems.append(f"{path.name}: zip member {bad} is corrupt")
            names = set(archive.namelist())
            for required in ("[Content_Types].xml", "xl/workbook.xml", "_rels/.rels"):
                if required not in names:
                    problems.append(f"{path.name}: missing {required}")
            for name in sorted(names):
                if name.endswith((".xml", ".rels")):
                    try:
                        ElementTree.fromstring(archive.read(name))
                    except Exception as exc:  # any parse failure is a problem to report
                        problems.append(f"{path.name}: {name} is not well-formed XML ({exc})")
    except zipfile.BadZipFile as exc:
        problems.append(f"{path.name}: not a zip file ({exc})")
    return problems
