"""Spanish: the catalogs are complete and compiled, dates and times come from CLDR, and what a
Spanish-reading person gets (handout, crisis card, agenda, show, calendar) has no English fixed
text left in it, while English output stays as it was."""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from hypothesis import given
from hypothesis import strategies as st

from conftest import EXAMPLES, Run
from iopcli import catalogs
from iopcli.crisis_lines import crisis_lines
from iopcli.i18n import (
    asked_for,
    day_name,
    format_date,
    format_day,
    format_number,
    format_time,
    language,
    month_name,
    plan_language,
)

SPANISH = next(p for p in EXAMPLES if p.stem.endswith("-es"))
DANA = next(p for p in EXAMPLES if p.stem == "alcohol-depression")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.fixture(scope="module")
def template() -> Catalog:
    return catalogs.template()


@pytest.fixture(scope="module")
def spanish() -> Catalog:
    return catalogs.read("es")


# --- the catalogs ------------------------------------------------------------------------------


def test_every_message_in_the_code_has_a_spanish_translation(template: Catalog) -> None:
    missing = catalogs.missing("es", template)
    assert missing == [], (
        f"{len(missing)} texts have no Spanish translation in {catalogs.po_path('es')} (run"
        f" python -m iopcli.catalogs extract, translate, then compile): {missing[:20]}"
    )


def test_the_compiled_catalog_is_the_po_compiled() -> None:
    mo = catalogs.mo_path("es")
    assert mo.exists(), f"{mo} is missing: run python -m iopcli.catalogs compile"
    assert mo.read_bytes() == catalogs.compile_catalog("es"), (
        f"{mo} is not what {catalogs.po_path('es').name} compiles to:"
        " run python -m iopcli.catalogs compile"
    )


def test_the_po_holds_exactly_the_code_s_messages(template: Catalog, spanish: Catalog) -> None:
    """Nothing stale: a text no longer in the code is no longer in the catalog (extract)."""
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    held = {m.id if isinstance(m.id, str) else m.id[0] for m in spanish if m.id}
    assert held - wanted == set(), "run python -m iopcli.catalogs extract"


def test_translations_keep_every_placeholder(spanish: Catalog) -> None:
    """``_("Refill: {medication}").format(medication=...)``: a translation that renamed or lost
    a placeholder would crash or drop the value."""
    wrong = []
    for message in spanish:
        if not message.id or not message.string:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        strings = (message.string,) if isinstance(message.string, str) else message.string
        # A plural's forms take the plural's placeholders; "Nothing planned on {day}." may
        # leave out the {days} its plural says.
        wanted = set(_PLACEHOLDER.findall(ids[-1]))
        least = set(_PLACEHOLDER.findall(ids[0]))
        wrong += [
            (ids[0], s)
            for s in strings
            if s and not least <= set(_PLACEHOLDER.findall(s)) <= wanted
        ]
    assert wrong == []


def test_the_catalog_is_in_the_package_data() -> None:
    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8")
    assert '"locale/*/LC_MESSAGES/*.mo"' in text


# --- dates, times, numbers (CLDR through Babel) --------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "day", "expected"),
    [
        ("es", dt.date(2026, 12, 15), "martes, 15 de diciembre de 2026"),
        ("es-MX", dt.date(2027, 1, 3), "domingo, 3 de enero de 2027"),
        ("en", dt.date(2026, 12, 15), "Tuesday, December 15, 2026"),
        ("en", dt.date(2027, 3, 5), "Friday, March 5, 2027"),
    ],
)
def test_dates(lang: str, day: dt.date, expected: str) -> None:
    with language(lang):
        assert format_date(day) == expected


@pytest.mark.parametrize(
    ("lang", "moment", "expected"),
    [
        ("es", dt.time(19, 0), "7:00 p. m."),
        ("es", dt.time(0, 0), "12:00 a. m."),  # midnight
        ("es", dt.time(12, 0), "12:00 p. m."),  # noon
        ("es", dt.time(7, 5), "7:05 a. m."),
        ("es", dt.time(23, 59), "11:59 p. m."),
        ("en", dt.time(19, 0), "7:00 pm"),
        ("en", dt.time(0, 0), "12:00 am"),
        ("en", dt.time(12, 0), "12:00 pm"),
    ],
)
def test_times(lang: str, moment: dt.time, expected: str) -> None:
    with language(lang):
        shown = format_time(moment)
    # No-break spaces in Spanish: "7:00 p. m." never breaks across lines.
    assert shown.replace("\u00a0", " ") == expected
    assert ("\u00a0" in shown) == (lang == "es")
    assert "\u202f" not in shown  # CLDR's narrow no-break space is missing from many fonts


