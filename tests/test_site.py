"""The public website (#16), without a browser: what it holds and never holds, its catalogs,
its charts' names, escaping, determinism, size and the publish command. The browser's checks
(axe, keyboard, language switch, filter) are in test_site_browser.py."""
from __future__ import annotations

import csv
import filecmp
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from babel import Locale
from babel.messages.pofile import read_po
from click.testing import CliRunner

from rollout.cli import cli
from rollout.devtools.catalogs import extract
from rollout.devtools.synthetic_site import REASON, write_output_folder
from rollout.errors import InputError, Problems
from rollout.intake.settings import (
    Publish,
    contrast_with_white,
    load_settings,
    settings_from_dict,
)
from rollout.outputs.site import build_site, publish_site
from rollout.outputs.site.build import PHASE_TEXT, TEMPLATE_MESSAGES, public_columns
from rollout.outputs.site.i18n import LOCALE_DIR, Language, available_languages, catalog_path
from rollout.outputs.site.public import SiteSource, stage
from rollout.outputs.site.reasons import public_reasons
from rollout.outputs.site.source import (
    SOURCE_FILE,
    CohortInfo,
    moves_so_far,
    read_site_source,
)
from rollout.pipeline import plan_district
from tests.factory import BASE_SETTINGS, merge, write_district_folder

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
# Attributes that hold drawing coordinates in the charts: decimals there are geometry.
GEOMETRY = {"d", "transform", "x", "y", "x1", "x2", "y1", "y2", "width", "height", "viewbox",
            "points", "cx", "cy", "r", "dx", "dy", "stroke-width", "font-size", "opacity",
            "stroke-dasharray", "stroke-miterlimit", "fill-opacity", "stroke-opacity"}
NOT_PUBLISHED = next(m for m in TEMPLATE_MESSAGES if m.startswith("Survey answers, anything"))
DECIMAL = re.compile(r"(?<![\d.,])\d+[.,]\d+(?![\d.,])")


class Page(HTMLParser):
    """Text, attributes and elements of one HTML page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.elements: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_data(self, data):
        if data.strip():
            self.texts.append(data)


def site_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file())


def visible_text(path: Path) -> str:
    """Every word a reader or a script could get from the file: text, attribute values other
    than chart geometry, CSV cells."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        return "\n".join(cell for row in csv.reader(text.splitlines()) for cell in row)
    if path.suffix != ".html":
        return text
    page = Page(text)
    return "\n".join(page.texts + [v for _, name, v in page.attributes
                                   if name not in GEOMETRY])


@pytest.fixture(scope="module")
def sites(sample_outputs):
    """The sample's two sites: the first spring's and the re-plan's."""
    return tuple(out / "site" for out in sample_outputs)


def plan_rows(out: Path) -> list[dict]:
    return list(csv.DictReader((out / "plan.csv").open(encoding="utf-8")))


# ----- what is there ---------------------------------------------------------------------

def test_plan_writes_the_site_beside_the_other_outputs(sample_outputs, sites):
    for out, site in zip(sample_outputs, sites):
        assert (out / "site-source.json").is_file()
        for lang_root in (site, site / "es"):
            for page in ("index.html", "schools.html", "data.html",
                         *[f"schools-c{n}.html" for n in range(1, 6)]):
                assert (lang_root / page).is_file(), lang_root / page
            ids = {r["school_id"] for r in plan_rows(out)}
            assert {p.stem for p in (lang_root / "schools").glob("*.html")} == ids
        assert (site / "plan-public.csv").is_file()
        assert (site / "static" / "site.css").is_file()


def test_every_page_has_its_language_and_a_switch_to_the_same_page(sites):
    site = sites[1]
    for path in site_files(site):
        if path.suffix != ".html":
            continue
        spanish = path.relative_to(site).parts[0] == "es"
        text = path.read_text(encoding="utf-8")
        assert text.startswith(f'<!DOCTYPE html>\n<html lang="{"es" if spanish else "en"}">')
        page = Page(text)
        switch = [a for tag, a in page.elements if tag == "a" and "hreflang" in a]
        assert len(switch) == 1
        twin = (path.parent / switch[0]["href"]).resolve()
        expected = site / path.relative_to(site / "es") if spanish else \
            site / "es" / path.relative_to(site)
        assert twin == expected.resolve() and twin.is_file()


