"""The website's message catalogs (rollout/outputs/site/locale): extract every interface string
from the site's code, and bring a language's messages.po up to date with it.

    .venv/bin/python -m rollout.devtools.catalogs            # messages.pot and every catalog
    .venv/bin/python -m rollout.devtools.catalogs fr         # start or update French

New messages arrive with an empty msgstr (the tests fail until they are translated); messages
no longer used are dropped. English keeps msgstr = msgid.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from rollout.outputs.site.i18n import LOCALE_DIR, available_languages, catalog_path

SITE_DIR = LOCALE_DIR.parent
TEMPLATE = LOCALE_DIR / "messages.pot"
STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)  # no churn in the files' headers


def extract() -> Catalog:
    """Every message the site's Python code marks (the templates take theirs from it)."""
    catalog = Catalog(project="rollout", version="1", copyright_holder=None,
                      msgid_bugs_address=None, fuzzy=False, creation_date=STAMP)
    for filename, lineno, message, comments, context in extract_from_dir(
            SITE_DIR, method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS):
        catalog.add(message, None, [(f"rollout/outputs/site/{filename}", lineno)],
                    auto_comments=comments, context=context)
    return catalog


def update(lang: str, template: Catalog) -> Path:
    path = catalog_path(lang)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
    else:
        catalog = Catalog(locale=lang, project="rollout", version="1", fuzzy=False,
                          creation_date=STAMP, revision_date=STAMP)
    catalog.update(extract() if lang == "en" else template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    if lang == "en":
        for message in catalog:
            if message.id:
                message.string = message.id
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=False,
                 no_location=True)
    return path


def main(argv: list[str]) -> int:
    template = extract()
    with TEMPLATE.open("wb") as handle:
        write_po(handle, template, width=100, no_location=True)
    for lang in argv or available_languages():
        print(update(lang, template))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
