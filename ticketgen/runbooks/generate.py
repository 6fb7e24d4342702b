"""Render one recovery runbook per resource from Jinja templates, and keep runbooks/ in sync.

Records -> templates -> files, like towncrier: the templates ship in the package
(ticketgen/templates/runbooks/) and a same-named file in `<runbooks_dir>/templates/` overrides one.
Ticket text reaches templates only as data (never compiled), and every value a shell block uses is
validated (resources.py) and shell-quoted here. Output holds no dates, so a rerun with nothing
changed writes nothing; a content hash in the frontmatter tells hand edits from stale output.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import shlex
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core import safe_yaml
from ..core.config import RunbooksSettings
from ..core.errors import ConfigError, ContentError
from ..core.io import read_source
from ..core.kinds import KIND_BY_ID, ResourceRef, invalid_resources, name_problem
from ..core.markdown import as_data, block_tokens, escape_markdown_line, has_control_characters
from ..core.project import Corpus, Project
from ..core.records import Ticket
from ..core.sanitize import shell as shell_text
from ..core.sanitize import shell_problem
from ..core.templating import environment, render
from .collect import FoundResource, collect_resources, load_extra_resources
from .detect import destructive_commands
from .manifests import Defined, read_manifests

GENERATOR = "ticketgen"
_FRONTMATTER = re.compile(r"\A---\n(?P<yaml>.*?\n)---\n", re.DOTALL)
_SAFE_VALUE = re.compile(r"[a-z0-9.-]*")
_SOURCE_TEXT = re.compile(r"[A-Za-z]+ [a-z0-9.-]+/[a-z0-9.-]+")

# The prefix of a kind's NS/NAME variables: each page has its own, so following another runbook
# (say, the source's) in the same shell does not overwrite them. The templates use these names.
VARIABLE_PREFIX: dict[str, str] = {
    "terraform": "TF",
    "gitrepository": "SRC",
    "ocirepository": "SRC",
    "bucket": "SRC",
    "kustomization": "KS",
    "helmrelease": "HR",
    "deployment": "DEPLOY",
}
# Extra variables a kind's template uses, with their value, what they mean and their name rule.
_EXTRA_VARIABLES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "terraform": (("CTRL_NS", "flux-system", "where tofu-controller runs", "label"),),
}


@dataclass
class Runbook:
    ref: ResourceRef
    path: Path  # absolute
    template: str
    ticket_ids: list[str]
    text: str  # frontmatter + body, as written


@dataclass
class Generation:
    runbooks: list[Runbook]
    invalid: list[tuple[Path, int, str]] = field(default_factory=list)  # declared resources left out
    corpus: Corpus | None = None  # what was read, for reporting unreadable files


def shell_literal(value: str) -> str:
    """`'value'` for a validated name: always single-quoted, so each assignment looks alike."""
    if not _SAFE_VALUE.fullmatch(value):  # validated before; never let anything else through
        raise ValueError(f"refusing to put {value!r} into a shell command")
    quoted = shlex.quote(value)
    return quoted if quoted.startswith("'") else f"'{value}'"


def content_hash(body: str) -> str:
    return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


def _environment(override_dir: Path):
    # Markdown out (no autoescape); ticket text is passed as data, never compiled.
    return environment("runbooks", override_dir, autoescape=False)


def _quote(body: str) -> str:
    """A ticket section as a blockquote of data: escaped prose, code in fences it cannot close,
    and a warning above each block that runs a command the runbooks list under "What not to do"."""
    out: list[str] = []
    parts = as_data(body.strip("\n"))
    for index, (kind, text) in enumerate(parts):
        if kind == "code":
            code = text.split("\n", 1)[-1].rsplit("\n", 1)[0]  # without the fence lines
            danger = destructive_commands(code)
            hidden = shell_problem(code)
            if hidden:  # the page shows them as \u escapes (render_runbook): say the text is not as pasted
                danger.append(f"this block {hidden} (shown as an escape): what it shows is not what would run")
            if danger:
                out += [f"> **Destructive, do not copy blindly:** {escape_markdown_line(d)}" for d in danger]
                out.append(">")
            out += [f"> {line}" if line.strip() else ">" for line in text.split("\n")]
        elif text.strip():
            following = parts[index + 1] if index + 1 < len(parts) else ("code", "")
            # a hard line break keeps the author's lines (table rows, say) apart once rendered
            out.append(f"> {text}\\" if following[0] == "prose" and following[1].strip() else f"> {text}")
        else:
            out.append(">")
    return "\n".join(out)


def _link(ticket: Ticket, runbooks_dir: Path, root: Path) -> tuple[str | None, str | None]:
    """(link target, shown path) for a ticket's file; (None, None) for a file name that holds
    control characters or newlines: such a name is never written into a page."""
    posix = ticket.path.as_posix()
    if has_control_characters(posix):
        return None, None
    relative = Path(os.path.relpath(root / ticket.path, runbooks_dir)).as_posix()
    return urllib.parse.quote(relative, safe="/._-~"), escape_markdown_line(posix)


def _ticket_context(
    ticket: Ticket, runbooks_dir: Path, root: Path, settings: RunbooksSettings, roles: dict[str, str]
) -> dict[str, Any]:
    link, shown = _link(ticket, runbooks_dir, root)
    quoted = [
        {"title": escape_markdown_line(s.title), "line": s.line, "quoted": _quote(s.body)}
        for s in ticket.sections
        if settings.quotes(s.title) and not s.is_empty
    ]
    return {
        "id": escape_markdown_line(ticket.id),
        "title": escape_markdown_line(ticket.title),
        # the status and component lines, named as the template names them
        "facts": [
            (escape_markdown_line(field.name), escape_markdown_line(field.raw))
            for role in ("status", "component")
            if (field := ticket.fields.get(roles.get(role, ""))) is not None and field.raw
        ],
        "path": shown or "(file name not shown: it holds control characters)",
        "link": link,
        "quoted": quoted,
        "kind_level": False,  # True: a ticket about the kind, shown on a named object's page
    }


def _variables(ref: ResourceRef) -> list[dict[str, str | bool]]:
    """The values the Quick path block assigns; `rule` is the name rule its check applies (section 9)."""
    kind = ref.info.api_kind
    prefix = VARIABLE_PREFIX[ref.kind]
    ns, name = f"{prefix}_NS", f"{prefix}_NAME"
    name_rule = ref.info.name_rule
    rows: list[dict[str, str | bool]]
    if ref.is_kind_level:
        rows = [
            {
                "name": ns,
                "value": "''",
                "comment": f"fill in: namespace of the {kind}",
                "rule": "label",
                "extra": False,
            },
            {"name": name, "value": "''", "comment": f"fill in: name of the {kind}", "rule": name_rule, "extra": False},
        ]
    else:
        rows = [
            {
                "name": ns,
                "value": shell_literal(ref.namespace),
                "comment": f"namespace of the {kind}",
                "rule": "label",
                "extra": False,
            },
            {
                "name": name,
                "value": shell_literal(ref.name),
                "comment": f"name of the {kind}",
                "rule": name_rule,
                "extra": False,
            },
        ]
    extra = _EXTRA_VARIABLES.get(ref.kind, ())
    rows += [{"name": n, "value": shell_literal(v), "comment": c, "rule": r, "extra": True} for n, v, c, r in extra]
    return rows


def render_runbook(
    found: FoundResource,
    tickets: dict[str, Ticket],
    project_root: Path,
    runbooks_dir: Path,
    settings: RunbooksSettings,
    env=None,
    path: Path | None = None,
    roles: dict[str, str] | None = None,
    kind_ticket_ids: list[str] | None = None,
    source: str | None = None,
) -> Runbook:
    ref = found.ref
    if not ref.is_kind_level and name_problem(ref.info, ref.namespace, ref.name):
        raise ValueError(f"invalid resource {ref}")  # collect_resources only yields valid ones
    env = env or _environment(runbooks_dir / "templates")
    template_name = f"{ref.kind}.md.j2"
    info = KIND_BY_ID[ref.kind]
    ticket_ids = found.ticket_ids
    title = (
        f"Runbook: a stuck {info.api_kind}"
        if ref.is_kind_level
        else f"Runbook: {info.api_kind} {ref.namespace}/{ref.name} is stuck"
    )
    prefix = VARIABLE_PREFIX[ref.kind]
    manifest = next((o for o in found.origins if o.how == "manifest"), None)
    origin_note = (
        f"{escape_markdown_line(manifest.path.as_posix())} line {manifest.line}"
        if manifest and not has_control_characters(manifest.path.as_posix())
        else "runbooks/resources.yaml"
    )
    own = [
        _ticket_context(tickets[t.upper()], runbooks_dir, project_root, settings, roles or {})
        for t in ticket_ids
        if t.upper() in tickets
    ]
    general = [
        {**_ticket_context(tickets[t.upper()], runbooks_dir, project_root, settings, roles or {}), "kind_level": True}
        for t in kind_ticket_ids or ()
        if t.upper() in tickets and t not in ticket_ids
    ]
    context: dict[str, Any] = {
        "ref": str(ref),
        "title": title,
        "kind": ref.kind,
        "api_kind": info.api_kind,
        "resource": info.resource,
        "kind_level": ref.is_kind_level,
        "namespace": ref.namespace,
        "name": ref.name,
        "variables": _variables(ref),
        "ticket_ids": [escape_markdown_line(t) for t in ticket_ids],
        "tickets": own + general,
        "template": template_name,
        "override_dir": _display(runbooks_dir / "templates", project_root),
        "ns_var": f"{prefix}_NS",  # the page's namespace and name variables (`TF_NS`, `TF_NAME`)
        "name_var": f"{prefix}_NAME",
        "check": f"{prefix.lower()}_check",  # the shell function every block calls (see _macros.md.j2)
        "stop": f"{prefix}_STOP",
        "origin_note": origin_note,
        # what it reads from, per the manifests: "GitRepository flux-system/platform" (validated shape)
        "source": source if source and _SOURCE_TEXT.fullmatch(source) else None,
    }
    body, _ = render(env, template_name, {"rb": context}, what="runbook template error")
    # Templates join blocks with blank lines; quoted ticket text has none (every line starts with ">").
    body = re.sub(r"\n{3,}", "\n\n", body).rstrip("\n") + "\n"
    # The shell door (core/sanitize.py): bidi overrides, zero-width and other invisible characters a
    # ticket (or an override) brought in are shown as \uXXXX, so what a reader copies is what runs.
    body = shell_text(body)
    unset = unassigned_variables(body)
    if unset:  # say, an override written when every page used $NS and $NAME
        names = ", ".join(f"${name}" for name in unset)
        given = ", ".join(v["name"] for v in context["variables"])
        raise ConfigError(
            f"runbook template uses {names}, which no block of the page sets (it sets {given})", template_name
        )
    meta = {
        "generated_by": GENERATOR,
        "resource": str(ref),
        "tickets": ticket_ids,
        "template": template_name,
        "content_hash": content_hash(body),
    }
    front = yaml.safe_dump(meta, sort_keys=False, default_flow_style=None, allow_unicode=True)
    return Runbook(ref, path or runbooks_dir / f"{ref.slug}.md", template_name, ticket_ids, f"---\n{front}---\n{body}")


_SHELL_INFO = ("bash", "sh", "shell", "console")
_ASSIGNED = re.compile(r"(?:^|[;{(&|)!]|\b(?:export|local|then|else|do|if))[ \t]*([A-Za-z_]\w*)=", re.MULTILINE)
_LOOP_OR_READ = re.compile(r"\b(?:for|read(?:[ \t]+-\w+)*)((?:[ \t]+[A-Za-z_]\w*)+)")
_EXPANDED = re.compile(r"\$\{?([A-Za-z_]\w*)")
_SINGLE_QUOTED = re.compile(r"'[^']*'")
_FROM_THE_SHELL = frozenset({"HOME", "PATH", "PWD", "USER", "KUBECONFIG", "TMPDIR"})
_STOPS = frozenset(f"{prefix}_STOP" for prefix in VARIABLE_PREFIX.values())


def unassigned_variables(body: str) -> list[str]:
    """Variables the page's own shell blocks expand but never set: pasted into a shell that
    still holds a value from another page, such a block would act on the wrong object.
    Quoted ticket text (in a blockquote) is the ticket's, and not checked."""
    blocks = [
        t.content
        for t in block_tokens(body)
        if t.type == "fence" and t.level == 0 and t.info.strip().split(" ")[0] in _SHELL_INFO
    ]
    code = "\n".join(_SINGLE_QUOTED.sub("''", block) for block in blocks)
    assigned = (
        set(_ASSIGNED.findall(code))
        | {n for names in _LOOP_OR_READ.findall(code) for n in names.split()}
        | _FROM_THE_SHELL
    )
    # `${TF_STOP:?...}` is the guard's stop: never set, so that expanding it aborts the block.
    return sorted(n for n in set(_EXPANDED.findall(code)) - assigned if n not in _STOPS)


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def runbook_paths(found: list[FoundResource], runbooks_dir: Path) -> dict[ResourceRef, Path]:
    """`<slug>.md`; when two resources share a slug (`a-b`/`c` vs `a`/`b-c`), each gets a hash suffix."""
    by_slug: dict[str, list[ResourceRef]] = {}
    for f in found:
        by_slug.setdefault(f.ref.slug, []).append(f.ref)
    paths = {}
    for slug, refs in by_slug.items():
        for ref in refs:
            suffix = "" if len(refs) == 1 else "-" + hashlib.sha256(str(ref).encode()).hexdigest()[:8]
            paths[ref] = runbooks_dir / f"{slug}{suffix}.md"
    return paths


