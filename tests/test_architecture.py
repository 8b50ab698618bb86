"""The layering rules: only the UI layer imports Streamlit; lib/ stays plain and testable."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_LAYER = {"app.py", "serve.py", "lib/ui.py",
            "bench/trivial_page.py", "bench/trivial_pages.py"}  # the last two: bench floors


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def python_files() -> list[Path]:
    files = [ROOT / "app.py", ROOT / "serve.py"]
    for folder in ("lib", "pages", "bench"):
        files.extend(sorted((ROOT / folder).rglob("*.py")))
    return files


def test_only_the_ui_layer_imports_streamlit():
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files()
        if "streamlit" in imported_modules(path)
        and str(path.relative_to(ROOT)) not in UI_LAYER
        and not str(path.relative_to(ROOT)).startswith("pages/")
    ]
    assert offenders == []


def test_the_rule_sees_a_streamlit_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from streamlit import session_state\nimport os\n")
    assert imported_modules(sample) == {"streamlit", "os"}


def test_pages_hold_no_sql():
    """SQL belongs next to the lib function that uses it, never in a page."""
    keywords = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "pages").glob("*.py"))
        if any(word in path.read_text(encoding="utf-8") for word in keywords)
    ]
    assert offenders == []
