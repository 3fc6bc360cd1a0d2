"""The public website (#16) in a real browser: headless Chromium from Debian's packages, driven
by Playwright, checked by axe-core (axe-playwright-python).

Every kind of page (every template), in both languages, at 375 and 1280 px, and the other
cases worth seeing (the longest name, the school that moved, a new school, the first spring's
overview, a cohort's list, hostile names, a branded site) at 375 px: no console error, no
request outside file://, 0 axe violations of WCAG 2.1 A and AA, no sideways scrolling on a
phone; a full-page screenshot of each is written to build/site-screenshots/ to look at. Then
the language switch, the cohort filter, the filter box and sorting, and the keyboard.

Without Chromium these tests skip, saying how to install it; under CI=true a missing browser
fails the run.
"""
from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from rollout.devtools.synthetic_site import write_output_folder
from rollout.intake.settings import Publish
from rollout.outputs.site import build_site
from tests.browser_kit import WCAG, axe, browser  # noqa: F401 (fixtures)

WIDTHS = (375, 1280)
CORE = ("overview", "schools", "data", "school-moved")  # every template: both languages, widths
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "site-screenshots"
HOSTILE = {0: "<script>alert('x')</script> Elementary", 1: '=HYPERLINK("http://e.x","y")',
           2: "Escuela Ñandú 🌟 " + "Very Long Name Academy of the Arts and Sciences " * 2}


# A 2x2 PNG (the logo of the branded site).
LOGO = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73"
                     "0000001049444154789c63a89297072206080500159a02e1b9d962e50000000049"
                     "454e44ae426082")


@pytest.fixture(scope="module")
def site(sample_outputs) -> Path:
    """The sample's re-plan site (it has every section: history, moves, a new school)."""
    return sample_outputs[1] / "site"


def plan_rows(site: Path) -> list[dict]:
    return list(csv.DictReader((site.parent / "plan.csv").open(encoding="utf-8")))


def page_kinds(site: Path, first_site: Path, hostile: Path, branded: Path) -> dict[str, Path]:
    """One page of every template and every case worth seeing, by a short name."""
    rows = plan_rows(site)
    longest = max(rows, key=lambda r: (len(r["school_name"]), r["school_id"]))
    changes = list(csv.DictReader((site.parent / "changes.csv").open()))
    history = Counter(r["school_id"] for r in csv.DictReader(
        (site.parent / "history.csv").open()) if r["school_id"] in {c["school_id"]
                                                                   for c in changes})
    moved = max((c for c in changes if c["change"].startswith("moved")),
                key=lambda c: (history[c["school_id"]], c["school_id"]))
    new = next(c for c in changes if c["change"] == "new school")
    hostile_id = csv.DictReader((hostile.parent / "plan.csv").open()).__next__()["school_id"]
    kinds = {
        "overview": site / "index.html", "overview-first-spring": first_site / "index.html",
        "schools": site / "schools.html", "schools-cohort": site / "schools-c2.html",
        "data": site / "data.html",
        "school-longest-name": site / "schools" / f"{longest['school_id']}.html",
        "school-moved": site / "schools" / f"{moved['school_id']}.html",
        "school-new": site / "schools" / f"{new['school_id']}.html",
        "hostile-schools": hostile / "schools.html",
        "hostile-school": hostile / "schools" / f"{hostile_id}.html",
        "branded-overview": branded / "index.html",
    }
    for name, path in list(kinds.items()):
        if name in CORE or name == "hostile-school":
            root = hostile if name.startswith("hostile") else site
            kinds[f"{name}-es"] = root / "es" / path.relative_to(root)
    return kinds


def widths(name: str) -> tuple[int, ...]:
    """Every template in both languages at both widths; the other cases (the same templates
    with other content) at a phone's width, where long text is hardest to fit."""
    return WIDTHS if name.removesuffix("-es") in CORE else WIDTHS[:1]


@pytest.fixture(scope="module")
def kinds(site, sample_outputs, tmp_path_factory) -> dict[str, Path]:
    out = write_output_folder(tmp_path_factory.mktemp("hostile") / "out", 40, names=HOSTILE)
    build_site(out, out / "site", Publish(), out)
    (out / "logo.png").write_bytes(LOGO)
    build_site(out, out / "branded", Publish(
        accent_colour="#7A1F1F", logo="logo.png", title={"en": "Our digital classrooms",
                                                        "es": "Nuestras aulas digitales"}), out)
    return page_kinds(site, sample_outputs[0] / "site", out / "site", out / "branded")


class Visit:
    """A page opened at a width, with what went wrong while it loaded."""

    def __init__(self, browser, path: Path, width: int):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def close(self):
        self.context.close()


