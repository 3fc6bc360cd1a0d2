"""Read district.xlsx (Schools, Network, Terms, Capacity plan, Preferences, Upgrades, Launches)
with lazy validation."""
from __future__ import annotations

from pathlib import Path

import networkx as nx

from rollout.domain import (
    LAUNCH_STATUSES,
    LAUNCHED,
    LEVELS,
    CapacityChange,
    District,
    Launch,
    NetworkNode,
    Preference,
    School,
    Term,
    Upgrade,
)
from rollout.errors import Problems
from rollout.intake.district_layout import (
    PERCENT_COLUMNS,
    SHEET_BY_NAME,
    is_example_row,
    is_help_row,
)
from rollout.intake.school_matching import SchoolMatcher
from rollout.intake.settings import Settings, WarnIf, load_settings
from rollout.intake.tables import (
    Table,
    as_number,
    as_text,
    as_yes_no,
    describe,
    number_between,
    one_of,
    open_workbook,
    read_table,
)
from rollout.intake.terms import TermsSheet

SCHOOL_COLUMNS = ["school_id", "school_name", "level", "region", "feeder", "students", "teachers",
                  "devices", "frl_pct", "proficiency_pct", "network_node", "link_mbps"]
NETWORK_COLUMNS = ["node", "parent", "capacity_mbps"]
TERM_COLUMNS = ["term", "coaches_fte"]
CAPACITY_COLUMNS = ["link", "term", "capacity_mbps"]
PREFERENCE_COLUMNS = ["school_id", "preferred_cohort"]
UPGRADE_COLUMNS = ["upgrade", "link", "new_capacity_mbps", "cost", "lead_terms"]
LAUNCH_COLUMNS = ["school_id", "status"]


def load_district(path: Path, settings: Settings | None, problems: Problems) -> District | None:
    """Read and cross-check district.xlsx; returns None when any problem was found. What was
    read differently from how it was typed (fractions as percentages, a school's name for its
    id) and implausible values are the District's notes."""
    start = len(problems.items)
    workbook = open_workbook(path, problems) if path.exists() else None
    if not path.exists():
        problems.add(path, "file not found (every district folder needs a district.xlsx)")
    if workbook is None:
        return None
    file = str(path)
    notes: list[str] = []

    def sheet(name: str) -> Table | None:
        spec = SHEET_BY_NAME[name]
        return drop_help_and_examples(read_table(workbook, file, name, problems,
                                                 required=spec.required), problems)

    schools_table = sheet("Schools")
    schools = read_schools(schools_table, problems, notes, path,
                           settings.warn_if if settings else WarnIf())
    nodes = read_network(sheet("Network"), problems)
    terms_table = sheet("Terms")
    terms = read_terms(terms_table, problems)
    if schools is None or nodes is None or terms is None:
        return None
    if nodes or not any(p.sheet == "Network" for p in problems.items[start:]):
        check_network_tree(nodes, file, problems)
    check_school_nodes(schools, nodes, schools_table, problems)
    term_index = {t.label: t.index for t in terms}
    terms_sheet = TermsSheet(terms_table, [t.label for t in terms])
    terms_sheet.check(problems)
    matcher = SchoolMatcher(District(schools=tuple(s for s in schools
                                                  if s.school_id and s.school_name),
                                     nodes=(), terms=()))
    plan_table = sheet("Capacity plan")
    plan = read_capacity_plan(plan_table, schools, nodes, term_index, problems, terms_sheet)
    preferences = read_preferences(sheet("Preferences"), matcher, settings, problems, notes)
    upgrades = read_upgrades(sheet("Upgrades"), schools, nodes, len(terms), problems)
    launches_table = sheet("Launches")
    launches = read_launches(launches_table, matcher, term_index, settings, problems,
                             terms_sheet, notes)
    for table in (plan_table, launches_table):
        terms_sheet.note_uses(table)
    terms_sheet.report(problems)
    if len(problems.items) > start:
        return None
    return District(schools=tuple(sorted(schools, key=lambda s: s.school_id)), nodes=tuple(nodes),
                    terms=tuple(terms), capacity_plan=tuple(plan), preferences=tuple(preferences),
                    upgrades=tuple(upgrades),
                    launches=tuple(sorted(launches, key=lambda launch: launch.school_id)),
                    name=(settings.district_name if settings and settings.district_name
                          else path.resolve().parent.name) or "District",
                    notes=tuple(notes))


