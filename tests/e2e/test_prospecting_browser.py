"""A rep's day in the browser: open a list, tick criteria in the grid (keyboard, as a rep
does), see the status climb, reload, untick; convert one row and cancel another in dialogs.

The grid is a canvas: a cell is reached by clicking a cell of its row and moving with the
arrow keys; the hidden accessibility cells ``glide-cell-{column}-{row}`` hold what is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lib import access, db, importing, leads, lists, rows
from tests.e2e.conftest import RunningApp, log_in, start_app, wait_for_app

WALK_INS = (
    "Firma,Vorname,Nachname,E-Mail,Telefon\n"
    "Alpha Kältetechnik GmbH,Albert,Auer,albert@alpha-kaelte.de,089 1234567\n"
    "Beta Bau AG,Berta,Brandt,berta@beta-bau.de,030 7654321\n"
    "Gamma Glas KG,Gerd,Gruber,gerd@gamma-glas.de,040 5555555\n"
).encode()
ROW_HEIGHT = 35
SELECT, STATUS = 0, 1
# after select, status, company, name, owner, why, lead, then the five prospect criteria
COLUMN = {"reached": 7, "asked_info": 8, "interest": 12, "needs": 13, "budget": 14}
PINNED_WIDTH = 36 + 92 + 130 + 120
TICK_X = {"reached": PINNED_WIDTH + 100 + 220 + 76 + 38}  # the checkbox's centre
TICK_X["asked_info"] = TICK_X["reached"] + 76


@pytest.fixture
def walk_ins_app(demo_path: Path) -> Iterator[RunningApp]:
    """The demo plus a three-row list 'Walk-ins', written before the app holds the file."""
    conn = db.connect(demo_path)
    importing.import_file(conn.cursor(), WALK_INS, "walk-ins.csv", "Walk-ins", by=None)
    conn.close()
    app = start_app(demo_path)
    yield app
    app.stop()


def button(page: Page, key: str):
    """A button by its widget key (Streamlit marks the element with the class st-key-KEY)."""
    return page.locator(f".st-key-{key} button").filter(visible=True)


def cell(page: Page, column: int, row: int):
    """A cell of the rows grid (the first table; a row's history table may follow it)."""
    grid = page.get_by_test_id("stDataFrame").first
    return grid.get_by_test_id(f"glide-cell-{column}-{row}")


def go_to_cell(page: Page, row: int, column: int) -> None:
    """Click the row's status cell (pinned, so always in view), then arrow to the column."""
    grid = page.get_by_test_id("stDataFrame").first
    expect(cell(page, STATUS, row)).to_be_attached()
    grid.wait_for(state="visible")
    box = grid.bounding_box()
    assert box is not None, "the grid is not on the page"
    page.mouse.click(box["x"] + 36 + 48, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
    page.wait_for_timeout(200)
    arrow = "ArrowRight" if column > STATUS else "ArrowLeft"
    for _ in range(abs(column - STATUS)):
        page.keyboard.press(arrow, delay=20)


def toggle(page: Page, row: int, column: int) -> None:
    go_to_cell(page, row, column)
    page.keyboard.press("Space")
    wait_for_app(page)
    page.wait_for_timeout(1500)  # a save gives a new editor: it takes clicks after a moment


def expect_status(page: Page, row: int, status: str) -> None:
    expect(cell(page, STATUS, row)).to_have_text(status, timeout=15_000)


def expect_ticked(page: Page, row: int, criterion: str, ticked: bool) -> None:
    """The grid draws only the columns in view: a column scrolled off is brought back by
    moving to it with the keyboard (which ticks nothing)."""
    expect(cell(page, STATUS, row)).to_be_attached()  # the grid is drawn
    if not cell(page, COLUMN[criterion], row).count():
        go_to_cell(page, row, COLUMN[criterion])
    expect(cell(page, COLUMN[criterion], row)).to_have_text(str(ticked).lower())


def expect_shown(page: Page, row: int, criterion: str, ticked: bool) -> None:
    """What the grid shows, read without touching it: moving to a cell would focus it, and
    the Space that follows would then rightly toggle it."""
    expect(cell(page, COLUMN[criterion], row)).to_have_text(str(ticked).lower(), timeout=15_000)


def reload(page: Page) -> None:
    """A browser reload: a new session that reads everything from the database again."""
    page.reload()
    page.wait_for_selector('[data-testid="stDataFrame"]')
    wait_for_app(page)


def open_walk_ins(page: Page, app: RunningApp) -> None:
    """From the Lists page, the way a rep (Anna) opens their list."""
    log_in(page, app)
    page.get_by_test_id("stSelectbox").filter(has_text="Work on a list").click()
    page.get_by_role("option", name="Walk-ins").click()
    page.get_by_role("button", name="Open in Prospecting").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Prospecting")).to_be_visible()
    expect(cell(page, 2, 0)).to_have_text("Alpha Kältetechnik GmbH")


def test_ticks_climb_the_ladder_survive_a_reload_and_untick(page: Page,
                                                            walk_ins_app: RunningApp):
    open_walk_ins(page, walk_ins_app)
    expect_status(page, 0, "⚪ suspect")
    toggle(page, 0, COLUMN["interest"])
    expect_status(page, 0, "🟡 prospect")
    toggle(page, 0, COLUMN["budget"])
    expect_status(page, 0, "🟢 lead")
    reload(page)
    expect_status(page, 0, "🟢 lead")
    expect_ticked(page, 0, "budget", True)

    toggle(page, 0, COLUMN["budget"])
    expect_status(page, 0, "🟡 prospect")
    toggle(page, 0, COLUMN["needs"])
    toggle(page, 0, COLUMN["needs"])
    reload(page)
    expect_status(page, 0, "🟡 prospect")
    expect_ticked(page, 0, "interest", True)
    expect_ticked(page, 0, "budget", False)
    expect_ticked(page, 0, "needs", False)

    output = walk_ins_app.stop()
    conn = db.connect(walk_ins_app.db_path)
    cur = conn.cursor()
    albert = stored_row(cur, 0)
    conn.close()
    assert (albert["status"], albert["tick:interest"], albert["tick:budget"],
            albert["tick:needs"]) == ("prospect", True, False, False), output


def test_convert_one_row_and_cancel_another_through_their_dialogs(page: Page,
                                                                  walk_ins_app: RunningApp):
    open_walk_ins(page, walk_ins_app)
    toggle(page, 0, COLUMN["interest"])
    expect_status(page, 0, "🟡 prospect")
    toggle(page, 0, SELECT)
    expect(page.get_by_text("1 selected")).to_be_visible()
    button(page, "prospecting_convert").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Not qualified as lead yet: Albert Auer")
    expect(button(page, "prospecting_convert_save")).to_have_text("Convert anyway")
    button(page, "prospecting_convert_save").click()
    wait_for_app(page)
    expect(page.get_by_text("Albert Auer · Alpha Kältetechnik GmbH: lead #")).to_be_visible()

    toggle(page, 1, SELECT)
    expect(page.get_by_text("1 selected")).to_be_visible()
    button(page, "prospecting_cancel").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="no budget").click()
    button(page, "prospecting_cancel_save").click()
    wait_for_app(page)
    expect_status(page, 1, "⚫ dead")
    expect(page.get_by_text("Berta Brandt · Beta Bau AG: dead: no budget")).to_be_visible()
    expect_download_of_dead_rows(page)

    walk_ins_app.stop()
    conn = db.connect(walk_ins_app.db_path)
    cur = conn.cursor()
    albert, berta = stored_row(cur, 0), stored_row(cur, 1)
    lead_id = leads.open_lead_of(cur, int(albert["person_id"]))
    conn.close()
    assert lead_id is not None
    assert (berta["status"], berta["why"]) == ("dead", "dead: no budget")


def expect_download_of_dead_rows(page: Page) -> None:
    """Filter to the dead rows and download them: the CSV holds exactly what is filtered."""
    page.locator(".st-key-prospecting_status").get_by_role("button", name="dead").click()
    wait_for_app(page)
    expect(page.get_by_text("Rows 1–1 of 1")).to_be_visible()
    page.get_by_test_id("stPopover").filter(has_text="Download").get_by_role("button").click()
    with page.expect_download() as download:
        button(page, "prospecting_download_csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header, *lines = text.splitlines()
    assert "status" in header.split(",") and len(lines) == 1
    assert lines[0].startswith("Beta Bau AG,") and ",dead,dead: no budget," in lines[0]


def stored_row(cur: db.Connection, position: int):
    """A row of the Walk-ins list as the database holds it."""
    page, _ = rows.rows_page(cur, rows.RowFilter(list_id=lists.list_id(cur, "Walk-ins")),
                             viewer=access.FULL_ACCESS)
    return page.iloc[position]


def test_a_mouse_tick_then_space_never_toggles_another_row(page: Page, walk_ins_app: RunningApp):
    """Issue 9.6: the grid kept the keyboard focus on the cell focused before a mouse tick, so
    Space switched off another person's criterion. A fresh editor after each save has no
    focused cell: Space does nothing until the rep clicks the row they mean."""
    open_walk_ins(page, walk_ins_app)
    toggle(page, 0, COLUMN["reached"])           # keyboard: Albert "reached"
    expect_ticked(page, 0, "reached", True)
    grid = page.get_by_test_id("stDataFrame").first
    box = grid.bounding_box()
    assert box is not None
    page.wait_for_timeout(1500)  # the fresh editor takes a moment to take clicks, as a rep does
    page.mouse.click(box["x"] + TICK_X["asked_info"],  # mouse: Gerd "info", on its checkbox
                     box["y"] + ROW_HEIGHT * 3 + ROW_HEIGHT / 2)
    wait_for_app(page)
    expect_shown(page, 2, "asked_info", True)
    page.keyboard.press("Space")                # used to untick Albert "reached"
    wait_for_app(page)
    page.wait_for_timeout(500)
    expect_shown(page, 0, "reached", True)
    expect_shown(page, 2, "asked_info", True)
    toggle(page, 1, COLUMN["asked_info"])        # keyboard again: Berta "info"
    expect_ticked(page, 1, "asked_info", True)

    walk_ins_app.stop()
    conn = db.connect(walk_ins_app.db_path)
    cur = conn.cursor()
    albert, berta, gerd = (stored_row(cur, i) for i in range(3))
    conn.close()
    assert (albert["tick:reached"], albert["tick:asked_info"]) == (True, False)
    assert (berta["tick:reached"], berta["tick:asked_info"]) == (False, True)
    assert (gerd["tick:reached"], gerd["tick:asked_info"]) == (False, True)


IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")


def test_a_phone_gets_the_card_view_ticks_with_toggles_and_converts(browser,
                                                                     walk_ins_app: RunningApp):
    context = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=IPHONE,
                                  locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        log_in(page, walk_ins_app, path="prospecting")
        card = page.locator(".st-key-prospecting_card_box")
        expect(card).to_contain_text("Albert Auer · Alpha Kältetechnik GmbH")
        expect(card.locator('a[href="tel:0891234567"]')).to_be_visible()
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        for label in ("interest", "budget"):
            card.get_by_test_id("stCheckbox").filter(has_text=label).click()
            wait_for_app(page)
        expect(card).to_contain_text("🟢 lead · lead: 2 of 5 — interest, budget")
        page.screenshot(path=str(walk_ins_app.db_path.parent / "card-390.png"))
        button(page, "prospecting_card_convert").click()
        expect(page.get_by_role("dialog")).to_contain_text("Albert Auer")
        button(page, "prospecting_convert_save").click()
        wait_for_app(page)
        expect(page.get_by_text("Albert Auer · Alpha Kältetechnik GmbH: lead #")).to_be_visible()
        expect(card).to_contain_text("lead: converted — open lead")
        button(page, "prospecting_card_next").click()
        wait_for_app(page)
        expect(card).to_contain_text("Berta Brandt · Beta Bau AG")
    finally:
        context.close()
    walk_ins_app.stop()
    conn = db.connect(walk_ins_app.db_path)
    cur = conn.cursor()
    albert = stored_row(cur, 0)
    lead_id = leads.open_lead_of(cur, int(albert["person_id"]))
    conn.close()
    assert (albert["status"], albert["tick:interest"], albert["tick:budget"]) == (
        "lead", True, True)
    assert lead_id is not None and albert["converted"] == "open lead"
