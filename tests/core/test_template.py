from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, SEED
from ticketgen.core.errors import ConfigError
from ticketgen.core.template import load_schema, schema_from_text


def test_seed_template_read_from_its_fenced_block():
    schema = load_schema(SEED)
    assert schema.prefix == "TICKET-"
    assert schema.width == 3
    assert schema.heading_level == 2
    assert [(f.name, f.kind) for f in schema.fields] == [
        ("Status", "choice"),
        ("Priority", "choice"),
        ("Discovered", "date"),
        ("Component", "text"),
    ]
    assert schema.field("status").choices == ("Open", "In Progress", "Resolved")
    assert [s.title for s in schema.sections] == [
        "Problem Statement",
        "Observed Behavior",
        "Expected Behavior",
        "Workarounds",
        "Potential Solutions",
        "Action Items",
        "References",
    ]
    assert schema.section("Problem Statement").placeholder == "What's broken or limiting?"


def test_roles_follow_from_kinds_and_order_not_names():
    schema = schema_from_text(
        "## BUG-0000: Summary\n\n**State:** New | Doing | Done\n**Severity:** S1 | S2\n"
        "**Seen on:** YYYY-MM-DD\n**Area:** which part\n**Owner:** someone\n\n"
        "### What happened\nText.\n\n### To do\n- [ ] step\n"
    )
    assert schema.prefix == "BUG-"
    assert schema.width == 4
    assert schema.roles == {
        "status": "State",
        "priority": "Severity",
        "discovered": "Seen on",
        "component": "Area",
        "action_items": "To do",
    }


def test_roles_can_be_overridden_but_must_name_template_fields():
    schema = load_schema(SEED)
    assert schema.with_roles({"component": "Status"}).role("component") == "Status"
    with pytest.raises(ConfigError, match="does not define"):
        schema.with_roles({"component": "Owner"})
    with pytest.raises(ConfigError, match="unknown role"):
        schema.with_roles({"colour": "Status"})


def test_inc_template_from_examples():
    schema = load_schema(EXAMPLES / "platform-notes.md")
    assert schema.prefix == "INC-"
    assert schema.format_id(7) == "INC-007"
    assert schema.id_number("inc-012") == 12
    assert schema.id_number("TICKET-012") is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("# Just notes\n\nNo template here.\n", "no template found"),
        ("## TICKET-XXX: Title\n\n### Problem\nText\n", "no `\\*\\*Field:\\*\\* value`"),
        ("## T-XX: Title\n\n**A:** x\n**a:** y\n", "twice"),
    ],
)
def test_unusable_templates_are_config_errors(text, message, tmp_path: Path):
    path = tmp_path / "t.md"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as err:
        load_schema(path)
    assert str(path) in str(err.value)


def test_heading_inside_a_non_markdown_fence_is_not_a_template():
    text = "```python\n## TICKET-XXX: Title\n**Status:** A | B\n```\n"
    with pytest.raises(ConfigError):
        schema_from_text(text)


def test_a_quoted_heading_in_the_template_is_section_text_as_in_tickets():
    schema = schema_from_text(
        "## BUG-0000: Summary\n\n**State:** New | Done\n\n"
        "### What happened\nText.\n\n> ### Tip\n> quote the log\n\n### To do\n- [ ] step\n"
    )
    assert [s.title for s in schema.sections] == ["What happened", "To do"]
    assert "> ### Tip" in schema.section("What happened").placeholder
