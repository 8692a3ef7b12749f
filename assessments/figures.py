"""Every chart of the product, as plotly figures built from a (full-precision) scoring
result: next to the results they draw. The results page draws them with plotly.js in the
browser; the PDF (reports) exports the very same figures to SVG, and the workshop screens
draw the answer distribution. Every chart prints its numbers, so it reads without colour.

Functions take the result dict and already translated labels (call them inside
``translation.override``); they never touch the database.
"""

import itertools

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from .formatting import num, pct
from .narrative import stage_label

FONT = "DejaVu Sans, Verdana, sans-serif"
INK = "#1f2933"
ACCENT = "#0b5cad"
MUTED = "#6b7785"
GRID = "#d5dbe1"
BUSINESS = "#0b5cad"
IT = "#b54708"
STAGE_COLOURS = ["#8a94a6", "#5b8def", "#2f6fd0", "#1c54a8", "#0d3a7a"]


def stage_labels() -> list[str]:
    return [stage_label(index) for index in range(5)]


def _layout(**extra) -> dict:
    layout = {
        "font": {"family": FONT, "color": INK, "size": 13},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 40, "r": 40, "t": 30, "b": 40},
        "showlegend": False,
    }
    layout.update(extra)
    return layout


def short_titles() -> dict[str, str]:
    """Section names short enough for chart axes."""
    return {
        "alignment": _("Alignment"),
        "integration": _("Integration"),
        "co_creation": _("Co-Creation"),
        "fusion": _("Fusion / Convergence"),
        "bizdevops": "BizDevOps",
        "dto": "DTO",
    }


def ladder_figure(result: dict) -> go.Figure:
    """The ladder Silo → Fusion as five rising steps, the position P marked on it."""
    labels = stage_labels()
    position = result["position"]
    stage = result["stage"]["index"]
    target = result.get("target_stage")
    colours = [STAGE_COLOURS[i] if i <= stage else "#e4e8ee" for i in range(5)]
    fig = go.Figure(
        go.Bar(
            x=[i + 0.5 for i in range(5)],
            y=[i + 1 for i in range(5)],
            width=[0.96] * 5,
            marker={"color": colours, "line": {"color": INK, "width": 1}},
            text=labels,
            textposition="inside",
            insidetextanchor="end",
            textangle=0,
            textfont={"color": ["white" if i <= stage else INK for i in range(5)], "size": 12},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[position],
            y=[min(int(position), 4) + 1.35],
            mode="markers+text",
            marker={"symbol": "triangle-down", "size": 16, "color": "#c0392b"},
            text=[num(position)],
            textposition="top center",
            textfont={"size": 14, "color": INK},
            hoverinfo="skip",
        )
    )
    if target:
        fig.add_shape(
            type="line",
            x0=target,
            x1=target,
            y0=0,
            y1=5.6,
            line={"color": MUTED, "dash": "dash", "width": 2},
        )
        fig.add_annotation(
            x=target,
            y=5.6,
            text=_("Target"),
            showarrow=False,
            yanchor="bottom",
            font={"color": MUTED},
        )
    fig.update_layout(
        **_layout(
            height=260,
            xaxis={
                "range": [0, 5],
                "tickvals": [0, 1, 2, 3, 4, 5],
                "ticktext": ["0", "1", "2", "3", "4", ""],
                "showgrid": False,
                "title": {"text": _("Position (0–4)")},
            },
            yaxis={"visible": False, "range": [0, 6.2]},
            bargap=0.04,
        )
    )
    return fig


