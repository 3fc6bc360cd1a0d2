"""The planning studio (#25) in a real browser, by keyboard alone: open, plan (live progress),
move a school into a group where it breaks a limit and hear what breaks (focus stays on that
school), ask where else it could go, pin another with a reason, re-plan around it, save; then
the saved plan passes `rollout check`. axe-core finds no WCAG 2.1 A/AA violation in any state;
nothing is fetched from another host.

Headless Chromium from Debian's packages, driven by Playwright. Without Chromium these tests
skip, saying how to install it; under CI=true a missing browser fails the run.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rollout.checking.check import compute_usage, move_violations
from rollout.outputs.board_view import for_people
from rollout.planning.facts import facts_from_inputs
from rollout.scoring.inputs import load_inputs
from tests.browser_kit import WCAG, axe, browser  # noqa: F401 (fixtures)
from tests.studio_kit import start_studio, stop_studio

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "studio-screenshots"


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("studio_browser") / "district"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("year2", "scenarios"))
    return folder


class Visit:
    """One page of the studio, recording what axe and the console find in each state."""

    def __init__(self, browser, axe, url: str, port: int, width: int = 1280):
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.axe, self.problems, self.port = axe, [], port
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        self.page.on("request", self.request)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.goto(url)

    def request(self, request) -> None:
        if not request.url.startswith(f"http://127.0.0.1:{self.port}/"):
            self.problems.append(f"request to another host: {request.url}")

    def check(self, state: str) -> None:
        results = self.axe.run(self.page, options={
            "runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]})
        self.problems += [f"{state}: {v['id']}: {v['nodes'][0]['target']} {v['help']}"
                          for v in results.response["violations"]]
        sideways = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if sideways > 0 and self.page.viewport_size["width"] >= 1024:
            self.problems.append(f"{state}: scrolls sideways by {sideways} px")
        self.page.screenshot(path=str(SCREENSHOTS / f"{state}.png"), full_page=True)

    def announced(self) -> str:
        return self.page.locator("#announce-text").inner_text()

    def focused(self) -> str:
        return self.page.evaluate("document.activeElement && document.activeElement.id")

    def press_on(self, selector: str, key: str = "Enter") -> None:
        """Focus an element by Tab order's means (focus()) and press a key there."""
        self.page.locator(selector).focus()
        self.page.keyboard.press(key)


def breaking_move(district: Path, studio) -> tuple[str, int, list[str]]:
    facts = facts_from_inputs(load_inputs(district))
    state = studio.json("GET", "/api/plan")
    plan = {s["school_id"]: s["cohort"] for s in state["schools"]}
    terms = {t.label: t.index for t in facts.district.terms}
    upgrades = {u["upgrade"]: terms[u["term"]] for u in state["upgrades"]}
    usage = compute_usage(facts, plan, upgrades)
    for sid in sorted(plan):
        if plan[sid] != 1:
            broken = move_violations(facts, plan, upgrades, usage, sid, 1)
            if any(v.rule in ("Coaching capacity", "Link capacity") for v in broken):
                return sid, 1, [for_people(facts, v) for v in broken]
    raise AssertionError("no move into Group 1 breaks a limit")


