"""Output files: safe names, atomic owner-only writes, and the names export_plan chooses."""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import iopcli.export
from iopcli.errors import ExportError, IopcliError
from iopcli.export import ExportOptions, base_name, export_plan
from iopcli.files import MAX_NAME, atomic_write, safe_name
from iopcli.ics import IcsOptions, plan_to_ics
from iopcli.markdown import MarkdownOptions, plan_to_markdown
from iopcli.model import AftercarePlan
from iopcli.planfile import read_plan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
DANA = ROOT / "examples" / "alcohol-depression.yaml"

WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def plan_with(plan_id: str, name: str = "Dana") -> AftercarePlan:
    return AftercarePlan.model_validate(
        {
            "id": plan_id,
            "person": {"name": name, "timezone": "America/Chicago"},
            "program": {"name": "Riverside IOP", "discharge_date": "2027-03-05"},
        }
    )


# --- safe_name --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dana-3f6c2a9e", "dana-3f6c2a9e"),
        ("My plan", "My-plan"),
        ("a/b\\c", "a-b-c"),
        ("../../etc/passwd", "etc-passwd"),
        ("..", "plan"),
        (".", "plan"),
        (".hidden", "hidden"),
        ("...plan...", "plan"),
        ("  spaced  out  ", "spaced-out"),
        ("tab\there", "tab-here"),
        ("bell\x07nul\x00esc\x1b", "bell-nul-esc"),
        ("line\nbreak\r\n", "line-break"),
        ('what: "a" <b> |c|? *d*', "what-a-b-c-d"),
        ("", "plan"),
        ("   ", "plan"),
        ("///", "plan"),
        ("\x00\x01", "plan"),
        ("CON", "plan-CON"),
        ("con", "plan-con"),
        ("Nul", "plan-Nul"),
        ("com1", "plan-com1"),
        ("LPT9", "plan-LPT9"),
        ("COM¹", "plan-COM1"),  # NFKC: superscript one is a plain 1
        ("console", "console"),
        ("com10", "com10"),
        ("Zoë", "Zoë"),
        ("ﬁle", "file"),  # NFKC ligature
        ("dana.", "dana"),
        ("dana -", "dana"),
    ],
)
def test_safe_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_long_names_are_truncated() -> None:
    assert safe_name("a" * 500) == "a" * MAX_NAME
    assert MAX_NAME <= 80
    # truncation never leaves a trailing separator or dot
    assert safe_name("a" * 79 + "-b") == "a" * 79
    assert safe_name("a" * 79 + ".b") == "a" * 79


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=300))
def test_safe_name_is_always_one_plain_file_name(name: str) -> None:
    out = safe_name(name)
    assert out
    assert len(out) <= MAX_NAME
    assert out not in (".", "..")
    assert not out.startswith((".", "-", " "))
    assert not out.endswith((".", "-", " "))
    for bad in '/\\:*?"<>|':
        assert bad not in out
    assert all(ch.isprintable() and not ch.isspace() for ch in out)
    assert out.lower() not in WINDOWS_RESERVED
    assert out == unicodedata.normalize("NFKC", out)
    assert safe_name(out) == out  # idempotent


def test_safe_names_can_be_written(tmp_path: Path) -> None:
    for name in ["../x", "CON", "", "a" * 500, "line\nbreak", "ﬁle"]:
        target = tmp_path / f"{safe_name(name)}.md"
        atomic_write(target, b"x")
        assert target.parent == tmp_path
        assert target.read_bytes() == b"x"


@pytest.mark.parametrize("name", ["con.txt", "NUL.tar", "aux.plan", "com1.x"])
def test_reserved_windows_names_with_an_extension(name: str) -> None:
    assert safe_name(name).split(".")[0].lower() not in WINDOWS_RESERVED


@pytest.mark.parametrize("char", ["王", "😀"], ids=["cjk", "emoji"])
def test_long_multibyte_names_can_be_written(tmp_path: Path, char: str) -> None:
    atomic_write(tmp_path / f"{safe_name(char * 100)}.md", b"x")


# --- atomic_write -----------------------------------------------------------------------------


def test_atomic_write_writes_owner_only_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    atomic_write(target, b"hello\n")
    assert target.read_bytes() == b"hello\n"
    assert mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md"]


