"""Markdown → HTML from the markdown-it tokens the parser already made, as GitHub shows it.

One dialect from parse to page: the records' block tokens (CommonMark + tables) get their
inline pass here with GitHub's extensions (strikethrough, autolinked URLs, task lists,
alerts), and are rendered in the HTML shape Material styles (heading permalinks, Pygments
code blocks, task-list checkboxes, admonitions). Python-Markdown never sees ticket text.

Ticket text is untrusted. Raw HTML is kept as GitHub keeps it: every rendered body goes
through `sanitize`, the one HTML door, an nh3 (Ammonia) allowlist that follows GitHub's
(html-pipeline's SanitizationFilter; docs/security.md), so `<details>`, `<kbd>` or `<br>` work
and scripts, event handlers, styles, forms and unsafe URLs do not; a link or image URL with a
scheme outside a short allowlist is dropped. Links that depend on where the page sits (ticket
mentions, repository links to other files) are left as `\0`-delimited markers, resolved per
page by `resolve_links`, so the rendered body can be cached by content alone.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape, unescape
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin
from mdit_py_plugins.gfm_autolink._match import _autolink_delim, _check_domain
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from ..core.mdlinear import linear_inline_plugin

# GitHub alerts (`> [!NOTE]`) as Material admonitions: (class, title).
ALERTS = {
    "NOTE": ("note", "Note"),
    "TIP": ("tip", "Tip"),
    "IMPORTANT": ("important", "Important"),
    "WARNING": ("warning", "Warning"),
    "CAUTION": ("danger", "Caution"),
}
_ALERT = re.compile(r"\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\n|$)", re.IGNORECASE)
_TASK = re.compile(r"\[([ xX])\][ \t]+")
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "xmpp", "tel"})
_IMAGE_DATA = re.compile(r"data:image/(?:gif|png|jpeg|webp);", re.IGNORECASE)
# Browsers drop these anywhere in a URL before reading its scheme (`java\tscript:`).
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
# GFM's tagfilter extension: these tags in raw HTML are shown as text, as on GitHub.
_TAGFILTER = re.compile(r"<(?=/?(?:title|textarea|style|xmp|iframe|noembed|noframes|script|plaintext)[\s/>])", re.I)
_LANG = re.compile(r"[\w+#.-]{1,40}")
_MARKER = re.compile(r"\0(?:M(\d+)\x01([^\0]*)|L([^\0]*))\0")
_SLUG_DROP = re.compile(r"[^\w\- ]")
_AUTOLINK_SCHEMES = ("http", "https", "ftp")
_NOT_SPACE = re.compile(r"[^ \t\r\n\x00\x0b\x0c]*")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_EMAIL_LOCAL = _LETTERS | frozenset("0123456789.+-_")
_FORMATTER = HtmlFormatter(nowrap=True)


@dataclass(frozen=True, slots=True)  # slots: the cache holds eight or so per ticket
class Heading:
    level: int
    id: str
    title: str  # plain text, for the table of contents


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered body: its HTML (with link markers, see `resolve_links`) and its headings."""

    html: str
    headings: tuple[Heading, ...] = ()


