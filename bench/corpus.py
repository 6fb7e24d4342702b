"""Generate a realistic ticket project for benchmarks: ~4 KB seed-like tickets (metadata,
7-9 sections, tables, fenced code, task lists, links, mentions of other tickets).

    python bench/corpus.py 1000 /tmp/corpus   # writes /tmp/corpus/tickets/...
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

TEMPLATE = Path(__file__).parents[1] / "ticketgen" / "data" / "template.md"
STATUSES = ["Open", "In Progress", "Resolved"]
PRIORITIES = ["Low", "Medium", "High", "Critical"]
COMPONENTS = ["tofu-controller / Flux GitOps", "ingest-api", "auth service", "object store", "helm-controller"]
WORDS = [
    "controller",
    "retry",
    "source",
    "artifact",
    "cluster",
    "interval",
    "reconcile",
    "deploy",
    "secret",
    "gateway",
    "release",
    "chart",
    "upgrade",
    "namespace",
    "kustomization",
    "dependency",
    "timeout",
    "health",
    "check",
    "rollout",
    "pipeline",
    "cache",
    "token",
]


def _sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int = 3) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def ticket_text(number: int, total: int, rng: random.Random) -> str:
    status = rng.choice(STATUSES)
    mention = f"TICKET-{rng.randint(1, total):03d}"
    sections = [
        (
            "Problem Statement",
            f"{_paragraph(rng)} The `{rng.choice(WORDS)}` step fails, see {mention}.\n\n"
            f"1. {_sentence(rng)}\n2. {_sentence(rng)}\n3. {_sentence(rng)}",
        ),
        (
            "Observed Behavior",
            "```\n" + "\n".join(f"22:{10 + i:02d} - {_sentence(rng, 8)}" for i in range(8)) + "\n```",
        ),
        ("Why This Matters", f"{_paragraph(rng)}\n\n- {_sentence(rng)}\n- {_sentence(rng)}\n- {_sentence(rng)}"),
        ("Expected Behavior", _paragraph(rng, 2)),
        (
            "Workarounds",
            "| Workaround | Pros | Cons |\n|------------|------|------|\n"
            + "\n".join(f"| {_sentence(rng, 4)} | {_sentence(rng, 3)} | {_sentence(rng, 4)} |" for _ in range(3)),
        ),
        (
            "Potential Solutions",
            "\n\n".join(
                f"{i}. **{_sentence(rng, 3)}**\n   - {_sentence(rng)}\n   - {_sentence(rng)}" for i in range(1, 4)
            ),
        ),
        ("Related Configuration", "```yaml\nspec:\n  interval: 5m\n  retryInterval: 1m\n  approvePlan: auto\n```"),
        (
            "Action Items",
            "\n".join(f"- [{'x' if status == 'Resolved' or i == 0 else ' '}] {_sentence(rng, 9)}" for i in range(4)),
        ),
        (
            "References",
            f"- [{rng.choice(WORDS)} docs](https://example.com/{rng.choice(WORDS)}/{number})\n"
            f"- [Flux GitRepository](https://fluxcd.io/flux/components/source/gitrepositories/)\n- Related: {mention}",
        ),
    ]
    keep = rng.randint(7, 9)
    drop = set(rng.sample([2, 3, 6], 9 - keep))
    body = "\n\n".join(f"### {title}\n\n{text}" for n, (title, text) in enumerate(sections) if n not in drop)
    return (
        f"## TICKET-{number:03d}: {_sentence(rng, 6)[:-1]}\n\n"
        f"**Status:** {status}\n**Priority:** {rng.choice(PRIORITIES)}\n"
        f"**Discovered:** 2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}\n"
        f"**Component:** {rng.choice(COMPONENTS)}\n\n{body}\n"
    )


def make_corpus(n: int, root: Path, seed: int = 7) -> Path:
    """A project in `root` with the default template and `n` tickets, one per file."""
    if root.exists():
        shutil.rmtree(root)
    tickets = root / "tickets"
    tickets.mkdir(parents=True)
    shutil.copy(TEMPLATE, tickets / "_template.md")
    (root / "ticketgen.toml").write_text("")
    rng = random.Random(seed)
    for number in range(1, n + 1):
        (tickets / f"TICKET-{number:03d}-generated.md").write_text(ticket_text(number, n, rng))
    return root


if __name__ == "__main__":
    made = make_corpus(int(sys.argv[1]), Path(sys.argv[2]))
    files = list((made / "tickets").glob("TICKET-*.md"))
    print(f"{len(files)} tickets, {sum(f.stat().st_size for f in files) / len(files):.0f} bytes on average, in {made}")
