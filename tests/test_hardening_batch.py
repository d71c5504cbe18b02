"""Issue 12, batch export and the files it writes: SIGTERM and SIGHUP, owner-only folders,
the report path, inputs that must never be replaced, a full disk, FIFOs; and from issue 17,
signals held without ``pthread_sigmask`` (Windows) and the export options in one call.

Signals and a full disk are about the process itself, so those tests run the installed
command (a full disk is a real tmpfs in a private mount namespace); the rest call the library.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conftest import command
from iopcli import batch, files, sources
from iopcli.batch import Inputs, check_export, check_report, run_batch, tasks
from iopcli.errors import ExportError, IopcliError, UsageError
from iopcli.export import ExportOptions, export_options
from iopcli.files import atomic_write, atomic_write_many

ROOT = Path(__file__).resolve().parent.parent
DANA = ROOT / "examples" / "alcohol-depression.yaml"
MARCUS = ROOT / "examples" / "opioid-buprenorphine.yaml"
DANA_STEM = "dana-3f6c2a9e"


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOPCLI_")}
    env.update({"IOPCLI_HOME": str(tmp_path / "home"), "NO_COLOR": "1", "COLUMNS": "100"})
    return env


def iopcli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command(), *args],
        capture_output=True,
        text=True,
        env=environment(tmp_path),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def write_plans(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Realistic plans from the benchmark's generator, one JSON file each."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from batch_export import synthetic_plan
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for n in range(count):
        path = folder / f"plan-{n:06d}.json"
        path.write_text(json.dumps(synthetic_plan(n, rng)))
        paths.append(path)
    return paths


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def temporaries(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]


def stems(folder: Path) -> dict[str, set[str]]:
    """Exported file stems -> their extensions."""
    found: dict[str, set[str]] = {}
    for path in folder.iterdir():
        stem, _, ext = path.name.rpartition(".")
        found.setdefault(stem, set()).add(ext)
    return found


def no_store(ref: str) -> tuple[str, Any]:
    raise AssertionError(f"no stored plan expected, got {ref}")


@cache
def namespaces() -> bool:
    """Whether this machine lets us mount a private tmpfs (unprivileged user namespaces)."""
    if not shutil.which("unshare") or not sys.platform.startswith("linux"):
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
        capture_output=True,
        check=False,
        timeout=30,
    )
    return probe.returncode == 0


needs_namespaces = pytest.mark.skipif(
    not namespaces(), reason="needs unshare and user namespaces to mount a private tmpfs"
)


def in_tmpfs(
    mount: Path, options: str, script: str, *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``sh -c script args`` with a fresh tmpfs (mount options ``options``) at ``mount``,
    in a private mount namespace: it vanishes with the process, so copy out what you need."""
    mount.mkdir(parents=True, exist_ok=True)
    wrapper = f'mount -t tmpfs -o {options} tmpfs "$0" || exit 99; {script}'
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", wrapper, str(mount), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


