"""Text from files and users reaches the screen as text: the escaper, proven with a Markdown
renderer, and a check that pages do not hand data to Streamlit's Markdown around it."""

from __future__ import annotations

import ast
import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from lib import charts, display, metrics

# What the issue names, and what Streamlit's own syntax on top of Markdown would catch.
ATTACKS = [
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[Log in again](https://evil.example/login)",
    "![pixel](https://evil.example/p.png)",
    "**bold** _it_ ~~gone~~ `code`",
    "# Heading", "1. listed", "- item", "> quoted", "| a | b |\n|---|---|",
    ":red[red] :material/home: :smile: $x^2$",
    "https://evil.example/login www.evil.example mail@evil.example",
    "&lt;b&gt; &amp; &#42;",
    "    indented like code", "trailing  ", "a\\", "line one\nline two\r\nline three",
    "Anna <anna@example.com>",
    "title\n===", "title\n---", "***", "a\n- b\n+ c\n2) d\n10. e", "  - [ ] task", "[^1]",
    "<https://evil.example>", "a -- b", "x <-> y", "-> go", "n >= 3", ":streamlit: :+1:",
    "10:00 Uhr, 10:00:00", "```\ncode\n```", "a  \nb", "\\*not bold\\*",
]
_RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


class _Text(HTMLParser):
    """The text a browser would show for rendered Markdown, and every tag it would build."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.tags = "", []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag == "br":
            self.text += "\n"

    def handle_data(self, data: str) -> None:
        self.text += data.replace("\n", "") if self.tags[-1:] == ["br"] else data


def rendered(markdown: str) -> _Text:
    parser = _Text()
    parser.feed(_RENDERER.render(markdown))
    parser.text = parser.text.rstrip("\n").replace(display.JOINER, "")  # invisible by design
    return parser


def expected(text: str) -> str:
    """What the text should read as: line breaks as one kind, none at the end. NUL is
    replaced by U+FFFD by every Markdown and HTML parser (a security rule of both specs)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").replace("\0", "\ufffd")


@pytest.mark.parametrize("text", ATTACKS)
def test_attacks_render_as_the_same_text_and_only_a_paragraph(text):
    shown = rendered(display.literal(text))
    assert shown.text == expected(text)
    assert set(shown.tags) <= {"p", "br"}


def test_the_naughty_strings_render_as_themselves(external):
    naughty = external / "big-list-of-naughty-strings/blns.json"
    strings = [s for s in json.loads(naughty.read_text(encoding="utf-8")) if s.strip()]
    assert len(strings) > 400
    shown = {s: rendered(display.literal(s)) for s in strings}
    assert [s for s in strings
            if shown[s].text != expected(s).replace(display.JOINER, "")] == []
    assert {tag for one in shown.values() for tag in one.tags} <= {"p", "br"}


def test_markdown_of_the_app_keeps_its_formatting_and_escapes_the_data():
    heading = display.markdown("**{}** · {status}", "*Best* <GmbH>", status="[open](x)")
    assert isinstance(heading, display.Markdown)
    shown = rendered(heading)
    assert shown.text == "*Best* <GmbH> · [open](x)"
    assert shown.tags == ["p", "strong"]


def test_only_what_streamlit_rewrites_gets_the_invisible_joiner():
    assert display.literal("a -- b :smile:") == f"a -{display.JOINER}- b :{display.JOINER}smile:"
    assert display.literal("x--y, 10:00, e-mail") == "x--y, 10:00, e-mail"


def test_a_message_is_shown_literally_unless_it_is_markdown_of_the_app():
    assert display.shown("**x**") == r"\*\*x\*\*"
    assert display.shown(display.markdown("**{}**", "x")) == "**x**"
    assert display.shown(display.markdown("**{}**", "x") + "!") == r"\*\*x\*\*!"
    assert display.shown("Saved: 3 rows (1 refused).") == "Saved: 3 rows (1 refused)."


# --- pages hand data to Streamlit's Markdown only through the escaper -----------------------

ROOT = Path(__file__).resolve().parent.parent
# Streamlit calls whose text (first argument) is Markdown, and the keyword arguments that are
# Markdown on any widget.
MARKDOWN_CALLS = {"markdown", "write", "toast", "info", "warning", "error", "success",
                  "caption", "title", "header", "subheader"}
MARKDOWN_KEYWORDS = {"help", "label", "body"}
# What may stand in an f-string that Streamlit renders: data escaped, or wording that holds no
# data (counts, dates, amounts and days as display words them).
SAFE_CALLS = {"literal", "markdown", "len", "int", "money", "day_text", "due_text",
              "since_text", "next_step_text", "moment_text", "badge", "status_badge"}


def _unescaped(value: ast.expr) -> bool:
    """Whether an f-string's ``{value}`` may carry text from a file or a user unescaped."""
    if isinstance(value, ast.Call):
        name = value.func.attr if isinstance(value.func, ast.Attribute) else getattr(
            value.func, "id", "")
        return name not in SAFE_CALLS
    if isinstance(value, ast.Name | ast.Attribute) and (
            getattr(value, "id", None) or value.attr).isupper():
        return False
    return not isinstance(value, ast.Constant)


def _markdown_arguments(call: ast.Call) -> list[ast.expr]:
    """What Streamlit renders as Markdown in this call; nothing for ``ui.say/warn/…``, which
    escape their text themselves."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if isinstance(call.func, ast.Attribute) and getattr(call.func.value, "id", "") == "ui":
        return [k.value for k in call.keywords if k.arg in ("help", "label")]
    shown = call.args[:1] if name in MARKDOWN_CALLS else []
    return shown + [k.value for k in call.keywords if k.arg in MARKDOWN_KEYWORDS]


def unescaped_f_strings(source: str) -> list[int]:
    """The lines of each f-string fed to Streamlit's Markdown with a value that is not routed
    through ``display.literal`` (numbers and dates with a format spec are fine)."""
    found = []
    for call in ast.walk(ast.parse(source)):
        if not isinstance(call, ast.Call):
            continue
        for argument in _markdown_arguments(call):
            for text in ast.walk(argument):
                if isinstance(text, ast.JoinedStr) and any(
                        isinstance(part, ast.FormattedValue) and part.format_spec is None
                        and _unescaped(part.value) for part in text.values):
                    found.append(text.lineno)
    return found


def test_pages_route_data_in_messages_through_the_escaper():
    sources = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "lib/ui.py", ROOT / "app.py"]
    found = [f"{path.relative_to(ROOT)}:{line}" for path in sources
             for line in unescaped_f_strings(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_check_finds_an_unescaped_name():
    page = ('st.warning(f"{name} changed it", icon="!")\n'
            'st.caption(f"{display.literal(name)}: {total:,} rows, {len(x)} shown")\n'
            'st.page_link("x.py", help=f"Open {label}")\n'
            'left.info("Saved " + f"{MAX_ROWS} rows")\n')
    assert unescaped_f_strings(page) == [1, 3]


# --- charts: Plotly reads labels as a small HTML ---------------------------------------------

EVIL = '<a href="https://evil.example">x</a> & <img src=x>'
EVIL_SHOWN = '&lt;a href="https://evil.example"&gt;x&lt;/a&gt; &amp; &lt;img src=x&gt;'


def test_chart_labels_from_data_are_references_not_tags():
    frame = pd.DataFrame({"list": [EVIL, "Fair"], "stage": ["suspect", "lead"],
                          "reason": ["%{x} <b>r</b>", "no budget"], "people": [3, 1]})
    figure = charts.drop_off(frame, "reason")
    bars = {bar.name: bar for bar in figure.data}
    assert set(bars) == {"%{x} &lt;b&gt;r&lt;/b&gt;", "no budget"}
    assert list(bars["no budget"].y) == [EVIL_SHOWN, "Fair"]
    assert list(bars["no budget"].x) == [0, 1]
    assert all("evil" not in bar.hovertemplate and "%{x} " not in bar.hovertemplate
               for bar in figure.data)


def test_rep_names_on_the_overdue_chart_are_references():
    frame = pd.DataFrame({"name": [EVIL], "age": [metrics.AGE_BUCKETS[0]], "count": [2]})
    figure = charts.overdue_by_age(frame)
    assert list(figure.data[0].x) == [EVIL_SHOWN] and list(figure.data[0].y) == [2]