@dataclass
class Options:
    """How one body is rendered: `shift` moves headings up (a ticket's `###` sections are the
    page's `h2`); `mention` finds ticket-ID mentions in text (None: no mention links);
    `skip_lines` are source lines (0-based) left out (metadata lines shown in the card);
    `drafts` are heading lines (0-based) whose section the template still fills: shown as to be written;
    `stop_line` ends the body (the `---` that separates tickets in a document is not the ticket's)."""

    shift: int = 0
    mention: re.Pattern[str] | None = None
    skip_lines: frozenset[int] = frozenset()
    drafts: frozenset[int] = frozenset()
    stop_line: int | None = None  # tokens starting at or after this line (0-based) are not the body's
    slugs: dict[str, int] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table", "strikethrough"])
    md.use(gfm_autolink_plugin)
    # cmark-gfm's autolinks where the plugin differs: `ftp://` and a scheme after any
    # non-letter (`<http://x y>`); emails (and `mailto:`/`xmpp:`) found in whole text runs,
    # after emphasis, so `john_doe@example.com` is one address. (The plugin's `www.` stays.)
    md.inline.ruler.before("gfm_autolink_protocol", "ticketgen_url", _url)
    md.inline.ruler.disable(["gfm_autolink_protocol", "gfm_autolink_email"])
    md.core.ruler.push("ticketgen_emails", _emails)
    md.core.ruler.push("ticketgen_strong", _github_tags)
    md.use(linear_inline_plugin)  # after the autolinks: linear time on `[` and bare URLs
    md.core.ruler.disable(["normalize", "block"])  # the block tokens come from the records' parse
    md.core.ruler.after("inline", "ticketgen_tasks", _tasks)
    md.core.ruler.after("ticketgen_tasks", "ticketgen_alerts", _alerts)
    md.renderer = _Renderer(md)
    # markdown-it-py's documented hook is assigning this method; every URL is checked by `safe_url` as it is rendered
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def render(tokens: list[Token], env: dict | None = None, options: Options | None = None) -> Rendered:
    """HTML for block tokens from `core.markdown.block_tokens` (whose `env` holds the link
    reference definitions). The tokens are used up: their inline children are (re)made here."""
    md = _parser()
    options = options or Options()
    tokens = _prepare(tokens, options)
    state = StateCore("", md, dict(env or {}))
    state.tokens = tokens
    md.core.process(state)
    headings: list[Heading] = []
    state.env["ticketgen"] = (options, headings)
    html = md.renderer.render(tokens, md.options, state.env)
    return Rendered(sanitize(html, frozenset(h.id for h in headings)), tuple(headings))


def _prepare(tokens: list[Token], options: Options) -> list[Token]:
    """Leave out skipped lines and draft sections; reset inline children for a fresh inline pass."""
    out: list[Token] = []
    draft_level = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        top = tok.level == 0
        if top and options.stop_line is not None and tok.map and tok.map[0] >= options.stop_line:
            break
        if draft_level:
            if top and tok.type == "heading_open" and int(tok.tag[1]) <= draft_level:
                draft_level = 0
            else:
                i += 1
                continue
        if tok.type == "inline":
            tok.children = []
        if top and tok.type == "paragraph_open" and tok.map and options.skip_lines:
            kept = _kept_lines(tokens[i + 1], tok.map[0], options.skip_lines)
            if kept is None:  # every line is skipped: drop the paragraph
                i += 3
                continue
            tokens[i + 1].content = kept
        if top and tok.type == "bullet_list_open" and options.skip_lines:
            end = _closing(tokens, i)
            if end is not None and _only_skipped_items(tokens[i : end + 1], options.skip_lines):
                i = end + 1  # `- **Status:** Open` lines: shown in the card
                continue
        out.append(tok)
        if top and tok.type == "heading_open" and tok.map and tok.map[0] in options.drafts:
            out.extend(tokens[i + 1 : i + 3])
            tokens[i + 1].children = []
            draft = Token("ticketgen_draft", "p", 0)
            out.append(draft)
            draft_level = int(tok.tag[1])
            i += 3
            continue
        i += 1
    return out


def _only_skipped_items(tokens: list[Token], skip: frozenset[int]) -> bool:
    """A list whose every item is one skipped line (metadata lines written as bullets)."""
    items = [t for t in tokens if t.type == "list_item_open" and t.level == tokens[0].level + 1]
    return bool(items) and all(t.map and t.map[0] in skip and t.map[1] - t.map[0] <= 2 for t in items)


def _kept_lines(inline: Token, first: int, skip: frozenset[int]) -> str | None:
    lines = inline.content.split("\n")
    kept = [line for n, line in enumerate(lines) if first + n not in skip]
    if len(kept) == len(lines):
        return inline.content
    return "\n".join(kept) if any(line.strip() for line in kept) else None


