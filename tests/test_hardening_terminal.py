"""Issue 12, the terminal: encodings that are not UTF-8, COLUMNS that make no sense, and a
stdout that cannot be written (a full disk, a reader gone).

These run the installed command as a real process (or in a real pseudo-terminal): what is
tested is how the process meets its terminal, which an in-process runner replaces.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import command
from iopcli import screens

ROOT = Path(__file__).resolve().parent.parent
DANA = ROOT / "examples" / "alcohol-depression.yaml"
CRISIS_LINES = ("988", "741741", "1-800-662-4357", "911")


def environment(tmp_path: Path, **env: str | None) -> dict[str, str]:
    """A private home and rich output (no NO_COLOR); ``env`` overrides, None removes."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("IOPCLI_", "PYTHONIO", "LC_", "PYTHONUTF8", "PYTHONCOERCE"))
        and k not in {"NO_COLOR", "FORCE_COLOR", "TERM", "LANG", "LANGUAGE"}
    }
    environ |= {"IOPCLI_HOME": str(tmp_path / "home"), "COLUMNS": "100", "TERM": "xterm"}
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return environ


def iopcli(
    tmp_path: Path, *args: str, stdout: int | None = subprocess.PIPE, **env: str | None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*command(), *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=environment(tmp_path, **env),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


@pytest.fixture
def zoe(tmp_path: Path) -> Path:
    """Dana's plan with text no 8-bit terminal can show all of: an accent, a dash, an emoji,
    CJK and curly quotes."""
    text = DANA.read_text("utf-8")
    text = text.replace("\n  name: Dana\n", "\n  name: Zoë\n", 1)
    assert "Zoë" in text
    text = text.replace(
        "warning_signs:\n",
        "warning_signs:\n    - \u201cI\u2019m fine\u201d \u2014 said too often 🙂 平静\n",
        1,
    )
    path = tmp_path / "zoe.yaml"
    path.write_text(text, "utf-8")
    return path


# --- 1: terminals that are not UTF-8 ----------------------------------------------------------

NOT_UTF8 = {
    "latin-1": {"PYTHONIOENCODING": "latin-1"},
    "ascii": {"PYTHONIOENCODING": "ascii"},
    "cp437": {"PYTHONIOENCODING": "cp437"},
    "C locale": {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
}
ENCODING = {"latin-1": "latin-1", "ascii": "ascii", "cp437": "cp437", "C locale": "ascii"}


def assert_clean(result: subprocess.CompletedProcess[bytes], encoding: str) -> str:
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr
    assert result.returncode == 0, stderr
    return result.stdout.decode(encoding)  # strict: only what the terminal can show


@pytest.mark.parametrize(
    ("terminal", "plain"),
    [(terminal, False) for terminal in NOT_UTF8] + [("ascii", True)],
    ids=[*NOT_UTF8, "ascii --plain"],
)
def test_crisis_shows_every_crisis_line_on_a_terminal_that_is_not_utf8(
    tmp_path: Path, zoe: Path, terminal: str, plain: bool
) -> None:
    args = ["crisis", str(zoe), *(["--plain"] if plain else [])]
    shown = assert_clean(iopcli(tmp_path, *args, **NOT_UTF8[terminal]), ENCODING[terminal])
    for number in CRISIS_LINES:
        assert number in shown
    bullet = "-" if plain else "*"
    assert f"  {bullet} 988 Suicide & Crisis Lifeline: Call or text 988" in shown.splitlines()
    if ENCODING[terminal] == "ascii":
        assert "If you are in crisis, Zoe" in shown
        assert '"I\'m fine" - said too often ? ??' in shown
    else:
        assert "If you are in crisis, Zoë" in shown


def test_crisis_without_a_plan_on_an_ascii_terminal(tmp_path: Path) -> None:
    """The bundled card, the first thing a person in crisis may run."""
    shown = assert_clean(iopcli(tmp_path, "crisis", PYTHONIOENCODING="ascii"), "ascii")
    assert shown.splitlines()[0] == "If you are in crisis"
    assert all(number in shown for number in CRISIS_LINES)


# Several commands in one real process with a real ASCII stdout (one start-up instead of six):
# each is the console script's main(), as `iopcli ARGS` would run it.
DRIVER = """
import json, sys
from iopcli.launch import main
for args in json.loads(sys.argv[1]):
    sys.argv = ["iopcli", *args]
    print("=== " + " ".join(args), flush=True)
    try:
        main()
    except SystemExit as exc:
        print(f"=== exit {exc.code}", flush=True)
"""


def test_every_command_degrades_on_a_terminal_that_is_not_utf8(tmp_path: Path, zoe: Path) -> None:
    commands = [
        ["import", str(zoe)],
        ["list"],
        ["show", "zoe"],
        ["show", "zoe", "--plain"],
        ["agenda", "zoe", "--from", "2027-03-08"],
        ["--help"],
    ]
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(commands)],
        capture_output=True,
        env=environment(tmp_path, **NOT_UTF8["ascii"]),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    shown = assert_clean(result, "ascii")
    parts = re.split(r"^=== (.*)\n", shown, flags=re.MULTILINE)[1:]
    sections = list(zip(parts[0::2], parts[1::2], strict=True))
    assert [head for head, _ in sections[1::2]] == ["exit 0"] * len(commands), shown
    outputs = dict(sections[0::2])
    assert re.search(r"^3f6c2a9e\s+Zoe\s", outputs["list"], re.MULTILINE), outputs["list"]
    for args in ("show zoe", "show zoe --plain"):
        assert "Zoe" in outputs[args]
        assert "988" in outputs[args]
    assert "Tuesday, March 9" in outputs["agenda zoe --from 2027-03-08"]
    assert "crisis" in outputs["--help"]


def test_crisis_in_a_real_latin1_terminal(tmp_path: Path, zoe: Path) -> None:
    """A pseudo-terminal, so rich sees a terminal (colours, its own width) as a person would."""
    ptyprocess = pytest.importorskip("ptyprocess")
    env = environment(tmp_path, PYTHONIOENCODING="latin-1", COLUMNS=None)
    process = ptyprocess.PtyProcess.spawn(
        [*command(), "crisis", str(zoe)], env=env, cwd=str(tmp_path), dimensions=(40, 90)
    )
    chunks = []
    while True:
        try:
            chunks.append(process.read(4096))
        except EOFError:
            break
    process.wait()
    output = b"".join(chunks)
    assert process.exitstatus == 0, output
    text = re.sub(r"\x1b\[[0-9;]*m", "", output.decode("latin-1"))
    assert "Traceback" not in text
    assert "If you are in crisis, Zoë" in text
    assert all(number in text for number in CRISIS_LINES)
    assert "  * 988 Suicide & Crisis Lifeline: Call or text 988" in text


@given(st.text())
def test_the_fallback_writes_anything_in_any_8bit_encoding(text: str) -> None:
    codecs.register_error(screens.FALLBACK, screens._fallback)
    for encoding in ("ascii", "latin-1", "cp437"):
        data = text.encode(encoding, errors=screens.FALLBACK)
        shown = data.decode(encoding)
        if encoding == "ascii":
            assert shown.isascii()
        # Whatever the encoding can show is left as it is.
        if all(ch.encode(encoding, "ignore") for ch in text):
            assert shown == text


@pytest.mark.parametrize(
    ("text", "ascii"),
    [
        ("  • Renee", "  * Renee"),
        ("Zoë Ångström", "Zoe Angstrom"),
        ("“ok” — ‘fine’…", "\"ok\" - 'fine'..."),
        ("Straße Ærø Łódź", "Strasse AEro Lodz"),
        ("🙂 平静", "? ??"),
        ("╭──╮│", "+--+|"),
    ],
)
def test_ascii_stand_ins(text: str, ascii: str) -> None:
    codecs.register_error(screens.FALLBACK, screens._fallback)
    assert text.encode("ascii", errors=screens.FALLBACK).decode("ascii") == ascii


def test_bytes_of_a_file_name_that_was_not_utf8_are_written_as_they_were() -> None:
    codecs.register_error(screens.FALLBACK, screens._fallback)
    name = b"plan-\xe9.yaml".decode("utf-8", "surrogateescape")
    assert name.encode("utf-8", errors=screens.FALLBACK) == b"plan-\xe9.yaml"


def test_adapt_streams_on_a_latin1_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="latin-1")
    monkeypatch.setattr(sys, "stdout", stream)
    screens.adapt_streams()
    print("• Zoë 🙂")
    stream.flush()
    assert raw.getvalue() == "* Zoë ?\n".encode("latin-1")


