"""Streamlit's own Markdown renderer (GFM, math, :emoji:, :colour[…], icons) in Chromium shows
``display.literal(text)`` as ``text``: the attacks of the escaping tests and the naughty
strings list, each in a container of a tiny app (tests/e2e/apps/literal_app.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from lib import display
from tests.conftest import EXTERNAL
from tests.e2e.conftest import ROOT, free_port, wait_for_app
from tests.test_escaping import ATTACKS

# Elements Markdown would have made from the text; a paragraph (and its line breaks) is all
# that may be there.
MADE = ("a", "img", "strong", "em", "del", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
        "li", "table", "blockquote", "hr", "input", ".katex", "[data-testid=stIconMaterial]",
        "span[class*=color]", "sup")


def strings() -> list[str]:
    naughty = EXTERNAL / "big-list-of-naughty-strings/blns.json"
    more = json.loads(naughty.read_text(encoding="utf-8")) if naughty.exists() else []
    return [s for s in [*ATTACKS, *more] if s.strip()]


@pytest.fixture(scope="module")
def literal_app(tmp_path_factory) -> Iterator[tuple[str, list[str]]]:
    shown = strings()
    folder = tmp_path_factory.mktemp("literal")
    (folder / "strings.json").write_text(json.dumps(shown), encoding="utf-8")
    (folder / "secrets.toml").write_text("", encoding="utf-8")
    port = free_port()
    env = {**os.environ, "LEADLADDER_STRINGS": str(folder / "strings.json"),
           "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "tests/e2e/apps/literal_app.py",
         "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port",
         str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         "--secrets.files", str(folder / "secrets.toml")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        yield url, shown
    finally:
        process.terminate()
        process.wait(timeout=15)


def normalised(text: str) -> str:
    """Text as a browser lays it out: runs of white space are one space; NUL is U+FFFD; the
    invisible format characters (the joiner, a byte order mark) do not count."""
    visible = text.replace("\0", "\ufffd").replace(display.JOINER, "").replace("\ufeff", "")
    return " ".join(visible.split())


def test_streamlit_shows_every_escaped_string_as_typed(page: Page, literal_app):
    url, shown = literal_app
    page.goto(url)
    page.wait_for_selector(f".st-key-literal_{len(shown) - 1}", timeout=60_000)
    wait_for_app(page)
    found = page.evaluate("""(count) => Array.from({length: count}, (_, i) => {
        const box = document.querySelector(
            `.st-key-literal_${i} [data-testid=stMarkdownContainer]`);
        return box ? box.innerText : null; })""", len(shown))
    wrong = [(s, f) for s, f in zip(shown, found, strict=True)
             if f is None or normalised(f) != normalised(s)]
    assert wrong == [], "\n".join(map(repr, wrong))
    for selector in MADE:
        made = page.locator(f"[data-testid=stMarkdownContainer] {selector}"
                            ":not([href^='mailto:'])")
        assert made.count() == 0, (selector, made.first.evaluate("e => e.outerHTML"))
    for link in page.locator("[data-testid=stMarkdownContainer] a").all():
        assert link.get_attribute("href") == f"mailto:{link.inner_text()}"