# --- 9: SIGTERM and SIGHUP during export --jobs 2 ---------------------------------------------


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def start_batch(tmp_path: Path, count: int) -> tuple[subprocess.Popen[str], Path, Path, set[int]]:
    """A batch of ``count`` plans with --jobs 2, once it has written some files; its workers."""
    src = tmp_path / f"plans-{count}"
    write_plans(src, count, seed=count)
    out, report = tmp_path / f"out-{count}", tmp_path / f"report-{count}.json"
    process = subprocess.Popen(
        [*command(), "export", str(src), "--out", str(out), "--jobs", "2", "--report", str(report)],
        env=environment(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal would give it
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if out.is_dir() and sum(not n.startswith(".") for n in os.listdir(out)) >= 10:
            break
        time.sleep(0.005)
    return process, out, report, children(process.pid)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")
@pytest.mark.parametrize(
    ("signum", "group"),
    [(signal.SIGTERM, False), (getattr(signal, "SIGHUP", signal.SIGTERM), True)],
    ids=["SIGTERM to the command", "SIGHUP to its process group"],
)
def test_sigterm_and_sighup_stop_a_batch_like_ctrl_c(
    tmp_path: Path, signum: int, group: bool
) -> None:
    for count in (300, 1500):
        process, out, report, workers = start_batch(tmp_path, count)
        if process.poll() is None:
            break
        process.communicate()
    else:
        pytest.skip("the batch was over before a signal could be sent")
    try:
        assert len(workers) == 2
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode in (130, 128 + signum), stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1].startswith("iopcli: interrupted: exported "), stderr
    # Workers ended with the command.
    assert not [pid for pid in workers if running(pid)]
    # Whole files only, every plan with both its files, and a report that says so.
    assert temporaries(out) == []
    on_disk = stems(out)
    assert on_disk
    assert all(exts == {"md", "ics"} for exts in on_disk.values()), on_disk
    data = json.loads(report.read_text("utf-8"))
    assert data["interrupted"] is True
    assert data["totals"]["inputs"] < count
    listed = {Path(p).name for r in data["results"] for p in r["outputs"]}
    assert data["totals"]["files_written"] == len(listed)
    assert {name.rpartition(".")[0] for name in listed} <= set(on_disk)
    assert all(r["status"] == "exported" for r in data["results"])


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")
def test_workers_end_when_the_command_is_killed(tmp_path: Path) -> None:
    """SIGKILL cannot be handled; the workers notice their parent is gone and end."""
    for count in (300, 1500):
        process, _, _, workers = start_batch(tmp_path, count)
        if process.poll() is None:
            break
        process.communicate()
    else:
        pytest.skip("the batch was over before a signal could be sent")
    assert len(workers) == 2
    process.kill()
    process.communicate()
    deadline = time.monotonic() + 60
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if running(pid)]


def test_a_batch_handler_gets_a_signal_held_during_a_write(tmp_path: Path) -> None:
    """SIGTERM in the middle of writing a plan's files is handed to the batch's handler only
    once the files are whole (its first signal asks the batch to stop after this plan)."""
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda number, _frame: seen.append(number))
    real = tempfile.mkstemp

    def during_mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        os.kill(os.getpid(), signal.SIGTERM)
        assert seen == []
        return real(*args, **kwargs)

    try:
        tempfile.mkstemp = during_mkstemp  # type: ignore[assignment]
        atomic_write_many([(tmp_path / "a.md", b"a"), (tmp_path / "a.ics", b"b")])
    finally:
        tempfile.mkstemp = real
        signal.signal(signal.SIGTERM, previous)
    assert seen == [signal.SIGTERM]
    assert sorted(os.listdir(tmp_path)) == ["a.ics", "a.md"]


# --- issue 17: no pthread_sigmask (Windows) ---------------------------------------------------


