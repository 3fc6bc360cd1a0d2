"""A workbook damaged inside gets a clear error naming the file (and the sheet when known) and
what to do; exit status 2, no traceback, nothing written. Each damaged file is built here from
a sound one."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from tests.factory import write_district_folder
from tests.test_cli import run

NETWORK_PART = "xl/worksheets/sheet2.xml"  # Schools, Network, Terms: the second sheet


def rewrite(path: Path, change) -> None:
    """Rewrite the zip at `path`, each member passed through change(name, data) -> bytes or
    None (None drops the member)."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            new = change(info.filename, data)
            if new is not None:
                archive.writestr(info.filename, new)


def corrupt_member(path: Path) -> None:
    """Flip bytes inside the Network sheet's compressed data (its checksum no longer holds)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(NETWORK_PART)
    raw = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 2, start + min(info.compress_size, 40)):
        raw[i] ^= 0x5A
    path.write_bytes(bytes(raw))


def truncate_xml(path: Path) -> None:
    rewrite(path, lambda n, d: d[: len(d) // 2] if n == NETWORK_PART else d)


def declare_entities(path: Path) -> None:
    def change(name, data):
        if name != NETWORK_PART:
            return data
        text = data.decode()
        text = re.sub(r"^(<\?xml[^>]*\?>)?", r'\1<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                      r'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>', text, count=1)
        return text.replace("<v>", "<v>&b;", 1).encode()
    rewrite(path, change)


def zip_bomb(path: Path) -> None:
    """A part that unpacks to 30 MB from a few dozen KB."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.bin", "w") as part:
            for _ in range(30):
                part.write(b" " * 1_000_000)


def no_sheets(path: Path) -> None:
    def change(name, data):
        if name == "xl/workbook.xml":
            return re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data, flags=re.S)
        return None if name.startswith("xl/worksheets/") else data
    rewrite(path, change)


def missing_sheet_part(path: Path) -> None:
    rewrite(path, lambda n, d: None if n == NETWORK_PART else d)


DAMAGE = {"corrupt zip member": (corrupt_member, "Network"),
          "truncated XML": (truncate_xml, "Network"),
          "XML declaring entities": (declare_entities, "Network"),
          "zip bomb": (zip_bomb, None),
          "no sheets": (no_sheets, None),
          "sheet missing from the zip": (missing_sheet_part, "Network")}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_district_workbook_is_a_clear_error(tmp_path, kind):
    damage, sheet = DAMAGE[kind]
    folder = write_district_folder(tmp_path / "district")
    damage(folder / "district.xlsx")
    out = tmp_path / "out"
    result = run(["plan", str(folder), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    line = next(x for x in result.output.splitlines() if "district.xlsx" in x)
    assert "save it again" in line
    if sheet:
        assert f"sheet '{sheet}'" in line
    assert not out.exists()
