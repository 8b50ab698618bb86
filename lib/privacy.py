"""Privacy by design: find a person, tell them what is held (GDPR Art. 15), erase them so that
no later import brings them back (Art. 17), do not contact, and retention.

What remains of an erased person is a suppression entry: the HMAC-SHA256 of their normalised
e-mail and E.164 phone numbers under the installation's random key (table ``privacy_key``,
made once, never shown or logged), the date and who erased. An import hashes its staged keys
the same way, in SQL over the staging table, and keeps matching rows out.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pandas as pd

from lib import access, audit, i18n, normalise, qualification, reading, settings
from lib.db import Connection, engine, registered, scalar, transaction, utcnow
from lib.errors import InvalidInput, UserError
from lib.i18n import N_, _, ngettext, pgettext
from lib.labels import PEOPLE, count_line
from lib.store import history as history_store
from lib.store import imports as imports_store
from lib.store import leads as leads_store
from lib.store import lists as lists_store
from lib.store import people as people_store
from lib.store import privacy as privacy_store
from lib.store import ticks as ticks_store

# Wording marked N_ is kept in English in the audit log; the screens translate it with ``_``.
CHANNELS = {"email": N_("e-mail"), "phone": N_("phone")}
DNC_SOURCES = {"asked": N_("the person asked"), "bounced": N_("bounced"),
               "legal": N_("legal reasons")}
# Why the retention purge would take someone (the ``why`` of ``purge_candidates``).
PURGE_REASONS = {"unworked suspect": N_("unworked suspect"), "dead row": N_("dead row")}
# The next-step kinds a flagged channel rules out.
NEXT_STEP_CHANNEL = {"email": "email", "call": "phone"}
KEPT_OUT = {"erased": N_("kept out: erased on request (suppression list)"),
            "purged": N_("kept out: asked not to be contacted, purged (suppression list)")}
BLOCK = 64  # SHA-256's block size: HMAC pads its key to it


# --- the installation's key and the keyed hashes ---------------------------------------------


def _secret(db: Connection) -> bytes:
    """The installation's HMAC key: 32 random bytes, made at the first use and kept."""
    found = scalar(db, "SELECT secret FROM privacy_key WHERE id = 1")
    if found is None:
        privacy_store.insert_key(db, secrets.token_bytes(32), utcnow())
        found = scalar(db, "SELECT secret FROM privacy_key WHERE id = 1")
    return bytes(found)


def keyed_hash(secret: bytes, channel: str, key: str) -> str:
    """HMAC-SHA256 (hex) of a normalised key, prefixed with its channel."""
    return hmac.new(secret, f"{channel}:{key}".encode(), hashlib.sha256).hexdigest()


def _pads(secret: bytes) -> dict[str, bytes]:
    """The HMAC's inner and outer keys, so that SQL can compute it with two sha256 calls."""
    padded = secret.ljust(BLOCK, b"\0")
    return {"ipad": bytes(b ^ 0x36 for b in padded), "opad": bytes(b ^ 0x5C for b in padded)}


def _hmac_sql(channel: str, column: str, kind: str = "duckdb") -> str:
    """HMAC-SHA256 of ``channel:column`` in SQL (RFC 2104), equal to ``keyed_hash``; each
    engine names its hashing and byte functions its own way."""
    if kind == "postgresql":
        return (f"encode(sha256($opad::bytea || sha256($ipad::bytea"
                f" || convert_to('{channel}:' || {column}, 'UTF8'))), 'hex')")
    return (f"sha256($opad || unhex(sha256($ipad || encode('{channel}:' || {column}))))")


SUPPRESSED_SQL = """
    INSERT INTO {stage}_suppressed
    WITH live AS (SELECT * FROM {stage} WHERE NOT blank AND NOT rejected), hashed AS (
        SELECT row_number, 'email' AS channel, {email} AS hash FROM live
        WHERE email_key IS NOT NULL
        UNION ALL SELECT row_number, 'phone', {phone} FROM live
        WHERE email_key IS NULL AND phone_key IS NOT NULL
        UNION ALL SELECT row_number, 'phone', {mobile} FROM live
        WHERE email_key IS NULL AND mobile_key IS NOT NULL
    )
    SELECT h.row_number, min(CASE x.reason WHEN 'erased' THEN $erased ELSE $purged END)
    FROM hashed h JOIN suppressions x ON x.channel = h.channel AND x.hash = h.hash
    GROUP BY h.row_number
"""


def suppression_version(db: Connection) -> tuple:
    """Changes when someone is erased: a preview older than that is checked again."""
    return tuple(db.execute("SELECT count(*), max(id) FROM suppressions").fetchone())