def test_links_lead_to_pages_of_the_site_and_nothing_is_fetched_from_elsewhere(sites):
    site = sites[1]
    for path in site_files(site):
        if path.suffix not in (".html", ".css", ".js"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "@import" not in text and "url(" not in text
        if path.suffix != ".html":
            assert "http" not in text
            continue
        for tag, attrs in Page(text).elements:
            for name in ("href", "src", "action", "srcset", "data"):
                target = attrs.get(name)
                if target is None or tag == "svg":
                    continue
                assert "://" not in target and not target.startswith("//"), (path, target)
                file = target.split("#")[0]
                if file:
                    assert (path.parent / file).resolve().is_file(), (path, target)


# ----- what is never there ---------------------------------------------------------------

def private_strings(out: Path) -> set[str]:
    """Text from the outputs that must never reach the site."""
    strings = set()
    for row in plan_rows(out):
        strings |= {row["reasons"], row["role_gap"]} - {""}
    strings |= {row["reason"] for row in csv.DictReader((out / "changes.csv").open())}
    for row in csv.DictReader((out / "upgrades.csv").open()):
        strings |= {row["upgrade"], f"{float(row['cost']):,.0f}", row["cost"]}
    return strings


def test_privacy_no_file_of_the_sample_site_holds_anything_private(sample_outputs, sites):
    """Survey answers, per-respondent or per-role figures, principal/teacher gaps, priority and
    need, preferences, upgrade costs and the Data issues are never published."""
    surveys = "\n".join(p.read_text(errors="ignore") for p in (SAMPLE / "surveys").rglob("*.csv"))
    emails = set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", surveys))
    assert emails
    for out, site in zip(sample_outputs, sites):
        private = private_strings(out) | emails
        files = site_files(site)
        assert {p.suffix for p in files} >= {".html", ".csv", ".css", ".js"}
        for path in files:
            text = visible_text(path)
            found = [s for s in private if s and s in text]
            assert not found, (path, found[:3])
            # Scores are not published by default: no figure with decimals at all (priority,
            # need, readiness, coverage, role gaps are all written with one).
            if path.suffix not in (".css", ".js"):  # the same static files on every site
                assert not DECIMAL.findall(text), (path, DECIMAL.findall(text)[:5])
            for lang in (Language("en"), Language("es")):  # the Data page says what is not
                text = text.replace(lang.gettext(NOT_PUBLISHED), "")  # published: no leak
            lowered = text.lower()
            for word in ("priority", "prioridad", "respondent", "role_gap", "preferred",
                         "form_export", "survey_templates", ".xlsx", "mbps", " fte"):
                assert word not in lowered, (path, word)


def test_published_scores_show_a_schools_own_scores_and_never_its_need_or_priority(
        sample_outputs, tmp_path):
    out = sample_outputs[1]
    site = tmp_path / "site"
    build_site(out, site, Publish(scores=True), SAMPLE / "year2")
    for row in plan_rows(out)[:40]:
        text = visible_text(site / "schools" / f"{row['school_id']}.html")
        shown = set(DECIMAL.findall(text))
        scores = {row[k] for k in ("infrastructure", "technology", "instructional",
                                   "readiness") if row[k]}
        assert scores <= shown
        for private in (row["need"], row["priority"]):
            assert private not in shown - scores
    header = next(csv.reader((site / "plan-public.csv").open()))
    assert header == public_columns(True) and "need" not in header and "priority" not in header


def test_public_csv_has_exactly_the_columns_of_the_schools_list(sample_outputs, sites):
    out, site = sample_outputs[1], sites[1]
    rows = list(csv.DictReader((site / "plan-public.csv").open(encoding="utf-8")))
    page = Page((site / "schools.html").read_text(encoding="utf-8"))
    columns = [a["data-column"] for tag, a in page.elements if tag == "th" and
               "data-column" in a]
    assert list(rows[0]) == columns == public_columns(False)
    assert [r["school_id"] for r in rows] == sorted(r["school_id"] for r in plan_rows(out))
    listed = {r["school_id"]: r for r in rows}
    for row in plan_rows(out):
        assert listed[row["school_id"]]["cohort"] == row["cohort_name"]
        assert listed[row["school_id"]]["school_name"] == row["school_name"]


# ----- charts, catalogs, words -----------------------------------------------------------

def test_every_svg_is_an_image_with_a_title_and_a_description(sites):
    count = 0
    for path in site_files(sites[1]):
        if path.suffix != ".html":
            continue
        text = path.read_text(encoding="utf-8")
        elements = Page(text).elements
        ids = {a.get("id") for _, a in elements}
        for position, (tag, attrs) in enumerate(elements):
            if tag != "svg":
                continue
            count += 1
            assert attrs.get("role") == "img"
            assert [t for t, _ in elements[position + 1:position + 3]] == ["title", "desc"]
            assert all(ref in ids for ref in attrs["aria-labelledby"].split())
        for svg in re.findall(r"<svg.*?</svg>", text, re.S):
            title = re.search(r"<title[^>]*>([^<]+)</title>", svg)
            desc = re.search(r"<desc[^>]*>([^<]+)</desc>", svg)
            assert title and desc and len(desc.group(1)) > 40
    assert count == 8  # four on each language's overview


def test_chart_specifications_are_valid_vega_lite(sample_outputs):
    import altair as alt

    from rollout.outputs.site.build import SiteBuilder
    from rollout.outputs.site.charts import CHARTS
    from rollout.outputs.site.public import read_public_plan

    plan = read_public_plan(sample_outputs[1], False, Problems())
    builder = SiteBuilder(plan, Publish())
    for lang in builder.languages:
        builder.overview(lang)
    assert {s.kind for s in builder.slots} == set(CHARTS)
    for made in builder.slots:
        chart = CHARTS[made.kind](**made.args)
        assert isinstance(chart, alt.TopLevelMixin)
        chart.to_dict(validate=True)  # against Vega-Lite's JSON schema


def test_catalogs_translate_every_message_with_every_plural_form():
    template = extract()
    ids = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}
    assert {"en", "es"} <= set(available_languages())
    for lang in available_languages():
        with catalog_path(lang).open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        have = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                for m in catalog if m.id}
        assert ids <= have, (lang, sorted(ids - have)[:5])
        forms = Locale.parse(lang).plural_form.tags | {"other"}
        for message in catalog:
            if not message.id:
                continue
            strings = [message.string] if isinstance(message.string, str) \
                else list(message.string)
            assert all(s for s in strings), (lang, message.id)
            if not isinstance(message.id, str):
                assert len(strings) == catalog.num_plurals == len(forms), (lang, message.id)
            for placeholder in re.findall(r"%\((\w+)\)s", str(message.id)):
                assert all(f"%({placeholder})s" in s for s in strings), (lang, message.id)
    assert Locale.parse("es").plural_form.tags | {"other"} == {"one", "many", "other"}


