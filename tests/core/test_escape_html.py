from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ticketgen.core.markdown import escape_raw_html

MD = MarkdownIt("commonmark").enable("table")


def rendered(text: str) -> str:
    return MD.render(escape_raw_html(text))


def test_html_blocks_and_inline_html_become_text():
    html = rendered("<script>alert(1)</script>\n\nText <img src=x onerror=alert(2)> here.\n")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_code_and_autolinks_are_kept():
    text = "Run `kubectl get <name>` or see <https://fluxcd.io> and <ops@example.com>.\n\n```html\n<b>x</b>\n```\n\n    <i>indented</i>\n"
    out = escape_raw_html(text)
    assert "`kubectl get <name>`" in out
    assert "<https://fluxcd.io>" in out and "<ops@example.com>" in out
    assert "```html\n<b>x</b>\n```" in out
    assert "    <i>indented</i>\n" in out
    html = MD.render(out)
    assert '<a href="https://fluxcd.io">' in html and "<code>kubectl get &lt;name&gt;</code>" in html


def test_text_without_html_is_unchanged_byte_for_byte():
    text = "## T\r\n\r\n| a | b |\r\n|---|---|\r\n| 1 < 2 | x |\r\n"
    assert escape_raw_html("plain\r\n") == "plain\r\n"
    assert escape_raw_html(text) == text.replace("1 < 2", "1 &lt; 2")


@given(st.text(alphabet=st.sampled_from(list("<>/ab `\n!-=\"'")), max_size=80))
def test_no_raw_tag_survives(text):
    html = MD.render(escape_raw_html(text))
    for tag in ("<a ", "<b>", "<b ", "<!--", "</a"):
        assert tag not in html.replace("<a href", "")  # only markdown-made links may appear
