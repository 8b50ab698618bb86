"""The manager's numbers: the funnel and everything behind it, and what is overdue.

ONE module computes them; the Funnel and Overdue pages and the command line only draw or print
what these functions return, so two screens can never disagree.

The funnel (stages ``suspect → prospect → lead → converted → won``) is read from the history,
not from today's status: a person *reached* a stage the first time

- suspect: they were first imported (``people.created_at``),
- prospect / lead: a ``status`` history entry moved them to that status,
- converted: a lead was created for them (they have a lead),
- won: a ``lead_status`` history entry marked one of their leads won.

A stage implies the ones before it (a converted person is counted as a lead even with one lead
criterion ticked; a won one as converted), and a person who later died keeps every stage they
reached. So each person has a *highest stage*, and a stage counts the distinct people whose
highest stage is that one or a later one: the funnel never increases from stage to stage.

With a date range for events, a stage counts the people who reached it, or a later stage,
within the range (reaching a later stage means passing this one). The highest stage is then
the highest one whose moment falls in the range, and the funnel still never increases.

One ``FunnelFilter`` goes to every function, so the same people stand behind every number.
All SQL is set-based (one pass over history, people and leads), never a loop over people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from lib import access, display, i18n, labels, leads, schedule
from lib.db import Connection, utcnow
from lib.i18n import N_, _
from lib.pipeline import label_sql as step_label_sql

STAGES = ("suspect", "prospect", "lead", "converted", "won")
STAGE_LABELS = labels.EVER_REACHED  # people who ever reached the rung, not today's status
MEANINGS = {
    "suspect": N_("People imported — with a period: imported, or moved up the ladder, within "
                  "it."),
    "prospect": N_("People who became prospects, or went further."),
    "lead": N_("People who became leads, or were converted (a lead implies the stage)."),
    "converted": N_("People converted into a lead."),
    "won": N_("People with a lead marked won."),
}
RATES = (  # (name, label, numerator stage, denominator stage): the headline conversion rates
    ("prospect_rate", N_("Suspect → prospect"), "prospect", "suspect"),
    ("lead_rate", N_("Prospect → lead"), "lead", "prospect"),
    ("convert_rate", N_("Lead → converted"), "converted", "lead"),
    ("win_rate", N_("Converted → won"), "won", "converted"),
    ("overall_rate", N_("Suspect → won"), "won", "suspect"),
)
COHORT_KINDS = ("list", "week")
# The keys of the overdue ages (data in the frames); ``age_label`` says them on screen.
AGE_BUCKETS = ("up to 2 days", "3–7 days", "8–30 days", "over 30 days")
AGE_LABELS = {"up to 2 days": N_("up to 2 days"), "3–7 days": N_("3–7 days"),
              "8–30 days": N_("8–30 days"), "over 30 days": N_("over 30 days")}
# The period presets (keys, in English); ``preset_label`` says them on screen.
PRESETS = {"All time": None, "Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90,
           "Last 12 months": 365}
PRESET_LABELS = {"All time": N_("All time"), "Last 7 days": N_("Last 7 days"),
                 "Last 30 days": N_("Last 30 days"), "Last 90 days": N_("Last 90 days"),
                 "Last 12 months": N_("Last 12 months")}
NO_LIST = N_("(no list)")


def stage_label(stage: str) -> str:
    """A funnel stage as its numbers are labelled: "Ever reached lead"."""
    return _(STAGE_LABELS[stage])


def stage_labels() -> dict[str, str]:
    """Every funnel stage → its label in the current language."""
    return i18n.translated(STAGE_LABELS)


def age_label(age: str) -> str:
    return _(AGE_LABELS[age]) if age in AGE_LABELS else age


def preset_label(name: str) -> str:
    return _(PRESET_LABELS[name]) if name in PRESET_LABELS else name


STAGE_WORDS = {"suspect": N_("suspect"), "prospect": N_("prospect"), "lead": N_("lead"),
               "converted": N_("converted"), "won": N_("won"), "dead": N_("dead")}


def stage_word(stage: Any) -> Any:
    """A stage or status in a table cell, in the current language ("lead", "won")."""
    return _(STAGE_WORDS[stage]) if stage in STAGE_WORDS else stage


def shares_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's shares (``*_share``) and lift as the current language writes them: as they
    are in English (Streamlit formats them), German text otherwise ("44,9 %", "1,5×")."""
    if i18n.language() == "en":
        return frame
    shown = frame.copy()
    for column in [c for c in frame.columns if c.endswith("_share")]:
        shown[column] = [_text(v, lambda x: i18n.percent(x, 1)) for v in frame[column]]
    if "lift" in frame:
        shown["lift"] = [_text(v, lambda x: i18n.number(x, 1) + "×") for v in frame["lift"]]
    return shown