def load_survey_schools(district_dir: Path, problems: Problems, warnings: list[str]
                        ) -> list[School]:
    """The schools the survey templates list (#26). Only the Schools sheet must be right (its
    problems go to `problems`): surveys take weeks to come back, and a slip in another sheet of
    district.xlsx or in settings.yaml need not hold them up. Those are still checked, each put
    in `warnings`, to fix before planning."""
    path = Path(district_dir) / "district.xlsx"
    later = Problems()
    settings = load_settings(Path(district_dir) / "settings.yaml", later)
    district = load_district(path, settings, later)
    if district is not None:
        warnings.extend(str(p) for p in later.items)
        return list(district.schools)
    own = Problems()
    schools = read_schools_sheet(path, own)
    if own:  # every problem at once, in the order read (the Schools sheet's as read here)
        problems.items += [p for p in later.items if p.sheet != "Schools" or p in own.items]
        problems.items += [p for p in own.items if p not in later.items]
    else:
        warnings.extend(str(p) for p in later.items)
    return schools


def read_schools_sheet(path: Path, problems: Problems) -> list[School]:
    """The Schools sheet alone: its problems (example rows left in aside, which are left out)
    and the schools with an id and a name."""
    workbook = open_workbook(path, problems) if path.exists() else None
    if not path.exists():
        problems.add(path, "file not found (every district folder needs a district.xlsx)")
    if workbook is None:
        return []
    spec = SHEET_BY_NAME["Schools"]
    table = drop_help_and_examples(read_table(workbook, str(path), "Schools", problems,
                                              required=spec.required), Problems())
    schools = read_schools(table, problems) or []
    return [s for s in schools if s.school_id and s.school_name]


def drop_help_and_examples(table: Table | None, problems: Problems) -> Table | None:
    """The table without the help row under its headers (the blank workbook's) and without
    example rows, each of which is a problem: an example left in would be planned."""
    if table is None:
        return None
    keep = []
    for i, (row, number) in enumerate(zip(table.rows, table.row_numbers)):
        if i == 0 and number == 2 and is_help_row(row):
            continue
        if is_example_row(row):
            problems.add(table.file, f"an example row ('{row[0]}') is still here: replace it "
                         "with the district's own data or delete the row", table.sheet, number)
            continue
        keep.append(i)
    return Table(table.file, table.sheet, table.header, [table.rows[i] for i in keep],
                 [table.row_numbers[i] for i in keep])


def read_schools(table: Table | None, problems: Problems, notes: list[str] | None = None,
                 path: Path | None = None, warn_if: WarnIf = WarnIf()) -> list[School] | None:
    if table is None or not table.require_columns(SCHOOL_COLUMNS, problems):
        return None
    p = problems
    ids = table.parse("school_id", as_text, p)
    report_duplicates(table, "school_id", ids, p)
    notes = notes if notes is not None else []
    formatted = percent_formatted_rows(path, table) if path else {}
    cols = dict(
        school_id=ids,
        school_name=table.parse("school_name", as_text, p),
        level=table.parse("level", one_of(LEVELS), p),
        region=table.parse("region", as_text, p),
        feeder=table.parse("feeder", as_text, p),
        students=table.parse("students", number_between(1, None, whole=True), p),
        teachers=table.parse("teachers", number_between(0, None, whole=True), p),
        devices=table.parse("devices", number_between(0, None, whole=True), p),
        frl_pct=read_percent(table, "frl_pct", formatted.get("frl_pct", set()), p, notes),
        proficiency_pct=read_percent(table, "proficiency_pct",
                                     formatted.get("proficiency_pct", set()), p, notes),
        network_node=table.parse("network_node", as_text, p),
        link_mbps=table.parse("link_mbps", number_between(0, None), p),
        tech_staff=table.parse("tech_staff", number_between(0, None), p, required=False),
    )
    schools = [School(**{k: v[i] for k, v in cols.items()}) for i in range(len(table.rows))]
    notes.extend(implausible_values(schools, table, warn_if))
    return schools


