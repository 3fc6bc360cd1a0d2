"""Facts a district gives us, as typed records. Planning decisions live in planning/."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

LEVELS = ["ES", "MS", "HS", "Other"]
LAUNCHED, DELAYED, PAUSED, WITHDRAWN = "launched", "delayed", "paused", "withdrawn"
LAUNCH_STATUSES = [LAUNCHED, DELAYED, PAUSED, WITHDRAWN]
ON_HOLD = (PAUSED, WITHDRAWN)  # take no coaching or launch bandwidth while they hold
PLANNED = "planned"           # status of a school that has not launched yet (plan.csv)


@dataclass(frozen=True)
class School:
    school_id: str
    school_name: str
    level: str
    region: str
    feeder: str
    students: int
    teachers: int
    devices: int
    frl_pct: float
    proficiency_pct: float
    network_node: str
    link_mbps: float
    tech_staff: float | None = None


@dataclass(frozen=True)
class NetworkNode:
    node: str
    parent: str | None
    capacity_mbps: float


@dataclass(frozen=True)
class Term:
    index: int
    label: str
    coaches_fte: float
    upgrade_crews: int | None = None  # upgrades that can complete this term; None = no limit


@dataclass(frozen=True)
class Upgrade:
    """A possible network upgrade the solver may choose (beyond the committed capacity plan)."""

    upgrade: str
    link: str
    new_capacity_mbps: float
    cost: float
    lead_terms: int  # completes no earlier than this many terms after the first term


@dataclass(frozen=True)
class CapacityChange:
    link: str
    term_index: int
    capacity_mbps: float


@dataclass(frozen=True)
class Preference:
    school_id: str
    preferred_cohort: int  # 1-based cohort number
    locked: bool


@dataclass(frozen=True)
class Launch:
    """What really happened to a school's launch (the optional Launches sheet)."""

    school_id: str
    status: str                # launched | delayed | paused | withdrawn
    term_index: int | None     # launched: the term it launched; otherwise from when it holds
    note: str = ""             # for central office only: never in a principal's or public output


@dataclass(frozen=True)
class District:
    schools: tuple[School, ...]  # sorted by school_id
    nodes: tuple[NetworkNode, ...]
    terms: tuple[Term, ...]
    capacity_plan: tuple[CapacityChange, ...] = ()
    preferences: tuple[Preference, ...] = ()
    upgrades: tuple[Upgrade, ...] = ()
    name: str = "District"
    launches: tuple[Launch, ...] = ()  # sorted by school_id
    # What was read otherwise than typed, and values to check again (Data issues): #26
    notes: tuple[str, ...] = field(default=(), compare=False)

    @cached_property
    def school_by_id(self) -> dict[str, School]:
        return {s.school_id: s for s in self.schools}

    @cached_property
    def node_by_name(self) -> dict[str, NetworkNode]:
        return {n.node: n for n in self.nodes}

    @cached_property
    def launch_by_school(self) -> dict[str, Launch]:
        return {launch.school_id: launch for launch in self.launches}

    @cached_property
    def preference_by_school(self) -> dict[str, Preference]:
        return {p.school_id: p for p in self.preferences}

    def path_to_internet(self, school_id: str) -> list[str]:
        """Links a school's traffic crosses: its own link (named by school_id), then each node's."""
        links = [school_id]
        node = self.school_by_id[school_id].network_node
        while node is not None:
            links.append(node)
            node = self.node_by_name[node].parent
        return links

    @cached_property
    def links(self) -> list[str]:
        """Every link: schools' own links, then network nodes' links, in a stable order."""
        return [s.school_id for s in self.schools] + sorted(self.node_by_name)

    @cached_property
    def schools_behind(self) -> dict[str, list[str]]:
        behind: dict[str, list[str]] = {link: [] for link in self.links}
        for school in self.schools:
            for link in self.path_to_internet(school.school_id):
                behind[link].append(school.school_id)
        return behind

    def base_capacity(self, link: str) -> float:
        if link in self.school_by_id:
            return self.school_by_id[link].link_mbps
        return self.node_by_name[link].capacity_mbps

    @cached_property
    def capacity_by_term(self) -> dict[str, list[float]]:
        """Capacity of each link in each term, after the committed capacity plan."""
        capacity = {link: [self.base_capacity(link)] * len(self.terms) for link in self.links}
        for change in sorted(self.capacity_plan, key=lambda c: c.term_index):
            row = capacity[change.link]
            for t in range(change.term_index, len(self.terms)):
                row[t] = change.capacity_mbps
        return capacity

    @cached_property
    def upgrades_by_link(self) -> dict[str, list[Upgrade]]:
        out: dict[str, list[Upgrade]] = {}
        for upgrade in self.upgrades:
            out.setdefault(upgrade.link, []).append(upgrade)
        return out

    @cached_property
    def upgrade_by_id(self) -> dict[str, Upgrade]:
        return {u.upgrade: u for u in self.upgrades}

    def link_kind(self, link: str) -> str:
        return "school link" if link in self.school_by_id else "network link"

    def link_label(self, link: str) -> str:
        if link in self.school_by_id:
            return f"{link} (own link of {self.school_by_id[link].school_name})"
        parent = self.node_by_name[link].parent
        return f"{link} (uplink to {parent})" if parent else f"{link} (district Internet access)"