def _url(state: StateInline, silent: bool) -> bool:
    """cmark-gfm's URL autolink at `:`: the letters before it are the scheme (`http`, `https`,
    `ftp`, any case), whatever comes before them; domain and end as the plugin reads them."""
    src, start = state.src, state.pos + 3
    if silent or state.linkLevel > 0 or not src.startswith("://", state.pos) or start >= state.posMax:
        return False
    letters = len(state.pending)
    while letters > 0 and len(state.pending) - letters < 6 and state.pending[letters - 1] in _LETTERS:
        letters -= 1
    scheme = state.pending[letters:]
    if scheme.lower() not in _AUTOLINK_SCHEMES or not _host_char(src[start]):
        return False
    # A domain is at most 253 characters: the check reads a window, so it stays linear.
    if not _check_domain(src[start : min(state.posMax, start + 256)], True):
        return False
    end = found.end() if (found := _NOT_SPACE.match(src, start, state.posMax)) else start  # `*`: always a match
    rest = src[state.pos : end]
    url = scheme + rest[: _autolink_delim(rest, len(rest))]
    if url.endswith("://") or not state.md.validateLink(url):
        return False
    state.pending = state.pending[:letters]
    token = state.push("link_open", "a", 1)
    token.attrs = {"href": state.md.normalizeLink(url)}
    token.markup = token.info = "autolink"
    token = state.push("text", "", 0)
    token.content = state.md.normalizeLinkText(url)
    token = state.push("link_close", "a", -1)
    token.markup = token.info = "autolink"
    state.pos += len(url) - len(scheme)
    return True


def _host_char(ch: str) -> bool:
    return not ch.isspace() and not unicodedata.category(ch).startswith("P")