def test_atomic_write_without_pthread_sigmask_still_holds_off_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no ``signal.pthread_sigmask``: every export failed there. Without it,
    writes work and a Ctrl-C during one still waits for the file to be whole."""
    monkeypatch.delattr(signal, "pthread_sigmask", raising=False)
    real = tempfile.mkstemp

    def during_mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", during_mkstemp)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "dana.md", b"# Dana\n")
    assert os.listdir(tmp_path) == ["dana.md"]
    assert (tmp_path / "dana.md").read_bytes() == b"# Dana\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    monkeypatch.undo()
    atomic_write(tmp_path / "again.md", b"x")  # and without the signal, simply writes
    assert (tmp_path / "again.md").read_bytes() == b"x"


# --- 10: folders and files written -----------------------------------------------------------


def test_created_folders_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        atomic_write(tmp_path / "a" / "b" / "dana.md", b"x")
        work = tasks([str(DANA)], no_store)
        result = run_batch(work, tmp_path / "out" / "nested", ExportOptions())
    finally:
        os.umask(old)
    assert result.exported == 1
    for folder in ("a", "a/b", "out", "out/nested"):
        assert mode(tmp_path / folder) == 0o700, folder
    assert mode(tmp_path / "a" / "b" / "dana.md") == 0o600


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o750)
    atomic_write(shared / "x.md", b"x")
    assert mode(shared) == 0o750


def test_the_report_may_not_be_an_export_file_of_the_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    inputs = Inputs([str(DANA)], no_store)
    with pytest.raises(UsageError, match=r"--report: .*dana-3f6c2a9e\.md could be the name of"):
        check_report(out / f"{DANA_STEM}.md", out, inputs, ("md", "ics"))
    with pytest.raises(UsageError, match=r"could be the name of an exported \.json"):
        check_report(out / "report.json", out, inputs, ("md", "json"))
    check_report(out / "report.json", out, inputs, ("md", "ics"))  # no export is .json here
    check_report(tmp_path / "report.md", out, inputs, ("md", "ics"))  # another folder


def test_the_report_may_not_be_an_input(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "dana.yaml").write_bytes(DANA.read_bytes())
    (plans / "old-report.json").write_text("{}")
    out = tmp_path / "out"
    by_file = Inputs([str(plans / "dana.yaml")], no_store)
    with pytest.raises(UsageError, match=r"--report: .*dana\.yaml is an input of this export"):
        check_report(plans / "dana.yaml", out, by_file, ("md", "ics"))
    by_folder = Inputs([str(plans)], no_store, out)
    with pytest.raises(UsageError, match="is an input of this export"):
        check_report(plans / "old-report.json", out, by_folder, ("md", "ics"))
    with pytest.raises(UsageError, match="is a folder"):
        check_report(plans, out, by_folder, ("md", "ics"))


def test_check_export_refuses_before_anything_is_written(tmp_path: Path) -> None:
    options = export_options("md,ics")
    out = tmp_path / "out"
    with pytest.raises(UsageError, match="name plans to export"):
        check_export([], out, options)
    with pytest.raises(UsageError, match="--name works with one plan only"):
        check_export([str(DANA), str(MARCUS)], out, export_options(name="x"))
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ExportError, match="afile is not a folder"):
        check_export([str(DANA)], tmp_path / "afile" / "out", options)
    with pytest.raises(ExportError, match=r"--report: .*afile is not a folder"):
        check_export([str(DANA)], out, options, report=tmp_path / "afile" / "r.json")
    with pytest.raises(UsageError, match="could be the name of"):
        check_export([str(DANA)], out, options, report=out / "r.md")
    check_export([str(DANA)], out, options, report=tmp_path / "reports" / "r.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@needs_namespaces
def test_a_report_folder_that_is_not_writable_is_refused_before_any_export(
    tmp_path: Path,
) -> None:
    """A read-only file system (root can write to a chmod 500 folder; not to this)."""
    script = (
        'exec "$1" -c "import sys; from pathlib import Path; from iopcli.batch import'
        " check_export; from iopcli.export import export_options; check_export([sys.argv[1]],"
        ' Path(sys.argv[2]), export_options(), report=Path(sys.argv[3]))" "$2" "$3" "$4"'
    )
    result = in_tmpfs(
        tmp_path / "ro",
        "ro",
        script,
        sys.executable,
        str(DANA),
        str(tmp_path / "out"),
        str(tmp_path / "ro" / "report.json"),
        env=environment(tmp_path),
    )
    assert result.returncode == 1, result.stderr
    assert "ExportError" in result.stderr
    assert f"--report: {tmp_path / 'ro' / 'report.json'}: cannot write here:" in result.stderr
    assert "is not writable" in result.stderr
    assert not (tmp_path / "out").exists()


def test_export_into_the_input_folder_never_replaces_a_plan_file(run: Any, tmp_path: Path) -> None:
    """``--format yaml --out`` into the input folder: a hand-written plan whose name is the
    export's name keeps its comments; the other plan is exported beside it."""
    plans = tmp_path / "plans"
    plans.mkdir()
    handwritten = DANA.read_text("utf-8") + "# Dana's own notes, kept in the file\n"
    (plans / f"{DANA_STEM}.yaml").write_text(handwritten, "utf-8")
    (plans / "marcus.yaml").write_bytes(MARCUS.read_bytes())
    result = run("export", "plans", "--format", "yaml", "--out", "plans", "--jobs", "1")
    assert result.returncode == 1, result.stderr
    assert (plans / f"{DANA_STEM}.yaml").read_text("utf-8") == handwritten
    assert (plans / "marcus-8d2e5b17.yaml").is_file()
    assert (
        f"plans/{DANA_STEM}.yaml: plans/{DANA_STEM}.yaml is an input of this export;"
        " nothing written (choose another --out)"
    ) in result.stderr.splitlines()
    assert "exported 1 of 2 plans (1 files)" in result.stderr


