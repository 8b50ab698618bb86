"""The prospecting list's rows: paged out of DuckDB, edited cell by cell, cancelled, revived.

Every edit is a compare-and-set against the value the rep loaded: two reps working on the same
row keep both of their changes to different cells, and a change to a cell somebody else changed
meanwhile is refused with the fresh value instead of silently overwriting it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lib import access, history, i18n, leads, normalise, privacy, settings
from lib import qualification as q
from lib.db import Connection, scalar, transaction, utcnow
from lib.errors import EditConflict, InvalidInput, UserError
from lib.i18n import N_, _
from lib.store import people as people_store

CONTACT_FIELDS = (
    "company", "salutation", "first_name", "last_name", "email", "phone", "mobile", "job_title",
    "website", "street", "postal_code", "city", "country", "source", "notes",
)
EDITABLE_FIELDS = frozenset(CONTACT_FIELDS)
FIELD_LABELS = {
    "company": N_("company"), "salutation": N_("salutation"), "first_name": N_("first name"),
    "last_name": N_("last name"), "email": N_("e-mail"), "phone": N_("phone"),
    "mobile": N_("mobile"), "job_title": N_("job title"), "website": N_("website"),
    "street": N_("street"), "postal_code": N_("postal code"), "city": N_("city"),
    "country": N_("country"), "source": N_("source"), "notes": N_("notes"),
    "owner_id": N_("owner"), "owner": N_("owner"), "status": N_("status"), "why": N_("why"),
    "last_action": N_("last action"), "last_action_at": N_("last action at"),
    "do_not_contact": N_("do not contact"), "possible_duplicate": N_("possible duplicate"),
}
CANCEL_REASONS = (
    "not interested", "no budget", "no need", "wrong contact", "unreachable",
    "went to a competitor", "other",
)
STATUS_RANK = ("CASE p.status WHEN 'lead' THEN 1 WHEN 'prospect' THEN 2"
               " WHEN 'suspect' THEN 3 ELSE 4 END")  # the ladder, leads first, dead last
OWNER_ROLES = q.OWNER_ROLES
TICK_PREFIX = "tick:"


def label(column: str) -> str:
    """How a column is named on screen and in messages, in the reader's language."""
    return _(FIELD_LABELS[column]) if column in FIELD_LABELS else column.replace("_", " ")


def tick_column(key: str) -> str:
    """The table column of a criterion: prefixed, since a key may equal a contact field
    (the seeded criterion "website" and the contact field "website")."""
    return TICK_PREFIX + key


def criterion_key(column: str) -> str | None:
    """The criterion behind a tick column, or None for any other column."""
    return column.removeprefix(TICK_PREFIX) if column.startswith(TICK_PREFIX) else None


# --- reading a page ------------------------------------------------------------------------


@dataclass(frozen=True)
class RowFilter:
    """Which rows the table shows. ``list_id=None`` means "all my rows" (owned by the viewer)."""

    list_id: int | None = None
    statuses: frozenset[str] = frozenset()
    owner_id: int | None = None
    source: str | None = None
    text: str = ""
    possible_duplicates_only: bool = False


@dataclass
class _Query:
    """FROM … WHERE … of the selected rows, with its bound parameters in order."""

    sql: str
    params: list[Any] = field(default_factory=list)


def _selection(f: RowFilter, viewer: access.Viewer) -> _Query:
    """The rows the filter selects among those the viewer may see (``access.people_clause``).

    On a list, the callers have checked that the viewer may open it (``_chosen``, ``sources``).
    """
    if f.list_id is not None:
        query = _Query(
            "FROM list_rows lr JOIN people p ON p.id = lr.person_id"
            " LEFT JOIN users u ON u.id = p.owner_id WHERE lr.list_id = ?", [f.list_id])
    else:
        query = _Query("FROM people p LEFT JOIN users u ON u.id = p.owner_id"
                       " WHERE p.owner_id = ?", [viewer.user_id])
    visible, params = access.people_clause(viewer, "p", on_shared_list=f.list_id is not None)
    if visible != "TRUE":
        query.sql += f" AND {visible}"
        query.params += params
    unknown = set(f.statuses) - set(q.STATUSES)
    if unknown:
        raise InvalidInput(_("unknown status {statuses}").format(
            statuses=", ".join(sorted(unknown))), column=label("status"))
    if f.statuses:
        query.sql += f" AND p.status IN ({', '.join('?' for _status in f.statuses)})"
        query.params += sorted(f.statuses)
    for sql, value in (("p.owner_id = ?", f.owner_id), ("p.source = ?", f.source)):
        if value is not None:
            query.sql += f" AND {sql}"
            query.params.append(value)
    if f.possible_duplicates_only:
        query.sql += " AND p.possible_duplicate_of IS NOT NULL"
    if f.text.strip():
        _add_text_search(query, f.text)
    return query


