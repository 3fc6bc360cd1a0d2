"""settings.yaml: the district's planning choices, validated with every problem reported."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    ValidationError,
    model_validator,
)

from rollout.errors import Problems


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CohortSpec(Strict):
    name: str = Field(min_length=1)
    launch_term: str = Field(min_length=1)


class CohortSize(Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=1)

    @model_validator(mode="after")
    def min_not_above_max(self):
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class Coaching(Strict):
    teachers_per_coach: float = Field(gt=0)
    load_profile: dict[int, float]
    # Henry County: need sets support. A school's coaching FTE is multiplied by
    # 1 + need_intensity x need / 100 (0 = every school gets the same coaching per teacher).
    need_intensity: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def shares_not_negative(self):
        bad = {k: v for k, v in self.load_profile.items() if v < 0}
        if bad:
            raise ValueError(f"load_profile shares must not be negative: {bad}")
        if 0 not in self.load_profile:
            raise ValueError("load_profile needs an entry for offset 0 (the launch term)")
        return self


class Bandwidth(Strict):
    baseline_kbps_per_student: float = Field(ge=0)
    launch_kbps_per_student: float = Field(ge=0)


class ReadinessFloor(Strict):
    below: float = Field(ge=0, le=100)
    earliest_cohort: int = Field(ge=1)


class FeederCohesion(Strict):
    max_spread: int = Field(default=1, ge=0)
    hard: bool = False
    weight: float = Field(default=0.0, ge=0)


class Balance(Strict):
    weight: float = Field(default=0.0, ge=0)
    by: list[Literal["region", "level"]] = ["region", "level"]


class Devices(Strict):
    """What the principal workbooks ask each school to have before launch."""

    # Students per device each level's blended model needs: station and lab rotation work
    # with up to 3:1, flex models need 1:1 (Fulton: 10 devices per 30 ES students, 1:1 MS/HS).
    students_per_device: dict[str, PositiveFloat] = {"ES": 3.0, "MS": 1.0, "HS": 1.0,
                                                     "Other": 1.0}
    # Districts with fewer than 1 technology specialist per 500 devices should hire.
    devices_per_tech_staff: PositiveFloat = 500
    # Infrastructure items of the rubric below this level are listed before launch (3,
    # "Advanced" on the default scale: every room covered, the network tested repeatedly).
    infrastructure_level: int = 3
    # A school link used above this share from launch is listed with what to do: it leaves
    # little room for a busy day.
    busy_link_share: float = Field(default=0.9, gt=0, le=1)


class WarnIf(Strict):
    """Values of the Schools sheet so unlikely that they are reported as warnings (#26)."""

    teachers_per_student_above: float = Field(default=1.0, gt=0)  # more teachers than students
    devices_per_student_above: float = Field(default=5.0, gt=0)
    link_mbps_below: float = Field(default=10.0, ge=0)  # below any school link sold today


class SurveySettings(Strict):
    """How the survey files are read."""

    # Respondents whose school is one of these names (e.g. Central Office: staff that belong
    # to no school) are left out by name, and reported as left out.
    ignore_schools: list[str] = []


class SolverSettings(Strict):
    time_limit_seconds: float = Field(default=30.0, gt=0)
    random_seed: int = 1
    workers: int = Field(default=1, ge=1)
    # Share of the time limit kept for improving a plan the first search could not prove best
    # (re-solving neighbouring cohorts; docs/benchmarks.md). 0 = the first search takes it all.
    polish_share: float = Field(default=0.4, ge=0, lt=1)
    # A re-plan around the district's decisions (the studio) ends once its plan is within this
    # percent of the best possible, after it has tried to prove its plan best for
    # replan_proof_seconds (docs/benchmarks.md). 0 = only a proven plan ends it early.
    replan_within_percent: float = Field(default=0.01, ge=0, lt=100)
    replan_proof_seconds: float = Field(default=3.0, ge=0)


# ----- publish: the public roll-out website (rollout/outputs/site) --------------------------
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]{2,8})*$")  # en, es, pt_BR, zh_Hant
HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# WCAG 2.1 AA: normal text needs 4.5:1; the accent carries white text and is link text on white.
MIN_CONTRAST = 4.5
LOGO_TYPES = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",),
              ".jpeg": (b"\xff\xd8\xff",), ".gif": (b"GIF87a", b"GIF89a"),
              ".webp": (b"RIFF",)}
