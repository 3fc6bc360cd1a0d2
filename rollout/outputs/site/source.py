"""site-source.json: the public facts of a plan that its CSV files lack (district name, date
prepared, terms in order, current term, cohorts, phase offsets, earlier seasons' moves), written
by `rollout plan` beside plan.csv so that `rollout publish` can rebuild the site from the output
folder alone."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rollout.errors import Problems
from rollout.outputs.site.reasons import Move, read_moves

SOURCE_FILE = "site-source.json"
FORMAT = 1


@dataclass(frozen=True)
class CohortInfo:
    number: int
    name: str
    launch_term: str


@dataclass(frozen=True)
class SiteSource:
    district_name: str
    prepared: str                      # ISO date the plan was made (as the workbooks show)
    terms: tuple[str, ...]             # every term of the Terms sheet, in order
    current_term: str                  # the first term still to come
    cohorts: tuple[CohortInfo, ...]
    phase_offsets: tuple[int, ...]     # terms relative to launch with coaching (planning < 0)
    district_dir: str                  # where settings.yaml (its publish: section) lives
    replan: bool                       # made with --previous: "what changed" is shown
    earlier_moves: tuple[Move, ...] = ()  # public moves of earlier seasons

    @cached_property
    def term_index(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.terms)}

    @property
    def current_index(self) -> int:
        return self.term_index[self.current_term]

    @cached_property
    def cohort_by_number(self) -> dict[int, CohortInfo]:
        return {c.number: c for c in self.cohorts}

    def as_json(self) -> dict:
        return {"format": FORMAT, "district_name": self.district_name,
                "prepared": self.prepared, "terms": list(self.terms),
                "current_term": self.current_term,
                "cohorts": [{"number": c.number, "name": c.name, "launch_term": c.launch_term}
                            for c in self.cohorts],
                "phase_offsets": list(self.phase_offsets), "district_dir": self.district_dir,
                "replan": self.replan,
                "earlier_moves": [m.as_json() for m in self.earlier_moves]}


def source_from_results(results, previous_plan: Path | None) -> SiteSource:
    """The site's facts of a plan just made (`results`: rollout.outputs.results.Results)."""
    facts = results.facts
    terms = tuple(t.label for t in facts.district.terms)
    current = facts.settings.current_term or terms[0]
    profile = facts.settings.coaching.load_profile
    earlier: tuple[Move, ...] = ()
    if previous_plan is not None:
        earlier = tuple(m for m in moves_so_far(Path(previous_plan).parent)
                        if m.season != current)
    return SiteSource(
        district_name=facts.district.name, prepared=results.prepared, terms=terms,
        current_term=current,
        cohorts=tuple(CohortInfo(c.number, c.name, terms[c.launch_term_index])
                      for c in facts.cohorts),
        phase_offsets=tuple(sorted(k for k, share in profile.items() if share > 0 or k == 0)),
        district_dir=str(Path(results.inputs.district_dir).resolve()),
        replan=previous_plan is not None, earlier_moves=earlier)


def moves_so_far(folder: Path) -> list[Move]:
    """Every public move known to an earlier output folder: its own season's (changes.csv) and
    those it carried. A folder made before the site existed has none to give."""
    problems = Problems()
    source = read_site_source(folder, problems)
    if source is None:
        return []
    own = read_moves(folder / "changes.csv", source.current_term, problems) \
        if source.replan else []
    return [*source.earlier_moves, *([] if problems else own)]


def write_site_source(source: SiteSource, folder: Path) -> None:
    text = json.dumps(source.as_json(), indent=1, ensure_ascii=False) + "\n"
    (folder / SOURCE_FILE).write_text(text, encoding="utf-8")


def read_site_source(folder: Path, problems: Problems) -> SiteSource | None:
    path = Path(folder) / SOURCE_FILE
    if not path.is_file():
        problems.add(path, "not found: this folder was not written by `rollout plan` (or by a "
                     "version without the website); run `rollout plan` again")
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            problems.add(path, f"format {data.get('format')!r} is not {FORMAT}: run `rollout "
                         "plan` again with this version")
            return None
        terms = tuple(str(t) for t in data["terms"])
        source = SiteSource(
            district_name=str(data["district_name"]), prepared=str(data["prepared"]),
            terms=terms, current_term=str(data["current_term"]),
            cohorts=tuple(CohortInfo(int(c["number"]), str(c["name"]), str(c["launch_term"]))
                          for c in data["cohorts"]),
            phase_offsets=tuple(int(o) for o in data["phase_offsets"]),
            district_dir=str(data["district_dir"]), replan=bool(data["replan"]),
            earlier_moves=tuple(Move.from_json(m) for m in data.get("earlier_moves", [])))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        problems.add(path, f"is not a site source file rollout can read ({exc})")
        return None
    unknown = [c.launch_term for c in source.cohorts if c.launch_term not in source.term_index]
    if source.current_term not in source.term_index or unknown:
        problems.add(path, "names a term that is not among its terms")
        return None
    return source
