"""Keys for matching and validity flags: e-mail, phone, names and companies, vectorised.

What the file says is kept for display by the importer; these functions only decide whether
two rows are the same person and whether an e-mail or phone is valid. They take pandas Series
and treat None, NaN, "" and whitespace as blank (key missing, validity NA).

Umlauts: keys spell umlauts out (ä→ae, ö→oe, ü→ue, ß→ss) and drop other accents (é→e), so
"Müller" and "Mueller" share a key but "Muller" does not. Folding "ae"→"a" as well would also
catch "Muller", but it merges different names (Michael/Michal, Rafael/Rafał, Joel/Jol), and a
false merge loses a person while a missed one is still flagged by ``similarity_key``, which
does fold both ways because a person reviews what it finds.

Speed: ``email-validator`` and ``phonenumbers`` are the authorities but cost 15-25 µs a value
(1M phones would take 15-25 s). So both have a vectorised fast path that provably agrees with
the library (tests/test_normalise.py) and the library decides the rest, once per unique value,
in worker processes when there are many (lib/normalise_pool.py):

- E-mail: a conservative regex (ASCII dot-atom local part, LDH labels, alphabetic TLD) plus
  the library's length limits and special-use domains.
- Phone: separators removed, country code split off, trunk prefix dropped, then the region's
  own metadata patterns evaluated the way ``is_valid_number`` does (the general pattern and
  any number type, with their possible lengths), in pyarrow. Building ``PhoneNumber`` objects
  and calling ``is_valid_number`` per number was the first plan; it costs ~8 µs a number.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from phonenumbers import PhoneMetadata

from lib import normalise_pool as pool


def _text(values: pd.Series) -> pd.Series:
    """Trimmed text; missing where the cell is blank. Whole floats lose their ".0" (a phone
    column that pandas or Excel read as numbers), which would otherwise count as a digit."""
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")
    try:
        text = values.astype("str")
    except UnicodeEncodeError:  # a lone surrogate cannot be stored as text: make it U+FFFD
        text = values.map(_replace_surrogates, na_action="ignore").astype("str")
    text = text.where(values.notna()).str.strip()
    return text.where(text != "")


def _replace_surrogates(value: object) -> str:
    return str(value).encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _series(array: pa.Array | pa.ChunkedArray, like: pd.Series) -> pd.Series:
    return pd.Series(array, index=like.index, dtype="str")


def _bools(array: pa.Array, like: pd.Series) -> pd.Series:
    return pd.Series(array.to_numpy(zero_copy_only=False), index=like.index, dtype=bool)


def _frame(key: pd.Series, valid: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"key": key.astype("str"), "valid": valid.astype("boolean")})


def _per_unique(text: pd.Series, work: str, args: tuple, workers: int | None) -> pd.DataFrame:
    """Run ``work`` once per unique value of ``text`` (no blanks) and spread back to its rows."""
    codes, uniques = pd.factorize(text)
    keys, valid = pool.spread(work, list(uniques), args, workers)
    return _frame(
        pd.Series(np.array(keys, dtype=object)[codes], index=text.index),
        pd.Series(np.array(valid, dtype=bool)[codes], index=text.index),
    )


# --- e-mail -------------------------------------------------------------------------------

# The fast path: an ASCII dot-atom local part, LDH labels without "--" (so no Punycode and no
# reserved "ab--" labels), an alphabetic TLD. Lengths and special-use domains are checked
# beside it (email_fast_path). Everything else is decided by email-validator.
EMAIL_FAST_PATH = (
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\.)+[A-Za-z]{2,63}"
)
EMAIL_MAX_LENGTH = 254
LABEL_MAX_LENGTH = 63


def email_fast_path(text: pd.Series) -> pd.Series:
    """True where a (trimmed) address is certainly valid for email-validator, False otherwise."""
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    ok = pc.and_(
        pc.match_substring_regex(arr, f"^{EMAIL_FAST_PATH}$"),
        pc.less_equal(pc.utf8_length(arr), EMAIL_MAX_LENGTH),
    )
    ok = pc.and_not(ok, pc.match_substring_regex(arr, f"[^.@]{{{LABEL_MAX_LENGTH + 1}}}"))
    lower = pc.utf8_lower(arr)
    for domain in SPECIAL_USE_DOMAIN_NAMES:
        ok = pc.and_not(ok, pc.ends_with(lower, f".{domain}"))  # the fast path needs a dot
    return pd.Series(pc.fill_null(ok, False), index=text.index, dtype=bool)


def email_keys(values: pd.Series, *, workers: int | None = None) -> pd.DataFrame:
    """Per row: ``key`` (lower-cased, IDN domain in Unicode; missing when blank or invalid)
    and ``valid`` (email-validator's verdict without DNS; NA when blank).

    ``workers``: processes for what the library must decide when that is many values
    (None: one per core; 1: in this process).
    """
    text = _text(values)
    fast = email_fast_path(text)
    key = text.str.lower().where(fast)
    valid = pd.Series(pd.NA, index=text.index, dtype="boolean").mask(fast, True)
    slow = text.notna() & ~fast
    if slow.any():
        checked = _per_unique(text[slow], "emails_checked", (), workers)
        key = key.astype(object)
        key[slow] = checked["key"]
        valid[slow] = checked["valid"]
    return _frame(key, valid)


# --- phone --------------------------------------------------------------------------------

_SEPARATORS = "[ \u00a0\\-/.()]"  # all in phonenumbers' own punctuation, removed alike
_NUMBER_TYPES = (  # every type _number_type_helper tries, the commonest first (order is free)
    "fixed_line", "mobile", "premium_rate", "toll_free", "shared_cost", "voip",
    "personal_number", "pager", "uan", "voicemail",
)


def phone_keys(values: pd.Series, region: str, *, workers: int | None = None) -> pd.DataFrame:
    """Per row: ``key`` (E.164 such as "+49301234567"; missing when blank or invalid) and
    ``valid`` (phonenumbers' verdict; NA when blank). National numbers are read for
    ``region`` (e.g. "DE"); ``workers`` as in ``email_keys``."""
    text = _text(values)
    present = text.notna()
    codes, uniques = pd.factorize(text[present])
    unique = pd.Series(uniques, dtype="str")
    found = fast_phone_keys(unique, region).astype(object)
    rest = found.isna()
    if rest.any():
        found[rest] = pool.spread("phones_parsed", unique[rest].tolist(), (region,), workers)[0]
    key = pd.Series(None, index=text.index, dtype=object)
    key[present] = found.to_numpy()[codes]
    return _frame(key, key.notna().astype("boolean").where(present))


def fast_phone_keys(raw: pd.Series, region: str) -> pd.Series:
    """E.164 where the fast path can tell a number is valid; missing means "ask parse".

    The rules of ``phonenumbers.parse`` + ``is_valid_number``, vectorised for the common
    shapes: separators removed, the country code split off, the trunk prefix dropped, then
    the region's own metadata patterns (general pattern and one number type, with their
    lengths). Country codes shared by several regions or with a complex trunk rule, and
    anything that parse might read differently, are left to parse.
    """
    shapes = phone_shapes(raw, region)
    found = []
    for cc, rows in shapes.groupby("cc", sort=False):
        meta = _single_region_metadata(int(cc))
        nsn = _national_digits(rows, meta)
        if nsn is not None:
            found.append("+" + str(cc) + nsn[_valid_nsn(nsn, meta)])
    keys = pd.concat(found) if found else pd.Series([], dtype="str")
    return keys.reindex(raw.index).astype("str")


def phone_shapes(raw: pd.Series, region: str) -> pd.DataFrame:
    """Split cleaned numbers of the common shapes into country code and national digits.

    ``+<cc><digits>`` (or ``00<cc>…`` where 00 is the region's international prefix) gives
    ``national=False``; plain digits give the region's code and ``national=True``. Other
    shapes (letters, extensions, a prefix given as a pattern) get no ``cc`` and go to parse.
    """
    arr = pc.replace_substring_regex(pa.array(raw, type=pa.large_string()), _SEPARATORS, "")
    meta = PhoneMetadata.metadata_for_region(region)
    idd = meta.international_prefix or ""  # the prefix for calling abroad, "00" in DE
    if idd.isdigit():  # parse takes it for "+" when a country code (never 0) follows
        arr = pc.replace_substring_regex(arr, f"^{idd}([1-9])", "+\\1")
    international = pc.fill_null(pc.match_substring_regex(arr, r"^\+[1-9][0-9]{3,18}$"), False)
    national = pc.fill_null(pc.match_substring_regex(arr, r"^[0-9]{2,17}$"), False)
    if idd:  # what still starts with it is left to parse
        national = pc.and_not(national, pc.match_substring_regex(arr, f"^(?:{idd})"))
    cc = nsn = pa.nulls(len(arr), pa.large_string())
    for length in (3, 2, 1):  # the shortest known code wins, as in phonenumbers
        head = pc.utf8_slice_codeunits(arr, 1, 1 + length)
        hit = pc.and_(international, pc.is_in(head, value_set=_country_codes()))
        cc = pc.if_else(hit, head, cc)
        nsn = pc.if_else(hit, pc.utf8_slice_codeunits(arr, 1 + length), nsn)
    cc = pc.if_else(national, pa.scalar(str(meta.country_code), pa.large_string()), cc)
    nsn = pc.if_else(national, arr, nsn)
    return pd.DataFrame(
        {"cc": _series(cc, raw), "nsn": _series(nsn, raw), "national": _bools(national, raw)}
    )


def _national_digits(rows: pd.DataFrame, meta: PhoneMetadata | None) -> pd.Series | None:
    """The national significant number as parse would see it; None for the whole code when
    parse follows rules the fast path does not copy. Rows parse might read otherwise drop out."""
    prefix = meta.national_prefix_for_parsing if meta else None
    if meta is None or meta.national_prefix_transform_rule or (prefix and not prefix.isdigit()):
        return None
    nsn = rows["nsn"]
    if prefix:
        nsn = nsn.mask(nsn.str.startswith(prefix), nsn.str.slice(len(prefix)))
    # parse reads a national number that starts with the country code as national whenever
    # it matches the region's general pattern, which every valid one does: no special case
    return nsn[~nsn.str.startswith("0") & nsn.str.len().between(2, 17)]


@cache
def _single_region_metadata(cc: int) -> PhoneMetadata | None:
    """The metadata of the one region using this country code; None when several share it."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(cc, ())
    if len(regions) != 1 or regions[0] == "001":
        return None
    return PhoneMetadata.metadata_for_region(regions[0])


def _valid_nsn(nsn: pd.Series, meta: PhoneMetadata) -> pd.Series:
    """is_valid_number for one region: the general pattern and any number type's pattern.

    Types are tried on the rows no earlier type matched; the commonest come first.
    """
    arr = pa.array(nsn, type=pa.large_string())
    general = _matching(arr, meta.general_desc)
    typed = np.zeros(len(arr), dtype=bool)
    for name in _NUMBER_TYPES:
        todo = np.flatnonzero(general & ~typed)
        if len(todo) == 0:
            break
        typed[todo] = _matching(arr.take(todo), getattr(meta, name))
    return pd.Series(typed, index=nsn.index)


def _matching(arr: pa.Array, desc: object) -> np.ndarray:
    """phonenumbers' _is_number_matching_desc: a possible length and a full pattern match."""
    pattern = getattr(desc, "national_number_pattern", None)
    if not pattern:
        return np.zeros(len(arr), dtype=bool)
    hit = pc.match_substring_regex(arr, f"^(?:{pattern})$")
    if desc.possible_length:
        lengths = pa.array(desc.possible_length, type=pa.int64())
        hit = pc.and_(hit, pc.is_in(pc.utf8_length(arr), value_set=lengths))
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


@cache
def _country_codes() -> pa.Array:
    return pa.array(sorted(str(cc) for cc in phonenumbers.COUNTRY_CODE_TO_REGION_CODE))


# --- names and companies ------------------------------------------------------------------

_SPELLED_OUT = {
    "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l",
    "đ": "d", "ð": "d", "þ": "th", "ı": "i",
}
_LOOSE = {"ae": "a", "oe": "o", "ue": "u", "ss": "s"}
LEGAL_FORMS = (
    "gmbh", "mbh", "gesmbh", "ges m b h", "ag", "kg", "kgaa", "ohg", "og", "gbr", "ug",
    "ug haftungsbeschraenkt", "haftungsbeschraenkt", "e k", "ek", "e kfm", "e kfr", "e v", "ev",
    "eg", "e g", "se", "partg", "partg mbb", "mbb", "co", "cie", "inc", "incorporated", "corp",
    "corporation", "ltd", "limited", "llc", "llp", "plc", "pty", "sa", "s a", "sarl",
    "s a r l", "sas", "s a s", "sl", "s l", "srl", "s r l", "spa", "s p a", "bv", "b v", "nv",
    "n v", "ab", "as", "a s", "asa", "aps", "oy", "oyj", "kft", "sro", "s r o", "sp z o o",
)
_LEGAL_SUFFIX = "(?: (?:" + "|".join(sorted(LEGAL_FORMS, key=len, reverse=True)) + "))+$"
_PERSON_TITLES = "^(?:(?:dr|prof|dipl|ing|mag|herr|frau|hr|fr|mr|mrs|ms|miss) )+"


def text_key(values: pd.Series) -> pd.Series:
    """Lower case, umlauts spelled out, accents dropped, punctuation gone, spaces collapsed.

    "  Jürgen  MÜLLER-Lüdenscheidt " → "juergen mueller luedenscheidt"; blank → missing.
    Computed once per unique value; only non-ASCII values need the Unicode steps.
    """
    text = _text(values)
    codes, uniques = pd.factorize(text)
    arr = pa.array(uniques, type=pa.large_string())
    plain = pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)
    arr = pc.ascii_lower(arr)
    if not plain.all():
        folded = _folded(arr.take(np.flatnonzero(~plain)))
        arr = pc.replace_with_mask(arr, pa.array(~plain), folded)
    arr = pc.utf8_trim(pc.replace_substring_regex(arr, r"[^\p{L}\p{N}]+", " "), " ")
    keys = pd.array(arr, dtype="str").take(codes, allow_fill=True)
    result = pd.Series(keys, index=text.index, dtype="str")
    return result.where(result != "")


def _folded(arr: pa.Array) -> pa.Array:
    """Lower case with umlauts spelled out and other accents dropped (é→e, ł→l)."""
    arr = pc.utf8_lower(pc.utf8_normalize(arr, "NFC"))
    for letter, spelled in _SPELLED_OUT.items():
        arr = pc.replace_substring(arr, letter, spelled)
    return pc.replace_substring_regex(pc.utf8_normalize(arr, "NFKD"), r"\p{M}+", "")


def company_key(values: pd.Series) -> pd.Series:
    """text_key without legal forms at the end: "Müller GmbH & Co. KG" → "mueller".

    A name that is nothing but a legal form (a company called "AG") keeps its text key.
    """
    key = text_key(values)
    stripped = _series(
        pc.utf8_trim(pc.replace_substring_regex(pa.array(" " + key), _LEGAL_SUFFIX, ""), " "),
        key,
    )
    return stripped.where(stripped.fillna("") != "", key)


def _person_key(values: pd.Series) -> pd.Series:
    arr = pc.replace_substring_regex(pa.array(text_key(values)), _PERSON_TITLES, "")
    key = _series(arr, values)
    return key.where(key.fillna("") != "")


def name_key(first: pd.Series, last: pd.Series, company: pd.Series,
             companies: pd.Series | None = None) -> pd.Series:
    """"first|last|company" of the keys; missing unless all three are present, so a row
    never matches on a company alone or on a name alone. ``companies`` are the company keys
    when the caller has them already."""
    parts = [_person_key(first), _person_key(last),
             company_key(company) if companies is None else companies]
    joined = parts[0] + "|" + parts[1] + "|" + parts[2]
    return joined.where(parts[0].notna() & parts[1].notna() & parts[2].notna())


def similarity_key(first: pd.Series, last: pd.Series, company: pd.Series) -> pd.DataFrame:
    """Loose ``name`` and ``company`` for near-duplicate search (rapidfuzz, blocked by company).

    Folds further than the keys ("Müller", "Mueller", "Muller" → "muller"); missing unless
    first, last and company are all present. Only for flagging "possible duplicate".
    """
    name = _loose(_person_key(first) + " " + _person_key(last))
    firm = _loose(company_key(company))
    present = name.notna() & firm.notna()
    return pd.DataFrame({"name": name.where(present), "company": firm.where(present)})


def _loose(key: pd.Series) -> pd.Series:
    arr = pa.array(key, type=pa.large_string(), from_pandas=True)
    for pair, single in _LOOSE.items():
        arr = pc.replace_substring(arr, pair, single)
    return _series(arr, key)