def _add_text_search(query: _Query, text: str) -> None:
    """Case-insensitive substring over full name, company and e-mail (LIKE wildcards escaped),
    and for a query that looks like a phone number, its digits over phone and mobile."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    targets = ("(COALESCE(p.first_name, '') || ' ' || COALESCE(p.last_name, ''))", "p.company",
               "p.email")
    terms = [f"{t} ILIKE ? ESCAPE '\\'" for t in targets]
    params: list[Any] = [pattern] * len(targets)
    for digits in phone_digits(text):
        for column in PHONE_SEARCH_COLUMNS:
            terms.append(f"strpos(regexp_replace(COALESCE({column}, ''), '[^0-9]', '', 'g'), ?)"
                         " > 0")
            params.append(digits)
    query.sql += " AND (" + " OR ".join(terms) + ")"
    query.params += params


PHONE_SEARCH_COLUMNS = ("p.phone", "p.mobile", "p.phone_key", "p.mobile_key")
PHONE_QUERY = re.compile(r"\+?\(?[0-9][0-9 ()/.\-]*")


def phone_digits(text: str) -> list[str]:
    """The digit strings a phone query is searched by (none unless it looks like a number of
    at least 4 digits): as typed, and without its international (00) or national (0) prefix, so
    "089 123456" finds "+49 89 123456" by its E.164 key and "+49 89 1234" finds "089 1234…"."""
    if not PHONE_QUERY.fullmatch(text.strip()):
        return []
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) < 4:
        return []
    found = [digits]
    if digits.startswith("00"):
        found.append(digits[2:])
    elif digits.startswith("0"):
        found.append(digits[1:])
    return found


LAST_ACTION_AT = (
    "GREATEST((SELECT MAX(h.happened_at) FROM history h"
    " WHERE h.person_id = p.id AND h.kind <> 'status'),"
    " (SELECT MAX(a.happened_at) FROM activities a WHERE a.person_id = p.id))"
)
SORT_SQL = {
    **{column: f"lower(p.{column})" for column in CONTACT_FIELDS},
    "person_id": "p.id", "status": STATUS_RANK, "why": STATUS_RANK,
    "owner": "lower(u.name)", "owner_id": "lower(u.name)",
    "possible_duplicate": "(p.possible_duplicate_of IS NOT NULL)",
    "last_action": LAST_ACTION_AT, "last_action_at": LAST_ACTION_AT,
}


def _order_by(
    sort_by: str | None, descending: bool, f: RowFilter, active: list[q.Criterion]
) -> _Query:
    """ORDER BY a whitelisted column, a tick column or (on a list) an extra attribute."""
    if sort_by is None:
        expr = _Query("lr.row_number" if f.list_id is not None else "p.id")
    elif sort_by in SORT_SQL:
        expr = _Query(SORT_SQL[sort_by])
    elif criterion_key(sort_by) in {c.key for c in active}:
        expr = _Query("EXISTS (SELECT 1 FROM ticks t WHERE t.person_id = p.id"
                      " AND t.criterion_key = ?)", [criterion_key(sort_by)])
    elif f.list_id is not None:
        expr = _Query("CAST(lr.extras AS JSON) ->> ?", [sort_by])
    else:
        raise InvalidInput(_("cannot sort by '{column}'").format(column=sort_by))
    direction = "DESC" if descending else "ASC"
    return _Query(f" ORDER BY {expr.sql} {direction} NULLS LAST, p.id", expr.params)


def rows_page(
    db: Connection, f: RowFilter, *, viewer: access.Viewer, sort_by: str | None = None,
    descending: bool = False, offset: int = 0, limit: int | None = 100,
) -> tuple[pd.DataFrame, int]:
    """One page of rows (sorted and cut in DuckDB) and how many rows the filter selects.

    Columns: person_id, the contact fields, one boolean per active criterion (named by
    ``tick_column(key)``), status, why, owner_id, owner, last_action, last_action_at,
    possible_duplicate, do_not_contact (the flagged channels: "e-mail, phone"), then the
    file's extra attributes present on this page.
    ``limit=None`` returns every row. Only rows the viewer may see; a list they may not open
    is refused (NotAllowed).
    """
    active = q.criteria(db)
    ids, total = _chosen(db, f, viewer, _order_by(sort_by, descending, f, active), offset, limit)
    page = _rows_of(db, ids, f.list_id)
    shown = _decorate(db, page, active)
    return pd.concat([shown, _expand_extras(page["extras"], set(shown.columns))], axis=1), total


def rows_by_id(db: Connection, person_ids: Sequence[int], list_id: int | None = None, *,
               viewer: access.Viewer) -> pd.DataFrame:
    """These rows with ``rows_page``'s columns (without the extras), in the given order; ids
    that no longer exist, or that the viewer may not see, are left out.

    The table refreshes its page with it after a change: a row whose status moved stays where
    it is instead of jumping to its new place in the sort.
    """
    ids = [int(i) for i in person_ids]
    visible, params = access.people_clause(viewer, "p")
    known = {r[0] for r in db.execute(
        f"SELECT p.id FROM people p WHERE p.id = ANY(?) AND {visible}", [ids, *params]).fetchall()}
    return _decorate(db, _rows_of(db, [i for i in ids if i in known], list_id), q.criteria(db))


def sources(db: Connection, f: RowFilter, *, viewer: access.Viewer) -> list[str]:
    """The distinct sources of the rows a list (or "all my rows") holds that the viewer may
    see, for the filter."""
    if f.list_id is not None:
        access.check_list(db, viewer, f.list_id)
    where = _selection(RowFilter(list_id=f.list_id), viewer)
    found = db.execute(
        f"SELECT DISTINCT p.source {where.sql} AND p.source IS NOT NULL ORDER BY p.source",
        where.params,
    ).fetchall()
    return [r[0] for r in found]


def extra_columns(db: Connection, list_id: int) -> list[str]:
    """The file columns a list keeps as extra attributes, in file order (from the mappings of
    its imports): the table can sort by them too."""
    found: dict[str, None] = {}
    for (mapping,) in db.execute(
        "SELECT mapping FROM imports WHERE list_id = ? AND undone_at IS NULL ORDER BY id",
        [list_id],
    ).fetchall():
        found.update(dict.fromkeys(c for c, f in json.loads(mapping).items() if f is None))
    return list(found)


def _chosen(
    db: Connection, f: RowFilter, viewer: access.Viewer, order: _Query, offset: int,
    limit: int | None,
) -> tuple[list[int], int]:
    """The ids of the rows to show, sorted and cut in DuckDB, and how many the filter selects.

    The count rides along as a window: filtering twice costs twice on a text search.
    """
    if f.list_id is not None:
        access.check_list(db, viewer, f.list_id)
    where = _selection(f, viewer)
    sql = f"SELECT p.id, COUNT(*) OVER () {where.sql}{order.sql}"
    params = [*where.params, *order.params]
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [int(limit), int(offset)]
    found = db.execute(sql, params).fetchall()
    total = found[0][1] if found else scalar(db, f"SELECT COUNT(*) {where.sql}", where.params)
    return [row[0] for row in found], int(total)


def _rows_of(db: Connection, ids: list[int], list_id: int | None) -> pd.DataFrame:
    """The stored columns of these people, in this order.

    Sorting and cutting ids first and reading wide rows only for the page is what keeps a
    page of a 100k-row list fast: joining every column of every row costs several times more.
    """
    page = db.execute(
        f"SELECT p.id AS person_id, {', '.join(f'p.{c}' for c in CONTACT_FIELDS)},"
        " p.status, p.dead_reason, p.owner_id, u.name AS owner,"
        " p.possible_duplicate_of IS NOT NULL AS possible_duplicate, lr.extras,"
        " dnc.flags AS do_not_contact"
        f" FROM people p LEFT JOIN users u ON u.id = p.owner_id"
        f" LEFT JOIN {privacy.FLAGS_SQL} dnc ON dnc.person_id = p.id"
        " LEFT JOIN (SELECT person_id, extras FROM list_rows WHERE list_id = ?"
        " AND person_id = ANY(?)) lr ON lr.person_id = p.id"
        " WHERE p.id = ANY(?)",
        [list_id, ids, ids],
    ).df()
    return page.set_index("person_id").loc[ids].reset_index()


def _decorate(db: Connection, page: pd.DataFrame, active: list[q.Criterion]) -> pd.DataFrame:
    """The shown columns: stored ones plus ticks, why and last action of these rows only."""
    ids = [int(i) for i in page["person_id"]]
    ticks = db.execute(
        "SELECT person_id, criterion_key FROM ticks WHERE person_id = ANY(?)", [ids]
    ).df()
    for c in active:
        page[tick_column(c.key)] = page["person_id"].isin(
            ticks["person_id"][ticks["criterion_key"] == c.key])
    converted = q.conversions(db, ids)
    page["why"] = _whys(db, ids, page["dead_reason"], ticks, active, converted)
    page["converted"] = [_converted_mark(converted.get(pid)) for pid in ids]
    last = _last_actions(db, ids, {c.key: c.short for c in q.criteria(db, False)})
    page["last_action"] = [last.get(pid, (None, None))[0] for pid in ids]
    page["last_action_at"] = pd.to_datetime([last.get(pid, (None, None))[1] for pid in ids])
    return page[["person_id", *CONTACT_FIELDS, *(tick_column(c.key) for c in active), "status",
                 "converted", "why", "owner_id", "owner", "last_action", "last_action_at",
                 "possible_duplicate", "do_not_contact"]]


def _converted_mark(conversion: q.Conversion | None) -> str | None:
    """The marker of a converted row ("open lead" / "won"), so it never reads like a row that
    qualified but was not converted yet."""
    if conversion is None:
        return None
    return _("open lead") if conversion.open else _("won")


def _whys(
    db: Connection, ids: list[int], dead_reasons: pd.Series, ticks: pd.DataFrame,
    active: list[q.Criterion], converted: dict[int, q.Conversion],
) -> list[str]:
    """``q.why`` per row, worked out once per distinct (ticks, dead reason, lead): a whole list
    has few distinct ones."""
    limits = q.thresholds(db)
    sets: dict[int, set[str]] = {}
    for pid, criterion in zip(ticks["person_id"].tolist(), ticks["criterion_key"].tolist(),
                              strict=True):
        sets.setdefault(pid, set()).add(criterion)
    known: dict[tuple[frozenset[str], str | None, q.Conversion | None], str] = {}
    whys = []
    for pid, reason in zip(ids, dead_reasons, strict=True):
        key = (frozenset(sets.get(pid, ())), None if pd.isna(reason) else str(reason),
               converted.get(pid))
        if key not in known:
            known[key] = q.why(key[0], key[1], active, limits, key[2])
        whys.append(known[key])
    return whys


def _expand_extras(extras: pd.Series, taken: set[str]) -> pd.DataFrame:
    """The file's extra attributes (JSON objects) as columns; a clashing name gets " (file)"."""
    records = [json.loads(text) if isinstance(text, str) else {} for text in extras]
    frame = pd.DataFrame.from_records(records, index=extras.index)
    return frame.rename(columns=lambda k: _("{column} (file)").format(column=k)
                        if k in taken else k)


