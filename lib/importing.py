"""The import: read → header → map columns → validate → match duplicates → preview → commit.

`prepare` does everything up to the preview without writing; `commit` writes the preview in one
transaction. A person exists once: rows that match a known person link that person to the list
and only fill fields that were empty (any other value goes to the history).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import PurePath

import pandas as pd

from lib import access, i18n, mapping, matching, merging, privacy, reading, settings, staging
from lib.db import Connection, engine, insert_frame, registered, scalar, transaction, utcnow
from lib.errors import FileRefused, InvalidInput, LimitExceeded, UserError
from lib.i18n import N_, _, pgettext
from lib.store import history as history_store
from lib.store import imports as imports_store
from lib.store import lists as lists_store
from lib.store import people as people_store
from lib.store import privacy as privacy_store

PERSON_FIELDS = staging.PERSON_FIELDS
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "mac-roman", "cp850")
DELIMITER_LABELS = {",": N_("comma ,"), ";": N_("semicolon ;"), "\t": N_("tab"),
                    "|": N_("pipe |"), "": N_("one column")}


@dataclass(frozen=True)
class Counts:
    """What the preview and the report say; rows_in_file is the sum of the first five."""

    rows_in_file: int = 0
    blank: int = 0
    added: int = 0
    already_known: int = 0
    duplicates_in_file: int = 0
    rejected: int = 0
    flagged: int = 0
    already_lead: int = 0
    already_dead: int = 0
    possible_duplicates: int = 0
    suppressed: int = 0  # kept out: erased people (the suppression list)

    @property
    def shown(self) -> list[tuple[str, int]]:
        """The numbers with their labels, in the order an ops person reads them."""
        return [(_("Rows in file"), self.rows_in_file), (_("New"), self.added),
                (_("Already known"), self.already_known),
                (_("…of them leads"), self.already_lead),
                (_("…of them dead"), self.already_dead),
                (_("Duplicates in file"), self.duplicates_in_file),
                (_("Rejected"), self.rejected), (_("Flagged"), self.flagged),
                (_("Blank"), self.blank), (_("Possible duplicates"), self.possible_duplicates),
                (_("Kept out (erased)"), self.suppressed)]


@dataclass
class Preview:
    """A validated, matched file, ready to commit; nothing is written yet."""

    file_name: str
    sha256: str
    table: reading.Table
    mapping: dict[str, str | None]
    stage: staging.Stage  # the staged rows (temporary tables of this cursor)
    counts: Counts
    people_version: tuple
    previous_import: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def extra_columns(self) -> list[str]:
        return [c for c, f in self.mapping.items() if f is None]


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    list: str
    counts: Counts
    already_imported: bool
    imported_at: datetime
    notes: tuple[str, ...] = ()  # what reading the file noticed (encodings, delimiter)

    @property
    def message(self) -> str:
        kept = (_("; {count} kept out (erased on request)").format(
            count=self.counts.suppressed) if self.counts.suppressed else "")
        return _("Imported {added} new and {known} known people into '{list}'{kept}").format(
            added=self.counts.added, known=self.counts.already_known, list=self.list,
            kept=kept)

    def as_dict(self) -> dict:
        return {
            "import_id": self.import_id,
            "list": self.list,
            "already_imported": self.already_imported,
            "imported_at": self.imported_at.isoformat(timespec="seconds"),
            **asdict(self.counts),
        }


def fingerprint(data: bytes) -> str:
    """The file's SHA-256: the same file imported twice into a list is recognised by it."""
    return hashlib.sha256(data).hexdigest()


def default_list_name(file_name: str) -> str:
    """A new list is named after the file, without its extension."""
    return PurePath(file_name).stem


def delimiter_label(delimiter: str) -> str:
    """A delimiter as the file settings name it, in the reader's language."""
    return _(DELIMITER_LABELS[delimiter]) if delimiter in DELIMITER_LABELS else repr(delimiter)


def detected_first(detected: str, choices: Iterable[str]) -> list[str]:
    """A file setting's choices, the detected one first (so it is the default)."""
    return [detected, *[c for c in choices if c != detected]]


def read(db: Connection, data: bytes, file_name: str,
         options: reading.ReadOptions | None = None) -> reading.Table:
    """Read an upload within the configured size and row limits."""
    with limits_named():
        return reading.read_table(
            data, file_name, options or reading.ReadOptions(),
            max_bytes=max_file_mb(db) * 2**20, max_rows=int(settings.get(db, "max_rows")))


