"""Reading and writing plan files (YAML or JSON) with errors that point at the line.

YAML is read with YAML 1.2-style scalars: ``19:00`` stays a string (YAML 1.1 reads it as 1140),
``NO`` stays a string (not false), dates stay text so pydantic reports 2026-02-30 with its line.
Aliases are refused outright: plans never need them and they are how "billion laughs" files
blow up memory.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from iopcli.errors import PlanFileError, Problem
from iopcli.model import AftercarePlan
from iopcli.sources import PLAN_SUFFIXES
from iopcli.values import control_name

MAX_BYTES = 1024 * 1024  # a real plan is a few KB; refuse anything that is clearly not one
STDIN = "-"

Loc = tuple[str | int, ...]


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema scalars, shared by loader and dumper so they agree on quoting."""


for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    _Resolver.add_implicit_resolver(_tag, re.compile(_pattern), _first)


# libyaml's parser, about ten times faster than the pure-Python one; PyYAML's wheels ship it.
_Parser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)
if _Parser is not None:

    class _Loader(_Parser, yaml.constructor.SafeConstructor, _Resolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)

else:  # pragma: no cover - PyYAML wheels ship libyaml

    class _Loader(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        yaml.constructor.SafeConstructor,
        _Resolver,
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)


class _Dumper(
    yaml.emitter.Emitter, yaml.serializer.Serializer, yaml.representer.SafeRepresenter, _Resolver
):
    def __init__(self, stream: Any, **kwargs: Any) -> None:
        yaml.emitter.Emitter.__init__(
            self, stream, allow_unicode=True, width=100, indent=2, line_break="\n"
        )
        yaml.serializer.Serializer.__init__(self, explicit_start=False, explicit_end=False)
        yaml.representer.SafeRepresenter.__init__(self, default_flow_style=False, sort_keys=False)
        _Resolver.__init__(self)


def _represent_str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    # Quote what a YAML 1.1 reader would take for something else (19:00, no, 2026-01-05), so the
    # file means the same to every tool that opens it, not only to iopcli.
    style = None
    tag = _YAML11.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    if tag != "tag:yaml.org,2002:str":
        style = "'"
    elif any(ch in value for ch in "\x85\u2028\u2029"):
        style = '"'  # escaped: a raw NEL or LINE SEPARATOR would read back as a line break
    elif "\n" in value:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_YAML11 = yaml.resolver.Resolver()
_Dumper.add_representer(str, _represent_str)


class _Located:
    """Values of a parsed document plus the line where each field path starts."""

    def __init__(self, lazy: Callable[[], _Located] | None = None) -> None:
        self._lines: dict[Loc, int] | None = None if lazy else {}
        self._lazy = lazy
        self.problems: list[Problem] = []

    @property
    def lines(self) -> dict[Loc, int]:
        # JSON is parsed without positions; they are worked out only if a message needs one.
        if self._lines is None:
            assert self._lazy is not None
            self._lines = self._lazy().lines
        return self._lines

    def line_of(self, loc: Loc) -> int | None:
        # The nearest enclosing field that is in the file; not the document itself, whose
        # "line 1" would only mislead about a field that is missing altogether.
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return None


_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


def _walk(node: yaml.Node, loc: Loc, found: _Located, seen: set[int]) -> Any:
    """Turn a composed YAML node into plain values, recording lines, refusing aliases."""
    if id(node) in seen:
        # An alias is the anchored node itself; the key that holds it is where it was written.
        line = found.lines.get(loc, _line(node))
        message = "YAML aliases (*name) are not allowed in plan files"
        found.problems.append(Problem(message, _dotted(loc), line))
        return None
    seen.add(id(node))
    found.lines.setdefault(loc, _line(node))
    if node.tag not in _PLAIN_TAGS:
        found.problems.append(
            Problem(f"YAML tags like {node.tag} are not allowed", _dotted(loc), _line(node))
        )
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                found.problems.append(
                    Problem("keys must be plain names", _dotted(loc), _line(key_node))
                )
                continue
            key = key_node.value
            if key in result:
                found.problems.append(
                    Problem(f"{key!r} is given twice", _dotted((*loc, key)), _line(key_node))
                )
                continue
            found.lines[(*loc, key)] = _line(key_node)
            result[key] = _walk(value_node, (*loc, key), found, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(child, (*loc, i), found, seen) for i, child in enumerate(node.value)]
    try:
        return _scalar(node)
    except (yaml.YAMLError, ValueError):
        found.problems.append(Problem("not a valid YAML value", _dotted(loc), _line(node)))
        return None