def _emails(state: StateCore) -> None:
    """Email addresses, as cmark-gfm's autolink extension finds them: in each whole text run
    outside links, the `@` with letters, digits and `.+-_` before it (after `mailto:` or
    `xmpp:`, if written) and a dotted domain after it (ending in a letter)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or "@" not in block.content:
            continue
        out: list[Token] = []
        depth = 0
        for tok in block.children:
            depth += tok.type == "link_open"
            depth -= tok.type == "link_close"
            if tok.type != "text" or depth or "@" not in tok.content:
                out.append(tok)
                continue
            out.extend(_split_emails(tok, state))
        block.children = out


def _split_emails(tok: Token, state: StateCore) -> list[Token]:
    text, out, pos, search = tok.content, [], 0, 0
    while (at := text.find("@", search)) != -1:
        start = at
        while start > pos and text[start - 1] in _EMAIL_LOCAL:
            start -= 1
        scheme = _scheme_before(text, pos, start) if start < at else ""
        end, dots = at + 1, 0
        while end < len(text):
            ch = text[end]
            if ch == "@":  # a second `@`: an address, if any, ends at that one
                break
            if ch == "." and end + 1 < len(text) and text[end + 1].isascii() and text[end + 1].isalnum():
                dots += 1
            elif not (ch.isascii() and (ch.isalnum() or ch in "-_" or (ch == "/" and scheme == "xmpp"))):
                break
            end += 1
        search = at + 1
        last = text[end - 1]
        if start == at or end - at < 2 or not dots or not (last.isascii() and last.isalpha()):
            continue
        if text.startswith("@", end):  # `x@y.com@z.com`: the address is the one ending at that `@`
            continue
        start -= len(scheme) + 1 if scheme else 0
        href = text[start:end] if scheme else "mailto:" + text[start:end]
        if not state.md.validateLink(href):
            continue
        if start > pos:
            out.append(_text(text[pos:start]))
        link = Token("link_open", "a", 1)
        link.attrs = {"href": state.md.normalizeLink(href)}
        link.markup = link.info = "autolink"
        out += [link, _text(text[start:end]), Token("link_close", "a", -1)]
        pos = search = end
    if pos == 0:
        return [tok]
    if pos < len(text):
        out.append(_text(text[pos:]))
    return out


def _scheme_before(text: str, pos: int, start: int) -> str:
    """`mailto` or `xmpp` when written just before an address's local part (`mailto:a@b.c`),
    not as the end of a longer word."""
    for scheme in ("mailto", "xmpp"):
        begin = start - len(scheme) - 1
        if begin < pos or not text.startswith(scheme + ":", begin):
            continue
        if begin == pos or not (text[begin - 1].isascii() and text[begin - 1].isalnum()):
            return scheme
    return ""


def _text(content: str) -> Token:
    tok = Token("text", "", 0)
    tok.content = content
    return tok


def _github_tags(state: StateCore) -> None:
    """GitHub's tags for two inline kinds: `~~x~~` is `<del>`, and a `<strong>` directly inside
    another is not written (cmark-gfm's renderer skips it: `****x****` is one `<strong>`)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        stack: list[Token] = []
        for tok in block.children:
            if tok.type in ("s_open", "s_close"):
                tok.tag = "del"
            if tok.nesting == 1:
                if tok.type == "strong_open" and stack and stack[-1].type == "strong_open":
                    tok.hidden = True
                stack.append(tok)
            elif tok.nesting == -1 and stack:
                tok.hidden = stack.pop().hidden


def _tasks(state: StateCore) -> None:
    """GitHub task lists: `- [ ] text` / `- [x] text` in a list item's first paragraph."""
    tokens = state.tokens
    for i in range(2, len(tokens)):
        tok = tokens[i]
        if tok.type != "inline" or tokens[i - 1].type != "paragraph_open" or tokens[i - 2].type != "list_item_open":
            continue
        m = _TASK.match(tok.content)
        first = tok.children[0] if tok.children else None
        if m is None or first is None or first.type != "text" or not first.content.startswith(m.group(0)):
            continue
        first.content = first.content[m.end() :]
        tokens[i - 2].meta = {**(tokens[i - 2].meta or {}), "checked": m.group(1) != " "}


def _alerts(state: StateCore) -> None:
    """GitHub alerts: a quote whose first line is `[!NOTE]` (or TIP, IMPORTANT, WARNING, CAUTION)."""
    tokens = state.tokens
    for i, tok in enumerate(tokens[:-2]):
        if tok.type != "blockquote_open" or tokens[i + 1].type != "paragraph_open":
            continue
        inline = tokens[i + 2]
        m = _ALERT.match(inline.content)
        if m is None or not inline.children:
            continue
        kind = m.group(1).upper()
        # Drop the marker: the children up to the first line break (or all of them).
        children = inline.children
        cut = next((k for k, c in enumerate(children) if c.type in ("softbreak", "hardbreak")), len(children) - 1)
        inline.children = children[cut + 1 :]
        inline.content = inline.content[m.end() :]
        tok.meta = {**(tok.meta or {}), "alert": kind}
        close = _closing(tokens, i)
        if close is not None:
            tokens[close].meta = {**(tokens[close].meta or {}), "alert": kind}
        if not inline.children:  # the marker was the whole paragraph
            tokens[i + 1].hidden = tokens[i + 3].hidden = True


def _closing(tokens: list[Token], start: int) -> int | None:
    depth = 0
    for k in range(start, len(tokens)):
        depth += tokens[k].nesting
        if depth == 0:
            return k
    return None


def slugify(text: str, seen: dict[str, int]) -> str:
    """GitHub's anchors: lower case, punctuation dropped, spaces to `-`; repeats get `-1`, `-2`…
    (so `#action-items` links written for GitHub work on the site too)."""
    base = _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-") or "section"
    n = seen.get(base)
    seen[base] = 0 if n is None else n + 1
    return base if n is None else f"{base}-{n + 1}"


def safe_url(url: str, image: bool = False) -> bool:
    """A URL a browser may follow or load: relative, or with an allowlisted scheme (read as a
    browser reads it: entities decoded, control characters and spaces dropped); `data:` only for
    raster images."""
    plain = _URL_NOISE.sub("", unescape(url))
    try:
        scheme = urlsplit(plain).scheme.lower()
    except ValueError:
        return False
    if not scheme:
        return not plain.startswith("\\")  # `\\host` is `//host` to a browser: keep to real paths
    if scheme == "data":
        return image and _IMAGE_DATA.match(plain) is not None
    return scheme in SAFE_SCHEMES


def _plain_text(children: Sequence[Token] | None) -> str:
    return "".join(c.content for c in children or () if c.type in ("text", "code_inline"))


class _Renderer(RendererHTML):
    def _state(self, env) -> tuple[Options, list[Heading]]:
        return env.get("ticketgen") or (Options(), [])

    # -- headings ---------------------------------------------------------------------------
    def heading_open(self, tokens, idx, options, env):
        opts, headings = self._state(env)
        tok = tokens[idx]
        level = max(1, min(6, int(tok.tag[1]) - opts.shift))
        title = _plain_text(tokens[idx + 1].children)
        slug = slugify(title, opts.slugs)
        headings.append(Heading(level, slug, title))
        env["ticketgen_heading"] = (level, slug)
        return f'<h{level} id="{escape(slug)}">'

    def heading_close(self, tokens, idx, options, env):
        level, slug = env.pop("ticketgen_heading", (int(tokens[idx].tag[1]), ""))
        return f"{_permalink(slug)}</h{level}>\n"

    # -- code -------------------------------------------------------------------------------
    def fence(self, tokens, idx, options, env):
        tok = tokens[idx]
        info = unescapeAll(tok.info).strip()  # `foo\+bar`, `f&ouml;&ouml;`: read as written out
        lang = info.split(maxsplit=1)[0] if info else ""
        return _code(tok.content, lang if _LANG.fullmatch(lang) else "")

    def code_block(self, tokens, idx, options, env):
        return _code(tokens[idx].content, "")

    # -- raw HTML: as written, less the tagfilter's tags; `sanitize` judges the whole body ----
    def html_block(self, tokens, idx, options, env):
        return _TAGFILTER.sub("&lt;", tokens[idx].content)

    def html_inline(self, tokens, idx, options, env):
        return _TAGFILTER.sub("&lt;", tokens[idx].content)

    # -- links, images, mentions ------------------------------------------------------------
    def link_open(self, tokens, idx, options, env):
        tok = tokens[idx]
        href = str(tok.attrs.get("href", ""))
        links = env.setdefault("ticketgen_links", [])
        links.append(safe_url(href))
        if not links[-1]:  # the link text stays, as text
            return ""
        return f'<a href="{_target(href)}"{_title(tok)}>'

    def link_close(self, tokens, idx, options, env):
        links = env.get("ticketgen_links")
        return "</a>" if not links or links.pop() else ""

    def image(self, tokens, idx, options, env):
        tok = tokens[idx]
        src = str(tok.attrs.get("src", ""))
        alt = escape(self.renderInlineAsText(tok.children, options, env))
        if not safe_url(src, image=True):
            return alt
        return f'<img src="{_target(src)}" alt="{alt}"{_title(tok)}>'

    def text(self, tokens, idx, options, env):
        content = tokens[idx].content
        opts, _ = self._state(env)
        if opts.mention is None or any(env.get("ticketgen_links", ())) or not opts.mention.search(content):
            return escape(content, quote=False)
        out, pos = [], 0
        for m in opts.mention.finditer(content):
            out.append(escape(content[pos : m.start()], quote=False))
            out.append(f"\0M{int(m.group(1))}\x01{escape(m.group(0))}\0")
            pos = m.end()
        out.append(escape(content[pos:], quote=False))
        return "".join(out)

    # -- task lists, alerts, drafts ---------------------------------------------------------
    def list_item_open(self, tokens, idx, options, env):
        tok = tokens[idx]
        if not tok.meta or "checked" not in tok.meta:
            return "<li>"
        checked = " checked" if tok.meta["checked"] else ""
        return (
            '<li class="task-list-item"><label class="task-list-control">'
            f'<input type="checkbox" disabled{checked}><span class="task-list-indicator"></span></label> '
        )

    def bullet_list_open(self, tokens, idx, options, env):
        return '<ul class="task-list">\n' if _holds_tasks(tokens, idx) else "<ul>\n"

    def blockquote_open(self, tokens, idx, options, env):
        kind = (tokens[idx].meta or {}).get("alert")
        if kind is None:
            return "<blockquote>\n"
        css, title = ALERTS[kind]
        return f'<div class="admonition {css}">\n<p class="admonition-title">{title}</p>\n'

    def blockquote_close(self, tokens, idx, options, env):
        return "</div>\n" if (tokens[idx].meta or {}).get("alert") else "</blockquote>\n"

    def ticketgen_draft(self, tokens, idx, options, env):
        return '<p class="tg-draft">To be written.</p>\n'


def _permalink(anchor: str) -> str:
    return f'<a class="headerlink" href="#{escape(anchor)}" title="Permanent link">&para;</a>' if anchor else ""


def heading_html(level: int, anchor: str, title_html: str) -> str:
    """A heading in the shape the body's headings have (Material styles the permalink)."""
    return f'<h{level} id="{escape(anchor)}">{title_html}{_permalink(anchor)}</h{level}>'


def _holds_tasks(tokens: Sequence[Token], idx: int) -> bool:
    level = tokens[idx].level + 1
    for tok in tokens[idx + 1 :]:
        if tok.level < level:
            return False
        if tok.type == "list_item_open" and tok.level == level and tok.meta and "checked" in tok.meta:
            return True
    return False


def _target(url: str) -> str:
    """An attribute-ready URL; a repository link becomes a marker `resolve_links` fills per page."""
    return escape(f"\0L{url}\0" if _repo_link(url) else url)


def _title(tok: Token) -> str:
    title = tok.attrs.get("title")
    return f' title="{escape(str(title))}"' if title else ""


def _repo_link(url: str) -> bool:
    """A relative link to a file (`../tickets/TICKET-001-x.md`), resolved per page."""
    if not url or url.startswith(("#", "/")) or "\0" in url:
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and bool(parts.path)


@lru_cache(maxsize=64)
def _lexer(lang: str) -> Lexer | None:
    """Pygments' lookup by name walks its whole table of lexers: once per language per run."""
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


def _code(content: str, lang: str) -> str:
    lexer = _lexer(lang) if lang else None
    body = highlight(content, lexer, _FORMATTER) if lexer is not None else escape(content, quote=False)
    css = f"language-{lang} highlight" if lang else "highlight"
    return f'<div class="{escape(css)}"><pre><span></span><code>{body}</code></pre></div>\n'


# -- the HTML door -------------------------------------------------------------------------
# GitHub's allowlist: html-pipeline's SanitizationFilter (DEFAULT_CONFIG, lib/html_pipeline/
# sanitization_filter.rb, github.com/gjtorikian/html-pipeline), which GitHub's own filter
# descends from. Left out on purpose: the form attributes (action, method, enctype, accept,
# accept-charset; forms stay out) and accesskey (it would take the site's keyboard shortcuts).
# fmt: off
GITHUB_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "br", "b", "i", "strong", "em", "a", "pre", "code", "img", "tt", "div",
    "ins", "del", "sup", "sub", "p", "picture", "ol", "ul", "table", "thead", "tbody", "tfoot", "blockquote", "dl",
    "dt", "dd", "kbd", "q", "samp", "var", "hr", "ruby", "rt", "rp", "li", "tr", "td", "th", "s", "strike",
    "summary", "details", "caption", "figure", "figcaption", "abbr", "bdo", "cite", "dfn", "mark", "small",
    "source", "span", "time", "wbr",
})
GITHUB_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "img": frozenset({"src", "longdesc", "loading", "alt"}),
    "div": frozenset({"itemscope", "itemtype"}),
    "blockquote": frozenset({"cite"}),
    "del": frozenset({"cite"}),
    "ins": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "source": frozenset({"srcset"}),
    "*": frozenset({
        "abbr", "align", "alt", "aria-describedby", "aria-hidden", "aria-label", "aria-labelledby", "axis",
        "border", "char", "charoff", "charset", "checked", "clear", "cols", "colspan", "compact", "coords",
        "datetime", "dir", "disabled", "for", "frame", "headers", "height", "hreflang", "hspace", "id", "ismap",
        "label", "lang", "maxlength", "media", "multiple", "name", "nohref", "noshade", "nowrap", "open",
        "progress", "prompt", "readonly", "rel", "rev", "role", "rows", "rowspan", "rules", "scope", "selected",
        "shape", "size", "span", "start", "summary", "tabindex", "title", "type", "usemap", "valign", "value",
        "width", "itemprop",
    }),
}
# fmt: on
# The markup this renderer writes itself (Material's task lists, admonitions, Pygments code,
# permalinks, table alignment), allowed on top, with only the classes it uses.
_OWN_TAGS = frozenset({"input", "label"})
_OWN_ATTRIBUTES = {"input": frozenset({"checked"}), "th": frozenset({"style"}), "td": frozenset({"style"})}
_OWN_CLASSES = frozenset(
    {"headerlink", "highlight", "admonition", "admonition-title", "task-list", "task-list-item"}
    | {"task-list-control", "task-list-indicator", "tg-draft"}
    | {css for css, _ in ALERTS.values()}
    | {css for css in STANDARD_TYPES.values() if css}
)
_CLASSED = frozenset({"a", "div", "p", "ul", "li", "label", "span"})
_URL_ATTRIBUTES = frozenset({"href", "src", "longdesc", "cite", "itemtype"})
_ALIGN = re.compile(r"text-align:(?:left|right|center)")
_NONCE = secrets.token_hex(8)  # stands in for the link markers' control characters while nh3 reads