MAX_LOGO_BYTES = 200_000  # it is on every page of a site read mostly on phones


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of a #RRGGBB colour against white."""
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


class Publish(Strict):
    """What the public website shows (never: survey answers, per-role figures, priority, need,
    preferences, upgrade costs or data issues, whatever is set here)."""

    languages: list[str] = Field(default=["en", "es"], min_length=1)  # the first is the default
    scores: bool = False  # domain scores and readiness on the public pages
    logo: str | None = None  # an image file, relative to the district folder
    accent_colour: str | None = None  # "#RRGGBB", dark enough for white text (AA)
    title: str | dict[str, str] | None = None  # one title, or one per language
    # Cohort and region names as each language shows them, e.g. {es: {Group 1: Grupo 1}}.
    names: dict[str, dict[str, str]] = {}

    @model_validator(mode="after")
    def valid_publish(self):
        bad = [code for code in self.languages if not LANGUAGE_CODE.match(code)]
        if bad:
            raise ValueError(f"languages must be language codes such as en or es (found {bad})")
        if len(set(self.languages)) != len(self.languages):
            raise ValueError(f"languages must not repeat (found {self.languages})")
        if self.accent_colour is not None:
            if not HEX_COLOUR.match(self.accent_colour):
                raise ValueError("accent_colour must be a colour written #RRGGBB (found "
                                 f"{self.accent_colour!r})")
            ratio = contrast_with_white(self.accent_colour)
            if ratio < MIN_CONTRAST:
                raise ValueError(f"accent_colour {self.accent_colour} has a contrast of "
                                 f"{ratio:.1f}:1 with white; WCAG AA needs {MIN_CONTRAST}:1 "
                                 "(choose a darker colour)")
        if self.logo is not None:
            path = Path(self.logo)
            if path.is_absolute() or ".." in path.parts:
                raise ValueError(f"logo must be a file inside the district folder, given "
                                 f"relative to it (found {self.logo!r})")
            if path.suffix.lower() not in LOGO_TYPES:
                raise ValueError(f"logo must be a {', '.join(LOGO_TYPES)} image (found "
                                 f"{self.logo!r})")
        if isinstance(self.title, dict):
            unknown = sorted(set(self.title) - set(self.languages))
            if unknown:
                raise ValueError(f"title is given for {unknown}, which are not among the "
                                 f"languages {self.languages}")
        unknown = sorted(set(self.names) - set(self.languages))
        if unknown:
            raise ValueError(f"names are given for {unknown}, which are not among the "
                             f"languages {self.languages}")
        return self

    def name_problems(self, cohorts: list[str], regions: set[str]) -> list[str]:
        """A name to translate that is no cohort or region (a slip would go unnoticed: the
        site would show the untranslated name)."""
        known = set(cohorts) | set(regions)
        return [f"setting 'publish.names.{lang}': '{name}' is no cohort of settings.yaml "
                f"({', '.join(cohorts)}) and no region of the Schools sheet "
                f"({', '.join(sorted(regions))})"
                for lang, names in self.names.items() for name in names if name not in known]


def check_publish_files(publish: Publish, folder: Path, file: str, problems: Problems) -> None:
    """The logo exists beside settings.yaml, is the image its name says, and is small."""
    if publish.logo is None:
        return
    path = folder / publish.logo
    if not path.is_file():
        problems.add(file, f"setting 'publish.logo': file not found ({path})")
        return
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if not data.startswith(LOGO_TYPES[suffix]) or (suffix == ".webp" and data[8:12] != b"WEBP"):
        problems.add(file, f"setting 'publish.logo': {path.name} is not a {suffix[1:]} image")
    elif len(data) > MAX_LOGO_BYTES:
        problems.add(file, f"setting 'publish.logo': {path.name} is {len(data):,} bytes; at most "
                     f"{MAX_LOGO_BYTES:,} (it is on every page)")


