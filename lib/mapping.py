"""Mapping: which column of an uploaded file holds which field of a person.

A header is matched by its *normalised* name (case, accents, umlauts, punctuation and spaces
ignored), first against the aliases below, then fuzzily. Anything not mapped stays on the row
as an extra attribute, so nothing in the file is lost by a missing or refused match.

Decisions worth knowing:

- "Title"/"Titel" is never mapped automatically: in German exports it is usually an academic
  title ("Dr.", "Bc"), in CRM exports a job title. Guessing wrong would put "Dr." into the job
  title, so the column stays an extra attribute until the user maps it.
- "Name" is the last name when a first-name column is mapped, otherwise the full name.
- A full-name column ("Display Name", "Contact Name") is mapped only when neither first nor
  last name is mapped; the importer splits it (``split_full_name``) into first and last.
- Do-not-contact columns ("Opt-out", "Werbewiderspruch", "do not call") are mapped only by
  their exact names, never by similarity: CiviCRM's "Do Not Mail" means the post, and a wrong
  guess would stop e-mails to everyone in the file.
- Among several columns for one field the best match wins: exact before fuzzy, an earlier
  alias before a later one ("Work Phone" before "Home Phone"), then the leftmost column.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, replace

import pandas as pd
from rapidfuzz import fuzz

from lib.db import Connection, transaction, utcnow
from lib.errors import InvalidInput
from lib.i18n import N_, _
from lib.store import imports as imports_store

FUZZY_THRESHOLD = 85.0  # rapidfuzz ratio (0..100) a header needs to be mapped by similarity
FUZZY_MARGIN = 5.0  # the best field must beat the runner-up by this much, else it is a tie


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    aliases: tuple[str, ...]  # most specific first: the rank decides between two columns


FIELDS: tuple[Field, ...] = (
    Field("company", N_("Company"), (
        "company", "company name", "organization", "organisation", "organization name",
        "account name", "business name", "employer", "firm", "firma", "unternehmen",
        "firmenname", "firmierung", "arbeitgeber", "organization 1 name", "related company")),
    Field("salutation", N_("Salutation"), (
        "salutation", "name prefix", "prefix", "honorific", "anrede", "briefanrede")),
    Field("first_name", N_("First name"), (
        "first name", "firstname", "given name", "forename", "fname", "first", "vorname",
        "rufname", "person first name")),
    Field("last_name", N_("Last name"), (
        "last name", "lastname", "surname", "family name", "lname", "last", "nachname",
        "familienname", "zuname", "person last name")),
    Field("full_name", N_("Full name"), (
        "full name", "contact name", "display name", "contact person", "person", "contact",
        "name", "vollständiger name", "ansprechpartner", "ansprechperson", "kontaktperson",
        "kontakt")),
    Field("email", N_("E-mail"), (
        "email", "e-mail", "email address", "e-mail-adresse", "emailadresse", "mail",
        "primary email", "email work", "work email", "business email", "email 1",
        "e-mail 1 value", "e-mail address 1", "e-mail-adresse 1",
        "e-mail geschäftlich", "e-mail 1", "email home", "home email", "personal email",
        "e-mail privat", "secondary email", "email other", "other email", "email 2",
        "e-mail 2")),
    Field("phone", N_("Phone"), (
        "phone", "telephone", "phone number", "tel", "telefon", "telefonnummer", "festnetz",
        "rufnummer", "fon", "work phone", "business phone", "office phone", "phone work",
        "phone 1", "phone 1 number", "phone 1 value", "contact number", "telefon geschäftlich",
        "telefon firma", "durchwahl", "home phone", "phone home", "telefon privat",
        "other phone", "phone other", "phone 2", "phone 2 number")),
    Field("mobile", N_("Mobile"), (
        "mobile", "mobile phone", "mobile number", "cell", "cell phone", "cellphone",
        "mobil", "handy", "mobiltelefon", "mobilnummer", "handynummer", "mobilfunk",
        "mobilfunknummer")),
    Field("job_title", N_("Job title"), (
        "job title", "jobtitle", "position", "function", "role", "job", "designation",
        "occupation", "job position", "funktion", "berufsbezeichnung", "beruf", "stellung",
        "tätigkeit", "rolle")),
    Field("website", N_("Website"), (
        "website", "web site", "webseite", "homepage", "internet", "url", "web",
        "web page", "web page 1", "www", "internetseite", "internetadresse",
        "company website")),
    Field("street", N_("Street"), (
        "street", "street address", "address", "address line 1", "address 1", "street 1",
        "straße", "str", "adresse", "anschrift", "straße und hausnummer", "straße hausnummer",
        "work address", "business street", "straße geschäftlich", "home address",
        "straße privat")),
    Field("postal_code", N_("Postal code"), (
        "postal code", "postcode", "post code", "zip", "zip code", "zipcode", "postleitzahl",
        "plz", "work zipcode", "work zip", "business postal code", "postleitzahl geschäftlich",
        "home zipcode", "home zip")),
    Field("city", N_("City"), (
        "city", "town", "locality", "ort", "stadt", "wohnort", "work city", "business city",
        "ort geschäftlich", "home city", "ort privat")),
    Field("country", N_("Country"), (
        "country", "country code", "country region", "nation", "land", "land region",
        "work country", "business country region", "land region geschäftlich", "land geschäftlich",
        "home country")),
    Field("source", N_("Source"), (
        "source", "lead source", "origin", "channel", "quelle", "herkunft", "kanal",
        "leadquelle")),
    Field("notes", N_("Notes"), (
        "notes", "note", "comment", "comments", "remarks", "remark", "memo", "bemerkung",
        "bemerkungen", "notiz", "notizen", "kommentar", "kommentare", "anmerkung",
        "anmerkungen")),
    # Do not contact (lib/privacy.py): any value but a "no" flags the channel(s).
    Field("do_not_contact", N_("Do not contact"), (
        "do not contact", "opt-out", "opt out", "optout", "werbewiderspruch", "kein kontakt",
        "keine werbung", "werbesperre", "sperrvermerk", "widerspruch", "kontaktsperre")),
    Field("do_not_email", N_("Do not e-mail"), (
        "do not email", "email opt-out", "e-mail opt-out", "unsubscribed", "keine e-mail",
        "keine e-mails", "e-mail-sperre", "newsletter abgemeldet", "abgemeldet")),
    Field("do_not_call", N_("Do not call"), (
        "do not call", "dnc", "no calls", "keine anrufe", "nicht anrufen", "telefonsperre",
        "anrufsperre")),
)
DNC_FIELDS = ("do_not_contact", "do_not_email", "do_not_call")
FIELD_KEYS = tuple(field.key for field in FIELDS)
FIELD_BY_KEY = {field.key: field for field in FIELDS}
LABELS = {field.key: field.label for field in FIELDS}  # English; ``labels()`` translates
NEVER_AUTO = frozenset({"title", "titel"})  # see the module docstring
IDENTIFIER_WORDS = frozenset({"id", "ids", "nr", "no", "key", "uuid", "ref"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")  # "organizationId" → organization, Id

_UMLAUTS_AS_VOWEL = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_UMLAUTS_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def labels() -> dict[str, str]:
    """Field key → label in the reader's language ("first_name" → "Vorname")."""
    return {key: _(label) for key, label in LABELS.items()}


