"""A project: its config, its schema, and the files that hold its tickets.

This is the one loader: every command and the site read ticket files through `sources()`
(each file read once) and `document()` (parsed once per content, through the one cache), or
`load()` for both. One bad file never hides the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import Cache, digest
from .config import Config, load_config
from .errors import ConfigError, ContentError
from .io import read_bytes

if TYPE_CHECKING:
    from .records import Backlink, Document, Problem, Ticket
    from .template import Schema

# records, parse and template (markdown-it, YAML) are imported on first use: a warm
# `ticketgen lint` answers from its cache without them.


@dataclass
class Corpus:
    """Every document read, plus the files that could not be read at all."""

    documents: list[Document]
    unreadable: list[ContentError] = field(default_factory=list)

    @property
    def tickets(self) -> list[Ticket]:
        return [t for d in self.documents for t in d.tickets]

    @property
    def problems(self) -> list[Problem]:
        return [p for d in self.documents for p in d.problems]

    def by_id(self) -> dict[str, Ticket]:
        """Tickets by upper-cased ID; the first one read wins when an ID repeats."""
        found: dict[str, Ticket] = {}
        for ticket in self.tickets:
            found.setdefault(ticket.id.upper(), ticket)
        return found

    def find(self, ticket_id: str) -> Ticket | None:
        return self.by_id().get(ticket_id.upper())

    def mentioned_by(self) -> dict[str, list[Backlink]]:
        """Backlinks: per ticket ID (upper-cased, as `by_id`), the other tickets that mention it
        (`TICKET-1` and `TICKET-001` alike), each once, in reading order, with the line of its first
        mention. Mentions of IDs no ticket has are left out (lint reports them: TG041)."""
        from .records import Backlink

        numbers: dict[int, Ticket] = {}
        for ticket in self.tickets:
            numbers.setdefault(ticket.number, ticket)
        found: dict[str, list[Backlink]] = {}
        seen: set[tuple[str, str, Path]] = set()
        for ticket in self.tickets:
            for number, line in ticket.mention_lines.items():
                target = numbers.get(number)
                if target is None or target is ticket:
                    continue
                key = (target.id.upper(), ticket.id, ticket.path)
                if key not in seen:
                    seen.add(key)
                    found.setdefault(target.id.upper(), []).append(Backlink(ticket.id, ticket.title, ticket.path, line))
        return found

    def find_number(self, number: int) -> Ticket | None:
        """The first ticket read with this ID number, however its ID is padded."""
        return next((t for t in self.tickets if t.number == number), None)


@dataclass
class SourceFile:
    """A ticket file's bytes, read once; `error` says why there are none."""

    path: Path  # as found (absolute)
    display: Path  # as the user knows it: relative to the project root
    data: bytes | None
    error: ContentError | None = None

    @cached_property
    def digest(self) -> str:
        return digest(self.data) if self.data is not None else ""


