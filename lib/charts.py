"""Plotly figures for the manager's pages, drawn from the DataFrames of lib/metrics.py.

Figures only draw: every number on them comes from a metrics function. Colours say the same
thing everywhere (a stage has one colour on every chart; overdue gets redder with age).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib import display, i18n, metrics
from lib.i18n import _

STAGE_COLORS = {"suspect": "#94a3b8", "prospect": "#60a5fa", "lead": "#2563eb",
                "converted": "#7c3aed", "won": "#16a34a"}
AGE_COLORS = dict(zip(metrics.AGE_BUCKETS, ("#fcd34d", "#fb923c", "#ef4444", "#991b1b"),
                      strict=True))
REASON_COLORS = ("#64748b", "#f59e0b", "#ef4444", "#8b5cf6", "#0ea5e9", "#14b8a6", "#a3a3a3",
                 "#ec4899")
FONT = "Source Sans Pro, sans-serif"
ROW_PX = 30


def _layout(figure: go.Figure, height: int, **extra: object) -> go.Figure:
    figure.update_layout(
        height=height, margin={"l": 8, "r": 8, "t": 8, "b": 8}, font={"family": FONT},
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None},
        separators=_separators(), **extra,
    )
    return figure


def funnel(frame: pd.DataFrame) -> go.Figure:
    """The funnel of ``metrics.funnel``: each stage with its count and the share of the stage
    before. Clicking a stage selects it (``customdata`` is the stage key)."""
    top = max(int(frame["people"].max()), 1)
    figure = go.Figure(go.Funnel(
        y=frame["label"], x=frame["people"], customdata=frame["stage"],
        marker={"color": [STAGE_COLORS[s] for s in frame["stage"]]},
        connector={"fillcolor": "#e2e8f0", "line": {"width": 0}},
        text=[_funnel_text(row) for row in frame.to_dict("records")],
        texttemplate="%{text}", textinfo="text",
        textposition=["inside" if n / top >= 0.25 else "outside" for n in frame["people"]],
        hovertemplate=_("<b>%{y}</b>: %{x:,} people<br>%{percentPrevious:.1%} of the stage "
                        "before<br>%{percentInitial:.1%} of all suspects") + "<extra></extra>",
    ))
    figure.update_yaxes(tickfont={"size": 14})
    return _layout(figure, 360, clickmode="event+select", dragmode=False)


def _funnel_text(row: dict) -> str:
    share = row["of_previous"]
    if row["stage"] == metrics.STAGES[0] or pd.isna(share):
        return f"<b>{i18n.number(row['people'])}</b>"
    return f"<b>{i18n.number(row['people'])}</b> · {i18n.percent(share, 0)}"


def _separators() -> str:
    """Plotly's decimal and thousands separators for the current language ("," and ".")."""
    return ",." if i18n.language() == "de" else ".,"


def cohort_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Rows = cohorts (newest on top), columns = stages past the suspects; the colour is the
    share of the cohort's suspects that reached the stage, the text the count and share."""
    stages = list(metrics.STAGES[1:])
    rows = frame.iloc[::-1]
    shares = rows[[f"{s}_share" for s in stages]].to_numpy(dtype=float)
    counts = rows[stages].to_numpy()
    text = [[f"{i18n.number(n)} · {i18n.percent(share, 0)}"
             for n, share in zip(line, shares[i], strict=True)]
            for i, line in enumerate(counts)]
    labels = [f"{display.chart_text(name)}  ({i18n.number(n)})"
              for name, n in zip(rows["cohort"], rows["suspect"], strict=True)]
    figure = go.Figure(go.Heatmap(
        z=shares * 100, x=[metrics.stage_label(s) for s in stages], y=labels, text=text,
        texttemplate="%{text}", colorscale="Blues", zmin=0, showscale=True,
        colorbar={"title": {"text": _("% of suspects")}, "ticksuffix": _ticksuffix(),
                  "thickness": 12},
        hovertemplate="<b>%{y}</b><br>%{x}: %{text}<extra></extra>", xgap=2, ygap=2,
    ))
    figure.update_xaxes(side="top")
    return _layout(figure, max(180, 70 + ROW_PX * len(rows)))