def test_templates_use_only_messages_of_the_catalogs():
    used = set()
    for template in (LOCALE_DIR.parent / "templates").glob("*.html"):
        used |= set(re.findall(r'L\["([^"]+)"\]', template.read_text()))
    assert used == set(TEMPLATE_MESSAGES)


def test_phases_are_described_in_the_words_of_the_principal_workbook():
    import importlib
    import pkgutil

    import rollout.outputs as outputs

    found = None
    for module in pkgutil.iter_modules(outputs.__path__):
        words = getattr(importlib.import_module(f"rollout.outputs.{module.name}"),
                        "PHASE_TEXT", None)
        if module.name != "site" and words is not None:
            found = words
    assert found == PHASE_TEXT


@pytest.mark.parametrize("change, reason, expected", [
    ("later", REASON, ("coaching", "network", "scores")),
    ("later", "Capacity changed: staying in Group 3 would break: Group 5 would have 13 "
              "schools, below the minimum of 14.", ("size",)),
    ("earlier", "New preference (Group 1): staying in Group 3 was possible, but the plan is "
                "clearly better with the move (it outweighs the churn weight).", ("better",)),
    ("later", "New preference (Group 4): staying in Group 2 would break: ES001 is locked to "
              "Group 4.", ("whole",)),
    ("later", "The plan as a whole changed: staying in Group 1 would break: the Oak HS feeder "
              "pattern would spread over 3 cohorts (at most 2 allowed).", ("feeder",)),
    ("new", "New since last year's plan.", ()),
])
def test_public_reasons_never_repeat_central_offices_words(change, reason, expected):
    assert public_reasons(change, reason) == expected


