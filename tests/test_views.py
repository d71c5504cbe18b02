"""The views a stored plan keeps for `agenda` and `show` say exactly what working them out from
the plan says, belong to their revision, and are made again whenever they cannot be trusted."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, Run
from iopcli.i18n import language
from iopcli.markdown import MarkdownOptions, handout_sections, plan_to_markdown
from iopcli.model import AftercarePlan
from iopcli.planfile import read_plan
from iopcli.store import DB_NAME, open_store
from iopcli.views import DAYS_AFTER, DAYS_BEFORE, Views, agenda_rows, code_key, compute

DANA = read_plan(str(next(p for p in EXAMPLES if p.stem == "alcohol-depression")))
TODAY = dt.date(2027, 3, 1)

from strategies import plans  # noqa: E402  (after conftest put tests/ on the path)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans(), offset=st.integers(-DAYS_BEFORE, DAYS_AFTER - 30), days=st.integers(1, 30))
def test_kept_agenda_is_the_agenda_worked_out_from_the_plan(
    plan: AftercarePlan, offset: int, days: int
) -> None:
    views = Views.parse(compute(plan, TODAY))
    start = min(TODAY, plan.program.discharge_date)
    first = start + dt.timedelta(days=offset)
    with language(views.lang):  # views are in the plan's own language (person.language)
        assert views.agenda(first, days) == agenda_rows(plan, first, days)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans(), paper=st.booleans())
def test_kept_handout_is_the_handout(plan: AftercarePlan, paper: bool) -> None:
    views = Views.parse(compute(plan, TODAY))
    options = MarkdownOptions(paper=paper, links=False)
    with language(views.lang):  # views are in the plan's own language (person.language)
        assert views.handout(paper) == handout_sections(plan, options)
        joined = "\n".join(part for part in views.handout(paper).values() if part)
        assert joined == plan_to_markdown(plan, options)


def test_days_outside_the_kept_span_are_not_answered_from_it() -> None:
    views = Views.parse(compute(DANA, TODAY))
    start = min(TODAY, DANA.program.discharge_date)
    assert views.agenda(start - dt.timedelta(days=DAYS_BEFORE + 1), 7) is None
    assert views.agenda(start + dt.timedelta(days=DAYS_AFTER), 7) is None


def kept(home: Path, plan_id: str) -> tuple[int, bytes] | None:
    with sqlite3.connect(home / DB_NAME) as db:
        row = db.execute("SELECT revision, body FROM views WHERE plan_id = ?", (plan_id,))
        found = row.fetchone()
    return (found[0], found[1]) if found else None


def test_views_are_kept_for_their_revision_dropped_on_save_and_erased_by_purge(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    with open_store(home) as store:
        store.save(DANA)
        assert kept(home, DANA.id) is None  # made when first asked for, not at every save
        store.views(DANA.id)
        first = kept(home, DANA.id)
        assert first is not None
        assert first[0] == 1
        changed = DANA.model_copy(update={"notes": "Call Kim on Sundays."})
        store.save(changed)
        assert kept(home, DANA.id) is None  # the views of revision 1 are gone with it
        assert store.views(DANA.id).handout(paper=True)["notes"].count("Call Kim") == 1
        second = kept(home, DANA.id)
        assert second is not None
        assert second[0] == 2
        assert "Call Kim on Sundays." in zlib.decompress(second[1]).decode()
        store.purge(DANA.id)
    assert kept(home, DANA.id) is None


def test_views_made_by_other_code_are_made_again_and_kept(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with open_store(home) as store:
        store.save(DANA)
        store.views(DANA.id)
    stale = compute(DANA).replace('"code": "', '"code": "old-', 1).encode()
    with sqlite3.connect(home / DB_NAME) as db:
        db.execute("UPDATE views SET body = ?", (zlib.compress(stale),))
    with open_store(home, create=False) as store:
        views = store.views(DANA.id)
    assert views.data["code"] == code_key()
    row = kept(home, DANA.id)
    assert row is not None
    assert Views.read(zlib.decompress(row[1]).decode()) is not None  # written back


def test_damaged_views_are_made_again(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with open_store(home) as store:
        store.save(DANA)
        store.views(DANA.id)
    with sqlite3.connect(home / DB_NAME) as db:
        db.execute("UPDATE views SET body = ?", (b"\x00not zlib",))
    with open_store(home, create=False) as store:
        assert store.views(DANA.id).handout(paper=False) == handout_sections(
            DANA, MarkdownOptions(paper=False, links=False)
        )


def test_a_store_from_before_views_gains_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with open_store(home) as store:
        store.save(DANA)
    with sqlite3.connect(home / DB_NAME) as db:
        db.execute("DROP TABLE views")
        db.execute("PRAGMA user_version = 1")
    with open_store(home, create=False) as store:
        assert store.views(DANA.id).plan_id == DANA.id
    assert kept(home, DANA.id) is not None


def test_agenda_and_show_answer_the_same_from_the_views_and_from_the_file(
    run: Run, tmp_path: Path
) -> None:
    file = str(next(p for p in EXAMPLES if p.stem == "alcohol-depression"))
    assert run("import", file).returncode == 0
    for args in (
        ["agenda", "--from", "2027-03-05", "--days", "14", "--json"],
        ["agenda", "--from", "2027-03-05", "--days", "14", "--plain"],
        ["agenda", "--from", "2031-01-01", "--days", "3", "--json"],  # past the kept days
        ["show", "--plain"],
        ["show", "--section", "week", "--plain"],
        ["show", "--section", "goals"],
    ):
        stored = run(*args[:1], "dana", *args[1:])
        from_file = run(*args[:1], file, *args[1:])
        assert stored.returncode == 0, stored.stderr
        assert stored.stdout == from_file.stdout, args
