"""The import rules of docs/ARCHITECTURE.md (import-linter contracts in pyproject.toml): the
package keeps them, and a forbidden import or a circle breaks them."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=folder, capture_output=True,
                          text=True, timeout=300)


def test_the_package_keeps_every_import_rule():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("checking/arithmetic.py", "from rollout.planning.facts import PlanningFacts",
     "The checker is independent"),
    ("planning/solve.py", "from rollout.explain import diagnose_infeasible",
     "Planning does not import outputs or explain"),
    ("intake/survey.py", "from rollout.outputs import atomic",
     "Intake and scoring do not import planning"),
    ("pipeline.py", "from rollout.devtools import synthetic", "Runtime does not import devtools"),
    ("planning/model.py", "from rollout.planning import solve",
     "without circles"),
    ("whatif/summary.py", "from rollout.studio import session",
     "The studio is a face"),
])
def test_a_forbidden_import_breaks_a_rule(tmp_path, module, line, broken):
    shutil.copytree(ROOT / "rollout", tmp_path / "rollout",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "rollout" / module, "a", encoding="utf-8") as file:
        file.write(f"\n{line}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    broken_lines = [x for x in result.stdout.splitlines() if x.endswith("BROKEN")]
    assert any(broken in x for x in broken_lines), result.stdout