# --- last action and history ---------------------------------------------------------------

LAST_ACTIONS_SQL = """
SELECT person_id, kind, field, old_value, new_value, note, happened_at FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY person_id ORDER BY happened_at DESC, origin, id DESC) AS n
    FROM (
        SELECT person_id, kind, field, old_value, new_value, note, happened_at, 1 AS origin, id
        FROM history WHERE kind <> 'status' AND person_id = ANY(?)
        UNION ALL
        SELECT person_id, kind, outcome, NULL, NULL, body, happened_at, 0 AS origin, id
        FROM activities WHERE person_id = ANY(?)
    ) AS actions
) AS ranked WHERE n = 1
"""


def _last_actions(
    db: Connection, ids: list[int], criterion_labels: dict[str, str]
) -> dict[int, tuple[str, Any]]:
    """person_id → (what, when) of the latest history entry or activity; status moves are
    consequences, not actions, so they do not count."""
    rows = db.execute(LAST_ACTIONS_SQL, [ids, ids]).fetchall()
    return {r[0]: (describe(*r[1:6], criterion_labels), r[6]) for r in rows}


ACTIVITY_OUTCOMES = {"no_answer": N_("no answer"), "wrong_number": N_("wrong number"),
                     "reached": N_("reached"), "voicemail": N_("voicemail")}
