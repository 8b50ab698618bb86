"""Every read goes through the one visibility rule: a public lib function whose SQL touches
people, rows, leads, activities, history, ticks, lists or imports takes a ``viewer`` and uses it
(an ``access`` clause or check, or a call that passes ``viewer=`` on). Writes are listed below
and must reach ``access.writer`` (the role and visibility of whoever the write is recorded
under). A new read function that forgets the rule fails here.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("people", "list_rows", "leads", "activities", "history", "ticks", "lists", "imports",
          "import_rows", "do_not_contact")
SQL_ON_DATA = re.compile(rf"\b(FROM|JOIN|UPDATE|INTO)\s+({'|'.join(TABLES)})\b", re.IGNORECASE)
RULE = {"people_clause", "leads_clause", "lists_clause", "users_clause", "may_see_person",
        "may_see_lead", "may_open_list", "check_person", "check_lead", "check_list"}
NOT_SCANNED = {
    "access.py",  # the rule itself
    "db.py",      # migrations and the transaction wrapper
    "ui.py",      # draws what the other modules return (its reads pass current_viewer())
    "demo.py",    # loads the demo into an empty database, as the command line
}

# Writes: they take ``by`` (who the write is recorded under) and must reach access.writer.
WRITES = {
    "rows.edit_field", "rows.assign_owner", "rows.cancel", "rows.revive",
    "rows.apply_changes",  # each change through set_tick / edit_field / assign_owner
    "rows.bulk_assign_owner", "rows.bulk_cancel", "rows.bulk_revive",
    "qualification.set_tick",
    "leads.convert", "leads.log_activity", "leads.log_activity_and_next_step",
    "leads.set_next_step", "leads.move_step",
    "leads.standby", "leads.resume", "leads.won", "leads.lost", "leads.cancel", "leads.reopen",
    "leads.edit",
    "importing.add_person", "importing.undo", "importing.commit", "importing.import_file",
    "privacy.erase", "privacy.purge", "privacy.set_do_not_contact",
    "privacy.clear_do_not_contact",
}
# Internal helpers and writes of other kinds, each with why it needs no viewer.
INTERNAL = {
    # Import machinery: it reads the file being imported and the keys of known people to match
    # them; nothing of it is shown but the preview (importing.commit checks role and list).
    "importing.previous_import": "which earlier import of the same file, for the importer",
    "importing.prepare": "stages and matches the file being imported",
    "matching.match": "import: matching keys",
    "matching.flag_possible_duplicates": "import: matching keys",
    "matching.candidate_pairs": "import: matching keys",
    "merging.merge_later_rows": "import: fills and history of matched people",
    "merging.refresh_name_keys": "import: keys of matched people",
    "history.record": "write: appends the entry of a change its caller checked",
    # Qualification and pipeline settings: they change or count everyone by design.
    "qualification.recompute_statuses": "every status after a threshold or criterion change",
    "qualification.change_threshold": "settings write; statuses of everyone follow",
    "qualification.set_active": "settings write (a criterion); statuses of everyone follow",
    "qualification.update_criteria": "settings write (criteria)",
    "pipeline.update_steps": "settings write (pipeline steps)",
    "pipeline.steps_table": "open leads per step: a step with any open lead, whoever's, may "
                            "not be switched off",
    # Parts of checked writes.
    "qualification.touch": "first statement of set_tick, which checks",
    "qualification.standing": "the status of one row inside a checked write",
    "qualification.conversions": "the lead that keeps a row a lead, for rows already shown "
                                 "(rows._decorate after the rule) and inside checked writes",
    "qualification.last_changer": "who changed a cell, for the conflict message of a write",
    "privacy.refuse_blocked": "whether a flagged channel rules out a next step, inside the "
                              "checked writes of leads (convert, next step, reopen)",
    "leads.open_lead_of": "a person's open lead id, inside convert (checked) and for the "
                          "convert dialog's notes on rows already shown",
    # Look-ups that show no people.
    "lists.list_id": "a list's id by name, for the command line, which then checks the list",
    "lists.has_no_data": "whether the database holds no list and nobody yet (the welcome)",
    # People administration (role manage_people, checked by access.require_user).
    "users.work_of": "how many open leads and rows a user owns, for the admin deactivating them",
    "users.deactivate": "hands a deactivated user's leads and rows over, admin only",
    "rows.extra_columns": "the column names of a list's files (its mappings)",
}


@dataclass
class Module:
    name: str
    functions: dict[str, ast.FunctionDef]
    constants: dict[str, str]
    sql: dict[str, str] = field(default_factory=dict)
    stores: dict[str, str] = field(default_factory=dict)  # alias → lib/store module name

    def text_of(self, fn: ast.AST, seen: set[str]) -> str:
        """The string literals of ``fn``, of the module constants it names, of the module's
        own functions it calls (transitively) and of the repository functions it calls."""
        parts = []
        for node in ast.walk(fn):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                parts.append(node.value)
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id in self.stores):
                store = load(ROOT / "lib" / "store" / f"{self.stores[node.value.id]}.py")
                if node.attr in store.functions:
                    parts.append(store.text_of(store.functions[node.attr], {node.attr}))
            elif isinstance(node, ast.Name) and node.id in self.constants:
                parts.append(self.constants[node.id])
            elif (called := _local_call(node)) in self.functions and called not in seen:
                seen.add(called)
                parts.append(self.text_of(self.functions[called], seen))
        return "\n".join(parts)

    def reaches(self, fn: ast.AST, wanted: set[str], seen: set[str]) -> bool:
        """Whether ``fn`` (or a module function it calls) calls ``access.<one of wanted>``
        or passes ``viewer=`` on to another call."""
        for node in ast.walk(fn):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                    node.value.id == "access" and node.attr in wanted):
                return True
            if isinstance(node, ast.keyword) and node.arg == "viewer" and "viewer=" in wanted:
                return True
            if (called := _local_call(node)) in self.functions and called not in seen:
                seen.add(called)
                if self.reaches(self.functions[called], wanted, seen):
                    return True
        return False


def _local_call(node: ast.AST) -> str | None:
    """The name of a module-level function this node calls (or hands on, as in _each(ids,
    kill)), else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return node.id
    return None


