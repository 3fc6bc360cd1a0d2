"""Who a respondent is, and which of one person's repeated submissions counts: the same person
answering twice for the same school and role is counted once, by their latest submission.

A form export may name a person in several columns. Each row takes the first of these that
holds a real value, in this order, the same on every run: a response id (Qualtrics
`ResponseId`, SurveyMonkey `Respondent ID`), then an e-mail that is a real address, then a
name. Values compare trimmed and in any case. Blanks and placeholders (`anonymous`, as
Microsoft Forms writes for "Anyone can respond") name nobody, so they never merge people.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from defusedxml import ElementTree

from rollout.errors import DUPLICATE, Note
from rollout.intake.blocks import TEMPLATE, place
from rollout.intake.tables import is_blank

SAME_RESPONDENT = ["school_id", "role", "person"]
# (kind, headers) in order of preference; a kind's first header present in the sheet is used.
IDENTITY_HEADERS = (
    ("id", ("responseid", "response id", "respondent id", "respondentid", "respondent")),
    ("email", ("email address", "email", "your email", "e-mail", "recipientemail")),
    ("name", ("name", "your name", "full name", "your name or email")),
)
PLACEHOLDERS = {"anonymous", "anon", "n/a", "na", "none", "unknown", "-", "null"}


def identity_columns(by_name: dict[str, int]) -> dict[str, int]:
    """{kind: column} for each kind of identity column the sheet has, in preference order."""
    found = {}
    for kind, headers in IDENTITY_HEADERS:
        column = next((by_name[h] for h in headers if h in by_name), None)
        if column is not None and column not in found.values():
            found[kind] = column
    return found


def respondent_identity(body: np.ndarray, columns: dict[str, int]) -> np.ndarray:
    """Each row's identity: its first real value among the identity columns, kind-prefixed so
    that an id never equals a name; None when the row names nobody."""
    out = np.full(len(body), None, dtype=object)
    for kind, column in reversed(list(columns.items())):  # earlier kinds overwrite later ones
        values = pd.Series(body[:, column], dtype=object).map(
            lambda v, kind=kind: real_identity(v, kind))
        present = values.notna().to_numpy()
        out[present] = values[present].to_numpy()
    return out


def real_identity(value, kind: str) -> str | None:
    if is_blank(value):
        return None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if text.lower() in PLACEHOLDERS or (kind == "email" and "@" not in text):
        return None
    return f"{kind}:{text}"


def person_keys(cells: np.ndarray) -> np.ndarray:
    """The respondent cells as keys that match across submissions: trimmed, lower case; None
    where nobody is named (blank or a placeholder such as 'anonymous')."""
    person = pd.Series(cells, dtype=object).astype("string").str.strip().str.lower()
    named = (person != "") & ~person.isin(PLACEHOLDERS)
    return person.where(named).to_numpy(dtype=object, na_value=None)


def latest_submissions(respondents: pd.DataFrame, notes: list[str]) -> np.ndarray:
    """The same person answering twice for the same school and role: keep the latest.
    Timestamps are parsed only for those repeated submissions."""
    keep = np.ones(len(respondents), dtype=bool)
    if respondents.empty:
        return keep
    named = respondents[respondents["person"].notna()]
    repeated = named[named.duplicated(SAME_RESPONDENT, keep=False)]
    if repeated.empty:
        return keep
    stamps = repeated["timestamp"].where(repeated["layout"] != TEMPLATE,
                                         repeated["file"].map(lambda f: modified_time(Path(f))))
    order = repeated.assign(when=parse_timestamps(stamps))
    order = order.sort_values(["when", "file", "row"], na_position="first", kind="stable")
    earlier = order[order.duplicated(SAME_RESPONDENT, keep="last")]
    for _, d in earlier.sort_values(["school_id", "file", "row"]).iterrows():
        notes.append(Note(f"{place(d['file'], d['sheet'])}, row {d['row']}: an earlier "
                          f"submission by the same respondent for {d['school_id']} ({d['role']}); "
                          "the latest one is kept", DUPLICATE))
    keep[earlier.index.to_numpy()] = False
    return keep


def parse_timestamps(values: pd.Series) -> pd.Series:
    cleaned = values.map(lambda v: None if is_blank(v) else v)
    return pd.to_datetime(cleaned, errors="coerce", format="mixed")


def modified_time(path: Path) -> pd.Timestamp:
    """When a workbook was last saved (its own record, which survives e-mailing), else the
    file's time."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("docProps/core.xml"))
        stamp = root.find("{http://purl.org/dc/terms/}modified")
        if stamp is not None and stamp.text:
            return pd.Timestamp(stamp.text).tz_localize(None)
    except (KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        pass
    return pd.Timestamp(path.stat().st_mtime, unit="s")