ACTIVITY_KINDS = {"call": N_("call"), "email": N_("e-mail"), "meeting": N_("meeting"),
                  "note": N_("note")}
LEAD_STATUSES = {"todo": N_("todo"), "standby": N_("standby"), "won": N_("won"),
                 "lost": N_("lost"), "cancelled": N_("cancelled")}
DESCRIPTIONS: dict[str, Callable[[str, str, str, str, str], str]] = {
    "tick": lambda f, o, n, note, crit: _("ticked {label}").format(label=crit),
    "untick": lambda f, o, n, note, crit: _("unticked {label}").format(label=crit),
    "edit": lambda f, o, n, note, crit: _("edited {field}").format(field=label(f)),
    "import_fill": lambda f, o, n, note, crit: _("import filled {field}").format(
        field=label(f)),
    "import_kept": lambda f, o, n, note, crit: _("import brought another {field}").format(
        field=label(f)),
    "status": lambda f, o, n, note, crit: _("status {old} → {new}").format(
        old=q.status_label(o), new=q.status_label(n)),
    "owner": lambda f, o, n, note, crit: (_("owner: {note}").format(note=note) if note
                                          else _("owner changed")),
    "cancel": lambda f, o, n, note, crit: _("cancelled: {reason}").format(
        reason=q.reason_label(n)),
    "revive": lambda f, o, n, note, crit: _("revived"),
    "convert": lambda f, o, n, note, crit: _("converted to a lead"),
    "lead_step": lambda f, o, n, note, crit: _("lead step {old} → {new}").format(old=o, new=n),
    "lead_status": lambda f, o, n, note, crit: _("lead {old} → {new}").format(
        old=_lead_status(o), new=_lead_status(n)),
    "lead_edit": lambda f, o, n, note, crit: _("lead {field} changed").format(field=label(f)),
    "next_step": lambda f, o, n, note, crit: (_("next step: {step}").format(step=n) if n
                                              else _("next step cleared")),
}


