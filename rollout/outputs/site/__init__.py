"""The public roll-out website: OUT_DIR/site/, a static site made from the output folder alone
(plan.csv, history.csv, changes.csv and site-source.json), so that `rollout plan` and
`rollout publish` build it the same way."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rollout.errors import Problems
from rollout.intake.settings import Publish, Settings, load_settings
from rollout.outputs.atomic import staged_folder
from rollout.outputs.site.build import SiteBuilder
from rollout.outputs.site.i18n import language_problems
from rollout.outputs.site.public import read_public_plan
from rollout.outputs.site.source import (
    SOURCE_FILE,
    read_site_source,
    source_from_results,
    write_site_source,
)

SITE_FOLDER = "site"
__all__ = ["SITE_FOLDER", "SOURCE_FILE", "SiteReport", "build_site", "check_publish_settings",
           "publish_site", "write_site"]


@dataclass(frozen=True)
class SiteReport:
    folder: Path
    files: int
    bytes: int
    seconds: float

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


def check_publish_settings(settings: Settings, district_dir: Path, regions=()) -> None:
    """Before any work: every language of settings.yaml's publish section has a catalog, and
    every name it translates is a cohort or a region of the district."""
    problems = Problems()
    for message in language_problems(settings.publish.languages):
        problems.add(Path(district_dir) / "settings.yaml", message)
    for message in settings.publish.name_problems(settings.cohort_names(), set(regions)):
        problems.add(Path(district_dir) / "settings.yaml", message)
    problems.raise_if_any()


def write_site(results, folder: Path, previous_plan: Path | None = None) -> SiteReport:
    """`rollout plan`: site-source.json beside the CSV files just written in `folder` (the
    staging folder), then folder/site built from them."""
    write_site_source(source_from_results(results, previous_plan), folder)
    return build_site(folder, folder / SITE_FOLDER, results.inputs.settings.publish,
                      Path(results.inputs.district_dir))


def build_site(out_dir: Path, site_dir: Path, publish: Publish, district_dir: Path
               ) -> SiteReport:
    started = time.perf_counter()
    problems = Problems()
    for message in language_problems(publish.languages):
        problems.add(Path(district_dir) / "settings.yaml", message)
    plan = read_public_plan(Path(out_dir), publish.scores, problems)
    if plan is not None:  # `rollout publish`: the names against the plan's own
        for message in publish.name_problems([c.name for c in plan.source.cohorts],
                                             {school.region for school in plan.schools}):
            problems.add(Path(district_dir) / "settings.yaml", message)
    problems.raise_if_any()
    logo = Path(district_dir) / publish.logo if publish.logo else None
    written = SiteBuilder(plan, publish, logo).write(Path(site_dir))
    return SiteReport(Path(site_dir), len(written), sum(p.stat().st_size for p in written),
                      time.perf_counter() - started)


def publish_site(out_dir: Path, site_dir: Path | None = None,
                 district_dir: Path | None = None) -> SiteReport:
    """`rollout publish`: rebuild the site of an output folder without solving again, with the
    district's publish settings as they are now; the new site replaces the old one whole."""
    out_dir = Path(out_dir)
    problems = Problems()
    source = read_site_source(out_dir, problems)
    problems.raise_if_any()
    district = Path(district_dir) if district_dir else Path(source.district_dir)
    if not (district / "settings.yaml").is_file():
        problems.add(district / "settings.yaml", "not found: the plan's district folder has "
                     "moved; give it with --district")
        problems.raise_if_any()
    settings = load_settings(district / "settings.yaml", problems)
    target = Path(site_dir) if site_dir else out_dir / SITE_FOLDER
    if target.exists() and not is_site(target):
        problems.add(target, "exists and is not a site made by rollout: choose a new or empty "
                     "folder (it would be replaced)")
    problems.raise_if_any()
    target = target.resolve()
    with staged_folder(target.parent, [target.name]) as staging:
        report = build_site(out_dir, staging / target.name, settings.publish, district)
    return SiteReport(target, report.files, report.bytes, report.seconds)


def is_site(folder: Path) -> bool:
    return folder.is_dir() and (not any(folder.iterdir()) or (
        (folder / "index.html").is_file() and (folder / "plan-public.csv").is_file()))
