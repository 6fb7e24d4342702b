"""`ticketgen init`: adopt a repository as it is. It finds the ticket documents already there
(any Markdown file with headings of the ticket ID pattern) and a template block, and keeps them
in place (`documents = [...]`) or, with `import_docs`, splits them into the tickets folder. It
uses the team's template and never writes a second one; it extends an existing mkdocs.yml
(round-trip YAML: comments and order kept) instead of replacing it; it moves the generated
tickets index off a URL one of the team's pages has. Every other file it only creates, never
touching one that exists, except `.gitignore`, which gets the lines it lacks."""

from __future__ import annotations

import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

from ..core.config import DEFAULT_TEMPLATE, find_settings
from ..core.errors import ConfigError, ContentError
from ..core.io import decode, read_bytes, read_source, rewrite, write_atomic
from ..core.markdown import block_tokens
from ..core.parse import parse_document
from ..core.template import Schema, default_template_text, find_template, load_schema, schema_from_text
from .import_ import markdown_files

_MARKDOWNLINT_CONFIGS = (
    ".markdownlint.yaml",
    ".markdownlint.yml",
    ".markdownlint.json",
    ".markdownlint.jsonc",
    ".markdownlint-cli2.yaml",
    ".markdownlint-cli2.jsonc",
)
# Site features that need mkdocs-material; with another theme the ticket pages still build.
MATERIAL_FEATURES = (
    "tag chips and filters (Material's tags plugin)",
    "ticket IDs ranked first in search (Material's search plugin)",
    "hiding the table of contents on the index pages",
    "badge colours from the Material palette",
)
HOOK_ID = "ticketgen-lint"


@dataclass(frozen=True)
class Step:
    path: Path
    created: bool
    why: str
    changed: bool = False  # an existing file that was extended (mkdocs.yml, .gitignore)


@dataclass
class Found:
    """What a repository already has: ticket documents (path -> number of tickets), the
    document whose template block tickets follow, and notes for the user."""

    documents: dict[Path, int] = field(default_factory=dict)
    template: Path | None = None
    schema: Schema | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    import_docs: bool = False  # split the documents found into tickets_dir
    rewrite_links: bool = False  # with import_docs: point links to a split document at its new files
    dry_run: bool = False
    pages: bool = False  # the workflow also publishes the site to GitHub Pages
    hook_repo: str | None = None  # the pre-commit repo URL (default: the package's metadata)
    hook_rev: str | None = None  # its rev (default: the installed version's tag)


def _data(name: str) -> str:
    return resources.files("ticketgen").joinpath(f"data/init/{name}").read_text(encoding="utf-8")


def discover(root: Path, tickets_dir: Path) -> Found:
    """Ticket documents and a template block anywhere in the repository (outside .git, .venv,
    node_modules, site and tickets_dir, whose files are tickets already)."""
    found = Found()
    texts: dict[Path, str] = {}
    for path in markdown_files(root):
        if path.is_relative_to(tickets_dir):
            continue
        shown = path.relative_to(root)
        try:
            texts[path] = read_source(path, display=shown, root=root).text
        except ContentError as exc:
            found.notes.append(f"{exc}: not searched for tickets")
    templates: list[tuple[Path, Schema]] = []
    for path, text in texts.items():
        if "XXX" not in text and "xxx" not in text:  # every template heading has its placeholder ID
            continue
        if find_template(block_tokens(text)) is None:
            continue
        try:
            templates.append((path, schema_from_text(text, path.relative_to(root))))
        except ConfigError as exc:
            found.notes.append(f"{exc}: a template block ticketgen cannot use; not taken")
    schema = load_schema(None)
    if templates:
        found.template, schema = templates[0]
        for other, _ in templates[1:]:
            found.notes.append(
                f"{other.relative_to(root)} has a template block too; the one in "
                f"{found.template.relative_to(root)} is used (set `template` to choose)"
            )
    found.schema = schema
    for path, text in texts.items():
        if not schema.id_regex.search(text):
            continue
        document = parse_document(text, path.relative_to(root), schema)
        if document.tickets:
            found.documents[path] = len(document.tickets)
    return found