@given(st.times())
def test_every_minute_of_the_day_reads_on_a_12_hour_clock_in_spanish(moment: dt.time) -> None:
    with language("es"):
        shown = format_time(moment)
    found = re.fullmatch(r"(1[0-2]|[1-9]):([0-5]\d)\u00a0([ap])\.\u00a0m\.", shown)
    assert found, shown
    hour, minute, half = int(found[1]), int(found[2]), found[3]
    assert (hour % 12 + (12 if half == "p" else 0), minute) == (moment.hour, moment.minute)


def test_days_months_numbers() -> None:
    with language("es"):
        assert format_day(dt.date(2027, 3, 13)) == "sábado, 13 de marzo"
        assert [day_name(n) for n in (0, 6)] == ["lunes", "domingo"]
        assert month_name(12) == "diciembre"
        assert format_number(1234.5) == "1.234,5"
    with language("en"):
        assert format_day(dt.date(2027, 3, 13)) == "Saturday, March 13"
        assert [day_name(n) for n in (0, 6)] == ["Monday", "Sunday"]
        assert month_name(12) == "December"
        assert format_number(1234.5) == "1,234.5"


def test_the_plan_language_and_the_asked_one() -> None:
    assert [plan_language(x) for x in ("es", "es-MX", "es-US", "ES", "en", "fr", None)] == [
        "es",
        "es",
        "es",
        "es",
        "en",
        "en",
        "en",
    ]
    with asked_for("en"):
        assert plan_language("es-US") == "en"
    with asked_for("es"):
        assert plan_language("en") == "es"
    assert plan_language("en", "es") == "es"


# --- crisis lines ------------------------------------------------------------------------------


def test_every_spanish_service_has_its_source_and_date() -> None:
    raw = json.loads(
        (Path(catalogs.PACKAGE) / "data" / "crisis_lines.json").read_text(encoding="utf-8")
    )
    services = [
        line["spanish"]
        for region, entry in raw.items()
        if not region.startswith("_")
        for line in entry["lines"]
        if "spanish" in line
    ]
    assert len(services) >= 3  # 988, the Crisis Text Line, SAMHSA's helpline
    for service in services:
        assert service["source"].startswith("https://")
        assert dt.date.fromisoformat(service["verified"]) <= dt.date(2026, 12, 31)
        assert service["checked"]


def test_spanish_crisis_lines_say_how_to_reach_spanish_or_that_there_is_none() -> None:
    with language("es"):
        lines = {line.name: line for line in crisis_lines("US")[0]}
        ways = {name: line.how for name, line in lines.items()}
    assert "988" in ways["988 Suicide & Crisis Lifeline"]
    assert " 2 " in ways["988 Suicide & Crisis Lifeline"] + " "  # press 2 for Spanish
    assert "AYUDA" in ways["988 Suicide & Crisis Lifeline"]
    assert "AYUDA" in ways["Crisis Text Line"]
    assert "HOME" not in ways["Crisis Text Line"]
    assert "442-AYUDAME" in ways["Crisis Text Line"]
    emergency = lines["Servicios de emergencia"]
    assert emergency.spanish is None
    with language("es"):
        none_on_record = catalogs_text(
            "no Spanish service on record: you may be answered in English"
        )
        assert none_on_record.lower() in emergency.how.lower()
    with language("en"):  # English: as it always was
        assert [line.how for line in crisis_lines("US")[0]] == [
            "Call or text 988",
            "Text HOME to 741741",
            "Call 1-800-662-4357; TTY 1-800-487-4889",
            "Call 911",
        ]


def catalogs_text(message: str) -> str:
    from iopcli.i18n import _

    return _(message)


# --- no English left in what a Spanish reader gets ---------------------------------------------


def _english_phrases(template: Catalog, spanish: Catalog) -> list[str]:
    """The fixed parts (between placeholders) of every message longer than three words whose
    translation differs from it, and the crisis lines' English descriptions."""
    phrases = []
    for message in template:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        found = spanish.get(msgid)
        if found is not None and found.string in (msgid, (msgid,)):
            continue  # kept as it is on purpose (a proper name)
        for piece in _PLACEHOLDER.split(msgid):
            part = " ".join(piece.split()).strip(" .,:;()")
            if len(part.split()) > 3:
                phrases.append(part)
    with language("en"):
        phrases += [line.when for line in crisis_lines("US")[0]]
    return sorted(set(phrases))


def _typed(path: Path) -> list[str]:
    """Every text the person or counselor typed in the plan file."""
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.append(" ".join(value.split()))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return sorted(out, key=len, reverse=True)


def _english_left(text: str, template: Catalog, spanish: Catalog) -> list[str]:
    flat = " ".join(text.replace("\\", "").split())
    for typed in _typed(SPANISH):  # what was typed may say anything
        flat = flat.replace(typed, " ")
    return [p for p in _english_phrases(template, spanish) if p in flat]