def test_the_whole_path_by_keyboard(browser, axe, district, tmp_path):
    studio = start_studio(district, "--out", str(tmp_path / "out"))
    try:
        visit = Visit(browser, axe, studio.url, studio.port)
        page = visit.page
        assert page.url == f"http://127.0.0.1:{studio.port}/"  # the token left the address bar
        page.wait_for_selector("h1")
        visit.check("before-plan")
        visit.press_on("form[action='/actions/plan'] button")
        page.wait_for_selector("#progress-text, h1:has-text('Board')")
        if page.locator("#progress-text").count():
            visit.check("solving")
        page.wait_for_selector("h1:has-text('Board')", timeout=60_000)
        assert "The plan is ready" in visit.announced()
        visit.check("board")

        sid, cohort, messages = breaking_move(district, studio)
        visit.press_on(f"#move-{sid}", "Home")  # the first group, by keyboard
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_function("document.getElementById('announce-text').textContent"
                               ".includes('moved to')")
        said = visit.announced()
        assert "moved to Group 1" in said and messages[0] in said
        page.wait_for_function(f"document.activeElement.id === 'move-{sid}'")
        assert page.locator("h2:has-text('plan breaks')").count() == 1
        assert "Not saved: 1 school moved by hand" in page.locator("#save-state").inner_text()
        visit.check("board-move-breaks")

        visit.press_on(f"#school-{sid} th a")
        page.wait_for_selector("h2:has-text('Where else could it go?')")
        assert page.locator(".options > li").count() == 5
        assert "The board already breaks" in page.locator("main").inner_text()
        visit.check("where-else")
        visit.press_on("form[action='/actions/undo'] button") if page.locator(
            "form[action='/actions/undo']").count() else None

        # Undo the move (from the board), then pin another school with a reason.
        visit.press_on("nav a[href='/']")
        page.wait_for_selector("h1:has-text('Board')")
        visit.press_on("form[action='/actions/undo'] button")
        page.wait_for_function("document.getElementById('announce-text').textContent"
                               ".includes('Undone')")
        page.wait_for_function(f"document.activeElement.id === 'move-{sid}'")  # as after a move
        state = studio.json("GET", "/api/plan")
        pinned = next(s for s in state["schools"] if s["cohort"] == 5)["school_id"]
        visit.press_on(f"#school-{pinned} th a")
        page.wait_for_selector("#decide-reason")
        visit.press_on("#decide-cohort", "Home")
        for _ in range(3):
            page.keyboard.press("ArrowDown")  # Group 4
        page.locator("#decide-reason").focus()
        page.keyboard.type("Board asked for it a term earlier")
        page.keyboard.press("Enter")
        page.wait_for_function("document.getElementById('announce-text').textContent"
                               ".includes('pinned to Group 4')")
        visit.check("school-pinned")

        visit.press_on("nav a[href='/']")
        page.wait_for_selector("form[action='/actions/replan'] button")
        visit.press_on("form[action='/actions/replan'] button")
        page.wait_for_function("document.getElementById('announce-text').textContent"
                               ".includes('The plan is ready')", timeout=60_000)
        replanned = {s["school_id"]: s for s in studio.json("GET", "/api/plan")["schools"]}
        assert replanned[pinned]["cohort"] == 4 and replanned[pinned]["pinned"]
        assert "changed group" in visit.announced()
        page.wait_for_selector("#changed-title")
        assert "by a district decision: Board asked" in page.locator(".changed").inner_text()
        visit.check("board-replanned")
        # Undo takes the re-plan back (the button stays); then plan again around the pin.
        visit.press_on("form[action='/actions/undo'] button")
        page.wait_for_function("document.getElementById('announce-text').textContent"
                               ".includes('the board is back')")
        cohorts = lambda st: {s["school_id"]: s["cohort"] for s in st["schools"]}  # noqa: E731
        assert cohorts(studio.json("GET", "/api/plan")) == cohorts(state)
        visit.press_on("form[action='/actions/replan'] button")
        page.wait_for_function("document.getElementById('announce-text').textContent"
                               ".includes('The plan is ready')", timeout=60_000)

        visit.press_on("form[action='/actions/save'] button")
        page.wait_for_function("document.getElementById('announce-text').textContent"
                               ".includes('Saved')", timeout=120_000)
        visit.check("saved")
        visit.press_on("nav a[href='/inputs']")
        page.wait_for_selector("h1:has-text('glance')")
        visit.check("inputs")
        assert visit.problems == []
        assert (district / "decisions.xlsx").exists()
        checked = subprocess.run([sys.executable, "-m", "rollout", "check", str(district),
                                  str(tmp_path / "out" / "plan.csv")],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        stop_studio(studio)


def test_a_what_if_by_keyboard(browser, axe, district):
    studio = start_studio(district)
    try:
        studio.json("POST", "/api/plan")
        studio.wait_for_plan()
        visit = Visit(browser, axe, studio.url, studio.port, width=1024)
        page = visit.page
        visit.press_on("nav a[href='/whatif']")
        page.wait_for_selector("#wi-description")
        visit.check("whatif-form")
        assert page.locator("form.whatif [required]").count() == 0
        page.locator("#wi-description").focus()
        page.keyboard.type("Two more coaches")
        page.keyboard.press("Tab")
        page.keyboard.type("two")  # a bad value: said next to the field, the form kept
        page.keyboard.press("Enter")
        page.wait_for_selector("#wi-coaches-problem")
        coaches = page.locator("#wi-coaches")
        assert coaches.get_attribute("aria-invalid") == "true"
        assert coaches.get_attribute("aria-describedby") == "wi-coaches-problem"
        assert page.locator("[aria-invalid]").count() == 1
        assert page.locator("#wi-description").input_value() == "Two more coaches"
        assert "cannot be tried" in visit.announced()
        visit.check("whatif-problem")
        coaches.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("2")
        page.keyboard.press("Enter")
        page.wait_for_selector("#progress-text, caption:has-text('side by side')")
        if page.locator("#progress-text").count():
            visit.check("whatif-solving")
        page.wait_for_function("document.getElementById('announce-text').textContent"
                               ".includes('What-if ready')", timeout=60_000)
        page.wait_for_selector("caption:has-text('side by side')")
        assert "coaches: +2 FTE in every term" in page.locator("main").inner_text()
        assert page.locator("#wi-coaches").input_value() == "2"  # kept, to adjust and retry
        assert page.locator("[aria-invalid]").count() == 0
        assert page.locator(".compare-lines p").first.inner_text().startswith("By the end of")
        link = page.locator("a[href='/whatif/scenario.yaml']")
        with page.expect_download() as download:  # a file, not a page swapped into the board
            link.press("Enter")
        saved = Path(download.value.path()).read_text(encoding="utf-8")
        assert "coaches_fte_delta" in saved and download.value.suggested_filename == "what-if.yaml"
        visit.check("whatif-results")
        page.set_viewport_size({"width": 375, "height": 800})
        visit.check("whatif-results-375")
        page.set_viewport_size({"width": 1024, "height": 900})

        # Stopped at once: the best plan so far is kept (or, with none, it says so).
        studio.json("POST", "/api/whatif", {"description": "Greatest need first",
                                            "need_weight": 1})
        studio.json("POST", "/api/plan/stop")
        for _ in range(600):
            answer = studio.json("GET", "/api/whatif")
            if answer["state"] != "solving":
                break
            time.sleep(0.2)
        assert answer["error"] is None and answer["scenario"]["moved"] == len(answer["moves"])
        visit.press_on("nav a[href='/whatif']")
        page.wait_for_selector("h2:has-text('Greatest need first')")
        main = page.locator("main").inner_text()
        line = page.locator(".compare-lines p").filter(has_text="What if (Greatest need first)")
        second = line.locator("xpath=following-sibling::p[1]").inner_text()
        if answer["stopped"]:  # the best plan by then: said to be not yet shown the best
            assert not answer["proven"]
            assert "Stopped: this is the best plan the what-if had found by then: a good " \
                "plan, not yet shown to be the best." in main
            assert "a good plan, not yet shown to be the best" in second
        else:  # proven the best before Stop arrived: nothing was lost, nothing to say
            assert answer["proven"] and "Stopped" not in main
            assert "not yet shown to be the best" not in second
        visit.check("whatif-stopped")
        assert visit.problems == []
    finally:
        stop_studio(studio)


def test_input_errors_page_and_a_phone_width(browser, axe, tmp_path):
    district = tmp_path / "broken"
    shutil.copytree(SAMPLE, district, ignore=shutil.ignore_patterns("year2", "scenarios"))
    settings = district / "settings.yaml"
    settings.write_text(settings.read_text().replace("need_weight: 0.4", "need_weight: lots"))
    studio = start_studio(district)
    try:
        visit = Visit(browser, axe, studio.url, studio.port, width=375)
        visit.page.wait_for_selector("h1:has-text('need fixing')")
        visit.check("input-errors-375")
        assert visit.problems == []
    finally:
        stop_studio(studio)


def test_a_spring_after_with_a_launched_group(browser, axe, sample_outputs, tmp_path):
    """Group 1 has launched: its schools have no Move menu, no menu offers it, and a school's
    page says it cannot be joined; axe on each state, at 1024 and 375 px."""
    district = tmp_path / "year2"
    shutil.copytree(SAMPLE / "year2", district, ignore=shutil.ignore_patterns("scenarios"))
    studio = start_studio(district, "--previous", str(sample_outputs[0] / "plan.csv"))
    try:
        studio.json("POST", "/api/plan")
        plan = {s["school_id"]: s["cohort"] for s in studio.wait_for_plan()["schools"]}
        launched = next(s for s in sorted(plan) if plan[s] == 1)
        recorded = load_inputs(district).district.launch_by_school  # the Launches sheet
        other = next(s for s in sorted(plan) if plan[s] == 2 and s not in recorded)
        visit = Visit(browser, axe, studio.url, studio.port, width=1024)
        page = visit.page
        page.wait_for_selector("h1:has-text('Board')")
        row = page.locator(f"#school-{launched}")
        assert "launched: it stays" in row.inner_text() and row.locator("select").count() == 0
        # launched early with Group 2, withdrawn: judged per school, no Move menu either
        early = page.locator("#school-ES040")
        assert "launched in " in early.inner_text() and early.locator("select").count() == 0
        gone = page.locator("#school-ES071")
        assert "withdrawn: it stays where it was" in gone.inner_text()
        assert gone.locator("select").count() == 0
        assert page.locator(f"#move-{other} option[value='1']").count() == 0
        visit.check("spring-board")
        visit.press_on(f"#school-{other} th a")
        page.wait_for_selector("h2:has-text('Where else could it go?')")
        assert "a school cannot join it now" in page.locator(".options").inner_text()
        assert page.locator(".options button:has-text('Group 1')").count() == 0
        visit.check("spring-where-else")
        phone = Visit(browser, axe, studio.url, studio.port, width=375)  # the key's cookie
        phone.page.wait_for_selector("h1")
        phone.page.goto(f"http://127.0.0.1:{studio.port}/schools/{launched}")
        phone.page.wait_for_selector("h2:has-text('Where else could it go?')")
        assert "it stays in that group" in phone.page.locator("main").inner_text()
        assert phone.page.locator("form[action='/actions/decide']").count() == 0
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 375
        phone.check("spring-launched-school-375")
        assert visit.problems == [] and phone.problems == []
    finally:
        stop_studio(studio)
