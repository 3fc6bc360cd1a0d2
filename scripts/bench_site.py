#!/usr/bin/env python3
"""The public website's build (#16): seconds, files and bytes for the sample district and for
synthetic districts of 1,800 and 10,000 schools, and the heaviest overview and school pages.

Goals on a 2-core machine: the sample under 2 s, 1,800 schools under 15 s, 10,000 under 60 s;
the overview page under 300 KB and every school page under 40 KB at any size. Only the site's
build is timed: the output folders it is built from are made first (the sample's by
`rollout plan`, the synthetic ones without solving).

    .venv/bin/python scripts/bench_site.py [--sizes 1800,10000] [--no-sample]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rollout.devtools.synthetic_site import write_output_folder  # noqa: E402
from rollout.intake.settings import Publish  # noqa: E402
from rollout.outputs.site import build_site  # noqa: E402

GOALS = {95: 2.0, 1800: 15.0, 10000: 60.0}
OVERVIEW_LIMIT, SCHOOL_PAGE_LIMIT = 300_000, 40_000


def measure(label: str, out_dir: Path, district_dir: Path) -> bool:
    site = out_dir / "site-bench"
    report = build_site(out_dir, site, Publish(), district_dir)
    overview = max((site / "index.html").stat().st_size,
                   *(p.stat().st_size for p in site.glob("*/index.html")))
    pages = [p.stat().st_size for p in site.rglob("schools/*.html")]
    schools = len(list((site / "schools").glob("*.html")))
    goal = next((g for n, g in sorted(GOALS.items()) if schools <= n * 1.05), 60.0)
    ok = report.seconds < goal and overview < OVERVIEW_LIMIT and max(pages) < SCHOOL_PAGE_LIMIT
    print(f"{label:<24} {schools:>6,} schools  {report.seconds:6.2f} s (goal {goal:g})  "
          f"{report.files:>6,} files  {report.bytes / 1e6:7.1f} MB  overview "
          f"{overview / 1e3:5.1f} KB  largest school page {max(pages) / 1e3:4.1f} KB"
          f"  {'ok' if ok else 'MISSED'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1800,10000")
    parser.add_argument("--no-sample", action="store_true")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench_site.") as tmp:
        base = Path(tmp)
        if not args.no_sample:
            out = base / "sample"
            subprocess.run([sys.executable, "-m", "rollout", "plan", str(ROOT / "sample_data"),
                            "--out", str(out)], check=True, capture_output=True)
            ok &= measure("sample (spring 2027)", out, ROOT / "sample_data")
        for size in (int(s) for s in args.sizes.split(",") if s):
            out = write_output_folder(base / f"d{size}", size)
            ok &= measure("synthetic re-plan", out, out)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