def load(path: Path) -> Module:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            text = "\n".join(n.value for n in ast.walk(node.value)
                             if isinstance(n, ast.Constant) and isinstance(n.value, str))
            for target in targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = text
    stores = {alias.asname or alias.name: alias.name for node in tree.body
              if isinstance(node, ast.ImportFrom) and node.module == "lib.store"
              for alias in node.names}
    return Module(path.stem, functions, constants, stores=stores)


def parameters(fn: ast.FunctionDef) -> set[str]:
    return {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}


def data_functions(source: Module) -> list[str]:
    """The public functions of a module that run SQL (they take the database, ``db``) touching
    the data tables. SQL builders (no ``db``) are checked where their SQL runs."""
    return [name for name, fn in source.functions.items()
            if not name.startswith("_") and "db" in parameters(fn)
            and SQL_ON_DATA.search(source.text_of(fn, {name}))]


def offenders(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        source = load(path)
        for name in data_functions(source):
            qualified, fn = f"{source.name}.{name}", source.functions[name]
            if qualified in WRITES:
                if not source.reaches(fn, {"writer"}, {name}):
                    found.append(f"{qualified}: a write that does not reach access.writer")
            elif qualified in INTERNAL:
                continue
            elif "viewer" not in parameters(fn):
                found.append(f"{qualified}: reads data without a viewer parameter")
            elif not source.reaches(fn, RULE | {"viewer="}, {name}):
                found.append(f"{qualified}: takes a viewer but never applies the rule")
    return found


def lib_modules() -> list[Path]:
    return [p for p in sorted((ROOT / "lib").glob("*.py"))
            if p.name not in NOT_SCANNED and p.name != "__init__.py"]


def test_every_read_of_data_in_lib_goes_through_the_visibility_rule():
    assert offenders(lib_modules()) == []


def test_every_listed_function_still_exists_and_touches_data():
    """The lists above stay honest: a renamed or removed function is taken off them."""
    touching = {f"{p.stem}.{name}" for p in lib_modules() for name in data_functions(load(p))}
    assert sorted((WRITES | set(INTERNAL)) - touching) == []


def test_the_rule_catches_a_read_without_a_viewer(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'SQL = "SELECT first_name FROM people"\n'
        "def names(db):\n    return _run(db)\n"
        "def _run(db):\n    return db.execute(SQL).fetchall()\n"
        "def fine(db, *, viewer):\n"
        "    clause, params = access.people_clause(viewer)\n"
        "    return db.execute(f'SELECT id FROM people p WHERE {clause}', params)\n"
        "def forgets(db, *, viewer):\n    return db.execute('SELECT id FROM leads')\n"
        "def delegates(db, *, viewer):\n    return other.read(db, viewer=viewer)\n"
        "def no_data(db):\n    return db.execute('SELECT key FROM criteria')\n")
    assert offenders([sample]) == [
        "sample.names: reads data without a viewer parameter",
        "sample.forgets: takes a viewer but never applies the rule",
    ]


def test_the_rule_sees_the_sql_of_a_repository_it_calls(tmp_path):
    """SQL moved into lib/store still counts for the lib function that calls it."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from lib.store import imports as imports_store\n"
        "def undo_quietly(db):\n    imports_store.mark_undone(db, 1, None, None)\n"
        "def remember(db):\n    imports_store.save_mapping(db, 'k', '[]', None, None)\n")
    assert offenders([sample]) == ["sample.undo_quietly: reads data without a viewer parameter"]
