import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES, SEED
from ticketgen.core.parse import parse_document, read_document
from ticketgen.core.template import load_schema, schema_from_text

SEED_SCHEMA = load_schema(SEED)
INC_SCHEMA = load_schema(EXAMPLES / "platform-notes.md")


def test_seed_is_exactly_one_ticket_plus_its_template():
    doc = read_document(SEED, SEED_SCHEMA)
    assert [t.id for t in doc.tickets] == ["TICKET-001"]
    t = doc.tickets[0]
    assert t.title == "Tofu-Controller Source Refresh on Retry"
    assert (t.status, t.status_note, t.priority) == ("Open", None, "Medium")
    assert t.discovered == dt.date(2026, 1, 6)
    assert t.component == "tofu-controller / Flux GitOps"
    assert len(t.action_items) == 4 and not any(a.done for a in t.action_items)
    assert t.action_items[0].text == "Open GitHub issue on flux-iac/tofu-controller requesting this feature"
    assert [(r.text, r.url) for r in t.references] == [
        ("tofu-controller docs", "https://flux-iac.github.io/tofu-controller/"),
        ("Flux GitRepository", "https://fluxcd.io/flux/components/source/gitrepositories/"),
    ]
    assert (t.line, t.end_line) == (7, 100)  # heading to the last reference
    kinds = [c.kind for c in doc.other]
    assert kinds.count("template") == 1
    template = next(c for c in doc.other if c.kind == "template")
    assert template.line == 106
    assert "text" in kinds  # the intro is kept, not dropped


def test_sections_are_verbatim_and_in_order():
    t = read_document(SEED, SEED_SCHEMA).tickets[0]
    titles = [s.title for s in t.sections]
    assert titles[:3] == ["Problem Statement", "Observed Behavior", "Why This Breaks GitOps"]
    assert titles[-2:] == ["Action Items", "References"]
    observed = t.section("observed behavior")
    assert observed.body.startswith("\n```\nTimeline:\n22:06 - Terraform applies successfully (commit A)\n")
    assert observed.body.endswith("```\n")
    lines = SEED.read_text().splitlines()
    assert lines[observed.line - 1] == "### Observed Behavior"
    assert lines[observed.end_line - 1] == "```"
    assert "yaml" in [c.info for c in t.code_blocks]


def test_platform_notes_variations():
    doc = read_document(EXAMPLES / "platform-notes.md", INC_SCHEMA)
    by_id = {t.id: t for t in doc.tickets}
    assert list(by_id) == ["INC-007", "INC-008", "INC-009"]
    inc7, inc8, inc9 = by_id.values()
    # status qualifier
    assert (inc7.status, inc7.status_note) == ("Open", "blocking deploys")
    assert (inc9.status, inc9.status_note) == ("In Progress", "fix merged, waiting for rollout")
    # lowercase values: canonical role value, raw text kept
    assert (inc8.status, inc8.priority) == ("Resolved", "Medium")
    assert inc8.fields["Status"].raw == "resolved"
    # invalid date: no date, raw kept with its position
    assert inc9.discovered is None
    assert inc9.fields["Discovered"].raw == "2026-13-40"
    assert inc9.fields["Discovered"].line == 131
    # `*` bullets and [X]
    assert [(a.text, a.done) for a in inc7.action_items] == [
        ("Raise upgrade retries to 5 and add remediation strategy rollback", False),
        ("Document the reset procedure (this ticket)", True),
    ]
    # mentions of other tickets, including one that does not exist
    assert inc7.related == ["INC-003", "INC-011"]
    # indented code block is code, not a heading or text
    assert any(c.info == "" and "apps-dashboards" in c.content for c in inc9.code_blocks)
    # empty section kept as empty
    assert inc9.section("Expected Behavior").is_empty
    # sections outside the template are kept
    assert "Root Cause" in [s.title for s in inc7.sections]
    # the FLOW record and the template are reported, not dropped
    foreign = [c for c in doc.other if c.kind == "foreign"]
    assert [c.label for c in foreign] == ["FLOW-001: Rotate the object-store credentials"]
    assert any(c.kind == "template" for c in doc.other)


def test_bom_crlf_frontmatter_file():
    path = EXAMPLES / "tickets" / "INC-013-crlf-and-mismatch.md"
    doc = read_document(path, INC_SCHEMA)
    (t,) = doc.tickets
    assert t.id == "INC-013"
    assert t.frontmatter == {"status": "Resolved"}
    assert t.status == "Open"
    assert t.line == 4
    assert t.fields["Priority"].line == 7
    assert [a.text for a in t.action_items] == ["Pick one"]
    assert "\r\n" in t.text and t.text.startswith("## INC-013")