def max_file_mb(db: Connection) -> int:
    """The upload limit; the browser's uploader and Streamlit's server cap follow it."""
    return int(settings.get(db, "max_file_mb"))


def check_size(db: Connection, size: int) -> None:
    """Refuse a file above the size limit before its bytes are read or copied."""
    with limits_named():
        reading.check_size(size, max_file_mb(db) * 2**20)


@contextmanager
def limits_named() -> Iterator[None]:
    """A limit's refusal says which setting would let the file in."""
    try:
        yield
    except LimitExceeded as refused:
        label = _(settings.SETTINGS[refused.setting].label)
        raise FileRefused(_("{reason} An admin can raise the limit under Settings "
                            "({setting}).").format(reason=refused, setting=label)) from None


def suggested_mapping(db: Connection, table: reading.Table) -> dict[str, str | None]:
    """The mapping remembered for this header, else the automatic one."""
    return mapping.auto_map(table.columns, saved=mapping.saved_mapping(db, table.columns))


def previous_import_text(earlier: dict, list_name: str) -> str:
    """Why importing the same file into the same list again is offered no more."""
    who = importer_text(earlier["by"], earlier["via"])
    return _("This file was already imported into '{list}' on {moment} {who} (import #{id})."
             " Importing it again changes nothing.").format(
        list=list_name, moment=i18n.moment(earlier["imported_at"]), who=who,
        id=earlier["import_id"])


def importer_text(name: str | None, via: str | None) -> str:
    """Who imported: the user, else where the import came from (never a guess)."""
    if name:
        return _("by {name}").format(name=name)
    if via == "browser":
        return _("in the browser")
    return _("from the command line") if via == "command line" else _("by an unrecorded user")


def previous_import(db: Connection, list_name: str, sha256: str) -> dict | None:
    """The earlier, not undone import of the same file into the same list, if any."""
    row = db.execute(
        "SELECT i.id, i.imported_at, u.name, i.via FROM imports i"
        " JOIN lists l ON l.id = i.list_id"
        " LEFT JOIN users u ON u.id = i.imported_by"
        " WHERE l.name = ? AND i.file_sha256 = ? AND i.undone_at IS NULL ORDER BY i.id LIMIT 1",
        [list_name, sha256],
    ).fetchone()
    return None if row is None else {"import_id": row[0], "imported_at": row[1], "by": row[2],
                                     "via": row[3]}


def prepare(db: Connection, data: bytes, file_name: str, table: reading.Table,
            column_mapping: dict[str, str | None], list_name: str) -> Preview:
    """Validate and match every row against the file itself and the database; the rows are
    staged in a temporary table of this cursor, nothing is written to the database."""
    mapping.check_mapping(column_mapping)
    list_name = _list_name(list_name)
    sha256 = fingerprint(data)
    stage = staging.stage(db, table.rows, table.first_row_number, column_mapping,
                          str(settings.get(db, "phone_region")))
    version = _people_version(db)
    _match(db, stage)
    counts = Counts(**staging.counts(db, stage))
    if counts.rejected + counts.blank + counts.suppressed == counts.rows_in_file:
        staging.drop_stages(db)
        raise FileRefused(nobody_text(counts, table.notes))
    header_only = replace(table, rows=table.rows.iloc[:0])  # the rows live in the stage now
    return Preview(file_name, sha256, header_only, column_mapping, stage, counts, version,
                   previous_import(db, list_name, sha256), list(table.notes))


def nobody_text(counts: Counts, notes: list[str]) -> str:
    """Why a file in which no row names anybody is refused (an import that adds nobody and
    leaves an empty list behind would only look like success)."""
    hint = next((f" {note}" for note in notes if isinstance(note, reading.OneColumnNote)), "")
    return _("None of the {rows} rows names a person ({rejected} without a name, company, "
             "e-mail or phone, {blank} blank), so nothing was imported; check the column "
             "mapping.{hint}").format(rows=i18n.number(counts.rows_in_file),
                                      rejected=i18n.number(counts.rejected),
                                      blank=i18n.number(counts.blank), hint=hint)