def test_the_sample_re_plan_tells_why_a_school_moved_in_plain_words(sample_outputs, sites):
    changes = list(csv.DictReader((sample_outputs[1] / "changes.csv").open()))
    moved = next(c for c in changes if c["change"].startswith("moved"))
    page = visible_text(sites[1] / "schools" / f"{moved['school_id']}.html")
    assert "Moved to a later cohort." in page or "Moved to an earlier cohort." in page
    assert "coaches" in page and moved["reason"][:30] not in page
    spanish = visible_text(sites[1] / "es" / "schools" / f"{moved['school_id']}.html")
    assert "Pasó a un grupo" in spanish and "asesores" in spanish
    overview = visible_text(sites[1] / "index.html")
    assert "What changed since last year" in overview and "1 school moved to a" in overview
    assert "What changed since last year" not in visible_text(sites[0] / "index.html")


def test_what_changed_counts_delays_as_later_and_groups_each_school_once(tmp_path):
    """#24: delayed schools launch later too; a school with three reasons is one school."""
    out = write_output_folder(tmp_path / "out", 40)
    ids = [r["school_id"] for r in plan_rows(out)]
    rows = [[ids[0], "A", "moved later", 1, "2028 Fall", 2, "2029 Spring", REASON],
            [ids[1], "B", "moved later", 1, "2028 Fall", 2, "2029 Spring", REASON],
            [ids[2], "C", "delayed", 1, "2028 Spring", 3, "2029 Fall", "Its launch did not"],
            [ids[3], "D", "delayed", 1, "2028 Spring", 3, "2029 Fall", "Its launch did not"],
            [ids[4], "E", "delayed", 1, "2028 Spring", 3, "2029 Fall", "Its launch did not"],
            [ids[5], "F", "withdrawn", 2, "2028 Fall", 2, "2028 Fall", "Withdrawn from"],
            [ids[6], "G", "paused", 1, "2028 Spring", 1, "2028 Spring", "Paused since"]]
    with (out / "changes.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["school_id", "school_name", "change", "old_cohort", "old_launch_term",
                         "new_cohort", "new_launch_term", "reason"])
        writer.writerows(rows)
    build_site(out, out / "site", Publish(), out)
    overview = visible_text(out / "site" / "index.html")
    assert "5 schools moved to a later cohort." in overview  # 2 moved + 3 delayed
    assert "1 school left the roll-out." in overview
    assert "1 school paused its roll-out." in overview
    # The two moved schools once each, under their three reasons together; the delays apart.
    assert overview.count(" school: ") + overview.count(" schools: ") == 2, overview
    assert ("3 schools: A launch that did not happen as planned: planned again for a later "
            "term." in overview)
    assert ("2 schools: Staying would have needed more coaches than the district has in a "
            "term. Staying would have needed more network capacity") in overview
    spanish = visible_text(out / "site" / "es" / "index.html")
    assert "5 escuelas pasaron a un grupo posterior." in spanish
    assert "1 escuela dejó la implementación." in spanish
    assert "3 escuelas: Un lanzamiento que no ocurrió como estaba previsto" in spanish


def test_a_withdrawn_school_takes_no_place_in_the_cohort_counts(sample_outputs, sites):
    rows = plan_rows(sample_outputs[1])
    withdrawn = next(r for r in rows if r["status"] == "withdrawn")
    cohort = withdrawn["cohort_name"]
    places = sum(r["cohort_name"] == cohort and r["status"] != "withdrawn" for r in rows)
    overview = visible_text(sites[1] / "index.html")
    assert re.search(rf"{cohort}\s+{places}\s", overview)
    assert not re.search(rf"{cohort}\s+{places + 1}\s", overview)


def test_a_re_plan_hands_its_public_moves_on_to_the_next_spring(tmp_path):
    out = write_output_folder(tmp_path / "out", 200)
    moves = moves_so_far(out)
    changed = list(csv.DictReader((out / "changes.csv").open()))
    assert [m.school_id for m in moves] == [c["school_id"] for c in changed] and moves
    assert {m.season for m in moves} == {"2028 Fall"}
    assert moves[0].reasons == ("coaching", "network", "scores")
    data = json.loads((out / SOURCE_FILE).read_text())
    data["earlier_moves"] = [m.as_json() for m in moves]
    (out / SOURCE_FILE).write_text(json.dumps(data))
    problems = Problems()
    again = read_site_source(out, problems)
    assert not problems and again.earlier_moves == tuple(moves)