@dataclass
class ProjectResources:
    """Every resource of a project: named by tickets, listed in runbooks/resources.yaml, defined
    in the manifests. `sources` maps a manifest object to what it reads from."""

    found: list[FoundResource]
    sources: dict[ResourceRef, str | None]
    warnings: list[tuple[Path, int, str]]  # manifest objects that get no runbook
    manifests_read: bool


def project_resources(project: Project, corpus: Corpus, manifests: tuple[Path, ...] | None = None) -> ProjectResources:
    """`manifests` overrides the configured folders (`ticketgen resources --manifests DIR`)."""
    settings = project.config.runbooks
    folders = project.config.manifests if manifests is None else manifests
    objects, warnings = read_manifests(folders, project.root, project.config.max_file_bytes)
    extra = load_extra_resources(project.config.runbooks_dir / "resources.yaml", project.root)
    found = collect_resources(corpus.tickets, extra + [(o.ref, o.origin) for o in objects], settings)
    if folders:  # a ticket about an object no manifest defines: a typo, or an object gone from Git
        defined = Defined.of(objects, extra, folders, project.root)
        for f in found:
            message = defined.missing(f.ref)
            if message:
                warnings.append((f.origins[0].path, f.origins[0].line, message))
    return ProjectResources(found, {o.ref: o.source for o in objects}, warnings, bool(folders))


