"""Who a respondent is, and which of one person's repeated submissions counts: the same person
(name or e-mail as typed, trimmed, any case) answering twice for the same school and role is
counted once, by their latest submission.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from defusedxml import ElementTree

from rollout.intake.blocks import TEMPLATE, place
from rollout.intake.tables import is_blank

SAME_RESPONDENT = ["school_id", "role", "person"]


def person_keys(cells: np.ndarray) -> np.ndarray:
    """The respondent cells (name or e-mail) as keys that match across submissions: trimmed,
    lower case; None where nobody is named."""
    person = pd.Series(cells, dtype=object).astype("string").str.strip().str.lower()
    return person.where(person != "").to_numpy(dtype=object, na_value=None)


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
        notes.append(f"{place(d['file'], d['sheet'])}, row {d['row']}: an earlier submission "
                     f"by the same respondent for {d['school_id']} ({d['role']}); the latest one "
                     "is kept")
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
