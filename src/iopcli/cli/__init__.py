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

from pathlib import Path
from typing import Annotated

import typer
from typer import _click as click
from typer.core import TyperGroup

from iopcli import __version__
from iopcli.cli import (
    coercion,
    completion,
    directory,
    home,
    interview,
    plans,
    publish,
    settings,
    store,
)
from iopcli.cli.common import session

coercion.install()  # plain parameters without pydantic: see iopcli.cli.coercion


class _PlainHelp(TyperGroup):
    """Help as plain text, commands listed under their group's heading.

    Typer's boxed help loads rich and its Markdown renderer, which takes longer than the rest
    of ``iopcli --help``; plain text is also what every terminal, pager and screen reader
    shows well. Usage errors come out plainly for the same reason (``Error: ...``)."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        groups: dict[str, list[tuple[str, str]]] = {}
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            heading = getattr(command, "rich_help_panel", None) or "Commands"
            groups.setdefault(heading, []).append((name, command.get_short_help_str(limit=1000)))
        for heading, rows in groups.items():
            with formatter.section(heading):
                formatter.write_dl(rows)


app = typer.Typer(
    cls=_PlainHelp,
    rich_markup_mode=None,
    name="iopcli",
    help="Aftercare plans for people stepping down from an Intensive Outpatient Program.",
    no_args_is_help=True,
    add_completion=False,
    # Locals in a traceback could hold someone's health information: never show them.
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
for group in (plans, publish, store, home, interview, directory, settings, completion):
    app.add_typer(group.app)


def _version(value: bool) -> None:
    if value:
        print(f"iopcli {__version__}")
        raise typer.Exit()


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
    app(prog_name="iopcli")