def radar_figure(result: dict, titles: dict[str, str]) -> go.Figure:
    """Fulfilment of the six sections, with the threshold θ drawn as a ring."""
    keys = list(result["sections"])
    theta = [titles[k] for k in keys]
    values = [(result["sections"][k]["fulfilment"] or 0) * 100 for k in keys]
    text = [pct(result["sections"][k]["fulfilment"]) for k in keys]
    threshold = result["parameters"]["threshold"] * 100
    fig = go.Figure()
    fig.add_trace(
        go.Scatterpolar(
            r=[threshold] * (len(keys) + 1),
            theta=[*theta, theta[0]],
            mode="lines",
            line={"color": "#c0392b", "dash": "dash", "width": 2},
            name=_("Threshold θ"),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatterpolar(
            r=[*values, values[0]],
            theta=[*theta, theta[0]],
            mode="lines+markers+text",
            fill="toself",
            fillcolor="rgba(11,92,173,0.18)",
            line={"color": ACCENT, "width": 2},
            marker={"size": 7},
            text=[*text, ""],
            textposition="top center",
            textfont={"size": 12},
            name=_("Fulfilment"),
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        **_layout(
            height=420,
            showlegend=True,
            legend={"orientation": "h", "y": -0.08, "x": 0.5, "xanchor": "center"},
            margin={"l": 70, "r": 70, "t": 30, "b": 40},
            polar={
                "radialaxis": {
                    "range": [0, 100],
                    "tickvals": [0, 25, 50, 75, 100],
                    "ticksuffix": " %",
                    "gridcolor": GRID,
                    "angle": 90,
                    "tickangle": 90,
                    "tickfont": {"size": 10, "color": MUTED},
                },
                "angularaxis": {"gridcolor": GRID, "direction": "clockwise"},
            },
        )
    )
    return fig


def coverage_figure(result: dict, titles: dict[str, str]) -> go.Figure:
    """Coverage per section, with the minimum coverage c_min marked."""
    keys = list(result["sections"])
    coverage = [result["sections"][k]["coverage"] * 100 for k in keys]
    minimum = result["parameters"]["min_coverage"] * 100
    fig = go.Figure(
        go.Bar(
            y=[titles[k] for k in keys],
            x=coverage,
            orientation="h",
            marker={
                "color": [ACCENT if c >= minimum else "#e4e8ee" for c in coverage],
                "line": {"color": INK, "width": 1},
            },
            text=[pct(result["sections"][k]["coverage"]) for k in keys],
            textposition="outside",
            cliponaxis=False,
            hoverinfo="skip",
        )
    )
    fig.add_shape(
        type="line",
        x0=minimum,
        x1=minimum,
        y0=-0.5,
        y1=len(keys) - 0.5,
        line={"color": "#c0392b", "dash": "dash", "width": 2},
    )
    fig.update_layout(
        **_layout(
            height=60 + 40 * len(keys),
            margin={"l": 160, "r": 60, "t": 20, "b": 40},
            xaxis={"range": [0, 110], "ticksuffix": " %", "gridcolor": GRID},
            yaxis={"autorange": "reversed"},
        )
    )
    return fig


def perception_gap_figure(result: dict, titles: dict[str, str]) -> go.Figure | None:
    """Business vs IT fulfilment per section, only where both groups may be shown."""
    groups = result.get("groups", {})
    if "business" not in groups or "it" not in groups:
        return None
    keys = [k for k, gap in result["perception_gap"].items() if gap is not None]
    if not keys:
        return None
    fig = go.Figure()
    for name, label, colour, pattern in (
        ("business", _("Business"), BUSINESS, ""),
        ("it", _("IT"), IT, "/"),
    ):
        values = [groups[name]["sections"][k]["fulfilment"] for k in keys]
        fig.add_trace(
            go.Bar(
                name=label,
                y=[titles[k] for k in keys],
                x=[v * 100 for v in values],
                orientation="h",
                marker={"color": colour, "pattern": {"shape": pattern}},
                text=[pct(v) for v in values],
                textposition="outside",
                cliponaxis=False,
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        **_layout(
            height=80 + 60 * len(keys),
            barmode="group",
            showlegend=True,
            legend={"orientation": "h", "y": -0.15, "x": 0.5, "xanchor": "center"},
            margin={"l": 160, "r": 60, "t": 20, "b": 60},
            xaxis={"range": [0, 110], "ticksuffix": " %", "gridcolor": GRID},
            yaxis={"autorange": "reversed"},
        )
    )
    return fig


def distribution_figure(distribution: list[int], dont_know: int, labels: list[str]) -> go.Figure:
    """How many chose 0..4 and don't know, for one question (workshop reveal, reports)."""
    x = [*[str(i) for i in range(5)], _("Don't know")]
    y = [*distribution, dont_know]
    fig = go.Figure(
        go.Bar(
            x=x,
            y=y,
            marker={"color": [ACCENT] * 5 + [MUTED], "line": {"color": INK, "width": 1}},
            text=[str(v) for v in y],
            textposition="outside",
            cliponaxis=False,
            hovertext=[*labels, _("Don't know")],
            hoverinfo="text",
        )
    )
    fig.update_layout(
        **_layout(
            height=280,
            yaxis={"visible": False, "range": [0, max([*y, 1]) * 1.25]},
            xaxis={"type": "category"},
        )
    )
    return fig


HEAT_STOPS = ((0.0, (0xF4, 0xF6, 0xF8)), (0.5, (0x8F, 0xB3, 0xE0)), (1.0, (0x0D, 0x3A, 0x7A)))


def heat_colour(value: float) -> str:
    """The cell colour for a fulfilment 0..1 (light grey → blue → dark blue)."""
    value = min(1.0, max(0.0, value))
    for (low, a), (high, b) in itertools.pairwise(HEAT_STOPS):
        if value <= high:
            t = (value - low) / (high - low)
            return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))
    return "#0d3a7a"


def heatmap_figure(table: dict | None) -> go.Figure | None:
    """A heatmap of fulfilment from ``actions.heatmap`` or ``actions.perspective_heatmap``:
    one row per dimension (or perspective), one column per section, each cell printing its
    percentage; a cell without a question (or not shown) stays blank. Drawn as rectangles
    and text (not plotly's raster heatmap), so the PDF gets vector cells. None for an empty
    table."""
    if not table or not table["rows"]:
        return None
    columns = [label for _key, label in table["columns"]]
    ticks = [label.replace(" / ", " /<br>") for label in columns]
    rows = [row["title"] for row in table["rows"]]
    shapes, annotations, hover_x, hover_y, hover_text = [], [], [], [], []
    for y, row in enumerate(table["rows"]):
        for x, cell in enumerate(row["cells"]):
            if cell["value"] is None:
                continue
            shapes.append(
                {
                    "type": "rect",
                    "x0": x - 0.48,
                    "x1": x + 0.48,
                    "y0": y - 0.46,
                    "y1": y + 0.46,
                    "fillcolor": heat_colour(cell["value"]),
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
            annotations.append(
                {
                    "x": x,
                    "y": y,
                    "text": pct(cell["value"]),
                    "showarrow": False,
                    "font": {"size": 12, "color": "white" if cell["value"] > 0.55 else INK},
                }
            )
            hover_x.append(x)
            hover_y.append(y)
            hover_text.append(f"{row['title']} · {columns[x]}: {pct(cell['value'])}")
    fig = go.Figure(
        go.Scatter(
            x=hover_x,
            y=hover_y,
            mode="markers",
            marker={"size": 1, "opacity": 0},
            hovertext=hover_text,
            hoverinfo="text",
        )
    )
    fig.update_layout(
        **_layout(
            height=80 + 34 * len(rows),
            margin={"l": 200, "r": 10, "t": 10, "b": 60},
            shapes=shapes,
            annotations=annotations,
            xaxis={
                "tickmode": "array",
                "tickvals": list(range(len(columns))),
                "ticktext": ticks,
                "tickangle": 0,
                "range": [-0.5, len(columns) - 0.5],
                "showgrid": False,
                "zeroline": False,
                "fixedrange": True,
            },
            yaxis={
                "tickmode": "array",
                "tickvals": list(range(len(rows))),
                "ticktext": rows,
                "range": [len(rows) - 0.5, -0.5],
                "showgrid": False,
                "zeroline": False,
                "fixedrange": True,
            },
        )
    )
    return fig


def to_json(fig: go.Figure | None) -> dict | None:
    """The figure as plain data for ``json_script``; the browser draws it."""
    if fig is None:
        return None
    data = fig.to_plotly_json()
    return {"data": data["data"], "layout": data["layout"]}
