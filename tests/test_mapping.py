"""Mapping file columns to person fields: real headers, German aliases, fuzzy matches, the saved
mapping, and splitting full names."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from lib import mapping
from lib.errors import InvalidInput
from lib.mapping import auto_map, check_mapping, header_key, save_mapping, saved_mapping


def header(path, delimiter: str = ",") -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return next(csv.reader(file, delimiter=delimiter))


def mapped(columns: list[str], saved: dict | None = None) -> dict[str, str]:
    """Only the columns that got a field."""
    return {column: field for column, field in auto_map(columns, saved).items() if field}


# --- real headers --------------------------------------------------------------------------


def test_german_and_english_kimai_exports_map_to_the_same_fields(external):
    german = auto_map(header(external / "kimai" / "grandtotal_de.csv", ";"))
    english = auto_map(header(external / "kimai" / "grandtotal_en.csv", ";"))
    assert list(german.values()) == list(english.values())
    assert mapped(list(german)) == {
        "Firma": "company", "Vorname": "first_name", "Nachname": "last_name",
        "E-Mail": "email", "Straße": "street", "PLZ": "postal_code", "Ort": "city",
        "Briefanrede": "salutation", "Land": "country", "Notiz": "notes",
    }
    assert german["Titel"] is None and german["Zweiter Vorname"] is None


def test_thunderbird_address_book(external):
    columns = header(external / "thunderbird-addressbook" / "basic_addressbook.csv")
    assert mapped(columns) == {
        "First Name": "first_name", "Last Name": "last_name", "Primary Email": "email",
        "Work Phone": "phone", "Mobile Number": "mobile", "Work Address": "street",
        "Work City": "city", "Work ZipCode": "postal_code", "Work Country": "country",
        "Job Title": "job_title", "Organization": "company", "Web Page 1": "website",
        "Notes": "notes",
    }


def test_atomic_crm_contacts(external):
    columns = header(external / "atomic-crm" / "contacts.csv")
    assert mapped(columns) == {
        "first_name": "first_name", "last_name": "last_name", "company": "company",
        "email_work": "email", "phone_work": "phone",
    }
    found = auto_map(columns)
    assert found["company_id"] is None and found["email_home"] is None


def test_civicrm_upper_case_headers(external):
    columns = header(external / "civicrm" / "column_names_casing.csv")
    assert auto_map(columns) == {
        "FIRSTNAME": "first_name", "LASTNAME": "last_name", "ID": None, "IND/ORG": None,
        "Do Not Mail": None, "Valid Address": None,
    }


@pytest.mark.parametrize("name", [
    "kimai/customers.csv", "odoo/res.partner.csv", "krayin-laravel-crm/persons.csv",
    "react-spreadsheet-import/exampleFile.csv", "civicrm/individual_valid_basic.csv",
])
def test_every_column_of_a_real_file_comes_back_in_order(external, name):
    columns = header(external / name)
    found = auto_map(columns)
    assert list(found) == columns
    check_mapping(found)


# --- aliases and rules -----------------------------------------------------------------------


@pytest.mark.parametrize(("column", "field"), [
    ("Firma", "company"), ("Unternehmen", "company"), ("Firmenname", "company"),
    ("Organisation", "company"), ("Company Name", "company"), ("Anrede", "salutation"),
    ("E-Mail", "email"), ("Email", "email"), ("Mail", "email"), ("E-Mail-Adresse", "email"),
    ("EMAIL ", "email"), ("Telefon", "phone"), ("Tel.", "phone"), ("Telefonnummer", "phone"),
    ("Festnetz", "phone"), ("phone_1_number", "phone"), ("Telefon (geschäftlich)", "phone"),
    ("Mobil", "mobile"), ("Handy", "mobile"), ("Mobiltelefon", "mobile"),
    ("Mobilnummer", "mobile"), ("Position", "job_title"), ("Funktion", "job_title"),
    ("Berufsbezeichnung", "job_title"), ("Webseite", "website"), ("Homepage", "website"),
    ("Internet", "website"), ("Straße", "street"), ("Strasse", "street"), ("STRASSE", "street"),
    ("Str.", "street"), ("Adresse", "street"), ("PLZ", "postal_code"),
    ("Postleitzahl", "postal_code"), ("zip", "postal_code"), ("Ort", "city"), ("Stadt", "city"),
    ("Land", "country"), ("Quelle", "source"), ("Herkunft", "source"), ("Kanal", "source"),
    ("Bemerkung", "notes"), ("Notiz", "notes"), ("Kommentar", "notes"),
    ("Anmerkungen", "notes"), ("Contact Name", "full_name"),
])
def test_aliases(column, field):
    assert auto_map([column]) == {column: field}


def test_umlauts_match_spelled_out_or_as_plain_vowels():
    for column in ("Straße geschäftlich", "Strasse geschaeftlich", "Strasse geschaftlich"):
        assert auto_map([column]) == {column: "street"}


def test_name_is_the_last_name_next_to_a_first_name_and_the_full_name_alone():
    assert auto_map(["Vorname", "Name"]) == {"Vorname": "first_name", "Name": "last_name"}
    assert auto_map(["Name", "E-Mail"]) == {"Name": "full_name", "E-Mail": "email"}
    assert auto_map(["Vorname", "Nachname", "Name"])["Name"] is None


def test_a_full_name_column_is_only_mapped_without_first_or_last_name():
    assert auto_map(["Display Name", "Last Name"])["Display Name"] is None
    assert auto_map(["Display Name", "Email"])["Display Name"] == "full_name"


def test_title_is_never_guessed():
    assert auto_map(["Titel", "Title", "Vorname"]) == {
        "Titel": None, "Title": None, "Vorname": "first_name"
    }


def test_no_field_goes_to_two_columns_and_the_better_match_wins():
    assert auto_map(["Mail", "E-Mail", "Email 2"]) == {
        "Mail": None, "E-Mail": "email", "Email 2": None
    }
    assert auto_map(["Home Phone", "Work Phone"]) == {"Home Phone": None, "Work Phone": "phone"}
    assert auto_map(["Email", "E-Mail"]) == {"Email": "email", "E-Mail": None}


def test_fuzzy_matches_a_typo_but_not_a_tie_or_a_loose_resemblance():
    assert auto_map(["Telefonnumer", "Postleitzhal"]) == {
        "Telefonnumer": "phone", "Postleitzhal": "postal_code"
    }
    # "Tellphone" is as close to "telephone" (phone) as to "cellphone" (mobile)
    assert auto_map(["Tellphone"]) == {"Tellphone": None}
    assert auto_map(["Zweiter Vorname", "Do Not Mail", "Mum Last name"]) == {
        "Zweiter Vorname": None, "Do Not Mail": None, "Mum Last name": None
    }


def test_an_identifier_column_is_not_matched_by_similarity():
    assert auto_map(["organization_id", "Firma-Nr.", "CompanyId"]) == {
        "organization_id": None, "Firma-Nr.": None, "CompanyId": None
    }


def test_blank_and_punctuation_headers_stay_extras():
    found = auto_map(["", "#", "  ", "E-Mail"])
    assert found == {"": None, "#": None, "  ": None, "E-Mail": "email"}


# --- saved mapping -----------------------------------------------------------------------


def test_a_saved_mapping_is_applied_as_is():
    saved = {"Firma": "notes", "E-Mail": None}
    assert auto_map(["Firma", "E-Mail", "Ort"], saved) == {
        "Firma": "notes", "E-Mail": None, "Ort": "city"
    }
    assert auto_map(["Ort", "Stadt"], {"Stadt": "city"}) == {"Ort": None, "Stadt": "city"}


def test_header_key_ignores_case_accents_and_punctuation_but_not_order():
    assert header_key(["E-Mail", "Straße"]) == header_key(["email ", "STRASSE"])
    assert header_key(["E-Mail", "Straße"]) != header_key(["Straße", "E-Mail"])
    assert header_key(["E-Mail"]) != header_key(["E-Mail", ""])


def test_mapping_round_trip(any_db):
    columns = ["Firma", "E-Mail", "Kundennummer"]
    assert saved_mapping(any_db, columns) is None
    save_mapping(any_db, columns, {"Firma": "company", "E-Mail": None}, by=None)
    assert saved_mapping(any_db, columns) == {
        "Firma": "company", "E-Mail": None, "Kundennummer": None
    }
    save_mapping(any_db, columns, {"Firma": "company", "E-Mail": "email"}, by=1)
    next_week = ["FIRMA", "e-mail", "Kundennummer "]
    assert saved_mapping(any_db, next_week) == {
        "FIRMA": "company", "e-mail": "email", "Kundennummer ": None
    }
    rows = any_db.execute("SELECT count(*), max(saved_by) FROM saved_mappings").fetchone()
    assert rows == (1, 1)


def test_a_refused_mapping_leaves_the_saved_one(any_db):
    columns = ["Firma", "Mail"]
    save_mapping(any_db, columns, {"Firma": "company", "Mail": "email"}, by=None)
    with pytest.raises(InvalidInput):
        save_mapping(any_db, columns, {"Firma": "email", "Mail": "email"}, by=None)
    assert saved_mapping(any_db, columns) == {"Firma": "company", "Mail": "email"}


def test_check_mapping_says_which_columns_share_a_field():
    with pytest.raises(InvalidInput, match="E-mail is mapped to two columns, 'Mail' and 'E-Mail'"):
        check_mapping({"Mail": "email", "E-Mail": "email", "Ort": "city"})


def test_check_mapping_refuses_an_unknown_field():
    with pytest.raises(InvalidInput, match="Geburtstag: 'birthday' is not a field") as refused:
        check_mapping({"Geburtstag": "birthday"})
    assert refused.value.column == "Geburtstag"


def test_fields_are_in_order_with_labels():
    assert mapping.FIELD_KEYS == (
        "company", "salutation", "first_name", "last_name", "full_name", "email", "phone",
        "mobile", "job_title", "website", "street", "postal_code", "city", "country", "source",
        "notes", "do_not_contact", "do_not_email", "do_not_call",
    )
    assert all(field.label and field.aliases for field in mapping.FIELDS)


# --- full names -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "first", "last"), [
    ("Max Müller", "Max", "Müller"),
    ("Müller, Max", "Max", "Müller"),
    ("Dr. Max von Müller", "Max", "von Müller"),
    ("Prof. Dr.-Ing. Hans Peter Schmidt", "Hans Peter", "Schmidt"),
    ("Herr Dipl.-Ing. Karl Heinz Weber", "Karl Heinz", "Weber"),
    ("  Anna-Lena   de la Cruz ", "Anna-Lena", "de la Cruz"),
    ("Müller, Dr. Max", "Max", "Müller"),
    ("Max Müller, MBA", "Max", "Müller"),
    ("John Smith Jr.", "John", "Smith Jr."),
    ("Jan van der Berg", "Jan", "van der Berg"),
    ("Dr. med. Anna Schulz MBA", "Anna", "Schulz"),
    ("Yo-Yo Ma", "Yo-Yo", "Ma"),
    ("Nat King Cole", "Nat King", "Cole"),
    ("Madonna", None, "Madonna"),
    ("Frau Müller", None, "Müller"),
])
def test_split_full_name(name, first, last):
    found_first, found_last = mapping.split_full_name(pd.Series([name]))
    assert (None if pd.isna(found_first[0]) else found_first[0], found_last[0]) == (first, last)


def test_split_full_name_leaves_blanks_missing():
    first, last = mapping.split_full_name(pd.Series([None, "", "  "], dtype=object))
    assert first.isna().all() and last.isna().all()
