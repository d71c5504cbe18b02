"""Asking the interview's questions in a terminal.

Plain prompts that read well on any terminal and to a screen reader: the question, the default
in brackets, and the answer typed after it. ``--plain`` or NO_COLOR drops colour; meaning never
rests on colour (problems are said in words).
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


class TerminalAsker:
    def __init__(self, plain: bool = False) -> None:
        self.plain = plain
        self.console = Console(highlight=False, markup=False, emoji=False, no_color=plain or None)

    def say(self, text: str, style: str = "") -> None:
        self.console.print(Text(text, style="" if self.plain else style))

    def ask(self, prompt: str, default: str | None) -> str:
        shown = f" [{default}]" if default else ""
        return self.console.input(f"{prompt}{shown}: ", markup=False, emoji=False)