def read_percent(table: Table, name: str, formatted: set[int], problems: Problems,
                 notes: list[str]) -> list[float | None]:
    """A 0-100 column as people type it: cells formatted as percent hold fractions (68 % is
    0.68), and so does a column whose every value is 1 or less; both are read as percentages
    with a note. Fractions beside percentages cannot be told apart: an error naming the rows."""
    numbers = table.parse(name, as_number, problems)
    rows = table.row_numbers
    plain = [(v, r) for v, r in zip(numbers, rows) if v is not None and r not in formatted]
    fractions = [r for v, r in plain if 0 < v < 1]
    wholes = [r for v, r in plain if v > 1]
    label = table.column_label(table.column_index(name))
    if fractions and wholes:
        problems.add(table.file, f"{name} holds fractions in row{'s' if len(fractions) > 1 else ''}"
                     f" {list_rows(fractions)} (e.g. 0.68) beside percentages in the other rows "
                     "(e.g. 68): write them all as percentages, 0-100", table.sheet,
                     fractions[0], label)
        return [None] * len(numbers)
    as_fraction = set(formatted) | ({r for _, r in plain} if fractions else set())
    if as_fraction & {r for v, r in zip(numbers, rows) if v is not None}:
        why = "its cells are formatted as percent" if formatted else "every value is 1 or less"
        notes.append(f"{table.file}, sheet '{table.sheet}', column {label}: {why}, so its "
                     "values were read as fractions and turned into percentages (0.68 = 68 %)")
    out = []
    for value, row in zip(numbers, rows):
        if value is not None and row in as_fraction:
            value = value * 100
        if value is not None and not 0 <= value <= 100:
            problems.add(table.file, f"expected a number between 0 and 100 (found "
                         f"{describe(value)}{' %' if row in as_fraction else ''})", table.sheet,
                         row, label)
            value = None
        out.append(value)
    return out


def list_rows(rows: list[int], most: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:most])
    return shown + (f" and {len(rows) - most} more" if len(rows) > most else "")


def percent_formatted_rows(path: Path, table: Table) -> dict[str, set[int]]:
    """Rows whose percent-column cells are formatted as percent (Excel then holds 68 % as
    0.68). Read with openpyxl (calamine gives no formats), only when a column holds a value
    between 0 and 1 and the workbook is an .xlsx or .xlsm."""
    wanted = {}
    for name in PERCENT_COLUMNS:
        index = table.column_index(name)
        values = table.values(name)
        if index is not None and any(isinstance(v, float) and 0 < v <= 1 for v in values):
            wanted[name] = index
    if not wanted or path.suffix.lower() not in {".xlsx", ".xlsm"}:
        return {}
    from openpyxl import load_workbook  # only for the formats; calamine read the values

    try:
        book = load_workbook(path, read_only=True)
        sheet = book[table.sheet]
        found: dict[str, set[int]] = {name: set() for name in wanted}
        rows = set(table.row_numbers)
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if number not in rows:
                continue
            for name, index in wanted.items():
                cell = cells[index] if index < len(cells) else None
                if cell is not None and "%" in str(getattr(cell, "number_format", "") or ""):
                    found[name].add(number)
        book.close()
        return found
    except Exception:  # noqa: BLE001 - formats are a hint; the values were read already
        return {}


