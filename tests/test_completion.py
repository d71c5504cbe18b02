"""Tab completion: the protocol a shell speaks (``_IOPCLI_COMPLETE`` with Click's
``COMP_WORDS``/``COMP_CWORD``) driven in-process with exact candidates, the scripts checked by
the shells themselves, and one real bash in a pseudo-terminal.

Candidates are checked against the library that will later receive them: every plan name or
id offered resolves to its plan through ``Store.resolve``, every directory ref is found by
``Directory.find``, every ``--format`` value passes ``parse_formats``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT, Ran, Run, invoke, plain_environment
from iopcli.cli import completion
from iopcli.directory import open_directory
from iopcli.store import open_store

DANA_ID = "3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21"
FEEDS = ROOT / "tests" / "feeds"

# Every command whose argument is a stored plan, and every one that takes a plan or a file.
STORED_PLAN_COMMANDS = ["history", "diff", "restore", "purge", "edit", "refresh"]
PLAN_OR_FILE_COMMANDS = ["crisis", "show", "agenda", "export"]


def protocol(tmp_path: Path, shell: str, line: str, **env: str) -> Ran:
    """What a shell gets back for ``line`` (the cursor at its end), run in-process. With
    ``COMP_LINE``, bash's words are made as bash makes them: split at ``:`` and ``=`` too."""
    words = line.split()
    if "COMP_LINE" in env:
        words = re.findall(r"[^\s:=]+|[:=]", line)
        line = " ".join(words) + (" " if line.endswith(" ") else "")
    if shell == "fish":  # fish passes the line and the word being typed
        current = {"COMP_WORDS": line, "COMP_CWORD": "" if line.endswith(" ") else words[-1]}
    else:  # bash and zsh: the words and the index of the one being typed
        index = len(words) if line.endswith(" ") else len(words) - 1
        current = {"COMP_WORDS": line, "COMP_CWORD": str(index)}
    environ = plain_environment(tmp_path) | current | {"_IOPCLI_COMPLETE": f"complete_{shell}"}
    return invoke((), environ | env, None, tmp_path)


def bash(tmp_path: Path, line: str, **env: str) -> list[str]:
    """The candidates bash gets, as ``type,value`` lines; nothing on stderr, exit 0."""
    result = protocol(tmp_path, "bash", line, **env)
    assert (result.returncode, result.stderr) == (0, ""), result
    return [entry for entry in result.stdout.splitlines() if entry]


def values(tmp_path: Path, line: str, **env: str) -> list[str]:
    """Just the plain values offered to bash."""
    lines = bash(tmp_path, line, **env)
    assert all(entry.startswith("plain,") for entry in lines), lines
    return [entry.removeprefix("plain,") for entry in lines]


@pytest.fixture
def stored(run: Run) -> None:
    # Dana and Marcus: two plans, so listing them and completing one can both be seen.
    english = [p for p in EXAMPLES if not p.stem.endswith("-es")]
    assert run("import", *map(str, english)).returncode == 0


# --- commands and options --------------------------------------------------------------


def test_commands_complete(tmp_path: Path) -> None:
    assert values(tmp_path, "iopcli hist") == ["history"]
    assert values(tmp_path, "iopcli co") == ["config", "completion"]
    assert values(tmp_path, "iopcli directory ") == ["import", "search"]
    everything = values(tmp_path, "iopcli ")
    assert {"export", "history", "show", "agenda", "crisis", "completion"} <= set(everything)


def test_options_complete(tmp_path: Path) -> None:
    assert values(tmp_path, "iopcli export --no") == ["--no-alarms", "--not-discreet"]
    assert values(tmp_path, "iopcli show --s") == ["--section"]
    assert values(tmp_path, "iopcli --h") == ["--home", "--help"]


# --- stored plans -------------------------------------------------------------------------


