"""The site's languages: Babel message catalogs (locale/<lang>/LC_MESSAGES/messages.po), compiled
in memory when the site is built (no binary .mo is kept), and numbers, dates and term labels in
each language's format. A district adds a language by adding a catalog."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
# "2028 Spring" and the like: the season word is translated, any other label is shown as is.
TERM_LABEL = re.compile(r"^(?P<year>\d{4}) (?P<season>Spring|Summer|Fall|Autumn|Winter)$")


def N_(message: str) -> str:
    """Marks a message for the catalogs where it is defined; it is translated where shown."""
    return message


SEASONS = {"Spring": N_("%(year)s Spring"), "Summer": N_("%(year)s Summer"),
           "Fall": N_("%(year)s Fall"), "Autumn": N_("%(year)s Fall"),
           "Winter": N_("%(year)s Winter")}


def available_languages() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def language_problems(languages: list[str]) -> list[str]:
    """Messages for languages that have no catalog (settings.yaml publish.languages)."""
    have = available_languages()
    return [f"setting 'publish.languages': there is no catalog for '{lang}' (the site has "
            f"{', '.join(have)}; a language is added with {catalog_path(lang)})"
            for lang in languages if lang not in have]


@lru_cache(maxsize=None)
def translations(lang: str) -> Translations:
    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


@dataclass(frozen=True)
class Language:
    """One language of the site: its messages and formats."""

    code: str

    @cached_property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    @cached_property
    def translations(self) -> Translations:
        return translations(self.code)

    def gettext(self, message: str, **values) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)

    def ngettext(self, singular: str, plural: str, n: int, **values) -> str:
        return self.translations.ngettext(singular, plural, n) % {"n": self.number(n),
                                                                    **values}

    @cached_property
    def name(self) -> str:
        """The language's own name, as a reader of it looks for it: "English", "Español"."""
        name = self.locale.get_display_name(self.locale) or self.code
        return name[:1].upper() + name[1:]

    def number(self, value: float, decimals: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return numbers.format_decimal(value, pattern, locale=self.locale)

    def percent(self, share: float) -> str:
        return numbers.format_percent(share, locale=self.locale)

    def date(self, iso: str) -> str:
        return dates.format_date(dt.date.fromisoformat(iso), format="long", locale=self.locale)

    @lru_cache(maxsize=None)  # noqa: B019 - a handful of languages and terms per build
    def term(self, label: str) -> str:
        match = TERM_LABEL.match(label)
        if not match:
            return label
        return self.gettext(SEASONS[match["season"]], year=match["year"])

    @cached_property
    def d3_format_locale(self) -> dict:
        """The chart library's number format (d3-format) in this language."""
        symbols = self.locale.number_symbols.get("latn", self.locale.number_symbols)
        percent = numbers.format_percent(0.5, locale=self.locale).replace("50", "", 1)
        return {"decimal": symbols["decimal"], "thousands": symbols["group"],
                "grouping": [3], "currency": ["", ""], "percent": percent}