def normalise_header(name: object, *, umlauts: str = "vowel") -> str:
    """A header as compared: lower case, no accents, letters and digits only ("E-Mail" → "email").

    ``umlauts="vowel"`` folds ä→a, ``"spelled"`` folds ä→ae; matching tries both.
    """
    table = _UMLAUTS_AS_VOWEL if umlauts == "vowel" else _UMLAUTS_SPELLED_OUT
    text = unicodedata.normalize("NFC", str(name)).lower().translate(table)
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)))


def _variants(name: object) -> set[str]:
    return {normalise_header(name, umlauts="vowel"), normalise_header(name, umlauts="spelled")}


def _alias_index() -> dict[str, tuple[str, int]]:
    """Normalised alias → (field, rank); the first field to claim an alias keeps it."""
    index: dict[str, tuple[str, int]] = {}
    for field in FIELDS:
        for rank, alias in enumerate(field.aliases):
            for variant in _variants(alias):
                index.setdefault(variant, (field.key, rank))
    return index


ALIASES = _alias_index()


@dataclass(frozen=True, order=True)
class _Candidate:
    """One possible assignment; the smallest candidate is the best."""

    fuzzy: bool
    distance: float  # 100 - score
    rank: int
    position: int
    column: str
    field: str


def _exact(column: str, position: int) -> _Candidate | None:
    hits = [ALIASES[v] for v in sorted(_variants(column)) if v in ALIASES]
    if not hits:
        return None
    field, rank = min(hits, key=lambda hit: hit[1])
    return _Candidate(False, 0.0, rank, position, column, field)


