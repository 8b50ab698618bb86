"""The import preview of someone who does not see everyone: a row of their file that matches a
known person out of their sight shows what their own file says and never that person's name or
company; the import itself still joins the right person."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from lib import access, db, importing
from tests import access_seed
from tests.access_seed import Team

HEADER = "First name,Last name,Company,E-mail"
# Known before the file comes: on the South list (out of North's sight) and the North list.
SOUTH_PEOPLE = ["Hanna,Horn,Horn AG,hanna@horn.de", "Gerhard,Gansmann,Gans AG,gerd@gans.de"]
NORTH_PEOPLE = ["Bernhard,Baumann,Bau AG,bernhard@bau.de"]
# The file under test: Hanna by her e-mail alone; a near-namesake of Gansmann (South) and one
# of Baumann (North), each with an e-mail of their own.
FILE = [",,,HANNA@horn.de", "Gerhard,Ganzmann,Gans AG,g.ganz@gans.de",
        "Bernhard,Bauman,Bau AG,b.bauman@bau.de"]
OUT_OF_SIGHT = ("Hanna", "Horn", "Horn AG", "Gansmann")


def csv(lines: list[str]) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


@pytest.fixture(params=["own", "team"])
def team_db(request, any_db) -> Iterator[tuple[db.Connection, Team, dict[str, int]]]:
    """The seeded team under a visibility that is not "all", with the people above (on each
    engine)."""
    cur = any_db
    team = access_seed.seed(cur)
    access_seed.set_visibility(cur, request.param)
    importing.import_file(cur, csv(SOUTH_PEOPLE), "south.csv", "South list", by=None)
    importing.import_file(cur, csv(NORTH_PEOPLE), "north.csv", "North list", by=None)
    known = dict(cur.execute("SELECT last_name, id FROM people WHERE last_name IN"
                             " ('Horn', 'Gansmann', 'Baumann')").fetchall())
    yield cur, team, known


def preview_of(cur: db.Connection, viewer: access.Viewer) -> tuple[importing.Preview,
                                                                   pd.DataFrame]:
    data = csv(FILE)
    table = importing.read(cur, data, "messe.csv")
    preview = importing.prepare(cur, data, "messe.csv", table,
                                importing.suggested_mapping(cur, table), "Messe")
    return preview, importing.preview_rows(cur, preview, viewer=viewer)


def shown_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Each preview row as the page shows it, empty cells left out."""
    return [{column: value for column, value in row.items() if pd.notna(value) and value != ""}
            for row in frame.to_dict("records")]


@pytest.mark.parametrize("importer", ["Otto", "Mona"])  # ops, and the North team's manager
def test_the_preview_names_no_known_person_out_of_the_importer_s_sight(team_db, importer):
    cur, team, known = team_db
    viewer = team.viewer(cur, importer)
    assert not access.may_see_person(cur, viewer, known["Gansmann"])
    assert not access.may_see_person(cur, viewer, known["Horn"])
    assert access.may_see_person(cur, viewer, known["Baumann"])
    _, frame = preview_of(cur, viewer)
    assert shown_rows(frame) == [
        {"row": 2, "outcome": "already known", "E-mail": "HANNA@horn.de"},
        {"row": 3, "outcome": "new",
         "possible duplicate of": "a known person you may not see, 93 %",
         "First name": "Gerhard", "Last name": "Ganzmann", "Company": "Gans AG",
         "E-mail": "g.ganz@gans.de"},
        {"row": 4, "outcome": "new", "possible duplicate of": "Bernhard Baumann (Bau AG), 93 %",
         "First name": "Bernhard", "Last name": "Bauman", "Company": "Bau AG",
         "E-mail": "b.bauman@bau.de"},
    ]
    cells = [str(value) for value in frame.to_numpy().ravel()]
    assert not [cell for cell in cells if cell in OUT_OF_SIGHT or "Gansmann" in cell]


def test_whoever_sees_everyone_is_told_whom_the_row_resembles(team_db):
    cur, team, _ = team_db
    _, frame = preview_of(cur, team.viewer(cur, "Ada"))
    assert list(frame["possible duplicate of"]) == [
        "", "Gerhard Gansmann (Gans AG), 93 %", "Bernhard Baumann (Bau AG), 93 %"]


def test_the_import_still_joins_the_known_person_out_of_sight(team_db):
    cur, team, known = team_db
    otto = team.users["Otto"]
    preview, _ = preview_of(cur, team.viewer(cur, "Otto"))
    result = importing.commit(cur, preview, csv(FILE), "Messe", by=otto, via="browser")
    outcomes = cur.execute(
        "SELECT r.row_number, r.outcome, p.first_name, p.last_name, p.email,"
        " p.possible_duplicate_of, p.possible_duplicate_score FROM import_rows r"
        " JOIN people p ON p.id = r.person_id WHERE r.import_id = ? ORDER BY r.row_number",
        [result.import_id]).fetchall()
    assert outcomes == [
        (2, "known", "Hanna", "Horn", "hanna@horn.de", None, None),
        (3, "added", "Gerhard", "Ganzmann", "g.ganz@gans.de", known["Gansmann"], 93),
        (4, "added", "Bernhard", "Bauman", "b.bauman@bau.de", known["Baumann"], 93),
    ]
    assert cur.execute("SELECT person_id FROM import_rows WHERE import_id = ? AND row_number = 2",
                       [result.import_id]).fetchone()[0] == known["Horn"]