def mark_suppressed(db: Connection, stage: str) -> None:
    """Put the staged rows of erased people into ``{stage}_suppressed`` with why.

    A row is kept out when its e-mail was erased, or, when it has no e-mail, its phone or
    mobile was (the matching rule: a shared switchboard number alone does not make a
    colleague with their own e-mail the same person). Nothing is hashed when nobody was
    erased."""
    db.execute(f"DELETE FROM {stage}_suppressed")
    if not scalar(db, "SELECT count(*) FROM suppressions"):
        return
    kind = engine(db)
    sql = SUPPRESSED_SQL.format(stage=stage, email=_hmac_sql("email", "email_key", kind),
                                phone=_hmac_sql("phone", "phone_key", kind),
                                mobile=_hmac_sql("phone", "mobile_key", kind))
    db.execute(sql, {**_pads(_secret(db)), "erased": KEPT_OUT["erased"],
                     "purged": KEPT_OUT["purged"]})


def _keys_of(db: Connection) -> pd.DataFrame:
    """(channel, key) of everyone in ``erase_people`` to suppress: their stored e-mail and
    phones, and those the history says other files brought for them."""
    stored = db.execute(
        "SELECT 'email' AS channel, email_key AS key FROM people WHERE email_key IS NOT NULL"
        " AND id IN (SELECT id FROM erase_people WHERE suppress)"
        " UNION SELECT 'phone', phone_key FROM people WHERE phone_key IS NOT NULL"
        " AND id IN (SELECT id FROM erase_people WHERE suppress)"
        " UNION SELECT 'phone', mobile_key FROM people WHERE mobile_key IS NOT NULL"
        " AND id IN (SELECT id FROM erase_people WHERE suppress)").df()
    told = _history_values(db)
    return pd.concat([stored, told]).drop_duplicates()


def _history_values(db: Connection) -> pd.DataFrame:
    """Other e-mails and phones of the people to suppress, from their history, normalised."""
    values = db.execute(
        "SELECT field, old_value AS value FROM history WHERE old_value IS NOT NULL"
        " AND field IN ('email', 'phone', 'mobile')"
        " AND person_id IN (SELECT id FROM erase_people WHERE suppress)"
        " UNION SELECT field, new_value FROM history WHERE new_value IS NOT NULL"
        " AND field IN ('email', 'phone', 'mobile')"
        " AND person_id IN (SELECT id FROM erase_people WHERE suppress)").df()
    emails = values.loc[values["field"] == "email", "value"]
    phones = values.loc[values["field"] != "email", "value"]
    region = str(settings.get(db, "phone_region"))
    return pd.concat([
        pd.DataFrame({"channel": "email", "key": normalise.email_keys(emails, workers=1)["key"]}),
        pd.DataFrame({"channel": "phone",
                      "key": normalise.phone_keys(phones, region, workers=1)["key"]}),
    ]).dropna()


def _suppress(db: Connection, by: int | None, reason: str) -> int:
    """Suppression entries for the people in ``erase_people`` marked ``suppress``."""
    keys = _keys_of(db)
    if keys.empty:
        return 0
    secret = _secret(db)
    entries = pd.DataFrame({
        "channel": keys["channel"].astype(str).tolist(),
        "hash": [keyed_hash(secret, c, k) for c, k in zip(keys["channel"], keys["key"],
                                                          strict=True)]})
    before = scalar(db, "SELECT count(*) FROM suppressions")
    privacy_store.insert_suppressions(db, entries, reason, utcnow(), by)
    return int(scalar(db, "SELECT count(*) FROM suppressions")) - int(before)


# --- finding a person ------------------------------------------------------------------------

FOUND_COLUMNS = ("p.id AS person_id, concat_ws(' ', p.first_name, p.last_name) AS name,"
                 " p.company, p.email, p.phone, p.mobile, p.status")


def find(db: Connection, text: str, *, viewer: access.Viewer, limit: int = 50) -> pd.DataFrame:
    """People whose e-mail or phone is ``text`` (normalised), or whose name, company or e-mail
    contains it: what an admin answering a request searches. Admins only."""
    access.require(viewer, "privacy", N_("search people for a privacy request"))
    text = str(text or "").strip()
    if not text:
        return pd.DataFrame(columns=["person_id", "name", "company", "email", "phone", "mobile",
                                     "status"])
    visible, params = access.people_clause(viewer, "p")
    phone = _phone_key(db, text)
    return db.execute(
        f"SELECT {FOUND_COLUMNS} FROM people p WHERE {visible} AND (p.email_key = lower(?)"
        " OR p.phone_key = ? OR p.mobile_key = ?"
        " OR contains(lower(concat_ws(' ', p.first_name, p.last_name, p.company, p.email)),"
        " lower(?))) ORDER BY p.id LIMIT ?",
        [*params, text, phone, phone, text, limit]).df()