def _scalar(node: yaml.Node) -> Any:
    # A fresh constructor each time: SafeConstructor caches every node it builds.
    return yaml.constructor.SafeConstructor().construct_object(node)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _dotted(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


def _decode(data: bytes, source: str, size: int | None = None) -> str:
    if not data.strip():
        raise PlanFileError(source, [Problem("the file is empty: no plan in it")])
    if len(data) > MAX_BYTES:
        what = f"is {size:,} bytes" if size else f"is over {MAX_BYTES:,} bytes"
        message = f"the file {what}; a plan file is at most {MAX_BYTES:,}"
        raise PlanFileError(source, [Problem(message)])
    if b"\x00" in data:
        raise PlanFileError(source, [Problem("this is binary data, not a YAML or JSON plan")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PlanFileError(
            source, [Problem(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", line=line)]
        ) from None


def _parse_yaml(text: str, source: str) -> tuple[Any, _Located]:
    found = _Located()
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        # A character YAML refuses outright (ESC, BEL, DEL, C1 codes, U+FFFE): one line, with
        # where it is and which one, never the character itself.
        at = text[: exc.position].count("\n") + 1
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        message = f"character {control_name(char)} is not allowed in a plan file; remove it"
        raise PlanFileError(source, [Problem(message, line=at)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in what:  # libyaml's own limit
            raise PlanFileError(source, [Problem("the document is nested too deeply")]) from None
        raise PlanFileError(source, [Problem(f"invalid YAML: {what}", line=line)]) from None
    except yaml.YAMLError as exc:
        raise PlanFileError(source, [Problem(f"invalid YAML: {exc}")]) from None
    except RecursionError:
        raise PlanFileError(source, [Problem("the document is nested too deeply")]) from None
    if node is None:
        raise PlanFileError(source, [Problem("the file is empty: no plan in it")])
    try:
        data = _walk(node, (), found, set())
    except RecursionError:
        raise PlanFileError(source, [Problem("the document is nested too deeply")]) from None
    except (yaml.YAMLError, ValueError) as exc:
        raise PlanFileError(source, [Problem(f"invalid YAML value: {exc}")]) from None
    return data, found


def _parse_json(text: str, source: str) -> tuple[Any, _Located]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"{key!r} is given twice")
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            source, [Problem(f"invalid JSON: {exc.msg}", line=exc.lineno)]
        ) from None
    except ValueError as exc:
        # A key given twice: the YAML reader below finds it with its line and path.
        duplicates = [p for p in _json_lines(text, source).problems if "given twice" in p.message]
        raise PlanFileError(source, duplicates or [Problem(f"invalid JSON: {exc}")]) from None
    except RecursionError:
        raise PlanFileError(source, [Problem("the document is nested too deeply")]) from None
    return data, _Located(lazy=lambda: _json_lines(text, source))


# What JSON treats as plain characters but YAML as line breaks or forbidden, or (tabs) refuses
# as indentation. Blanked before YAML reads JSON text for its line numbers only.
_NOT_FOR_YAML = re.compile(
    "[\t\r\x85\u2028\u2029]|[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _json_lines(text: str, source: str) -> _Located:
    """Line numbers for JSON text, borrowed from the YAML reader (JSON is nearly YAML)."""
    try:
        _, found = _parse_yaml(_NOT_FOR_YAML.sub(" ", text), source)
    except PlanFileError:
        return _Located()
    return found


def _is_json(source: str, text: str) -> bool:
    if source == STDIN:
        return text.lstrip().startswith(("{", "[")) and _json_loads_ok(text)
    return source.lower().endswith(".json")


def _json_loads_ok(text: str) -> bool:
    """On stdin, '{' may start JSON or a YAML flow mapping such as {id: x}."""
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return not _yaml_reads(text)
    return True


def _yaml_reads(text: str) -> bool:
    try:
        _parse_yaml(text, STDIN)
    except PlanFileError:
        return False
    return True


class LoadedPlan:
    """A validated plan and where in its file each field was written (for warnings)."""

    def __init__(self, plan: AftercarePlan, source: str, found: _Located) -> None:
        self.plan = plan
        self.source = source
        self._found = found

    def line_of(self, path: str) -> int | None:
        loc = tuple(int(p) if p.isdigit() else p for p in path.split(".") if p)
        return self._found.line_of(loc)

    def locate(self, problem: Problem) -> Problem:
        return Problem(problem.message, problem.path, self.line_of(problem.path))


def load_plan(
    data: bytes, source: str, size: int | None = None, *, json_only: bool = False
) -> LoadedPlan:
    """Parse and validate plan bytes; ``source`` names them in messages (a path or '-').
    ``json_only``: the bytes are JSON whatever they look like (a line of JSON Lines)."""
    text = _decode(data, source, size)
    as_json = json_only or _is_json(source, text)
    parsed, found = _parse_json(text, source) if as_json else _parse_yaml(text, source)
    if found.problems:
        raise PlanFileError(source, found.problems)
    if as_json and isinstance(parsed, dict) and parsed.get("resourceType") == "Bundle":
        # A FHIR Bundle (``export --format fhir``): its problems are named by their place in the
        # bundle (entry[2].resource.period.start), so plan-field lines would only mislead.
        from iopcli.fhir import read_bundle

        return LoadedPlan(read_bundle(parsed, source, found.line_of), source, _Located())
    if not isinstance(parsed, dict):
        kind = "a list" if isinstance(parsed, list) else "a single value"
        message = f"a plan file holds one plan (a mapping of fields), not {kind}"
        raise PlanFileError(source, [Problem(message, line=1)])
    try:
        plan = AftercarePlan.model_validate(parsed)
    except ValidationError as exc:
        problems = sorted(_problems(exc, found), key=lambda p: (p.line or 0, p.path))
        raise PlanFileError(source, problems) from None
    except RecursionError:
        raise PlanFileError(source, [Problem("the document is nested too deeply")]) from None
    return LoadedPlan(plan, source, found)


def parse_plan(
    data: bytes, source: str, size: int | None = None, *, json_only: bool = False
) -> AftercarePlan:
    """Parse and validate plan bytes into a plan (what :func:`read_plan` reads, for callers that
    already hold the bytes: a batch worker, a line of JSON Lines)."""
    return load_plan(data, source, size, json_only=json_only).plan


def read_plan(path: str) -> AftercarePlan:
    """Read one plan file; ``-`` reads standard input."""
    return parse_plan(*_read_bytes(path))


def read_plan_file(path: str) -> LoadedPlan:
    """Read one plan file with its line map; ``-`` reads standard input."""
    return load_plan(*_read_bytes(path))


def _read_bytes(path: str) -> tuple[bytes, str, int | None]:
    """A plan file's bytes (at most one more than :data:`MAX_BYTES`), its name, its size."""
    if path == STDIN:
        import sys

        return sys.stdin.buffer.read(MAX_BYTES + 1), STDIN, None
    file = Path(path)
    if file.suffix.lower() not in PLAN_SUFFIXES:
        raise PlanFileError(
            path, [Problem("not a plan file: plan files end in .yaml, .yml or .json")]
        )
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
            size = os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        raise PlanFileError(path, [Problem("no such file")]) from None
    except IsADirectoryError:
        raise PlanFileError(path, [Problem("is a folder, not a plan file")]) from None
    except OSError as exc:
        raise PlanFileError(path, [Problem(f"cannot be read: {exc.strerror}")]) from None
    return data, path, size


def _problems(exc: ValidationError, found: _Located) -> Iterator[Problem]:
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(part for part in error["loc"] if not _is_validator_tag(part))
        yield Problem(error_message(error, loc), _dotted(loc), found.line_of(loc))


def _is_validator_tag(part: str | int) -> bool:
    # pydantic puts function-validator names into locations ("function-after[...]"); hide them.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def error_message(error: Any, loc: Loc) -> str:
    """One pydantic error in plain words, quoting what was typed where that helps."""
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        known = _field_names(loc[:-1])
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field{hint}"
    if kind == "missing":
        return "is required but missing"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a section of fields (name: value), not a single value or a list"
    shown = error.get("input")
    typed = f"{shown!r} " if isinstance(shown, str | int | float) and len(str(shown)) <= 80 else ""
    if kind == "string_pattern_mismatch":
        return typed + _PATTERN_HINTS.get(
            str(loc[-1]) if loc else "", "has characters not allowed here"
        )
    if kind == "timezone_aware":
        return f"{typed}needs a UTC offset, e.g. 2027-03-01T09:00:00-06:00"
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{typed}is not one of {expected}"
    if kind.startswith(("date_", "datetime_")) and typed:
        reason = str(error.get("ctx", {}).get("error", "")).replace("_", " ")
        return f"{typed}is not a valid {kind.split('_')[0]} (YYYY-MM-DD): {reason or error['msg']}"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message.replace("Input should be", "must be").replace("Input ", "")


_PATTERN_HINTS = {
    "id": "is not a usable id: letters, digits, '.', '_' and '-', up to 64, starting with a"
    " letter or digit",
    "region": "is not a two-letter country code like US, CA or GB",
    "language": "is not a language tag like en or es-MX",
    "types": "is not a Meeting Guide type code (letters and digits, like O, D or ONL)",
}


def _field_names(loc: Loc) -> list[str]:
    """Field names of the model found at ``loc`` inside a plan, for "did you mean" hints."""
    model: Any = AftercarePlan
    for part in loc:
        if isinstance(part, int):
            continue
        if (
            not (isinstance(model, type) and issubclass(model, BaseModel))
            or part not in model.model_fields
        ):
            return []
        model = _inner_model(model.model_fields[part].annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def dump_plan(plan: AftercarePlan, fmt: str = "yaml") -> str:
    """The plan as a YAML or JSON document; reading it back gives an equal plan."""
    data = plan.model_dump(mode="json", exclude_defaults=True)
    data = {"schema_version": plan.schema_version, **data}
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return str(yaml.dump(data, Dumper=_Dumper))