# ----- stages ------------------------------------------------------------------------------

def source(current: str = "T3") -> SiteSource:
    terms = ("T1", "T2", "T3", "T4", "T5", "T6")
    return SiteSource("D", "2027-03-01", terms, current,
                      (CohortInfo(1, "G1", "T2"), CohortInfo(2, "G2", "T4")),
                      (-1, 0, 1, 2), "/nowhere", False)


@pytest.mark.parametrize("launch, status, expected", [
    (4, "", "not_started"), (3, "", "planning"), (2, "", "launching"), (1, "", "support"),
    (0, "", "support"), (-1, "", "complete"), (3, "delayed", "delayed"),
    (1, "paused", "paused"), (5, "withdrawn", "withdrawn"),
])
def test_stage_follows_the_coaching_profile_and_the_launch_records(launch, status, expected):
    assert stage(source(), launch, status) == expected


def test_launch_records_show_the_real_launch_and_holds_in_plain_words(tmp_path):
    out = write_output_folder(tmp_path / "out", 60, launches={
        0: ("delayed", ""), 1: ("paused", ""), 2: ("launched", "2028 Fall")})
    build_site(out, out / "site", Publish(), out)
    rows = list(csv.DictReader((out / "site" / "plan-public.csv").open()))
    by_id = {r["school_id"]: r for r in rows}
    ids = [r["school_id"] for r in plan_rows(out)]
    assert by_id[ids[0]]["stage"] == "delayed" and by_id[ids[1]]["stage"] == "paused"
    assert by_id[ids[2]]["launch_term"] == "2028 Fall" and by_id[ids[2]]["stage"] == "launching"
    page = visible_text(out / "site" / "schools" / f"{ids[2]}.html")
    assert "Launched in 2028 Fall; its cohort launched in 2028 Spring." in page
    assert "Delayed" in visible_text(out / "site" / "schools" / f"{ids[0]}.html")
    assert "Aplazada" in visible_text(out / "site" / "es" / "schools" / f"{ids[0]}.html")


# ----- hostile names, determinism, size ---------------------------------------------------

HOSTILE = {0: "<script>alert('x')</script> Elementary", 1: 'Lincoln "Abe" & Sons\' School',
           2: '=HYPERLINK("http://evil.example","click")', 3: "Escuela Ñandú 🌟 Primaria",
           4: "A" * 60 + " Very Long Name Academy" + " of the Arts and Sciences" * 3}


def test_hostile_school_names_are_text_everywhere(tmp_path):
    out = write_output_folder(tmp_path / "out", 80, names=HOSTILE)
    build_site(out, out / "site", Publish(), out)
    for path in site_files(out / "site"):
        if path.suffix != ".html":
            continue
        raw = path.read_text(encoding="utf-8")
        assert "<script>alert" not in raw and "alert('x')</script>" not in raw
        assert "http://evil" not in [a.get("href") for _, a in Page(raw).elements]
    ids = [r["school_id"] for r in plan_rows(out)]
    for position, name in HOSTILE.items():
        page = Page((out / "site" / "schools" / f"{ids[position]}.html").read_text())
        assert name in page.texts  # shown as the very text, escaped in the HTML
    public = list(csv.reader((out / "site" / "plan-public.csv").open(encoding="utf-8")))
    hyperlink = next(r for r in public if "HYPERLINK" in r[0])
    assert hyperlink[0].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it


def test_hostile_cohort_and_region_names_are_text_in_the_charts_too(tmp_path):
    out = write_output_folder(tmp_path / "out", 40)
    source = json.loads((out / SOURCE_FILE).read_text())
    source["cohorts"][0]["name"] = "<script>alert(1)</script> & \"G\""
    (out / SOURCE_FILE).write_text(json.dumps(source))
    rows = list(csv.reader((out / "plan.csv").open()))
    column = rows[0].index("region")
    for row in rows[1:]:
        row[column] = "<b>Nor&th</b>"
    with (out / "plan.csv").open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    build_site(out, out / "site", Publish(), out)
    for path in site_files(out / "site"):
        if path.suffix == ".html":
            raw = path.read_text(encoding="utf-8")
            assert "<script>alert" not in raw and "<b>Nor" not in raw, path
    index = Page((out / "site" / "index.html").read_text(encoding="utf-8"))
    assert "<b>Nor&th</b>" in index.texts  # the region's name as text, in tables and charts
    assert index.texts.count("<b>Nor&th</b>") == 2  # the chart panel and the table