class Init:
    """One run of `init`: what it found, what it will write, then (unless a dry run) writing it."""

    def __init__(self, root: Path, options: Options) -> None:
        self.root = root.resolve()
        self.options = options
        self.steps: list[Step] = []
        self.notes: list[str] = []
        self.pending: list[tuple[Path, str, str]] = []  # files to create: path, text, why
        settings_root, self.settings_source, table = find_settings(self.root)
        self.has_settings = self.settings_source is not None and settings_root == self.root
        self.table = table if self.has_settings and isinstance(table, dict) else {}
        tickets = self.table.get("tickets_dir", "tickets")
        self.tickets_dir = (self.root / (tickets if isinstance(tickets, str) else "tickets")).resolve()
        self.found = discover(self.root, self.tickets_dir)
        self.notes += self.found.notes

    # -- what goes where ---------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)

    def run(self) -> list[Step]:
        found, options = self.found, self.options
        for path, count in found.documents.items():
            what = "imported into " + self.rel(self.tickets_dir) if options.import_docs else "kept in place"
            self.notes.append(f"found {count} ticket(s) in {self.rel(path)}: {what}")
        if found.template is not None:
            self.notes.append(f"using the template block in {self.rel(found.template)} (no second template written)")
        elif not self.has_settings or "template" not in self.table:
            self.create(
                self.root / DEFAULT_TEMPLATE, default_template_text(), "the template: the schema of every ticket"
            )
        self.create(self.root / "runbooks" / ".gitkeep", "", "generated and hand-written runbooks go here")
        docs_dir, their_pages = self.site()
        index_uri = self.free_index_uri(docs_dir, their_pages)
        self.settings(index_uri)
        self.home_page(docs_dir, their_pages, index_uri)
        existing_lint = next((self.root / n for n in _MARKDOWNLINT_CONFIGS if (self.root / n).exists()), None)
        if existing_lint is not None:
            self.steps.append(
                Step(existing_lint, False, "exists; see `ticketgen init --help` for the rules tickets need")
            )
        else:
            self.create(
                self.root / ".markdownlint.yaml", _data("markdownlint.yaml"), "markdownlint settings tickets pass"
            )
        self.gitignore()
        workflow = _data("github/tickets-pages.yml" if options.pages else "github/tickets.yml")
        why = "CI: lint with annotations and a SARIF report, mkdocs build --strict"
        self.create(
            self.root / ".github" / "workflows" / "tickets.yml",
            workflow,
            why + (", GitHub Pages" if options.pages else ""),
        )
        self.create(self.root / ".pre-commit-config.yaml", self.pre_commit_config(), "pre-commit hook: ticketgen lint")
        if not options.dry_run:
            if options.import_docs:  # first: it refuses to overwrite anything, before anything is written
                self.import_documents()
            for path, text, why in self.pending:
                self.write_new(path, text, why)
        elif options.import_docs:
            for source in self.found.documents:
                self.notes.append(
                    f"would import {self.rel(source)} (`ticketgen import {self.rel(source)} --dry-run` lists the files)"
                )
        return self.steps

    def create(self, path: Path, text: str, why: str) -> None:
        if path.is_symlink() or path.exists():  # a dangling symlink is never followed
            self.steps.append(Step(path, False, "exists, left as it is"))
            return
        if self.options.dry_run:
            self.steps.append(Step(path, True, why))
            return
        self.pending.append((path, text, why))

    def write_new(self, path: Path, text: str, why: str) -> None:
        write_atomic(path, text, exclusive=True, inside=self.root)
        self.steps.append(Step(path, True, why))

    # -- settings ----------------------------------------------------------------------------
    def settings(self, index_uri: str | None) -> None:
        if self.has_settings and self.settings_source is not None:  # has_settings: a source was found
            self.steps.append(Step(self.settings_source, False, "ticketgen settings already here, left as they are"))
            if self.found.documents and "documents" not in self.table and not self.options.import_docs:
                shown = ", ".join(self.rel(p) for p in self.found.documents)
                self.notes.append(f"add `documents = [...]` with {shown} to your settings to keep them in place")
            return
        lines = ["# ticketgen settings, written by `ticketgen init` for what it found here. Every key is optional."]
        template = self.found.template
        lines.append(f"template = {_toml_string(self.rel(template) if template else DEFAULT_TEMPLATE)}")
        if template is not None and self.options.import_docs and template in self.found.documents:
            lines[-1] = f"template = {_toml_string(self.rel(self.tickets_dir / '_template.md'))}"
        if self.rel(self.tickets_dir) == "tickets":  # the default may be missing (documents only); a set one may not
            lines.append('# tickets_dir = "tickets"  (the default; a folder named here must exist)')
        else:
            lines.append(f"tickets_dir = {_toml_string(self.rel(self.tickets_dir))}")
        if self.found.documents and not self.options.import_docs:
            docs = ", ".join(_toml_string(self.rel(p)) for p in self.found.documents)
            lines.append(
                "# Multi-ticket documents kept where they are (`ticketgen import` splits one into tickets_dir):"
            )
            lines.append(f"documents = [{docs}]")
        else:
            lines.append(
                '# Multi-ticket documents outside tickets_dir that also hold tickets:\n# documents = ["TICKETS.md"]'
            )
        lines.append("")
        if index_uri is not None:
            lines.append("[site]")
            lines.append("# The team's own page has the tickets index's usual URL; the index goes here instead.")
            lines.append(f"index_uri = {_toml_string(index_uri)}")
        text = "\n".join(lines).rstrip("\n") + "\n"
        tomllib.loads(text)  # what is written is read back as written
        self.create(self.root / "ticketgen.toml", text, "ticketgen settings for what init found")

    # -- the site ----------------------------------------------------------------------------
    def site(self) -> tuple[Path, set[str]]:
        """Extend (or create) mkdocs.yml; the docs folder and the src_uris of the team's pages."""
        path = self.root / "mkdocs.yml"
        if not path.exists():
            self.create(path, _data("mkdocs.yml"), "the ticket site: `mkdocs serve`")
            docs_dir = self.root / "docs"
        else:
            docs_dir = self.extend_mkdocs(path)
        pages = {p.relative_to(docs_dir).as_posix() for p in markdown_files(docs_dir)} if docs_dir.is_dir() else set()
        return docs_dir, pages

    def extend_mkdocs(self, path: Path) -> Path:
        from ruamel.yaml import YAML
        from ruamel.yaml.comments import CommentedSeq
        from ruamel.yaml.error import YAMLError

        data = read_bytes(path, display=Path(path.name), root=self.root)
        text = decode(data, Path(path.name)).text  # the one decode: bytes it cannot read are an error, never rewritten
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096
        offset = _sequence_offset(text)
        yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
        try:
            config = yaml.load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise ConfigError(
                f"cannot read it to add the ticketgen plugin: {getattr(exc, 'problem', exc)}", path, line
            ) from None
        if not isinstance(config, dict):
            raise ConfigError("is not a mapping of mkdocs settings; add `plugins: [search, ticketgen]` by hand", path)
        docs_dir = (path.parent / str(config.get("docs_dir") or "docs")).resolve()
        theme = config.get("theme")
        name = theme.get("name") if isinstance(theme, dict) else theme
        if name != "material":
            shown = name or "mkdocs (the default)"
            self.notes.append(
                f"mkdocs.yml uses the theme {shown!r}, left as it is: the ticket pages build with it, but these need "
                f"mkdocs-material: {'; '.join(MATERIAL_FEATURES)}"
            )
        plugins = config.get("plugins")
        added: list[str] = []
        if plugins is None:
            config["plugins"] = CommentedSeq(["search", "ticketgen"])  # mkdocs drops its default search otherwise
            added = ["search", "ticketgen"]
        elif isinstance(plugins, list):
            names = [next(iter(p)) if isinstance(p, dict) and p else p for p in plugins]
            if "ticketgen" not in names:
                plugins.append("ticketgen")
                added = ["ticketgen"]
        elif isinstance(plugins, dict):
            if "ticketgen" not in plugins:
                plugins["ticketgen"] = None
                added = ["ticketgen"]
        else:
            raise ConfigError("`plugins` is neither a list nor a mapping; add ticketgen by hand", path)
        if not added:
            self.steps.append(Step(path, False, "has the ticketgen plugin already"))
            return docs_dir
        out = io.StringIO()
        yaml.dump(config, out)
        new = out.getvalue()
        if "\r\n" in text:
            new = new.replace("\r\n", "\n").replace("\n", "\r\n")
        why = f"added the plugin(s) {', '.join(added)}; comments, order and theme kept"
        if self.options.dry_run:
            self.steps.append(Step(path, False, why, changed=True))
        else:
            rewrite(path, data, new, inside=self.root)
            self.steps.append(Step(path, False, why, changed=True))
        return docs_dir

    def free_index_uri(self, docs_dir: Path, their_pages: set[str]) -> str | None:
        """A free place for the tickets index when a page of the team's has its URL
        (`docs/tickets.md` is `/tickets/`, as the index `tickets/index.md` would be)."""
        site = self.table.get("site", {}) if isinstance(self.table.get("site"), dict) else {}
        if "index_uri" in site:
            return None
        urls = {_url(p) for p in their_pages}
        if _url("tickets/index.md") not in urls or "tickets/index.md" in their_pages:
            return None
        for candidate in ("tickets/all.md", "tickets/all-tickets.md", "tickets/ticket-index.md"):
            if _url(candidate) not in urls:
                clash = next(p for p in their_pages if _url(p) == _url("tickets/index.md"))
                self.notes.append(
                    f"{self.rel(docs_dir / clash)} has the URL /tickets/ the tickets index would take: "
                    f"the index goes to {candidate} (`index_uri` in the settings)"
                )
                return candidate
        return None

    def home_page(self, docs_dir: Path, their_pages: set[str], index_uri: str | None) -> None:
        home = next((p for p in ("index.md", "README.md") if p in their_pages), None)
        if home is not None:
            self.steps.append(Step(docs_dir / home, False, "the site's home page, kept"))
            return
        text = _data("index.md")
        if index_uri:
            text = text.replace("(tickets/index.md)", f"({index_uri})")
        self.create(docs_dir / "index.md", text, "the site's home page")

    # -- the rest ----------------------------------------------------------------------------
    def gitignore(self) -> None:
        path, wanted = self.root / ".gitignore", _data("gitignore")
        if not path.exists():
            self.create(path, wanted, "the built site/ is not committed")
            return
        data = read_bytes(path, display=Path(".gitignore"), root=self.root)
        have = {line.strip() for line in data.decode("utf-8", "replace").splitlines()}
        rules = [line for line in wanted.splitlines() if line.strip() and not line.startswith("#")]
        missing = [line for line in rules if line not in have and line.strip("/") not in have]
        if not missing:
            self.steps.append(Step(path, False, "already ignores site/"))
            return
        ending = b"\r\n" if b"\r\n" in data else b"\n"
        lead = b"" if not data or data.endswith((b"\n", b"\r")) else ending
        added = ending.join(line.encode() for line in [wanted.splitlines()[0], *missing]) + ending
        if not self.options.dry_run:
            rewrite(path, data, data + lead + added, inside=path.parent)
        self.steps.append(Step(path, False, f"appended {', '.join(missing)}", changed=True))

    def pre_commit_config(self) -> str:
        """A hook pre-commit installs itself (ticketgen's own .pre-commit-hooks.yaml, `language:
        python`), so it runs without an activated venv; `repo: local` only when no repository
        URL is known, and then init says so."""
        repo, rev = hook_source(self.options.hook_repo, self.options.hook_rev)
        if repo is None:
            self.notes.append(
                "no ticketgen repository URL is known (package metadata has none): the pre-commit hook "
                "runs the ticketgen on PATH (`language: system`); rerun with --hook-repo URL to have "
                "pre-commit install ticketgen itself"
            )
            return _data("pre-commit-config.yaml")
        return _data("pre-commit-remote.yaml").replace("{repo}", json.dumps(repo)).replace("{rev}", json.dumps(rev))

    def import_documents(self) -> None:
        from ..core.project import Project
        from .import_ import links_to_source, plan_import, rewrite_links, write_pieces

        project = Project.discover(self.root)
        for source in self.found.documents:
            pieces, warnings = plan_import(project, source, self.tickets_dir)
            self.notes += warnings
            write_pieces(pieces, self.root)
            for piece in pieces:
                self.steps.append(Step(piece.path, True, f"{piece.what}, from {self.rel(source)}"))
            links = links_to_source(project, source, self.tickets_dir)
            missed = rewrite_links(links, self.root) if self.options.rewrite_links else []
            for link in links:
                done = "could not rewrite" if link in missed else ("rewrote" if self.options.rewrite_links else "found")
                self.notes.append(f"{done} link {self.rel(link.path)}:{link.line}: {link.url} -> {link.new}")
            self.notes.append(
                f"{self.rel(source)} is left as it is: every byte of it is now in {self.rel(self.tickets_dir)} "
                f"(index.md keeps what is not a ticket). Remove it once nothing links to it "
                f"(`ticketgen import {self.rel(source)} --dry-run` lists the links, --rewrite-links rewrites them)"
            )


