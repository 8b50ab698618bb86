"""Matching keys and validity: the normalisation half of the duplicate matrix, and proof that the
fast paths agree with the libraries that are the authority (email-validator, phonenumbers)."""

from __future__ import annotations

import csv
import json
import random
import xml.etree.ElementTree as ET

import pandas as pd
import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from lib import normalise, normalise_pool
from lib.normalise import (
    EMAIL_FAST_PATH,
    company_key,
    email_fast_path,
    email_keys,
    fast_phone_keys,
    name_key,
    phone_keys,
    similarity_key,
    text_key,
)

CONTROL_PICTURES = {0x2400 + n: n for n in range(32)}  # isemail writes control n as U+2400+n
BLANKS = [None, float("nan"), "", "   ", "\t"]
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def series(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def keys(frame: pd.DataFrame) -> list[str | None]:
    return [None if pd.isna(key) else key for key in frame["key"]]


def library_emails(values: list[str]) -> list[str | None]:
    """email-validator's keys for what email_keys sees: the trimmed text."""
    trimmed = normalise._text(pd.Series(values, dtype=object))
    return [None if pd.isna(v) else normalise_pool.emails_checked([v])[0][0] for v in trimmed]


def library_phones(values: list[str], region: str) -> list[str | None]:
    return [normalise_pool._parsed(v.strip(), region) if v.strip() else None for v in values]


# --- the duplicate matrix: e-mail ------------------------------------------------------------


def test_email_case_and_spaces_give_one_key():
    found = email_keys(
        series("  Max.Mueller@Firma.DE ", "max.mueller@firma.de", "MAX.MUELLER@FIRMA.DE")
    )
    assert keys(found) == ["max.mueller@firma.de"] * 3
    assert found["valid"].tolist() == [True, True, True]


def test_an_idn_domain_in_unicode_or_punycode_gives_one_key():
    found = email_keys(series("Max@Müller.de", "max@xn--mller-kva.de"))
    assert keys(found) == ["max@müller.de", "max@müller.de"]


def test_blank_emails_have_no_key_and_no_verdict():
    found = email_keys(series(*BLANKS))
    assert keys(found) == [None] * len(BLANKS)
    assert found["valid"].isna().all()


def test_invalid_email_from_a_real_file_is_flagged_without_key(external):
    with open(external / "civicrm" / "individual_invalid_email.csv", encoding="utf-8") as file:
        value = next(csv.DictReader(file))["Dads email"]
    assert value == "joseph-email.com"
    found = email_keys(series(value, "a@b.test", "a..b@firma.de", "Max <max@firma.de>"))
    assert keys(found) == [None] * 4
    assert found["valid"].tolist() == [False] * 4


def test_the_fast_path_takes_the_common_shape_and_leaves_the_rest():
    text = pd.Series(
        ["max.mueller@firma.de", "a_b+c-d@sub.firma-x.co.uk", "max@müller.de",
         "max@xn--mller-kva.de", "a@b.test", "a@b.local", "o'brien@firma.ie", "a@b.c0m"]
    )
    assert email_fast_path(text).tolist() == [True, True] + [False] * 6


# --- e-mail fast path ⇒ email-validator ------------------------------------------------------

NASTY_LOCAL = st.text(
    alphabet=st.sampled_from(list("aZ09._+-!#$%&'*/=?^`{|}~\"(),:;<>@[\\] äé\u00a0\t\r\n")),
    max_size=70,
)
NASTY_LABEL = st.one_of(
    st.text(alphabet=st.sampled_from(list("aZ09-_ä.")), max_size=66),
    st.sampled_from(["test", "local", "localhost", "invalid", "onion", "arpa", "in-addr.arpa",
                     "xn--p1ai", "xn--abc", "ab--cd", "123", "c", "de", "DE", "com", "x" * 63,
                     "x" * 64, "-de", "de-", "ｄｅ", ""]),
)
NASTY = st.builds(
    lambda local, labels, at: local + at + ".".join(labels),
    NASTY_LOCAL, st.lists(NASTY_LABEL, min_size=1, max_size=5), st.sampled_from(["@", "@@", ""]),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.from_regex(EMAIL_FAST_PATH, fullmatch=True))
def test_what_the_fast_path_regex_generates_is_valid_for_the_library(address):
    library = library_emails([address])
    assert not email_fast_path(pd.Series([address]))[0] or library[0] is not None
    assert keys(email_keys(pd.Series([address]))) == library


@PROPERTY
@given(st.lists(NASTY, min_size=1, max_size=30))
def test_email_keys_agree_with_the_library_on_nasty_addresses(addresses):
    fast = email_fast_path(normalise._text(pd.Series(addresses, dtype=object)))
    library = library_emails(addresses)
    assert all(key is not None for key, accepted in zip(library, fast, strict=True) if accepted)
    found = email_keys(pd.Series(addresses, dtype=object))
    assert keys(found) == library


def isemail_addresses(external) -> list[tuple[str, str]]:
    """(address, expected category) from both isemail corpora, control characters decoded."""
    found = []
    for name in ("tests.xml", "tests-original.xml"):
        for test in ET.parse(external / "isemail" / name).getroot().iter("test"):
            address = (test.findtext("address") or "").translate(CONTROL_PICTURES)
            found.append((address, test.findtext("category") or ""))
    with open(external / "isemail-js" / "tests.json", encoding="utf-8") as file:
        found.extend((address, category) for address, category in json.load(file))
    return found


def test_isemail_corpora_agree_with_the_library(external):
    corpus = isemail_addresses(external)
    addresses = [address for address, _ in corpus]
    found = email_keys(pd.Series(addresses, dtype=object))
    assert len(corpus) > 600
    assert keys(found) == library_emails(addresses)
    fast = email_fast_path(normalise._text(pd.Series(addresses, dtype=object)))
    assert 0 < fast.sum() <= found["valid"].sum()


def test_isemail_errors_are_invalid_except_for_whitespace_around_them(external):
    """A cell is trimmed before it is judged: "test@iana.org\\r\\n" in a spreadsheet is that
    address. Every other error of the corpora is invalid."""
    errors = [a for a, category in isemail_addresses(external)
              if category == "ISEMAIL_ERR" or category.startswith("err")]
    found = email_keys(pd.Series(errors, dtype=object))
    accepted = {a for a, valid in zip(errors, found["valid"].fillna(False), strict=True) if valid}
    assert len(errors) > 200
    assert accepted and all(a != a.strip() and "@" in a.strip() for a in accepted)


# --- the duplicate matrix: phone -------------------------------------------------------------


def test_a_phone_in_five_formats_gives_one_key():
    found = phone_keys(
        series("030 1234567", "+49 30 1234567", "0049301234567", "(030) 123 45 67",
               "+49 (0)30 1234567"),
        "DE",
    )
    assert keys(found) == ["+49301234567"] * 5
    assert found["valid"].all()


def test_the_fast_path_decides_the_five_formats():
    found = fast_phone_keys(
        pd.Series(["030 1234567", "+49 30 1234567", "0049301234567", "(030) 123 45 67",
                   "+49 (0)30 1234567"]),
        "DE",
    )
    assert found.tolist() == ["+49301234567"] * 5


def test_a_number_excel_stored_as_an_integer_keeps_its_key():
    found = phone_keys(series(30123456, "030 123456", 15112345678, "0151 12345678"), "DE")
    assert keys(found) == ["+4930123456", "+4930123456", "+4915112345678", "+4915112345678"]
    read_as_numbers = pd.Series([30123456.0, None, 15112345678.0])
    assert keys(phone_keys(read_as_numbers, "DE")) == ["+4930123456", None, "+4915112345678"]


def test_invalid_and_blank_phones():
    found = phone_keys(series("12", "abc", "0000", *BLANKS), "DE")
    assert keys(found) == [None] * 8
    assert found["valid"].tolist()[:3] == [False, False, False]
    assert found["valid"][3:].isna().all()


def test_the_region_decides_national_numbers():
    assert keys(phone_keys(series("01 5123456"), "AT")) == ["+4315123456"]
    assert keys(phone_keys(series("(212) 555-0100 x371"), "US")) == ["+12125550100"]


# --- phone fast path == phonenumbers.parse ---------------------------------------------------

REGIONS = ("DE", "AT", "CH", "US", "GB", "FR", "IT", "NL", "PL", "ES", "BR", "CN")
TYPES = (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
         PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.VOIP,
         PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER, PhoneNumberType.UAN)
FORMATS = ("e164", "international", "national", "00", "(0)", "excel", "separators",
           "extension", "letters", "garbage", "trunk twice", "country code as national",
           "odd plus")


def phone_text(rnd: random.Random, region: str, kind: PhoneNumberType, fmt: str) -> str:
    """A number like those in real lists: an example number with random digits, formatted."""
    example = phonenumbers.example_number_for_type(region, kind) or \
        phonenumbers.example_number(region)
    nsn = phonenumbers.national_significant_number(example)
    keep = rnd.randint(1, len(nsn))
    nsn = nsn[:keep] + "".join(rnd.choice("0123456789") for _ in nsn[keep:])
    nsn = nsn[: rnd.choice([len(nsn) - 1, len(nsn), len(nsn)])] + rnd.choice(["", "", "7"])
    number = phonenumbers.parse("+" + str(example.country_code) + nsn)
    cc = str(example.country_code)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    digits = "".join(c for c in national if c.isdigit())
    return {
        "e164": "+" + cc + nsn,
        "international": phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        "national": national,
        "00": "00" + cc + nsn,
        "(0)": f"+{cc} (0){nsn[:2]} {nsn[2:]}",
        "excel": nsn,
        "separators": "".join(c + rnd.choice(["", "", " ", "-", "/", ".", "(", ")", "\u00a0"])
                              for c in national),
        "extension": national + rnd.choice([" x371", " ext. 12", "-12", " #5", ";ext=9"]),
        "letters": national[:-2] + rnd.choice(["AB", "O1", "l0"]),
        "garbage": rnd.choice(["12", "abc", "+", "++49 30", "0", "+0 123456", "00", "+4930",
                               "tel: 030 1234567", "(((", "0800-FLOWERS", "030 1234567 / 8",
                               "030\t1234567", "０３０ １２３４５６７", "+49 30 1234567 +"]),
        "odd plus": rnd.choice([f"+ {cc} {nsn}", f"(+{cc}) {nsn}", f"+{cc} (0{nsn[:2]}) {nsn[2:]}",
                                f"00 {cc} (0) {nsn}", f"011 {cc} {nsn}", f"810 {cc} {nsn}",
                                f"+{cc}-{nsn[:3]}-{nsn[3:]}", f"{national} ({cc})"]),
        "trunk twice": "00" + digits,
        "country code as national": cc + digits,
    }[fmt]


def phone_corpus(seed: int, size: int) -> list[str]:
    rnd = random.Random(seed)
    return [phone_text(rnd, rnd.choice(REGIONS), rnd.choice(TYPES), rnd.choice(FORMATS))
            for _ in range(size)]


@pytest.mark.parametrize("region", ["DE", "AT", "CH", "US", "GB", "FR", "RU", "IT"])
def test_phone_keys_equal_parse_on_a_corpus_of_formats(region):
    values = phone_corpus(seed=hash(region) % 1000, size=3000)
    found = phone_keys(pd.Series(values), region)
    assert keys(found) == library_phones(values, region)
    assert found["valid"].tolist() == [k is not None for k in keys(found)]


def test_the_fast_path_decides_most_german_numbers():
    rnd = random.Random(7)
    values = [phone_text(rnd, rnd.choice(["DE", "AT", "CH", "FR"]), kind, fmt)
              for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE)
              for fmt in ("e164", "international", "national", "00", "(0)", "separators")
              for _ in range(100)]
    fast = fast_phone_keys(pd.Series(values), "DE")
    parsed = library_phones(values, "DE")
    assert list(fast.dropna()) == [parsed[i] for i in fast.dropna().index]
    assert fast.notna().sum() > 0.8 * sum(k is not None for k in parsed)