def _text(value: Any, form: Any) -> str:
    return "" if value is None or pd.isna(value) else form(float(value))



# --- the filter ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole local calendar days (app time zone), both ends included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            first, last = self.last, self.first
            object.__setattr__(self, "first", first)
            object.__setattr__(self, "last", last)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def bounds(self, db: Connection) -> tuple[datetime, datetime]:
        """[from, to) as the naive UTC timestamps the tables store."""
        zone = schedule.app_zone(db)
        return (schedule.start_of_day(self.first, zone).replace(tzinfo=None),
                schedule.start_of_day(self.last + timedelta(days=1), zone).replace(tzinfo=None))


def period_text(period: Period | None) -> str:
    """ "all time", or "01 Sep 2025 – 29 Nov 2025" (German "01.09.2025 – 29.11.2025")."""
    if period is None:
        return _("all time")
    return f"{i18n.day(period.first, 'period_day')} – {i18n.day(period.last, 'period_day')}"


def preset(name: str, today: date) -> Period | None:
    """A named period ending today ("Last 30 days": today and the 29 days before)."""
    days = PRESETS[name]
    return None if days is None else Period(today - timedelta(days=days - 1), today)


@dataclass(frozen=True)
class FunnelFilter:
    """Which people and which events every number of the funnel page is about.

    - ``list_ids``: people with a row on any of these lists;
    - ``sources``: people whose own source, or the source of one of their lists, is one of these;
    - ``owner_ids``: people owned by one of these users. The owner of a converted person is the
      owner of their latest lead (who works it now), else the row's owner. Every person has one
      owner, so filtering by owner splits the funnel and never counts anyone twice;
    - ``cohort``: people first imported (``people.created_at``) within the period;
    - ``events``: count a stage when it was reached within the period (see the module doc).
    Empty means "no restriction".
    """

    list_ids: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()
    cohort: Period | None = None
    events: Period | None = None


@dataclass
class _Sql:
    """A query being assembled: SQL text and its named parameters."""

    text: str
    params: dict[str, Any] = field(default_factory=dict)


def _people_filter(db: Connection, f: FunnelFilter, viewer: access.Viewer) -> _Sql:
    """WHERE conditions on ``p`` (people) and ``l`` (their latest lead): the filter's people
    among those the viewer may see."""
    where = _Sql("TRUE")
    visible, visible_params = access.named(access.people_clause(viewer, "p"))
    if visible != "TRUE":
        where.text += f" AND {visible}"
        where.params.update(visible_params)
    if f.list_ids:
        where.text += " AND p.id IN (SELECT person_id FROM list_rows WHERE list_id = ANY($lists))"
        where.params["lists"] = [int(i) for i in f.list_ids]
    if f.sources:
        where.text += (
            " AND (p.source = ANY($sources) OR p.id IN (SELECT r.person_id FROM list_rows r"
            " JOIN lists li ON li.id = r.list_id WHERE li.source = ANY($sources)))")
        where.params["sources"] = list(f.sources)
    if f.owner_ids:
        where.text += " AND coalesce(l.owner_id, p.owner_id) = ANY($owners)"
        where.params["owners"] = [int(i) for i in f.owner_ids]
    if f.cohort is not None:
        where.text += " AND p.created_at >= $cohort_from AND p.created_at < $cohort_to"
        where.params["cohort_from"], where.params["cohort_to"] = f.cohort.bounds(db)
    return where


def _within(column: str, bounds: str | None) -> str:
    """``column`` lies in [$<bounds>_from, $<bounds>_to); always true without bounds."""
    return "TRUE" if bounds is None else f"{column} >= ${bounds}_from AND {column} < ${bounds}_to"


# The moments a person climbed past the suspect stage, one row each, with the stage's rank
# (1 = suspect … 5 = won): status changes and won leads from the history, conversions from
# the leads. Being imported (rank 1) is ``people.created_at``.
_CLIMBS = """
    climbs AS (
        SELECT person_id,
            CASE new_value WHEN 'prospect' THEN 2 WHEN 'lead' THEN 3 ELSE 5 END AS stage_rank,
            happened_at AS moment
        FROM history
        WHERE (kind = 'status' AND new_value IN ('prospect', 'lead'))
            OR (kind = 'lead_status' AND new_value = 'won')
        UNION ALL
        SELECT person_id, 4, created_at FROM leads
    )"""