class Settings(Strict):
    district_name: str | None = None  # shown on outputs; ties the years' history together
    cohorts: list[CohortSpec] = Field(min_length=1)
    cohort_size: CohortSize
    need_weight: float = Field(ge=0, le=1)
    coaching: Coaching
    bandwidth: Bandwidth
    readiness_gate: float = Field(ge=0, le=100)
    preference_weight: float = Field(default=10.0, ge=0)
    readiness_gates: dict[int, float] = {}
    readiness_floor: ReadinessFloor | None = None
    feeder_cohesion: FeederCohesion = FeederCohesion()
    balance: Balance = Balance()
    upgrade_budget: float | None = Field(default=None, ge=0)
    upgrade_cost_weight: float = Field(default=0.0001, ge=0)
    # Spring re-plan: the first term still to come (earlier terms are history), and what moving
    # a school away from the cohort it was already told costs, in priority points.
    current_term: str | None = None
    churn_weight: float = Field(default=25.0, ge=0)
    devices: Devices = Devices()
    warn_if: WarnIf = WarnIf()  # implausible values in the Schools sheet (#26)
    # A school nobody answered the survey for: `plan` plans it on its need with the lowest
    # readiness (it passes no readiness gate) and flags it; `stop` makes it an input error.
    missing_surveys: Literal["plan", "stop"] = "plan"
    surveys: SurveySettings = SurveySettings()
    solver: SolverSettings = SolverSettings()
    publish: Publish = Publish()  # the public website (rollout/outputs/site)

    @model_validator(mode="after")
    def gates_name_cohorts(self):
        for number, gate in self.readiness_gates.items():
            if not 1 <= number <= len(self.cohorts):
                raise ValueError(f"readiness_gates: cohort {number} does not exist "
                                 f"(cohorts are 1-{len(self.cohorts)})")
            if not 0 <= gate <= 100:
                raise ValueError(f"readiness_gates: gate {gate} for cohort {number} must be "
                                 "between 0 and 100")
        if self.readiness_floor and self.readiness_floor.earliest_cohort > len(self.cohorts):
            raise ValueError("readiness_floor.earliest_cohort names a cohort that does not exist")
        return self

    def gate_for(self, cohort: int) -> float:
        """Minimum readiness to join a cohort: `readiness_gate` for the first, and a cohort's
        `readiness_gates` entry for it and every earlier cohort (a school not ready for a
        later cohort is not ready for an earlier one either)."""
        gates = [g for c, g in self.readiness_gates.items() if c >= cohort]
        return max([self.readiness_gate if cohort == 1 else 0.0, *gates])

    @model_validator(mode="after")
    def cohort_names_unique(self):
        names = [c.name for c in self.cohorts]
        if len(set(names)) != len(names):
            raise ValueError(f"cohort names must be unique, found {names}")
        return self

    def cohort_names(self) -> list[str]:
        return [c.name for c in self.cohorts]


def load_settings(path: Path, problems: Problems) -> Settings | None:
    """Read settings.yaml; every invalid or unknown key becomes a problem naming its YAML path."""
    raw = load_yaml(path, problems)
    if raw is None:
        return None
    settings = settings_from_dict(raw, str(path), problems)
    if settings is not None:
        check_publish_files(settings.publish, Path(path).parent, str(path), problems)
    return settings


def settings_from_dict(raw: Any, file: str, problems: Problems) -> Settings | None:
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            report_pydantic_error(error, file, problems)
        return None