def test_the_spanish_example_is_in_spanish(run: Run, tmp_path: Path) -> None:
    assert yaml.safe_load(SPANISH.read_text(encoding="utf-8"))["person"]["language"] == "es-US"
    result = run("validate", "--strict", "--as-of", "2027-03-01", str(SPANISH))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_spanish_markdown_handout_has_no_english_fixed_text(
    run: Run, tmp_path: Path, template: Catalog, spanish: Catalog
) -> None:
    result = run("export", str(SPANISH), "--format", "md", "--out", str(tmp_path), "--name", "h")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "h.md").read_text(encoding="utf-8")
    assert "martes" in text or "jueves" in text  # the week, in Spanish
    assert _english_left(text, template, spanish) == []


@pytest.mark.skipif(
    importlib.util.find_spec("iopcli.html_handout") is None, reason="no HTML handout yet"
)
def test_the_spanish_html_handout_has_no_english_fixed_text(
    run: Run, tmp_path: Path, template: Catalog, spanish: Catalog
) -> None:
    result = run("export", str(SPANISH), "--format", "html", "--out", str(tmp_path), "--name", "h")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "h.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]*\blang="es', page)
    words = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<style.*?</style>", " ", page)))
    assert _english_left(words, template, spanish) == []


@pytest.mark.skipif(
    importlib.util.find_spec("iopcli.pdf_handout") is None
    or importlib.util.find_spec("pypdf") is None,
    reason="no PDF handout (or no pypdf to read it) yet",
)
def test_the_spanish_pdf_handout_has_no_english_fixed_text(
    run: Run, tmp_path: Path, template: Catalog, spanish: Catalog
) -> None:
    from pypdf import PdfReader

    result = run("export", str(SPANISH), "--format", "pdf", "--out", str(tmp_path), "--name", "h")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(str(tmp_path / "h.pdf"))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    assert "Lucía" in text
    assert _english_left(text, template, spanish) == []


def test_the_spanish_calendar_has_spanish_fixed_texts(run: Run, tmp_path: Path) -> None:
    from icalendar import Calendar

    result = run("export", str(SPANISH), "--format", "ics", "--out", str(tmp_path), "--name", "c")
    assert result.returncode == 0, result.stderr
    calendar = Calendar.from_ical((tmp_path / "c.ics").read_bytes())
    assert str(calendar["X-WR-CALNAME"]) == catalog_es("My plan")
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert any(s.startswith(catalog_es("Refill: {medication}").split("{")[0]) for s in summaries)
    assert catalog_es("Aftercare plan review") in summaries
    assert not any(s.startswith(("Refill:", "Aftercare plan review")) for s in summaries)
    args = ["--format", "ics", "--discreet", "--out", str(tmp_path), "--name", "d"]
    discreet = run("export", str(SPANISH), *args)
    assert discreet.returncode == 0, discreet.stderr
    quiet = Calendar.from_ical((tmp_path / "d.ics").read_bytes())
    titles = {str(e["SUMMARY"]) for e in quiet.walk("VEVENT")}
    assert catalog_es("Pick up prescription") in titles
    assert catalog_es("Plan review") in titles
    assert not titles & {"Pick up prescription", "Plan review", "Meeting", "Appointment"}


def catalog_es(message: str) -> str:
    from iopcli.i18n import _

    with language("es"):
        return _(message)


# --- the commands, in-process ------------------------------------------------------------------


def test_crisis_in_spanish_by_the_plan_s_language_and_with_lang(
    run: Run, template: Catalog, spanish: Catalog
) -> None:
    own = run("crisis", str(SPANISH), "--plain")
    asked = run("crisis", str(DANA), "--plain", "--lang", "es")
    for result in (own, asked):
        assert result.returncode == 0, result.stderr
        assert "AYUDA" in result.stdout
        assert _english_left(result.stdout, template, spanish) == []
    english = run("crisis", str(SPANISH), "--plain", "--lang", "en")
    assert "Text HOME to 741741" in english.stdout
    assert "AYUDA" not in english.stdout


def test_crisis_with_an_unknown_language_is_a_usage_error(run: Run) -> None:
    result = run("crisis", str(SPANISH), "--lang", "fr")
    assert result.returncode == 2
    assert "--lang" in result.stderr
    assert "'fr'" in result.stderr


def test_agenda_in_spanish(run: Run) -> None:
    args = ["agenda", str(SPANISH), "--plain", "--from", "2027-03-09", "--days", "2"]
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert "martes, 9 de marzo" in result.stdout
    assert "7:00\u00a0p.\u00a0m." in result.stdout
    english = run(*args, "--lang", "en")
    assert "Tuesday, March 9" in english.stdout
    assert "7:00 pm" in english.stdout


