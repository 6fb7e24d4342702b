"""Site readers: a hostile ticket cannot run code in a browser (issue 14, class 1).

A corpus of tickets written to attack the site (raw HTML, event attributes, `javascript:` URLs
in every spelling, fence info strings, autolink-shaped tags, attribute lists, hostile titles,
frontmatter and file names) is built with mkdocs; every page is checked statically, and loaded
in Debian's chromium, which must open no dialog and find no live handler or script URL."""

from __future__ import annotations

import html
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "site"))
from site_repo import build_site, make_repo, ticket  # noqa: E402

ATTACKS = {
    "fence-info": "~~~a<img src=x onerror=alert(101)>\ncode\n~~~",
    "escaped-backtick": "\\``<img src=x onerror=alert(102)>``",
    "autolink-shaped-tag": "<xy:z/onfocus=alert(103)/autofocus>",
    "inline-js-link": "[a](javascript:alert(104))",
    "reference-js-link": "[b][r]\n\n[r]: javascript:alert(105)",
    "entity-js-link": "[c](jav&#x61;script:alert(106))",
    "tab-js-link": "[d](java&#9;script:alert(107))",
    "mixed-case": "[e](JaVaScRiPt:alert(108))",
    "vbscript": "[f](vbscript:msgbox(109))",
    "data-html": "[g](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMTApPC9zY3JpcHQ+)",
    "js-image": "![h](javascript:alert(111))",
    "angle-autolink": "<javascript:alert(112)>",
    "script-block": "<script>alert(113)</script>",
    "img-block": '<img src="x" onerror="alert(114)">',
    "img-inline": "text <img src=x onerror=alert(115)> text",
    "svg": "<svg onload=alert(116)><circle r=1 /></svg>",
    "details-attribute": "<details ontoggle=alert(117) open>\n<summary>s</summary>\n\nx\n\n</details>",
    "attr-list": "A paragraph\n{: onclick=alert(118) }",
    "iframe": '<iframe src="javascript:alert(119)"></iframe>',
    "style": "<style>body{background:url(javascript:alert(120))}</style>",
    "unclosed-details": "<details open>\n\nnever closed",
    "alert-marker": "> [!WARNING]\n> <img src=x onerror=alert(121)>",
    "table-cell": "| a |\n|---|\n| <img src=x onerror=alert(122)> |",
    "heading": "### <img src=x onerror=alert(123)> heading",
    "link-title": '[t](https://example.org "x\\" onmouseover=alert(124) y")',
    # GitHub's allowlisted tags (kept since issue 23) carrying hostile attributes and URLs
    "allowed-tag-handlers": "<kbd onmouseover=alert(125)>K</kbd> <sub onclick=alert(126)>s</sub> x<br onfocus=alert(127)>",
    "allowed-tag-urls": '<a href="javascript:alert(128)">a</a> <img src="javascript:alert(129)" onerror="alert(130)">',
    "summary-handler": "<details open><summary onclick=alert(131) tabindex=1 autofocus onfocus=alert(132)>s</summary>x</details>",
    "closes-the-page": "</div></div></article></main><script>alert(133)</script><div onmouseover=alert(134)>x",
}
_UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data:text|file):", re.IGNORECASE)


def hostile_repo(root: Path) -> Path:
    tickets = {}
    for n, (name, attack) in enumerate(ATTACKS.items(), start=10):
        tickets[f"TICKET-{n:03d}-{name}.md"] = ticket(f"TICKET-{n:03d}", f"Attack {name}", problem=attack)
    tickets["TICKET-090-title.md"] = (
        "---\nowner: '<img src=x onerror=alert(201)>'\ntags: ['<script>alert(202)</script>']\n---\n"
        + ticket("TICKET-090", "<script>alert(203)</script>", component="<img src=x onerror=alert(204)>")
    )
    tickets["TICKET-091-<img src=x onerror=alert(205)>.md"] = ticket("TICKET-091", "Hostile file name")
    return make_repo(
        root, tickets, {"evil.md": "---\ntickets: [TICKET-010]\n---\n# R\n\n<script>alert(301)</script>\n"}
    )


class _Live(HTMLParser):
    """What a browser would run: script elements with the payload, event attributes that call
    alert, and link/resource URLs with an unsafe scheme."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and "alert" in value:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and _UNSAFE_URL.match(
                html.unescape(value)
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed"):  # (Material draws its icons as inline svg)
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script and "alert(" in data:
            self.found.append(f"<script>{data[:60]}")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    return build_site(hostile_repo(tmp_path_factory.mktemp("hostile")), strict=False)


def test_no_page_of_a_hostile_corpus_carries_live_markup(hostile_site: Path):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > len(ATTACKS)
    for page in pages:
        parser = _Live()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.found == [], f"{page.relative_to(hostile_site)}: {parser.found}"
    # Shown as text, so a reader sees what the ticket says.
    body = (hostile_site / "tickets" / "TICKET-022" / "index.html").read_text()  # script-block
    assert "&lt;script&gt;alert(113)&lt;/script&gt;" in body


def test_chromium_opens_no_dialog_and_finds_no_live_handler(hostile_site: Path, browser):
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(hostile_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    dialogs: list[str] = []
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in sorted((hostile_site / "tickets").glob("TICKET-*/index.html")) + [
            hostile_site / "runbooks" / "evil" / "index.html"
        ]:
            url = f"http://127.0.0.1:{server.server_port}/{path.parent.relative_to(hostile_site).as_posix()}/"
            page.goto(url)
            page.wait_for_timeout(50)
            page.mouse.move(300, 300)
            for summary in page.query_selector_all("summary"):
                summary.click()  # a toggle handler would fire now
            live = page.evaluate(
                """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
                     .filter(a => (a.name.startsWith('on') && a.value.includes('alert'))
                                  || (/^(href|src)$/.test(a.name) && /^\\s*(javascript|vbscript|data:text)/i.test(a.value)))
                     .map(a => e.tagName + ' ' + a.name + '=' + a.value))"""
            )
            assert live == [], f"{url}: {live}"
        assert dialogs == []
    finally:
        context.close()
        server.shutdown()