def _match(db: Connection, stage: staging.Stage) -> None:
    privacy.mark_suppressed(db, stage)
    matching.match(db, stage)
    matching.flag_possible_duplicates(db, stage, int(settings.get(db, "duplicate_similarity")))


def _people_version(db: Connection) -> tuple:
    """Changes when anyone adds or edits a person: a preview older than that is matched again
    before it is committed."""
    return (*db.execute("SELECT count(*), max(id), max(updated_at) FROM people").fetchone(),
            *privacy.suppression_version(db))


def _list_name(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise InvalidInput(_("give the list a name"), column=_("list"))
    if len(cleaned) > 200:
        raise InvalidInput(_("the list name is longer than 200 characters"), column=_("list"))
    return cleaned


_ONE_IMPORT_AT_A_TIME = threading.Lock()


def commit(db: Connection, preview: Preview, data: bytes, list_name: str, *,
           by: int | None, source: str | None = None, via: str | None = None) -> ImportResult:
    """Write the preview as one transaction: people, memberships, history, the import record.

    ``via`` says where the import came from ('browser', 'command line'). Imports of this
    process (the only one that can hold the database file) run one at a time, so two uploads
    can never both create the same new person."""
    with _ONE_IMPORT_AT_A_TIME:
        result = _commit(db, preview, data, list_name, by=by, source=source, via=via)
    staging.drop_stages(db)
    return result


@transaction
def _commit(db: Connection, preview: Preview, data: bytes, list_name: str, *,
            by: int | None, source: str | None, via: str | None) -> ImportResult:
    list_name = _list_name(list_name)
    viewer = access.writer(db, by, "import", N_("import lists"))
    if (existing := scalar(db, "SELECT id FROM lists WHERE name = ?", [list_name])) is not None:
        access.check_list(db, viewer, existing)
    earlier = previous_import(db, list_name, preview.sha256)
    if earlier is not None:
        return _already_imported(db, earlier, list_name)
    if not staging.exists(db, preview.stage):
        raise UserError(_("This preview has expired; check the file again before importing."))
    if _people_version(db) != preview.people_version:
        _match(db, preview.stage)
    counts = Counts(**staging.counts(db, preview.stage))
    now = utcnow()
    list_id = _list_id(db, list_name, source, by, now)
    import_id = _record_import(db, preview, counts, data, list_id, by, now, via)
    _write_people(db, preview.stage, list_id, import_id, by, now)
    imports_store.insert_staged_outcomes(db, import_id, preview.stage.rows)
    mapping.save_mapping(db, preview.table.columns, preview.mapping, by=by)
    return ImportResult(import_id, list_name, counts, False, now)


def _already_imported(db: Connection, earlier: dict, list_name: str) -> ImportResult:
    row = db.execute(
        "SELECT rows_in_file, blank, added, already_known, duplicates_in_file, rejected, flagged,"
        " already_lead, already_dead, possible_duplicates, coalesce(suppressed, 0)"
        " FROM imports WHERE id = ?",
        [earlier["import_id"]],
    ).fetchone()
    return ImportResult(earlier["import_id"], list_name, Counts(*row), True,
                        earlier["imported_at"])


def _list_id(db: Connection, name: str, source: str | None, by: int | None,
             now: datetime) -> int:
    existing = scalar(db, "SELECT id FROM lists WHERE name = ?", [name])
    if existing is not None:
        return int(existing)
    return lists_store.insert_list(db, name, source, now, by)


def _record_import(db: Connection, preview: Preview, counts: Counts, data: bytes,
                   list_id: int, by: int | None, now: datetime, via: str | None) -> int:
    options = json.dumps(asdict(preview.table.options))
    if counts.suppressed:  # the stored file must not hold the people it kept out
        data, options = privacy.scrubbed_file(data, preview.file_name, options,
                                              privacy.kept_out_rows(db, preview.stage))
    return imports_store.insert_import(
        db, list_id=list_id, file_name=preview.file_name, file_sha256=preview.sha256,
        file_bytes=data, read_options=options, mapping=json.dumps(preview.mapping), by=by,
        at=now, via=via, counts=asdict(counts))


PERSON_COLUMNS = [
    *PERSON_FIELDS, "email_key", "phone_key", "mobile_key", "name_key", "company_key",
    "email_valid", "phone_valid", "mobile_valid", "possible_duplicate_of",
    "possible_duplicate_score",
]


def _write_people(db: Connection, stage: staging.Stage, list_id: int, import_id: int | None,
                  by: int | None, now: datetime) -> None:
    """New people from their first row, what later rows add to the people they match, and one
    membership of the list per person (existing memberships stay)."""
    _assign_ids(db, stage)
    people_store.insert_added(db, stage.rows, PERSON_COLUMNS, now, by, import_id)
    merging.merge_later_rows(db, stage, import_id, by, now)
    lists_store.add_staged_rows(db, stage.rows, list_id, import_id, now, by)
    privacy_store.flag_staged_rows(db, stage.rows, import_id, now, by)


# n ids from the person sequence, one statement.
RESERVE_IDS_SQL = {
    "duckdb": "SELECT nextval('person_ids') AS id FROM range(?)",
    "postgresql": "SELECT nextval('person_ids') AS id FROM generate_series(1, ?)",
}


def _assign_ids(db: Connection, stage: staging.Stage) -> None:
    """Real ids for the new people, reserved from the sequence in file order."""
    refs = db.execute(f"SELECT person_ref FROM {stage.rows} WHERE outcome = 'added'"
                      " ORDER BY row_number").fetchnumpy()["person_ref"]
    ids = db.execute(RESERVE_IDS_SQL[engine(db)], [len(refs)]).fetchnumpy()["id"]
    insert_frame(db, stage.ids, pd.DataFrame({"ref": refs, "id": ids}, dtype="int64"))


def import_file(db: Connection, data: bytes, file_name: str, list_name: str, *,
                by: int | None, options: reading.ReadOptions | None = None,
                column_mapping: dict[str, str | None] | None = None,
                source: str | None = None, via: str | None = None) -> ImportResult:
    """Read, map (remembered or automatic), validate, match and commit in one call."""
    table = read(db, data, file_name, options)
    chosen = column_mapping or suggested_mapping(db, table)
    preview = prepare(db, data, file_name, table, chosen, list_name)
    del table  # a million rows need not stay in memory twice
    if preview.previous_import is not None:
        return _already_imported(db, preview.previous_import, _list_name(list_name))
    result = commit(db, preview, data, list_name, by=by, source=source, via=via)
    return replace(result, notes=tuple(preview.notes))


def report(db: Connection, import_id: int, *, viewer: access.Viewer) -> pd.DataFrame:
    """The file's own columns plus import_status and import_issue, one line per data row.

    The file names everyone in it: only for roles that import, and for a list they may open.
    """
    access.require(viewer, "import", N_("download import reports"))
    row = db.execute(
        "SELECT file_bytes, file_name, read_options, list_id FROM imports WHERE id = ?",
        [import_id]).fetchone()
    if row is None:
        raise InvalidInput(_("there is no import #{id}").format(id=import_id))
    data, file_name, options, list_id = row
    access.check_list(db, viewer, list_id)
    table = reading.read_table(bytes(data), file_name, reading.ReadOptions(**json.loads(options)),
                               max_bytes=len(data) + 1, max_rows=10**9)
    outcomes = db.execute(
        "SELECT row_number, outcome AS import_status, issue AS import_issue FROM import_rows"
        " WHERE import_id = ? ORDER BY row_number", [import_id]).df()
    frame = table.rows.copy()
    frame["row_number"] = range(table.first_row_number, table.first_row_number + len(frame))
    merged = frame.merge(outcomes, on="row_number", how="left")
    merged["import_status"] = _in_language(merged["import_status"], report_statuses().get)
    merged["import_issue"] = _in_language(merged["import_issue"], issue_text).fillna("")
    return merged.drop(columns="row_number").rename(columns={
        "import_status": _("import_status"), "import_issue": _("import_issue")})


def report_statuses() -> dict[str, str]:
    """A row's stored outcome (an English word) as the report names it, in the reader's
    language."""
    return {"added": pgettext("import status", "added"),
            "known": pgettext("import status", "known"),
            "duplicate_in_file": pgettext("import status", "duplicate_in_file"),
            "rejected": pgettext("import status", "rejected"),
            "blank": pgettext("import status", "blank"),
            "suppressed": pgettext("import status", "suppressed"),
            "erased": pgettext("import status", "erased")}


def _in_language(stored: pd.Series, translate: Callable[[str], str | None]) -> pd.Series:
    """Stored English texts in the reader's language, each distinct text translated once
    (an English reader gets them as stored)."""
    if i18n.language() == i18n.DEFAULT:
        return stored
    distinct = stored.dropna().unique()
    if not len(distinct):
        return stored
    return stored.map({text: translate(text) or text for text in distinct})


_NOT_VALID = re.compile(r"(?P<label>e-mail|phone|mobile): not a valid (?P=label) \((?P<value>.*)\)",
                        re.DOTALL)
_ISSUE_FIELDS = {"e-mail": N_("e-mail"), "phone": N_("phone"), "mobile": N_("mobile")}


def issue_text(issue: str) -> str:
    """A row's stored issue (English, as staging wrote it: "e-mail: not a valid e-mail (x)")
    in the reader's language; the parts are joined by "; " as stored."""
    return "; ".join(_issue_part(part) for part in str(issue).split("; "))


def _issue_part(part: str) -> str:
    if part == staging.NO_IDENTITY:
        return _("no name, company, e-mail or phone")
    if found := _NOT_VALID.fullmatch(part):
        label = _(_ISSUE_FIELDS[found["label"]])
        return _("{field}: not a valid {field} ({value})").format(field=label,
                                                                  value=found["value"])
    return _(part) if part in privacy.KEPT_OUT.values() else part


def history_frame(db: Connection, list_name: str | None = None, *,
                  viewer: access.Viewer) -> pd.DataFrame:
    """Every import into a list the viewer may open, newest first, with its counts and whether
    it was undone."""
    visible, params = access.lists_clause(viewer, "l")
    return db.execute(
        "SELECT i.id AS import_id, l.name AS list, i.file_name, i.imported_at,"
        " coalesce(u.name, CASE i.via WHEN 'browser' THEN ?"
        " WHEN 'command line' THEN ? END) AS by,"
        " i.rows_in_file, i.added, i.already_known, i.duplicates_in_file, i.rejected,"
        " i.flagged, i.blank, coalesce(i.suppressed, 0) AS kept_out, i.undone_at"
        " FROM imports i JOIN lists l ON l.id = i.list_id"
        " LEFT JOIN users u ON u.id = i.imported_by"
        f" WHERE (? IS NULL OR l.name = ?) AND {visible} ORDER BY i.id DESC",
        [_("(in the browser)"), _("(command line)"), list_name, list_name, *params]).df()


def history_labels(past: pd.DataFrame) -> dict[int, str]:
    """How the import picker names each import of ``history_frame``."""
    return {int(r.import_id): f"#{r.import_id} {r.file_name} → {r.list}"
            + (_(" (undone)") if pd.notna(r.undone_at) else "")
            for r in past.itertuples()}


@dataclass(frozen=True)
class UndoResult:
    import_id: int
    removed_people: int
    removed_from_list: int
    kept: pd.DataFrame  # person_id, name, why: people this import brought that were worked on since

    @property
    def message(self) -> str:
        text = _("Import #{id} undone: {removed} people removed, {taken} known people taken "
                 "off the list").format(id=self.import_id, removed=self.removed_people,
                                        taken=self.removed_from_list)
        if len(self.kept):
            text += _("; {count} people were worked on since and stay").format(
                count=len(self.kept))
        return text + "."


TOUCHED_SQL = """
    SELECT r.person_id,
        CASE
            WHEN EXISTS (SELECT 1 FROM leads l WHERE l.person_id = r.person_id) THEN 'has a lead'
            WHEN EXISTS (SELECT 1 FROM ticks t WHERE t.person_id = r.person_id) THEN 'has ticks'
            WHEN EXISTS (SELECT 1 FROM activities a WHERE a.person_id = r.person_id)
                THEN 'has activities'
            WHEN EXISTS (SELECT 1 FROM history h WHERE h.person_id = r.person_id
                         AND h.happened_at >= i.imported_at
                         AND h.import_id IS DISTINCT FROM i.id) THEN 'changed since'
            WHEN p.import_id = i.id AND EXISTS (
                SELECT 1 FROM list_rows o WHERE o.person_id = r.person_id
                AND o.import_id IS DISTINCT FROM i.id) THEN 'on another list'
        END AS why,
        p.import_id = i.id AS created
    FROM list_rows r JOIN imports i ON i.id = r.import_id JOIN people p ON p.id = r.person_id
    WHERE r.import_id = ?
"""


@transaction
def undo(db: Connection, import_id: int, *, by: int | None) -> UndoResult:
    """Take an import back: people it created that nobody touched since are removed, known
    people it linked leave the list; everyone worked on since stays and is reported."""
    row = db.execute("SELECT undone_at, list_id FROM imports WHERE id = ?",
                     [import_id]).fetchone()
    if row is None:
        raise InvalidInput(_("there is no import #{id}").format(id=import_id))
    access.check_list(db, access.writer(db, by, "undo_import", N_("undo imports")), row[1])
    if row[0] is not None:
        raise InvalidInput(_("import #{id} was already undone on {moment}").format(
            id=import_id, moment=i18n.moment(row[0])))
    linked = db.execute(TOUCHED_SQL, [import_id]).df()
    free = linked[linked["why"].isna()]
    with registered(db, "undo_people", free[["person_id", "created"]]):
        lists_store.remove_rows_of_import(db, import_id, "undo_people")
        history_store.delete_for_created_people(db, import_id, "undo_people")
        people_store.delete_created(db, "undo_people")
    imports_store.mark_undone(db, import_id, utcnow(), by)
    kept = _named(db, linked[linked["why"].notna()])
    created = int(free["created"].sum())
    return UndoResult(import_id, created, len(free) - created, kept)


# Why an undo keeps a person (TOUCHED_SQL's words).
KEPT_WHY = {"has a lead": N_("has a lead"), "has ticks": N_("has ticks"),
            "has activities": N_("has activities"), "changed since": N_("changed since"),
            "on another list": N_("on another list")}


def _named(db: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["person_id", "name", "why"])
    with registered(db, "kept_people", frame[["person_id", "why"]]):
        named = db.execute(
            "SELECT k.person_id, trim(concat_ws(' ', p.first_name, p.last_name, "
            "CASE WHEN p.company IS NULL THEN NULL ELSE '(' || p.company || ')' END)) AS name,"
            " k.why FROM kept_people k JOIN people p ON p.id = k.person_id ORDER BY k.person_id"
        ).df()
    named["why"] = [_(KEPT_WHY[why]) if why in KEPT_WHY else why for why in named["why"]]
    return named


@dataclass(frozen=True)
class AddResult:
    person_id: int
    created: bool
    already_on_list: bool
    possible_duplicate_of: int | None

    @property
    def message(self) -> str:
        if self.already_on_list:
            return _("This person is already on the list.")
        text = _("Added a new person.") if self.created else _(
            "This person was already known; they are now on this list too.")
        if self.possible_duplicate_of is not None:
            text += " " + _("They look like someone already known; the row is flagged for "
                            "review.")
        return text


def add_person(db: Connection, list_id: int, fields: dict[str, str | None], *,
               by: int | None) -> AddResult:
    """A walk-in contact: the import's validation and duplicate check, for one row typed by hand.
    Unlike a file, a typed e-mail or phone that is not valid is refused, not flagged."""
    with _ONE_IMPORT_AT_A_TIME:
        return _add_person(db, list_id, fields, by=by)


@transaction
def _add_person(db: Connection, list_id: int, fields: dict[str, str | None], *,
                by: int | None) -> AddResult:
    unknown = sorted(set(fields) - set(PERSON_FIELDS))
    if unknown:
        raise InvalidInput(_("unknown field {field}").format(field=unknown[0]))
    if scalar(db, "SELECT count(*) FROM lists WHERE id = ?", [list_id]) == 0:
        raise InvalidInput(_("there is no list #{id}").format(id=list_id))
    access.check_list(db, access.writer(db, by, "work_rows", N_("add people to lists")), list_id)
    typed = pd.DataFrame({f: pd.Series([str(fields.get(f) or "")], dtype="str")
                          for f in PERSON_FIELDS})
    stage = staging.stage(db, typed, 1, {f: f for f in PERSON_FIELDS},
                          str(settings.get(db, "phone_region")), prefix="walk_in_")
    _refuse_typed_errors(db, stage)
    _match(db, stage)
    outcome, ref = db.execute(f"SELECT outcome, person_ref FROM {stage.rows}").fetchone()
    on_list = outcome == "known" and scalar(
        db, "SELECT count(*) FROM list_rows WHERE list_id = ? AND person_id = ?",
        [list_id, ref]) > 0
    _write_people(db, stage, list_id, None, by, utcnow())
    person_id, duplicate = db.execute(
        f"SELECT person_id, possible_duplicate_of FROM {stage.rows}").fetchone()
    staging.drop_stages(db, "walk_in_")
    return AddResult(int(person_id), outcome == "added", on_list,
                     None if duplicate is None else int(duplicate))


def _refuse_typed_errors(db: Connection, stage: staging.Stage) -> None:
    row = db.execute(f"SELECT rejected, email, email_valid, phone, phone_valid, mobile,"
                     f" mobile_valid FROM {stage}").fetchone()
    if row[0]:
        raise InvalidInput(_("give at least a name, a company, an e-mail or a phone number"))
    for (value, valid), label in zip((row[1:3], row[3:5], row[5:7]),
                                     ("e-mail", "phone", "mobile"), strict=True):
        if valid is False:
            shown = _(_ISSUE_FIELDS[label])
            raise InvalidInput(_("'{value}' is not a valid {field}").format(
                value=value, field=shown), column=shown)


KEEP_AS_EXTRA = N_("— keep as extra column —")


def keep_as_extra() -> str:
    """The mapping editor's choice for a column that stays on the row as it is."""
    return _(KEEP_AS_EXTRA)


def field_choices() -> list[str]:
    """The mapping editor's options: keep as extra, then every field, in the reader's
    language."""
    return [keep_as_extra(), *mapping.labels().values()]


def mapping_table(table: reading.Table, column_mapping: dict[str, str | None]) -> pd.DataFrame:
    """The mapping as rows for an editor: file column, a few example values, chosen field."""
    examples = [
        ", ".join(v for v in table.rows[column].head(50).str.strip() if v)[:80]
        for column in table.columns
    ]
    labels = mapping.labels()
    fields = [labels[f] if f else keep_as_extra() for f in column_mapping.values()]
    return pd.DataFrame({"column": list(column_mapping), "examples": examples, "field": fields})


def mapping_from_table(frame: pd.DataFrame) -> dict[str, str | None]:
    """Back from editor rows (field labels, in English or the reader's language) to
    column → field key."""
    by_label = {label: key for key, label in mapping.LABELS.items()}
    by_label.update({label: key for key, label in mapping.labels().items()})
    extra = {KEEP_AS_EXTRA, keep_as_extra()}
    return {
        str(column): by_label.get(str(label)) if label and label not in extra else None
        for column, label in zip(frame["column"], frame["field"], strict=True)
    }


OUTCOME_LABELS = {
    "added": N_("new"), "known": N_("already known"),
    "duplicate_in_file": N_("duplicate in file"), "rejected": N_("rejected"),
    "blank": N_("blank"), "suppressed": N_("kept out"), "erased": N_("erased"),
}


def duplicate_text(name: str | None, score: float | None) -> str:
    """Whom a flagged row resembles, and how much: "Anna Alt (Alt GmbH), 94 %"."""
    return "" if name is None or pd.isna(name) else f"{name}, {int(score)} %"


def preview_rows(db: Connection, preview: Preview, limit: int = 200, *,
                 viewer: access.Viewer) -> pd.DataFrame:
    """The first rows as they will be imported: outcome, issue, whom a flagged row resembles
    (as far as the viewer may see), the mapped fields."""
    rows = staging.head(db, preview.stage, limit, viewer=viewer)
    rows.loc[rows["outcome"] == "suppressed", PERSON_FIELDS] = None  # erased: not shown again
    shown = [f for f in PERSON_FIELDS if rows[f].notna().any()]
    frame = pd.DataFrame({
        _("row"): rows["row_number"],
        _("outcome"): rows["outcome"].map(lambda o: _(OUTCOME_LABELS[o])
                                          if o in OUTCOME_LABELS else o),
        _("issue"): _in_language(rows["issue"], issue_text).fillna(""),
        _("possible duplicate of"): [duplicate_text(n, s) for n, s in zip(
            rows["duplicate_name"], rows["possible_duplicate_score"], strict=True)],
    })
    return pd.concat([frame, rows[shown].rename(columns=mapping.labels())], axis=1)