def _lead_status(status: str) -> str:
    return _(LEAD_STATUSES[status]) if status in LEAD_STATUSES else status


def describe(
    kind: str, field_name: str | None, old: str | None, new: str | None, note: str | None,
    criterion_labels: dict[str, str],
) -> str:
    """A history entry or activity in a few words ("ticked budget", "call: no answer")."""
    if kind in ACTIVITY_KINDS:
        outcome = field_name and (_(ACTIVITY_OUTCOMES[field_name])
                                  if field_name in ACTIVITY_OUTCOMES else field_name)
        what = _(ACTIVITY_KINDS[kind])
        return _("{kind}: {outcome}").format(kind=what, outcome=outcome) if outcome else what
    crit = criterion_labels.get(field_name or "", field_name or "")
    if kind in DESCRIPTIONS:
        return DESCRIPTIONS[kind](field_name or "", old or "", new or "", note or "", crit)
    return kind.replace("_", " ")


def row_history(db: Connection, person_id: int, *, viewer: access.Viewer) -> pd.DataFrame:
    """The history panel: ``history.for_person`` plus a readable "what" column."""
    entries = history.for_person(db, person_id, viewer=viewer)
    labels = {c.key: c.short for c in q.criteria(db, active_only=False)}
    entries.insert(2, "what", [
        describe(e.kind, _text(e.field), _text(e.old_value), _text(e.new_value), _text(e.note),
                 labels)
        for e in entries.itertuples()
    ])
    return entries


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


# --- editing contact fields ----------------------------------------------------------------