# --- 2: COLUMNS that make no sense ------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "width"),
    [
        *[("0", 80), ("1", 80), ("19", 80), ("abc", 80), ("-5", 80), ("", 80), ("٣٠", 80)],
        *[("20", 20), ("100", 100), (" 120 ", 120), ("99999999", 500)],
    ],
)
def test_screen_width(monkeypatch: pytest.MonkeyPatch, columns: str, width: int) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # not a terminal: no size of its own
    assert screens.screen_width() == width
    assert screens.make_console().width == width


def test_console_shows_a_plans_text_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    from rich.text import Text

    console = screens.make_console()
    console.print("[bold]x[/bold] :pill: :smile:")
    console.print(Text(":pill:"))
    assert capsys.readouterr().out == "[bold]x[/bold] :pill: :smile:\n:pill:\n"


def assert_sane_width(shown: str) -> None:
    lines = [line for line in shown.splitlines() if line.strip()]
    assert len(lines) >= 5, shown
    assert max(len(line) for line in lines) <= 80
    # One character a line would make every line short; real lines are words long.
    assert max(len(line.strip()) for line in lines) >= 30, shown


@pytest.mark.parametrize("columns", ["0", "1"])
def test_crisis_card_with_columns_that_make_no_sense(tmp_path: Path, columns: str) -> None:
    shown = assert_clean(iopcli(tmp_path, "crisis", COLUMNS=columns), "utf-8")
    assert_sane_width(shown)
    assert "  • 988 Suicide & Crisis Lifeline: Call or text 988" in shown.splitlines()


