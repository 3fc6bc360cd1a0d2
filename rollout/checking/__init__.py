"""The independent checker: every hard rule recomputed from the district records and a plan,
with no solver and no planning module. `arithmetic.py` derives coaching, bandwidth and link
capacity from the records on its own, on purpose: a wrong formula in planning/facts.py is then
caught by the tests that compare the two (tests/test_checker_independent.py)."""