def test_atomic_write_honours_an_explicit_mode(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    atomic_write(target, b"x", mode=0o640)
    assert mode(target) == 0o640


def test_atomic_write_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    target.write_bytes(b"old and longer than the new one\n")
    target.chmod(0o644)
    atomic_write(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md"]


def test_atomic_write_creates_missing_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "plan.ics"
    atomic_write(target, b"")
    assert target.read_bytes() == b""
    assert [p.name for p in target.parent.iterdir()] == ["plan.ics"]


@pytest.mark.parametrize("below", ["x.md", "sub/x.md"])
def test_atomic_write_under_a_regular_file_is_an_export_error(tmp_path: Path, below: str) -> None:
    # Tests may run as root, where a read-only folder is still writable; a file is never a folder.
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError) as info:
        atomic_write(blocker / below, b"x")
    assert isinstance(info.value, IopcliError)
    assert info.value.exit_code == 1
    message = str(info.value)
    assert "afile" in message
    assert "cannot write" in message
    assert "Traceback" not in message
    assert blocker.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_atomic_write_onto_a_folder_is_an_export_error(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    target.mkdir()
    (target / "inside").write_text("keep")
    with pytest.raises(ExportError, match=r"plan\.md"):
        atomic_write(target, b"x")
    assert (target / "inside").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md"]


def _boom(*_args: object) -> None:
    raise OSError(5, "Input/output error")


@pytest.mark.parametrize("step", ["fsync", "replace", "chmod"])
def test_failure_mid_write_keeps_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    target = tmp_path / "plan.md"
    target.write_bytes(b"previous version\n")
    monkeypatch.setattr(os, step, _boom)
    with pytest.raises(ExportError) as info:
        atomic_write(target, b"new version\n" * 1000)
    monkeypatch.undo()
    assert "Input/output error" in str(info.value)
    assert target.read_bytes() == b"previous version\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md"]


def test_failure_mid_write_of_a_new_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "fsync", _boom)
    with pytest.raises(ExportError):
        atomic_write(tmp_path / "plan.md", b"x")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_interrupt_mid_write_is_not_swallowed_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.md"
    target.write_bytes(b"previous\n")

    def interrupt(_fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new\n")
    monkeypatch.undo()
    assert target.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md"]


# --- export_plan ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "stem"),
    [
        (ROOT / "examples" / "alcohol-depression.yaml", "dana-3f6c2a9e"),
        (ROOT / "examples" / "opioid-buprenorphine.yaml", None),
    ],
    ids=["dana", "marcus"],
)
def test_export_plan_writes_markdown_and_calendar(
    tmp_path: Path, path: Path, stem: str | None
) -> None:
    plan = read_plan(str(path))
    out = tmp_path / "out"
    written = export_plan(plan, out, ExportOptions())
    expected_stem = stem or base_name(plan)
    assert expected_stem.startswith(plan.person.name.lower() + "-")
    assert [p.name for p in written] == [f"{expected_stem}.md", f"{expected_stem}.ics"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    md, ics = written
    assert md.read_text("utf-8") == plan_to_markdown(plan, MarkdownOptions())
    assert ics.read_bytes() == plan_to_ics(plan, IcsOptions())
    assert mode(md) == 0o600
    assert mode(ics) == 0o600


def test_export_plan_name_is_slug_and_short_id() -> None:
    uuid = "3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21"
    assert base_name(plan_with(uuid, name="Zoë Ann O'Neil")) == "zoe-ann-o-neil-3f6c2a9e"
    # Other ids keep a slug and gain a hash, so ids differing after 8 characters or in case
    # never share a name.
    assert base_name(plan_with("ab", name="!!!")).startswith("item-ab-")
    assert base_name(plan_with("ABC", name="x")) != base_name(plan_with("abc", name="x"))


def test_export_plan_all_formats_and_a_chosen_name(tmp_path: Path) -> None:
    plan = read_plan(str(DANA))
    options = ExportOptions(formats=("yaml", "json", "md"), name="../My Plan")
    written = export_plan(plan, tmp_path, options)
    assert [p.name for p in written] == ["My-Plan.yaml", "My-Plan.json", "My-Plan.md"]
    assert all(p.parent == tmp_path for p in written)
    assert read_plan(str(written[0])) == plan
    assert read_plan(str(written[1])) == plan


def test_export_plan_paper_option_reaches_the_handout(tmp_path: Path) -> None:
    plan = read_plan(str(DANA))
    options = ExportOptions(formats=("md",), markdown=MarkdownOptions(paper=True))
    (md,) = export_plan(plan, tmp_path, options)
    assert md.read_text("utf-8") == plan_to_markdown(plan, MarkdownOptions(paper=True))
    assert "|---|" not in md.read_text("utf-8")


def test_export_plan_replaces_files_from_an_earlier_export(tmp_path: Path) -> None:
    plan = read_plan(str(DANA))
    first = export_plan(plan, tmp_path, ExportOptions())
    for path in first:
        path.write_bytes(b"stale")
    second = export_plan(plan, tmp_path, ExportOptions())
    assert second == first
    assert first[0].read_text("utf-8") == plan_to_markdown(plan)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in first)


def test_a_failed_render_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = iopcli.export.render

    def render(plan: AftercarePlan, fmt: str, options: ExportOptions) -> bytes:
        if fmt == "ics":
            raise RuntimeError("render failed")
        return real(plan, fmt, options)

    monkeypatch.setattr(iopcli.export, "render", render)
    with pytest.raises(RuntimeError):
        export_plan(read_plan(str(DANA)), tmp_path / "out", ExportOptions())
    assert not (tmp_path / "out").exists()


def test_export_into_a_path_under_a_file_is_an_export_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ExportError):
        export_plan(read_plan(str(DANA)), tmp_path / "afile" / "out", ExportOptions())


def test_same_person_different_ids_get_different_files(tmp_path: Path) -> None:
    one = plan_with("3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21")
    two = plan_with("9b2e4d10-1c3f-4a5b-8e7d-6f5a4b3c2d1e")
    assert base_name(one) != base_name(two)
    a = export_plan(one, tmp_path, ExportOptions())
    b = export_plan(two, tmp_path, ExportOptions())
    assert not set(a) & set(b)
    assert len(list(tmp_path.iterdir())) == 4
    assert all(p.name.startswith("dana-") for p in a + b)


@pytest.mark.parametrize(
    ("first", "second"),
    [("dana-plan-1", "dana-plan-2"), ("aftercare-2027-03", "aftercare-2027-04"), ("ABC", "abc")],
)
def test_ids_sharing_a_prefix_get_different_files(first: str, second: str) -> None:
    assert base_name(plan_with(first)) != base_name(plan_with(second))