def choice_labels(found: pd.DataFrame) -> dict[int, str]:
    """"#12 Erika Muster Muster GmbH erika@…" per person ``find`` returned, for the picker;
    an empty field is left out, never shown as "None" or "nan"."""
    return {int(r.person_id): " ".join([f"#{int(r.person_id)}", *(
        v.strip() for v in (r.name, r.company, r.email) if isinstance(v, str) and v.strip())])
            for r in found.itertuples()}


def _phone_key(db: Connection, text: str) -> str | None:
    key = normalise.phone_keys(pd.Series([text], dtype="str"),
                               str(settings.get(db, "phone_region")), workers=1)["key"].iloc[0]
    return None if pd.isna(key) else str(key)


def people_with_email(db: Connection, email: str, *, viewer: access.Viewer) -> list[int]:
    """Everyone whose normalised e-mail is ``email`` (a request names its e-mail); refused for
    an e-mail nobody has."""
    access.require(viewer, "privacy", N_("answer privacy requests"))
    key = normalise.email_keys(pd.Series([str(email).strip()], dtype="str"),
                               workers=1)["key"].iloc[0]
    visible, params = access.people_clause(viewer, "p")
    ids = [] if pd.isna(key) else [int(r[0]) for r in db.execute(
        f"SELECT p.id FROM people p WHERE p.email_key = ? AND {visible} ORDER BY p.id",
        [str(key), *params]).fetchall()]
    if not ids:
        raise UserError(_("nobody with the e-mail {email} is held").format(email=email))
    return ids


# --- subject access (Art. 15) ----------------------------------------------------------------

ACCESS_SECTIONS: dict[str, str] = {
    "person": "SELECT p.* EXCLUDE (email_key, phone_key, mobile_key, name_key, company_key),"
              " u.name AS owner FROM people p LEFT JOIN users u ON u.id = p.owner_id"
              " WHERE p.id = ?",
    "lists": "SELECT l.name AS list, l.source AS list_source, r.added_at, a.name AS added_by,"
             " r.import_id, i.file_name, i.imported_at, b.name AS imported_by, i.via,"
             " r.row_number, r.extras AS other_columns FROM list_rows r"
             " JOIN lists l ON l.id = r.list_id LEFT JOIN imports i ON i.id = r.import_id"
             " LEFT JOIN users a ON a.id = r.added_by LEFT JOIN users b ON b.id = i.imported_by"
             " WHERE r.person_id = ? ORDER BY r.added_at",
    "file_rows": "SELECT x.import_id, i.file_name, i.imported_at, l.name AS list, x.row_number,"
                 " x.outcome, x.issue FROM import_rows x JOIN imports i ON i.id = x.import_id"
                 " JOIN lists l ON l.id = i.list_id WHERE x.person_id = ?"
                 " ORDER BY x.import_id, x.row_number",
    "ticks": "SELECT t.criterion_key, c.label_en AS criterion, t.ticked_at, u.name AS ticked_by"
             " FROM ticks t LEFT JOIN criteria c ON c.key = t.criterion_key"
             " LEFT JOIN users u ON u.id = t.ticked_by WHERE t.person_id = ?"
             " ORDER BY t.ticked_at",
    "history": "SELECT h.happened_at, u.name AS who, h.kind, h.field, h.old_value,"
               " h.new_value, h.note, h.lead_id, h.import_id FROM history h"
               " LEFT JOIN users u ON u.id = h.user_id WHERE h.person_id = ?"
               " ORDER BY h.happened_at, h.id",
    "leads": "SELECT l.* EXCLUDE (next_type, next_due_date, next_due_time, next_duration_min,"
             " next_note), u.name AS owner FROM leads l LEFT JOIN users u ON u.id = l.owner_id"
             " WHERE l.person_id = ? ORDER BY l.id",
    "next_steps": "SELECT l.id AS lead_id, l.next_type, l.next_due_date, l.next_due_time,"
                  " l.next_duration_min, l.next_note FROM leads l WHERE l.person_id = ?"
                  " AND l.next_type IS NOT NULL ORDER BY l.id",
    "activities": "SELECT a.id, a.lead_id, a.kind, a.outcome, a.body, a.happened_at,"
                  " u.name AS by FROM activities a LEFT JOIN users u ON u.id = a.user_id"
                  " WHERE a.person_id = ? ORDER BY a.happened_at, a.id",
    "do_not_contact": "SELECT d.channel, d.source, d.noted_at, u.name AS noted_by, d.import_id"
                      " FROM do_not_contact d LEFT JOIN users u ON u.id = d.noted_by"
                      " WHERE d.person_id = ? ORDER BY d.channel",
}