def test_show_list_and_agenda_with_columns_0(run_rich: Any) -> None:
    """In-process: these draw with the same make_console as the crisis card above."""
    imported = run_rich("import", str(DANA))
    assert imported.returncode == 0, imported.stderr
    for args in (["show", "dana"], ["agenda", "dana", "--from", "2027-03-08"]):
        result = run_rich(*args, COLUMNS="0")
        assert result.returncode == 0, result.stderr
        assert_sane_width(result.stdout)
    result = run_rich("list", COLUMNS="0")
    assert re.search(r"^3f6c2a9e\s+Dana\s+2027-03-05\s", result.stdout, re.MULTILINE), result


# --- 13: a stdout that cannot be written -----------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [["crisis"], ["crisis", "--plain"], ["--help"], ["show", str(DANA)]],
    ids=["crisis", "plain", "help", "show"],
)
def test_a_full_disk_under_stdout_is_one_line_not_a_traceback(
    tmp_path: Path, args: list[str]
) -> None:
    with open("/dev/full", "wb") as full:
        result = iopcli(tmp_path, *args, stdout=full.fileno())
    stderr = result.stderr.decode()
    assert stderr == "iopcli: cannot write to standard output: No space left on device\n"
    assert result.returncode == 1


def test_crisis_to_a_reader_that_went_away_exits_0(tmp_path: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the card is written: EPIPE for certain
    try:
        for plain in ([], ["--plain"]):
            result = iopcli(tmp_path, "crisis", str(DANA), *plain, stdout=write)
            assert result.stderr == b""
            assert result.returncode == 0
    finally:
        os.close(write)


def test_crisis_piped_into_head_exits_0(tmp_path: Path) -> None:
    crisis = subprocess.Popen(
        [*command(), "crisis", str(DANA)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(tmp_path),
        cwd=tmp_path,
    )
    assert crisis.stdout is not None
    head = subprocess.run(["head", "-1"], stdin=crisis.stdout, capture_output=True, check=True)
    crisis.stdout.close()
    _, stderr = crisis.communicate(timeout=60)
    assert head.stdout == b"If you are in crisis, Dana\n"
    assert stderr == b""
    assert crisis.returncode == 0


# --- the card prints no control character, whatever a stored plan holds -----------------------


@pytest.mark.parametrize("plain", [False, True], ids=["rich", "plain"])
def test_the_crisis_card_prints_no_control_character_from_a_stored_plan(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], plain: bool
) -> None:
    """The card reads stored JSON without the model (to be fast), so a plan saved before
    control characters were refused, or a damaged one, must not reach the terminal raw."""
    from iopcli.crisis import card_from_body

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    body = {
        "person": {"name": "Dana\x1b]0;owned\x07", "region": "US"},
        "safety_plan": {
            "warning_signs": ["\x1b[8mhidden\x1b[0m", 7, None, "two\nlines"],
            "people_to_ask": [{"name": 5, "phone": "\x9b31m(312) 555-0123"}],
        },
        "program": {"counselor": {"name": None, "phone": "(312) 555-0142"}},
        "contacts": [{"name": ["x"], "phone": 3125550100}],
    }
    screens.print_crisis(card_from_body(body), plain)
    shown = capsys.readouterr().out
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", shown), repr(shown)
    assert "If you are in crisis, Dana?]0;owned?" in shown
    assert "?[8mhidden?[0m" in shown
    assert "two\n    lines" in shown  # a line break typed is kept, indented under its item
    assert "?31m(312) 555-0123" in shown
    assert all(number in shown for number in CRISIS_LINES)
