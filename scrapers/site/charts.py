"""The site's charts, as Plotly figures rendered to <div>s that use the site's one copy of
plotly.min.js (written once into assets/ by build.py, so pages open from file:// offline)."""

from __future__ import annotations

import plotly.graph_objects as go

# publication_coverage.timeliness, in the order of the heat map's colour scale
COVERAGE_STATES = [
    ("missing", "未找到", "missing", "#e6e6e6"),
    ("date_unknown", "已找到（日期不明）", "found, date unknown", "#9ecae1"),
    ("late", "逾期", "late", "#fdae6b"),
    ("on_time", "按时", "on time", "#31a354"),
]

OUTCOME_SERIES = [
    ("granted", "予以公开 granted", "#31a354"),
    ("partially_granted", "部分公开 partially granted", "#a1d99b"),
    ("denied", "不予公开 denied", "#de2d26"),
    ("unable", "无法提供 unable to provide", "#fdae6b"),
    ("not_processed", "不予处理 not processed", "#9e9ac8"),
    ("other", "其他处理 other", "#bdbdbd"),
]

_LAYOUT = dict(font=dict(family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, WenQuanYi Zen Hei, sans-serif", size=12),
               margin=dict(l=10, r=10, t=40, b=40), paper_bgcolor="white", plot_bgcolor="white")


def to_div(fig: go.Figure, div_id: str) -> str:
    """The figure as an HTML fragment; the page loads plotly.min.js itself."""
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def coverage_heatmap(offices: list[str], years: list[int], states: dict[tuple[str, int], str],
                     links: dict[tuple[str, int], str], title: str) -> go.Figure:
    """Offices × years coloured by found / on time / late / missing; a cell's link (its
    report page) rides in customdata for site.js to follow on click."""
    codes = {code: i for i, (code, *_rest) in enumerate(COVERAGE_STATES)}
    labels = {code: f"{zh} {en}" for code, zh, en, _ in COVERAGE_STATES}
    z = [[codes.get(states.get((o, y), "missing"), 0) for y in years] for o in offices]
    text = [[labels.get(states.get((o, y), "missing"), "") for y in years] for o in offices]
    custom = [[links.get((o, y), "") for y in years] for o in offices]
    n = len(COVERAGE_STATES)
    # a stepped scale: each state one flat band of colour
    scale = []
    for i, (*_rest, colour) in enumerate(COVERAGE_STATES):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(y) for y in years], y=offices, text=text, customdata=custom,
        zmin=-0.5, zmax=n - 0.5, colorscale=scale, xgap=1, ygap=1,
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        colorbar=dict(tickvals=list(range(n)), ticktext=[labels[c] for c, *_ in COVERAGE_STATES], thickness=12),
    ))
    fig.update_layout(**_LAYOUT, title=dict(text=title, x=0), height=max(220, 18 * len(offices) + 110))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(type="category", side="top")
    return fig


def totals_by_year(rows: list[dict]) -> go.Figure:
    """Requests by outcome (stacked bars) and appeals (lines) by year, both eras; pre-2019
    bars are hatched and the era is shaded, since statements and tables compare only loosely."""
    years = [str(r["year"]) for r in rows]
    hatch = ["/" if r["era"] == "pre2019" else "" for r in rows]
    fig = go.Figure()
    for key, label, colour in OUTCOME_SERIES:
        fig.add_bar(x=years, y=[r[key] for r in rows], name=label, marker=dict(color=colour, pattern_shape=hatch),
                    hovertemplate="%{x}: %{y} " + label + "<extra></extra>")
    fig.add_scatter(x=years, y=[r["received"] for r in rows], name="本年新收 received", mode="lines+markers",
                    line=dict(color="#3182bd", dash="dot"))
    for key, label, colour in (("reviews", "行政复议 reconsiderations", "#756bb1"),
                               ("lawsuits", "行政诉讼 lawsuits", "#636363")):
        fig.add_scatter(x=years, y=[r[key] for r in rows], name=label, mode="lines+markers", yaxis="y2",
                        line=dict(color=colour))
    pre = [y for y, r in zip(years, rows) if r["era"] == "pre2019"]
    if pre:
        fig.add_vrect(x0=-0.5, x1=len(pre) - 0.5, fillcolor="#fff7bc", opacity=0.5, line_width=0, layer="below",
                      annotation_text="2019年前：报告文字陈述 pre-2019: figures stated in sentences",
                      annotation_position="top left")
    fig.update_layout(**_LAYOUT, barmode="stack", height=420, legend=dict(orientation="h", y=-0.15),
                      title=dict(text="申请及办理结果（件） Requests and how they were answered, by year", x=0),
                      yaxis=dict(title="申请 requests", rangemode="tozero"),
                      yaxis2=dict(title="复议 / 诉讼 appeals", overlaying="y", side="right", rangemode="tozero",
                                  showgrid=False))
    fig.update_xaxes(type="category")
    return fig


def office_trends(series: dict[str, list[tuple[int, float | None]]], title: str, y_title: str,
                  percent: bool = False) -> go.Figure:
    """One line per office over the years."""
    fig = go.Figure()
    for name, points in series.items():
        fig.add_scatter(x=[str(y) for y, _ in points], y=[v for _, v in points], name=name, mode="lines+markers",
                        connectgaps=False)
    fig.update_layout(**_LAYOUT, height=360, title=dict(text=title, x=0), legend=dict(orientation="h", y=-0.2),
                      yaxis=dict(title=y_title, rangemode="tozero", tickformat=".0%" if percent else None))
    fig.update_xaxes(type="category", categoryorder="category ascending")
    return fig