def _plain(value: Any) -> Any:
    """A value as JSON holds it: dates and times in ISO form, amounts as text."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _records(db: Connection, sql: str, person_id: int) -> list[dict[str, Any]]:
    result = db.execute(sql, [person_id])
    names = [c[0] for c in result.description]
    return [dict(zip(names, map(_plain, row), strict=True)) for row in result.fetchall()]


def subject_access(db: Connection, person_id: int, *, viewer: access.Viewer) -> dict[str, Any]:
    """Everything held about one person, section by section (contact fields, every list and
    file they came from with its date and file name, ticks, history, leads, next steps,
    activities, notes, do-not-contact flags). Admins only; audited by the caller's download."""
    access.require(viewer, "privacy", N_("export what is held about a person"))
    access.check_person(db, viewer, person_id)
    found = {name: _records(db, sql, int(person_id)) for name, sql in ACCESS_SECTIONS.items()}
    if not found["person"]:
        raise InvalidInput(_("there is no person #{number}").format(number=int(person_id)))
    found["person"] = found["person"][0]
    for row in found["lists"]:
        row["other_columns"] = json.loads(row["other_columns"]) if row["other_columns"] else {}
    found["notes"] = ([{"where": "row", "text": found["person"]["notes"]}]
                      if found["person"].get("notes") else []) + [
        {"where": f"lead #{a['lead_id']}", "text": a["body"], "at": a["happened_at"]}
        for a in found["activities"] if a["kind"] == "note"]
    return {"generated_at": utcnow().isoformat(timespec="seconds"), **found}


