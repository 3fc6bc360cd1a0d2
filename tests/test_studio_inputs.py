"""The studio's Plan and Inputs pages (#25): before a plan `/` is the Plan page (the district
at a glance and the Plan button); with input errors it is the Inputs page. The Inputs page
lists what needs a person first (problems, then warnings by kind with counts, each with file,
sheet, row and column), which file was read how folded away at the end, and "Read again" says
what changed. axe finds no violation in any of these states, at 1024/1280 and 375 px."""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rollout.errors import FILE_READ, NOTE_KINDS, OTHER_NOTE
from rollout.studio.pages import Pages, located
from rollout.studio.session import Session
from tests.browser_kit import axe, browser  # noqa: F401 (fixtures)
from tests.studio_kit import start_studio, stop_studio
from tests.test_studio_browser import Visit

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
BROKEN = ("need_weight: 0.4", "need_weight: lots")


def copy_sample(folder: Path) -> Path:
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("year2", "scenarios"))
    return folder


def break_settings(district: Path, broken: bool = True) -> None:
    settings = district / "settings.yaml"
    old, new = BROKEN if broken else BROKEN[::-1]
    settings.write_text(settings.read_text().replace(old, new))


def break_survey(district: Path, broken: bool = True) -> None:
    """Row 3 of the CSV form export: a first answer that is not a level of the scale."""
    csv = district / "surveys" / "form_export_2.csv"
    lines = csv.read_text().split("\n")
    old, new = ("3 - Advanced", "banana") if broken else ("banana", "3 - Advanced")
    lines[2] = lines[2].replace(old, new, 1)
    csv.write_text("\n".join(lines))


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    return copy_sample(tmp_path_factory.mktemp("studio_inputs") / "district")


@pytest.fixture(scope="module")
def pages(district) -> Pages:
    session = Session(district)
    session.read()
    return Pages(session)


class Outline(HTMLParser):
    """The page's title, headings, current nav entry and table header rows, in order."""

    def __init__(self, html: str):
        super().__init__()
        self.title, self.headings, self.current, self.tables = "", [], "", []
        self.open, self.text, self.in_details = None, "", 0
        self.details_headers = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("title", "h1", "h2", "h3", "summary", "caption") or (
                tag == "a" and attrs.get("aria-current") == "page"):
            self.open, self.text = tag if tag != "a" else "current", ""
        if tag == "details":
            self.in_details += 1
        if tag == "thead":
            self.tables.append([])
        if tag == "th" and attrs.get("scope") == "col":
            self.open, self.text = "th", ""

    def handle_endtag(self, tag):
        if tag == "details":
            self.in_details -= 1
        if self.open and tag in (self.open, "a" if self.open == "current" else ""):
            text = " ".join(self.text.split())
            if self.open == "title":
                self.title = text
            elif self.open == "current":
                self.current = text
            elif self.open == "th":
                self.tables[-1].append(text)
            else:
                self.headings.append((self.open, text, self.in_details > 0))
            self.open = None

    def handle_data(self, data):
        if self.open:
            self.text += data


def test_a_note_keeps_file_sheet_row_and_column():
    note = located("d/surveys/f.xlsx, sheet 'Form 1', row 71, column school: name 'X' matched")
    assert (note.file, note.sheet, note.row, note.column) == ("d/surveys/f.xlsx", "Form 1", 71,
                                                              "school")
    assert note.message == "name 'X' matched"
    assert located("ES046 (Lincoln): no survey answers yet").file == "ES046 (Lincoln)"
    assert located("no place here").file == ""


def test_before_a_plan_slash_is_the_plan_page(pages):
    html = pages.home()
    outline = Outline(html)
    assert outline.title == "Plan: Sample County Schools · rollout"
    assert ("h1", "Plan: Sample County Schools", False) in outline.headings
    assert outline.current == "Plan"  # the nav names the page it is on
    assert 'action="/actions/plan"' in html and 'id="progress"' in html
    assert "8 warnings on the district's files to check" in html and 'href="/inputs"' in html


def test_the_inputs_page_puts_what_needs_a_person_first(pages, district):
    html = pages.inputs()
    outline = Outline(html)
    assert outline.title == "Inputs · rollout" and outline.current == "Inputs"
    texts = [text for _, text, _ in outline.headings]
    warnings = texts.index("8 warnings to check")
    files = texts.index("Files read")
    assert warnings < texts.index("Survey returns") < files
    kinds = [text for tag, text, _ in outline.headings if tag == "h3"]
    assert kinds == ["School names matched loosely: check it is the right school (4)",
                     "Answers sent twice (one copy kept) (2)", "Other notes (2)"]
    # the file-layout lines: folded away at the end, counted, by file name inside the folder
    summary = next(t for tag, t, _ in outline.headings if tag == "summary" and "read" in t)
    assert summary == "How 297 survey files and sheets were read"
    assert html.index("<details>", html.index('id="files-title"')) > 0
    assert html.count(str(district)) == 1  # the folder is named once, at the top
    assert "<td>surveys/ES046_principal_1.xlsx</td>" in html
    assert "read as survey template" not in html  # "Read as" is the column's header
    # each warning with file, sheet, row and column, in a table with column headers
    assert ["What was found", "File or school", "Sheet", "Row", "Column"] in outline.tables
    assert re.search(r"<td>school name 'Magnolia[^<]*</td><td>surveys/form_export_1\.xlsx</td>"
                     r"<td>Form Responses 1</td><td class=\"number\">71</td><td></td></tr>",
                     html.replace("&#39;", "'"))