def _attribute(ids: frozenset[str]) -> Callable[[str, str, str], str | None]:
    def check(tag: str, name: str, value: str) -> str | None:
        if name in _URL_ATTRIBUTES:
            return value if safe_url(value, image=tag == "img") else None
        if name == "srcset":  # candidates: "url 2x, url 480w"
            return value if all(safe_url(c.split()[0], image=True) for c in value.split(",") if c.split()) else None
        if name in ("id", "name"):  # as GitHub: a user's id cannot clobber the page's (headings are ours)
            return value if name == "id" and value in ids else f"user-content-{value}"
        if name == "class":
            kept = [c for c in value.split() if c in _OWN_CLASSES or c.startswith("language-")]
            return " ".join(kept) or None
        if name == "style":
            return value if _ALIGN.fullmatch(value) else None
        if tag == "input":  # the task list's inert checkbox, and nothing else
            return value if name in ("checked", "disabled") or (name == "type" and value == "checkbox") else None
        return value

    return check


def sanitize(html: str, ids: frozenset[str] = frozenset()) -> str:
    """The one door for HTML made from ticket text: GitHub's allowlist (tags, attributes, URL
    schemes) applied by nh3 to a whole rendered body, so raw HTML split over Markdown blocks
    (`<details>`, text, `</details>`) is judged as the browser will read it and every tag it
    leaves open is closed here, inside the body. `ids` are the heading anchors this body made."""
    tags = set(GITHUB_TAGS | _OWN_TAGS)
    attributes = {tag: set(names) for tag, names in GITHUB_ATTRIBUTES.items()}
    for tag, names in _OWN_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(names)
    for tag in _CLASSED:
        attributes.setdefault(tag, set()).add("class")
    attributes["input"].add("type")
    marked = html.replace("\0", f"tg{_NONCE}z").replace("\x01", f"tg{_NONCE}y")
    clean = nh3.clean(
        marked,
        tags=tags,
        clean_content_tags={"script", "style"},
        attributes=attributes,
        attribute_filter=_attribute(ids),
        strip_comments=True,
        link_rel=None,
        url_schemes=set(SAFE_SCHEMES | {"data"}),
        set_tag_attribute_values={"input": {"type": "checkbox", "disabled": ""}},
    )
    return clean.replace(f"tg{_NONCE}z", "\0").replace(f"tg{_NONCE}y", "\x01")


def resolve_links(html: str, mention: Callable[[int], str | None], repo: Callable[[str], str | None]) -> str:
    """Fill the link markers for one page: `mention(number)` gives the href of a ticket's page
    (None: no such ticket, the mention stays text-like); `repo(url)` the href of a repository
    link (None: keep the URL as written)."""
    if "\0" not in html:
        return html

    def fill(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            found = mention(int(m.group(1)))
            return m.group(2) if found is None else f'<a class="tg-mention" href="{escape(found)}">{m.group(2)}</a>'
        value = unescape(m.group(3))
        found = repo(value)
        return escape(found if found is not None else value)

    return _MARKER.sub(fill, html)
