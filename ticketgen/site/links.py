"""A Python-Markdown extension for the hand-written pages in docs/ (generated pages are
rendered from tokens by `site.html`, which links the same way).

- Every ticket ID mention becomes a link to the ticket's page. It runs inside the Markdown
  parser, after code spans, fenced and indented code and raw HTML have been set aside, and
  never inside an existing link, so `TICKET-001` in code stays code.
- A relative link written for the repository (`../tickets/TICKET-001-slug.md` in a runbook)
  is pointed at the page generated from that file, so links that work on GitHub work here.

Links are emitted as `.md` paths relative to the page; mkdocs turns them into URLs and checks them.
"""

from __future__ import annotations

import os
import posixpath
import re
import xml.etree.ElementTree as etree
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from .pages import relpath

_MENTION_CLASS = "tg-mention"


class TicketLinks(Extension):
    """`tickets` maps a ticket number to its page (`tickets/TICKET-001.md`); `sources` maps
    a real file (absolute, resolved) to the page made from it. Before rendering a page, set
    `current` (its place among the docs) and `current_dir` (the folder of its real file)."""

    def __init__(self, mention_regex: re.Pattern[str]):
        super().__init__()
        self.mention_regex = mention_regex
        self.tickets: dict[int, str] = {}
        self.sources: dict[Path, str] = {}
        self.current = ""
        self.current_dir: Path | None = None

    def relative(self, target: str) -> str:
        return relpath(target, posixpath.dirname(self.current))

    def mention_href(self, number: int) -> str | None:
        target = self.tickets.get(number)
        if target is None or target == self.current:
            return None
        return self.relative(target)

    def source_href(self, href: str) -> str | None:
        if self.current_dir is None or ".md" not in href or href.startswith(("/", "#")) or "://" in href:
            return None  # the cheap checks first: this runs for every link of every page
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
            return None
        target = self.sources.get(Path(os.path.normpath(self.current_dir / unquote(parts.path))))
        if target is None:
            return None
        return self.relative(target) + (f"#{parts.fragment}" if parts.fragment else "")

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        # Lowest inline priority: after backticks (190), links (160), autolinks (120), raw HTML (90).
        md.inlinePatterns.register(_MentionProcessor(self), "ticketgen_mentions", 5)
        # After inline processing (20), before mkdocs resolves .md links (0).
        md.treeprocessors.register(_SourceLinkProcessor(md, self), "ticketgen_source_links", 10)


class _MentionProcessor(InlineProcessor):
    ANCESTOR_EXCLUDES = ("a",)

    def __init__(self, ext: TicketLinks):
        super().__init__(ext.mention_regex.pattern)
        self.compiled_re = ext.mention_regex
        self.ext = ext

    # InlineProcessor's handleMatch has another signature than Pattern's, its base (the stubs ignore that too)
    def handleMatch(  # type: ignore[override]  # noqa: N802 - Python-Markdown's name
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        href = self.ext.mention_href(int(m.group(1)))
        if href is None:
            return None, None, None
        link = etree.Element("a", {"href": href, "class": _MENTION_CLASS})
        link.text = m.group(0)
        return link, m.start(0), m.end(0)


class _SourceLinkProcessor(Treeprocessor):
    def __init__(self, md: Markdown, ext: TicketLinks):
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        if not self.ext.sources:
            return
        for link in root.iter("a"):
            href = link.get("href")
            mention = link.get("class") == _MENTION_CLASS  # made here, already points at a page
            new = self.ext.source_href(href) if href and not mention else None
            if new is not None:
                link.set("href", new)
