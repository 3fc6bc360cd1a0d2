"""Benchmark tools: the CP-SAT plan model as a MIP for HiGHS, and one solver run per child
process so that peak memory and a hard timeout are per instance (`scripts/bench_plan.py`).

The conversion reads the CP-SAT model proto, not the rules, so HiGHS solves exactly the model
CP-SAT solves: linear constraints, exactly_one, at_most_one, bool_or and bool_and over 0/1
literals (a negative reference means NOT of a variable), enforcement literals (as clauses, or
big-M rows from the variables' bounds for a linear constraint), objective with offset and
scaling factor.
"""
from __future__ import annotations

import json
import math
import os
import pickle
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rollout.planning.facts import PlanningFacts

INT64_LIMIT = 2**62  # CP-SAT bounds at or beyond this are "unbounded"


@dataclass
class LinearModel:
    """A MIP in plain arrays: rows are `row_lower <= A x <= row_upper`, objective is
    `sense * (cost . x + offset)` maximised when sense is +1 (as CP-SAT reports it)."""

    names: list[str]
    col_lower: np.ndarray
    col_upper: np.ndarray
    cost: np.ndarray
    offset: float
    maximize: bool
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    indices: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    hint: dict[int, float] = field(default_factory=dict)

    def add_row(self, literals: list[int], coeffs: list[int], lower: float, upper: float
                ) -> None:
        """Add `lower <= sum coeff * literal <= upper`; a literal -k-1 stands for 1 - x_k.
        A variable met twice (x and NOT x, or twice the same) gets one merged entry."""
        constant = 0
        merged: dict[int, float] = {}
        for ref, coeff in zip(literals, coeffs):
            if ref >= 0:
                merged[ref] = merged.get(ref, 0) + coeff
            else:
                merged[-ref - 1] = merged.get(-ref - 1, 0) - coeff
                constant += coeff
        for var, coeff in merged.items():
            if coeff:
                self.indices.append(var)
                self.values.append(coeff)
        self.row_lower.append(lower - constant)
        self.row_upper.append(upper - constant)
        self.starts.append(len(self.indices))


def bound(value: int) -> float:
    return math.inf if value >= INT64_LIMIT else -math.inf if value <= -INT64_LIMIT else value


def proto_to_linear(proto) -> LinearModel:
    """The CP-SAT model proto as a MIP; raises ValueError for a constraint a MIP cannot take
    as it is (enforcement literals, holes in a domain, non-linear constraints)."""
    n = len(proto.variables)
    lower, upper = np.empty(n), np.empty(n)
    for i, var in enumerate(proto.variables):
        if len(var.domain) != 2:
            raise ValueError(f"variable {var.name or i} has a domain with holes")
        lower[i], upper[i] = bound(var.domain[0]), bound(var.domain[1])
    objective = proto.objective
    # CP-SAT stores a maximisation as the minimisation of the negated terms with
    # scaling_factor -1; the value it reports is scaling_factor * (terms + offset).
    scale = objective.scaling_factor or 1.0
    cost = np.zeros(n)
    offset = objective.offset
    for ref, coeff in zip(objective.vars, objective.coeffs):
        if ref >= 0:
            cost[ref] += coeff
        else:
            cost[-ref - 1] -= coeff
            offset += coeff
    model = LinearModel([v.name for v in proto.variables], lower, upper, scale * cost,
                        scale * offset, scale < 0)
    for index, constraint in enumerate(proto.constraints):
        kind = constraint_kind(constraint)
        # Some enforcement literal false: a NOT(enforcement) literal is true.
        unless = [-e - 1 for e in constraint.enforcement_literal]
        if kind == "linear":
            domain = constraint.linear.domain
            if len(domain) != 2:
                raise ValueError(f"linear constraint {index} has a domain with holes")
            add_linear(model, list(constraint.linear.vars), list(constraint.linear.coeffs),
                       bound(domain[0]), bound(domain[1]), unless, index)
        elif kind == "bool_or":
            literals = list(constraint.bool_or.literals) + unless
            model.add_row(literals, [1] * len(literals), 1, math.inf)
        elif kind == "bool_and":
            for literal in constraint.bool_and.literals:
                model.add_row([literal] + unless, [1] * (1 + len(unless)), 1, math.inf)
        elif kind in ("exactly_one", "at_most_one") and not unless:
            literals = list(getattr(constraint, kind).literals)
            model.add_row(literals, [1] * len(literals), 1 if kind == "exactly_one" else
                          -math.inf, 1)
        else:
            raise ValueError(f"constraint {index} is a {kind}, which has no MIP translation here")
    model.hint = dict(zip(proto.solution_hint.vars, proto.solution_hint.values))
    return model