@pytest.mark.usefixtures("stored")
def test_every_plan_argument_completes_stored_plans(tmp_path: Path) -> None:
    for command in STORED_PLAN_COMMANDS + PLAN_OR_FILE_COMMANDS:
        assert values(tmp_path, f"iopcli {command} ") == ["dana", "marcus"], command
        assert values(tmp_path, f"iopcli {command} m") == ["marcus"], command
        assert values(tmp_path, f"iopcli {command} 3") == ["3f6c2a9e"], command
        assert values(tmp_path, f"iopcli {command} 8d") == ["8d2e5b17"], command


@pytest.mark.usefixtures("stored")
def test_previous_completes_stored_plans(tmp_path: Path) -> None:
    assert values(tmp_path, "iopcli export dana --previous d") == ["dana"]


@pytest.mark.usefixtures("stored")
def test_archive_offers_listed_plans_and_unarchive_archived_ones(tmp_path: Path, run: Run) -> None:
    assert values(tmp_path, "iopcli unarchive ") == []
    assert run("archive", "marcus").returncode == 0
    assert values(tmp_path, "iopcli archive ") == ["dana"]
    assert values(tmp_path, "iopcli unarchive ") == ["marcus"]
    assert values(tmp_path, "iopcli history ") == ["dana", "marcus"]


@pytest.mark.usefixtures("stored")
def test_plan_or_file_falls_back_to_the_shells_files(tmp_path: Path) -> None:
    assert bash(tmp_path, "iopcli show zz") == ["file,zz"]
    assert bash(tmp_path, "iopcli show ./") == ["file,./"]
    assert bash(tmp_path, "iopcli export examples/") == ["file,examples/"]
    assert bash(tmp_path, "iopcli validate ") == ["file,"]
    assert bash(tmp_path, "iopcli export --out ") == ["dir,"]
    # Only stored plans here: nothing matching means nothing, not files.
    assert bash(tmp_path, "iopcli history zz") == []