def test_a_named_input_file_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    named = tmp_path / "out" / f"{DANA_STEM}.json"
    named.write_text(json.dumps({"schema_version": 1} | _dana_json()))
    before = named.read_bytes()
    result = run_batch(
        tasks([str(named)], no_store, tmp_path / "out"),
        tmp_path / "out",
        ExportOptions(formats=("md", "json")),
    )
    assert result.failed == 1
    assert named.read_bytes() == before
    assert not (tmp_path / "out" / f"{DANA_STEM}.md").exists()


def _dana_json() -> dict[str, Any]:
    from iopcli.planfile import read_plan

    data: dict[str, Any] = json.loads(read_plan(str(DANA)).model_dump_json(exclude_none=True))
    data.pop("schema_version", None)
    return data


def test_one_plans_files_are_written_together_or_not_at_all(tmp_path: Path) -> None:
    """The second file cannot be written (its folder would be under a file): the first,
    already flushed to a temporary file, is not left behind either."""
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ExportError, match="afile"):
        atomic_write_many([(tmp_path / "dana.md", b"md"), (tmp_path / "afile" / "x.ics", b"i")])
    assert sorted(os.listdir(tmp_path)) == ["afile"]


@needs_namespaces
def test_a_full_disk_writes_each_plan_whole_or_not_at_all(tmp_path: Path) -> None:
    src = tmp_path / "plans"
    write_plans(src, 12)
    copy = tmp_path / "copy"
    copy.mkdir()
    report = tmp_path / "report.json"
    script = '"$@"; rc=$?; cp -a "$0/out/." "$COPY/"; exit $rc'
    env = environment(tmp_path) | {"COPY": str(copy)}
    result = in_tmpfs(
        tmp_path / "disk",
        "size=64k",
        script,
        *command(),
        "export",
        str(src),
        "--out",
        str(tmp_path / "disk" / "out"),
        "--jobs",
        "1",
        "--report",
        str(report),
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "No space left on device" in result.stderr
    on_disk = stems(copy)
    assert on_disk, "nothing fitted at all"
    assert all(exts == {"md", "ics"} for exts in on_disk.values()), on_disk
    assert temporaries(copy) == []
    data = json.loads(report.read_text("utf-8"))
    totals = data["totals"]
    assert totals["exported"] == len(on_disk)
    assert totals["files_written"] == 2 * len(on_disk)
    assert totals["failed"] == 12 - len(on_disk) > 0
    for record in data["results"]:
        if record["status"] == "failed":
            assert record["outputs"] == []
            assert any("No space left on device" in e for e in record["errors"]), record
    summary = result.stderr.splitlines()[-1]
    assert f"exported {len(on_disk)} of 12 plans ({2 * len(on_disk)} files)" in summary


# --- 11: what is not a regular file in an input folder ---------------------------------------


def test_a_fifo_in_an_input_folder_is_skipped_with_a_message(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "dana.yaml").write_bytes(DANA.read_bytes())
    os.mkfifo(plans / "pipe.yaml")
    work = list(tasks([str(plans)], no_store))
    assert [(t.kind, t.source) for t in work] == [
        ("file", str(plans / "dana.yaml")),
        ("error", str(plans / "pipe.yaml")),
    ]
    assert work[1].payload == [
        f"{plans / 'pipe.yaml'}: a named pipe (FIFO), not a plan file; skipped"
    ]


def test_export_of_a_folder_holding_a_fifo_does_not_hang(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "dana.yaml").write_bytes(DANA.read_bytes())
    os.mkfifo(plans / "a-pipe.yaml")
    result = iopcli(tmp_path, "export", "plans", "--out", "out", "--jobs", "1")  # hung before
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "plans/a-pipe.yaml: a named pipe (FIFO), not a plan file; skipped"
    )
    assert sorted(os.listdir(tmp_path / "out")) == [f"{DANA_STEM}.ics", f"{DANA_STEM}.md"]


# --- issue 17: one home for each idea ---------------------------------------------------------


def test_plan_suffixes_and_file_refs_have_one_definition() -> None:
    assert batch.PLAN_SUFFIXES is sources.PLAN_SUFFIXES
    assert batch.is_file_ref is sources.is_file_ref
    assert not hasattr(batch, "_stem")


