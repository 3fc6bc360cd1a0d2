"""How worker processes start, in one place for every pool (survey reading, principal
workbooks, what-if solves).

fork starts a worker in milliseconds with everything imported, so it is used where the system
has it (Linux). Windows has only spawn and macOS defaults to it: a spawned worker imports its
function afresh, so every job function is a top-level function of an importable module and
its arguments pickle. ROLLOUT_START_METHOD=spawn forces spawn here, for the tests.
"""
from __future__ import annotations

import multiprocessing
import os

START_METHOD_VARIABLE = "ROLLOUT_START_METHOD"


def pool_context() -> multiprocessing.context.BaseContext:
    chosen = os.environ.get(START_METHOD_VARIABLE)
    methods = multiprocessing.get_all_start_methods()
    if chosen in methods:
        return multiprocessing.get_context(chosen)
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