@PROPERTY
@given(
    st.lists(
        st.tuples(st.sampled_from(REGIONS), st.sampled_from(TYPES), st.sampled_from(FORMATS),
                  st.integers(0, 2**32)),
        min_size=1, max_size=40,
    ),
    st.sampled_from(["DE", "AT", "CH", "US", "GB", "FR", "IT"]),
)
def test_phone_fast_path_equals_parse(specs, region):
    values = [phone_text(random.Random(seed), r, kind, fmt) for r, kind, fmt, seed in specs]
    assert keys(phone_keys(pd.Series(values), region)) == library_phones(values, region)


def test_many_numbers_are_spread_over_worker_processes(monkeypatch):
    values = phone_corpus(seed=11, size=400)
    monkeypatch.setattr(normalise_pool, "POOL_MIN", 100)
    spread = normalise_pool.spread("phones_parsed", values, ("DE",), workers=2)
    assert spread == normalise_pool.phones_parsed(values, "DE")
    emails = [f"user{i}@firma{i}.de" for i in range(150)] + ["bad@x.test"] * 50
    assert normalise_pool.spread("emails_checked", emails, workers=2) == \
        normalise_pool.emails_checked(emails)


# --- the duplicate matrix: names and companies -----------------------------------------------


def test_text_key_folds_case_accents_umlauts_punctuation_and_spaces():
    found = text_key(series("  Jürgen  MÜLLER-Lüdenscheidt ", "Straße", "Ðorđe Łukasz",
                            "François O'Brien", "u\u0308ber", "Ελένη", *BLANKS))
    assert found.tolist()[:6] == ["juergen mueller luedenscheidt", "strasse", "dorde lukasz",
                                  "francois o brien", "ueber", "ελενη"]
    assert found[6:].isna().all()