def _per_person(periods: list[str], moment_of: int | None,
                ever: bool) -> tuple[list[str], list[str]]:
    """The aggregates over a person's climbs, and the ``staged`` columns made from them
    (``c`` = the aggregates, ``ch`` = the person), for the periods named (ev, pv)."""
    aggregates, columns = [], []
    for name in periods or [None]:
        alias = "reached_before" if name == "pv" else "reached"
        aggregates.append(f"max(stage_rank) FILTER (WHERE {_within('moment', name)}) AS {alias}")
        columns.append(f"CASE WHEN c.{alias} IS NOT NULL THEN c.{alias}"
                       f" WHEN {_within('ch.created_at', name)} THEN 1 ELSE 0 END AS {alias}")
    ev = periods[0] if periods else None
    if moment_of is not None:
        aggregates.append(f"min(moment) FILTER (WHERE stage_rank >= $moment_of"
                          f" AND {_within('moment', ev)}) AS reached_at")
        columns.append(f"least(c.reached_at, CASE WHEN $moment_of = 1"
                       f" AND {_within('ch.created_at', ev)} THEN ch.created_at END)"
                       " AS reached_at")
    if ever:
        aggregates.append("max(stage_rank) AS ever")
        columns.append("coalesce(c.ever, 1) AS ever")
    return aggregates, columns


def _staged(db: Connection, f: FunnelFilter, viewer: access.Viewer, *, previous: bool = False,
            moment_of: int | None = None, ever: bool = False) -> _Sql:
    """CTEs ending in ``staged``: one row per filtered person with ``created_at``, ``status``,
    ``dead_reason``, ``died_at`` and ``reached`` (the highest stage reached within the event
    period, 0 for none). On request also ``reached_before`` (the same in the previous
    period), ``reached_at`` (``moment_of`` = a stage rank: the first moment in the period they
    reached that stage or a later one) and ``ever`` (the highest stage reached at all).

    One pass over the climbs grouped by person, one join with people: no per-stage scans.
    Climbs outside the periods asked about are dropped before grouping, and the owner (a
    join with the leads) is looked up only to filter by owner.
    """
    query = _people_filter(db, f, viewer)
    periods = [] if f.events is None else [("ev", f.events)]
    if previous and periods:
        periods.append(("pv", f.events.previous()))
    for name, period in periods:
        query.params[f"{name}_from"], query.params[f"{name}_to"] = period.bounds(db)
    if moment_of is not None:
        query.params["moment_of"] = moment_of
    per_person, columns = _per_person([name for name, _ in periods], moment_of, ever)
    climbs = [] if ever or not periods else [
        "(" + " OR ".join(f"({_within('moment', name)})" for name, _ in periods) + ")"]
    if query.text != "TRUE":
        climbs.append("person_id IN (SELECT person_id FROM chosen)")
    lead_owner = """
        LEFT JOIN (SELECT person_id, max(id) AS lead_id FROM leads GROUP BY person_id) ll
            ON ll.person_id = p.id
        LEFT JOIN leads l ON l.id = ll.lead_id""" if f.owner_ids else ""
    query.text = f"""
        chosen AS (
            SELECT p.id AS person_id, p.created_at, p.status, p.dead_reason, p.died_at
            FROM people p {lead_owner}
            WHERE {query.text}
        ),
        {_CLIMBS},
        per_person AS (
            SELECT person_id, {', '.join(per_person)} FROM climbs
            WHERE {' AND '.join(climbs) or 'TRUE'} GROUP BY person_id
        ),
        staged AS (
            SELECT ch.*, {', '.join(columns)}
            FROM chosen ch LEFT JOIN per_person c ON c.person_id = ch.person_id
        )
    """
    return query


def _run(db: Connection, sql: str, params: dict[str, Any]) -> Any:
    return schedule.query(db, sql, params)


def _stage_counts(column: str) -> str:
    return ", ".join(f"count(*) FILTER (WHERE {column} >= {rank}) AS {stage}"
                     for rank, stage in enumerate(STAGES, start=1))


# --- the funnel ----------------------------------------------------------------------------


