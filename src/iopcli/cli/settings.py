"""Settings: ``config path``, ``config show``, ``config set`` and ``config unset``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from iopcli.cli import completion as complete
from iopcli.cli.common import home, reports_errors

app = typer.Typer()
config_app = typer.Typer(help="Settings: the default plan, clinic defaults.", no_args_is_help=True)
app.add_typer(config_app, name="config", rich_help_panel="Settings")


@config_app.command("path")
@reports_errors
def config_path_command() -> None:
    """Print where the settings file is."""
    from iopcli.config import config_path

    print(config_path(home()))


@config_app.command("show")
@reports_errors
def config_show() -> None:
    """Print every setting, set or not."""
    from iopcli.config import KEYS, LISTS, read_config

    data = read_config(home())
    for key, meaning in KEYS.items():
        value = data.get(key)
        shown = "(not set)" if value is None else json.dumps(value, ensure_ascii=False)
        print(f"{key} = {shown}    # {meaning}")
    for table in LISTS:
        entries = data.get(table) or []
        names = ", ".join(str(e.get("name", "?")) for e in entries if isinstance(e, dict))
        print(
            f"[[{table}]]: {len(entries)} in the clinic list"
            + (f" ({names})" if names else "")
            + "    # offered by number in the interview; edit the file to change them"
        )


@config_app.command("set")
@reports_errors
def config_set(
    key: Annotated[
        str,
        typer.Argument(
            help="Setting name (see: iopcli config show).", autocompletion=complete.setting
        ),
    ],
    value: Annotated[str, typer.Argument(help="New value.", autocompletion=complete.setting_value)],
) -> None:
    """Change one setting."""
    from iopcli.config import check_value, read_config, write_config

    data = read_config(home(), check=False)  # this may be the change that repairs the file
    data[key] = check_value(key, value)
    if key == "default_plan":
        from iopcli.store import open_store

        with open_store(home(), create=False) as store:
            data[key] = store.resolve(value)
    write_config(data, home())
    print(f"{key} = {json.dumps(data[key], ensure_ascii=False)}")


@config_app.command("unset")
@reports_errors
def config_unset(
    key: Annotated[str, typer.Argument(help="Setting name.", autocompletion=complete.setting)],
) -> None:
    """Remove one setting (back to its default)."""
    from iopcli.config import KEYS, read_config, write_config
    from iopcli.errors import UsageError

    data = read_config(home(), check=False)  # unset repairs a file with a bad or unknown key
    if key not in KEYS and key not in data:
        raise UsageError(f"unknown setting {key!r}; settings: {', '.join(KEYS)}")
    data.pop(key, None)
    write_config(data, home())
    print(f"{key} unset")
