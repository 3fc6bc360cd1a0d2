"""All or nothing: outputs are written under temporary names beside their place, then moved into
place together, so a failure part-way leaves the earlier outputs as they were and no partial
files."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_folder(out_dir: Path, items: list[str]) -> Iterator[Path]:
    """A staging folder beside `out_dir` to write into; when the block ends without an error,
    each of `items` that was written there replaces its namesake in `out_dir`."""
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        yield staging
        out_dir.mkdir(exist_ok=True)
        for name in items:
            if (staging / name).exists():
                replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def replace(source: Path, target: Path) -> None:
    """Move a file or folder onto `target`, replacing what was there."""
    if source.is_dir():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(source, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(source, target)


def write_atomically(out_dir: Path, writers: dict[str, Callable[[Path], None]]) -> None:
    """Write every file under a temporary name in `out_dir`, then rename them all into place."""
    out_dir.mkdir(parents=True, exist_ok=True)
    temps = {name: out_dir / f".{name}.{os.getpid()}.tmp" for name in writers}
    try:
        for name, write in writers.items():
            write(temps[name])
        for name, temp in temps.items():
            os.replace(temp, out_dir / name)
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
