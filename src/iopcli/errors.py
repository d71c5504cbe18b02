"""One error hierarchy for the whole library.

The library never prints and never exits; it raises one of these. Each class carries the exit
code the CLI uses, and each instance renders as the one-line (or one-line-per-problem) message a
user sees. Messages name the file, line and field, and repeat nothing the user did not type in
that command.
"""

from __future__ import annotations

from dataclasses import dataclass


class IopcliError(Exception):
    """Something the user can fix: bad input, an unwritable folder, a failed export."""

    exit_code = 1

    def lines(self) -> list[str]:
        """The message as lines, one per problem."""
        return [str(self)]


class UsageError(IopcliError):
    """The command was called wrongly (bad option value, no input given)."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a plan file."""

    message: str
    path: str = ""  # dotted field path, e.g. "meetings.0.start"
    line: int | None = None

    def render(self, source: str) -> str:
        where = source if self.line is None else f"{source}:{self.line}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class PlanFileError(IopcliError):
    """A plan file could not be read or is not a valid plan; lists every problem at once."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.lines()[0] if problems else source)

    def lines(self) -> list[str]:
        return [p.render(self.source) for p in self.problems]


class ExportError(IopcliError):
    """An output file could not be written."""