def clean(value: object) -> str | None:
    """A cell as the database stores it: trimmed text, or None for empty/missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


@transaction
def edit_field(
    db: Connection, person_id: int, field_name: str, *, old: object, new: object, by: int | None
) -> str | None:
    """Change one contact field if it still holds ``old``; returns the stored value.

    Raises EditConflict (nothing saved) when someone changed it meanwhile, InvalidInput for a
    field that cannot be edited or an invalid e-mail / phone number.
    """
    if field_name not in EDITABLE_FIELDS:
        raise InvalidInput(_("cannot be edited here"), column=label(field_name))
    access.writer(db, by, "work_rows", N_("edit rows"), person_id=person_id)
    old_text, new_text = clean(old), clean(new)
    if new_text == old_text:
        return new_text
    now = utcnow()
    assignments = {field_name: new_text, **_derived(db, person_id, field_name, new_text),
                   "updated_at": now}
    changed = people_store.set_fields_if(db, person_id, field_name, old_text, assignments)
    if not changed:
        raise _edit_conflict(db, person_id, field_name)
    history.record(db, "edit", user_id=by, person_id=person_id, field=field_name,
                   old=old_text, new=new_text, at=now)
    return new_text


def _derived(db: Connection, person_id: int, field_name: str, value: str | None) -> dict:
    """The matching keys and validity flags that follow from a changed field."""
    if field_name == "email":
        return _checked("email", value, normalise.email_keys(pd.Series([value], dtype=object)))
    if field_name in ("phone", "mobile"):
        region = str(settings.get(db, "phone_region"))
        keys = normalise.phone_keys(pd.Series([value], dtype=object), region)
        return _checked(field_name, value, keys)
    if field_name in ("first_name", "last_name", "company"):
        return _name_keys(db, person_id, field_name, value)
    return {}


def _checked(field_name: str, value: str | None, keys: pd.DataFrame) -> dict:
    valid = keys["valid"].iloc[0]
    if value is not None and not bool(valid):
        raise InvalidInput(_("'{value}' is not a valid {field}; nothing was saved").format(
            value=value, field=label(field_name)), column=label(field_name))
    return {f"{field_name}_key": _plain(keys["key"].iloc[0]),
            f"{field_name}_valid": None if value is None else True}


def _name_keys(db: Connection, person_id: int, field_name: str, value: str | None) -> dict:
    row = db.execute(
        "SELECT first_name, last_name, company FROM people WHERE id = ?", [person_id]
    ).fetchone()
    if row is None:
        raise UserError(_("row {id} no longer exists").format(id=person_id))
    names = dict(zip(("first_name", "last_name", "company"), row, strict=True))
    names[field_name] = value
    series = {k: pd.Series([v], dtype=object) for k, v in names.items()}
    keys = {"name_key": _plain(normalise.name_key(
        series["first_name"], series["last_name"], series["company"]).iloc[0])}
    if field_name == "company":
        keys["company_key"] = _plain(normalise.company_key(series["company"]).iloc[0])
    return keys


def _plain(value: object) -> object:
    """A pandas cell as a plain Python value for a bound parameter (missing → None)."""
    return None if value is None or pd.isna(value) else value


def _edit_conflict(db: Connection, person_id: int, field_name: str) -> UserError:
    row = db.execute(f"SELECT {field_name} FROM people WHERE id = ?", [person_id]).fetchone()
    if row is None:
        return UserError(_("row {id} no longer exists; your change was not saved").format(
            id=person_id))
    who = q.last_changer(db, person_id, ("edit", "import_fill"), field_name)
    text = (_("{field}: {who} changed it to '{value}' since you loaded the list; your change "
              "was not saved.") if row[0] is not None else
            _("{field}: {who} emptied it since you loaded the list; your change was not saved."))
    return EditConflict(text.format(field=label(field_name).capitalize(), who=who, value=row[0]),
                        fresh_value=row[0])


# --- owner ---------------------------------------------------------------------------------


def owner_name(db: Connection, owner_id: int | None) -> str:
    if owner_id is None:
        return _("nobody")
    return scalar(db, "SELECT name FROM users WHERE id = ?", [owner_id]) or _(
        "user {id}").format(id=owner_id)


def _check_owner(db: Connection, owner_id: int | None) -> None:
    if owner_id is None:
        return
    if not scalar(
        db, "SELECT COUNT(*) FROM users WHERE id = ? AND active AND role IN (?, ?, ?)",
        [owner_id, *OWNER_ROLES],
    ):
        raise InvalidInput(_("user {id} cannot own rows").format(id=owner_id),
                           column=label("owner"))


@transaction
def assign_owner(
    db: Connection, person_id: int, owner_id: int | None, *, expected_owner_id: int | None,
    by: int | None,
) -> None:
    """Give the row another owner if its owner is still ``expected_owner_id``."""
    owner_id = _whole_or_none(owner_id)
    expected_owner_id = _whole_or_none(expected_owner_id)
    access.check_assign(
        db, access.writer(db, by, "work_rows", N_("change owners"), person_id=person_id), owner_id)
    _check_owner(db, owner_id)
    if owner_id == expected_owner_id:
        return
    now = utcnow()
    if not people_store.set_owner_if(db, person_id, owner_id, expected_owner_id, now):
        if _current_owner(db, person_id) == owner_id:
            return  # someone gave it the owner this change wanted: nothing is overwritten
        raise _owner_conflict(db, person_id)
    history.record(
        db, "owner", user_id=by, person_id=person_id, field="owner_id", old=expected_owner_id,
        new=owner_id, at=now,
        note=_stored_note(db, expected_owner_id, owner_id),
    )


def _stored_note(db: Connection, old_owner: int | None, new_owner: int | None) -> str:
    """The history's note of an owner change, stored in English like every stored value."""
    with i18n.using(i18n.DEFAULT):
        return f"{owner_name(db, old_owner)} → {owner_name(db, new_owner)}"


def _current_owner(db: Connection, person_id: int) -> int | None:
    return _whole_or_none(scalar(db, "SELECT owner_id FROM people WHERE id = ?", [person_id]))


def _owner_conflict(db: Connection, person_id: int) -> UserError:
    row = db.execute("SELECT owner_id FROM people WHERE id = ?", [person_id]).fetchone()
    if row is None:
        return UserError(_("row {id} no longer exists; your change was not saved").format(
            id=person_id))
    who = q.last_changer(db, person_id, ("owner",), "owner_id")
    return EditConflict(
        _("Owner: {who} gave this row to {name} since you loaded the list; your change was "
          "not saved.").format(who=who, name=owner_name(db, row[0])),
        fresh_value=row[0],
    )


