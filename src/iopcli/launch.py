"""The ``iopcli`` console script: the crisis card first, the full CLI for everything else.

A person in crisis must not wait for imports. Loading the Typer app costs more than the card
itself (Typer also loads pydantic to convert arguments), so the plain forms of
``iopcli [--home DIR] crisis [PLAN] [--plain]`` are served here directly; any other form,
``--help`` included, goes to :mod:`iopcli.cli`, which implements the same command.
"""

from __future__ import annotations

import os
import sys


def crisis_arguments(args: list[str]) -> tuple[str | None, str | None, bool] | None:
    """(home, plan, plain) when ``args`` is a plain crisis call; None for anything else."""
    home = None
    if args[:1] == ["--home"] and len(args) >= 2:
        home, args = args[1], args[2:]
    elif args and args[0].startswith("--home="):
        home, args = args[0].split("=", 1)[1], args[1:]
    if not args or args[0] != "crisis":
        return None
    plan, plain = None, False
    for arg in args[1:]:
        if arg == "--plain" and not plain:
            plain = True
        elif not arg.startswith("-") and plan is None:
            plan = arg
        else:
            return None  # --help, unknown options, extra arguments: the full CLI explains
    return home, plan, plain


def main() -> None:
    call = crisis_arguments(sys.argv[1:])
    if call is None:
        from iopcli.cli import main as full_cli

        full_cli()
        return
    home, plan, plain = call
    if home is not None:
        os.environ["IOPCLI_HOME"] = home
    from iopcli.crisis import load_card
    from iopcli.screens import print_crisis

    try:
        print_crisis(load_card(plan), plain)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