def implausible_values(schools: list[School], table: Table, warn_if: WarnIf) -> list[str]:
    """Warnings for values a person should look at again (settings: warn_if)."""
    notes = []
    for school, row in zip(schools, table.row_numbers):
        where = f"{table.file}, sheet '{table.sheet}', row {row}"
        if None in (school.students, school.teachers, school.devices, school.link_mbps):
            continue
        if school.teachers > warn_if.teachers_per_student_above * school.students:
            notes.append(f"{where}: check teachers: {school.school_id} has {school.teachers:,} "
                         f"teachers for {school.students:,} students")
        if school.devices > warn_if.devices_per_student_above * school.students:
            notes.append(f"{where}: check devices: {school.school_id} has {school.devices:,} "
                         f"devices for {school.students:,} students (more than "
                         f"{warn_if.devices_per_student_above:g} per student)")
        if school.link_mbps < warn_if.link_mbps_below:
            notes.append(f"{where}: check link_mbps: {school.school_id}'s own link is "
                         f"{school.link_mbps:g} Mbps (under {warn_if.link_mbps_below:g} Mbps); "
                         "the column is in Mbps")
    return notes


def read_network(table: Table | None, problems: Problems) -> list[NetworkNode] | None:
    if table is None or not table.require_columns(NETWORK_COLUMNS, problems):
        return None
    names = table.parse("node", as_text, problems)
    report_duplicates(table, "node", names, problems)
    parents = table.parse("parent", as_text, problems, required=False)
    capacities = table.parse("capacity_mbps", number_between(0, None), problems)
    return [NetworkNode(n, p or None, c) for n, p, c in zip(names, parents, capacities)]


def read_terms(table: Table | None, problems: Problems) -> list[Term] | None:
    if table is None or not table.require_columns(TERM_COLUMNS, problems):
        return None
    labels = table.parse("term", as_text, problems)
    report_duplicates(table, "term", labels, problems)
    fte = table.parse("coaches_fte", number_between(0, None), problems)
    crews = table.parse("upgrade_crews", number_between(0, None, whole=True), problems,
                        required=False)
    if not labels:
        problems.add(table.file, "lists no terms; add one row per term in order", table.sheet)
    return [Term(i, label, f, c) for i, (label, f, c) in enumerate(zip(labels, fte, crews))]


def report_duplicates(table: Table, column: str, values: list, problems: Problems) -> None:
    first_row: dict = {}
    index = table.column_index(column)
    for value, row in zip(values, table.row_numbers):
        if value is None:
            continue
        if value in first_row:
            problems.add(table.file, f"duplicate {column} '{value}' (first seen in row "
                         f"{first_row[value]})", table.sheet, row, table.column_label(index))
        else:
            first_row[value] = row


def check_network_tree(nodes: list[NetworkNode], file: str, problems: Problems) -> None:
    """The Network sheet must be one tree rooted at the Internet connection."""
    graph = nx.DiGraph()
    names = {n.node for n in nodes if n.node}
    graph.add_nodes_from(names)
    for n in nodes:
        if n.parent is not None and n.node:
            if n.parent not in names:
                problems.add(file, f"node '{n.node}' has parent '{n.parent}', which is not a node "
                             "of this sheet", "Network", column="parent")
            else:
                graph.add_edge(n.parent, n.node)
    roots = sorted(n.node for n in nodes if n.parent is None and n.node)
    if len(roots) != 1:
        problems.add(file, f"the network needs exactly one root (a node with a blank parent: the "
                     f"Internet connection); found {len(roots)}: {', '.join(roots) or 'none'}",
                     "Network", column="parent")
    try:
        cycle = nx.find_cycle(graph)
        problems.add(file, "the network is not a tree: it has a loop through "
                     + " -> ".join(edge[0] for edge in cycle), "Network", column="parent")
    except nx.NetworkXNoCycle:
        pass


