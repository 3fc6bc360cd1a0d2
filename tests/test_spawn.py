"""Windows and macOS start worker processes with `spawn` (a fresh interpreter that imports the
job function and unpickles its arguments): a plan of a district large enough to use the pools
works with spawn forced, and gives the same outputs."""
from __future__ import annotations

import concurrent.futures
import filecmp

import pytest

import rollout.outputs.principal as principal
from rollout.devtools.synthetic import make_district
from rollout.errors import Problems
from rollout.intake.rubric import default_rubric_path, load_rubric
from rollout.pipeline import plan_district
from rollout.processes import START_METHOD_VARIABLE


@pytest.fixture(scope="module")
def large_district(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spawn") / "district"
    make_district(folder, schools=principal.POOL_MIN_WORKBOOKS + 10, seed=5,
                  rubric=load_rubric(default_rubric_path(), Problems()), respondents=(1, 2))
    return folder


def test_a_large_plan_works_with_spawned_workers(large_district, tmp_path, monkeypatch):
    methods = []

    class Recording(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, workers, mp_context=None, **kwargs):
            methods.append(mp_context.get_start_method())
            super().__init__(workers, mp_context=mp_context, **kwargs)

    monkeypatch.setattr(principal, "ProcessPoolExecutor", Recording)
    monkeypatch.setattr(principal, "default_workers", lambda: 2)
    monkeypatch.setenv(START_METHOD_VARIABLE, "fork")
    forked, _ = plan_district(large_district, tmp_path / "fork", time_limit=5)
    monkeypatch.setenv(START_METHOD_VARIABLE, "spawn")
    spawned, _ = plan_district(large_district, tmp_path / "spawn", time_limit=5)
    assert methods == ["fork", "spawn"]
    assert len(list((tmp_path / "spawn" / "schools").iterdir())) == len(spawned.rows)
    if spawned.plan.cohort_of == forked.plan.cohort_of:
        names = sorted(p.name for p in (tmp_path / "fork" / "schools").iterdir())
        match, mismatch, errors = filecmp.cmpfiles(tmp_path / "fork" / "schools",
                                                   tmp_path / "spawn" / "schools", names,
                                                   shallow=False)
        assert not mismatch and not errors
