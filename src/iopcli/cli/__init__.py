"""The ``iopcli`` command: a thin Typer layer that parses arguments, calls the library and
renders results. No logic lives here.

One module per command group, as the help shows them: :mod:`.plans` (validate, schema,
export), :mod:`.store` (the plan store), :mod:`.home` (crisis, show, agenda), :mod:`.interview`
(new, edit, drafts), :mod:`.directory` and :mod:`.settings`; :mod:`.common` holds the error
funnel and the shared arguments, :mod:`.render` the tables and JSON output. Heavy modules
(pydantic models, icalendar, the exporters) are imported inside the commands that need them,
so ``--help`` and the crisis card start fast; :mod:`.completion` answers Tab (``iopcli
completion SHELL``) without any of them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click
from typer._click.utils import make_default_short_help
from typer.core import TyperGroup
from typer.models import CommandInfo, TyperInfo

from iopcli import __version__
from iopcli.cli import (
    coercion,
    completion,
    directory,
    home,
    interview,
    plans,
    programs,
    publish,
    settings,
    store,
)
from iopcli.cli.common import session

coercion.install()  # plain parameters without pydantic: see iopcli.cli.coercion


class _Commands(TyperGroup):
    """The top-level group: plain-text help with commands under their group's heading, and
    each command built only when it is run.

    Typer turns every command into a Click command (reading every signature and evaluating
    every annotation) before running one; for this CLI that took longer than ``list`` itself.
    Here a command is built when it is asked for, and ``--help`` lists the commands from
    their docstrings. Typer's boxed help would load rich and its Markdown renderer; plain text
    is also what every terminal, pager and screen reader shows well."""

    lazy: dict[str, tuple[str, str, Callable[[], click.Command]]]
    built: dict[str, click.Command]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.built and cmd_name in self.lazy:
            self.built[cmd_name] = self.lazy[cmd_name][2]()
        return self.built.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as exc:  # an unknown command: suggest the nearest
            from difflib import get_close_matches

            matches = get_close_matches(args[0], list(self.lazy)) if args else []
            if matches:
                names = ", ".join(repr(m) for m in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {names}?"
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        groups: dict[str, list[tuple[str, str]]] = {}
        for name, (heading, summary, _) in self.lazy.items():
            groups.setdefault(heading, []).append((name, summary))
        for heading, rows in groups.items():
            with formatter.section(heading):
                formatter.write_dl(rows)


def _summary(help_text: str | None) -> str:
    """A command's line in ``--help``, as Click would shorten its help."""
    return make_default_short_help(inspect.cleandoc(help_text or ""), 1000)


def _builder(info: CommandInfo | TyperInfo) -> Callable[[], click.Command]:
    """How Typer would build this command (or group of commands), to run when it is needed."""
    if isinstance(info, TyperInfo):
        return lambda: typer.main.get_group_from_info(
            info, pretty_exceptions_short=True, suggest_commands=True, rich_markup_mode=None
        )
    return lambda: typer.main.get_command_from_info(
        info, pretty_exceptions_short=True, rich_markup_mode=None
    )


@functools.cache
def command() -> TyperGroup:
    """The command line as a Click group, commands built on demand (the console script and the
    tests run this; ``app`` holds the same commands for Typer's own tools)."""
    root = typer.main.get_group(_root)
    assert isinstance(root, _Commands)
    root.lazy, root.built = {}, {}
    for group in GROUPS:
        for info in group.app.registered_commands:
            assert info.callback is not None
            name = info.name or typer.main.get_command_name(info.callback.__name__)
            summary = _summary(info.help or info.callback.__doc__)
            root.lazy[name] = (info.rich_help_panel or "Commands", summary, _builder(info))
        for sub in group.app.registered_groups:
            assert sub.name is not None
            assert sub.typer_instance is not None
            summary = _summary(str(sub.typer_instance.info.help or ""))
            root.lazy[sub.name] = (sub.rich_help_panel or "Commands", summary, _builder(sub))
    return root


GROUPS = (plans, publish, store, home, interview, directory, programs, settings, completion)

_SETTINGS: dict[str, Any] = {
    "cls": _Commands,
    "rich_markup_mode": None,
    "name": "iopcli",
    "help": "Aftercare plans for people stepping down from an Intensive Outpatient Program.",
    "no_args_is_help": True,
    "add_completion": False,
    # Locals in a traceback could hold someone's health information: never show them.
    "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**_SETTINGS)
for group in GROUPS:
    app.add_typer(group.app)
# The same top-level options without the commands: command() adds those, each when it is run.
_root = typer.Typer(**_SETTINGS)


def _version(value: bool) -> None:
    if value:
        print(f"iopcli {__version__}")
        raise typer.Exit()


@_root.callback()
@app.callback()
def main_options(
    home_folder: Annotated[
        str | None,
        typer.Option(
            "--home",
            envvar="IOPCLI_HOME",
            metavar="DIR",
            help="Folder of the plan store (default: your user data folder).",
            show_default=False,
            autocompletion=completion.folders,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Aftercare plans for people stepping down from an Intensive Outpatient Program."""
    session.home = Path(home_folder) if home_folder else None


def main() -> None:
    """Console-script entry point."""
    command().main(prog_name="iopcli")
