"""Rules on what a ticket says, read against the schema: fields, dates, sections, placeholders,
action items, links and declared resources. No field or section name is written here."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from ...core.kinds import ResourceRef, invalid_resources
from ...core.records import Field, Ticket
from ...core.template import parse_date
from ...core.validate import local_target, target_problem
from ..context import DocView, LintContext
from ..model import Hit
from ..rule import EXAMPLE, example, rule

_PROBLEM = "Users who reset their password cannot log in until the session cache expires."


def _status_name(ctx: LintContext) -> str:
    return ctx.schema.role("status") or "status"


@rule(
    "TG004",
    "missing-title",
    "error",
    "A ticket heading has an ID but no title.",
    scope="ticket",
    why="The title is what lists, indexes and search show; an ID alone says nothing.",
    bad=example(": Login fails after a password reset", ":"),
    good=EXAMPLE,
    how_to_fix="Add a short title after the ID: `## TICKET-001: Login fails after a password reset`.",
)
def missing_title(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    if not ticket.title:
        yield Hit(ticket.line, 1, f"{ticket.id} has no title")


@rule(
    "TG010",
    "missing-field",
    "error",
    "A metadata field of the template is missing.",
    scope="ticket",
    why="Every field of the template is part of the schema: lists and filters rely on it.",
    bad=example("**Priority:** High\n", ""),
    good=EXAMPLE,
    how_to_fix="Add the field's `**Name:** value` line under the heading, in the template's order.",
)
def missing_field(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    present = {f.name.casefold() for f in ticket.all_fields}
    for spec in ctx.schema.fields:
        if spec.name.casefold() not in present:
            yield Hit(ticket.line, 1, f"{ticket.id} has no **{spec.name}:** line")


@rule(
    "TG011",
    "duplicate-field",
    "error",
    "A metadata field appears more than once.",
    scope="ticket",
    why="With two values, which one is true? Tools read the first; readers may see the second.",
    bad=example("**Priority:** High\n", "**Priority:** High\n**Priority:** Low\n"),
    good=EXAMPLE,
    how_to_fix="Keep one line per field.",
)
def duplicate_field(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    seen: dict[str, int] = {}
    for f in ticket.all_fields:
        key = f.name.casefold()
        if key in seen:
            yield Hit(f.line, 1, f"**{f.name}:** repeats the line {seen[key]}")
        else:
            seen[key] = f.line


@rule(
    "TG012",
    "empty-field",
    "error",
    "A metadata field has no value.",
    scope="ticket",
    why="An empty field is a missing value that looks present.",
    bad=example("**Component:** auth service", "**Component:**"),
    good=EXAMPLE,
    how_to_fix="Fill in the value.",
)
def empty_field(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    for f in ticket.all_fields:
        if ctx.field_spec(f.name) is not None and not f.raw.strip():
            yield Hit(f.line, f.column, f"**{f.name}:** is empty")


def _is_placeholder(value: str, placeholder: str) -> bool:
    return bool(placeholder) and value.strip().casefold() == placeholder.strip().casefold()


@rule(
    "TG013",
    "invalid-choice",
    "error",
    "A choice field's value is not one of the template's choices.",
    scope="ticket",
    why="Filters, indexes and the status workflow only know the template's values.",
    bad=example("**Status:** Open", "**Status:** Opne"),
    good=example("**Status:** Open", "**Status:** Open (blocking deploys)"),
    how_to_fix="Use one of the values the template lists (`Open | In Progress | Resolved`); "
    "a note in parentheses after the value is allowed.",
)
def invalid_choice(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    for f in ticket.all_fields:
        spec = ctx.field_spec(f.name)
        if spec is None or spec.kind != "choice" or not f.value or _is_placeholder(f.raw, spec.placeholder):
            continue
        if spec.choice_for(f.value) is None:
            yield Hit(f.line, f.column, f"**{f.name}:** {f.value!r} is not one of: {', '.join(spec.choices)}")


@rule(
    "TG015",
    "invalid-date",
    "error",
    "A date field is not a valid ISO date (YYYY-MM-DD).",
    scope="ticket",
    why="Ages, sorting and triage read dates; `2026-13-40` or `March 3` cannot be read.",
    bad=example("2026-01-06", "2026-13-40"),
    good=EXAMPLE,
    how_to_fix="Write the date as YYYY-MM-DD, a real calendar date.",
)
def invalid_date(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    for f, day in _dates(ticket, ctx):
        if day is None:
            yield Hit(f.line, f.column, f"**{f.name}:** {f.raw.strip()!r} is not a valid date (YYYY-MM-DD)")


def _dates(ticket: Ticket, ctx: LintContext) -> Iterator[tuple[Field, dt.date | None]]:
    """Each filled-in date field with its date (None when it is not a valid date)."""
    for f in ticket.all_fields:
        spec = ctx.field_spec(f.name)
        if spec is not None and spec.kind == "date" and f.raw.strip() and not _is_placeholder(f.raw, spec.placeholder):
            yield f, parse_date(f.raw.strip())


@rule(
    "TG016",
    "future-date",
    "error",
    "A date field is in the future.",
    scope="ticket",
    why="A problem cannot be discovered tomorrow; a future date is a typo (year or month).",
    bad=example("2026-01-06", "2099-01-06"),
    good=EXAMPLE,
    how_to_fix="Correct the date.",
)
def future_date(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    for f, day in _dates(ticket, ctx):
        if day is not None and day > ctx.today:
            yield Hit(f.line, f.column, f"**{f.name}:** {day.isoformat()} is in the future (today is {ctx.today})")


@rule(
    "TG017",
    "unknown-field",
    "info",
    "A metadata line that the template does not define (allowed).",
    scope="ticket",
    why="Extra lines such as `**Owner:**` are fine, but a misspelt field name (`**Priorty:**`) shows up here.",
    bad=example("**Component:** auth service\n", "**Component:** auth service\n**Owner:** identity team\n"),
    good=EXAMPLE,
    how_to_fix="Nothing, if the line is intended. Otherwise spell it as the template does.",
)
def unknown_field(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    names = [s.name for s in ctx.schema.fields]
    for f in ticket.all_fields:
        if ctx.field_spec(f.name) is None:
            close = difflib.get_close_matches(f.name, names, n=1, cutoff=0.75)
            hint = f" (did you mean **{close[0]}:**?)" if close else ""
            yield Hit(f.line, 1, f"**{f.name}:** is not a template field{hint}")


@rule(
    "TG018",
    "frontmatter-mismatch",
    "error",
    "A frontmatter value disagrees with the ticket's metadata line.",
    scope="ticket",
    why="Tools that read the frontmatter and tools that read the metadata lines would disagree.",
    bad="---\nstatus: Resolved\n---\n" + EXAMPLE,
    good="---\nstatus: Open\ntags: [auth]\n---\n" + EXAMPLE,
    how_to_fix="Make both say the same, or drop the key from the frontmatter.",
)
def frontmatter_mismatch(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    if not ticket.frontmatter:
        return
    by_name = {f.name.casefold(): f for f in ticket.all_fields}
    for key, raw in ticket.frontmatter.items():
        spec = ctx.field_spec(str(key))
        found = by_name.get(spec.name.casefold()) if spec else None
        if spec is None or found is None or raw is None:
            continue
        value = raw.isoformat() if isinstance(raw, dt.date) else str(raw)
        mine = found.value if spec.kind == "choice" else found.raw
        same = (spec.choice_for(value) or value).casefold() == (spec.choice_for(mine) or mine).casefold()
        if not same:
            yield Hit(
                found.line, found.column, f"frontmatter says {key}: {value!r}, the **{found.name}:** line says {mine!r}"
            )


def _sections_by_template(ticket: Ticket, ctx: LintContext):
    return ctx.sections(ticket)


@rule(
    "TG020",
    "missing-section",
    "error",
    "A required section is missing (by default the template's first section and its action items).",
    scope="ticket",
    why="A ticket without a problem statement or next steps cannot be acted on. "
    "Which sections are required is set per status in `[tool.ticketgen.lint] required_sections`.",
    bad=example("### Action Items\n\n- [ ] Invalidate the session cache on password reset\n", "").rstrip() + "\n",
    good=EXAMPLE,
    how_to_fix="Add the section with the template's heading, or configure `required_sections` for this status.",
)
def missing_section(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    present = {title for title, _ in _sections_by_template(ticket, ctx) if title}
    for title in ctx.settings.required_sections(ticket.status):
        if title not in present:
            status = f" ({_status_name(ctx)}: {ticket.status})" if ticket.status else ""
            yield Hit(ticket.line, 1, f"{ticket.id} has no '{title}' section{status}")


@rule(
    "TG021",
    "section-order",
    "warning",
    "Template sections are not in the template's order.",
    scope="ticket",
    why="Readers find things where the template puts them.",
    bad=example(f"### Problem Statement\n\n{_PROBLEM}\n\n", "") + f"\n### Problem Statement\n\n{_PROBLEM}\n",
    good=EXAMPLE,
    how_to_fix="Move the section to its place in the template's order.",
)
def section_order(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    order = {s.title: n for n, s in enumerate(ctx.schema.sections)}
    highest: tuple[int, str] | None = None
    for title, section in _sections_by_template(ticket, ctx):
        if title is None:
            continue
        rank = order[title]
        if highest is not None and rank < highest[0]:
            yield Hit(section.line, 1, f"'{section.title}' should come before '{highest[1]}' (template order)")
        elif highest is None or rank > highest[0]:
            highest = (rank, title)


@rule(
    "TG022",
    "empty-section",
    "warning",
    "A section has a heading but no content.",
    scope="ticket",
    why="An empty section looks answered but is not; delete it or fill it in.",
    bad=example("### Action Items", "### Expected Behavior\n\n### Action Items"),
    good=EXAMPLE,
    how_to_fix="Write the content, or remove the heading (unless the section is required).",
)
def empty_section(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    for n, section in enumerate(ticket.sections):
        nested = n + 1 < len(ticket.sections) and ticket.sections[n + 1].level > section.level
        if section.is_empty and not nested:
            yield Hit(section.line, 1, f"section '{section.title}' is empty")


@rule(
    "TG023",
    "placeholder-text",
    "error",
    "The title or a metadata field still holds the template's placeholder.",
    scope="ticket",
    why="`affected component` or `Title` are the template talking, not the ticket. While the ticket is a draft "
    "(a section still as the template wrote it) a title or text-field placeholder is part of its one TG026 "
    "warning, so a ticket fresh from `ticketgen new` passes lint; once the sections are written it is an error. "
    "A choice or date placeholder (`Low | High`, `YYYY-MM-DD`) is no value at all: always an error.",
    bad=example("auth service", "affected component"),
    good=EXAMPLE,
    how_to_fix="Replace the placeholder with the real content (or remove an optional section).",
)
def placeholder_text(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    draft = bool(_draft_sections(ticket, view, ctx))
    for what, hit in _placeholders(ticket, ctx):
        if not (draft and what in _drafted(ticket, ctx)):
            yield hit


def _drafted(ticket: Ticket, ctx: LintContext) -> list[str]:
    """Placeholders a draft may keep (part of its TG026 warning): the title and text fields, as
    `ticketgen new` leaves them; a choice or date placeholder is no value at all, so stays TG023."""
    return [
        what
        for what, _ in _placeholders(ticket, ctx)
        if what == "the title" or getattr(ctx.field_spec(what), "kind", None) == "text"
    ]


def _placeholders(ticket: Ticket, ctx: LintContext) -> list[tuple[str, Hit]]:
    """(what, hit) for the title and each metadata value still as the template has it."""
    schema = ctx.schema
    found = []
    if _is_placeholder(ticket.title, schema.title_placeholder):
        found.append(("the title", Hit(ticket.line, 1, f"the title is the template's placeholder {ticket.title!r}")))
    # The resolved-date field waits for `ticketgen close`: its placeholder is right while the work is open.
    waiting = schema.resolved_field if not schema.is_done(ticket.status) else None
    for f in ticket.all_fields:
        if waiting is not None and f.name.casefold() == waiting.casefold():
            continue
        spec = ctx.field_spec(f.name)
        if spec is not None and f.raw.strip() and _is_placeholder(f.raw, spec.placeholder):
            message = f"**{f.name}:** still holds the template's placeholder {spec.placeholder!r}"
            found.append((f.name, Hit(f.line, f.column, message)))
    return found


@rule(
    "TG026",
    "draft-sections",
    "warning",
    "Sections still hold the template's text: the ticket is a draft (one finding per ticket).",
    scope="ticket",
    why="`ticketgen new` writes every section as the template has it; until they are written the ticket "
    "says nothing. One finding per ticket, not one per section, keeps a fresh ticket readable in lint; it also "
    "names the title and fields still holding the template's placeholder (TG023 once the sections are written).",
    bad=example(
        "Users who reset their password cannot log in until the session cache expires.", "What's broken or limiting?"
    ),
    good=EXAMPLE,
    how_to_fix="Write the sections (or remove the optional ones).",
)
def draft_sections(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    drafts = _draft_sections(ticket, view, ctx)
    if drafts:
        count = f"{len(drafts)} section{'s' if len(drafts) != 1 else ''}"
        names = ", ".join(title for _, title in drafts)
        message = f"draft: {count} to write, still as the template wrote them ({names})"
        left = _drafted(ticket, ctx)
        if left:
            message += f"; placeholders to fill: {', '.join(left)}"
        yield Hit(drafts[0][0], 1, message)


def _draft_sections(ticket: Ticket, view: DocView, ctx: LintContext) -> list[tuple[int, str]]:
    """(first placeholder line, section title) of each section still as the template wrote it."""
    drafts: list[tuple[int, str]] = []
    for title, section in _sections_by_template(ticket, ctx):
        spec = ctx.schema.section(title) if title else None
        if spec is None or not spec.placeholder:
            continue
        placeholder_lines = {line.strip() for line in spec.placeholder.splitlines() if line.strip()}
        if not any(placeholder in section.body for placeholder in placeholder_lines):
            continue  # the common case, decided without going through the section line by line
        for offset, line in enumerate(section.body.splitlines(), section.line + 1):
            if line.strip() in placeholder_lines and offset not in view.code_lines:
                drafts.append((offset, spec.title))
                break
    return drafts


@rule(
    "TG024",
    "unknown-section",
    "info",
    "A section that the template does not define; the closest template section is suggested.",
    scope="ticket",
    why="Extra sections are allowed, but a renamed one (`Current Workarounds`) is invisible to tools that "
    "look for the template's name. `[tool.ticketgen.lint] aliases` maps it and silences this.",
    bad=example("### Action Items", "### Current Workarounds\n\nRestart the session service.\n\n### Action Items"),
    good=example("### Action Items", "### Workarounds\n\nRestart the session service.\n\n### Action Items"),
    how_to_fix="Rename the heading to the template's, or add an alias: "
    '`aliases = {"Current Workarounds" = "Workarounds"}`.',
)
def unknown_section(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    titles = tuple(s.title for s in ctx.schema.sections)
    top = min((s.level for s in ticket.sections), default=0)
    for title, section in _sections_by_template(ticket, ctx):
        if title is not None or section.level != top:
            continue
        close = closest_section(section.title.casefold(), titles)
        hint = f"; closest template section: '{close}'" if close else ""
        yield Hit(section.line, 1, f"section '{section.title}' is not in the template{hint}")


@functools.lru_cache(maxsize=1024)
def closest_section(heading: str, titles: tuple[str, ...]) -> str | None:
    """A template title contained in the heading (or containing it), else the most similar one."""
    contained = [t for t in titles if t.casefold() in heading or heading in t.casefold()]
    if contained:
        return contained[0]
    folded = {t.casefold(): t for t in titles}
    similar = difflib.get_close_matches(heading, list(folded), n=1, cutoff=0.7)
    return folded[similar[0]] if similar else None


@rule(
    "TG025",
    "duplicate-section",
    "warning",
    "A template section appears more than once.",
    scope="ticket",
    why="Tools read the first one; the second is easy to miss.",
    bad=EXAMPLE + "\n### Problem Statement\n\nAlso on mobile.\n",
    good=EXAMPLE,
    how_to_fix="Merge the two sections.",
)
def duplicate_section(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    seen: dict[str, int] = {}
    for title, section in _sections_by_template(ticket, ctx):
        if title is None:
            continue
        if title in seen:
            yield Hit(section.line, 1, f"'{section.title}' repeats the section at line {seen[title]}")
        else:
            seen[title] = section.line


def _action_section(ticket: Ticket, ctx: LintContext):
    wanted = ctx.schema.role("action_items")
    if wanted is None:
        return None
    return next((s for t, s in _sections_by_template(ticket, ctx) if t == wanted), None)


@rule(
    "TG030",
    "action-item-not-task",
    "warning",
    "An item under the action-items section is not a task-list checkbox with text.",
    scope="ticket",
    why="Open and done items are counted from `- [ ]` and `- [x]`; a plain bullet is neither.",
    bad=example("- [ ] Invalidate", "- Invalidate"),
    good=EXAMPLE,
    how_to_fix="Write each item as `- [ ] text` (open) or `- [x] text` (done).",
)
def action_item_not_task(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    from ...core.markdown import block_tokens, match_task

    section = _action_section(ticket, ctx)
    if section is None or not section.body.strip():
        return
    if _all_items_are_tasks(ticket, section, view):
        return  # the common case, decided without parsing the section again
    tokens = block_tokens(section.body)
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif tok.type == "list_item_open" and depth == 1 and tok.map:
            line = section.line + 1 + tok.map[0]
            inline = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 2].type == "inline" else None
            task = match_task(inline.content) if inline is not None else None
            if task is None:
                yield Hit(line, 1, "action item is not a task-list checkbox (`- [ ] ...`)")
            elif not task.text:
                yield Hit(line, 1, "task has no text")


_ITEM_START = re.compile(r"^[ \t]{0,3}(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]|$)")


def _all_items_are_tasks(ticket: Ticket, section, view: DocView) -> bool:
    """True when every line that could start a list item in the section is a parsed task item.
    A cheap, conservative pre-check: anything else goes to the token-based check."""
    tasks = {item.line for item in ticket.action_items if item.text}
    code = view.code_lines
    for line in range(section.line + 1, section.end_line + 1):
        if line not in code and line not in tasks and _ITEM_START.match(view.lines[line - 1]):
            return False
    return True


@rule(
    "TG031",
    "no-open-action-items",
    "warning",
    "A ticket that is not done has no open action item.",
    scope="ticket",
    why="An open ticket with every item ticked is either done (update the status) or missing its next step.",
    bad=example("- [ ] Invalidate", "- [x] Invalidate"),
    good=EXAMPLE,
    how_to_fix="Add the next step as `- [ ] ...`, or set the status to a done value (the status field's last "
    "choice by default; `done` in `[tool.ticketgen.roles]`).",
)
def no_open_action_items(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    if ticket.status is None or ctx.schema.is_done(ticket.status):
        return
    section = _action_section(ticket, ctx)
    if section is not None and not ticket.open_items:
        yield Hit(section.line, 1, f"{ticket.id} is {ticket.status} but has no open action item")


@rule(
    "TG032",
    "done-with-open-items",
    "warning",
    "A done ticket (Resolved in the default template) still has open action items.",
    scope="ticket",
    why="Either the work is not done or the list was not updated.",
    bad=example("**Status:** Open", "**Status:** Resolved"),
    good=example("**Status:** Open", "**Status:** Resolved").replace("- [ ]", "- [x]"),
    how_to_fix="Tick the items that were done (`[x]`), move the rest to a new ticket, or reopen this one.",
)
def done_with_open_items(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    if ctx.schema.is_done(ticket.status):
        for item in ticket.open_items:
            yield Hit(item.line, 1, f"{ticket.id} is {ticket.status} but this item is open: {item.text[:60]!r}")


@rule(
    "TG040",
    "malformed-link",
    "warning",
    "A link has no target, no text, a malformed URL, or points to a local file that does not exist.",
    scope="ticket",
    why="References are how the next person finds the context; a broken one is a dead end.",
    bad=EXAMPLE + "\n### References\n\n- [runbook]()\n- [design](htps//example.com/design)\n",
    good=EXAMPLE + "\n### References\n\n- [design](https://example.com/design)\n",
    how_to_fix="Give every link text and a full URL (`https://...`) or an existing relative path.",
)
def malformed_link(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    for ref in ticket.references:
        url = ref.url.strip()
        problem = None
        if not url:
            problem = "has no target"
        elif not ref.text:
            problem = "has no text"
        else:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and not parts.netloc:
                problem = "is not a valid URL"
            elif (target := local_target(url)) is not None:
                problem = target_problem(target)
            # Whether a local target exists is checked on every run, cached or not (engine: `_missing_targets`).
        if problem:
            yield Hit(ref.line, 1, f"link [{ref.text}]({url}) {problem}")


@rule(
    "TG050",
    "invalid-resource",
    "error",
    "A declared resource (the `**Resources:**` line or frontmatter `resources:`) is not a valid Kubernetes name.",
    scope="ticket",
    why="Runbooks turn declared resources into commands; a malformed or unsafe name such as "
    "`terraform/ns/$(rm -rf ~)` must never reach a shell.",
    bad="---\nresources:\n  - terraform/ns/$(rm -rf ~)\n---\n" + EXAMPLE,
    good="---\nresources:\n  - deployment/auth/session-service\n---\n" + EXAMPLE,
    how_to_fix="Write resources as `kind/namespace/name` with valid Kubernetes names "
    "(lowercase letters, digits, `-`, `.`).",
)
def invalid_resource(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    fields = (
        (ctx.runbook_settings.resources_field, ctx.runbook_settings.frontmatter_key) if ctx.runbook_settings else ()
    )
    for line, message in invalid_resources(ticket, *fields):
        yield Hit(line, 1, message)


@rule(
    "TG051",
    "resource-not-in-manifests",
    "warning",
    "A resource the ticket names (declared, or in its shell blocks) is not defined by the manifests "
    "(only when `manifests` is configured).",
    scope="ticket",
    why="With `manifests = [...]` the repo's own YAML says which objects exist. A ticket about any other "
    "object has a typo in the name, or names an object gone from Git: its runbook would recover nothing. "
    "Objects that live outside Git can be listed in `runbooks/resources.yaml`. A manifest that cannot be read "
    "keeps this rule quiet (`ticketgen runbooks` reports it). In the examples, the manifests define the "
    "HelmRelease `ingest/cube`.",
    bad=example("**Component:** auth service", "**Component:** auth service\n**Resources:** hr/ingest/cubes"),
    good=example("**Component:** auth service", "**Component:** auth service\n**Resources:** hr/ingest/cube"),
    how_to_fix="Correct the `kind/namespace/name` to an object the manifests define (`ticketgen resources` "
    "lists them), or list an object that lives outside Git in `runbooks/resources.yaml`.",
)
def resource_not_in_manifests(ticket: Ticket, view: DocView, ctx: LintContext) -> Iterator[Hit]:
    if ctx.defined is None or ctx.runbook_settings is None:
        return
    from ...runbooks.collect import declared_resources
    from ...runbooks.detect import detect_in_ticket

    seen: set[ResourceRef] = set()
    for ref, origin in declared_resources(ticket, ctx.runbook_settings) + detect_in_ticket(ticket):
        message = ctx.defined.missing(ref)
        if message and ref not in seen:
            seen.add(ref)
            yield Hit(origin.line, 1, message)