def _toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (checked by reading the file back)."""
    return json.dumps(value, ensure_ascii=False)


def _url(src_uri: str) -> str:
    """The URL mkdocs gives a page (directory URLs): `tickets.md` and `tickets/index.md` are both `tickets/`."""
    stem = src_uri[:-3] if src_uri.endswith(".md") else src_uri
    parts = stem.split("/")
    if parts[-1] in ("index", "README"):
        parts = parts[:-1]
    return "/".join(parts) + "/" if parts else ""


def _sequence_offset(text: str) -> int:
    """How far the file indents a list's `-` under its key (0 or 2), so the lines init adds look like the rest."""
    match = re.search(r"^( *)[^\s#-][^\n]*:[ \t]*\n(?:[ \t]*#[^\n]*\n)*( *)- ", text, re.MULTILINE)
    if match is None:
        return 2
    return max(0, len(match.group(2)) - len(match.group(1)))


def hook_source(repo: str | None, rev: str | None) -> tuple[str | None, str]:
    """The repository pre-commit installs ticketgen from, and the rev: given, or the package's
    metadata (`Repository` URL) and its version's tag `vX.Y.Z`."""
    version = metadata.version("ticketgen")
    if repo is None:
        urls = metadata.metadata("ticketgen").get_all("Project-URL") or []
        for entry in urls:
            label, _, url = entry.partition(",")
            if label.strip().casefold() in ("repository", "source", "source code") and url.strip():
                repo = url.strip()
                break
    return repo, rev or f"v{version}"


def init_repository(root: Path, options: Options | None = None) -> list[Step]:
    """Run `init` in `root` (what the command does, without printing)."""
    return Init(root, options or Options()).run()
