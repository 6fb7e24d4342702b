"""Hypothesis fuzzing of parse -> records -> page HTML: whatever a ticket holds, its page has no
element a browser would run, no event attribute, and no link or image URL with an unsafe
scheme. A short run by default; a long one with TICKETGEN_FUZZ_EXAMPLES (docs/security.md)."""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticketgen.core.parse import parse_document
from ticketgen.core.template import default_template_text, schema_from_text
from ticketgen.site.html import Options, render, resolve_links

EXAMPLES = int(os.environ.get("TICKETGEN_FUZZ_EXAMPLES", "150"))
SCHEMA = schema_from_text(default_template_text())
_PIECES = [
    *" \n\t`~*_[]()<>!:\"'=/\\&#;{}|-",
    "\n\n",
    "```",
    "~~~",
    "    ",
    "> ",
    "- [ ] ",
    "1. ",
    "### ",
    "[!NOTE]",
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<details ontoggle=alert(1) open>",
    "<summary>",
    "</details>",
    "<a href=javascript:alert(1)>",
    "javascript:",
    "jav&#x61;script:",
    "java&#9;script:",
    "JaVaScRiPt:",
    "vbscript:",
    "data:text/html,",
    "data:image/png;base64,",
    "&#106;",
    "onerror=",
    "onclick=",
    '" onmouseover="',
    "{: onclick=x }",
    "<!--",
    "-->",
    "](",
    "[r]: ",
    "http://",
    "www.",
    "TICKET-002",
    "| a |\n|---|\n",
    "\x00",
    "\u202e",
]
_SCHEMES = ["javascript:", "jav&#x61;script:", "java&#9;script:", "JaVaScRiPt:", " javascript:", "vbscript:",
            "data:text/html,", "data:image/svg+xml,", "file:", "&#106;avascript:", "java\\script:"]  # fmt: skip
_LINKS = ["[a]({}alert(1))", "![i]({}alert(1))", "<{}alert(1)>", "[r]\n\n[r]: {}alert(1)", '[t]({}x "t")']
# Every way to write a link, with every unsafe scheme, among random text.
_LINK = st.builds(lambda form, scheme: form.format(scheme), st.sampled_from(_LINKS), st.sampled_from(_SCHEMES))
_MARKDOWN = st.lists(st.one_of(st.sampled_from(_PIECES), _LINK), max_size=120).map("".join)
_UNSAFE_URL = re.compile(r"^(javascript|vbscript|data:(?!image/(gif|png|jpeg|webp);)|file):", re.IGNORECASE)
_RUNNABLE = {"script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta", "base", "form", "frame"}
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _RUNNABLE:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"<{tag} {name}>")
            if name in ("href", "src") and _UNSAFE_URL.match(_URL_NOISE.sub("", html.unescape(value or ""))):
                self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_MARKDOWN, title=st.sampled_from(["x", "<script>alert(1)</script>", "[a](javascript:alert(1))"]))
def test_no_ticket_page_body_carries_live_markup(body: str, title: str):
    text = f"## TICKET-001: {title}\n\n**Status:** Open\n\n### Problem Statement\n\n{body}\n"
    for ticket in parse_document(text, Path("tickets/x.md"), SCHEMA).tickets:
        options = Options(shift=1, mention=SCHEMA.mention_regex)
        rendered = render(ticket.tokens[3:], ticket.env, options)
        page = resolve_links(rendered.html, lambda n: f"../TICKET-{n:03d}/", lambda url: None)
        checker = _Checker()
        checker.feed(page)
        checker.close()
        assert checker.problems == [], (body, checker.problems)
