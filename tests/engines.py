"""A migrated, empty database on either engine, for fixtures of any scope (``any_db`` in
conftest.py is the common one; a module-scoped fixture opens its own with ``engine_database``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from lib import db

ENGINES = ["duckdb", "postgresql"]


def _database(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def _new_database(server_url: str, template: str = "template1") -> Iterator[str]:
    """A database of its own on the server (a copy of ``template``), dropped afterwards."""
    name = f"t{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _database(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@contextmanager
def engine_database(request: pytest.FixtureRequest, engine: str) -> Iterator[db.Connection]:
    """The connection of a migrated, empty database on ``engine`` (DuckDB in memory, or a copy
    of the session's migrated PostgreSQL template), closed afterwards."""
    if engine == "duckdb":
        conn = db.connect(":memory:")
        try:
            yield conn
        finally:
            conn.close()
        return
    server = request.getfixturevalue("postgres_server")
    with _new_database(server, request.getfixturevalue("postgres_template")) as url:
        conn = db.connect(url)
        try:
            yield conn
        finally:
            conn.close()
