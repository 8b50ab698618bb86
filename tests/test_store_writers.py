"""Each table has one writer: the SQL that inserts, updates or deletes its rows appears in one
module of the storage layer (``lib.store.WRITERS``) and nowhere else in the app's code.

Read from the source (every string constant, f-string parts included), so a raw
``INSERT INTO history`` beside the repository fails here, whichever module it hides in.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from lib.store import WRITERS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([ROOT / "app.py", *(ROOT / "lib").rglob("*.py"), *(ROOT / "pages").glob("*.py")])
WRITE = re.compile(r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO"
                   r"|TRUNCATE(?:\s+TABLE)?|COPY)\s+([a-z_][a-z0-9_]*)\b")
MIGRATED = {m.lower() for m in re.findall(
    r"CREATE TABLE (?:IF NOT EXISTS )?([A-Za-z_]+)",
    "".join(p.read_text() for p in (ROOT / "lib" / "migrations").glob("*.sql")))}


def sql_text(tree: ast.AST) -> list[str]:
    """Every string the module could hand to a driver (f-strings with holes as spaces)."""
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            texts.append(" ".join(v.value if isinstance(v, ast.Constant) else " x "
                                  for v in node.values))
    return texts


def writes(path: Path) -> set[str]:
    return {table for text in sql_text(ast.parse(path.read_text()))
            for table in WRITE.findall(text) if table in MIGRATED}


WRITTEN = {path.relative_to(ROOT).as_posix(): writes(path) for path in SOURCES}


def test_every_table_of_the_schema_has_a_writer():
    assert MIGRATED - {"import_rows_new"} <= set(WRITERS), MIGRATED - set(WRITERS)


@pytest.mark.parametrize("table", sorted(WRITERS))
def test_a_table_is_written_by_its_repository_only(table: str):
    writers = sorted(module for module, tables in WRITTEN.items() if table in tables)
    assert writers in ([WRITERS[table]], []), f"{table} is written by {writers}"


def test_the_check_sees_a_write_in_an_f_string():
    planted = ast.parse('db.execute(f"UPDATE people SET owner = ? WHERE id IN ({marks})")')
    assert {t for s in sql_text(planted) for t in WRITE.findall(s)} == {"people"}