def check_school_nodes(schools, nodes, table: Table | None, problems: Problems) -> None:
    node_names = {n.node for n in nodes}
    for school, row in zip(schools, table.row_numbers if table else []):
        if school.network_node is not None and school.network_node not in node_names:
            problems.add(table.file, f"network_node '{school.network_node}' is not a node of the "
                         "Network sheet", table.sheet, row,
                         table.column_label(table.column_index("network_node")))
        if school.school_id in node_names:
            problems.add(table.file, f"school_id '{school.school_id}' is also a Network node name; "
                         "links would be ambiguous", table.sheet, row)


def read_capacity_plan(table, schools, nodes, term_index, problems,
                       terms_sheet: TermsSheet | None = None) -> list[CapacityChange]:
    if table is None or not table.require_columns(CAPACITY_COLUMNS, problems):
        return []
    known_links = {s.school_id for s in schools} | {n.node for n in nodes}
    links = table.parse("link", one_of_set(known_links, "a school_id or a Network node"), problems)
    terms = table.parse("term", term_converter(term_index, terms_sheet), problems)
    caps = table.parse("capacity_mbps", number_between(0, None), problems)
    report_same_link_and_term(table, links, terms, caps, problems)
    return [CapacityChange(link, term_index[term], cap)
            for link, term, cap in zip(links, terms, caps) if None not in (link, term, cap)]


def term_converter(term_index: dict[str, int], terms_sheet: TermsSheet | None):
    if terms_sheet is None:
        return one_of_set(set(term_index), "a term of the Terms sheet")
    return terms_sheet.converter(term_index)


def school_ids(table: Table, matcher: SchoolMatcher, problems: Problems,
               notes: list[str]) -> list[str | None]:
    """The school_id column as people fill it: an id, or the school's name matched as survey
    names are (each match a note naming the row)."""
    def convert(value) -> str:
        sid, why = matcher.lookup(as_text(value))
        if sid is None:
            raise ValueError(why)
        return sid
    ids = table.parse("school_id", convert, problems)
    label = table.column_label(table.column_index("school_id"))
    for sid, raw, row in zip(ids, table.values("school_id"), table.row_numbers):
        if sid is not None and as_text(raw) != sid:
            notes.append(f"{table.file}, sheet '{table.sheet}', row {row}, column {label}: "
                         f"'{as_text(raw)}' was read as {sid} ({matcher.display[sid]})")
    matcher.fuzzy.clear()
    return ids


def report_same_link_and_term(table: Table, links, terms, caps, problems: Problems) -> None:
    """Two capacities for one link in one term contradict each other: which one holds is for
    the district to say, not for the order of the rows."""
    first: dict[tuple, tuple[int, float]] = {}
    for link, term, cap, row in zip(links, terms, caps, table.row_numbers):
        if None in (link, term, cap):
            continue
        if (link, term) in first:
            row1, cap1 = first[(link, term)]
            problems.add(table.file, f"rows {row1} and {row} both give the capacity of {link} "
                         f"in {term} ({cap1:,.0f} and {cap:,.0f} Mbps); keep the one row that "
                         "holds", table.sheet, row, table.column_label(table.column_index("link")))
        else:
            first[(link, term)] = (row, cap)


def capacity_plan_notes(district: District) -> list[str]:
    """A Capacity plan row that lowers a link's capacity: launches behind it may have counted
    on what it had (a warning for Data issues, not an error: links do get downgraded)."""
    notes = []
    for link in district.links:
        capacity = district.base_capacity(link)
        for change in sorted((c for c in district.capacity_plan if c.link == link),
                             key=lambda c: c.term_index):
            if change.capacity_mbps < capacity:
                notes.append(f"Capacity plan: {district.link_label(link)} is lowered from "
                             f"{capacity:,.0f} to {change.capacity_mbps:,.0f} Mbps in "
                             f"{district.terms[change.term_index].label}; launches behind it "
                             "have less room from then on (check that the row is meant)")
            capacity = change.capacity_mbps
    return notes


