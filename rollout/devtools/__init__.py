"""For developers only: synthetic districts for the sample data, tests and benchmarks, the
sample's second spring, and the benchmark helpers (HiGHS translation). No runtime module
imports this package (an import-linter contract in pyproject.toml)."""
