"""The one Jinja2 environment every alert template renders in: sandboxed, escaped, budgeted.

The sandbox keeps a template away from Python internals and from changing the objects it is
given. On top of it, every operator, call, filter, `~`, buffer and loop step of a template
passes a budget check (budget.py), and every printed value the escaper of its output format
(escaping.py), whatever the template says (`{% autoescape false %}` included).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterable, Iterator
from functools import lru_cache
from typing import Any, cast

from jinja2 import Template, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from aggregator.notify import render_budget as budget
from aggregator.notify.escaping import FORMATS, Format, escape_for, link

__all__ = ["compile_template", "render"]

# Filters that turn listing text into markup (`safe`, `urlize`) are not offered; a template
# that names one fails and the default template stands in.
_REMOVED_FILTERS = ("safe", "urlize")
# lipsum(10**6) makes text from nothing; it has no use in an alert.
_REMOVED_GLOBALS = ("lipsum",)
# str methods with a cost the checks below cannot bound.
_REFUSED_STR_METHODS = frozenset({"translate", "maketrans"})
# Filters that do not print their value (so its printed length does not matter).
_STRUCTURAL_FILTERS = frozenset(
    {
        "abs", "attr", "batch", "count", "d", "default", "dictsort", "filesizeformat", "first",
        "float", "groupby", "int", "items", "last", "length", "list", "map", "max", "min",
        "random", "reject", "rejectattr", "reverse", "round", "select", "selectattr", "slice",
        "sort", "sum", "unique",
    }
)  # fmt: skip
# Filters whose numbers are values (to format, compare or fall back to), not sizes.
_VALUE_ARGUMENT_FILTERS = frozenset(
    {"d", "default", "float", "format", "int", "map", "reject", "rejectattr", "replace",
     "select", "selectattr", "sum"}
)  # fmt: skip
_MAX_JSON_INDENT = 16


class _BudgetedCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` to a checked join, so a chain of `~` cannot double past the budget."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802 (Jinja2's visitor name)
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.checked_join({join}, (")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class _BudgetedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with budget checks on every operation a template can repeat or enlarge."""

    code_generator_class = _BudgetedCodeGenerator
    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, body_format: Format) -> None:
        super().__init__(
            autoescape=body_format == "html",
            finalize=functools.partial(_finalize, body_format),
            keep_trailing_newline=True,
            # No constant folding: every operation runs, and is checked, at render time.
            optimized=False,
        )
        for name in _REMOVED_GLOBALS:
            self.globals.pop(name, None)
        self.globals["link"] = functools.partial(link, body_format)
        for name in _REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.filters = {name: _checked_filter(name, f) for name, f in self.filters.items()}

    def concat(self, parts: Iterable[str]) -> str:
        """Joins a block's buffer (block `set`, macro, `filter` and `call` blocks)."""
        chunks = list(parts)
        budget.check_size(sum(len(chunk) for chunk in chunks), "a block")
        return "".join(chunks)

    def checked_join(self, join: Callable[[Iterable[Any]], str], parts: tuple[Any, ...]) -> str:
        budget.tick()
        budget.check_size(sum(budget.text_weight(part) for part in parts), "a `~` join")
        return join(parts)

    def budgeted_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Each `for` loop iterates through this, so loops within loops stop on time too."""
        for item in iterable:
            budget.tick()
            yield item

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget.tick()
        _check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        budget.check_result(result)
        return result

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget.tick()
        receiver = getattr(__obj, "__self__", None)
        if isinstance(receiver, str):
            args = _check_str_method(receiver, getattr(__obj, "__name__", ""), args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        budget.check_result(result)
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        budget.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        budget.tick()
        return super().getitem(obj, argument)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in _REFUSED_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        template: str = value.__self__
        is_format_map = value.__name__ == "format_map"

        @functools.wraps(wrapper)
        def checked(*args: Any, **kwargs: Any) -> str:
            if is_format_map and len(args) == 1:
                budget.check_format(template, (), args[0])
            else:
                budget.check_format(template, args, kwargs)
            return wrapper(*args, **kwargs)

        return checked


def _finalize(body_format: Format, value: Any) -> str:
    budget.check_size(budget.text_weight(value), "a printed value")
    return escape_for(body_format, value)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    sized = (str, bytes, list, tuple)
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, sized) and isinstance(times, int):
                budget.check_size(len(sequence) * times, "a `*` repetition")
        if isinstance(left, int) and isinstance(right, int):
            _check_bits(left.bit_length() + right.bit_length())
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            _check_bits(left.bit_length() * right)
    elif operator == "%" and isinstance(left, str):
        budget.check_printf(left, right)
    elif operator == "+" and isinstance(left, sized) and isinstance(right, sized):
        budget.check_size(len(left) + len(right), "a `+` join")


def _check_bits(bits: int) -> None:
    if bits > budget.MAX_INT_BITS:
        raise budget.BudgetExceededError(
            f"a number would have more than {budget.MAX_INT_BITS} bits"
        )


def _check_str_method(
    text: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """Refuse a str method call whose result would pass the budget; may materialize args."""
    if name in {"ljust", "rjust", "center", "zfill"} and args:
        budget.check_width(args[0], f"str.{name} width")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        size = size if isinstance(size, int) else 8
        budget.check_width(size, "str.expandtabs size")
        budget.check_size(len(text) + text.count("\t") * size, "str.expandtabs")
    elif name == "replace" and len(args) >= 2:
        _check_replace(text, *args[:3])
    elif name == "join" and args:
        items = list(args[0])
        budget.check_size(
            sum(budget.text_weight(item) for item in items) + len(text) * len(items), "str.join"
        )
        return (items, *args[1:])
    return args


def _check_replace(text: str, old: Any, new: Any, count: Any = -1) -> None:
    if not (isinstance(old, str) and isinstance(new, str)):
        return
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    budget.check_size(len(text) + found * max(0, len(new) - len(old)), "a replace")


def _check_filter(name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Refuse a filter call whose result would pass the budget; returns the value to use."""
    if name not in _STRUCTURAL_FILTERS and name != "join":
        budget.check_size(budget.text_weight(value), f"the {name} filter's input")
    options = dict(zip(_FILTER_PARAMETERS.get(name, ()), args, strict=False)) | kwargs
    if name not in _VALUE_ARGUMENT_FILTERS:  # a number given to these is a width or a count
        for argument in (*args, *kwargs.values()):
            budget.check_width(argument, f"a number given to the {name} filter")
    if name == "tojson":
        indent = options.get("indent")
        size = len(indent) if isinstance(indent, str) else indent
        if isinstance(size, int) and size > _MAX_JSON_INDENT:
            raise budget.BudgetExceededError(f"tojson indents by {_MAX_JSON_INDENT} at most")
    elif name == "indent":
        _check_indent(str(value), options.get("width", 4))
    elif name == "wordwrap":
        wrap = options.get("wrapstring") or "\n"
        width = options.get("width", 79)
        lines = len(str(value)) // max(1, width if isinstance(width, int) else 1) + 1
        budget.check_size(len(str(value)) + (lines + str(value).count("\n")) * len(wrap))
    elif name == "replace" and len(args) >= 2:
        _check_replace(str(value), *args[:3])
    elif name == "format":
        budget.check_printf(str(value), kwargs or args)
    elif name == "join":
        value = list(value)
        separator = options.get("d", "")
        budget.check_size(
            sum(budget.text_weight(item) for item in value) + len(str(separator)) * len(value),
            "the join filter",
        )
    elif name == "sum" and not isinstance(options.get("start", 0), (int, float)):
        value = list(value)
        budget.check_size(sum(budget.text_weight(item) for item in value), "the sum filter")
    return value