def _ticksuffix() -> str:
    """A percentage's sign on an axis: "%" / " %" (German writes a space before it)."""
    return "\u00a0%" if i18n.language() == "de" else "%"


def drop_off(frame: pd.DataFrame, by: str) -> go.Figure:
    """Dead rows per list, stacked by the stage they died at (``by="stage"``) or by reason."""
    lists = [display.chart_text(one) for one in dict.fromkeys(frame["list"])]
    figure = go.Figure()
    parts = metrics.STAGES if by == "stage" else sorted(set(frame["reason"]))
    for i, part in enumerate(parts):
        chosen = frame[frame[by] == part].groupby("list")["people"].sum().rename(
            display.chart_text)
        if chosen.empty:
            continue
        color = STAGE_COLORS[part] if by == "stage" else REASON_COLORS[i % len(REASON_COLORS)]
        name = metrics.stage_label(part) if by == "stage" else display.chart_text(part)
        figure.add_bar(y=lists, x=[int(chosen.get(one, 0)) for one in lists], name=name,
                       orientation="h", marker_color=color, showlegend=True,
                       hovertemplate="<b>%{y}</b><br>%{fullData.name}: %{x:,}<extra></extra>")
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(title=_("dead rows"), gridcolor="#e2e8f0")
    return _layout(figure, 110 + ROW_PX * len(lists), barmode="stack")


def criteria(frame: pd.DataFrame) -> go.Figure:
    """Share of people with each criterion ticked: those who became leads, who won, the rest."""
    figure = go.Figure()
    groups = (("leads", _("Became leads"), STAGE_COLORS["lead"]),
              ("won", _("Won"), STAGE_COLORS["won"]),
              ("rest", _("The rest"), STAGE_COLORS["suspect"]))
    for column, name, color in groups:
        size = int(frame[column].iloc[0]) if len(frame) else 0
        figure.add_bar(y=frame["criterion"].map(display.chart_text),
                       x=frame[f"{column}_share"].fillna(0) * 100,
                       name=_("{group} ({count} people)").format(
                           group=name, count=i18n.number(size)),
                       orientation="h", marker_color=color,
                       hovertemplate="<b>%{y}</b><br>" + _("{group}: {share} ticked").format(
                           group=name, share="%{x:.0f}" + _ticksuffix()) + "<extra></extra>")
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(title=_("% with the criterion ticked"), ticksuffix=_ticksuffix(),
                        range=[0, 100], gridcolor="#e2e8f0")
    return _layout(figure, 90 + 3 * 12 * len(frame), barmode="group", bargap=0.25)


def overdue_by_age(frame: pd.DataFrame) -> go.Figure:
    """Overdue next steps per rep (``metrics.overdue_by_age``), stacked by how late they are;
    the total sits at the end of each bar."""
    frame = frame.assign(name=frame["name"].map(display.chart_text))
    reps = list(dict.fromkeys(frame["name"]))
    figure = go.Figure()
    for age in metrics.AGE_BUCKETS:
        part = frame[frame["age"] == age].set_index("name")["count"]
        label = metrics.age_label(age)
        figure.add_bar(x=reps, y=[int(part.get(rep, 0)) for rep in reps], name=label,
                       marker_color=AGE_COLORS[age],
                       hovertemplate="<b>%{x}</b><br>" + _("{age} late: {count}").format(
                           age=label, count="%{y:,}") + "<extra></extra>")
    totals = frame.groupby("name", sort=False)["count"].sum()
    figure.add_scatter(x=reps, y=[int(totals[rep]) for rep in reps], mode="text",
                       text=[f"<b>{i18n.number(int(totals[rep]))}</b>" for rep in reps],
                       textposition="top center", showlegend=False, hoverinfo="skip")
    figure.update_yaxes(title=_("overdue next steps"), gridcolor="#e2e8f0", rangemode="tozero")
    figure.update_layout(legend_traceorder="normal")
    return _layout(figure, 320, barmode="stack", bargap=0.6 if len(reps) < 4 else 0.3)