def add_linear(model: LinearModel, refs: list[int], coeffs: list[int], lower: float,
               upper: float, unless: list[int], index: int) -> None:
    """`lower <= sum <= upper`, or, when enforced, each side relaxed by big-M times the
    NOT(enforcement) literals, M from the least and greatest value the sum can take."""
    if not unless:
        model.add_row(refs, coeffs, lower, upper)
        return
    low_sum = high_sum = 0.0
    for ref, coeff in zip(refs, coeffs):
        var = ref if ref >= 0 else -ref - 1
        low, high = model.col_lower[var], model.col_upper[var]
        if ref < 0:
            low, high = 1 - high, 1 - low
        low_sum += min(coeff * low, coeff * high)
        high_sum += max(coeff * low, coeff * high)
    if not math.isfinite(low_sum + high_sum):
        raise ValueError(f"enforced linear constraint {index} has unbounded variables")
    ones = [1] * len(unless)
    if upper < high_sum:
        big_m = high_sum - upper
        model.add_row(refs + unless, coeffs + [-big_m] * len(ones), -math.inf, upper)
    if lower > low_sum:
        big_m = lower - low_sum
        model.add_row(refs + unless, coeffs + [big_m] * len(ones), lower, math.inf)


MIP_KINDS = ("linear", "exactly_one", "at_most_one", "bool_or", "bool_and")
OTHER_KINDS = ("bool_xor", "lin_max", "int_prod", "int_div", "int_mod", "element",
               "table", "automaton", "all_diff", "interval", "no_overlap", "no_overlap_2d",
               "cumulative", "circuit", "routes", "reservoir", "inverse")


def constraint_kind(constraint) -> str | None:
    """Which constraint a ConstraintProto holds (a protobuf message or OR-Tools' own
    proto wrapper, which `CpModel.proto` returns since 9.12)."""
    if hasattr(constraint, "WhichOneof"):
        return constraint.WhichOneof("constraint")
    return next((kind for kind in MIP_KINDS + OTHER_KINDS
                 if getattr(constraint, f"has_{kind}")()), None)


def linear_to_highs(model: LinearModel):
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n = len(model.names)
    columns = np.arange(n, dtype=np.int32)
    rows = len(model.row_lower)
    # HiGHS reports a bad call by its status only (with output off, silently): check each.
    for call, status in [
        ("addVars", h.addVars(n, model.col_lower, model.col_upper)),
        ("changeColsCost", h.changeColsCost(n, columns, model.cost)),
        ("changeColsIntegrality", h.changeColsIntegrality(
            n, columns, np.full(n, highspy.HighsVarType.kInteger.value, dtype=np.uint8))),
        ("changeObjectiveOffset", h.changeObjectiveOffset(model.offset)),
        ("changeObjectiveSense", h.changeObjectiveSense(
            highspy.ObjSense.kMaximize if model.maximize else highspy.ObjSense.kMinimize)),
        ("addRows", h.addRows(rows, np.array(model.row_lower, dtype=np.float64),
                              np.array(model.row_upper, dtype=np.float64), len(model.indices),
                              np.array(model.starts[:-1], dtype=np.int32),
                              np.array(model.indices, dtype=np.int32),
                              np.array(model.values, dtype=np.float64)))]:
        if status != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS {call} failed ({status})")
    return h


def solve_with_highs(model: LinearModel, time_limit: float, result_path: Path | None = None,
                     hint: bool = True, setup_seconds: float = 0.0) -> dict:
    """Solve with HiGHS; each improved solution is written to `result_path` as it is found,
    so that a parent that has to kill an overrunning solve still has the incumbent.
    `setup_seconds` (reading and converting the model) is passed through to the result."""
    import highspy

    started = time.perf_counter()
    h = linear_to_highs(model)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)  # "optimal" means what it means for CP-SAT
    h.setOptionValue("random_seed", 1)
    if hint and model.hint:
        index = np.array(list(model.hint), dtype=np.int32)
        h.setSolution(len(index), index, np.array(list(model.hint.values()), dtype=np.float64))

    def report(status: str, values, objective, bound_value) -> dict:
        result = {"status": status, "objective": objective, "bound": bound_value,
                  "seconds": time.perf_counter() - started, "setup_seconds": setup_seconds,
                  "solution": {} if values is None else named_values(model, values)}
        if result_path is not None:
            tmp = result_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(result))
            os.replace(tmp, result_path)
        return result

    def improved(event) -> None:
        out = event.data_out
        report("incumbent", out.mip_solution, out.objective_function_value, out.mip_dual_bound)

    if result_path is not None:
        h.cbMipImprovingSolution.subscribe(improved)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    has_solution = info.primal_solution_status == highspy.kSolutionStatusFeasible
    values = h.getSolution().col_value if has_solution else None
    return report(status, values, info.objective_function_value if has_solution else None,
                  info.mip_dual_bound)