def _fuzzy(column: str, position: int) -> _Candidate | None:
    """The field whose aliases resemble the header most, if clearly above the others.

    A header ending in an identifier word ("organization_id", "Kunden-Nr") names a
    reference, not the thing itself, so it is never matched by similarity.
    """
    words = _WORD.findall(column)
    if words and words[-1].lower() in IDENTIFIER_WORDS:
        return None
    best: dict[str, tuple[float, int]] = {}  # field → (score, rank of the alias)
    for variant in _variants(column):
        for alias, (field, rank) in ALIASES.items():
            if field in DNC_FIELDS:
                continue  # a guessed flag stops contact: "Do Not Mail" is the postal kind
            score = fuzz.ratio(variant, alias)
            if score > best.get(field, (-1.0, 0))[0]:
                best[field] = (score, rank)
    first, second = sorted(best.items(), key=lambda item: -item[1][0])[:2]
    field, (score, rank) = first
    if score < FUZZY_THRESHOLD or score - second[1][0] < FUZZY_MARGIN:
        return None
    return _Candidate(True, 100.0 - score, rank, position, column, field)


def _candidates(columns: list[str], skip: set[str]) -> list[_Candidate]:
    """Every column's best candidate, best first, after the name rules of the module docstring."""
    found = [
        _exact(c, i) or _fuzzy(c, i)
        for i, c in enumerate(columns)
        if c not in skip and _variants(c) - {""} and not _variants(c) & NEVER_AUTO
    ]
    names = {cand.field for cand in found if cand and cand.field in ("first_name", "last_name")}
    return sorted(filter(None, (_settle_name(cand, names) for cand in found if cand)))


def _settle_name(cand: _Candidate, names: set[str]) -> _Candidate | None:
    if cand.field != "full_name" or not names:
        return cand
    if normalise_header(cand.column) == "name" and names == {"first_name"}:
        return replace(cand, field="last_name", rank=len(FIELD_BY_KEY["last_name"].aliases))
    return None


def auto_map(
    columns: list[str], saved: dict[str, str | None] | None = None
) -> dict[str, str | None]:
    """Column → field key (None: keep as an extra attribute), for every column in order.

    A saved mapping for the same header is applied as is; columns it does not cover are
    matched by alias, then fuzzily. No field goes to two columns: the better match wins.
    """
    fixed = {c: saved[c] for c in columns if saved and c in saved}
    taken = {field for field in fixed.values() if field}
    chosen: dict[str, str] = {}
    for cand in _candidates(columns, skip=set(fixed)):
        if cand.field not in taken and cand.column not in chosen:
            chosen[cand.column] = cand.field
            taken.add(cand.field)
    return {c: fixed[c] if c in fixed else chosen.get(c) for c in columns}