# What a setting or scenario key that holds more than one value looks like (by its YAML path,
# a list position written *): a validator's own words never reach the district (#24).
SHAPES = {
    "cohorts": ("a list of cohorts, each with a name and a launch term",
                "[{name: Group 1, launch_term: 2028 Spring}]"),
    "cohorts.*": ("a cohort with a name and a launch term",
                  "{name: Group 1, launch_term: 2028 Spring}"),
    "cohort_size": ("the fewest and the most schools in a cohort", "{min: 14, max: 25}"),
    "coaching": ("the coaching settings", "{teachers_per_coach: 25, load_profile: {0: 1.0}}"),
    "coaching.load_profile": ("a list of terms counted from launch with a share of coaching "
                              "each", "{-1: 0.25, 0: 1.0, 1: 0.5}"),
    "bandwidth": ("the bandwidth settings",
                  "{baseline_kbps_per_student: 100, launch_kbps_per_student: 1000}"),
    "readiness_gates": ("a list of cohort numbers with a minimum readiness each", "{2: 50}"),
    "readiness_floor": ("a readiness and the earliest cohort below it",
                        "{below: 40, earliest_cohort: 3}"),
    "feeder_cohesion": ("the feeder settings", "{max_spread: 1, hard: false, weight: 5}"),
    "balance": ("the balance settings", "{weight: 2, by: [region, level]}"),
    "balance.by": ("a list of region and/or level", "[region, level]"),
    "devices": ("the device settings", "{students_per_device: {ES: 3, MS: 1, HS: 1}}"),
    "devices.students_per_device": ("a list of school levels with students per device each",
                                    "{ES: 3, MS: 1, HS: 1}"),
    "solver": ("the solver settings", "{time_limit_seconds: 30, random_seed: 1, workers: 1}"),
    "publish": ("the website settings", "{languages: [en, es], scores: false}"),
    "publish.languages": ("a list of language codes", "[en, es]"),
    "publish.title": ("one title, or one per language",
                      "Roll Out Dashboard or {en: Roll Out Dashboard, es: Panel}"),
    "publish.names": ("a list of languages, each with the cohort and region names to show",
                      "{es: {Group 1: Grupo 1, North: Norte}}"),
    "publish.names.*": ("a list of cohort or region names with the name to show for each",
                        "{Group 1: Grupo 1, North: Norte}"),
    # scenario files (rollout/whatif/scenarios.py)
    "coaches_fte": ("a list of terms with a number of coaches each",
                    '{all: 20} or {"2028 Fall": 18}'),
    "coaches_fte_delta": ("a list of terms with a number each", '{all: 2} or {"2028 Fall": 2}'),
    "upgrade_crews": ("a list of terms with a whole number of crews each",
                      '{all: 2} or {"2028 Fall": 1}'),
    "capacity_plan": ("a list of links, each with a term and a capacity",
                      "[{link: SOUTH-HUB, term: 2029 Spring, capacity_mbps: 30000}]"),
    "capacity_plan.*": ("a link with a term and a capacity",
                        "{link: SOUTH-HUB, term: 2029 Spring, capacity_mbps: 30000}"),
    "link_mbps_delta": ("a list of links with the Mbps to add to each", "{SOUTH-HUB: 5000}"),
}
NUMBER_KINDS = {"float_type": "a number, e.g. 0.5", "float_parsing": "a number, e.g. 0.5",
                "int_type": "a whole number, e.g. 3", "int_parsing": "a whole number, e.g. 3",
                "int_from_float": "a whole number, e.g. 3",
                "bool_type": "true or false", "bool_parsing": "true or false",
                "string_type": 'text (a name or term that looks like a number or date goes '
                               'in quotes, e.g. "2028")'}
BOUNDS = {"greater_than": "more than {gt:g}", "greater_than_equal": "{ge:g} or more",
          "less_than": "less than {lt:g}", "less_than_equal": "{le:g} or less"}
MANY_VALUES = {"dict_type", "model_type", "model_attributes_type", "list_type"}


def report_pydantic_error(error: dict, file: str, problems: Problems, what: str = "setting"
                          ) -> None:
    """One validator error in plain words: what the setting must be, with an example (a
    choice of types, as `title`, gives one error per type: they say the same, once)."""
    loc = [p for p in error["loc"] if not is_type_tag(p)]
    path = ".".join(str(p) for p in (loc[:-2] if loc[-1:] == ["[key]"] else loc))
    union = len(loc) < len(error["loc"]) and shape_of(loc) is not None
    sentence = plain_error(error | {"type": "dict_type"} if union else error, loc)
    if not path:
        message = sentence
    else:
        message = f"{what} '{path}': {sentence}{found_suffix(error)}"
    if not any(p.file == str(file) and p.message == message for p in problems.items):
        problems.add(file, message)


def is_type_tag(part) -> bool:
    """pydantic names each choice of a union in the error's location (`str`, `dict[str,str]`)."""
    return isinstance(part, str) and (part in {"str", "int", "float", "bool"} or "[" in part
                                      and part != "[key]")


def shape_of(loc: list) -> tuple[str, str] | None:
    pattern = ".".join("*" if isinstance(p, int) else str(p) for p in loc)
    parent = ".".join([*pattern.split(".")[:-1], "*"])
    return SHAPES.get(pattern) or (SHAPES.get(parent) if parent in SHAPES else None)