def test_frontmatter_extra_fields():
    doc = read_document(EXAMPLES / "tickets" / "INC-012-registry-pull-secret.md", INC_SCHEMA)
    (t,) = doc.tickets
    assert t.frontmatter["resources"] == ["deployment/ingest/ingest-worker"]
    assert t.frontmatter["owner"] == "platform-team"
    assert t.line == 7


def test_headings_in_code_are_code_and_tabs_plus_bullets_read():
    text = (
        "## TICKET-004: Tabs\n\n**Status:**\tIn progress\n**Priority:** High\n\n"
        "### Action Items\n+ [x] plus bullet\n\t- [ ] nested under tab\n- [ ]\n\n"
        "```md\n## TICKET-999: not a ticket\n```\n\n    ## TICKET-998: indented code\n"
    )
    doc = parse_document(text, Path("t.md"), SEED_SCHEMA)
    assert [t.id for t in doc.tickets] == ["TICKET-004"]
    t = doc.tickets[0]
    assert t.status == "In Progress"
    assert [(a.text, a.done) for a in t.action_items] == [
        ("plus bullet", True),
        ("nested under tab", False),
        ("", False),
    ]
    assert t.related == []


def test_mentions_skip_code_and_self():
    text = "## TICKET-001: A\n\nSee TICKET-002 and `TICKET-003`, also TICKET-001.\n\n```\nTICKET-004\n```\n"
    (t,) = parse_document(text, Path("t.md"), SEED_SCHEMA).tickets
    assert t.related == ["TICKET-002"]


def test_bad_frontmatter_is_a_problem_with_a_line_and_the_body_still_parses():
    text = "---\ntags: [a, b\nowner: x\n---\n## TICKET-001: A\n\n**Status:** Open\n"
    doc = parse_document(text, Path("bad.md"), SEED_SCHEMA)
    assert [t.id for t in doc.tickets] == ["TICKET-001"]
    (problem,) = doc.problems
    assert problem.code == "frontmatter" and problem.path == Path("bad.md")
    assert 2 <= problem.line <= 4
    scalar = parse_document("---\njust a string\n---\n## TICKET-001: A\n", Path("s.md"), SEED_SCHEMA)
    assert "mapping" in scalar.problems[0].message


def test_malformed_and_group_headings_are_kept():
    text = "# Group\n\nintro\n\n## TICKET-abc: broken\n\ntext\n\n## TICKET-002: fine\n\n**Status:** Open\n"
    doc = parse_document(text, Path("m.md"), SEED_SCHEMA)
    assert [t.id for t in doc.tickets] == ["TICKET-002"]
    assert [(c.kind, c.line) for c in doc.other if c.kind == "malformed"] == [("malformed", 5)]
    assert doc.other[0].kind == "text" and doc.other[0].line == 1


def test_another_template_needs_no_code_change():
    schema = schema_from_text(
        "## ADR-0000: Title\n\n**State:** Proposed | Accepted\n**Date:** YYYY-MM-DD\n\n### Context\nWhy\n"
    )
    doc = parse_document(
        "## ADR-0012: Use Flux\n\n**State:** accepted (by vote)\n**Date:** 2026-02-03\n\n### Context\nGitOps.\n",
        Path("adr.md"),
        schema,
    )
    (t,) = doc.tickets
    assert (t.id, t.number, t.status, t.status_note, t.discovered) == (
        "ADR-0012",
        12,
        "Accepted",
        "by vote",
        dt.date(2026, 2, 3),
    )
    assert t.priority is None  # this template has no second choice field


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("#-*+>[]()`:!|\n\r\t Xx019TICKET-_~\u00a0\ufeff<>")) | st.characters(),
        max_size=400,
    )
)
def test_parser_never_raises_on_arbitrary_text(text):
    doc = parse_document(text, Path("fuzz.md"), SEED_SCHEMA)
    for t in doc.tickets:
        assert 1 <= t.line <= t.end_line
        t.to_json()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parser_never_raises_inside_a_ticket(body):
    text = "---\na: 1\n---\n## TICKET-001: T\n\n**Status:** Open\n\n### Action Items\n" + body
    doc = parse_document(text, Path("fuzz.md"), SEED_SCHEMA)
    assert doc.tickets[0].id == "TICKET-001"


def test_reference_style_links_stay_with_their_ticket():
    text = (
        "## TICKET-001: r\n\n**Status:** Open\n\n### Problem Statement\nSee [docs][1] and [short].\n\n"
        "[1]: https://e.x\n[short]: https://s.x\n\n---\n\n## TICKET-002: t\n"
    )
    first, _ = parse_document(text, Path("r.md"), SEED_SCHEMA).tickets
    assert [(r.text, r.url) for r in first.references] == [("docs", "https://e.x"), ("short", "https://s.x")]
    assert first.text.endswith("[short]: https://s.x\n")
    assert first.section("Problem Statement").body.endswith("[short]: https://s.x\n")


