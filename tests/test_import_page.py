"""The Import page in AppTest: refusals in full view, the history kept, the upload limit, and who
an import is recorded for."""

from __future__ import annotations

from streamlit import config as st_config

from lib import access, importing, settings
from tests import factories
from tests.apptest import cursor, open_page
from tests.test_importing import german
from tests.workbooks import with_stray_cell

LIST_FILE = german(["Bäckerei Sonne", "Frau", "Anna", "Muster", "anna@sonne.de", "", "", ""])


def upload(at, name: str, data: bytes, kind: str = "text/csv"):
    at.file_uploader(key="import_file").set_value((name, data, kind))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def history_files(at) -> list[str]:
    table = next(frame for frame in at.dataframe if "file_name" in frame.value.columns)
    return table.value["file_name"].tolist()


def seeded(db_path) -> None:
    """An ops user to log in as, and one earlier import in the history."""
    with cursor(db_path) as db:
        factories.user(db, "Olga Ops", role="ops")
        importing.import_file(db, LIST_FILE, "kw47.csv", "KW47", by=None, via="command line")


def test_a_refused_file_shows_its_reason_as_an_error_and_keeps_the_history(db_path, monkeypatch):
    seeded(db_path)
    at = upload(open_page(db_path, "import_file", monkeypatch), "liste.csv", b"")
    assert [e.value for e in at.error] == ["This file is empty."]
    assert [s.label for s in at.status] == ["File refused"]
    assert "Import history" in [h.value for h in at.subheader]
    assert history_files(at) == ["kw47.csv"]
    assert "import_commit" not in [button.key for button in at.button]


def test_a_workbook_reaching_xfd1048576_is_refused_on_the_page(db_path, monkeypatch):
    seeded(db_path)
    at = upload(open_page(db_path, "import_file", monkeypatch), "liste.xlsx",
                with_stray_cell("XFD1048576"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert len(at.error) == 1
    assert at.error[0].value.startswith("A sheet of this workbook reaches cell XFD1048576")
    assert history_files(at) == ["kw47.csv"]


def test_a_file_naming_nobody_is_refused_below_the_mapping(db_path, monkeypatch):
    nobody = german(["", "", "", "", "", "", "", "nur eine Notiz"])
    with cursor(db_path) as db:
        factories.user(db, "Olga Ops", role="ops")
    at = upload(open_page(db_path, "import_file", monkeypatch), "liste.csv", nobody)
    assert [e.value for e in at.error] == [
        "None of the 1 rows names a person (1 without a name, company, e-mail or phone, "
        "0 blank), so nothing was imported; check the column mapping."]
    assert "Columns" in [h.value for h in at.subheader]  # the mapping stays to be fixed
    assert "Preview" not in [h.value for h in at.subheader]
    with cursor(db_path) as db:
        assert db.execute("SELECT count(*) FROM lists").fetchone()[0] == 0


def test_the_upload_limit_is_the_setting_in_the_widget_and_in_streamlit(db_path, monkeypatch):
    with cursor(db_path) as db:
        settings.put(db, "max_file_mb", 7, by=None)
        factories.user(db, "Olga Ops", role="ops")
    at = open_page(db_path, "import_file", monkeypatch)
    assert at.file_uploader(key="import_file").proto.max_upload_size_mb == 7
    assert st_config.get_option("server.maxUploadSize") == 7
    big = LIST_FILE + b"\n" * (8 * 2**20 - len(LIST_FILE))
    at = upload(at, "liste.csv", big)
    assert [e.value for e in at.error] == [
        "The file is 8.0 MB; the limit is 7 MB. An admin can raise the limit under Settings "
        "(Largest upload (MB))."]


def imported_in_the_browser(db_path, monkeypatch) -> tuple[object, int]:
    """Olga Ops logs in, uploads kw48.csv into a new list and clicks Import; the page after it,
    and her user id."""
    with cursor(db_path) as db:
        ops = factories.user(db, "Olga Ops", role="ops")
    at = upload(open_page(db_path, "import_file", monkeypatch, acting=ops), "kw48.csv",
                LIST_FILE)
    at.button(key="import_commit").click().run()
    return at, ops


def test_a_browser_import_is_recorded_for_the_acting_user(db_path, monkeypatch):
    _, ops = imported_in_the_browser(db_path, monkeypatch)
    with cursor(db_path) as db:
        assert db.execute("SELECT imported_by, via FROM imports").fetchall() == [(ops, "browser")]
        assert importing.history_frame(db, viewer=access.FULL_ACCESS)["by"].tolist() == ["Olga Ops"]


def test_a_second_browser_import_of_the_file_names_who_did_the_first(db_path, monkeypatch):
    _, ops = imported_in_the_browser(db_path, monkeypatch)
    at = upload(open_page(db_path, "import_file", monkeypatch, acting=ops), "kw48.csv",
                LIST_FILE)
    at.selectbox(key="import_target").set_value("kw48").run()
    said = [i.value for i in at.info if "already imported" in i.value]
    assert len(said) == 1 and " by Olga Ops (import #" in said[0], said
    assert "command line" not in said[0]
