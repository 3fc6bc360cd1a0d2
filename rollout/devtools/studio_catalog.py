"""The studio's message catalog (rollout/studio/locale/en/LC_MESSAGES/messages.po): every
string its templates mark, English msgstr = msgid. Run after changing a template:

    .venv/bin/python -m rollout.devtools.studio_catalog
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import write_po

import rollout

STUDIO_DIR = Path(rollout.__file__).parent / "studio"
CATALOG = STUDIO_DIR / "locale" / "en" / "LC_MESSAGES" / "messages.po"
STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)  # no churn in the file's header


def extract() -> Catalog:
    catalog = Catalog(locale="en", project="rollout studio", version="1", fuzzy=False,
                      creation_date=STAMP, revision_date=STAMP)
    for filename, lineno, message, comments, context in extract_from_dir(
            STUDIO_DIR / "templates", method_map=[("**.html", "jinja2.ext:babel_extract")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                     "lstrip_blocks": "true"}},
            keywords=DEFAULT_KEYWORDS):
        catalog.add(message, message, [(f"templates/{filename}", lineno)],
                    auto_comments=comments, context=context)
    return catalog


def write(path: Path = CATALOG) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, extract(), width=100, no_location=True, sort_output=True)
    return path


if __name__ == "__main__":
    print(write())
    sys.exit(0)