def test_headings_in_quotes_and_list_items_are_text_not_sections_or_tickets():
    text = (
        "## TICKET-009: Quoted upstream notes\n\n**Status:** Open\n\n### Problem Statement\n\nUpstream says:\n\n"
        "> ### Action Items\n> - [ ] upstream task\n\nOur analysis continues.\n\n"
        "- an item\n  ## TICKET-010: not a ticket of its own\n\n### Action Items\n\n- [ ] ours\n"
    )
    doc = parse_document(text, Path("t.md"), SEED_SCHEMA)
    assert [t.id for t in doc.tickets] == ["TICKET-009"]
    t = doc.tickets[0]
    assert [s.title for s in t.sections] == ["Problem Statement", "Action Items"]
    assert "> ### Action Items" in t.section("problem statement").body
    assert "Our analysis continues." in t.section("problem statement").body
    assert [a.text for a in t.action_items] == ["ours"]
    assert t.related == ["TICKET-010"]  # still a mention


def _stored_and_read_back(doc):
    """Through the cache's record codec and JSON text, as the cache stores a document."""
    import json

    from ticketgen.core.records import document_from_data, document_to_data

    doc.release_tokens()
    return document_from_data(json.loads(json.dumps(document_to_data(doc))))


def _state(ticket) -> dict:
    """Every declared attribute of a ticket but the parser's tokens and the lazy spans."""
    import dataclasses

    return {f.name: getattr(ticket, f.name) for f in dataclasses.fields(ticket) if f.name not in ("tokens", "_spans")}


def test_a_document_read_back_from_the_cache_is_the_one_the_parser_made():
    # The cache stores texts, section bodies and code as spans of the file's text: every
    # string must come back exactly (a BOM, CRLF, frontmatter, repeated sections, indented code).
    crafted = (
        "\ufeff---\nowner: ana\nwhen: 2026-01-02\n1: [one, 2.5, {at: 2026-01-02 10:00:00}]\n---\r\n"
        "## TICKET-002: Twice\r\n\r\n**Status:** Open\r\n\r\n"
        "### Notes\r\nsame\r\n\r\n### Notes\r\nsame\r\n\r\n    indented code\r\n\r\n"
        "```sh\nflux get all\n```\n\n## TICKET-003: Empty sections\n\n### Notes\n\n### Notes\n"
    )
    docs = [parse_document(crafted, Path("crafted.md"), SEED_SCHEMA), read_document(SEED, SEED_SCHEMA)]
    docs.append(read_document(EXAMPLES / "platform-notes.md", INC_SCHEMA))
    docs += [read_document(path, SEED_SCHEMA) for path in sorted((EXAMPLES / "tickets").glob("*.md"))]
    for doc in docs:
        expected = [_state(t) for t in doc.tickets]
        back = _stored_and_read_back(doc)
        assert (back.path, back.text, back.frontmatter) == (doc.path, doc.text, doc.frontmatter)
        assert (back.other, back.problems) == (doc.other, doc.problems)
        assert [
            {name: getattr(t, name) for name in state} for t, state in zip(back.tickets, expected, strict=True)
        ] == expected
        # A document read back is stored again when the cache is saved with other new entries.
        again = _stored_and_read_back(_stored_and_read_back(doc))
        assert [
            {name: getattr(t, name) for name in state} for t, state in zip(again.tickets, expected, strict=True)
        ] == expected
    twice, empty = docs[0].tickets
    assert [s.body[:6] for s in twice.sections] == ["same\r\n"] * 2 and [s.body for s in empty.sections] == ["", ""]
    assert twice.code_blocks[0].content == "indented code\n"  # not a slice of the CRLF text: kept as it is


def test_only_a_top_level_thematic_break_separates_tickets():
    # `- * * *` and `> ---` at a ticket's end are a list item and a quote holding a rule: the
    # ticket's own text, kept in its body (a top-level `---` is the separator and is not).
    for last in ("- * * *", "> ---", "1. ___"):
        text = f"## TICKET-001: a\n\n**Status:** Open\n\n### Notes\n\nText.\n\n{last}\n\n---\n\n## TICKET-002: b\n"
        first, second = parse_document(text, Path("t.md"), SEED_SCHEMA).tickets
        assert first.text.endswith(f"Text.\n\n{last}\n"), last
        assert first.section("Notes").body.endswith(f"{last}\n")
        assert second.id == "TICKET-002"
    top = "## TICKET-001: a\n\n### Notes\n\nText.\n\n* * *\n"
    assert parse_document(top, Path("t.md"), SEED_SCHEMA).tickets[0].text.endswith("Text.\n")