def subject_access_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def subject_access_frames(data: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The export as one table per section, for a readable workbook."""
    person = pd.DataFrame({"field": list(data["person"]),
                           "value": [None if v is None else str(v)
                                     for v in data["person"].values()]})
    frames = {"person": person}
    for name, rows in data.items():
        if isinstance(rows, list):
            frames[name] = pd.DataFrame([{k: (json.dumps(v, ensure_ascii=False)
                                              if isinstance(v, dict) else v)
                                          for k, v in row.items()} for row in rows])
    return frames


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A privacy table as a person reads it: headers and statuses in the reader's language."""
    if "status" in frame.columns:
        frame = frame.assign(status=frame["status"].map(qualification.status_label))
    return frame.rename(columns=labels())


def labels() -> dict[str, str]:
    """Section and column names of the subject access workbook and the privacy tables, in the
    reader's language (the JSON export keeps the keys)."""
    return {
        "person": pgettext("subject access", "Person"),
        "lists": pgettext("subject access", "Lists"),
        "file_rows": pgettext("subject access", "File rows"),
        "ticks": pgettext("subject access", "Ticks"),
        "history": pgettext("subject access", "History"),
        "leads": pgettext("subject access", "Leads"),
        "next_steps": pgettext("subject access", "Next steps"),
        "activities": pgettext("subject access", "Activities"),
        "do_not_contact": pgettext("subject access", "Do not contact"),
        "notes": pgettext("subject access", "Notes"),
        "id": pgettext("subject access", "ID"),
        "company": pgettext("subject access", "Company"),
        "salutation": pgettext("subject access", "Salutation"),
        "first_name": pgettext("subject access", "First name"),
        "last_name": pgettext("subject access", "Last name"),
        "email": pgettext("subject access", "E-mail address"),
        "phone": pgettext("subject access", "Phone"),
        "mobile": pgettext("subject access", "Mobile"),
        "job_title": pgettext("subject access", "Job title"),
        "website": pgettext("subject access", "Website"),
        "street": pgettext("subject access", "Street"),
        "postal_code": pgettext("subject access", "Postal code"),
        "city": pgettext("subject access", "City"),
        "country": pgettext("subject access", "Country"),
        "source": pgettext("subject access", "Source"),
        "email_valid": pgettext("subject access", "E-mail valid"),
        "phone_valid": pgettext("subject access", "Phone valid"),
        "mobile_valid": pgettext("subject access", "Mobile valid"),
        "possible_duplicate_of": pgettext("subject access", "Possible duplicate of"),
        "status": pgettext("subject access", "Status"),
        "owner_id": pgettext("subject access", "Owner (ID)"),
        "dead_reason": pgettext("subject access", "Dead reason"),
        "dead_note": pgettext("subject access", "Dead note"),
        "died_at": pgettext("subject access", "Died at"),
        "created_at": pgettext("subject access", "Created at"),
        "created_by": pgettext("subject access", "Created by"),
        "import_id": pgettext("subject access", "Import (ID)"),
        "updated_at": pgettext("subject access", "Updated at"),
        "possible_duplicate_score": pgettext("subject access", "Possible duplicate score"),
        "owner": pgettext("subject access", "Owner"),
        "list": pgettext("subject access", "List"),
        "list_source": pgettext("subject access", "List source"),
        "added_at": pgettext("subject access", "Added at"),
        "added_by": pgettext("subject access", "Added by"),
        "file_name": pgettext("subject access", "File name"),
        "imported_at": pgettext("subject access", "Imported at"),
        "imported_by": pgettext("subject access", "Imported by"),
        "via": pgettext("subject access", "Via"),
        "row_number": pgettext("subject access", "Row number"),
        "other_columns": pgettext("subject access", "Other columns"),
        "outcome": pgettext("subject access", "Outcome"),
        "issue": pgettext("subject access", "Issue"),
        "criterion_key": pgettext("subject access", "Criterion key"),
        "criterion": pgettext("subject access", "Criterion"),
        "ticked_at": pgettext("subject access", "Ticked at"),
        "ticked_by": pgettext("subject access", "Ticked by"),
        "happened_at": pgettext("subject access", "Happened at"),
        "who": pgettext("subject access", "Who did it"),
        "kind": pgettext("subject access", "Kind"),
        "field": pgettext("subject access", "Field"),
        "old_value": pgettext("subject access", "Old value"),
        "new_value": pgettext("subject access", "New value"),
        "note": pgettext("subject access", "Note"),
        "lead_id": pgettext("subject access", "Lead (ID)"),
        "person_id": pgettext("subject access", "Person (ID)"),
        "title": pgettext("subject access", "Title"),
        "step_key": pgettext("subject access", "Step"),
        "standby_until": pgettext("subject access", "Standby until"),
        "amount": pgettext("subject access", "Amount"),
        "currency": pgettext("subject access", "Currency"),
        "probability": pgettext("subject access", "Probability"),
        "expected_close": pgettext("subject access", "Expected close"),
        "tags": pgettext("subject access", "Tags"),
        "closed_at": pgettext("subject access", "Closed at"),
        "close_reason": pgettext("subject access", "Close reason"),
        "close_note": pgettext("subject access", "Close note"),
        "next_type": pgettext("subject access", "Next step kind"),
        "next_due_date": pgettext("subject access", "Next step due date"),
        "next_due_time": pgettext("subject access", "Next step due time"),
        "next_duration_min": pgettext("subject access", "Next step duration (min)"),
        "next_note": pgettext("subject access", "Next step note"),
        "body": pgettext("subject access", "Text of the activity"),
        "by": pgettext("subject access", "By"),
        "channel": pgettext("subject access", "Channel of the flag"),
        "noted_at": pgettext("subject access", "Noted at"),
        "noted_by": pgettext("subject access", "Noted by"),
        "where": pgettext("subject access", "Where"),
        "text": pgettext("subject access", "Text"),
        "at": pgettext("subject access", "At"),
        "value": pgettext("subject access", "Value"),
        "generated_at": pgettext("subject access", "Generated at"),
        "name": pgettext("subject access", "Full name"),
        "why": pgettext("subject access", "Why purged"),
        "since": pgettext("subject access", "Since"),
        "asked": pgettext("subject access", "Asked not to be contacted"),
    }


def subject_access_sheets(data: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """``subject_access_frames`` as the workbook download shows them: sheet names, headers
    and the person's field names in the reader's language (the JSON keeps English keys)."""
    names = labels()
    sheets = {}
    for section, frame in subject_access_frames(data).items():
        shown = frame.rename(columns=lambda c: names.get(c, c))
        if section == "person":
            shown[names["field"]] = shown[names["field"]].map(lambda f: names.get(f, f))
        sheets[names.get(section, section)] = shown
    return sheets


# --- erasure (Art. 17) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Erased:
    """What an erasure removed: people, and per kind of record how many."""

    people: int
    suppression_entries: int
    files_rewritten: int
    removed: dict[str, int]

    @property
    def message(self) -> str:
        parts = ", ".join(_removed(kind, n) for kind, n in self.removed.items() if n)
        erased = _people(self.people) + (f" ({parts})" if parts else "")
        return _("Erased {people}; {files} stored files rewritten; {entries} suppression entries "
                 "added.").format(people=erased, files=self.files_rewritten,
                                  entries=self.suppression_entries)


def _people(count: int) -> str:
    return count_line(count, PEOPLE)


def _removed(kind: str, count: int) -> str:
    """"3 activities": how many records of a kind of ``ERASE_STEPS`` an erasure removed."""
    words = {
        "activities": ngettext("{count} activity", "{count} activities", count),
        "history entries": ngettext("{count} history entry", "{count} history entries", count),
        "leads": ngettext("{count} lead", "{count} leads", count),
        "ticks": ngettext("{count} tick", "{count} ticks", count),
        "list memberships": ngettext("{count} list membership", "{count} list memberships",
                                     count),
        "do-not-contact flags": ngettext("{count} do-not-contact flag",
                                         "{count} do-not-contact flags", count),
    }
    return words[kind].format(count=count)


# What an erasure deletes, in order (activities and history of the person's leads included):
# each step deletes the records of the people of a relation (column id) and says how many.
ERASE_STEPS: tuple[tuple[str, Callable[[Connection, str], int]], ...] = (
    ("activities", leads_store.delete_activities_for_people),
    ("history entries", history_store.delete_for_people),
    ("leads", leads_store.delete_for_people),
    ("ticks", ticks_store.delete_for_people),
    ("list memberships", lists_store.delete_memberships_of),
    ("do-not-contact flags", privacy_store.delete_flags_of),
)


def _erase(db: Connection, people: pd.DataFrame, by: int | None, reason: str) -> Erased:
    """Erase ``people`` (id, suppress) in the caller's transaction: suppression entries first
    (from the data about to go), then every record, the stored files, the person rows."""
    if people.empty:
        return Erased(0, 0, 0, {})
    with registered(db, "erase_people", people[["id", "suppress"]]):
        entries = _suppress(db, by, reason)
        mentions = _mentioned_values(db)
        removed = {kind: step(db, "erase_people") for kind, step in ERASE_STEPS}
        files = _scrub_files(db)
        _scrub_mentions(db, mentions)
        people_store.forget_duplicates_of(db, "erase_people")
        gone = people_store.delete_people(db, "erase_people")
    return Erased(gone, entries, files, removed)


@transaction
def erase(db: Connection, person_ids: list[int], *, by: int | None) -> Erased:
    """Erase people on request: every readable trace goes, one transaction; what remains is a
    suppression entry of their e-mail and phones, so no later import brings them back.
    Admins only; audited (the audit names the person's id, never their data)."""
    access.writer(db, by, "privacy", N_("erase people"))
    ids = sorted({int(i) for i in person_ids})
    held = [int(r[0]) for r in db.execute(
        "SELECT id FROM people WHERE id IN (SELECT unnest(?::BIGINT[]))", [ids]).fetchall()]
    if missing := sorted(set(ids) - set(held)):
        raise InvalidInput(_("there is no person #{number}").format(number=missing[0]))
    result = _erase(db, pd.DataFrame({"id": ids, "suppress": True}), by, "erased")
    with i18n.using("en"):  # the audit log keeps one language
        detail = result.message
    audit.record(db, "privacy_erase", user_id=by,
                 target=", ".join(f"person #{i}" for i in ids), detail=detail,
                 row_count=result.people)
    return result


def _mentioned_values(db: Connection) -> list[str]:
    """The e-mails and phone numbers of the people being erased, as stored (lower case)."""
    rows = db.execute(
        "SELECT DISTINCT lower(v) FROM (SELECT unnest([email, phone, mobile]) AS v FROM people"
        " WHERE id IN (SELECT id FROM erase_people)) WHERE v IS NOT NULL").fetchall()
    return [r[0] for r in rows]


def _scrub_mentions(db: Connection, values: list[str]) -> None:
    """Other people's history that quotes an erased value (a file row that matched someone
    else brought it) keeps the entry, not the value."""
    if not values:
        return
    history_store.erase_values(db, values)


def _scrub_files(db: Connection) -> int:
    """Blank the erased people's rows in every stored import file (the file is rewritten as
    UTF-8 CSV, row numbers kept) and mark those rows erased in the import report."""
    hits = db.execute(
        "SELECT import_id, list(row_number ORDER BY row_number) FROM import_rows"
        " WHERE person_id IN (SELECT id FROM erase_people) GROUP BY import_id"
        " ORDER BY import_id").fetchall()
    for import_id, rows in hits:
        data, name, options = db.execute(
            "SELECT file_bytes, file_name, read_options FROM imports WHERE id = ?",
            [import_id]).fetchone()
        body, resolved = scrubbed_file(bytes(data), name, options, rows)
        imports_store.replace_file(db, import_id, body, resolved)
    imports_store.mark_rows_erased(db, "erase_people")
    return len(hits)


def scrubbed_file(data: bytes, file_name: str, options: str,
                  row_numbers: list[int]) -> tuple[bytes, str]:
    """The stored file with the given rows' cells emptied, as UTF-8 CSV whose rows keep their
    numbers (blank lines stand for the title rows above the header), and its read options."""
    table = reading.read_table(data, file_name, reading.ReadOptions(**json.loads(options)),
                               max_bytes=len(data) + 1, max_rows=10**9)
    frame = table.rows.copy()
    places = [r - table.first_row_number for r in row_numbers
              if 0 <= r - table.first_row_number < len(frame)]
    if places:
        frame.iloc[places, :] = ""
    header_row = table.first_row_number - 2
    text = io.StringIO()
    text.write("\n" * header_row)
    frame.to_csv(text, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    resolved = {"encoding": "utf-8", "delimiter": ",", "sheet": None, "header_row": header_row}
    return text.getvalue().encode("utf-8"), json.dumps(resolved)


def kept_out_rows(db: Connection, stage: str) -> list[int]:
    """The row numbers of a staged file the suppression list kept out."""
    return [int(r[0]) for r in db.execute(
        f"SELECT row_number FROM {stage}_suppressed ORDER BY row_number").fetchall()]


def kept_out_text(counts_suppressed: int) -> str:
    """What the preview says about rows the suppression list keeps out."""
    if not counts_suppressed:
        return ""
    return ngettext(
        "{count} row is kept out: the person was erased on request (or purged after asking not "
        "to be contacted), and the suppression list keeps them from coming back. Their cells "
        "are not stored.",
        "{count} rows are kept out: the person was erased on request (or purged after asking "
        "not to be contacted), and the suppression list keeps them from coming back. Their "
        "cells are not stored.", counts_suppressed).format(count=i18n.number(counts_suppressed))


# --- do not contact --------------------------------------------------------------------------


def _channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise InvalidInput(_("'{channel}' is not a channel (e-mail or phone)").format(
            channel=channel), column=pgettext("field", "channel"))
    return channel


@transaction
def set_do_not_contact(db: Connection, person_id: int, channel: str, source: str, *,
                       by: int | None) -> str:
    """Flag a channel of a person: the person asked, an e-mail bounced, or legal reasons.
    Whoever works the row may set it (a rep hears "stop calling me"); audited. Returns what
    it did, to be said."""
    access.writer(db, by, "work_rows", N_("mark people as do not contact"), person_id=person_id)
    if source not in DNC_SOURCES:
        raise InvalidInput(_("'{source}' is not a reason ({reasons})").format(
            source=source, reasons=", ".join(DNC_SOURCES)), column=pgettext("field", "source"))
    privacy_store.set_flag(db, int(person_id), _channel(channel), source, utcnow(), by)
    audit.record(db, "do_not_contact", user_id=by, target=f"person #{int(person_id)}",
                 detail=f"{CHANNELS[channel]}: {DNC_SOURCES[source]}")
    marked = (_("Marked: do not e-mail ({why}).") if channel == "email"
              else _("Marked: do not call ({why})."))
    return marked.format(why=_(DNC_SOURCES[source]))


@transaction
def clear_do_not_contact(db: Connection, person_id: int, channel: str, *,
                         by: int | None) -> None:
    """Lift a flag (the person agreed again): admins only; audited."""
    access.writer(db, by, "privacy", N_("lift a do-not-contact flag"), person_id=person_id)
    if privacy_store.clear_flag(db, int(person_id), _channel(channel)):
        audit.record(db, "do_not_contact_cleared", user_id=by,
                     target=f"person #{int(person_id)}", detail=CHANNELS[channel])


def flags(db: Connection, person_id: int, *, viewer: access.Viewer) -> dict[str, dict]:
    """The person's do-not-contact flags: channel → source, since, by whom."""
    access.check_person(db, viewer, person_id)
    return {r[0]: {"source": r[1], "since": r[2], "by": r[3]} for r in db.execute(
        "SELECT d.channel, d.source, d.noted_at, u.name FROM do_not_contact d"
        " LEFT JOIN users u ON u.id = d.noted_by WHERE d.person_id = ?",
        [int(person_id)]).fetchall()}


def flag_text(found: dict[str, dict]) -> str:
    """"do not e-mail (the person asked, since 2026-03-01)" for the privacy page."""
    return "; ".join(
        (_("do not e-mail ({why}, since {day})") if c == "email"
         else _("do not call ({why}, since {day})")).format(
            why=_(DNC_SOURCES.get(f["source"], f["source"])), day=i18n.day(f["since"]))
        for c, f in sorted(found.items()))


# Each flagged person's channels as text (person_id, flags), for the grid, the lead and exports:
# a table to join (a subquery per row cost 65 ms on a page of 100 rows among 1M people).
FLAGS_SQL = ("(SELECT person_id, string_agg(CASE channel WHEN 'email' THEN 'e-mail'"
             " ELSE 'phone' END, ', ' ORDER BY channel) AS flags FROM do_not_contact"
             " GROUP BY person_id)")


def refuse_blocked(db: Connection, person_id: int, next_type: str) -> None:
    """A next step of a flagged channel's kind (an e-mail, a call) cannot be planned."""
    channel = NEXT_STEP_CHANNEL.get(next_type)
    if channel is None:
        return
    row = db.execute("SELECT source, noted_at FROM do_not_contact WHERE person_id = ?"
                     " AND channel = ?", [int(person_id), channel]).fetchone()
    if row is not None:
        refusal = (_("this person may not be e-mailed (do not contact: {why}, since {day}); "
                     "plan another kind of next step than an e-mail") if channel == "email" else
                   _("this person may not be called (do not contact: {why}, since {day}); plan "
                     "another kind of next step than a call"))
        raise InvalidInput(refusal.format(why=_(DNC_SOURCES[row[0]]), day=i18n.day(row[1])),
                           column=pgettext("field", "next step"))


# --- retention -------------------------------------------------------------------------------

RETENTION_SQL = """
    SELECT p.id AS person_id, concat_ws(' ', p.first_name, p.last_name) AS name, p.company,
           p.status, 'unworked suspect' AS why,
           coalesce((SELECT max(r.added_at) FROM list_rows r WHERE r.person_id = p.id),
                    p.created_at) AS since,
           EXISTS (SELECT 1 FROM do_not_contact d WHERE d.person_id = p.id) AS asked
    FROM people p
    WHERE $unworked > 0 AND p.status = 'suspect'
      AND NOT EXISTS (SELECT 1 FROM ticks t WHERE t.person_id = p.id)
      AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.person_id = p.id)
      AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.person_id = p.id)
      AND coalesce((SELECT max(r.added_at) FROM list_rows r WHERE r.person_id = p.id),
                   p.created_at) < CAST($now AS TIMESTAMP) - to_months(CAST($unworked AS INTEGER))
    UNION ALL
    SELECT p.id, concat_ws(' ', p.first_name, p.last_name), p.company, p.status, 'dead row',
           p.died_at, EXISTS (SELECT 1 FROM do_not_contact d WHERE d.person_id = p.id)
    FROM people p
    WHERE $dead > 0 AND p.status = 'dead'
      AND p.died_at < CAST($now AS TIMESTAMP) - to_months(CAST($dead AS INTEGER))
    ORDER BY person_id
"""


def purge_candidates(db: Connection, now: datetime | None = None, *,
                     viewer: access.Viewer) -> pd.DataFrame:
    """The dry run: who the retention settings would purge now, why, since when, and whether
    they asked not to be contacted (they alone leave a suppression entry). Admins only."""
    access.require(viewer, "privacy", N_("see what retention would purge"))
    visible, params = access.people_clause(viewer, "q")
    frame = db.execute(RETENTION_SQL, {
        "unworked": int(settings.get(db, "retention_unworked_months")),
        "dead": int(settings.get(db, "retention_dead_months")), "now": now or utcnow()}).df()
    if visible != "TRUE":  # admins see everyone; the clause is kept for the rule's sake
        allowed = {int(r[0]) for r in db.execute(
            f"SELECT q.id FROM people q WHERE {visible}", params).fetchall()}
        frame = frame[frame["person_id"].isin(allowed)]
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class Purged:
    erased: Erased
    person_ids: list[int]

    @property
    def message(self) -> str:
        return _("Purged {people} under the retention settings; {entries} suppression entries "
                 "(people who had asked not to be contacted).").format(
            people=_people(self.erased.people), entries=self.erased.suppression_entries)


@transaction
def purge(db: Connection, now: datetime | None = None, *, by: int | None) -> Purged:
    """Erase whom ``purge_candidates`` names (the same query, one transaction); only those who
    asked not to be contacted leave a suppression entry. Admins only; audited."""
    viewer = access.writer(db, by, "privacy", N_("purge under the retention settings"))
    found = purge_candidates(db, now, viewer=viewer)
    people = pd.DataFrame({"id": found["person_id"].astype("int64"),
                           "suppress": found["asked"].astype(bool)})
    result = _erase(db, people, by, "purged")
    with i18n.using("en"):  # the audit log keeps one language
        detail = result.message
    audit.record(db, "privacy_purge", user_id=by, target="retention",
                 detail=detail, row_count=result.people)
    return Purged(result, [int(i) for i in found["person_id"]])


def record_export(db: Connection, person_ids: list[int], *, by: int | None, where: str) -> None:
    """A subject access download in the audit log (the ids, never the data)."""
    audit.record(db, "privacy_export", user_id=by,
                 target=", ".join(f"person #{int(i)}" for i in person_ids), detail=where,
                 row_count=len(person_ids))