def header_key(columns: list[str]) -> str:
    """A stable key for "a file with the same header": normalised names in order, hashed."""
    joined = "\x1f".join(normalise_header(c) for c in columns)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def check_mapping(mapping: dict[str, str | None]) -> None:
    """Refuse a mapping that uses an unknown field or puts one field on two columns."""
    seen: dict[str, str] = {}
    for column, field in mapping.items():
        if field is None:
            continue
        if field not in LABELS:
            raise InvalidInput(_("'{field}' is not a field that can be mapped").format(
                field=field), column=column)
        if field in seen:
            raise InvalidInput(
                _("{field} is mapped to two columns, '{first}' and '{second}'; keep one of "
                  "them").format(field=_(LABELS[field]), first=seen[field], second=column)
            )
        seen[field] = column


def saved_mapping(db: Connection, columns: list[str]) -> dict[str, str | None] | None:
    """The mapping confirmed last time for a file with this header, keyed by these columns."""
    row = db.execute(
        "SELECT mapping FROM saved_mappings WHERE header_key = ?", [header_key(columns)]
    ).fetchone()
    if row is None:
        return None
    fields = [field for _column, field in json.loads(row[0])]  # by position: the names may differ
    return {c: f if f in LABELS else None for c, f in zip(columns, fields, strict=True)}


@transaction
def save_mapping(
    db: Connection, columns: list[str], mapping: dict[str, str | None], *, by: int | None
) -> None:
    """Remember the confirmed mapping for files with the same header (replacing an older one)."""
    check_mapping(mapping)
    pairs = json.dumps([[c, mapping.get(c)] for c in columns], ensure_ascii=False)
    imports_store.save_mapping(db, header_key(columns), pairs, utcnow(), by)


_PARTICLES = (
    r"von der|von dem|von und zu|von|vom|zu|zur|van der|van den|van de|van|de la|de los|del|"
    r"de|der|den|di|da|dos|du|la|le|ten|ter|st\.?|bin|al"
)
_TITLES = (  # a title or salutation before the name; abbreviations that are names need a dot
    r"(?:(?:(?:dr|prof|dipl|herr|frau|mr|mrs|ms|miss|sir|dame)\.?"
    r"|(?:ing|mag|med|rer|nat|phil|jur|habil|hr|fr)\.)(?:-\w+\.?)?\s+)*"
)
_DEGREES = re.compile(
    r"(?:,\s*(?:m\.?a|b\.?a)|,?\s+(?:mba|m\.?sc|b\.?sc|ph\.?d|ll\.?m))\.?$", re.IGNORECASE
)
_NAME = re.compile(
    rf"^{_TITLES}(?:(?P<first>.+?)\s+)?(?P<last>(?:(?:{_PARTICLES})\s+)*\S+"
    r"(?:\s+(?:jr|sr|ii|iii|iv)\.?)?)$",
    re.IGNORECASE,
)
_REVERSED = re.compile(rf"^(?P<last>[^,]+?)\s*,\s*{_TITLES}(?P<first>[^,]+)$", re.IGNORECASE)


def split_full_name(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(first, last) from full names: "Max Müller", "Müller, Max", "Dr. Max von Müller".

    Titles, salutations and trailing degrees are dropped; name particles (von, van der, de la)
    stay with the last name; a single word is the last name. Blank stays missing.
    """
    text = names.astype("str").where(names.notna()).str.replace(r"\s+", " ", regex=True)
    text = text.str.strip().str.replace(_DEGREES, "", regex=True).str.strip()
    text = text.where(text != "")
    reversed_ = text.str.extract(_REVERSED)
    plain = text.str.extract(_NAME)
    first = reversed_["first"].fillna(plain["first"])
    last = reversed_["last"].fillna(plain["last"])
    return first.astype("str"), last.astype("str")