def generate(project: Project) -> Generation:
    """Every runbook the project's tickets, runbooks/resources.yaml and manifests call for, rendered."""
    settings = project.config.runbooks
    runbooks_dir = project.config.runbooks_dir
    corpus = project.load()
    resources = project_resources(project, corpus)
    found = resources.found
    by_id = corpus.by_id()
    env = _environment(runbooks_dir / "templates")
    paths = runbook_paths(found, runbooks_dir)
    roles = project.schema.roles
    by_ref = {f.ref: f for f in found}
    runbooks = []
    for f in found:
        general = by_ref.get(ResourceRef.kind_level(f.ref.kind))
        kind_ids = general.ticket_ids if general and not f.ref.is_kind_level else []
        source = resources.sources.get(f.ref)
        runbooks.append(
            render_runbook(f, by_id, project.root, runbooks_dir, settings, env, paths[f.ref], roles, kind_ids, source)
        )
    invalid = [
        (t.path, line, msg)
        for t in corpus.tickets
        for line, msg in invalid_resources(t, settings.resources_field, settings.frontmatter_key)
    ]
    return Generation(runbooks, invalid + resources.warnings, corpus)


# --- syncing runbooks/ ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExistingFile:
    path: Path
    text: str
    meta: dict[str, Any] | None  # None: no frontmatter, or not ours
    body: str

    @property
    def generated(self) -> bool:
        return self.meta is not None and self.meta.get("generated_by") == GENERATOR

    @property
    def edited(self) -> bool:
        """Generated by ticketgen, then changed by hand (its body no longer matches its hash)."""
        return self.generated and (self.meta or {}).get("content_hash") != content_hash(self.body)


