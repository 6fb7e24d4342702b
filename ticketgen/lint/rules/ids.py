"""Cross-file rules: they need every ticket ID in the project, so the engine computes them
from each file's ID and mention lists (cached), never from a partial view."""

from __future__ import annotations

from ..rule import EXAMPLE, Rule, add, example

add(
    Rule(
        "TG006",
        "duplicate-id",
        "Two tickets share an ID (in the files read, or on another branch with `--branches`).",
        "error",
        scope="project",
        why="IDs are how tickets are linked, found and named; two tickets with one ID break all three. "
        "Parallel branches that each took 'highest + 1' are the usual cause.",
        bad=EXAMPLE + "\n" + example("Login fails after a password reset", "Avatars do not load"),
        good=EXAMPLE
        + "\n"
        + example("TICKET-001: Login fails after a password reset", "TICKET-002: Avatars do not load"),
        how_to_fix="Give one of the tickets the next free ID (`ticketgen new` picks one that no branch uses) "
        "and update mentions of it.",
    )
)
add(
    Rule(
        "TG041",
        "missing-reference",
        "A ticket mentions a ticket ID that does not exist.",
        "error",
        scope="project",
        why="A mention of a ticket that does not exist is a typo or a ticket that was never written.",
        bad=example("on password reset", "on password reset (see TICKET-042)"),
        good=EXAMPLE
        + "\n"
        + example("TICKET-001: Login fails after a password reset", "TICKET-042: Sessions outlive resets").replace(
            "on password reset", "on password reset (see TICKET-001)"
        ),
        how_to_fix="Correct the ID, or write the missing ticket. Mentions inside code are not checked.",
    )
)
