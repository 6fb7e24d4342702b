"""Never a stale page: whatever line of a ticket's file changes (a trailing `---`, one nested in
a list item, a reference definition below the ticket...), the site built with the cache of the
file's old bytes is the site built without any cache."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.site.site_repo import write
from ticketgen.core.project import Project
from ticketgen.site.content import site_content
from ticketgen.site.options import load_options
from ticketgen.site.pages import SiteRenderer

TEMPLATE = (Path(__file__).parents[2] / "ticketgen" / "data" / "template.md").read_text()
ORIGINAL = [
    "## TICKET-001: Login fails\n",
    "\n",
    "**Status:** Open\n",
    "**Priority:** High\n",
    "**Discovered:** 2026-01-06\n",
    "**Component:** auth\n",
    "\n",
    "### Problem Statement\n",
    "\n",
    "Users cannot log in; see [the runbook][ref] and TICKET-002.\n",
    "\n",
    "### Action Items\n",
    "\n",
    "- [ ] Fix it\n",
    "- an item with a rule\n",
    "\n",
    "  ---\n",
    "\n",
    "---\n",
    "\n",
    "[ref]: https://example.org/runbook\n",
    "---\n",
]
# The same ticket ending in a list item, where a rule added below it was left out of the key.
ENDS_IN_A_LIST = ORIGINAL[: ORIGINAL.index("- an item with a rule\n") + 1]
LINES = st.one_of(
    st.sampled_from(
        ["---\n", "  ---\n", "  ***\n", "\n", "  more text\n", "- [x] Fix it\n", "[ref]: https://example.org/other\n"]
    ),
    st.sampled_from(["**Status:** Closed\n", "### Notes\n", "  - nested\n", "***\n", "  ___\n", "Plain words\n"]),
    st.text(alphabet="ab -*_[]:#\n", max_size=12).map(lambda s: s.replace("\n", "") + "\n"),
)


def _site(root: Path, use_cache: bool) -> dict[str, str]:
    project = Project.discover(root, use_cache=use_cache)
    renderer = SiteRenderer(project, load_options(project.config, project.schema))
    pages = {spec.src_uri: renderer.page(spec).html for spec in site_content(project, renderer).specs}
    project.cache.save(prune=True)
    return pages


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from([ORIGINAL, ENDS_IN_A_LIST]), where=st.floats(0, 1), line=LINES, insert=st.booleans())
def test_a_changed_line_is_never_served_stale(base: list[str], where: float, line: str, insert: bool):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root / "ticketgen.toml", "")
        write(root / "tickets" / "_template.md", TEMPLATE)
        path = root / "tickets" / "TICKET-001-login.md"
        write(path, "".join(base))
        _site(root, use_cache=True)  # the cache now holds the original's records and bodies
        changed = list(base)
        if insert:  # anywhere, the end included
            changed.insert(round(where * len(base)), line)
        else:
            changed[min(int(where * len(base)), len(base) - 1)] = line
        write(path, "".join(changed))
        assert _site(root, use_cache=True) == _site(root, use_cache=False)


def test_a_rule_added_in_the_last_list_item_shows(tmp_path: Path):
    """The case the old cache key missed: it left out trailing `---` lines, nested ones too."""
    write(tmp_path / "ticketgen.toml", "")
    write(tmp_path / "tickets" / "_template.md", TEMPLATE)
    path = tmp_path / "tickets" / "TICKET-001-login.md"
    write(path, "".join(ENDS_IN_A_LIST))
    before = _site(tmp_path, use_cache=True)["tickets/TICKET-001.md"]
    write(path, "".join(ENDS_IN_A_LIST) + "\n  ---\n")
    after = _site(tmp_path, use_cache=True)["tickets/TICKET-001.md"]
    assert after == _site(tmp_path, use_cache=False)["tickets/TICKET-001.md"]
    assert "<hr" not in before and "<hr" in after  # the rule, inside the list item