@dataclass(frozen=True, eq=False)
class Project:
    """Frozen: what a command decided at start (the settings, whether to use the cache) cannot
    change halfway through it, after some of its work was already cached or not."""

    config: Config
    # False (`--no-cache`, or `cache = false` in the settings): nothing is read from or written
    # to the cache, by any command.
    use_cache: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "use_cache", self.use_cache and self.config.lint.cache)

    @classmethod
    def discover(cls, start: Path | None = None, *, use_cache: bool = True) -> Project:
        return cls(load_config(start), use_cache)

    @property
    def root(self) -> Path:
        return self.config.root

    @cached_property
    def schema(self) -> Schema:
        from .template import load_schema

        schema = load_schema(self.config.template)
        return schema.with_roles(self.config.roles, self.config.source) if self.config.roles else schema

    def check_tickets_dir(self) -> str | None:
        """A tickets_dir named in the settings must exist: a typo there would otherwise pass
        CI with nothing checked. The default `tickets/` may be missing (a documents-only
        project, a fresh clone where git dropped the empty folder, or a new one where
        `ticketgen new` creates it): then it holds no tickets, and the note returned says so."""
        config = self.config
        if config.tickets_dir.is_dir():
            return None
        shown = config.relative(config.tickets_dir).as_posix()
        if config.tickets_dir_set:
            raise ConfigError(
                f"tickets_dir {shown!r} does not exist (create the folder or fix the setting)", config.source
            )
        documents = len(config.documents)
        return f"no {shown}/ folder: no ticket files read from it" + (
            f", only the {documents} configured document(s)" if documents else ""
        )

    def ticket_files(self) -> list[Path]:
        """Markdown files in the tickets dir (not hidden ones, not the template) and the
        configured multi-ticket documents, in a stable order (by path components)."""
        found: list[tuple[list[str], str]] = []
        tickets_dir = str(self.config.tickets_dir)
        prefix = len(os.path.join(tickets_dir, ""))  # os.walk's paths start with it
        template = self.config.template
        # os.walk and strings, not Path.rglob: this runs on every command, for every file.
        for folder, dirs, names in os.walk(tickets_dir):
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # symlinked folders are not entered
            for name in names:
                if name.endswith(".md") and not name.startswith("."):
                    path = os.path.join(folder, name)
                    if template is not None and name == template.name and Path(path).resolve() == template:
                        continue
                    found.append((path[prefix:].split(os.sep), path))
        found.sort()
        files = [Path(path) for _, path in found]
        files.extend(d for d in self.config.documents if d not in files)
        return files

    def holds_input(self, path: Path) -> bool:
        """True when `path` is one of the project's own inputs: a ticket file or any `.md`
        under the tickets dir, a configured document, the template or the config file.
        A report written there would destroy what it reports on."""
        target = path.resolve()
        inputs = [*self.ticket_files(), self.config.template, self.config.source]
        if any(p is not None and p.resolve() == target for p in inputs):
            return True
        return target.suffix.lower() == ".md" and target.is_relative_to(self.config.tickets_dir.resolve())

    def holds_sources(self, folder: Path) -> bool:
        """True when writing generated files into `folder` could touch the project's own sources:
        it is the root, holds or sits inside the tickets or runbooks folder, or holds a
        document, the template or the settings."""
        target = Path(os.path.abspath(folder)).resolve()
        config = self.config
        inputs = [config.tickets_dir, config.runbooks_dir, config.root, *config.documents]
        inputs += [p for p in (config.template, config.source) if p is not None]
        for source in inputs:
            source = source.resolve()
            if source == target or source.is_relative_to(target):
                return True
        return any(target.is_relative_to(d.resolve()) for d in (config.tickets_dir, config.runbooks_dir))

    def display(self, path: Path) -> Path:
        return self.config.relative(path)

    @cached_property
    def settings_key(self) -> str:
        """The settings and the template's bytes: either changes what a file means."""
        template = self.config.template
        try:
            if template:
                schema_source = read_bytes(template, self.config.max_file_bytes, root=self.root)
            else:
                schema_source = (Path(__file__).parents[1] / "data" / "template.md").read_bytes()
        except (OSError, ContentError):  # load_schema reports the template
            schema_source = b""
        return digest(repr(self.config).encode() + b"\0" + schema_source)

    @cached_property
    def cache(self) -> Cache:
        return Cache(self.root, self.settings_key if self.use_cache else None)

    def source(self, path: Path) -> SourceFile:
        """A ticket file's bytes through the one file reader (regular files inside the project)."""
        shown = self.display(path)
        try:
            return SourceFile(path, shown, read_bytes(path, self.config.max_file_bytes, shown, root=self.root))
        except ContentError as error:
            return SourceFile(path, shown, None, error)

    def sources(self, paths: Iterable[Path] | None = None) -> list[SourceFile]:
        """Every ticket file (or `paths`), read once."""
        return [self.source(path) for path in (self.ticket_files() if paths is None else paths)]

    def document(self, source: SourceFile) -> Document:
        """The parsed file: from the cache when these bytes were parsed before (by any command),
        else parsed now, with its token stream kept for the site. Raises ContentError."""
        from .io import decode
        from .parse import parse_document
        from .records import RECORDS

        if source.error is not None:
            raise source.error
        records = self.cache.shelf("records", RECORDS)
        key = (source.display.as_posix(), source.digest)
        found = records.get(key)
        if found is None:
            text = decode(source.data, source.display, self.config.max_file_bytes).text
            found = parse_document(text, source.display, self.schema)
            for ticket in found.tickets:
                ticket.source_digest = source.digest
            records.put(key, found)
        return found

    def load(self, paths: Iterable[Path] | None = None, each: Callable[[Document], None] | None = None) -> Corpus:
        """Every ticket file parsed (or `paths`); the cache keeps what was parsed. `each` sees
        every document while its token stream is still there (the site renders it then)."""
        from .parse import rare_collections

        corpus = Corpus([])
        with rare_collections():
            for source in self.sources(paths):
                try:
                    document = self.document(source)
                except ContentError as exc:
                    corpus.unreadable.append(exc)
                    continue
                if each is not None:
                    each(document)
                document.release_tokens()
                corpus.documents.append(document)
        self.cache.shelf("records").save(prune=paths is None)
        return corpus
