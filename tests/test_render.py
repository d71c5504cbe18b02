"""Tables written without rich are the bytes rich would write (rich is the reference here)."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

from iopcli.cli.render import print_table

CELL = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x24FF, exclude_categories=("Cc",)),
    max_size=24,
)


def drawn_by_rich(columns: list[str], rows: list[list[str]], width: int, fold: bool) -> str:
    out = io.StringIO()
    table = Table(box=None, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold" if fold else "ellipsis")
    for row in rows:
        table.add_row(*row)
    Console(file=out, width=width, highlight=False, markup=False, emoji=False).print(table)
    return out.getvalue()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # COLUMNS is set every time
)
@given(
    columns=st.lists(
        st.text(alphabet="abcdefgh ", min_size=1, max_size=12), min_size=1, max_size=5
    ),
    data=st.data(),
    width=st.integers(20, 140),
    fold=st.booleans(),
)
def test_a_table_is_the_bytes_rich_draws(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    columns: list[str],
    data: st.DataObject,
    width: int,
    fold: bool,
) -> None:
    rows = data.draw(
        st.lists(st.lists(CELL, min_size=len(columns), max_size=len(columns)), max_size=4)
    )
    monkeypatch.setenv("COLUMNS", str(width))
    capsys.readouterr()
    print_table(columns, rows, fold=fold)
    assert capsys.readouterr().out == drawn_by_rich(columns, rows, width, fold)


def test_a_wide_character_goes_to_rich(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    rows = [["1", "Ōkubo 大久保", "x"]]
    print_table(["id", "name", "n"], rows)
    assert capsys.readouterr().out == drawn_by_rich(["id", "name", "n"], rows, 80, False)
