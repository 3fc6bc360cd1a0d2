"""The real browser the website's and the studio's tests share: Debian's Chromium through
Playwright, and axe-core. Without Chromium or Playwright the tests skip with the install step,
except under CI=true, where a missing browser is a failure."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "sudo apt-get install -y chromium"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def missing_browser(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}: .ci/run installs it ({INSTALL})")
    pytest.skip(f"{reason}; install it with `{INSTALL}` to run the browser tests")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        missing_browser(f"Chromium is not at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()