@pytest.mark.usefixtures("stored")
def test_the_home_on_the_line_chooses_the_store(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert values(tmp_path, f"iopcli --home {other} history ") == []
    home = plain_environment(tmp_path)["IOPCLI_HOME"]
    assert values(tmp_path, f"iopcli --home {home} history ", IOPCLI_HOME=str(other)) == [
        "dana",
        "marcus",
    ]
    assert values(tmp_path, "iopcli history ", IOPCLI_HOME=str(other)) == []


def test_no_store_completes_nothing_and_creates_nothing(tmp_path: Path) -> None:
    assert values(tmp_path, "iopcli history ") == []
    assert not (tmp_path / "home").exists()


@pytest.mark.usefixtures("stored")
@pytest.mark.parametrize(
    "damage",
    [b"not a database at all", b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["foreign file", "damaged pages"],
)
def test_a_damaged_store_completes_nothing_and_says_nothing(tmp_path: Path, damage: bytes) -> None:
    store = tmp_path / "home" / "plans.sqlite3"
    for side in store.parent.glob("plans.sqlite3-*"):
        side.unlink()
    store.write_bytes(damage)
    assert values(tmp_path, "iopcli history ") == []
    assert bash(tmp_path, "iopcli show ") == ["file,"]
    assert store.read_bytes() == damage


def _plan_file(folder: Path, name: str, plan_id: str) -> Path:
    text = EXAMPLES[0].read_text(encoding="utf-8")
    text = text.replace(DANA_ID, plan_id, 1)
    text = re.sub(r"(?m)^(  name: )Dana$", rf"\g<1>{name}", text, count=1)
    path = folder / f"{plan_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "people",
    [
        # Two plans for people with the same name: slug-and-short-id tells them apart.
        [("Dana", "3f6c2a9e-0000-4000-8000-000000000001"), ("Dana", DANA_ID)],
        # A name that is also the beginning of another plan's id.
        [("Dana", DANA_ID), ("3f6c", "3f6c0000-1111-4222-8333-444444444444")],
        # Ids that share their first eight characters; ids that are not UUIDs.
        [("Ann", "aaaaaaaa-0000-4000-8000-000000000001"), ("Bo", "aaaaaaaa-0000-4000-8000-2")],
        [("Cy", "clinic-0042"), ("Cy", "clinic-0043"), ("Dee Dee", "c.7")],
        # A name, as shown in list, that is another plan's short id (resolve takes names too).
        [("Eve", "ab_cd_ef-1"), ("AB_cd_ef", "zz-2")],
    ],
    ids=["same name", "name like an id", "shared id start", "plain ids", "names like ids"],
)
def test_every_candidate_resolves_to_its_own_plan(
    tmp_path: Path, run: Run, people: list[tuple[str, str]]
) -> None:
    files = [_plan_file(tmp_path, name, plan_id) for name, plan_id in people]
    assert run("import", *map(str, files)).returncode == 0
    with open_store(tmp_path / "home", create=False) as store:
        plans = [(p.id, p.slug, p.name, p.archived) for p in store.plans(include_archived=True)]
        assert len(plans) == len(people)
        for typed in ["", "a", "3", "3f6c", "c", "d", "aaaaaaaa"]:
            offered = completion.plan_candidates(plans, typed)
            for value, name in offered:
                owner = store.resolve(value)
                assert name == next(p.name for p in store.plans(True) if p.id == owner)
            if not typed:  # every plan is offered by its name
                assert len(offered) == len(plans)
        # And through the protocol, as bash sees them: words without spaces or quotes.
        for value in values(tmp_path, "iopcli history "):
            assert re.fullmatch(r"[A-Za-z0-9._-]+", value)
            store.resolve(value)


def test_revisions_complete_newest_first(tmp_path: Path, run: Run) -> None:
    first = _plan_file(tmp_path, "Dana", DANA_ID)
    assert run("import", str(first)).returncode == 0
    (tmp_path / "again").mkdir()
    second = _plan_file(tmp_path / "again", "Dana Q", DANA_ID)
    assert run("import", str(second)).returncode == 0
    assert values(tmp_path, "iopcli restore dana-q ") == ["2", "1"]
    assert values(tmp_path, "iopcli diff dana-q ") == ["2", "1"]
    assert values(tmp_path, "iopcli diff dana-q 1 ") == ["2", "1"]
    assert values(tmp_path, "iopcli restore nobody ") == []
    described = protocol(tmp_path, "zsh", "iopcli restore 3f6c2a9e ").stdout.splitlines()
    assert described[:2] == ["plain", "2"]
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d import {DANA_ID}.yaml", described[2])


@pytest.mark.usefixtures("stored")
def test_settings_and_their_values_complete(tmp_path: Path) -> None:
    from iopcli.config import KEYS

    assert values(tmp_path, "iopcli config set ") == list(KEYS)
    assert values(tmp_path, "iopcli config unset re") == ["region", "remind_minutes"]
    assert values(tmp_path, "iopcli config set default_plan ") == ["dana", "marcus"]
    assert values(tmp_path, "iopcli config set discreet ") == ["true", "false"]
    assert values(tmp_path, "iopcli config set region ") == []


def test_drafts_complete_latest_first(tmp_path: Path, run: Run) -> None:
    from iopcli import drafts

    home = tmp_path / "home"
    assert values(tmp_path, "iopcli drafts --delete ") == []
    made = []
    for name in ("Sam", "Ria"):
        draft = drafts.start("new", home, label=name)
        draft.answers["person/name"] = name
        draft.save()
        made.append(draft.id)
    listed = [d.id for d in drafts.all_drafts(home)]
    assert sorted(listed) == sorted(made)
    assert values(tmp_path, "iopcli drafts --delete ") == listed[::-1]
    assert values(tmp_path, "iopcli new --resume ") == listed[::-1]
    fish = protocol(tmp_path, "fish", "iopcli drafts --delete ").stdout.splitlines()
    assert [line.split("\t")[1].split(",")[0] for line in fish] == [
        f"new plan for {d.label}" for d in drafts.all_drafts(home)[::-1]
    ]
    # The id completed is the one the command takes.
    assert run("drafts", "--delete", listed[0]).returncode == 0
    assert values(tmp_path, "iopcli drafts --delete ") == [listed[1]]


# --- sections, formats, directory listings ----------------------------------------------


def test_sections_complete(tmp_path: Path) -> None:
    from iopcli.cli.home import SECTIONS

    assert values(tmp_path, "iopcli show --section ") == list(SECTIONS)
    assert values(tmp_path, "iopcli show -s re") == ["relapse", "resources", "relapse_prevention"]
    # edit takes the same names (all but week, which is two of them)
    assert values(tmp_path, "iopcli edit dana ") == [s for s in SECTIONS if s != "week"]
    assert set(completion.EDIT_SECTIONS) < set(SECTIONS)
    assert values(tmp_path, "iopcli edit dana me") == ["medications", "meetings"]


def test_the_lists_kept_here_match_the_library() -> None:
    from iopcli.directory import DB_NAME
    from iopcli.export import FORMATS
    from iopcli.interview import SECTION_KEYS

    assert completion.EDIT_SECTIONS == SECTION_KEYS
    assert completion.FORMATS == FORMATS
    assert completion.DIRECTORY_DB == DB_NAME


def test_formats_complete_after_the_last_comma(tmp_path: Path) -> None:
    assert values(tmp_path, "iopcli export --format ") == [
        *("md", "ics", "json", "yaml", "fhir", "html", "pdf")
    ]
    assert values(tmp_path, "iopcli export --format md,i") == ["md,ics"]
    assert values(tmp_path, "iopcli export -f md,ics,") == [
        "md,ics,json",
        "md,ics,yaml",
        "md,ics,fhir",
        "md,ics,html",
        "md,ics,pdf",
    ]
    assert values(tmp_path, "iopcli export --format=j") == ["json"]


@given(st.text(alphabet="mdicsjonyal,", max_size=14))
def test_every_format_candidate_is_accepted_by_export(typed: str) -> None:
    from iopcli.export import parse_formats

    for value, _ in completion.formats(typed):
        assert value.startswith(typed)
        chosen = parse_formats(value)  # raises on anything export would refuse
        assert chosen[-1] == value.rsplit(",", 1)[-1]


@pytest.fixture
def directory(run: Run, stored: None, tmp_path: Path) -> Path:
    mg, hsds = FEEDS / "meeting-guide.json", FEEDS / "hsds.json"
    assert run("directory", "import", str(mg), "--source", "mg").returncode == 0
    assert run("directory", "import", str(hsds), "--source", "hsds").returncode == 0
    return tmp_path / "home"


def _live_refs(home: Path, kind: str) -> list[str]:
    with open_directory(home, create=False) as found:
        listed = found.search(None, kind=kind, limit=10_000)
    return sorted(e.ref for e in listed if e.removed_at is None)


@pytest.mark.usefixtures("directory")
@pytest.mark.parametrize("section", ["meetings", "resources"])
def test_add_completes_directory_listings(tmp_path: Path, section: str) -> None:
    home = tmp_path / "home"
    offered = values(tmp_path, f"iopcli edit dana {section} --add ")
    assert offered
    assert offered == _live_refs(home, section[:-1])
    with open_directory(home, create=False) as found:
        for ref in offered:
            assert found.find(ref, kind=section[:-1]).kind == section[:-1]
    first = offered[0]
    assert values(tmp_path, f"iopcli edit dana {section} --add {first}") == [first]
    # A second --add completes too, after a first one.
    assert first in values(tmp_path, f"iopcli edit dana {section} --add {first} --add ")


@pytest.mark.usefixtures("directory")
def test_add_completes_nothing_without_a_directory_section(tmp_path: Path) -> None:
    assert values(tmp_path, "iopcli edit dana --add ") == []
    assert values(tmp_path, "iopcli edit dana goals --add ") == []


@pytest.mark.usefixtures("stored")
def test_add_without_a_directory_completes_nothing(tmp_path: Path) -> None:
    assert values(tmp_path, "iopcli edit dana meetings --add ") == []
    assert not (tmp_path / "home" / "directory.sqlite3").exists()


@pytest.mark.usefixtures("directory")
def test_a_listing_in_two_feeds_completes_with_its_feed(tmp_path: Path, run: Run) -> None:
    copy = FEEDS / "meeting-guide.json"
    assert run("directory", "import", str(copy), "--source", "mg-copy").returncode == 0
    # Offered under its feed's name (typing the slug alone finds the others).
    assert values(tmp_path, "iopcli edit dana meetings --add night") == []
    offered = values(tmp_path, "iopcli edit dana meetings --add mg")
    assert "mg:night-owls-online" in offered
    assert "mg-copy:night-owls-online" in offered
    assert values(tmp_path, "iopcli edit dana meetings --add mg-copy:ni") == [
        "mg-copy:night-owls-online"
    ]
    with open_directory(tmp_path / "home", create=False) as found:
        for ref in offered:
            assert found.find(ref, kind="meeting").source == ref.split(":")[0]


@pytest.mark.usefixtures("directory")
def test_bash_word_breaks_are_joined_again(tmp_path: Path, run: Run) -> None:
    copy = run("directory", "import", str(FEEDS / "meeting-guide.json"), "--source", "mg-copy")
    assert copy.returncode == 0
    # Bash splits `mg-copy:ni` at the colon and replaces only what follows it.
    line = "iopcli edit dana meetings --add mg-copy : ni"
    assert values(tmp_path, line) == ["night-owls-online"]
    colon = "iopcli edit dana meetings --add mg-copy :"
    assert "night-owls-online" in values(tmp_path, colon)
    # When the line shows the colon was typed apart, nothing is joined.
    apart = "iopcli edit dana meetings --add mg-copy : ni"
    assert values(tmp_path, line, COMP_LINE=apart, COMP_POINT=str(len(apart))) == []
    typed = "iopcli edit dana meetings --add mg-copy:ni"
    assert values(tmp_path, line, COMP_LINE=typed, COMP_POINT=str(len(typed))) == [
        "night-owls-online"
    ]
    # With the line, every word is read as the command will read it, not only the last one.
    home = tmp_path / "home"
    for typed, offered in [
        (f"iopcli --home={tmp_path} history ", []),
        (f"iopcli --home={home} history ", ["dana", "marcus"]),
        ("iopcli edit dana meetings --add mg:night-owls-online --add mg-copy:sat", ["saturday"]),
        ("iopcli export --format=md,y", ["md,yaml"]),
        ("iopcli history 'ma", ["marcus"]),
    ]:
        found = values(tmp_path, typed, COMP_LINE=typed, COMP_POINT=str(len(typed)))
        assert [value.split("-")[0] for value in found] == offered, typed
    # --format=md,i arrives as --format = md,i
    assert values(tmp_path, "iopcli export --format = md,i") == ["md,ics"]
    assert values(tmp_path, "iopcli export --format =") == list(completion.FORMATS)


# --- zsh and fish, and silence on any line ----------------------------------------------


@pytest.mark.usefixtures("stored")
def test_zsh_gets_type_value_and_description(tmp_path: Path) -> None:
    result = protocol(tmp_path, "zsh", "iopcli history ")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == ["plain", "dana", "Dana", "plain", "marcus", "Marcus"]
    result = protocol(tmp_path, "zsh", "iopcli export --format md,")
    assert result.stdout.splitlines()[:3] == ["plain", "md,ics", "_"]


@pytest.mark.usefixtures("stored")
def test_fish_gets_value_and_description(tmp_path: Path) -> None:
    result = protocol(tmp_path, "fish", "iopcli history m")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == ["plain,marcus\tMarcus"]
    result = protocol(tmp_path, "fish", "iopcli hist")
    # Click's short help (45 characters) as the description.
    assert result.stdout.splitlines() == [
        "plain,history\tEvery revision of a stored plan: number,..."
    ]


ODD_LINES = [
    "iopcli nosuch ",
    "iopcli agenda --days abc ",
    "iopcli agenda --days 0 --from ",
    "iopcli history 'da",
    'iopcli history "',
    "iopcli --home",
    "iopcli --home ",
    "iopcli edit dana meetings --add '",
    "iopcli -- ",
    "iopcli restore dana x ",
]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_no_line_prints_an_error(tmp_path: Path, shell: str) -> None:
    for line in ODD_LINES:
        result = protocol(tmp_path, shell, line)
        assert (result.returncode, result.stderr) == (0, ""), line


@pytest.mark.parametrize("cword", ["", "x", "-1", "99"])
def test_odd_word_indexes_print_no_error(tmp_path: Path, cword: str) -> None:
    environ = plain_environment(tmp_path) | {
        "_IOPCLI_COMPLETE": "complete_bash",
        "COMP_WORDS": "iopcli hist",
        "COMP_CWORD": cword,
    }
    result = invoke((), environ, None, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


# --- the scripts ---------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_script_names_the_protocol(run: Run, shell: str) -> None:
    result = run("completion", shell)
    assert result.returncode == 0
    assert f"_IOPCLI_COMPLETE=complete_{shell}" in result.stdout
    assert result.stdout.endswith("\n")
    if shutil.which(shell):  # the shell itself checks the syntax
        check = ["fish", "--no-execute"] if shell == "fish" else [shell, "-n"]
        parsed = subprocess.run(
            check, input=result.stdout, capture_output=True, text=True, check=False
        )
        assert parsed.returncode == 0, parsed.stderr


def test_an_unknown_shell_is_one_line_and_exit_2(run: Run) -> None:
    result = run("completion", "tcsh")
    assert result.returncode == 2
    assert result.stderr == "iopcli completion: 'tcsh' is not one of bash, zsh, fish\n"
    assert result.stdout == ""


def test_the_shell_names_complete(tmp_path: Path) -> None:
    assert values(tmp_path, "iopcli completion ") == ["bash", "zsh", "fish"]


# --- the cost: a real process, since imports are a property of the process ---------------


@pytest.mark.usefixtures("directory")
@pytest.mark.parametrize(
    ("words", "cword"),
    [("iopcli history ", "2"), ("iopcli edit dana meetings --add ", "5")],
    ids=["plans", "listings"],
)
def test_a_completion_request_loads_no_heavy_library(
    tmp_path: Path, words: str, cword: str
) -> None:
    from conftest import command

    environ = plain_environment(tmp_path) | {
        "_IOPCLI_COMPLETE": "complete_zsh",
        "COMP_WORDS": words,
        "COMP_CWORD": cword,
        "PYTHONPROFILEIMPORTTIME": "1",
    }
    result = subprocess.run(
        command(), env=environ, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("plain\n")
    loaded = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "typer" in loaded  # the profile was read
    assert not loaded & {"pydantic", "pydantic_core", "rich", "icalendar", "markdown_it"}
    errors = [line for line in result.stderr.splitlines() if not line.startswith("import time:")]
    assert errors == []


# --- a real bash, keystroke by keystroke -------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.usefixtures("directory")
def test_tab_in_a_real_bash(tmp_path: Path, run: Run) -> None:
    pexpect = pytest.importorskip("pexpect")
    copy = run("directory", "import", str(FEEDS / "meeting-guide.json"), "--source", "mg-copy")
    assert copy.returncode == 0
    home = tmp_path / "user"
    home.mkdir()
    script = home / ".iopcli-completion.bash"
    script.write_text(run("completion", "bash").stdout, encoding="utf-8")
    rc = home / ".bashrc"
    rc.write_text(
        "PS1='$ '\n"
        "bind 'set bell-style none'\n"
        "bind 'set completion-query-items 0'\n"
        f"source {script}\n",
        encoding="utf-8",
    )
    env = plain_environment(tmp_path) | {
        "HOME": str(home),
        "TERM": "dumb",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    shell = pexpect.spawn(
        "bash",
        ["--noprofile", "--rcfile", str(rc), "-i"],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=60,
        dimensions=(24, 100),
    )
    try:
        shell.expect_exact("$ ")
        shell.send("iopcli hist\t")
        shell.expect_exact("iopcli history ")
        shell.send("\t\t")  # two plans: the second Tab lists them
        shell.expect(r"dana\s+marcus")
        shell.expect_exact("$ iopcli history ")
        shell.send("m\t")
        shell.expect_exact("marcus ")
        shell.send("\r")
        shell.expect(r"rev\s+saved")  # the command ran with the completed name
        shell.expect_exact("$ ")
        # A listing in two feeds, by feed and slug: bash splits the word at the colon.
        shell.send("iopcli edit dana meetings --add mg-copy:nig\t")
        shell.expect_exact("mg-copy:night-owls-online ")
        shell.send("\x03")
        shell.expect_exact("$ ")
    finally:
        shell.sendline("exit")
        shell.close(force=True)


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
@pytest.mark.usefixtures("stored")
def test_fish_completes_through_its_script(tmp_path: Path, run: Run) -> None:
    script = tmp_path / "iopcli.fish"
    script.write_text(run("completion", "fish").stdout, encoding="utf-8")
    (tmp_path / "plan-file.yaml").write_text("", encoding="utf-8")
    env = plain_environment(tmp_path) | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
    }
    asked = "; ".join(
        f"echo '#'; complete -C'{line}'"
        for line in [
            "iopcli hist",
            "iopcli history ",
            "iopcli show plan-f",
            "iopcli export -f md,j",
        ]
    )
    result = subprocess.run(
        ["fish", "--no-config", "-c", f"source {script}; {asked}"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    answers = [part.strip("\n").splitlines() for part in result.stdout.split("#\n")[1:]]
    assert answers[0] == ["history\tEvery revision of a stored plan: number,..."]
    assert answers[1] == ["dana\tDana", "marcus\tMarcus"]
    assert answers[2] == ["plan-file.yaml"]  # no plan matches: fish's own file completion
    assert answers[3] == ["md,json"]  # the comma survives the script's split


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
@pytest.mark.usefixtures("stored")
def test_tab_in_a_real_zsh(tmp_path: Path, run: Run) -> None:
    pexpect = pytest.importorskip("pexpect")
    home = tmp_path / "user"
    (home / ".zfunc").mkdir(parents=True)
    (home / ".zfunc" / "_iopcli").write_text(run("completion", "zsh").stdout, encoding="utf-8")
    (home / ".zshrc").write_text(
        "PS1='zsh> '\nfpath=(~/.zfunc $fpath)\nautoload -Uz compinit && compinit -u\n",
        encoding="utf-8",
    )
    env = plain_environment(tmp_path) | {
        "HOME": str(home),
        "ZDOTDIR": str(home),
        "TERM": "xterm",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    shell = pexpect.spawn(
        "zsh",
        ["-i"],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=60,
        dimensions=(24, 100),
    )
    try:
        shell.expect_exact("zsh> ")
        shell.send("iopcli hist\t")
        shell.expect_exact("iopcli history")  # zsh then draws the space it will add
        shell.send("m")
        shell.expect_exact("m")
        # Right after a completion zsh may ring the bell for a Tab instead of completing
        # (it is still settling the previous one): ring, and Tab again.
        for _ in range(20):
            shell.send("\t")
            if shell.expect_exact(["arcus", "\x07"]) == 0:  # zsh draws what it adds
                break
        else:
            pytest.fail("zsh never completed the plan name")
        shell.send("\r")
        shell.expect_exact("import opioid-buprenorphine.yaml")  # Marcus's history: it ran
        shell.expect_exact("zsh> ")
    finally:
        shell.sendline("exit")
        shell.close(force=True)