def read_preferences(table, matcher: SchoolMatcher, settings: Settings | None, problems,
                     notes: list[str] | None = None) -> list[Preference]:
    if table is None or not table.require_columns(PREFERENCE_COLUMNS, problems):
        return []
    ids = school_ids(table, matcher, problems, notes if notes is not None else [])
    report_duplicates(table, "school_id", ids, problems)
    if settings is None:  # its cohorts are unknown: settings.yaml's own problem says why
        return []
    names = settings.cohort_names()
    cohorts = table.parse("preferred_cohort", cohort_number(names), problems)
    locked = table.parse("locked", as_yes_no, problems, required=False)
    return [Preference(s, c, bool(lock)) for s, c, lock in zip(ids, cohorts, locked)
            if s is not None and c is not None]


def read_launches(table, matcher: SchoolMatcher, term_index: dict[str, int],
                  settings: Settings | None, problems: Problems,
                  terms_sheet: TermsSheet | None = None,
                  notes: list[str] | None = None) -> list[Launch]:
    """What really happened: a launch on time, early or late, a delay, a pause, a withdrawal.
    A launch is history, so its term must be before current_term."""
    if table is None or not table.require_columns(LAUNCH_COLUMNS, problems):
        return []
    ids = school_ids(table, matcher, problems, notes if notes is not None else [])
    report_duplicates(table, "school_id", ids, problems)
    statuses = table.parse("status", one_of(LAUNCH_STATUSES), problems)
    terms = table.parse("term", term_converter(term_index, terms_sheet), problems,
                        required=False)
    notes_column = table.parse("note", as_text, problems, required=False)
    current = settings.current_term if settings else None
    now = term_index.get(current, 0) if current else 0
    index = table.column_index("term")
    column = table.column_label(index) if index is not None else "term"
    for status, term, given, row in zip(statuses, terms, table.filled("term"), table.row_numbers):
        if status != LAUNCHED:
            continue
        if not given:
            problems.add(table.file, "a launched school needs the term it launched in the "
                         "'term' column", table.sheet, row, column)
        elif term is not None and term_index[term] >= now and settings is not None:
            problems.add(table.file, f"launched in {term}, a term still to come (current_term "
                         f"is {current or 'not set, so every term is still to come'}); record "
                         "a launch once it has happened", table.sheet, row, column)
    return [Launch(sid, status, term_index[term] if term else None, note or "")
            for sid, status, term, note in zip(ids, statuses, terms, notes_column)
            if sid is not None and status is not None]


def one_of_set(choices: set[str], what: str):
    def convert(value) -> str:
        text = as_text(value)
        if text not in choices:
            raise ValueError(f"expected {what}")
        return text
    return convert


def cohort_number(names: list[str]):
    """A cohort given by its number (1..K) or its name from settings.yaml."""
    def convert(value) -> int:
        text = as_text(value)
        if text.isdigit() and 1 <= int(text) <= len(names):
            return int(text)
        lowered = [n.lower() for n in names]
        if text.lower() in lowered:
            return lowered.index(text.lower()) + 1
        raise ValueError(f"expected a cohort number 1-{len(names)} or a cohort name from "
                         "settings.yaml")
    return convert


def read_upgrades(table, schools, nodes, term_count, problems) -> list[Upgrade]:
    """Possible upgrades the solver may choose: id, link, new capacity, cost, lead time."""
    if table is None or not table.require_columns(UPGRADE_COLUMNS, problems):
        return []
    known_links = {s.school_id for s in schools} | {n.node for n in nodes}
    ids = table.parse("upgrade", as_text, problems)
    report_duplicates(table, "upgrade", ids, problems)
    links = table.parse("link", one_of_set(known_links, "a school_id or a Network node"), problems)
    caps = table.parse("new_capacity_mbps", number_between(0, None), problems)
    costs = table.parse("cost", number_between(0, None), problems)
    leads = table.parse("lead_terms", number_between(0, term_count - 1, whole=True), problems)
    return [Upgrade(*values) for values in zip(ids, links, caps, costs, leads)
            if None not in values]
