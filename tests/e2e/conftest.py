"""Browser tests: the real app (`streamlit run serve.py`) on a free loopback port, a temporary
database, and Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

pytestmark = pytest.mark.browser
START_SECONDS = 120  # a loaded two-core machine needs more than a minute now and then
# Two cores shared by the whole suite: a page may take more than Playwright's default 5 s.
expect.set_options(timeout=20_000)


@dataclass
class RunningApp:
    url: str
    db_path: Path | str  # a DuckDB file, or a postgresql:// URL
    process: subprocess.Popen

    def stop(self) -> str:
        """Stop the server (releasing the database file) and return what it printed."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.stdout.read().decode(errors="replace") if self.process.stdout else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(db_path: Path | str, script: str = "serve.py", *, port: int | None = None,
              secrets: Path | None = None) -> RunningApp:
    """Start the app (or another Streamlit ``script``, e.g. a benchmark's floor) on its own
    port and database; wait until /_stcore/health says ok.

    ``secrets`` is the secrets.toml the app reads instead of the working copy's (single
    sign-on tests point it at their own provider); without it, an empty one, so a developer's
    own .streamlit/secrets.toml never changes what a test sees."""
    port = port or free_port()
    if secrets is None:
        folder = db_path.parent if isinstance(db_path, Path) else Path(tempfile.mkdtemp())
        secrets = folder / f"no-secrets-{port}.toml"
        secrets.write_text("", encoding="utf-8")
    env = {**os.environ, "LEADLADDER_DB": str(db_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         "--secrets.files", str(secrets)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the app exited at start:\n" + process.stdout.read().decode())
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return RunningApp(url, db_path, process)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the app did not answer /_stcore/health within {START_SECONDS} s")


def chromium_path() -> str | None:
    """Debian's Chromium (apt), wherever PATH points."""
    for found in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if found and Path(found).exists():
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium when installed, else Playwright's own; a clear failure when neither."""
    with sync_playwright() as playwright:
        executable = chromium_path()
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:
            pytest.fail(
                "Chromium could not be started for the browser tests "
                f"({type(exc).__name__}). Install it: `apt-get install chromium` (Debian, root) "
                "or `uv run playwright install chromium`."
            )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A browser tab whose language is English (the app follows the browser's language)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1400}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[RunningApp]:
    app = start_app(tmp_path / "e2e.duckdb")
    yield app
    app.stop()


@pytest.fixture
def demo_app(demo_path: Path) -> Iterator[RunningApp]:
    app = start_app(demo_path)
    yield app
    app.stop()


def wait_for_app(page: Page) -> None:
    """Wait until the script run triggered by the last action has finished."""
    page.wait_for_timeout(150)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
    page.wait_for_selector('[data-test-script-state="running"]', state="detached",
                           timeout=60_000)


def open_page(page: Page, app: RunningApp, path: str = "") -> None:
    page.goto(f"{app.url}/{path}")
    page.wait_for_selector('[data-testid="stApp"]')
    wait_for_app(page)


def demo_password(email: str) -> str:
    from lib import demo

    return next(u["password"] for u in demo.logins() if u["email"] == email)


def log_in(page: Page, app: RunningApp, email: str = "anna.schmidt@leadladder.example",
           password: str | None = None, path: str = "") -> None:
    """Log in through the real login form (a demo user's password by default) and wait until
    the page at ``path`` is shown logged in, after the cookie round trip."""
    page.goto(f"{app.url}/{path}")
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="E-mail").fill(email)
    form.get_by_role("textbox", name="Password", exact=True).fill(
        password or demo_password(email))
    form.get_by_role("button", name="Log in").click()
    logged_in(page)


def logged_in(page: Page) -> None:
    """Wait for a page that shows a logged-in user (the sidebar's Log out)."""
    page.get_by_role("button", name="Log out").wait_for()
    wait_for_app(page)


FIRST_ADMIN = ("Ada Admin", "ada.admin@example.com", "a long admin phrase")


def create_first_admin(page: Page, app: RunningApp, path: str = "") -> None:
    """On an empty database: fill the first-admin form and land logged in as that admin."""
    page.goto(f"{app.url}/{path}")
    form = page.get_by_test_id("stForm")
    name, email, password = FIRST_ADMIN
    form.get_by_role("textbox", name="Your name").fill(name)
    form.get_by_role("textbox", name="E-mail (your login)").fill(email)
    form.get_by_role("textbox", name="Password (at least").fill(password)
    form.get_by_role("textbox", name="Password again").fill(password)
    form.get_by_role("button", name="Create admin and log in").click()
    logged_in(page)