def test_same_inputs_give_a_byte_identical_site(sample_outputs, tmp_path):
    out = sample_outputs[1]
    first, second = tmp_path / "a", tmp_path / "b"
    publish = load_settings(SAMPLE / "year2" / "settings.yaml", Problems()).publish
    build_site(out, first, publish, SAMPLE / "year2")
    build_site(out, second, publish, SAMPLE / "year2")
    names = [p.relative_to(first) for p in site_files(first)]
    assert names == [p.relative_to(second) for p in site_files(second)]
    _, mismatch, errors = filecmp.cmpfiles(first, second, [str(n) for n in names],
                                           shallow=False)
    assert not mismatch and not errors
    # and the same as `rollout plan` wrote
    _, mismatch, _ = filecmp.cmpfiles(first, out / "site", [str(n) for n in names],
                                      shallow=False)
    assert not mismatch


def test_pages_stay_light(sites):
    for site in sites:
        for overview in (site / "index.html", site / "es" / "index.html"):
            assert overview.stat().st_size < 300_000
        for page in site.rglob("schools/*.html"):
            assert page.stat().st_size < 40_000, page


def test_a_large_district_list_is_split_into_pages(tmp_path):
    out = write_output_folder(tmp_path / "out", 450)
    build_site(out, out / "site", Publish(languages=["en"]), out)
    site = out / "site"
    pages = sorted(site.glob("schools*.html"))
    listed = []
    for page in pages:
        rows = re.findall(r'<th scope="row" role="rowheader"[^>]*><a href="schools/([^"]+)'
                          r'\.html"', page.read_text())
        assert 0 < len(rows) <= 200
        if page.name.startswith("schools.") or page.name.startswith("schools-") and \
                page.name[8:9].isdigit():
            listed += rows
    assert (site / "schools-2.html").is_file() and (site / "schools-3.html").is_file()
    assert sorted(listed) == sorted(r["school_id"] for r in plan_rows(out))
    assert not (site / "es").exists()


# ----- settings and the publish command ----------------------------------------------------

def write_settings(folder: Path, publish: dict) -> Path:
    shutil.copytree(SAMPLE, folder)
    settings = yaml.safe_load((folder / "settings.yaml").read_text())
    settings["publish"] = publish
    (folder / "settings.yaml").write_text(yaml.safe_dump(settings))
    return folder


def test_publish_settings_are_validated_with_their_yaml_path(tmp_path):
    folder = write_settings(tmp_path / "d", {"languages": ["en", "en"], "scores": "maybe",
                                             "accent_colour": "#FFD700", "logo": "../x.png",
                                             "title": {"fr": "Bonjour"}, "colour": "red"})
    problems = Problems()
    load_settings(folder / "settings.yaml", problems)
    text = "\n".join(str(p) for p in problems.items)
    assert "setting 'publish.scores'" in text and "setting 'publish.colour'" in text
    assert "unknown setting" in text
    folder2 = write_settings(tmp_path / "d2", {"accent_colour": "#FFD700"})
    problems = Problems()
    load_settings(folder2 / "settings.yaml", problems)
    assert "contrast of 1.4:1 with white; WCAG AA needs 4.5:1" in str(problems.items[0])
    assert contrast_with_white("#1F3864") > 11


def test_the_logo_must_be_an_image_file_in_the_district_folder(tmp_path):
    folder = write_settings(tmp_path / "d", {"logo": "logo.png"})
    problems = Problems()
    load_settings(folder / "settings.yaml", problems)
    assert "publish.logo': file not found" in str(problems.items[0])
    (folder / "logo.png").write_text("not a picture")
    problems = Problems()
    load_settings(folder / "settings.yaml", problems)
    assert "logo.png is not a png image" in str(problems.items[0])


