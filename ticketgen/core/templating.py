"""The one way ticketgen makes a Jinja environment and renders a template: packaged templates,
a user's override folder in front of them, and a sandbox for those.

Override folders come from the repository, so a pull request can change them: when one holds a
file, everything runs in Jinja's immutable `SandboxedEnvironment`. The context is plain data
(str, int, bool, tuples and dicts of those, escaped `Markup`: see `site/views.py` and the
runbook generator), so a template can read it and nothing else: no `Path` to write through, no
object with methods. The sandbox stops the rest: Python internals (`cycler.__init__.__globals__`),
and values too large to hold (`'a' * 10**9`, `9 ** 9 ** 9`, `'%999999999s' % x`, doubling a string
in a loop), which are refused before they are computed. Output is streamed and capped. Any error
is a `ConfigError` naming the template file and line. Without an override folder only
ticketgen's own templates run, without the sandbox's checks on every attribute (a tenth of a
large site's rendering). Ticket text is always data given to a template, never compiled as one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from .errors import ConfigError, ContentError
from .io import read_source

# Bounds on what a sandboxed template may compute. Far above what a page needs (a page's
# output is a few hundred kilobytes; the index of 10,000 tickets about 10 MB).
MAX_VALUE = 4_000_000  # characters of a string, items of a list, made by one operator or filter
MAX_INT_BITS = 4096  # an integer from `*` or `**` (1,233 decimal digits)
MAX_WIDTH = 100_000  # a number given to a call or filter (`center(…)`, `'%*s'`, `indent(…)`)
MAX_OUTPUT = 64_000_000  # characters of one rendered page
_WIDTH_IN_FORMAT = re.compile(r"\d{6,}")  # `%1000000s`, `{:>1000000}`


class TemplateLimitError(SecurityError):
    """A template asked for more than the bounds above."""


class _Generator(CodeGenerator):
    """Compiles `a ~ b` to a call the sandbox checks, like the operators it intercepts."""

    def visit_Concat(self, node, frame) -> None:  # noqa: N802 - jinja2's visitor naming
        self.write("environment.call_concat(context, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (no internals, no changing the data), with size bounds on everything a
    template can make bigger than its input: `*`, `**`, `%`, `+`, `~`, calls and filters."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters = {name: _bounded(name, f) for name, f in self.filters.items()}
        self.globals.pop("lipsum", None)  # paragraphs by the hundred thousand: not a page's business

    def call_binop(self, context: jinja2.runtime.Context, op: str, left: Any, right: Any) -> Any:
        if op == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
            if _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimitError(f"`*` would make an integer over {MAX_INT_BITS} bits")
        elif op == "**" and _is_int(left) and _is_int(right) and abs(left) > 1 and right > 0:
            if right * abs(left).bit_length() > MAX_INT_BITS:
                raise TemplateLimitError(f"`**` would make an integer over {MAX_INT_BITS} bits")
        elif op == "%" and isinstance(left, str):
            _check_format(left, right if isinstance(right, tuple) else (right,))
        elif op == "+" and _is_sized(left) and _is_sized(right) and len(left) + len(right) > MAX_VALUE:
            raise TemplateLimitError(f"`+` would make a value over {MAX_VALUE:,} long")
        return super().call_binop(context, op, left, right)

    def call_concat(self, context: jinja2.runtime.Context, parts: tuple[Any, ...]) -> str:
        """`a ~ b ~ …`, as Jinja joins them (escaping under autoescape), bounded."""
        text = [p if isinstance(p, str) else str(p) for p in parts]
        if sum(map(len, text)) > MAX_VALUE:
            raise TemplateLimitError(f"`~` would make a string over {MAX_VALUE:,} characters")
        if context.eval_ctx.autoescape:
            return jinja2.runtime.markup_join(parts)
        return jinja2.runtime.str_join(parts)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _check_arguments(args, kwargs)
        if callable(__obj) and getattr(__obj, "__name__", "") in ("format", "format_map"):
            owner = getattr(__obj, "__self__", None)
            if isinstance(owner, str):
                _check_format(owner, args)
        result = super().call(__context, __obj, *args, **kwargs)
        _check_result(result)
        return result


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_sized(value: Any) -> bool:
    return isinstance(value, str | list | tuple)


def _check_repeat(sequence: Any, times: Any) -> None:
    if _is_sized(sequence) and _is_int(times) and len(sequence) * times > MAX_VALUE:
        raise TemplateLimitError(f"`*` would make a value over {MAX_VALUE:,} long")


def _check_arguments(args: Iterable[Any], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if _is_int(value) and abs(value) > MAX_WIDTH:
            raise TemplateLimitError(f"a number over {MAX_WIDTH:,} given to a call or filter ({value:.3g})")


def _check_format(template: str, args: Iterable[Any]) -> None:
    if _WIDTH_IN_FORMAT.search(template):
        raise TemplateLimitError(f"a format width or precision over {MAX_WIDTH:,}")
    _check_arguments(args if isinstance(args, tuple | list) else (args,), {})


def _check_result(value: Any) -> None:
    if _is_sized(value) and len(value) > MAX_VALUE:
        raise TemplateLimitError(f"a value over {MAX_VALUE:,} long")


def _bounded(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose numeric arguments and result are bounded (`center(10**9)`, `indent`...)."""

    first = 2 if hasattr(func, "jinja_pass_arg") else 1  # the context/environment, then the value

    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[first:], kwargs)
        if name == "format" and len(args) >= first and isinstance(args[first - 1], str):
            _check_format(args[first - 1], args[first:])
        result = func(*args, **kwargs)
        _check_result(result)
        return result

    if hasattr(func, "jinja_pass_arg"):  # pass_context / pass_environment / pass_eval_context
        bounded.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    bounded.__name__ = getattr(func, "__name__", name)
    return bounded


