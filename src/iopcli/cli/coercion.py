"""Plain command-line values converted without loading pydantic.

Typer (from 0.27 on) converts every parameter, even a ``str``, through a pydantic
``TypeAdapter`` when a command runs. Importing pydantic for that costs more than the rest of
``iopcli list`` or ``iopcli history`` together, on every start. This CLI's parameters are plain:
``str``, ``int`` (some with bounds), ``bool``, their ``| None`` forms and ``list[str]``. For
those, the ordinary value (a string of digits within the bounds, a string, a bool) is converted
here; anything else (a bad or out-of-range number, bytes) goes to Typer's own conversion, so its
error messages stay exactly Typer's. Other parameter types, and Typer versions without this
machinery, are left to Typer untouched.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union, get_args, get_origin

_PLAIN = (str, int, bool)


def _plain_kind(annotation: Any) -> tuple[type, bool] | None:
    """(str, int or bool; whether it is a list) for the annotations converted here."""
    if annotation in _PLAIN:
        return annotation, False
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        return _plain_kind(inner[0]) if len(inner) == 1 else None
    if origin is list:
        (item,) = get_args(annotation) or (None,)
        return (str, True) if item is str else None
    return None


def _digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def install() -> None:
    """Route this CLI's plain parameters past pydantic (a no-op where Typer differs)."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam, TypeDescriptor
    except ImportError:  # a Typer without pydantic conversion: nothing to do
        return
    original: Callable[[Any], Any] | None = getattr(core, "build_runtime_param", None)
    if original is None or getattr(original, "_iopcli", False):
        return
    typer_build: Callable[[Any], Any] = original

    @dataclass(frozen=True)
    class PlainParam(RuntimeParam):
        descriptor: Any = None
        kind: type = str
        many: bool = False
        _fallback: list[Any] = field(default_factory=list)

        def _typer(self) -> Any:
            if not self._fallback:
                self._fallback.append(typer_build(self.descriptor))
            return self._fallback[0]

        def _in_bounds(self, number: int) -> bool:
            low, high = self.parameter_info.min, self.parameter_info.max
            return (low is None or number >= low) and (high is None or number <= high)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.many:
                if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                    return list(value)
            elif isinstance(value, self.kind) and self.kind is not int:
                return value  # a str or a bool, as Typer would return it
            elif self.kind is int and not isinstance(value, bool):
                # A typed string of digits, or the command's own default (already an int).
                number = int(value) if isinstance(value, str) and _digits(value) else value
                if isinstance(number, int) and self._in_bounds(number):
                    return number
            return self._typer()._coerce_value(value, param, ctx)

    def build(descriptor: TypeDescriptor) -> Any:
        info = descriptor.parameter_info
        plain = _plain_kind(descriptor.annotation)
        special = descriptor.file_annotation is not None or info.parser is not None
        if plain is None or special or getattr(info, "clamp", False):
            return typer_build(descriptor)
        kind, many = plain
        return PlainParam(
            parameter_info=info,
            annotation=descriptor.annotation,
            descriptor=descriptor,
            kind=kind,
            many=many,
        )

    build._iopcli = True  # type: ignore[attr-defined]
    setattr(core, "build_runtime_param", build)  # noqa: B010 (not part of its public API)
