"""Find the resources a ticket's own shell commands act on, and the kinds its prose speaks of.

Commands are tokenized with shlex, never matched with regexes on raw lines: quoting, flags in any
order, `KIND/NAME` and `KIND NAME` forms and `=`-joined flag values all come out the same way.
Namespaces follow each CLI's real default: `flux` and `tfctl` act on flux-system when `-n` is
absent (gitops-recovery.md 1.2); `kubectl` uses the kube-context namespace, which a ticket cannot
tell us, so such commands are skipped rather than guessed.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from ..core.kinds import KINDS, Origin, ResourceRef, kind_info, name_problem
from ..core.markdown import block_tokens
from ..core.records import Ticket

SHELL_INFOS = {"", "bash", "sh", "shell", "console", "zsh", "shell-session"}
CLI_DEFAULT_NAMESPACE = "flux-system"  # flux and tfctl (flux2 cmd/flux/main.go, cmd/tfctl/main.go)
_SEPARATORS = {"|", "||", "&&", ";", "&", "(", ")", "$(", "`"}
_PROMPT = re.compile(r"^\s*(?:[\w.@-]*[$%#>]|\$)\s+")

# Flags that take a value as the next word (`--flag=value` needs no listing).
_KUBECTL_VALUE_FLAGS = {
    "-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-o", "--output", "-l",
    "--selector", "--field-selector", "-f", "--filename", "-c", "--container", "--type", "-p", "--patch",
    "--for", "--timeout", "--sort-by", "--field-manager", "--since", "--since-time", "--tail", "-L",
    "--label-columns", "--template", "--subresource", "-s", "--server", "--as", "--as-group", "--token",
    "--request-timeout", "--to-revision", "--revision", "-k", "--kustomize",
}  # fmt: skip
_FLUX_VALUE_FLAGS = {
    "-n", "--namespace", "--context", "--kubeconfig", "--timeout", "--for", "--kind", "--name", "--level",
    "--since", "--tail", "--types", "--flux-namespace", "-o", "--output", "-l", "--label-selector",
    "--status-selector", "--interval", "--as", "--token", "--server", "--cluster", "--user",
}  # fmt: skip
_TFCTL_VALUE_FLAGS = {
    "-n", "--namespace", "--context", "--kubeconfig", "-f", "--lock-id", "--controller-namespace", "--name",
    "--level", "--since", "--since-time", "--tail", "--terraform", "--source", "--path", "--interval",
}  # fmt: skip
_KUBECTL_TARGET_VERBS = {"get", "describe", "annotate", "patch", "edit", "wait", "label", "delete", "logs", "scale"}
_KUBECTL_ONE_TARGET_VERBS = {"exec", "attach", "port-forward"}  # one object; the rest is its command
_FOLLOW_VERBS = {"logs", "exec", "attach"}
_FLUX_NAMED_VERBS = {"reconcile", "suspend", "resume", "get", "export", "delete", "trace"}
_FLUX_SOURCES = {"git": "gitrepository", "oci": "ocirepository"}
_TFCTL_NAMED_VERBS = {
    "reconcile", "replan", "approve", "suspend", "resume", "force-unlock", "break-glass", "break-the-glass",
    "bg", "btg", "delete",
}  # fmt: skip


@dataclass(frozen=True)
class Command:
    """One parsed CLI call: `positionals` in order, `flags` by name (last value wins)."""

    program: str
    positionals: list[str]
    flags: dict[str, str | bool]
    env: dict[str, str]
    line: int

    def flag(self, *names: str) -> str | bool | None:
        return next((self.flags[n] for n in names if n in self.flags), None)


def shell_commands(content: str, first_line: int) -> Iterator[Command]:
    """Each kubectl/flux/tfctl call in a shell block, with the line it starts on, also when it
    is wrapped (`eval`, `bash -c`, `sh -c`, `xargs`, `$(...)`, backticks)."""
    for line, words, _ in _simple_commands(content, first_line):
        command = _parse_command(words, line)
        if command is not None:
            yield command


# Wrappers that run their arguments as a command (after their own options) or as a script.
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "ash"}
_PREFIXES = {"sudo", "command", "exec", "nohup", "time", "env", "builtin"}
_XARGS_VALUE_FLAGS = {"-I", "-i", "-n", "-L", "-l", "-P", "-d", "-E", "-e", "-s", "-a", "--max-args", "--max-procs"}
_MAX_DEPTH = 8  # nested wrappers deeper than this are reported, not read


class Unreadable(Exception):
    """Shell text the tokenizer cannot read (unbalanced quotes, nesting too deep)."""


def _simple_commands(content: str, first_line: int, strict: bool = False) -> Iterator[tuple[int, list[str], str]]:
    """(line, words, how) for every simple command in shell text, unwrapped recursively with the
    same tokenizer: `how` is "" for a direct command, else what fed it ("xargs", "$(...)").
    With `strict`, text that cannot be read raises Unreadable instead of being skipped."""
    for line, text in _logical_lines(content, first_line):
        try:
            yield from _unwrap(text, line, 0, "")
        except Unreadable:
            if strict:
                raise Unreadable(f"line {line}") from None


def _lex(text: str, posix: bool) -> list[str]:
    lexer = shlex.shlex(text, posix=posix, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = (
        ""  # shlex ends a word at `#` (`x#; rm` loses the rm); bash starts a comment only at a word's start
    )
    return list(lexer)


def _tokens(text: str) -> list[str]:
    """The words of shell text, up to a comment (an unquoted word that starts with `#`)."""
    try:
        words = _lex(text, posix=True)
        raw = _lex(text, posix=False)  # keeps the quotes, so a quoted "#" is not a comment
    except ValueError:  # unbalanced quotes: not a command we can read
        raise Unreadable(text) from None
    comment = next((i for i, word in enumerate(raw) if word.startswith("#")), None)
    if comment is not None and len(raw) == len(words):
        words = words[:comment]
    return words


def _unwrap(text: str, line: int, depth: int, how: str) -> Iterator[tuple[int, list[str], str]]:
    if depth > _MAX_DEPTH:
        raise Unreadable(text)
    inners, text = _cut_substitutions(text)
    for inner in inners:  # a command substitution runs wherever it stands, quoted or not
        yield from _unwrap(inner, line, depth + 1, "$(...)")
    for words in _split_commands(_tokens(text)):
        words = _strip_prefixes(words)
        if not words:
            continue
        program = words[0].rsplit("/", 1)[-1]
        script = _inner_script(program, words)
        if script is not None and _dynamic(script):
            yield line, words, BUILT_AT_RUN_TIME  # what runs is a variable or another command's output
        elif script is not None:
            yield from _unwrap(script, line, depth + 1, how)
        elif program == "xargs":
            rest = _xargs_command(words[1:])
            if rest:
                yield from _unwrap(shlex.join(rest), line, depth + 1, "xargs")
        else:
            yield line, words, how


def _inner_script(program: str, words: list[str]) -> str | None:
    """The shell text a command runs in turn: `eval`'s words, a shell's `-c` script; None for
    any other program."""
    if program == "eval":
        return " ".join(words[1:])
    if program in _SHELLS:
        return _script_argument(words[1:])
    return None


BUILT_AT_RUN_TIME = "built at run time"


def _dynamic(script: str) -> bool:
    """A script whose command is a variable or a substitution: what it runs is not in the text."""
    words = _strip_prefixes(_tokens(script))
    return bool(words) and (words[0].startswith("$") or SUBSTITUTED in words[0])


def _strip_prefixes(words: list[str]) -> list[str]:
    """Without leading `VAR=value` assignments and `sudo`/`env`/`exec`... (their own flags too)."""
    while words:
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
            words = words[1:]
        elif words[0] in _PREFIXES:
            words = words[1:]
            while words and words[0].startswith("-") and words[0] != "--":
                words = words[1:]
        else:
            return words
    return words


def _script_argument(args: list[str]) -> str | None:
    """The script of `bash -c SCRIPT` (also `-ec`, `-lc`, `-o pipefail -c`), or None."""
    for index, word in enumerate(args):
        if word == "--" or not word.startswith("-"):
            return None
        if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
            return args[index + 1] if index + 1 < len(args) else None
    return None


def _xargs_command(args: list[str]) -> list[str]:
    rest = iter(args)
    for word in rest:
        if word == "--":
            return list(rest)
        if not word.startswith("-"):
            return [word, *rest]
        if word in _XARGS_VALUE_FLAGS:
            next(rest, None)
    return []


SUBSTITUTED = "__substitution__"  # stands for a substitution cut out of a command: one word, quoted or not


def _cut_substitutions(text: str) -> tuple[list[str], str]:
    """The commands inside `$(...)` and backticks (outermost; nesting is read when they are),
    and `text` with each replaced by SUBSTITUTED. Quotes do not stop a substitution."""
    inners: list[str] = []
    out: list[str] = []
    index = 0
    while index < len(text):
        if text.startswith("$(", index) and not text.startswith("$((", index):
            depth, end = 1, index + 2
            while end < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                end += 1
            if depth:
                raise Unreadable(text)
            inners.append(text[index + 2 : end - 1])
        elif text[index] == "`":
            end = text.find("`", index + 1) + 1
            if not end:
                raise Unreadable(text)
            inners.append(text[index + 1 : end - 1])
        else:
            out.append(text[index])
            index += 1
            continue
        out.append(SUBSTITUTED)
        index = end
    return inners, "".join(out)


def _logical_lines(content: str, first_line: int) -> Iterator[tuple[int, str]]:
    """Lines with backslash continuations joined and a leading prompt (`$ `) removed."""
    pending: list[str] = []
    start = first_line
    for offset, raw in enumerate(content.splitlines()):
        if not pending:
            start = first_line + offset
            raw = _PROMPT.sub("", raw, count=1) if raw.lstrip().startswith(("$", "%", ">")) else raw
        if raw.endswith("\\"):
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        yield start, " ".join(pending)
        pending = []
    if pending:
        yield start, " ".join(pending)


def _split_commands(words: list[str]) -> Iterator[list[str]]:
    current: list[str] = []
    for word in words:
        if word in _SEPARATORS or set(word) <= set("|&;()<>") and word:
            if current:
                yield current
            current = []
        else:
            current.append(word)
    if current:
        yield current


def _parse_command(words: list[str], line: int) -> Command | None:
    env: dict[str, str] = {}
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        key, _, value = words[0].partition("=")
        env[key] = value
        words = words[1:]
    if words and words[0] == "sudo":
        words = words[1:]
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    value_flags = {"kubectl": _KUBECTL_VALUE_FLAGS, "flux": _FLUX_VALUE_FLAGS, "tfctl": _TFCTL_VALUE_FLAGS}.get(program)
    if value_flags is None:
        return None
    if program == "kubectl" and _FOLLOW_VERBS & set(words[1:]):
        value_flags = value_flags - {"-f"}  # `kubectl logs -f`: --follow, not --filename
    positionals, flags = _arguments(words[1:], value_flags)
    return Command(program, positionals, flags, env, line)


def _arguments(args: list[str], value_flags: set[str] | frozenset[str]) -> tuple[list[str], dict[str, str | bool]]:
    """A CLI's arguments as (positionals, flags): `--flag=value`, a flag known to take a value
    consumes the next word, any other flag is a switch; after `--` every word is positional."""
    positionals: list[str] = []
    flags: dict[str, str | bool] = {}
    rest = iter(args)
    for word in rest:
        if word == "--":
            positionals.extend(rest)
        elif word.startswith("-") and len(word) > 1:
            name, eq, value = word.partition("=")
            if eq:
                flags[name] = value
            elif name in value_flags:
                flags[name] = next(rest, "")
            else:
                flags[name] = True
        else:
            positionals.append(word)
    return positionals, flags


# --- from commands to resources -------------------------------------------------------------


def _ref(kind_spelling: str, namespace: str | None, name: str) -> ResourceRef | None:
    """A valid ref, or None: unknown kinds, unknown namespaces and invalid names (placeholders
    such as `$NAME` or `<name>`) are not resources."""
    info = kind_info(kind_spelling)
    if info is None or not namespace or name_problem(info, namespace, name):
        return None
    return ResourceRef(info.kind, namespace, name)


def _namespace(command: Command, default: str | None) -> str | None:
    if command.flag("-A", "--all-namespaces", "--all"):
        return None
    value = command.flag("-n", "--namespace")
    if isinstance(value, str):
        return value
    return default


def _kubectl(command: Command) -> list[ResourceRef]:
    namespace = _namespace(command, None)  # kube-context default: unknown, never guessed
    pos = command.positionals
    if not pos or namespace is None:
        return []
    targets = _kubectl_targets(command, pos)
    if not targets:
        return []
    if "/" in targets[0]:
        pairs = [t.split("/", 1) for t in targets if "/" in t]
    elif "," in targets[0]:
        return []  # `get terraforms,gitrepositories`: kinds, no objects
    else:
        names = []
        for word in targets[1:]:
            if "=" in word or ":" in word:  # annotate/label key=value
                break
            names.append(word)
        pairs = [[targets[0], n] for n in names]
    return [r for kind, name in pairs if (r := _ref(kind, namespace, name))]


def _kubectl_targets(command: Command, pos: list[str]) -> list[str]:
    """The words naming what a kubectl verb acts on (`TYPE/NAME`, or `TYPE NAME...`); none for a
    verb that acts on no object."""
    verb = pos[0]
    if verb == "events":
        target = command.flag("--for")
        return [target] if isinstance(target, str) else []
    if verb == "rollout":
        return pos[2:]
    if verb in _KUBECTL_ONE_TARGET_VERBS:
        return [t for t in pos[1:2] if "/" in t]
    if verb in _KUBECTL_TARGET_VERBS:
        return pos[1:]
    return []


def _flux(command: Command) -> list[ResourceRef]:
    follows_context = command.flag("--ns-follows-kube-context") or "FLUX_NS_FOLLOWS_KUBE_CONTEXT" in command.env
    namespace = _namespace(command, None if follows_context else CLI_DEFAULT_NAMESPACE)
    pos = command.positionals
    if not pos or namespace is None:
        return []
    verb = pos[0]
    kind: str | None
    if verb == "events":
        target = command.flag("--for")
        if isinstance(target, str) and "/" in target:
            kind, name = target.split("/", 1)
            return [r] if (r := _ref(kind, namespace, name)) else []
        return []
    if verb == "logs":
        kind_flag, name_flag = command.flag("--kind"), command.flag("--name")
        if isinstance(kind_flag, str) and isinstance(name_flag, str):
            return [r] if (r := _ref(kind_flag, namespace, name_flag)) else []
        return []
    if verb not in _FLUX_NAMED_VERBS or len(pos) < 2:
        return []
    if pos[1] in ("source", "sources"):
        kind = _FLUX_SOURCES.get(pos[2]) if len(pos) > 2 else None
        names = pos[3:]
    else:
        kind, names = pos[1], pos[2:]
    if kind is None:
        return []
    return [r for name in names if (r := _ref(kind, namespace, name))]


def _tfctl(command: Command) -> list[ResourceRef]:
    namespace = _namespace(command, command.env.get("FLUX_SYSTEM_NAMESPACE", CLI_DEFAULT_NAMESPACE))
    pos = command.positionals
    if not pos or namespace is None:
        return []
    verb = pos[0]
    if verb == "logs":
        name = command.flag("--name")
        names = [name] if isinstance(name, str) else []
    elif verb == "show" and len(pos) > 2 and pos[1] == "plan":
        names = pos[2:3]
    elif verb in _TFCTL_NAMED_VERBS:
        names = pos[1:2]
    else:
        return []
    return [r for name in names if (r := _ref("terraform", namespace, name))]


_HANDLERS = {"kubectl": _kubectl, "flux": _flux, "tfctl": _tfctl}
_PROTECTED_SECRETS = ("tfstate-", "sh.helm.release.v1.")  # state / Helm storage (gitops-recovery.md 2.8, 6)


def destructive_commands(content: str) -> list[str]:
    """What in a shell block the runbooks list under "What not to do": deleting Terraform state
    or Helm release secrets, deleting a Terraform (may destroy infrastructure), any `--force`;
    also when wrapped in `eval`, `bash -c`, `sh -c`, `xargs` or `$(...)`, and a `kubectl delete`
    whose objects come from its input or a substitution (which the page cannot see). Text the
    tokenizer cannot read is named too: it was not checked."""
    found = []
    try:
        commands = list(_simple_commands(content, 1, strict=True))
    except Unreadable as exc:
        return [f"{exc} could not be read as shell (unbalanced quotes, or nested too deep): not checked"]
    for line, words, how in commands:
        if how == BUILT_AT_RUN_TIME:
            shown = shlex.join(words[1:])[:80].replace(SUBSTITUTED, "$(...)")
            found.append(f"{words[0]} runs a command built at run time ({shown}): not checked")
            continue
        command = _parse_command(words, line)
        if command is None:
            continue
        pos = command.positionals
        shown = " ".join([command.program, *pos[:3]]).replace(SUBSTITUTED, "$(...)")
        via = f" (run through {how})" if how else ""
        if command.program == "kubectl" and pos[:1] == ["delete"]:
            targets = " ".join(pos[1:])
            if "secret" in targets and any(p in targets for p in _PROTECTED_SECRETS):
                found.append(f"{shown}{via} deletes a state or Helm release secret (state loss)")
            elif kind_info(pos[1].split("/", 1)[0] if len(pos) > 1 else "") is KINDS[0]:
                found.append(
                    f"{shown}{via} deletes a Terraform (destroys infrastructure when destroyResourcesOnDeletion)"
                )
            elif how or len(pos) == 1 or SUBSTITUTED in pos[1:]:
                found.append(f"{shown}{via} deletes objects this text does not name: check what it deletes")
        if command.flag("--force") is not None:
            found.append(f"{shown}{via} --force forces the operation")
    return found


def detect_in_ticket(ticket: Ticket) -> list[tuple[ResourceRef, Origin]]:
    """Resources named by the kubectl/flux/tfctl commands in the ticket's shell blocks."""
    found: list[tuple[ResourceRef, Origin]] = []
    for block in ticket.code_blocks:
        info = block.info.split(maxsplit=1)[0].lower() if block.info.strip() else ""
        if info not in SHELL_INFOS:
            continue
        for command in shell_commands(block.content, block.line):
            for ref in _HANDLERS[command.program](command):
                detail = f"{command.program} {' '.join(command.positionals[:2])}".strip()
                found.append((ref, Origin("detected", ticket.path, command.line, ticket.id, detail)))
    return found