class _OverrideLoader(jinja2.BaseLoader):
    """Templates from the repository's override folder, read through the one file reader
    (size bound, UTF-8, no binary); names outside the folder, and symlinks leading out of
    it, are not found."""

    def __init__(self, folder: Path):
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        if not path.resolve().is_relative_to(self.folder.resolve()):
            raise ConfigError("template override is a symlink to a file outside its folder: not read", path)
        try:
            source = read_source(path, root=self.folder).text  # regular files only, bounded
        except ContentError as exc:
            raise ConfigError(f"template override: {exc.message}", exc.location.path, exc.location.line) from None
        return source, str(path), lambda: True


def environment(folder: str, override: Path | None = None, *, autoescape: bool) -> jinja2.Environment:
    """Templates from `ticketgen/templates/<folder>`; a same-named file in `override` wins."""
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(_OverrideLoader(override))
    loaders.append(jinja2.PackageLoader("ticketgen", f"templates/{folder}"))
    overridden = override is not None and override.is_dir() and any(p.is_file() for p in override.rglob("*"))
    kind = Sandbox if overridden else jinja2.Environment
    return kind(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # one environment per run: no stat of every template at every use
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def is_sandboxed(env: jinja2.Environment) -> bool:
    return isinstance(env, Sandbox)


def render(
    env: jinja2.Environment, name: str, variables: dict[str, Any], *, what: str, limit: int = MAX_OUTPUT
) -> tuple[str, dict[str, Any]]:
    """(output, the template's top-level `{% set %}` names) of template `name`, streamed as
    `Template.generate` does and stopped past `limit` characters. An error raised by template
    code (a packaged template's or an override's) is a ConfigError `<what>: …` naming the
    template file and line; one raised by Python of ours that a template called is re-raised
    (a bug of ours, not the template author's)."""
    template = None
    try:
        template = env.get_template(name)
        context = template.new_context(variables)
        out: list[str] = []
        size = 0
        chunks = template.root_render_func(context)  # tracebacks not rewritten by `handle_exception`: see below
        for chunk in chunks:
            size += len(chunk)
            if size > limit:  # stopped where it yields: that line of the template
                frame = chunks.gi_frame  # type: ignore[attr-defined]
                line = template.get_corresponding_lineno(frame.f_lineno) if frame is not None else None
                raise ConfigError(f"{what}: output over {limit:,} characters", template.filename or name, line)
            out.append(chunk)
        return "".join(out), context.get_exported()
    except ConfigError:
        raise
    except Exception as exc:
        where, line = _template_frame(exc)
        ours = where is None or where.startswith(_PACKAGED)
        if ours and not isinstance(exc, jinja2.TemplateError):
            raise
        where = getattr(exc, "filename", None) or where or (template.filename if template else None) or name
        line = getattr(exc, "lineno", None) or line
        message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
        raise ConfigError(f"{what}: {message}", where, line) from None


_JINJA_CODE = (*(str(Path(module.__path__[0])) for module in (jinja2, markupsafe)), __file__)
_PACKAGED = str(Path(__file__).parents[1] / "templates")


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error was raised at, when the innermost frame outside
    jinja2 (and this module's checks) is template code (jinja2 marks those with
    `__jinja_template__` and maps their lines back to the template's); (None, None) when it is
    other Python a template called."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        template = frame.f_globals.get("__jinja_template__")
        if isinstance(template, jinja2.Template):
            found = (template.filename, template.get_corresponding_lineno(tb.tb_lineno))
        elif not frame.f_code.co_filename.startswith(_JINJA_CODE):
            found = (None, None)
        tb = tb.tb_next
    return found
