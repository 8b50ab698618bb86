"""Fixtures: real DuckDB databases (fresh, file-backed, demo), the shared external test data, and
AppTest runs routed through app.py (see tests/apptest.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from lib import db
from tests import postgres_server as postgres_server_module
from tests.engines import ENGINES, _database, _new_database, engine_database

ROOT = Path(__file__).resolve().parent.parent
SHARED_TESTDATA = Path(os.environ.get("LEADLADDER_SHARED", ROOT.parent / "shared")) / "testdata"
EXTERNAL = SHARED_TESTDATA / "external"


# The engines ``fresh_db`` runs on; LEADLADDER_TEST_ENGINES=duckdb,postgresql runs both.
FRESH_ENGINES = os.environ.get("LEADLADDER_TEST_ENGINES", "duckdb").split(",")


@pytest.fixture(params=FRESH_ENGINES)
def fresh_db(request: pytest.FixtureRequest) -> Iterator[db.Connection]:
    """A migrated, empty database (one cursor of its connection): DuckDB in memory, or a
    database of its own on the tests' PostgreSQL server."""
    with engine_database(request, request.param) as conn:
        yield conn.cursor()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database file lives (not created yet)."""
    return tmp_path / "leadladder.duckdb"


@pytest.fixture
def file_db(db_path: Path) -> Iterator[db.Connection]:
    """A migrated, empty database file; the connection is closed after the test."""
    conn = db.connect(db_path)
    yield conn
    conn.close()


@pytest.fixture
def external() -> Path:
    """../shared/testdata/external, or a skip that says why when this checkout has no ../shared."""
    if not EXTERNAL.is_dir():
        pytest.skip(f"external test data not found at {EXTERNAL} (CI always has ../shared)")
    return EXTERNAL


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per test session."""
    from lib import demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    conn = db.connect(path)
    demo.load(conn.cursor())
    conn.close()
    return path


@pytest.fixture(params=FRESH_ENGINES)
def demo_path(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """A private copy of the demo for one test: a DuckDB file, or (LEADLADDER_TEST_ENGINES)
    the URL of a copy on the tests' PostgreSQL server."""
    if request.param == "postgresql":
        yield request.getfixturevalue("postgres_demo")
        return
    path = tmp_path / "demo.duckdb"
    shutil.copy(request.getfixturevalue("demo_template"), path)
    yield path


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[db.Connection]:
    """A cursor on a private copy of the demo database."""
    conn = db.connect(demo_path)
    yield conn.cursor()
    conn.close()


@pytest.fixture(autouse=True)
def routed_by_app_py(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every AppTest page through app.py's st.navigation, as serve.py makes the server do.

    AppTest forgets before each run that the app routes with st.navigation; with a pages/
    folder it then runs a switched-to page on its own from the second run on (no sidebar, no
    acting user), which is not what a browser ever sees.
    """
    from streamlit.runtime.pages_manager import PagesManager

    created = PagesManager.__init__

    def init(self, *args, **kwargs):
        created(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def english_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands a test starts read English unless the test sets a language (the command line
    follows LANGUAGE, LC_ALL, LC_MESSAGES and LANG; a German laptop would set them)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One real PostgreSQL per test process (tests/postgres_server.py); its URL.

    Where none can be started the PostgreSQL tests skip with the reason, except in CI
    (``LEADLADDER_CI=1``, set by .ci/run), where a missing service is a failure."""
    try:
        with postgres_server_module.running() as url:
            yield url
            return
    except postgres_server_module.Unavailable as exc:
        if os.environ.get("LEADLADDER_CI") == "1":
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"no PostgreSQL here: {exc}")


@pytest.fixture(scope="session")
def postgres_template(postgres_server: str) -> str:
    """A migrated database on the session's server that new test databases are copied from."""
    from lib.store import postgres

    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute('CREATE DATABASE "migrated"')
    conn = postgres.connect(_database(postgres_server, "migrated"))
    postgres.migrate(conn)
    conn.close()
    return "migrated"


@pytest.fixture(scope="session")
def postgres_demo_template(postgres_server: str, postgres_template: str) -> str:
    """The demo on the session's server, loaded once; tests get copies (``postgres_demo``)."""
    from lib import demo

    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "demo" TEMPLATE "{postgres_template}"')
    conn = db.connect(_database(postgres_server, "demo"))
    demo.load(conn.cursor())
    conn.close()
    return "demo"


@pytest.fixture
def postgres_demo(postgres_server: str, postgres_demo_template: str) -> Iterator[str]:
    """The URL of a private copy of the demo on PostgreSQL."""
    with _new_database(postgres_server, postgres_demo_template) as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """An empty (unmigrated) database of its own on the session's server."""
    with _new_database(postgres_server) as url:
        yield url


@pytest.fixture(params=ENGINES)
def any_db(request: pytest.FixtureRequest) -> Iterator[db.Connection]:
    """A migrated, empty database on each engine in turn: DuckDB in memory, then PostgreSQL."""
    with engine_database(request, request.param) as conn:
        yield conn.cursor()
