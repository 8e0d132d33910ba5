"""Reading the config's YAML within limits, and `${VAR}` interpolation that counts what it walks.

PyYAML builds an alias (`*name`) as the very object its anchor made, so a 700-byte file of
nested aliases loads in microseconds as a graph that stands for billions of values; anything
that walks it as a tree (interpolation, validation) would run for hours. The walk here counts
every value it visits, aliases included, and stops past MAX_CONFIG_VALUES. PyYAML's composer
recurses once per nesting level, so the loader also refuses nesting past MAX_CONFIG_DEPTH
before Python's recursion limit would.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

__all__ = [
    "MAX_CONFIG_ALIASES",
    "MAX_CONFIG_CHARS",
    "MAX_CONFIG_DEPTH",
    "MAX_CONFIG_VALUES",
    "ConfigLimitError",
    "YamlLimitError",
    "interpolate_env",
    "join_path",
    "load_yaml",
]

MAX_CONFIG_DEPTH = 64  # a real config nests about 6 levels (sources[0].options.fields.x)
MAX_CONFIG_ALIASES = 1000  # a real config shares a few settings through aliases, if any
MAX_CONFIG_VALUES = 100_000  # a thousand sources of twenty settings each stay far below
# Characters of all strings once `${VAR}`s are replaced and aliases expanded: a real config,
# long templates included, is well under a megabyte.
MAX_CONFIG_CHARS = 10_000_000

_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class YamlLimitError(yaml.MarkedYAMLError):
    """The YAML text is valid but nests too deeply or uses too many aliases."""


class ConfigLimitError(ValueError):
    """The loaded data stands for too many values or nests too deeply (aliases expanded)."""


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing deep nesting and absurd alias use as it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._merged_sizes: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_CONFIG_ALIASES:
                problem = f"more than {MAX_CONFIG_ALIASES} aliases (*name); refused"
                raise YamlLimitError(problem=problem, problem_mark=_mark(event))
            return super().compose_node(parent, index)
        if self._depth >= MAX_CONFIG_DEPTH:
            problem = f"nested more than {MAX_CONFIG_DEPTH} levels deep; refused"
            raise YamlLimitError(problem=problem, problem_mark=_mark(event))
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def flatten_mapping(self, node: MappingNode) -> None:
        # Merge keys (`<<: [*a, *a]`) copy the merged pairs into each mapping: nested merges
        # stand for exponentially many pairs, which PyYAML before 6.0.4 really builds (a
        # 500-byte file took hours). What a mapping stands for is counted first, in linear time.
        if _merged_size(node, self._merged_sizes) > MAX_CONFIG_VALUES:
            problem = f"merge keys (<<) stand for more than {MAX_CONFIG_VALUES:,} values; refused"
            raise YamlLimitError(problem=problem, problem_mark=node.start_mark)
        super().flatten_mapping(node)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        # PyYAML's own constructors raise plain ValueErrors for values it matched but cannot
        # build (`2024-02-30`, `!!float x`): make them YAML errors that say where.
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as error:
            problem = f"cannot read this value: {error}"
            raise ConstructorError(None, None, problem, node.start_mark) from None


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _merged_size(root: MappingNode, sizes: dict[int, int]) -> int:
    """How many pairs a mapping stands for once its merge keys are expanded (each merged
    mapping counted each time it is merged); `sizes` remembers what was already counted.
    Iterative, as a merge chain may be as long as the alias limit; a mapping that merges
    itself (`&a {<<: *a}`, which YAML allows) adds nothing more."""
    stack, open_nodes = [root], set[int]()
    while stack:
        node = stack[-1]
        if id(node) in sizes:
            stack.pop()
            continue
        waiting = [
            sub
            for sub in _merge_sources(node)
            if id(sub) not in sizes and id(sub) not in open_nodes
        ]
        if waiting and id(node) not in open_nodes:
            open_nodes.add(id(node))
            stack.extend(waiting)
            continue
        stack.pop()
        open_nodes.discard(id(node))
        own = sum(1 for key, _ in node.value if key.tag != _MERGE_TAG)
        sizes[id(node)] = own + sum(sizes.get(id(sub), 0) for sub in _merge_sources(node))
    return sizes[id(root)]


def _merge_sources(node: MappingNode) -> list[MappingNode]:
    sources: list[MappingNode] = []
    for key, value in node.value:
        if key.tag != _MERGE_TAG:
            continue
        items = value.value if isinstance(value, SequenceNode) else [value]
        sources += [item for item in items if isinstance(item, MappingNode)]
    return sources


def _whole_number(loader: _BoundedLoader, node: yaml.ScalarNode) -> object:
    """PyYAML's int, except that a number too long for Python to read is refused at its place
    (int() refuses more than 4,300 digits with a ValueError naming a Python setting)."""
    if len(node.value) > sys.get_int_max_str_digits():
        problem = f"a number of more than {sys.get_int_max_str_digits()} digits; refused"
        raise YamlLimitError(problem=problem, problem_mark=node.start_mark)
    return loader.construct_yaml_int(node)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _whole_number)


def _mark(event: yaml.Event) -> yaml.Mark | None:
    mark = event.start_mark
    return mark if isinstance(mark, yaml.Mark) else None


def load_yaml(text: str) -> Any:
    """`yaml.safe_load` with the limits above; yaml.YAMLError (YamlLimitError for a limit)."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


