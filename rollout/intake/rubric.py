"""The rubric (rubrics/*.yaml): domains, items with level descriptors, weights, indicators.

Validated like data: every problem is reported with its YAML path.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rollout.errors import Problems
from rollout.intake.settings import load_yaml, report_pydantic_error

DOMAINS = ["infrastructure", "technology", "instructional"]
METRICS = ["link_kbps_per_student", "students_per_device", "devices_per_tech_staff"]
WEIGHT_TOLERANCE = 1e-6

DEFAULT_RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "default.yaml"


def default_rubric_path() -> Path:
    return DEFAULT_RUBRIC


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(Strict):
    id: str = Field(min_length=1)
    text: str
    weight: float = Field(ge=0)
    roles: list[str] = Field(min_length=1)
    levels: dict[int, str]
    scored: bool = True
    required: bool = False


class Indicator(Strict):
    id: str
    text: str
    metric: str
    weight: float = Field(gt=0)
    points: list[tuple[float, float]] = Field(min_length=2)


class Domain(Strict):
    weight: float = Field(ge=0, le=1)
    survey_share: float = Field(ge=0, le=1)
    role_weights: dict[str, float]
    items: list[Item] = Field(min_length=1)
    indicators: list[Indicator] = []


class Need(Strict):
    frl_pct: float = Field(ge=0, le=1)
    not_proficient_pct: float = Field(ge=0, le=1)


class Rubric(Strict):
    name: str
    scale: dict[int, str]
    roles: list[str] = Field(min_length=1)
    min_coverage: float = Field(ge=0, le=1)
    role_gap_levels: float = Field(default=1.0, gt=0)
    # A principal's workbook compares the roles only when each has at least this many
    # respondents (the principal's own answers aside): fewer would reveal what they answered.
    role_gap_min_respondents: int = Field(default=3, ge=1)
    domains: dict[str, Domain]
    need: Need

    @property
    def low(self) -> int:
        return min(self.scale)

    @property
    def high(self) -> int:
        return max(self.scale)

    def items(self, scored_only: bool = False) -> list[tuple[str, Item]]:
        return [(d, item) for d in DOMAINS if d in self.domains
                for item in self.domains[d].items if item.scored or not scored_only]

    def item_by_id(self) -> dict[str, Item]:
        return {item.id: item for _, item in self.items()}

    def level_label(self, level: int) -> str:
        return self.scale.get(level, str(level))


def load_rubric(path: Path, problems: Problems) -> Rubric | None:
    raw = load_yaml(path, problems)
    if raw is None:
        return None
    try:
        rubric = Rubric.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            report_pydantic_error(error, str(path), problems, what="rubric")
        return None
    before = len(problems.items)
    check_rubric(rubric, str(path), problems)
    return rubric if len(problems.items) == before else None


def check_rubric(rubric: Rubric, file: str, problems: Problems) -> None:
    """Cross-field rules pydantic cannot see: names, sums, gaps and coverage of roles."""
    def bad(path: str, message: str) -> None:
        problems.add(file, f"rubric '{path}': {message}")

    levels = sorted(rubric.scale)
    if len(levels) < 2 or levels != list(range(levels[0], levels[0] + len(levels))):
        bad("scale", f"levels must be consecutive whole numbers with no gaps, found {levels}")
    for name in rubric.domains:
        if name not in DOMAINS:
            bad(f"domains.{name}", f"unknown domain; expected {', '.join(DOMAINS)}")
    for name in DOMAINS:
        if name not in rubric.domains:
            bad("domains", f"domain '{name}' is missing")
    total = sum(d.weight for d in rubric.domains.values())
    if abs(total - 1) > WEIGHT_TOLERANCE:
        bad("domains.*.weight", f"domain weights must sum to 1, they sum to {total:g}")
    if abs(rubric.need.frl_pct + rubric.need.not_proficient_pct - 1) > WEIGHT_TOLERANCE:
        bad("need", "frl_pct and not_proficient_pct must sum to 1")
    seen: set[str] = set()
    for dname, domain in rubric.domains.items():
        check_domain(rubric, dname, domain, seen, bad)


def check_domain(rubric: Rubric, dname: str, domain: Domain, seen: set[str], bad) -> None:
    base = f"domains.{dname}"
    for role in domain.role_weights:
        if role not in rubric.roles:
            bad(f"{base}.role_weights.{role}", f"unknown role; expected {', '.join(rubric.roles)}")
    role_total = sum(domain.role_weights.values())
    if abs(role_total - 1) > WEIGHT_TOLERANCE:
        bad(f"{base}.role_weights", f"role weights must sum to 1, they sum to {role_total:g}")
    if not any(item.scored and item.weight > 0 for item in domain.items):
        bad(f"{base}.items", "needs at least one scored item with a weight above 0")
    for i, item in enumerate(domain.items):
        path = f"{base}.items.{i}"
        if item.id in seen:
            bad(f"{path}.id", f"item id '{item.id}' is used twice")
        seen.add(item.id)
        if sorted(item.levels) != sorted(rubric.scale):
            bad(f"{path}.levels", f"item {item.id} needs a descriptor for each scale level "
                f"{sorted(rubric.scale)}, found {sorted(item.levels)}")
        unknown = [r for r in item.roles if r not in rubric.roles]
        if unknown:
            bad(f"{path}.roles", f"item {item.id} names unknown role(s) {', '.join(unknown)}; "
                f"expected {', '.join(rubric.roles)}")
        if item.scored and not any(domain.role_weights.get(r, 0) > 0 for r in item.roles):
            bad(f"{path}.roles", f"no role that answers item {item.id} ({', '.join(item.roles)}) "
                "has a weight in this domain's role_weights, so no answer could ever count")
    for i, ind in enumerate(domain.indicators):
        if ind.metric not in METRICS:
            bad(f"{base}.indicators.{i}.metric", f"unknown metric '{ind.metric}'; expected "
                f"{', '.join(METRICS)}")
        xs = [x for x, _ in ind.points]
        if xs != sorted(xs) or len(set(xs)) != len(xs):
            bad(f"{base}.indicators.{i}.points", "x values must increase")