def read_existing(path: Path, root: Path | None = None) -> ExistingFile:
    text = read_source(path, root=root).text
    match = _FRONTMATTER.match(text)
    if not match:
        return ExistingFile(path, text, None, text)
    try:
        meta = safe_yaml.load(match.group("yaml"))
    except yaml.YAMLError:  # not ours, then: ticketgen writes plain frontmatter
        meta = None
    return ExistingFile(path, text, meta if isinstance(meta, dict) else None, text[match.end() :])


@dataclass(frozen=True)
class Change:
    """What syncing one file means. action: create, update, unchanged, edited (generated then changed
    by hand), foreign (a file ticketgen did not write), orphan (generated, resource gone),
    orphan-edited, unreadable (a file in the runbooks folder that could not be read: `reason` says why)."""

    action: str
    path: Path
    new: str | None
    old: str | None
    reason: str = ""

    def diff(self, root: Path) -> str:
        name = _display(self.path, root)
        old = (self.old or "").splitlines(keepends=True)
        new = (self.new or "").splitlines(keepends=True)
        before = f"a/{name}" if self.old is not None else "/dev/null"
        after = f"b/{name}" if self.new is not None else "/dev/null"
        return "".join(difflib.unified_diff(old, new, before, after))


def _wanted_change(path: Path, text: str, root: Path | None) -> Change:
    """What writing one wanted runbook would do to the file there: create it, leave it, refuse a
    file ticketgen did not write, keep a hand edit, or update it."""
    if not path.exists():
        return Change("create", path, text, None)
    existing = read_existing(path, root)
    if existing.text == text:
        return Change("unchanged", path, text, existing.text)
    if not existing.generated:
        return Change("foreign", path, text, existing.text)
    if existing.edited:
        return Change("edited", path, text, existing.text)
    return Change("update", path, text, existing.text)


def plan(generation: Generation, runbooks_dir: Path, root: Path | None = None) -> list[Change]:
    changes: list[Change] = []
    wanted = {rb.path: rb for rb in generation.runbooks}
    for path, rb in sorted(wanted.items()):
        changes.append(_wanted_change(path, rb.text, root))
    if runbooks_dir.is_dir():
        for path in sorted(runbooks_dir.glob("*.md")):
            if path in wanted:
                continue
            try:
                existing = read_existing(path, root)
            except ContentError as exc:  # named, not skipped: it may be an orphan nobody can see
                changes.append(Change("unreadable", path, None, None, exc.message))
                continue
            if existing.generated:
                action = "orphan-edited" if existing.edited else "orphan"
                changes.append(Change(action, path, None, existing.text))
    return changes
