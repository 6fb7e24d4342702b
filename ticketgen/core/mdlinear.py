"""markdown-it rules in time linear in the text, for every inline parse ticketgen makes.

- `[`: markdown-it tries a link at every `[`, scanning for the label's `]` and running every
  inline rule at each position on the way (up to its nesting limit). Seven lines of 131,000
  `[` cost half a minute of a site build for nothing. A `[` with no `]` after it in the same
  inline run cannot start a link, an image or a footnote, so `_unclosed_brackets` (before
  `link`) takes the whole run of such brackets as text at once: the same output.
- GFM autolinks (mdit-py-plugins): the rules copy the rest of the paragraph at every `w`,
  `:`, `@` and other stop character before looking at it, which makes a long paragraph
  quadratic. Each rule now runs only on its trigger (`:` after a protocol name, `@`, `www.`)
  and sees the text up to the next space, at most `MAX_AUTOLINK` characters: a bare URL or
  address longer than that stays text (write it as `<https://...>` or `[text](url)`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

MAX_AUTOLINK = 4096  # characters of a bare URL or e-mail address that is linked
_URL_END = re.compile(r"[ \t\r\n\x00\x0b\x0c]")  # what ends a bare URL for the GFM plugin
_PROTOCOL_BEFORE = re.compile(r"(?:https?|mailto|xmpp)$")

Rule = Callable[[StateInline, bool], bool]


def _last_close(state: StateInline) -> int:
    """The last `]` before the end of the run being parsed (-1: none), found once per run."""
    found: dict[int, int] | None = getattr(state, "_tg_last_close", None)
    if found is None:
        found = {}
        state._tg_last_close = found  # type: ignore[attr-defined]
    if state.posMax not in found:
        found[state.posMax] = state.src.rfind("]", 0, state.posMax)
    return found[state.posMax]


def _unclosed_brackets(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "[" or _last_close(state) > pos:
        return False
    end = pos + 1
    while end < state.posMax and state.src[end] == "[":
        end += 1
    if not silent:
        state.pending += state.src[pos:end]
    state.pos = end
    return True


def _protocol_trigger(state: StateInline) -> bool:
    return state.src[state.pos] == ":" and _PROTOCOL_BEFORE.search(state.pending[-6:]) is not None


def _email_trigger(state: StateInline) -> bool:
    return state.src[state.pos] == "@" and bool(state.pending) and state.pending[-1].isascii()


def _www_trigger(state: StateInline) -> bool:
    return state.src.startswith("www.", state.pos)


def _windowed(rule: Rule, trigger: Callable[[StateInline], bool]) -> Rule:
    """`rule` called only where `trigger` says it can match, on the text up to the next space."""

    def windowed(state: StateInline, silent: bool) -> bool:
        if state.linkLevel > 0 or not trigger(state):
            return False
        pos, limit = state.pos, state.posMax
        stop = min(limit, pos + MAX_AUTOLINK)
        space = _URL_END.search(state.src, pos, stop)
        if space is None and stop < limit:
            return False  # longer than MAX_AUTOLINK: text
        state.posMax = space.end() if space else stop  # the space too: the rules look one past the URL
        try:
            return rule(state, silent)
        finally:
            state.posMax = limit

    return windowed


def linear_inline_plugin(md: MarkdownIt) -> None:
    """Add the `[` rule to `md`, and bound the GFM autolink rules if `md` has them."""
    md.inline.ruler.before("link", "ticketgen_unclosed_brackets", _unclosed_brackets)
    names = {rule.name for rule in md.inline.ruler.__rules__}
    if "gfm_autolink_protocol" in names:
        from mdit_py_plugins.gfm_autolink.index import _email_rule, _protocol_rule, _www_inline_rule

        md.inline.ruler.at("gfm_autolink_www", _windowed(_www_inline_rule, _www_trigger))
        md.inline.ruler.at("gfm_autolink_protocol", _windowed(_protocol_rule, _protocol_trigger))
        md.inline.ruler.at("gfm_autolink_email", _windowed(_email_rule, _email_trigger))