def test_export_options_from_command_line_values(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("IOPCLI_HOME", str(tmp_path))
    assert export_options().ics.remind_minutes == 60
    (tmp_path / "config.toml").write_text("remind_minutes = 15\n")
    options = export_options(
        "ics, MD,ics",
        horizon_days=30,
        discreet=True,
        show_address=False,
        paper=True,
        name="dana",
    )
    assert options.formats == ("ics", "md")
    assert options.ics.remind_minutes == 15
    assert (options.ics.horizon_days, options.ics.discreet, options.ics.show_address) == (
        30,
        True,
        False,
    )
    assert options.markdown.paper is True
    assert options.name == "dana"
    assert export_options(remind=5).ics.remind_minutes == 5
    assert export_options(remind=5, alarms=False).ics.remind_minutes is None
    with pytest.raises(UsageError, match="--format: docx is not one of"):
        export_options("md,docx")
    assert issubclass(UsageError, IopcliError)


def test_signals_held_is_a_no_op_outside_the_main_thread(tmp_path: Path) -> None:
    import threading

    errors: list[BaseException] = []

    def write() -> None:
        try:
            with files.signals_held():
                atomic_write(tmp_path / "t.md", b"t")
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    assert errors == []
    assert (tmp_path / "t.md").read_bytes() == b"t"


@pytest.mark.parametrize("signum", files.HELD_SIGNALS)
def test_run_batch_stops_after_the_plan_being_written_and_says_which_signal(
    tmp_path: Path, signum: int
) -> None:
    plans = write_plans(tmp_path / "plans", 3)

    def work() -> Any:
        for index, path in enumerate(plans):
            if index == 1:
                os.kill(os.getpid(), signum)  # arrives while plan 0 is done, plan 1 asked for
            yield batch.Task(index, str(path), "file", str(path))

    before = {s: signal.getsignal(s) for s in files.HELD_SIGNALS}
    result = run_batch(work(), tmp_path / "out", ExportOptions())
    assert result.interrupted is True
    assert result.signal == signum
    assert [r.source for r in result.records] == [str(plans[0])]
    assert len(os.listdir(tmp_path / "out")) == 2
    assert {s: signal.getsignal(s) for s in files.HELD_SIGNALS} == before


# --- 10, through the command: the report path is checked before anything is written ----------


def test_export_refuses_a_report_that_is_an_export_file_before_writing(
    run: Any, tmp_path: Path
) -> None:
    result = run("export", str(DANA), "--out", "out", "--report", f"out/{DANA_STEM}.md")
    assert result.returncode == 2
    assert result.stderr == (
        f"--report: out/{DANA_STEM}.md could be the name of an exported .md file in out;"
        " choose another name or folder\n"
    )
    assert not (tmp_path / "out").exists()


def test_export_refuses_a_report_that_is_an_input(run: Any, tmp_path: Path) -> None:
    (tmp_path / "dana.yaml").write_bytes(DANA.read_bytes())
    result = run("export", "dana.yaml", "--out", "out", "--report", "dana.yaml")
    assert result.returncode == 2
    assert result.stderr == "--report: dana.yaml is an input of this export; choose another file\n"
    assert (tmp_path / "dana.yaml").read_bytes() == DANA.read_bytes()
    assert not (tmp_path / "out").exists()


def test_export_refuses_a_report_under_a_file_before_any_export(run: Any, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = run("export", str(DANA), "--out", "out", "--report", "afile/report.json")
    assert result.returncode == 1
    assert result.stderr == (
        "--report: afile/report.json: cannot write here: afile is not a folder\n"
    )
    assert not (tmp_path / "out").exists()


def test_an_output_folder_inside_the_input_folder_is_not_an_input(run: Any, tmp_path: Path) -> None:
    """Its earlier exports are never read as inputs, so replacing them is allowed."""
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "dana.yaml").write_bytes(DANA.read_bytes())
    for _ in range(2):
        result = run("export", "plans", "--format", "yaml", "--out", "plans/out", "--jobs", "1")
        assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(plans / "out")) == [f"{DANA_STEM}.yaml"]