def test_a_language_without_a_catalog_stops_plan_before_solving(tmp_path):
    folder = write_settings(tmp_path / "d", {"languages": ["en", "fr"]})
    result = CliRunner().invoke(cli, ["plan", str(folder), "--out", str(tmp_path / "out")])
    assert isinstance(result.exception, InputError)
    message = result.exception.user_message()
    assert "publish.languages': there is no catalog for 'fr'" in message
    assert "settings.yaml" in message and not (tmp_path / "out").exists()


def test_publish_rebuilds_the_site_with_the_settings_as_they_are_now(sample_outputs, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(sample_outputs[1], out)
    district = write_settings(tmp_path / "d", {
        "languages": ["es", "en"], "scores": True, "accent_colour": "#7A1F1F",
        "title": {"es": "Nuestro plan digital", "en": "Our digital plan"}, "logo": "logo.png"})
    (district / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    result = CliRunner().invoke(cli, ["publish", str(out), "--district", str(district)])
    assert result.exit_code == 0, result.output
    assert "Open " in result.output
    index = (out / "site" / "index.html").read_text()
    assert index.startswith('<!DOCTYPE html>\n<html lang="es">')  # the first language at the top
    assert "Nuestro plan digital" in index and "--accent: #7A1F1F" in index
    assert (out / "site" / "static" / "logo.png").is_file()
    assert "Our digital plan" in (out / "site" / "en" / "index.html").read_text()
    assert "readiness" in next(csv.reader((out / "site" / "plan-public.csv").open()))


def test_publish_refuses_a_folder_that_is_not_a_site_and_keeps_the_old_site(sample_outputs,
                                                                           tmp_path):
    out = tmp_path / "out"
    shutil.copytree(sample_outputs[0], out)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_text("years of work")
    with pytest.raises(InputError, match="not a site made by rollout"):
        publish_site(out, precious)
    assert (precious / "thesis.docx").is_file()
    before = (out / "site" / "index.html").read_bytes()
    (out / "plan.csv").write_text("school_id\nX\n")  # no longer a plan the site can read
    with pytest.raises(InputError, match="required column 'school_name' is missing"):
        publish_site(out)
    assert (out / "site" / "index.html").read_bytes() == before


def test_publish_needs_a_folder_written_by_rollout_plan(tmp_path):
    result = CliRunner().invoke(cli, ["publish", str(tmp_path)])
    assert isinstance(result.exception, InputError)
    assert "site-source.json: not found" in result.exception.user_message()


# ----- names per language (#24 item 14) -----------------------------------------------------

def test_the_spanish_site_names_cohorts_and_regions_in_spanish(sites):
    school = next((sites[1] / "es" / "schools").glob("ES*.html"))
    spanish = visible_text(school)
    assert re.search(r"Grupo \d", spanish) and not re.search(r"Group \d", spanish)
    assert "Región: Norte" in spanish or "Región: Sur" in spanish
    overview = visible_text(sites[1] / "es" / "index.html")
    assert "Grupo 1" in overview and "Group 1" not in overview
    english = visible_text(sites[1] / "schools" / school.name)
    assert re.search(r"Group \d", english) and "Grupo" not in english
    # The data file keeps the district's own names, whatever the language.
    assert "Group 1" in visible_text(sites[1] / "plan-public.csv")


def test_a_name_that_is_no_cohort_or_region_is_an_error(tmp_path):
    district = write_district_folder(tmp_path / "d", settings_patch={"publish": {"names": {
        "es": {"Group 1": "Grupo 1", "Nort": "Norte"}}}})
    with pytest.raises(InputError) as caught:
        plan_district(district, tmp_path / "out")
    assert [p.message for p in caught.value.problems] == [
        "setting 'publish.names.es': 'Nort' is no cohort of settings.yaml (Group 1, Group 2) "
        "and no region of the Schools sheet (North, South)"]
    assert not (tmp_path / "out").exists()


def test_names_for_a_language_the_site_does_not_have_are_an_error():
    problems = Problems()
    patch = {"publish": {"languages": ["en", "es"], "names": {"fr": {"Group 1": "Groupe 1"}}}}
    assert settings_from_dict(merge(BASE_SETTINGS, patch), "settings.yaml", problems) is None
    assert [p.message for p in problems.items] == [
        "setting 'publish': names are given for ['fr'], which are not among the languages "
        "['en', 'es']"]
