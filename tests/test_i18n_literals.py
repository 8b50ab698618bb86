"""No English left outside the catalogs: every text a page hands to Streamlit, and every
message lib raises for a user, goes through ``_`` (or ``N_`` and ``_`` where shown), so the
German catalog can hold it. An f-string with words in it cannot be extracted at all.

The check reads the source (AST): a literal with words as a widget's label, help or
placeholder, as a message, as a column label in a page's table of columns, or as the message
of a raised user error fails, with its file and line."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREENS = [ROOT / "app.py", ROOT / "lib" / "ui.py", *sorted((ROOT / "pages").glob("*.py"))]
LIB = sorted((ROOT / "lib").glob("*.py"))

TRANSLATORS = {"_", "N_", "ngettext", "pgettext"}
# Streamlit calls (and ui's message helpers) whose first argument is read by a person
TEXT_CALLS = {
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning",
    "error", "success", "toast", "button", "download_button",
    "form_submit_button", "link_button", "checkbox", "toggle", "radio", "selectbox",
    "multiselect", "segmented_control", "pills", "text_input", "text_area", "number_input",
    "date_input", "time_input", "file_uploader", "metric", "expander", "popover", "spinner",
    "slider", "select_slider", "menu_button", "dialog", "Page", "say", "note", "warn",
    "TextColumn", "NumberColumn", "CheckboxColumn", "SelectboxColumn", "DateColumn",
    "DatetimeColumn", "TimeColumn", "LinkColumn", "ListColumn", "ProgressColumn", "Column",
}
TEXT_KEYWORDS = {"label", "help", "placeholder", "title", "body", "caption", "text"}
# lib's permission checks and the lead lookups name what was refused ("tick criteria")
REFUSED_WHAT = {"writer", "require", "require_user", "_lead_for", "_open_lead"}
USER_ERRORS = {"UserError", "FileRefused", "LimitExceeded", "InvalidInput", "EditConflict",
               "StorageBusy", "DatabaseLocked", "NotAllowed"}
WORDS = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")
PATTERN = re.compile(r"^[DMYHhmsadw.\-/:, %]+$")  # a date/number format, not words


def reads_as_words(text: str) -> bool:
    """Wording a person reads: a word and either a space or a capital (not "primary",
    not "YYYY-MM-DD", not "pages/lead.py")."""
    return bool(WORDS.search(text)) and (" " in text.strip() or text[:1].isupper()) and \
        not PATTERN.match(text) and not text.endswith(".py")


def untranslated(node: ast.AST) -> bool:
    """A literal with words, an f-string with words, or a list/tuple of either."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return reads_as_words(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and reads_as_words(part.value)
                   for part in node.values)
    if isinstance(node, ast.List | ast.Tuple):
        return any(untranslated(element) for element in node.elts)
    if isinstance(node, ast.BinOp):
        return untranslated(node.left) or untranslated(node.right)
    if isinstance(node, ast.IfExp):
        return untranslated(node.body) or untranslated(node.orelse)
    return False


def name_of(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def findings(path: Path, *, screen: bool) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def flag(node: ast.AST, what: str) -> None:
        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {what}: {ast.unparse(node)[:70]}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and name_of(node) not in TRANSLATORS:
            name = name_of(node)
            if screen and name in TEXT_CALLS:
                if node.args and untranslated(node.args[0]):
                    flag(node.args[0], f"{name}()")
                for keyword in node.keywords:
                    if keyword.arg in TEXT_KEYWORDS and untranslated(keyword.value):
                        flag(keyword.value, f"{name}({keyword.arg}=)")
            if name in USER_ERRORS and node.args and untranslated(node.args[0]):
                flag(node.args[0], f"raise {name}")
            if name in REFUSED_WHAT and any(untranslated(a) for a in node.args[2:]):
                flag(node, f"{name}(what)")
        if screen and isinstance(node, ast.Dict):
            for value in node.values:
                if value is not None and untranslated(value):
                    flag(value, "label in a table")
    return found


def test_every_text_on_screen_is_translatable():
    found = [line for path in SCREENS for line in findings(path, screen=True)]
    assert not found, f"{len(found)} texts skip the catalog:\n" + "\n".join(found[:60])


def test_every_message_lib_raises_for_a_user_is_translatable():
    found = [line for path in LIB for line in findings(path, screen=False)]
    assert not found, f"{len(found)} messages skip the catalog:\n" + "\n".join(found[:60])


def test_the_check_finds_an_english_label(tmp_path):
    """It bites: a page with an untranslated title, help text, column label and error."""
    page = tmp_path / "page.py"
    page.write_text('import streamlit as st\nst.title("Overdue")\n'
                    'st.button(_("Go"), help=f"Due in {n} days")\n'
                    'COLUMNS = {"owner": "Owner", "key": N_("Fine")}\n'
                    'raise InvalidInput(f"row {n} is wrong")\nst.title(_("Fine"))\n'
                    'access.writer(db, by, "work_rows", "tick criteria")\n'
                    'access.writer(db, by, "work_rows", N_("tick criteria"))\n')
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = findings(page, screen=True)
    finally:
        ROOT = saved
    assert [line.split(" ")[0] for line in found] == ["page.py:2", "page.py:3", "page.py:4",
                                                       "page.py:5", "page.py:7"]