def test_umlauts_spelled_out_match_but_plain_vowels_do_not():
    found = text_key(series("Müller", "Mueller", "MÜLLER", "Muller"))
    assert found.tolist() == ["mueller", "mueller", "mueller", "muller"]


@pytest.mark.parametrize("name", [
    "Müller GmbH & Co. KG", "Mueller GmbH", "müller", "Müller AG", "Müller e.K.", "Müller e.V.",
    "Müller UG (haftungsbeschränkt)", "Müller SE", "Müller KGaA", "Müller Inc.", "Müller Ltd",
    "Müller LLC", "Müller Corp.", "Müller & Co.", "Müller S.A.", "Müller S.à r.l.", "Müller SAS",
    "Müller SARL", "Müller B.V.", "Müller N.V.", "Müller plc", "Müller Pty Ltd", "Müller Limited",
    "MÜLLER OHG", "Müller GbR", "Müller mbH", "Müller GmbH & Co. KGaA",
])
def test_company_key_drops_legal_forms(name):
    assert company_key(series(name)).tolist() == ["mueller"]


def test_company_key_keeps_names_that_are_only_a_legal_form_or_contain_one():
    found = company_key(series("AG", "Co KG", "Agentur Sehstern GmbH", "Cogito AG", None))
    assert found.tolist()[:4] == ["ag", "co kg", "agentur sehstern", "cogito"]
    assert pd.isna(found[4])