def _whole_or_none(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


# --- cancel and revive ---------------------------------------------------------------------


@transaction
def cancel(
    db: Connection, person_id: int, reason: str, note: str | None = None, *, by: int | None
) -> q.StatusInfo:
    """Make a row dead, with a reason from CANCEL_REASONS ("other" needs a note)."""
    note = clean(note)
    if reason not in CANCEL_REASONS:
        raise InvalidInput(_("choose one of: {reasons}").format(
            reasons=", ".join(map(q.reason_label, CANCEL_REASONS))), column=_("reason"))
    if reason == "other" and note is None:
        raise InvalidInput(_("say in the note why, when the reason is 'other'"),
                           column=_("note"))
    access.writer(db, by, "work_rows", N_("cancel rows"), person_id=person_id)
    old_status, dead_reason = _status_row(db, person_id)
    if dead_reason is not None:
        raise UserError(_("already dead ({reason})").format(reason=q.reason_label(dead_reason)))
    now = utcnow()
    people_store.mark_dead(db, person_id, reason, note, now)
    history.record(db, "cancel", user_id=by, person_id=person_id, field="dead_reason",
                   new=reason, note=note, at=now)
    q.record_status(db, person_id, old_status, "dead", by=by, at=now)
    return q.StatusInfo(person_id, old_status, "dead", q.dead_text(reason))


@transaction
def revive(db: Connection, person_id: int, *, by: int | None) -> q.StatusInfo:
    """Undo a cancel: the status comes back from the ticks, which a cancel never removes."""
    access.writer(db, by, "work_rows", N_("revive rows"), person_id=person_id)
    dead_reason = _status_row(db, person_id)[1]
    if dead_reason is None:
        raise UserError(_("this row is not dead"))
    (status, why), now = q.standing(db, person_id, None), utcnow()
    people_store.revive(db, person_id, status, now)
    history.record(db, "revive", user_id=by, person_id=person_id, field="dead_reason",
                   old=dead_reason, at=now)
    q.record_status(db, person_id, "dead", status, by=by, at=now)
    return q.StatusInfo(person_id, "dead", status, why)


def _status_row(db: Connection, person_id: int) -> tuple[str, str | None]:
    row = db.execute("SELECT status, dead_reason FROM people WHERE id = ?", [person_id]).fetchone()
    if row is None:
        raise UserError(_("row {id} no longer exists").format(id=person_id))
    return row


# --- a batch of cell changes from the table ------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    """One edited cell: the value the rep loaded (``old``) and the one they typed (``new``)."""

    person_id: int
    column: str
    old: object
    new: object


@dataclass(frozen=True)
class ChangeOutcome:
    """``result`` is "saved", "conflict" (``fresh_value`` holds the stored value) or "invalid"."""

    change: CellChange
    result: str
    message: str = ""
    fresh_value: object = None
    status: q.StatusInfo | None = None


def apply_changes(
    db: Connection, changes: Iterable[CellChange], *, by: int | None
) -> list[ChangeOutcome]:
    """Save each change in its own transaction, so one refusal never loses the others."""
    keys = {c.key for c in q.criteria(db)}
    return [_apply(db, change, keys, by) for change in changes]


def _apply(db: Connection, change: CellChange, keys: set[str], by: int | None) -> ChangeOutcome:
    try:
        if criterion_key(change.column) in keys:
            info = q.set_tick(db, change.person_id, criterion_key(change.column),
                              _checked_box(change.new), expected=_checked_box(change.old), by=by)
            return ChangeOutcome(change, "saved", status=info)
        if change.column in EDITABLE_FIELDS:
            edit_field(db, change.person_id, change.column, old=change.old, new=change.new, by=by)
        elif change.column == "owner_id":
            assign_owner(db, change.person_id, change.new, expected_owner_id=change.old, by=by)
        else:
            raise InvalidInput(_("cannot be edited here"), column=label(change.column))
    except EditConflict as exc:
        return ChangeOutcome(change, "conflict", str(exc), exc.fresh_value)
    except UserError as exc:
        return ChangeOutcome(change, "invalid", str(exc))
    return ChangeOutcome(change, "saved")


def _checked_box(value: object) -> bool:
    return False if value is None or pd.isna(value) else bool(value)


# --- bulk actions --------------------------------------------------------------------------


@dataclass(frozen=True)
class RowOutcome:
    person_id: int
    ok: bool
    message: str


def _each(
    person_ids: Sequence[int], action: Callable[[int], str]
) -> list[RowOutcome]:
    """Run ``action`` per row (each its own transaction); a refusal is that row's outcome."""
    outcomes = []
    for pid in person_ids:
        try:
            outcomes.append(RowOutcome(int(pid), True, action(int(pid))))
        except UserError as exc:
            outcomes.append(RowOutcome(int(pid), False, str(exc)))
    return outcomes


def bulk_assign_owner(
    db: Connection, person_ids: Sequence[int], owner_id: int | None, *, by: int | None
) -> list[RowOutcome]:
    """Give the selected rows to one owner, whoever owned them before."""
    def give(pid: int) -> str:
        current = scalar(db, "SELECT owner_id FROM people WHERE id = ?", [pid])
        assign_owner(db, pid, owner_id, expected_owner_id=current, by=by)
        return _("owner: {name}").format(name=owner_name(db, owner_id))

    return _each(person_ids, give)


def bulk_cancel(
    db: Connection, person_ids: Sequence[int], reason: str, note: str | None = None, *,
    by: int | None,
) -> list[RowOutcome]:
    """Cancel the selected rows; rows already dead report so and stay as they are."""
    def kill(pid: int) -> str:
        cancel(db, pid, reason, note, by=by)
        return q.dead_text(reason)

    return _each(person_ids, kill)


def bulk_revive(
    db: Connection, person_ids: Sequence[int], *, by: int | None
) -> list[RowOutcome]:
    """Undo the cancel of the selected rows; rows that are not dead report so."""
    def bring_back(pid: int) -> str:
        return _("revived: {now}").format(now=q.status_label(revive(db, pid, by=by).status))

    return _each(person_ids, bring_back)


def bulk_convert(
    db: Connection, person_ids: Sequence[int], *, owner_id: int, next_step: leads.NextStep,
    step_key: str | None = None, amount: object = None, note: str | None = None,
    by: int | None,
) -> list[RowOutcome]:
    """Make a lead of each selected row; a row that already has an open lead keeps that one."""
    def make_lead(pid: int) -> str:
        result = leads.convert(db, pid, owner_id=owner_id, next_step=next_step,
                               step_key=step_key, amount=amount, note=note, by=by)
        if not result.created:
            raise UserError(_("has an open lead #{id}; nothing new was created").format(
                id=result.lead_id))
        return _("lead #{id}: {message}").format(id=result.lead_id, message=result.message)

    return _each(person_ids, make_lead)


@transaction
def bulk_tick(
    db: Connection, person_ids: Sequence[int], criterion_key: str, ticked: bool, *,
    seen: Mapping[int, bool], by: int | None,
) -> list[RowOutcome]:
    """Tick (or untick) one criterion on the selected rows in one transaction.

    Each row is a compare-and-set against ``seen`` (the tick the rep saw on it): a row someone
    changed meanwhile is refused as stale, a dead or vanished row as not allowed; the other
    rows are saved. A row already as wanted is left alone. A switched-off criterion refuses
    every row.
    """
    access.require_user(db, by, "work_rows", N_("tick criteria"))
    wanted = q.criterion(db, criterion_key)
    if not wanted.active:
        raise InvalidInput(q.switched_off_text(wanted))

    def one(pid: int) -> RowOutcome:
        try:
            info = q.set_tick(db, pid, criterion_key, ticked,
                              expected=bool(seen.get(pid, not ticked)), by=by)
        except EditConflict as exc:
            if bool(exc.fresh_value) == bool(ticked):
                already = (_("{label} already ticked") if ticked else
                           _("{label} already unticked"))
                return RowOutcome(pid, True, already.format(label=wanted.short))
            return RowOutcome(pid, False, _("stale: {reason}").format(reason=exc))
        except UserError as exc:
            return RowOutcome(pid, False, _("not allowed: {reason}").format(reason=exc))
        done = _("{label} ticked; {now}") if ticked else _("{label} unticked; {now}")
        return RowOutcome(pid, True, done.format(label=wanted.short,
                                                 now=q.status_label(info.status)))

    return [one(int(pid)) for pid in person_ids]


# --- download ------------------------------------------------------------------------------


def export_rows(db: Connection, f: RowFilter, *, viewer: access.Viewer) -> pd.DataFrame:
    """The whole filtered list as the Prospecting download and ``lib.cli export`` write it
    (``lib.export`` makes it formula-safe): contact fields, ticks, status, why, owner, last
    action, then the file's extra columns, with on-screen headers; only the rows the viewer
    may see."""
    active = q.criteria(db)
    ids = _chosen(db, f, viewer, _order_by(None, False, f, active), 0, None)[0]
    page = _rows_of(db, ids, f.list_id)
    frame = _decorate(db, page, active)
    ticks = {tick_column(c.key): f"✓ {c.short}" for c in active}
    columns = [*CONTACT_FIELDS, "do_not_contact", *ticks, "status", "why", "owner", "last_action",
               "last_action_at"]
    frame["status"] = frame["status"].map(q.status_label)
    shown = frame[columns].rename(columns={**{c: label(c) for c in columns}, **ticks})
    extras = _expand_extras(page["extras"], set(shown.columns))
    if f.list_id is not None:
        in_file = [c for c in extra_columns(db, f.list_id) if c in extras.columns]
        extras = extras[[*in_file, *(c for c in extras.columns if c not in in_file)]]
    return pd.concat([shown, extras], axis=1)