def test_agenda_of_a_stored_spanish_plan_and_another_language(run: Run) -> None:
    assert run("import", str(SPANISH)).returncode == 0
    args = ["agenda", "--plain", "--from", "2027-03-09", "--days", "1"]
    kept = run(*args)  # the views the store keeps, made in the plan's own language
    again = run(*args)
    assert kept.stdout == again.stdout
    assert "martes, 9 de marzo" in kept.stdout
    english = run(*args, "--lang", "en")
    assert "Tuesday, March 9" in english.stdout
    assert run(*args).stdout == kept.stdout  # asking for English changed nothing kept


def test_show_in_spanish(run: Run, template: Catalog, spanish: Catalog) -> None:
    result = run("show", str(SPANISH), "--plain")
    assert result.returncode == 0, result.stderr
    assert "Lucía" in result.stdout
    assert _english_left(result.stdout, template, spanish) == []
    english = run("show", str(SPANISH), "--plain", "--lang", "en")
    assert catalog_es("My safety plan") not in english.stdout


def test_english_output_is_unchanged_by_lang_en(run: Run) -> None:
    for args in (["crisis", str(DANA), "--plain"], ["show", str(DANA), "--plain"]):
        assert run(*args).stdout == run(*args, "--lang", "en").stdout


def test_export_with_lang(run: Run, tmp_path: Path) -> None:
    result = run(
        "export", str(DANA), "--lang", "es", "--format", "md", "--out", str(tmp_path), "--name", "d"
    )
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "d.md").read_text(encoding="utf-8")
    assert "Dana" in text
    assert catalog_es("My safety plan") in text
    # The summary line follows --lang (without it: English, for the counselor running it).
    said = catalog_es("exported {done} of {total} plans ({files} files) to {out} in {seconds} s")
    assert result.stderr.startswith("iopcli: " + said.split("{")[0])
    english = run("export", str(SPANISH), "--lang", "en", "--format", "md", "--out", str(tmp_path))
    assert english.returncode == 0, english.stderr


def test_batch_export_with_lang_in_worker_processes(run: Run, tmp_path: Path) -> None:
    plans = [str(DANA), str(SPANISH)]
    result = run(
        "export", *plans, "--lang", "en", "-j", "2", "--format", "md", "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    handouts = sorted(tmp_path.glob("*.md"))
    assert len(handouts) == 2
    for handout in handouts:  # the Spanish plan too: --lang is for every plan of the batch
        assert "## My safety plan" in handout.read_text(encoding="utf-8")
    spanish_out = tmp_path / "es"
    result = run("export", *plans, "-j", "2", "--format", "md", "--out", str(spanish_out))
    assert result.returncode == 0, result.stderr
    texts = {p.name.split("-")[0]: p.read_text(encoding="utf-8") for p in spanish_out.glob("*.md")}
    assert "## My safety plan" in texts["dana"]  # without --lang: each plan its own language
    assert "## " + catalog_es("My safety plan") in texts["lucia"]


def test_published_events_are_the_exported_ones_in_the_plan_s_language() -> None:
    from iopcli.ics import IcsOptions
    from iopcli.planfile import read_plan
    from iopcli.publish import calendar_objects

    titles = {
        event.title for event in calendar_objects(read_plan(str(SPANISH)), IcsOptions()).values()
    }
    # "Resurtir: Naltrexona, Fri 2027-03-12, repeating": the title, then when (publish's own).
    refill = catalog_es("Refill: {medication}").format(medication="Naltrexona")
    assert any(title.startswith(refill + ",") for title in titles)
    assert any(title.startswith(catalog_es("Aftercare plan review") + ",") for title in titles)


def test_a_stored_spanish_plan_reads_at_home_without_babel_or_pydantic(
    run: Run, process: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    """Views are kept in the plan's language (days and times already formatted), so agenda and
    show of a Spanish plan start as fast as an English one; the crisis card needs no Babel."""
    assert run("import", str(SPANISH)).returncode == 0
    assert run("agenda", "--days", "2").returncode == 0  # makes the views
    for args in (["agenda", "--days", "3", "--from", "2027-03-09"], ["show"], ["crisis"]):
        result = process(*args, "--plain", PYTHONPROFILEIMPORTTIME="1")
        assert result.returncode == 0, result.stderr[-800:]
        assert "martes" in result.stdout or "crisis" in result.stdout
        names = {
            line.rsplit("|", 1)[1].strip().split(".")[0]
            for line in result.stderr.splitlines()
            if line.startswith("import time:") and "|" in line
        }
        assert not names & {"babel", "pydantic"}, args
