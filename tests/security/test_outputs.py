"""Outputs that carry hostile text: each output kind has one sanitizer (`core/sanitize.py`),
and every writer of that kind uses it. A ticket's text, field values and file name reach a
terminal (lint, `lint --diff`, list, runbooks), a GitHub step summary (Markdown), an HTML
attribute (the edit link) and a shell (runbooks)."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest

from tests.conftest import run_cli
from tests.security.conftest import make_project, ticket
from tests.site.site_repo import build_site, make_repo
from tests.site.site_repo import ticket as site_ticket
from ticketgen.core import sanitize

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_lint_diff_shows_escape_sequences_instead_of_writing_them(tmp_path: Path):
    body = "Evil \x1b]0;owned\x07 title \x1b[2J and \u202eetirw"
    text = ticket(body=body).replace("- [ ] Fix it", "- [X] Fix it \x1b[31mred\x1b[0m")
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": text})
    result = run_cli("lint", "--diff", cwd=root)
    assert result.exit_code == 1
    assert "+- [x] Fix it \\x1b[31mred\\x1b[0m" in result.stdout  # the fix, readable
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert not set(_BIDI) & set(result.stdout)


def test_terminal_sanitizer_shows_every_control_and_bidi_character():
    for char in [*map(chr, range(0x20)), "\x7f", "\x85", "\x9b", "\u2028", "\u2029", *_BIDI]:
        if char == "\t":
            continue
        shown = sanitize.terminal(f"a{char}b")
        assert char not in shown and shown.startswith("a\\") and shown.endswith("b"), repr(char)
    assert sanitize.terminal("line\r\nnext\rover", multiline=True) == "line\r\nnext\\rover"


def test_list_and_lint_show_bidi_controls_in_titles_and_file_names(tmp_path: Path):
    root = make_project(
        tmp_path,
        {"tickets/TICKET-001-\u202egpj.exe.md": ticket(title="Pay \u202e0001\u202c now", status="Bogus")},
    )
    for args in (["list"], ["lint"], ["show", "1"]):
        result = run_cli(*args, cwd=root)
        assert not set(_BIDI) & set(result.stdout + result.stderr), args
    assert "Pay \\u202e0001\\u202c now" in run_cli("list", cwd=root).stdout


def _summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> tuple[str, list[str]]:
    """The step summary's HTML as GitHub renders it (GFM), and the findings' messages."""
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": ticket(status=value)})
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run_cli("lint", "--format", "github", cwd=root)
    messages = [f["message"] for f in json.loads(run_cli("lint", "--format", "json", cwd=root).stdout)["findings"]]
    return cmarkgfm.github_flavored_markdown_to_html(summary.read_text(encoding="utf-8")), messages


@pytest.mark.parametrize(
    "value",
    [
        "[x](javascript:alert(1))",
        "see ![i](https://evil.example/track.png)",
        "<img src=https://evil.example/i.png>",
        "[r] [r]: javascript:alert(1)",
        "https://evil.example/ and www.evil.example and a@evil.example",
        "&#106;avascript:x | `code` ``` | ![a](b)",
        "\x1b[2J \u202e",
    ],
)
def test_github_step_summary_renders_links_and_images_from_data_as_text(tmp_path, monkeypatch, value):
    page, messages = _summary(tmp_path, monkeypatch, value)
    assert not re.search(r"<(a|img|script)\b", page), page
    assert "\x1b" not in page and "\u202e" not in page
    cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", page, re.S)]
    assert messages and all(f"<code>{sanitize.terminal(m)}</code>" in cells for m in messages), (cells, messages)


def test_markdown_code_keeps_a_table_row_whole():
    for value in ["a|b", "a\\|b", "`", "``x``", " lead", "trail ", "\\", "|"]:
        row = f"| a | b |\n|---|---|\n| {sanitize.markdown_code(value)} | z |\n"
        cells = re.findall(r"<td>(.*?)</td>", cmarkgfm.github_flavored_markdown_to_html(row), re.S)
        assert cells == [f"<code>{html.escape(value, quote=False)}</code>", "z"], value


def test_shell_sanitizer_shows_invisible_characters():
    line = "kubectl get pods -n prod\u202e \u2066# comment\u2069\u200b\ufeff\x1b[2J"
    shown = sanitize.shell(line)
    assert shown == "kubectl get pods -n prod\\u202e \\u2066# comment\\u2069\\u200b\\ufeff\\x1b[2J"
    assert sanitize.shell("echo 'naïve — ok'\n\tnext") == "echo 'naïve — ok'\n\tnext"
    assert sanitize.shell_problem("rm -rf /\u202e") == "holds the invisible character \\u202e"
    assert sanitize.shell_problem("kubectl get hr -n flux-system") is None


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.edit: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "a" and ("edit" in (found.get("rel") or "") or "tg-edit" in (found.get("class") or "")):
            self.edit.append(found)


def test_edit_links_of_a_file_name_with_quotes_stay_one_attribute(tmp_path: Path):
    name = "TICKET-002-a\" onmouseover=\"alert(1)' x='<b>.md"
    root = make_repo(tmp_path, {name: site_ticket("TICKET-002", "Quoted name")}, {})
    page = build_site(root, strict=False) / "tickets" / "TICKET-002" / "index.html"
    parser = _Anchors()
    parser.feed(page.read_text(encoding="utf-8"))
    assert len(parser.edit) == 2  # Material's edit button and the card's "Edit source"
    for attrs in parser.edit:
        assert not any(key.startswith("on") or key in ("x", "b") for key in attrs), attrs
        assert attrs["href"].endswith("/tickets/TICKET-002-a%22%20onmouseover%3D%22alert%281%29%27%20x%3D%27%3Cb%3E.md")


def test_list_as_markdown_renders_titles_with_links_and_images_as_text(tmp_path: Path):
    title = "Pay [here](javascript:alert(1)) ![t](https://evil.example/t.png) <img src=x> | a@evil.example"
    root = make_project(tmp_path, {"tickets/TICKET-001-a.md": ticket(title=title)})
    table = run_cli("list", "--format", "markdown", cwd=root).stdout
    page = cmarkgfm.github_flavored_markdown_to_html(table)
    assert not re.search(r"<(a|img|script)\b", page), page
    cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", page, re.S)]
    assert f"<code>{title}</code>" in cells and "<code>TICKET-001</code>" in cells