def test_every_kind_of_warning_has_its_own_heading(pages):
    words = pages.env.get_template("words.html").module
    headings = [words.note_kind(kind).strip() for kind in NOTE_KINDS
                if kind not in (OTHER_NOTE, FILE_READ)]
    assert "Other notes" not in headings and len(set(headings)) == len(headings)


def test_input_errors_open_on_the_inputs_page_and_read_again_says_what_changed(tmp_path):
    district = copy_sample(tmp_path / "district")
    break_settings(district)
    break_survey(district)
    session = Session(district)
    session.read()
    pages = Pages(session)
    outline = Outline(pages.home())
    assert outline.title == "Inputs · rollout" and outline.current == "Inputs"
    assert outline.headings[0][1] == "Inputs: the district's files need fixing"
    assert ["Problem", "File", "Sheet", "Row", "Column"] in outline.tables
    assert "<td>settings.yaml</td>" in pages.inputs()
    assert "<h3>" not in pages.inputs()  # one file: no heading per file

    session.read_again()  # nothing fixed yet
    assert announced(pages) == "Read again: still 1 problem."
    break_settings(district, broken=False)  # the surveys are read now: their problem shows
    session.read_again()
    assert announced(pages) == "Read again: still 1 problem (1 fixed, 1 new)."
    html = pages.inputs()
    assert re.search(r"\(found &#39;banana&#39;\)</td><td>surveys/form_export_2\.csv</td><td></td>"
                     r"<td class=\"number\">3</td><td>E \(INF1 ", html)
    assert "School names matched loosely" in html  # the notes on that file, with its problem
    break_survey(district, broken=False)
    session.read_again()
    assert announced(pages) == "Read again: 0 problems now (1 fixed)."
    session.read_again()
    assert announced(pages) == "Read again: no problems; 8 warnings to check."
    assert Outline(pages.home()).current == "Plan"


def announced(pages: Pages) -> str:
    html = pages.inputs()
    return " ".join(re.search(r'<p id="announce-text">(.*?)</p>', html, re.S)[1].split())


@pytest.mark.parametrize("width", [1024, 375])
def test_a_district_with_warnings_only_in_a_browser(browser, axe, district, width):
    studio = start_studio(district)
    try:
        visit = Visit(browser, axe, studio.url, studio.port, width=width)
        visit.page.wait_for_selector("h1:has-text('Plan:')")
        visit.check(f"plan-before-{width}")
        visit.press_on("nav a[href='/inputs']")
        visit.page.wait_for_selector("h1:has-text('Inputs')")
        visit.check(f"inputs-warnings-{width}")
        visit.page.locator("details summary").last.click()  # the files read, unfolded
        visit.check(f"inputs-files-read-{width}")
        visit.press_on("form[action='/actions/read-again'] button")
        visit.page.wait_for_function("document.getElementById('announce-text').textContent"
                                     ".includes('Read again: no problems')")
        if width == 1024:
            visit.press_on("nav a[href='/']")
            visit.page.wait_for_selector("form[action='/actions/plan'] button")
            visit.press_on("form[action='/actions/plan'] button")
            visit.page.wait_for_selector("#progress-text, h1:has-text('Board')")
            if visit.page.locator("#progress-text").count():
                visit.check("plan-solving-1024")
            visit.page.wait_for_selector("h1:has-text('Board')", timeout=60_000)
            visit.check("plan-after-1024")
        assert visit.problems == []
    finally:
        stop_studio(studio)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_district_with_input_errors_in_a_browser(browser, axe, tmp_path, width):
    district = copy_sample(tmp_path / "broken")
    break_survey(district)
    studio = start_studio(district)
    try:
        visit = Visit(browser, axe, studio.url, studio.port, width=width)
        page = visit.page
        page.wait_for_selector("h1:has-text('need fixing')")
        assert page.title() == "Inputs · rollout"
        assert page.locator("nav a[aria-current='page']").inner_text() == "Inputs"
        visit.check(f"inputs-errors-{width}")
        break_survey(district, broken=False)
        visit.press_on("form[action='/actions/read-again'] button")
        page.wait_for_function("document.getElementById('announce-text').textContent"
                               ".includes('0 problems now (1 fixed)')")
        assert page.locator("h1").inner_text() == "Inputs: the district at a glance"
        visit.check(f"inputs-fixed-{width}")
        assert visit.problems == []
    finally:
        stop_studio(studio)


def test_problems_in_several_files_are_grouped_by_file_with_counts(tmp_path):
    district = copy_sample(tmp_path / "district")
    break_survey(district)
    # another file from other respondents, with two answers off the scale
    lines = (district / "surveys" / "form_export_2.csv").read_text().split("\n")
    lines = [line.replace("@district.example", "@copy.example") for line in lines]
    lines[2], lines[3] = lines[2].replace("banana", "apple"), lines[3].replace("3 - ", "7 - ", 1)
    (district / "surveys" / "form_export_3.csv").write_text("\n".join(lines))
    session = Session(district)
    session.read()
    outline = Outline(Pages(session).inputs())
    heads = [text for tag, text, _ in outline.headings if tag in ("h2", "h3")]
    assert heads[:3] == ["3 problems to fix before planning",
                         "surveys/form_export_2.csv (1 problem)",
                         "surveys/form_export_3.csv (2 problems)"]