def plain_error(error: dict, loc: list) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown setting (check the spelling)"
    if loc and loc[-1] == "[key]":
        return key_error(loc[:-2], str(loc[-2]))
    shape = shape_of(loc)
    example = f", e.g. {shape[1]}" if shape else ""
    if kind == "missing":
        return f"is required but missing{example}"
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
    if kind in NUMBER_KINDS:
        return f"must be {NUMBER_KINDS[kind]}"
    if kind in BOUNDS:
        return "must be " + BOUNDS[kind].format(**{k: float(v) for k, v in ctx.items()})
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        count = ctx.get("min_length", 1)
        return f"must list at least {count} item{'s' if count != 1 else ''}{example}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the values the sample file shows')}"
    if kind in MANY_VALUES and shape:
        return f"must be {shape[0]}{example}"
    if kind in MANY_VALUES:
        return ("must be a list" if kind == "list_type" else
                "must be names, each with its value indented under it, e.g. {name: value}")
    return "has a value that cannot be used here"


def key_error(loc: list, key: str) -> str:
    """A key of a mapping that must be numbered (load_profile, readiness_gates)."""
    shape = shape_of(loc)
    example = f", e.g. {shape[1]}" if shape else ""
    return f"'{key}' is not a whole number; the names here are numbers{example}"


def found_suffix(error: dict) -> str:
    found = error.get("input")
    if error["type"] in {"missing", "extra_forbidden"} or isinstance(found, (dict, list)) \
            or error["loc"][-1:] == ("[key]",):
        return ""
    return f" (found {found!r})"


def load_yaml(path: Path, problems: Problems) -> Any:
    """A YAML mapping, or None with one problem: a slip people make often (see `yaml_slip`)
    is named at its own line with the fix, before the parser's later and vaguer error."""
    if not path.exists():
        problems.add(path, "file not found")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.add(path, "is not a text file (UTF-8 YAML expected)")
        return None
    slip = yaml_slip(text)
    if slip is not None:
        problems.add(path, f"is not valid YAML at line {slip[0]}: {slip[1]}")
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problems.add(path, f"is not valid YAML{yaml_error_place(exc)}: "
                     f"{getattr(exc, 'problem', exc)}")
        return None
    if not isinstance(data, dict):
        problems.add(path, "must be a YAML mapping of settings")
        return None
    return data


def yaml_error_place(exc: yaml.YAMLError) -> str:
    """Where the parser stopped; for a key it could not finish, the line the key began on
    (the parser itself notices only lines later)."""
    mark = getattr(exc, "problem_mark", None)
    if getattr(exc, "context", None) == "while scanning a simple key" and exc.context_mark:
        mark = exc.context_mark
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


# `need_weight:0.5`: a key followed by its value with no space (YAML reads one odd word).
KEY_WITHOUT_SPACE = re.compile(r"(?:^\s*(?:-\s+)?|[{,]\s*)([A-Za-z_][\w-]*):(?![\s:/]|$)")
SCALAR_START = re.compile(r"(?:^\s*(?:-\s+)?|:\s+|[\[{,]\s*|-\s+)$")


def yaml_slip(text: str) -> tuple[int, str] | None:
    """The first line (from 1) with a slip people often make in a settings file, and what to
    do about it: a tab, a key with no space after its colon, a quote never closed."""
    for number, line in enumerate(text.splitlines(), start=1):
        if "\t" in line[:len(line) - len(line.lstrip())]:
            return number, ("a tab indents this line; YAML needs spaces (replace the tab with "
                            "spaces, lined up with the lines above)")
        body = without_comment(line)
        quote = unclosed_quote(body)
        if quote:
            return number, (f"the quote {quote} opened on this line is never closed (add the "
                            f"closing {quote} at the end of the value)")
        found = KEY_WITHOUT_SPACE.search(body)
        if found and not any(q in body[:found.start(1)] for q in "\"'"):
            key = found.group(1)
            value = body[found.end():].split(",")[0].split("}")[0].strip()
            return number, (f"'{key}:{value}' needs a space after the colon ({key}: {value})")
    return None


def without_comment(line: str) -> str:
    """The line up to a comment (a # at the start or after a space, outside quotes)."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'" and SCALAR_START.search(line[:i]):
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def unclosed_quote(body: str) -> str | None:
    """The quote mark of a quoted value that starts on this line and does not end on it."""
    quote = None
    for i, char in enumerate(body):
        if quote == '"' and char == "\\":
            continue
        if quote and char == quote and (i == 0 or body[i - 1] != "\\" or quote == "'"):
            quote = None
        elif quote is None and char in "\"'" and SCALAR_START.search(body[:i]):
            quote = char
    return quote
