"""Charts of the overview page: Vega-Altair specifications rendered to static SVG at build time
by vl-convert (no script and no request in the page), each given role="img", a <title> and a
<desc>; the page puts the same numbers in a table beside each chart.

Colour never carries meaning alone: the two measures of the progress chart differ in point shape
too, the planned future is dashed and shaded, cohort breakdowns are small multiples with
labelled panels, and each timeline cell carries the phase's letter.
"""
from __future__ import annotations

import multiprocessing
import re
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from html import escape


INK = "#222222"
GRID = "#D9D9D9"
SECOND = "#A6430A"  # the students series: 5.6:1 on white, apart in hue from a blue accent
SECOND_COOL = "#0B6E8A"  # the same beside a warm (red, orange, brown) accent: 5.8:1
PLANNING, SUPPORT = "#C6DBEF", "#9ECAE1"
WIDTH = 270  # drawn for a phone's width (with axes about 340 px); the page scales it


def second_colour(accent: str) -> str:
    """The students' colour, far in hue from the district's accent (the schools' colour)."""
    import colorsys

    r, g, b = (int(accent[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue = colorsys.rgb_to_hsv(r, g, b)[0] * 360
    return SECOND_COOL if hue < 70 or hue > 290 else SECOND


def base_config(accent: str) -> dict:
    text = {"labelColor": INK, "titleColor": INK, "labelFontSize": 13, "titleFontSize": 13}
    return {"aria": False, "font": "sans-serif", "background": "#FFFFFF",
            "view": {"stroke": None}, "axis": {**text, "gridColor": GRID, "domainColor": INK,
                                               "tickColor": INK},
            "legend": {**text, "orient": "bottom", "direction": "horizontal"},
            "header": {"labelColor": INK, "labelFontSize": 13, "titleColor": INK},
            "range": {"category": [accent, second_colour(accent)]}}


@dataclass
class ChartSlot:
    """A chart on a page: what to draw (`kind` and its plain-data `args`), then its SVG once
    converted. Jinja shows it through __html__ (SVG we made, its names escaped)."""

    chart_id: str
    title: str
    desc: str
    kind: str              # a key of CHARTS
    args: dict
    accent: str
    format_locale: dict
    svg: str = ""

    def __html__(self) -> str:
        return self.svg


def build_specs(requests: list[tuple[str, dict, str]]) -> list[dict]:
    """Vega-Lite specifications made with Altair, one per (kind, args, accent)."""
    specs = []
    for kind, args, accent in requests:
        spec = CHARTS[kind](**args).to_dict(validate=False)  # tests validate them
        spec["config"] = base_config(accent)
        specs.append(spec)
    return specs


def convert(jobs: list[tuple[dict, dict]]) -> list[str]:
    """Vega-Lite specifications to SVG (vl-convert: no request to any host)."""
    import vl_convert

    return [vl_convert.vegalite_to_svg(spec, format_locale=locale, allowed_base_urls=[])
            for spec, locale in jobs]


def warm_up() -> None:
    convert([({"data": {"values": [{"a": 1}]}, "mark": "point"}, {})])


class Renderer:
    """Makes the charts in two processes of their own while this one renders the other pages:
    vl-convert takes most of a second to start its JavaScript engine and Altair most of a
    second to import, and both hold the GIL. One process starts vl-convert at once, the other
    imports Altair and builds the specifications; `poll` hands them over. Where processes
    cannot be forked, everything happens here."""

    def __init__(self) -> None:
        self.pools: list[ProcessPoolExecutor] = []
        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self.pools = [ProcessPoolExecutor(1, mp_context=context) for _ in range(2)]
            self.pools[0].submit(warm_up)
        self.slots: list[ChartSlot] = []
        self.specs: Future | None = None
        self.svgs: Future | None = None

    def start(self, slots: list[ChartSlot]) -> None:
        self.slots = slots
        if self.pools:
            self.specs = self.pools[1].submit(build_specs, self.requests())

    def requests(self) -> list[tuple[str, dict, str]]:
        return [(s.kind, s.args, s.accent) for s in self.slots]

    def poll(self) -> None:
        """Send the specifications on to be converted as soon as they are made."""
        if self.svgs is None and self.specs is not None and self.specs.done():
            self.svgs = self.pools[0].submit(convert, list(zip(
                self.specs.result(), (s.format_locale for s in self.slots))))

    def finish(self) -> None:
        if self.pools:
            self.specs.result()
            self.poll()
            svgs = self.svgs.result()
        else:
            svgs = convert(list(zip(build_specs(self.requests()),
                                    (s.format_locale for s in self.slots))))
        for chart, svg in zip(self.slots, svgs):
            chart.svg = name_svg(svg, chart.chart_id, chart.title, chart.desc)

    def close(self) -> None:
        for pool in self.pools:
            pool.shutdown(cancel_futures=True)


def name_svg(svg: str, chart_id: str, title: str, desc: str) -> str:
    """role="img", aria-labelledby, <title> and <desc> on the root <svg> element."""
    svg = svg.strip()
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end - 1]
    head = re.sub(r'\s(width|height|class|version)="[^"]*"', "", head)
    # Scaled to the page's width, but not beyond a little over the size it was drawn at, so
    # that its text stays the size of the page's.
    drawn = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', head).group(1))
    head += f' style="max-width: {drawn * 1.2:.0f}px"'
    # Inside an image nothing is read on its own: Vega's mark roles would only confuse.
    body = re.sub(r'\s(role|aria-[a-z]+)="[^"]*"', "", svg[head_end:])
    return (f'{head} role="img" class="chart" aria-labelledby="{chart_id}-title '
            f'{chart_id}-desc"><title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>{body}')


def nominal(channel, field: str, **kw):
    return channel(field=field, type="nominal", **kw)


def progress_chart(points: list[dict], labels: dict[str, str]):
    """Share of schools and of students launched by the end of each term (`points`: term,
    schools, students, planned); the past solid, the planned future dashed on a shaded band.
    The page gives the legend in words."""
    import altair as alt

    terms = [p["term"] for p in points]
    rows = []
    past = [p for p in points if not p["planned"]]
    for p in points:
        kinds = [labels["planned"] if p["planned"] else labels["past"]]
        if past and p is past[-1] and any(q["planned"] for q in points):
            kinds.append(labels["planned"])  # the dashed line starts where the solid one ends
        for kind in kinds:
            rows += [{"term": p["term"], "share": p["schools"], "measure": labels["schools"],
                      "kind": kind},
                     {"term": p["term"], "share": p["students"],
                      "measure": labels["students"], "kind": kind}]
    planned = [{"term": p["term"]} for p in points if p["planned"]]
    x = nominal(alt.X, "term", sort=terms, title=None, axis=alt.Axis(labelAngle=-45))
    y = alt.Y(field="share", type="quantitative", scale=alt.Scale(domain=[0, 1]), title=None,
              axis=alt.Axis(format="%", tickCount=5))
    measures = [labels["schools"], labels["students"]]
    kinds = [labels["past"], labels["planned"]]
    colour = nominal(alt.Color, "measure", sort=measures, legend=None)
    band = alt.Chart(alt.InlineData(values=planned)).mark_rect(color="#EEEEEE").encode(x=x)
    band_label = alt.Chart(alt.InlineData(values=planned[:1])).mark_text(
        align="left", baseline="top", dy=4, dx=-8, color=INK, fontSize=11,
        text=labels["planned"]).encode(x=x, y=alt.YValue(2))
    lines = alt.Chart(alt.InlineData(values=rows)).mark_line(strokeWidth=2.5).encode(
        x=x, y=y, color=colour, detail=nominal(alt.Detail, "kind"),
        strokeDash=nominal(alt.StrokeDash, "kind", sort=kinds, legend=None,
                           scale=alt.Scale(domain=kinds, range=[[1, 0], [6, 4]])))
    dots = alt.Chart(alt.InlineData(values=rows)).mark_point(
        filled=True, size=60, opacity=1).encode(
        x=x, y=y, color=colour,
        shape=nominal(alt.Shape, "measure", sort=measures, legend=None,
                      scale=alt.Scale(range=["circle", "square"])))
    return alt.LayerChart(layer=[band, band_label, lines, dots], width=WIDTH, height=180)


def breakdown_chart(counts: list[dict], cohorts: list[str], panels: list[str],
                    columns: int, accent: str):
    """Schools per cohort, one labelled panel per level or region (small multiples)."""
    import altair as alt

    y = nominal(alt.Y, "cohort", sort=cohorts, title=None)
    x = alt.X(field="schools", type="quantitative", title=None,
              axis=alt.Axis(tickMinStep=1, format="d", tickCount=3))
    bars = alt.Chart().mark_bar(color=accent).encode(y=y, x=x)
    numbers = alt.Chart().mark_text(align="left", dx=3, color=INK, fontSize=11).encode(
        y=y, x=x, text=alt.Text(field="schools", type="quantitative"))
    panel_width = max(50, (WIDTH - 70) // columns - 10)
    inner = alt.LayerChart(layer=[bars, numbers], width=panel_width,
                           height=max(60, 18 * len(cohorts)))
    return alt.FacetChart(data=alt.InlineData(values=counts), spec=inner, columns=columns,
                          facet=nominal(alt.Facet, "panel", sort=panels, title=None))


def timeline_chart(cells: list[dict], cohorts: list[str], terms: list[str], current: str,
                   phase_names: list[str], colours: list[str]):
    """Each cohort's planning, launch and support terms; the current term outlined."""
    import altair as alt

    x = nominal(alt.X, "term", sort=terms, title=None,
                axis=alt.Axis(labelAngle=-45, orient="top"))
    y = nominal(alt.Y, "cohort", sort=cohorts, title=None)
    rects = alt.Chart(alt.InlineData(values=cells)).mark_rect(
        stroke="#FFFFFF", strokeWidth=1).encode(
        x=x, y=y, color=nominal(alt.Color, "phase", sort=phase_names, legend=None,
                                scale=alt.Scale(domain=phase_names, range=colours)))
    letters = alt.Chart(alt.InlineData(values=cells)).mark_text(
        fontSize=12, fontWeight="bold").encode(
        x=x, y=y, text=alt.Text(field="letter", type="nominal"),
        fill=nominal(alt.Fill, "ink", scale=None, legend=None))
    now = alt.Chart(alt.InlineData(values=[{"term": current}])).mark_rect(
        fill=None, stroke=INK, strokeWidth=2.5).encode(x=x)
    return alt.LayerChart(layer=[rects, letters, now], width=max(WIDTH - 60, 28 * len(terms)),
                          height=24 * len(cohorts))


CHARTS = {"progress": progress_chart, "breakdown": breakdown_chart, "timeline": timeline_chart}