def stage_counts(db: Connection, f: FunnelFilter, *, viewer: access.Viewer) -> dict[str, int]:
    """Distinct people per stage (see the module doc), in stage order."""
    base = _staged(db, f, viewer)
    row = _run(db, f"WITH {base.text} SELECT {_stage_counts('reached')} FROM staged",
               base.params).fetchone()
    return {stage: int(n) for stage, n in zip(STAGES, row, strict=True)}


def funnel(db: Connection, f: FunnelFilter, *, viewer: access.Viewer) -> pd.DataFrame:
    """stage, label, people, of_previous (share of the stage before), of_top (share of the
    suspects); shares are None where the stage they divide by is empty."""
    return _funnel_frame(stage_counts(db, f, viewer=viewer))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _funnel_frame(counts: dict[str, int]) -> pd.DataFrame:
    rows = []
    for i, stage in enumerate(STAGES):
        before = counts[STAGES[i - 1]] if i else counts[stage]
        rows.append({"stage": stage, "label": stage_label(stage), "people": counts[stage],
                     "of_previous": _share(counts[stage], before),
                     "of_top": _share(counts[stage], counts["suspect"])})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Headline:
    """One headline number and the same number in the previous period (None: no period)."""

    name: str
    label: str
    value: float | None
    previous: float | None
    is_rate: bool

    @property
    def change(self) -> float | None:
        """Now minus before (a rate's change is in percentage points as a fraction)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def text(self) -> str:
        """The number as shown: "1,234" or "12.5%" (German "1.234", "12,5 %"); a dash for a
        rate of nothing."""
        if self.value is None:
            return "—"
        return i18n.percent(self.value, 1) if self.is_rate else i18n.number(int(self.value))

    @property
    def change_text(self) -> str | None:
        """The change as shown: "+12", "−3.5 pp" for a rate, "±0"; None without a period."""
        if self.change is None:
            return None
        if self.change == 0:
            return "±0"
        sign = "+" if self.change > 0 else "-"
        if self.is_rate:
            return _("{change} pp").format(
                change=sign + i18n.number(abs(self.change) * 100, 1))
        return sign + i18n.number(abs(int(self.change)))

    def help_text(self, before: str) -> str | None:
        """What the number counts and, with a period, which period its change compares with
        (``before``, as ``compared_with`` says it)."""
        meaning = _(MEANINGS[self.name]) if self.name in MEANINGS else ""
        if self.previous is not None:
            meaning += " " + _("The change is against the period before ({period}).").format(
                period=before)
        return meaning.strip() or None


@dataclass(frozen=True)
class Summary:
    """What the top of the funnel page shows: the funnel and the headline numbers."""

    funnel: pd.DataFrame
    headline: list[Headline]

    def people_at(self, stage: str) -> int:
        """How many people the funnel counts at ``stage``."""
        return int(self.funnel.set_index("stage").loc[stage, "people"])


def summary(db: Connection, f: FunnelFilter, *, viewer: access.Viewer) -> Summary:
    """The funnel (as ``funnel``) and the headline numbers (as ``headline``) from one query
    that counts both the event period and the one before it."""
    base = _staged(db, f, viewer, previous=True)
    before_sql = _stage_counts("reached_before") if f.events is not None else "NULL"
    row = _run(db, f"WITH {base.text} SELECT {_stage_counts('reached')}, {before_sql}"
               " FROM staged", base.params).fetchone()
    now = dict(zip(STAGES, map(int, row[:5]), strict=True))
    before = dict(zip(STAGES, map(int, row[5:]), strict=True)) if f.events else None
    return Summary(_funnel_frame(now), _headline(now, before))


def headline(db: Connection, f: FunnelFilter, *, viewer: access.Viewer) -> list[Headline]:
    """The five stage counts, then the conversion rates of RATES, each with its value in the
    previous period of the same length (None without an event period)."""
    return summary(db, f, viewer=viewer).headline


def _headline(now: dict[str, int], before: dict[str, int] | None) -> list[Headline]:
    numbers = [Headline(s, stage_label(s), now[s], before[s] if before else None, False)
               for s in STAGES]
    for name, label, top, bottom in RATES:
        numbers.append(Headline(
            name, _(label), _share(now[top], now[bottom]),
            _share(before[top], before[bottom]) if before else None, True))
    return numbers


def stage_people(db: Connection, f: FunnelFilter, stage: str, *, viewer: access.Viewer,
                 limit: int = 100, offset: int = 0) -> pd.DataFrame:
    """One page of the people counted at ``stage`` (``stage_counts`` says how many), latest
    first: person_id, name, company, email, lists, owner, status (today), reached_at — when
    they reached this stage or a later one (within the event period)."""
    rank = STAGES.index(stage) + 1
    base = _staged(db, f, viewer, moment_of=rank)
    lists_visible, lists_params = access.named(access.lists_clause(viewer, "li"), "vl")
    base.params.update(lists_params)
    sql = f"""
        WITH {base.text},
        one_page AS (
            SELECT person_id, reached_at FROM staged WHERE reached >= $rank
            ORDER BY reached_at DESC, person_id LIMIT $limit OFFSET $offset
        ),
        on_lists AS (
            SELECT r.person_id, string_agg(li.name, ', ' ORDER BY li.created_at) AS lists
            FROM list_rows r JOIN lists li ON li.id = r.list_id
            WHERE r.person_id IN (SELECT person_id FROM one_page) AND {lists_visible}
            GROUP BY r.person_id
        ),
        latest_leads AS (
            SELECT person_id, max(id) AS lead_id FROM leads
            WHERE person_id IN (SELECT person_id FROM one_page) GROUP BY person_id
        )
        SELECT c.person_id, trim(concat_ws(' ', p.first_name, p.last_name)) AS name, p.company,
            p.email, o.lists, u.name AS owner, p.status, c.reached_at
        FROM one_page c JOIN people p ON p.id = c.person_id
        LEFT JOIN on_lists o ON o.person_id = c.person_id
        LEFT JOIN latest_leads ll ON ll.person_id = c.person_id
        LEFT JOIN leads l ON l.id = ll.lead_id
        LEFT JOIN users u ON u.id = coalesce(l.owner_id, p.owner_id)
        ORDER BY c.reached_at DESC, c.person_id
    """
    return _run(db, sql, {**base.params, "rank": rank, "limit": limit, "offset": offset}).df()


# --- which lists and weeks produce leads ---------------------------------------------------


def compared_with(f: FunnelFilter) -> str:
    """What the changes compare with: the period of the same length just before."""
    return _("nothing (all time)") if f.events is None else period_text(f.events.previous())


def period_caption(f: FunnelFilter) -> str:
    """Which period the numbers count, and what their changes compare with."""
    return _("Stages reached {period}").format(period=period_text(f.events)) + (
        "" if f.events is None else " · " + _("changes against {period}").format(
            period=compared_with(f)))


def cohorts(db: Connection, f: FunnelFilter, by: str = "list", *,
            viewer: access.Viewer) -> pd.DataFrame:
    """The funnel per list (a person on two lists counts in both) or per import week.

    Columns: cohort (list name or "2026-W45"), starts (list created / week's Monday), the five
    stage counts, and ``<stage>_share`` of each stage among the cohort's suspects. Newest
    first; cohorts with nobody counted (in the event period) are left out.
    """
    if by not in COHORT_KINDS:
        raise ValueError(f"cohorts by {by!r}")
    base = _staged(db, f, viewer)
    counts = _stage_counts("s.reached")
    lists_visible, lists_params = access.named(access.lists_clause(viewer, "li"), "vl")
    base.params.update(lists_params)
    if by == "list":
        only = " AND r.list_id = ANY($lists)" if f.list_ids else ""
        sql = f"""WITH {base.text}
            SELECT li.name AS cohort, li.created_at AS starts, {counts}
            FROM staged s JOIN list_rows r ON r.person_id = s.person_id{only}
            JOIN lists li ON li.id = r.list_id AND {lists_visible}
            GROUP BY li.id, li.name, li.created_at"""
    else:
        sql = f"""WITH {base.text}
            SELECT NULL AS cohort, date_trunc('week', s.created_at + $offset) AS starts, {counts}
            FROM staged s GROUP BY 2"""
        base.params["offset"] = schedule.sql_params(utcnow(), schedule.app_zone(db))["s_offset"]
    frame = _run(db, f"SELECT * FROM ({sql}) AS c WHERE suspect > 0 ORDER BY starts DESC, cohort",
                 base.params).df()
    if by == "week":
        frame["cohort"] = frame["starts"].dt.strftime(_("%G-W%V"))  # ISO week: 2026-W45
    for stage in STAGES[1:]:
        frame[f"{stage}_share"] = frame[stage] / frame["suspect"]
    return frame


def drop_off(db: Connection, f: FunnelFilter, *, viewer: access.Viewer) -> pd.DataFrame:
    """Where dead rows died and why, per list: list, stage, reason, people.

    A dead row died at the highest stage it had reached (the funnel stage it fell out of);
    with an event period, only rows that died within it count. A person on two lists counts
    in both; people on no list under ``(no list)``.
    """
    base = _staged(db, f, viewer, ever=True)
    lists_visible, lists_params = access.named(access.lists_clause(viewer, "li"), "vl")
    base.params.update(lists_params)
    died = "TRUE"
    if f.events is not None:
        died = "s.died_at >= $ev_from AND s.died_at < $ev_to"
    only = " AND r.list_id = ANY($lists)" if f.list_ids else ""
    stage = "CASE s.ever " + " ".join(
        f"WHEN {rank} THEN '{name}'" for rank, name in enumerate(STAGES, start=1)) + " END"
    sql = f"""WITH {base.text}
        SELECT coalesce(li.name, $no_list) AS list, {stage} AS stage,
            s.dead_reason AS reason, count(*) AS people, min(s.ever) AS stage_rank
        FROM staged s LEFT JOIN (SELECT r.person_id, li.name FROM list_rows r
            JOIN lists li ON li.id = r.list_id AND {lists_visible}{only}) li
            ON li.person_id = s.person_id
        WHERE s.dead_reason IS NOT NULL AND {died}
        GROUP BY 1, 2, 3 ORDER BY 1, stage_rank, people DESC, reason"""
    return _run(db, sql, {**base.params, "no_list": _(NO_LIST)}).df().drop(columns="stage_rank")


def worst_lists(frame: pd.DataFrame, n: int) -> tuple[pd.DataFrame, int]:
    """The drop-off of the ``n`` lists with the most dead rows (a chart stays readable), and
    how many lists have dead rows at all."""
    per_list = frame.groupby("list")["people"].sum()
    return frame[frame["list"].isin(per_list.nlargest(n).index)], len(per_list)


def criteria_insight(db: Connection, f: FunnelFilter, *, viewer: access.Viewer) -> pd.DataFrame:
    """How often each active criterion is ticked among the people who became leads (or won)
    and among the rest of the people in the funnel.

    Groups (of the people counted as suspects): ``leads`` reached the lead stage or later,
    ``won`` reached won, ``rest`` never reached lead. Columns per group: the group's size,
    how many of them have the criterion ticked now, and the share; ``lift`` = share among
    leads / share among the rest.
    """
    base = _staged(db, f, viewer)
    sql = f"""WITH {base.text},
        groups AS (
            SELECT count(*) FILTER (WHERE reached >= 3) AS leads,
                count(*) FILTER (WHERE reached = 5) AS won,
                count(*) FILTER (WHERE reached BETWEEN 1 AND 2) AS rest
            FROM staged
        ),
        ticked AS (
            SELECT t.criterion_key,
                count(*) FILTER (WHERE s.reached >= 3) AS leads_ticked,
                count(*) FILTER (WHERE s.reached = 5) AS won_ticked,
                count(*) FILTER (WHERE s.reached BETWEEN 1 AND 2) AS rest_ticked
            FROM ticks t JOIN staged s ON s.person_id = t.person_id
            GROUP BY t.criterion_key
        )
        SELECT c.key, c.short_label AS criterion, {leads.criterion_label_sql('c')} AS label,
            c.stage,
            g.leads, coalesce(k.leads_ticked, 0) AS leads_ticked,
            g.won, coalesce(k.won_ticked, 0) AS won_ticked,
            g.rest, coalesce(k.rest_ticked, 0) AS rest_ticked
        FROM criteria c CROSS JOIN groups g LEFT JOIN ticked k ON k.criterion_key = c.key
        WHERE c.active
        ORDER BY CASE c.stage WHEN 'prospect' THEN 0 ELSE 1 END, c.position"""
    frame = _run(db, sql, base.params).df()
    for group in ("leads", "won", "rest"):
        frame[f"{group}_share"] = frame[f"{group}_ticked"] / frame[group].where(frame[group] > 0)
    frame["lift"] = frame["leads_share"] / frame["rest_share"].where(frame["rest_share"] > 0)
    return frame


# --- what the filters offer ----------------------------------------------------------------


def list_choices(db: Connection, *, viewer: access.Viewer) -> pd.DataFrame:
    """id, name of every list the viewer may open, newest first."""
    visible, params = access.lists_clause(viewer, "l")
    return db.execute(f"SELECT l.id, l.name FROM lists l WHERE {visible}"
                      " ORDER BY l.created_at DESC, l.name", params).df()


def source_choices(db: Connection, *, viewer: access.Viewer) -> list[str]:
    """Every source a list the viewer may open, or a person they may see, has."""
    lists_visible, lists_params = access.lists_clause(viewer, "l")
    people_visible, people_params = access.people_clause(viewer, "p")
    return [row[0] for row in db.execute(
        f"SELECT l.source FROM lists l WHERE l.source IS NOT NULL AND {lists_visible} UNION"
        f" SELECT DISTINCT p.source FROM people p WHERE p.source IS NOT NULL AND {people_visible}"
        " ORDER BY 1", [*lists_params, *people_params]).fetchall()]


def owner_choices(db: Connection, *, viewer: access.Viewer) -> pd.DataFrame:
    """id, name of everyone who owns a row or a lead, or may own one, whose work the viewer
    may look at."""
    visible, params = access.users_clause(viewer, "u")
    return db.execute(
        "SELECT u.id, u.name FROM users u WHERE ((u.active AND u.role IN ('rep', 'manager',"
        " 'admin')) OR u.id IN (SELECT owner_id FROM leads)"
        f" OR u.id IN (SELECT owner_id FROM people)) AND {visible} ORDER BY u.name",
        params).df()


# --- overdue -------------------------------------------------------------------------------
# What is overdue is decided by lib.schedule alone (its SQL twins, the same ones that
# ``schedule.overdue_per_rep`` and ``leads.todo_counts`` use); nothing here re-decides it.

_OVERDUE = f"{schedule.effective_status_sql()} = 'todo' AND {schedule.overdue_sql()}"


def _age_sql(date_col: str) -> str:
    """Index into AGE_BUCKETS by whole local days overdue (a step due earlier today is 0)."""
    late = f"($s_today - {date_col})"
    return (f"CASE WHEN {late} <= 2 THEN 0 WHEN {late} <= 7 THEN 1"
            f" WHEN {late} <= 30 THEN 2 ELSE 3 END")


def overdue_per_rep(db: Connection, now: datetime, *, viewer: access.Viewer) -> pd.DataFrame:
    """user_id, email, name, count: exactly ``schedule.overdue_per_rep`` (what each rep's to-do
    page counts), re-exported so that pages ask one module."""
    return schedule.overdue_per_rep(db, now, viewer=viewer)


def overdue_counts(reps: pd.DataFrame) -> list[tuple[str, int]]:
    """("Everyone", the total) first, then each rep's count of ``overdue_per_rep``."""
    return [(_("Everyone"), int(reps["count"].sum())),
            *zip(reps["name"], reps["count"].astype(int), strict=True)]


def overdue_by_age(db: Connection, now: datetime, *, viewer: access.Viewer) -> pd.DataFrame:
    """user_id, name, age, count: every rep of ``overdue_per_rep`` × every AGE_BUCKETS entry
    (zeros included), in that order; a rep's counts add up to their overdue count."""
    visible, params = access.named(access.leads_clause(viewer, "l"))
    sql = f"SELECT owner_id, {_age_sql('next_due_date')} AS age, count(*) AS n FROM leads l" \
          f" WHERE {_OVERDUE} AND {visible} GROUP BY 1, 2"
    counted = {(o, a): n for o, a, n in _run(
        db, sql, {**schedule.sql_params(now, schedule.app_zone(db)), **params}).fetchall()}
    reps = overdue_per_rep(db, now, viewer=viewer)
    rows = [{"user_id": int(rep.user_id), "name": rep.name, "age": bucket,
             "count": int(counted.get((rep.user_id, i), 0))}
            for rep in reps.itertuples() for i, bucket in enumerate(AGE_BUCKETS)]
    return pd.DataFrame(rows, columns=["user_id", "name", "age", "count"])


def overdue_leads(db: Connection, now: datetime, *, viewer: access.Viewer,
                  limit: int | None = 200) -> pd.DataFrame:
    """The overdue group of the team's to-do list (``leads.todo``), most overdue first:
    lead_id, owner, lead, company, next_type, next_note, due_date, due_time, days_overdue,
    last_action_at, days_since. ``limit`` rows at most (None: all)."""
    rows = leads.todo(db, viewer=viewer, user_id=None, now=now, limit_per_group=limit)
    rows = rows[rows["group"] == "overdue"]
    today = pd.Timestamp(schedule.local_today(now, schedule.app_zone(db)))
    return pd.DataFrame({
        "lead_id": rows["lead_id"], "owner": rows["owner"], "lead": rows["title"],
        "company": rows["company"], "next_type": rows["next_type"],
        "next_note": rows["next_note"], "due_date": pd.to_datetime(rows["next_due_date"]).dt.date,
        "due_time": rows["next_due_time"],
        "days_overdue": (today - pd.to_datetime(rows["next_due_date"])).dt.days.astype("int64"),
        "last_action_at": rows["last_action_at"], "days_since": rows["days_since"],
    }).reset_index(drop=True)


_LEAD_ROW = """
    l.id AS lead_id, u.name AS owner, l.title AS lead, p.company, {step} AS step,
    l.next_type, l.next_due_date AS due_date, l.next_due_time AS due_time"""


def _lead_row() -> str:
    """The columns of a manager's lead table, the step named in the current language."""
    return _LEAD_ROW.format(step=step_label_sql("s"))


_LEAD_JOINS = """
    JOIN people p ON p.id = l.person_id
    LEFT JOIN users u ON u.id = l.owner_id
    LEFT JOIN pipeline_steps s ON s.key = l.step_key"""


def stale_leads(db: Connection, now: datetime, days: int, *, viewer: access.Viewer,
                limit: int = 200) -> tuple[pd.DataFrame, int]:
    """Leads to do whose last action (``leads.last_action_per_lead_sql``: an activity, a step
    or status change, or the conversion) is ``days`` or more local days old, stalest first:
    (up to ``limit`` of them, how many in all). Parked (standby) leads are quiet on purpose
    and are not listed."""
    visible, visible_params = access.named(access.leads_clause(viewer, "l"))
    sql = f"""
        WITH open_leads AS (
            SELECT * FROM leads l WHERE {schedule.effective_status_sql()} = 'todo' AND {visible}),
        last_action AS ({leads.last_action_per_lead_sql('open_leads')}),
        aged AS (
            SELECT lead_id, last_action_at,
                {schedule.days_since_sql('last_action_at')} AS days_since
            FROM last_action
        ),
        stale AS (SELECT * FROM aged WHERE days_since >= $days),
        chosen AS (
            SELECT *, count(*) OVER () AS total FROM stale
            ORDER BY last_action_at, lead_id LIMIT $limit
        )
        SELECT {_lead_row()}, c.last_action_at, c.days_since, c.total
        FROM chosen c JOIN leads l ON l.id = c.lead_id {_LEAD_JOINS}
        ORDER BY c.last_action_at, c.lead_id
    """
    params = {**schedule.sql_params(now, schedule.app_zone(db)), "days": days, "limit": limit,
              **visible_params}
    frame = _run(db, sql, params).df()
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    return frame.drop(columns="total"), total


def standby_returning(db: Connection, now: datetime, *, viewer: access.Viewer) -> pd.DataFrame:
    """Parked leads that come back to to do within the next 7 days (the to-do page's
    'upcoming' horizon), soonest first: ... back_on (the standby date), next step."""
    visible, params = access.named(access.leads_clause(viewer, "l"))
    sql = f"""
        SELECT {_lead_row()}, l.standby_until AS back_on FROM leads l {_LEAD_JOINS}
        WHERE {schedule.effective_status_sql('l.status', 'l.standby_until')} = 'standby'
            AND l.standby_until <= $s_week_end AND {visible}
        ORDER BY l.standby_until, l.id
    """
    return _run(db, sql, {**schedule.sql_params(now, schedule.app_zone(db)), **params}).df()


def lead_table(db: Connection, frame: pd.DataFrame, today: date) -> pd.DataFrame:
    """An overdue, stale or standby table as a manager reads it: one "due" column after the
    next step ("Mon 16 Nov 14:00"), readable next-step types, local times, no company."""
    due = [display.due_text(day, at, today)
           for day, at in zip(frame["due_date"], frame["due_time"], strict=True)]
    frame = frame.drop(columns=["company", "due_date", "due_time"])
    frame.insert(frame.columns.get_loc("next_note" if "next_note" in frame else "next_type") + 1,
                 "due", due)
    frame["next_type"] = frame["next_type"].map(display.next_labels())
    if "next_note" in frame:
        frame["next_note"] = frame["next_note"].fillna("")
    if "last_action_at" in frame:
        frame["last_action_at"] = display.local_times(db, frame["last_action_at"])
    return frame