@dataclass(frozen=True)
class Cohort:
    number: int  # 1-based
    name: str
    launch_term_index: int


@dataclass(frozen=True)
class Pin:
    """The district placed this school in this cohort."""

    school_id: str
    cohort: int
    by: str            # who decided, in words: "the scenario 'High schools a term later'"
    reason: str = ""   # what was decided, e.g. "a term later (shift: 1 cohort)"


@dataclass(frozen=True)
class KeepOut:
    """The district keeps this school out of these cohorts."""

    school_id: str
    cohorts: tuple[int, ...]
    by: str
    reason: str = ""


@dataclass(frozen=True)
class NoLaunch:
    """The district lets no school launch in this term (a testing window, say)."""

    term_index: int
    by: str
    reason: str = ""


@dataclass(frozen=True)
class Decisions:
    """The district's own decisions about where schools go, binding on every plan (hard rules:
    planning/constraints.py `decisions_allow`, checked by checking/check.py). A school that
    keeps its cohort in a re-plan (launched, paused, withdrawn) keeps it whatever is decided.
    Made by a scenario's place/shift/keep_out/no_launch_in, or by the planning studio."""

    pins: tuple[Pin, ...] = ()            # sorted by school_id
    keep_outs: tuple[KeepOut, ...] = ()   # sorted by school_id
    no_launch: tuple[NoLaunch, ...] = ()  # sorted by term

    def __bool__(self) -> bool:
        return bool(self.pins or self.keep_outs or self.no_launch)

    def pin_of(self, school_id: str) -> Pin | None:
        return next((p for p in self.pins if p.school_id == school_id), None)

    def kept_out_of(self, school_id: str) -> tuple[int, ...]:
        return tuple(sorted({c for k in self.keep_outs if k.school_id == school_id
                             for c in k.cohorts}))

    def closed_terms(self) -> tuple[int, ...]:
        return tuple(sorted({n.term_index for n in self.no_launch}))

    def with_standing(self, standing: "Decisions") -> "Decisions":
        """These decisions (a scenario's) on top of the district's standing ones (decisions.xlsx,
        the studio's board): both apply; where both pin a school, this one's pin wins."""
        pinned = {p.school_id for p in self.pins}
        return Decisions(
            tuple(sorted(self.pins + tuple(p for p in standing.pins if p.school_id not in pinned),
                         key=lambda p: p.school_id)),
            tuple(sorted(set(self.keep_outs) | set(standing.keep_outs),
                         key=lambda k: (k.school_id, k.cohorts, k.by, k.reason))),
            tuple(sorted(set(self.no_launch) | set(standing.no_launch),
                         key=lambda n: (n.term_index, n.by, n.reason))))


@dataclass
class Notes:
    """Warnings that do not stop a run (shown in the terminal and the dashboard)."""

    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.items.append(text)