def _check_indent(text: str, width: Any) -> None:
    lines = text.count("\n") + 1
    if isinstance(width, str):
        budget.check_size(len(text) + lines * len(width), "the indent filter")
    else:
        budget.check_width(width, "the indent filter's width")
        budget.check_size(len(text) + lines * int(width or 0), "the indent filter")


# The positional parameters (after the value) of the filters checked above.
_FILTER_PARAMETERS: dict[str, tuple[str, ...]] = {
    "center": ("width",),
    "batch": ("linecount", "fill_with"),
    "slice": ("slices", "fill_with"),
    "round": ("precision", "method"),
    "indent": ("width", "first", "blank"),
    "wordwrap": ("width", "break_long_words", "wrapstring", "break_on_hyphens"),
    "join": ("d", "attribute"),
    "sum": ("attribute", "start"),
    "tojson": ("indent",),
}


def _checked_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    # Filters are called directly by compiled templates, not through `call`: check them here.
    passes_first = getattr(function, "jinja_pass_arg", None) is not None

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        budget.tick()
        head, (value, *rest) = (args[:1], args[1:]) if passes_first else ((), args)
        value = _check_filter(name, value, tuple(rest), kwargs)
        result = function(*head, value, *rest, **kwargs)
        budget.check_result(result)
        return result

    return checked


_ENVIRONMENTS = {body_format: _BudgetedEnvironment(body_format) for body_format in FORMATS}


@lru_cache(maxsize=256)
def compile_template(source: str, body_format: Format) -> Template:
    """The template compiled for `body_format`, every `for` loop iterating under the budget."""
    environment = _ENVIRONMENTS[body_format]
    tree = environment.parse(source)
    for loop in tree.find_all(nodes.For):
        guard = nodes.EnvironmentAttribute("budgeted_iter", lineno=loop.lineno)
        loop.iter = nodes.Call(guard, [loop.iter], [], None, None, lineno=loop.lineno)
    tree.set_environment(environment)
    return environment.from_string(tree)


def render(
    source: str,
    body_format: Format,
    context: dict[str, Any],
    *,
    seconds: float = budget.USER_TEMPLATE_SECONDS,
    max_chars: int = budget.MAX_CHARS,
) -> str:
    """Render `source` for `body_format`; BudgetExceededError past `seconds` or `max_chars`.

    Any other exception of the template (a sandbox refusal, ZeroDivisionError,
    RecursionError, MemoryError ...) is raised as it is, for the caller to fall back.
    """
    with budget.budget(seconds, max_chars):
        template = compile_template(source, body_format)
        chunks: list[str] = []
        size = 0
        # A generator: closed at once when the budget stops it, not left for the collector.
        stream = cast(Generator[str, None, None], template.generate(**context))
        try:
            for chunk in stream:
                size += len(chunk)
                budget.check_size(size)
                budget.tick()
                chunks.append(chunk)
        finally:
            stream.close()
    return "".join(chunks)