def test_every_kind_of_page_loads_clean_and_passes_axe_at_both_widths(browser, axe, kinds):
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    failures = []
    for name, path in kinds.items():
        assert path.is_file(), path
        for width in widths(name):
            visit = Visit(browser, path, width)
            page = visit.page
            outside = [u for u in visit.requests if not u.startswith("file://")]
            errors = list(visit.errors)  # before axe, which fetches the style sheet itself
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG},
                                             "resultTypes": ["violations"]})
            violations = [f"{v['id']}: {v['nodes'][0]['target']} {v['help']}"
                          for v in results.response["violations"]]
            sideways = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth")
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
            lang = page.evaluate("document.documentElement.lang")
            for problem, bad in (("console errors", errors),
                                 ("requests outside file://", outside),
                                 ("axe violations", violations), ("dialogs", visit.dialogs),
                                 ("scrolls sideways by px", sideways > 0 and [sideways]),
                                 ("wrong lang", lang != ("es" if name.endswith("-es")
                                                         else "en") and [lang])):
                if bad:
                    failures.append(f"{name} at {width} px: {problem}: {bad}")
            visit.close()
    assert not failures, "\n".join(failures)
    print(f"screenshots in {SCREENSHOTS}")


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(browser, kinds):
    for name, path in kinds.items():
        if name not in CORE:
            continue
        visit = Visit(browser, path, 1280)
        page = visit.page
        page.click("a[hreflang=es]")
        assert page.url == kinds[f"{name}-es"].resolve().as_uri(), name
        assert page.evaluate("document.documentElement.lang") == "es"
        page.click("a[hreflang=en]")
        assert page.url == path.resolve().as_uri(), name
        visit.close()


def visible_rows(page) -> list[list[str]]:
    return page.evaluate("""Array.from(document.querySelectorAll('#school-list tbody tr'))
        .filter(r => !r.hidden).map(r => Array.from(r.cells).map(c => c.innerText.trim()))""")


def test_choosing_a_cohort_shows_exactly_its_schools(browser, site):
    rows = plan_rows(site)
    visit = Visit(browser, site / "schools.html", 375)
    page = visit.page
    assert len(visible_rows(page)) == len(rows)
    for cohort in ("Group 1", "Group 3"):
        page.click(f".chips a:text-is('{cohort} (launch " + next(
            r["launch_term"] for r in rows if r["cohort_name"] == cohort) + ")')")
        # The chip is a link to the cohort's own page: read it once it has loaded (on a busy
        # machine the list was read half-parsed).
        page.wait_for_url(lambda url: "schools-c" in url)
        page.wait_for_load_state("load")
        shown = visible_rows(page)
        expected = {r["school_id"] for r in rows if r["cohort_name"] == cohort}
        assert {cells[1] for cells in shown} == expected
        assert {cells[2] for cells in shown} == {cohort}
        assert page.get_attribute(".chips a[aria-current=page]", "href").startswith(
            "schools-c")
    visit.close()


def test_the_filter_box_and_sorting_work_on_the_list(browser, site):
    rows = plan_rows(site)
    visit = Visit(browser, site / "schools.html", 1280)
    page = visit.page
    assert page.is_visible("#filter")  # hidden without the script, shown with it
    target = rows[7]
    page.fill("#filter", target["school_id"].lower())
    shown = visible_rows(page)
    assert [cells[1] for cells in shown] == [target["school_id"]]
    assert page.inner_text(".filter-status") == "1 school shown"
    region = rows[0]["region"]
    page.fill("#filter", region)
    assert len(visible_rows(page)) >= sum(r["region"] == region for r in rows)
    page.fill("#filter", "")
    page.click("th[data-column=school_id] button")
    ids = [cells[1] for cells in visible_rows(page)]
    assert ids == sorted(r["school_id"] for r in rows)
    assert page.get_attribute("th[data-column=school_id]", "aria-sort") == "ascending"
    page.click("th[data-column=school_id] button")
    assert [cells[1] for cells in visible_rows(page)] == ids[::-1]
    page.click("th[data-column=launch_term] button")
    terms = [cells[3] for cells in visible_rows(page)]
    order = ["2028 Spring", "2028 Fall", "2029 Spring", "2029 Fall", "2030 Spring",
             "–"]  # a withdrawn school launches in no term: last
    assert [order.index(t) for t in terms] == sorted(order.index(t) for t in terms)
    visit.close()


def test_every_link_button_and_field_is_reachable_with_the_keyboard(browser, kinds):
    for name in ("overview", "schools", "school-moved-es"):
        visit = Visit(browser, kinds[name], 1280)
        page = visit.page
        targets = page.evaluate("""Array.from(document.querySelectorAll(
            'a[href], button, input')).filter(e => e.offsetParent !== null).length""")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        reached = set()
        for _ in range(targets + 5):
            reached.add(page.evaluate("""(() => { const e = document.activeElement;
                const all = Array.from(document.querySelectorAll('a[href], button, input'));
                return all.indexOf(e); })()"""))
            page.keyboard.press("Tab")
        reached.discard(-1)
        assert len(reached) == targets, name
        visit.close()
