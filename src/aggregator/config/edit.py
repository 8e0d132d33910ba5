"""Adding items to a config file's `sources:` list without touching a byte of the rest.

ruamel.yaml's round-trip parser says where `sources:` and its items are (lines, columns, block
or flow style); the new items are inserted as text after the list's last item, indented like
it, so comments, key order, quoting and `${ENV}` strings stay exactly as written. The items
are written by PyYAML, which also reads the config (YAML 1.1: `yes` and `on` are quoted), and
the edited text is read back with the config's own loader and compared before it is saved.
The file is replaced atomically: a crash leaves the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError

from aggregator.config.safe_yaml import load_yaml
from aggregator.errors import AggregatorError

__all__ = ["ConfigEditError", "add_sources", "configured_sources", "write_atomically"]

_EMPTY_FLOW_RE = re.compile(r"^(?P<key>\s*sources\s*:)\s*\[\s*\](?P<rest>\s*(?:#.*)?)$")
_NULL_RE = re.compile(r"^\s*sources\s*:\s*(?:#.*)?$")


class ConfigEditError(AggregatorError):
    """The config cannot be edited safely (shown as one line; the file is left as it was)."""


def _round_trip(text: str, origin: str) -> CommentedMap | None:
    try:
        document = YAML(typ="rt").load(text)
    except RuamelError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise ConfigEditError(f"{origin}: invalid YAML{at}") from None
    if document is None:
        return None
    if not isinstance(document, CommentedMap):
        raise ConfigEditError(f"{origin}: the top level is not a mapping of settings")
    return document


def configured_sources(text: str, origin: str) -> list[Mapping[str, Any]]:
    """The `sources:` items as written (no `${ENV}` replaced); items that are not mappings
    are left out (the config check names them)."""
    document = _round_trip(text, origin)
    sources = document.get("sources") if document is not None else None
    if not isinstance(sources, list):
        return []
    return [item for item in sources if isinstance(item, Mapping)]


def add_sources(text: str, items: Sequence[Mapping[str, Any]], origin: str) -> str:
    """`text` with `items` appended to its `sources:` list, the rest byte for byte the same."""
    document = _round_trip(text, origin)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if document is None or "sources" not in document:
        edited = _with_new_key(text, items, newline)
    else:
        key_line = document.lc.key("sources")[0]
        sources = document["sources"]
        if isinstance(sources, CommentedSeq) and not sources.fa.flow_style() and len(sources):
            edited = _after_last_item(lines, key_line, sources, items, newline)
        elif sources is None or (isinstance(sources, CommentedSeq) and not len(sources)):
            edited = _into_empty(lines, key_line, items, newline, origin)
        else:
            raise ConfigEditError(
                f"{origin}: `sources:` is not a block list (`- name: ...` items); add the "
                "source by hand"
            )
    _check_edit(text, edited, items, origin)
    return edited


def _render(items: Sequence[Mapping[str, Any]], column: int, newline: str) -> str:
    """The items as block-list entries with their dash at `column`."""
    out = []
    for item in items:
        body = yaml.safe_dump(
            dict(item), sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096
        )
        rows = body.splitlines()
        out.append(" " * column + "- " + rows[0] + newline)
        out += [" " * (column + 2) + row + newline for row in rows[1:]]
    return "".join(out)


def _with_new_key(text: str, items: Sequence[Mapping[str, Any]], newline: str) -> str:
    prefix = text if not text or text.endswith(("\n", "\r")) else text + newline
    return prefix + "sources:" + newline + _render(items, 2, newline)


def _after_last_item(
    lines: list[str],
    key_line: int,
    sources: CommentedSeq,
    items: Sequence[Mapping[str, Any]],
    newline: str,
) -> str:
    column = _dash_column(lines, *sources.lc.item(0))
    last = sources.lc.item(len(sources) - 1)[0]
    end = _last_line_of_list(lines, max(last, key_line), column)
    head = "".join(lines[: end + 1])
    if not head.endswith(("\n", "\r")):
        head += newline
    return head + _render(items, column, newline) + "".join(lines[end + 1 :])


def _dash_column(lines: list[str], line: int, value_column: int) -> int:
    """The column of an item's dash (ruamel gives the column of the item's value)."""
    before = lines[line][:value_column].rstrip()
    return len(before) - 1 if before.endswith("-") else max(value_column - 2, 0)


def _last_line_of_list(lines: list[str], start: int, column: int) -> int:
    """The index of the list's last line: the last one, from its last item on, that is more
    indented than the dashes (or is a dash line), before a line that ends the list. Comments
    and blank lines at or left of the dashes after it belong to what follows."""
    end = start
    for index in range(start + 1, len(lines)):
        line = lines[index].rstrip("\r\n")
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped:
            continue
        if stripped.startswith("#") and indent <= column:
            continue
        if indent > column or (indent == column and re.match(r"-(\s|$)", stripped)):
            end = index
            continue
        break
    return end


def _into_empty(
    lines: list[str],
    key_line: int,
    items: Sequence[Mapping[str, Any]],
    newline: str,
    origin: str,
) -> str:
    """`sources:` or `sources: []` followed by the items (the key's line otherwise kept)."""
    line = lines[key_line]
    ending = line[len(line.rstrip("\r\n")) :] or newline
    bare = line.rstrip("\r\n")
    if found := _EMPTY_FLOW_RE.match(bare):
        bare = found["key"] + found["rest"]
    elif not _NULL_RE.match(bare):
        raise ConfigEditError(f"{origin}: cannot add to `sources:` as written; add it by hand")
    column = len(bare) - len(bare.lstrip(" ")) + 2
    rows = _render(items, column, newline)
    return "".join(lines[:key_line]) + bare + ending + rows + "".join(lines[key_line + 1 :])


def _check_edit(before: str, after: str, items: Sequence[Mapping[str, Any]], origin: str) -> None:
    """The edited text, read as the config is read, is the old data plus the new items."""
    try:
        old, new = load_yaml(before) or {}, load_yaml(after)
    except yaml.YAMLError:
        raise ConfigEditError(f"{origin}: adding the source would break the YAML") from None
    expected = dict(old)
    expected["sources"] = list(old.get("sources") or []) + [dict(item) for item in items]
    if new != expected:
        raise ConfigEditError(
            f"{origin}: adding the source here would change other settings; add it by hand"
        )


def write_atomically(path: Path, text: str, *, expected: str) -> None:
    """Replace the file behind `path` (symlinks followed) with `text` through a temporary file
    beside it and a rename; refused if the file no longer holds `expected` (edited meanwhile)."""
    target = path.resolve()
    try:
        if target.read_text(encoding="utf-8") != expected:
            raise ConfigEditError(f"{path}: the file changed while it was being edited; try again")
        mode = target.stat().st_mode & 0o7777
    except OSError as exc:
        raise ConfigEditError(f"cannot read {path}: {exc.strerror}") from None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise ConfigEditError(f"cannot write beside {path}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise ConfigEditError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
