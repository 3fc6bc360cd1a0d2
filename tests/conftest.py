"""Shared by the website's tests (#16): the bundled sample planned for both springs, once per
test session."""
from __future__ import annotations

from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture(scope="session")
def sample_outputs(tmp_path_factory) -> tuple[Path, Path]:
    """Output folders of the sample's first spring and of its re-plan the spring after."""
    from rollout.pipeline import plan_district

    out = tmp_path_factory.mktemp("sample_site")
    plan_district(SAMPLE, out / "y1")
    plan_district(SAMPLE / "year2", out / "y2", previous=out / "y1" / "plan.csv")
    return out / "y1", out / "y2"
