"""A commented starter config, written from the pydantic models themselves so it never drifts."""

from __future__ import annotations

import enum
import inspect
from datetime import timedelta
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from aggregator.config.bounds import format_duration
from aggregator.config.model import ChannelConfig, Config, RuleConfig, SourceConfig

__all__ = ["EXAMPLE_CHANNEL", "render_starter"]

EXAMPLE_CHANNEL = "me"
# The values of an example entry where a default is missing or says nothing (every other
# field is shown at its default). Uncommented, the examples work together.
_EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    SourceConfig: {"name": "my-feed", "adapter": "rss", "url": "https://example.com/jobs.rss"},
    ChannelConfig: {"urls": ["console://"]},
    RuleConfig: {
        "name": "data-micro",
        "query": "data #microinternship -senior",
        "notify": [EXAMPLE_CHANNEL],
    },
}

_HEADER = """\
# aggregator configuration, as `aggregate config init` writes it: every setting is here,
# commented out at its default. Uncomment and edit what you want to change; the examples
# under sources, channels and rules work together once uncommented.
# Check it with:  aggregate config validate PATH
# Run it with:    aggregate run (one cycle, for cron) or aggregate daemon (keeps polling)
# ${VAR} and ${VAR:-default} are read from the environment: keep secrets there, not here.
# Unknown keys are errors, so a typo never goes unnoticed.
"""


def render_starter(*, commented: bool = True) -> str:
    """The starter config's text; `commented=False` gives the same settings uncommented
    (what a user gets who uncomments every line; the tests load it)."""
    blocks = [_HEADER]
    for name, field in Config.model_fields.items():
        lines = _field(name, field, Config, indent="")
        doc = _model_doc(_model_of(field.annotation))
        prose = [f"# {line}" for line in doc] if doc else []
        settings = [("#" if commented else "") + line for line in lines]
        blocks.append("\n".join(prose + settings) + "\n")
    return "\n".join(blocks)


def _field(name: str, field: FieldInfo, owner: type[BaseModel], *, indent: str) -> list[str]:
    """One setting's lines (a nested model's fields below its name), without the `#`."""
    annotation = field.annotation
    model = _model_of(annotation)
    comment = f"  # {field.description}" if field.description else ""
    if model is None:
        value = _example_or_default(name, field, owner)
        return [f"{indent}{name}: {_scalar(value)}{comment}"]
    inner = indent + "  "
    origin = get_origin(annotation)
    if origin is list:
        first, *rest = _model_lines(model, indent=inner + "  ")
        return [f"{indent}{name}:{comment}", f"{inner}- {first.lstrip()}", *rest]
    if origin is dict:
        lines = _model_lines(model, indent=inner + "  ")
        return [f"{indent}{name}:{comment}", f"{inner}{EXAMPLE_CHANNEL}:", *lines]
    return [f"{indent}{name}:{comment}", *_model_lines(model, indent=inner)]


def _model_lines(model: type[BaseModel], *, indent: str) -> list[str]:
    lines: list[str] = []
    for name, field in model.model_fields.items():
        lines += _field(name, field, model, indent=indent)
    return lines


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds: itself, or the items of a list or the values of a dict."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (list, dict):
        inner = get_args(annotation)[-1]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return None


def _model_doc(model: type[BaseModel] | None) -> list[str]:
    if model is None or model.__doc__ is None:
        return []
    return inspect.cleandoc(model.__doc__).split("\n\n")[0].splitlines()


def _example_or_default(name: str, field: FieldInfo, owner: type[BaseModel]) -> Any:
    examples = _EXAMPLES.get(owner, {})
    if name in examples:
        return examples[name]
    if field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]
    if field.default is PydanticUndefined:
        raise ValueError(f"{owner.__name__}.{name} is required: give it a starter example")
    return field.default


def _scalar(value: Any) -> str:
    """A value as YAML that the config reads back to the same setting."""
    if isinstance(value, timedelta):
        value = format_duration(value)
    elif isinstance(value, enum.Enum):
        value = value.value
    elif not isinstance(value, str | int | float | bool | list | dict | type(None)):
        value = str(value)  # a digest or quiet-hours window: its own config form
    text = yaml.safe_dump(value, default_flow_style=True, width=1_000_000, allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...")