def named_values(model: LinearModel, values) -> dict[str, int]:
    """The non-zero decisions by CP-SAT variable name (rounded: HiGHS works in floats)."""
    return {name: round(v) for name, v in zip(model.names, values)
            if name and round(v) != 0}


def plan_from_names(values: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """cohort_of and upgrades read back from `assign[school_id,cohort]` and
    `upgrade[id,term]` values."""
    cohort_of: dict[str, int] = {}
    upgrades: dict[str, int] = {}
    for name, value in values.items():
        if value != 1 or "[" not in name:
            continue
        kind, key = name[:-1].split("[", 1)
        left, right = key.rsplit(",", 1)
        if kind == "assign":
            cohort_of[left] = int(right)
        elif kind == "upgrade":
            upgrades[left] = int(right)
    return cohort_of, upgrades


# ---- one solver run per child process ---------------------------------------------------

def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(args: list[str], timeout: float) -> tuple[int | None, float]:
    """Run `python -m rollout.devtools.bench ARGS`; kill it after `timeout` s. Returns (exit code or
    None when killed, seconds)."""
    started = time.perf_counter()
    # stdout is dropped: HiGHS prints its banner whatever its options say.
    process = subprocess.Popen([sys.executable, "-m", "rollout.devtools.bench", *args],
                               cwd=Path(__file__).resolve().parents[2],
                               stdout=subprocess.DEVNULL)
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        code = None
    return code, time.perf_counter() - started


def cpsat_child(facts_path: Path, out: Path, time_limit: float, workers: int | None,
                model_path: Path | None) -> None:
    """Solve with CP-SAT as the planner does (solve_plan: tuned parameters, fixed seed)."""
    from rollout.errors import RolloutError
    from rollout.planning.solve import solve_plan

    facts: PlanningFacts = pickle.loads(facts_path.read_bytes())
    try:
        plan = solve_plan(facts, time_limit=time_limit, workers=workers)
    except RolloutError as exc:  # infeasible, or no plan within the time limit
        out.write_text(json.dumps({"status": type(exc).__name__, "error": str(exc),
                                   "peak_mb": peak_memory_mb()}))
        return
    result = {"status": plan.status, "objective": plan.objective, "bound": plan.bound,
              "gap": plan.gap, "build_seconds": plan.build_seconds,
              "solve_seconds": plan.solve_seconds, "stats": plan.stats,
              "cohort_of": plan.cohort_of, "upgrades": plan.upgrades,
              "peak_mb": peak_memory_mb()}
    out.write_text(json.dumps(result))
    if model_path is not None:
        write_hinted_model(facts, model_path)


def write_hinted_model(facts: PlanningFacts, path: Path) -> None:
    """The model CP-SAT solved as a serialized proto for HiGHS, with the greedy plan (cohorts
    and upgrades) as its start: HiGHS gets that head start where it is valid."""
    from rollout.planning.greedy import greedy_plan
    from rollout.planning.model import add_hint, build_model

    m = build_model(facts)
    greedy = greedy_plan(facts)
    add_hint(m, greedy.cohort_of, greedy.upgrades)
    m.model.export_to_file(str(path))


def highs_child(model_path: Path, out: Path, time_limit: float) -> None:
    from ortools.sat import cp_model_pb2

    started = time.perf_counter()
    proto = cp_model_pb2.CpModelProto()
    proto.ParseFromString(model_path.read_bytes())
    model = proto_to_linear(proto)
    solve_with_highs(model, time_limit, out, setup_seconds=time.perf_counter() - started)


def main(argv: list[str]) -> None:
    kind, *rest = argv
    if kind == "cpsat":
        facts_path, out, time_limit, workers, model_path = rest
        cpsat_child(Path(facts_path), Path(out), float(time_limit),
                    int(workers) if workers != "-" else None,
                    Path(model_path) if model_path != "-" else None)
    elif kind == "highs":
        model_path, out, time_limit = rest
        highs_child(Path(model_path), Path(out), float(time_limit))
    else:
        raise SystemExit(f"unknown child kind {kind!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