class _Walk:
    """Counts the values visited and the depth reached, so the walk stops early on a bomb."""

    def __init__(self) -> None:
        self.values = 0
        self.chars = 0

    def produce(self, count: int) -> None:
        """Count characters about to be built, before they are (one `${VAR}` at a time)."""
        self.chars += count
        if self.chars > MAX_CONFIG_CHARS:
            raise ConfigLimitError(
                f"the configuration's strings expand to more than {MAX_CONFIG_CHARS:,} "
                "characters (${VAR} values and YAML aliases repeat text); refused"
            )

    def visit(self, depth: int) -> None:
        self.values += 1
        if self.values > MAX_CONFIG_VALUES:
            raise ConfigLimitError(
                f"the configuration stands for more than {MAX_CONFIG_VALUES:,} values "
                "(YAML aliases repeat what they point at); refused"
            )
        if depth > MAX_CONFIG_DEPTH:
            raise ConfigLimitError(
                f"nested more than {MAX_CONFIG_DEPTH} levels deep (aliases included); refused"
            )


def interpolate_env(
    data: object, env: Mapping[str, str], path: str = ""
) -> tuple[object, list[str]]:
    """Replace `${VAR}` and `${VAR:-default}` in every string; return the data (a tree: each
    alias becomes its own copy) and the problems. ConfigLimitError past the limits above."""
    problems: list[str] = []
    return _interpolate(data, env, path, problems, _Walk(), 0), problems


def _interpolate(
    data: object, env: Mapping[str, str], path: str, problems: list[str], walk: _Walk, depth: int
) -> object:
    walk.visit(depth)
    if isinstance(data, str):
        return _substitute(data, env, path, problems, walk)
    if isinstance(data, dict):
        return {
            key: _interpolate(value, env, join_path(path, key), problems, walk, depth + 1)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [
            _interpolate(value, env, f"{path}[{index}]", problems, walk, depth + 1)
            for index, value in enumerate(data)
        ]
    return data


def _substitute(
    text: str, env: Mapping[str, str], path: str, problems: list[str], walk: _Walk
) -> str:
    walk.produce(len(text))  # an aliased string counts in each place it stands

    def replace(found: re.Match[str]) -> str:
        value = _value_of(found, env, path, problems)
        walk.produce(len(value))
        return value

    return _ENV_RE.sub(replace, text)


def _value_of(found: re.Match[str], env: Mapping[str, str], path: str, problems: list[str]) -> str:
    name, default = found.group(1), found.group(2)
    if name in env and (env[name] != "" or default is None):
        return env[name]
    if default is not None:
        return default
    problems.append(f"{path or '<root>'}: environment variable {name} is not set")
    return ""


def join_path(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)