# --- kinds the prose speaks of --------------------------------------------------------------

_WORD_PATTERNS = [
    (info.kind, word, re.compile(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])"))
    for info in KINDS
    for word in info.words
]


_POINTER_SECTIONS = ("related", "references", "see also", "links")


def kinds_mentioned(ticket: Ticket) -> list[tuple[str, int, str]]:
    """(kind, line, word) for each kind whose words appear in the ticket's title, fields or prose
    (code blocks excluded), first mention only, in KINDS order."""
    texts: list[tuple[int, str]] = [(ticket.line, ticket.title)]
    texts += [(f.line, f.value) for f in ticket.fields.values()]
    # A kind listed under "Related" is a pointer, not what the ticket is about.
    skipped = [(s.line, s.end_line) for s in ticket.sections if s.title.casefold().startswith(_POINTER_SECTIONS)]
    for tok in block_tokens(ticket.text):
        if tok.type == "inline" and tok.map:
            line = ticket.line + tok.map[0]
            if not any(start <= line <= end for start, end in skipped):
                texts.append((line, tok.content))
    found: dict[str, tuple[str, int, str]] = {}
    for kind, word, pattern in _WORD_PATTERNS:
        if kind in found:
            continue
        for line, text in texts:
            if pattern.search(text):
                found[kind] = (kind, line, word)
                break
    order = [info.kind for info in KINDS]
    return sorted(found.values(), key=lambda k: order.index(k[0]))