def test_name_key_matches_across_umlauts_case_and_legal_forms():
    found = name_key(series("Jürgen", "Juergen", "Dr. Jürgen"),
                     series("Müller", "MUELLER", "Müller"),
                     series("Müller GmbH & Co. KG", "MUELLER GMBH", "Müller"))
    assert found.nunique() == 1
    assert found[0] == "juergen|mueller|mueller"


def test_name_key_tells_another_person_at_the_same_company_apart():
    found = name_key(series("Jürgen", "Anna"), series("Müller", "Müller"),
                     series("Müller GmbH", "Müller GmbH"))
    assert found[0] != found[1]


def test_name_key_needs_first_last_and_company():
    found = name_key(series("Jürgen", None, "Jürgen", " "), series("Müller", "Müller", None, "M"),
                     series(None, "Müller GmbH", "Müller GmbH", "Müller GmbH"))
    assert found.isna().all()


def test_similarity_key_brings_plain_vowels_together_for_review():
    found = similarity_key(series("Jürgen", "Jurgen", "Juergen"), series("Müller", "Muller", "M."),
                           series("Müller GmbH", "MULLER", "Mueller AG"))
    assert found["name"].tolist() == ["jurgen muller", "jurgen muller", "jurgen m"]
    assert found["company"].tolist() == ["muller"] * 3
    assert similarity_key(series("Jürgen"), series(None), series("X"))["name"].isna().all()


def test_results_keep_the_rows_index_and_empty_input_gives_empty_output():
    values = pd.Series(["Max@Firma.de", None, "030 1234567"], index=[10, 3, 7], dtype=object)
    assert email_keys(values)["key"].dropna().to_dict() == {10: "max@firma.de"}
    assert phone_keys(values, "DE")["key"].dropna().to_dict() == {7: "+49301234567"}
    assert list(name_key(values, values, values).index) == [10, 3, 7]
    empty = pd.Series([], dtype=object)
    assert email_keys(empty).empty and phone_keys(empty, "DE").empty and text_key(empty).empty
