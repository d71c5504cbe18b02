"""Exporting many plans at once: streamed inputs, parallel rendering, one writer.

Workers only parse and render (pure work, in other processes); this process writes every file,
in input order. That makes the output byte-identical whatever the number of jobs, lets one
place detect two plans wanting the same file name, and means an interrupted batch leaves only
whole files (each written atomically). Inputs are read lazily and at most a few tasks per
worker are in flight, so memory stays flat as the batch grows.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iopcli.errors import ExportError, IopcliError, PlanFileError, Problem, UsageError
from iopcli.export import FORMATS, SUFFIXES, ExportOptions, base_name, file_name, render
from iopcli.files import HELD_SIGNALS, atomic_write_many
from iopcli.planfile import MAX_BYTES, LoadedPlan, load_plan, read_plan_file
from iopcli.sources import PLAN_SUFFIXES, is_file_ref


@dataclass(frozen=True)
class Task:
    """One input: a plan file, one line of JSON Lines, or a stored plan's body."""

    index: int
    source: str  # how messages and the report name it: a path, "-:LINE", or "store:ID"
    kind: str  # "file", "text" or "body"
    payload: Any = None
    line: int | None = None  # for JSON Lines: the line the plan was on


@dataclass
class Outcome:
    index: int
    source: str
    plan_id: str | None = None
    stem: str | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)  # PDF file name -> its page count
    warnings: list[str] = field(default_factory=list)  # written anyway, but worth a look


@dataclass
class Record:
    """What the report says of one input."""

    source: str
    status: str  # "exported" or "failed"
    plan_id: str | None
    outputs: list[str]
    errors: list[str]
    pages: dict[str, int] = field(default_factory=dict)  # written PDF -> its page count
    warnings: list[str] = field(default_factory=list)  # e.g. letters the PDF's font lacks

    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "source": self.source,
            "status": self.status,
            "plan_id": self.plan_id,
            "outputs": self.outputs,
            "errors": self.errors,
        }
        if self.pages:
            entry["pages"] = self.pages
        if self.warnings:
            entry["warnings"] = self.warnings
        return entry


@dataclass
class BatchResult:
    records: list[Record] = field(default_factory=list)
    exported: int = 0
    failed: int = 0
    files: int = 0
    pages: int = 0  # PDF pages written, all plans together
    interrupted: bool = False
    signal: int | None = None  # the signal that stopped it (SIGINT for Ctrl-C), if one did
    elapsed: float = 0.0

    def report(self, jobs: int) -> dict[str, Any]:
        return {
            "totals": {
                "inputs": len(self.records),
                "exported": self.exported,
                "failed": self.failed,
                "files_written": self.files,
                **({"pdf_pages": self.pages} if self.pages else {}),
            },
            "interrupted": self.interrupted,
            "elapsed_seconds": round(self.elapsed, 3),
            "jobs": jobs,
            "results": [r.as_json() for r in self.records],
        }


# --- inputs ----------------------------------------------------------------------------------


def plan_files(folder: Path, skip: Path | None = None) -> Iterator[Path]:
    """Plan files below a folder, recursively, in a stable (sorted) order; ``skip`` is the
    output folder, so a re-run never reads its own earlier output as input.

    What is named like a plan file but is not a regular file (a named pipe, a device, a
    socket) is yielded too: reading one could hang, so the tasks skip it with a message."""
    skipped = skip.resolve() if skip is not None else None
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and (skipped is None or Path(root, d).resolve() != skipped)
        )
        for name in sorted(names):
            if name.lower().endswith(PLAN_SUFFIXES) and not name.startswith("."):
                yield Path(root, name)


def not_a_file(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file ("a named pipe"), else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # reading it says what is wrong
    if stat.S_ISREG(mode):
        return None
    kinds = [
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ]
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def count_inputs(refs: list[str], skip: Path | None = None) -> int | None:
    """How many inputs there will be (for the progress bar), or None when stdin is one."""
    if "-" in refs:
        return None
    return sum(sum(1 for _ in plan_files(Path(r), skip)) if Path(r).is_dir() else 1 for r in refs)


def _lines(stream: Any) -> Iterator[tuple[int, bytes | None]]:
    """(number, line) for each line; None for a line too long to be a plan, whose rest is
    skipped so the numbering of the lines after it stays right."""
    number = 0
    while True:
        line = stream.readline(MAX_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(MAX_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def stdin_tasks(stream: Any, start: int) -> Iterator[Task]:
    """JSON Lines, one plan a line; a stream that is one YAML or JSON document is one plan.

    It is JSON Lines when its first non-blank line starts with "{" and holds more than the
    brace alone (a pretty-printed document starts with "{" on a line of its own)."""
    lines = _lines(stream)
    head: list[tuple[int, bytes | None]] = []
    for number, line in lines:
        head.append((number, line))
        if line is None or line.strip():
            break
    first = head[-1][1] if head else None
    if (
        head
        and first is not None
        and first.strip()
        and not (first.lstrip().startswith(b"{") and first.strip() != b"{")
    ):
        rest = b"".join(line or b"" for _, line in lines)
        document = b"".join(line or b"" for _, line in head) + rest
        yield Task(start, "-", "text", document)
        return
    index = start
    for number, line in [*head, *lines]:
        if line is None:
            yield Task(
                index,
                f"-:{number}",
                "error",
                [f"-:{number}: the line is over {MAX_BYTES:,} bytes; a plan is at most that"],
            )
        elif line.strip():
            yield Task(index, f"-:{number}", "text", line, line=number)
        else:
            continue
        index += 1


class Inputs:
    """The command line's inputs: iterated, the tasks (lazily); asked, whether a path is one
    of them, so that no output of the batch ever replaces an input."""

    def __init__(
        self,
        refs: Iterable[str],
        stored: Callable[[str], tuple[str, Any]],
        skip: Path | None = None,
    ) -> None:
        self.refs = list(refs)
        self.stored = stored
        self.skip = skip.resolve() if skip is not None else None
        paths = [Path(r) for r in self.refs if r != "-" and is_file_ref(r)]
        self._files = {p.resolve() for p in paths if not p.is_dir()}
        self._folders = [p.resolve() for p in paths if p.is_dir()]

    def __iter__(self) -> Iterator[Task]:
        return _tasks(self.refs, self.stored, self.skip)

    def is_input(self, path: Path) -> bool:
        """True when ``path`` is, or will be read as, one of the inputs."""
        if not os.path.lexists(path):
            return False
        resolved = path.resolve()
        if resolved in self._files:
            return True
        if not resolved.name.lower().endswith(PLAN_SUFFIXES) or resolved.name.startswith("."):
            return False
        skip = self.skip
        for folder in self._folders:
            # The walk leaves out the output folder only when it is below the input folder.
            pruned = (
                skip is not None
                and skip != folder
                and skip.is_relative_to(folder)
                and resolved.is_relative_to(skip)
            )
            if resolved.is_relative_to(folder) and not pruned:
                return True
        return False


def tasks(
    refs: Iterable[str], stored: Callable[[str], tuple[str, Any]], skip: Path | None = None
) -> Inputs:
    """Tasks for command-line inputs, lazily. ``stored(ref)`` gives (plan id, body); folders
    are searched without ``skip`` (the output folder)."""
    return Inputs(refs, stored, skip)


def _tasks(
    refs: Iterable[str], stored: Callable[[str], tuple[str, Any]], skip: Path | None
) -> Iterator[Task]:
    index = 0
    for ref in refs:
        if ref == "-":
            for task in stdin_tasks(sys.stdin.buffer, index):
                index += 1
                yield task
            continue
        path = Path(ref)
        if path.is_dir():
            for file in plan_files(path, skip):
                kind = not_a_file(file)
                if kind is None:
                    yield Task(index, str(file), "file", str(file))
                else:
                    message = f"{file}: {kind}, not a plan file; skipped"
                    yield Task(index, str(file), "error", [message])
                index += 1
        elif is_file_ref(ref):
            yield Task(index, ref, "file", ref)
            index += 1
        else:
            try:
                plan_id, body = stored(ref)
            except IopcliError as exc:
                lines = [line if repr(ref) in line else f"{ref}: {line}" for line in exc.lines()]
                yield Task(index, ref, "error", lines)
            else:
                yield Task(index, f"store:{plan_id}", "body", body)
            index += 1


# --- work (in worker processes) -------------------------------------------------------------

_OPTIONS: ExportOptions | None = None


def _start_worker(options: ExportOptions) -> None:
    global _OPTIONS  # noqa: PLW0603 - one read-only copy per worker process
    _OPTIONS = options
    # Ctrl-C, a closed terminal or `kill` of the process group: the parent handles them,
    # finishes the file it is writing and ends the workers itself.
    for signum in HELD_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    threading.Thread(target=_end_with_parent, args=(os.getppid(),), daemon=True).start()


def _end_with_parent(parent: int) -> None:
    """A worker whose parent died without ending it (SIGKILL) ends itself: it holds the
    task queue open, so it would otherwise wait for work forever."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def render_task(task: Task, options: ExportOptions | None = None) -> Outcome:
    """Parse and render one input; never raises for bad input (it becomes the errors)."""
    options = options or _OPTIONS
    assert options is not None
    outcome = Outcome(task.index, task.source)
    try:
        if task.kind == "error":
            outcome.errors = list(task.payload)
            return outcome
        loaded: LoadedPlan | None = None  # where each field was written, for warnings
        if task.kind == "file":
            loaded = read_plan_file(task.payload)
            plan = loaded.plan
        elif task.kind == "text":
            data = task.payload if isinstance(task.payload, bytes) else task.payload.encode()
            try:
                loaded = load_plan(data, "-", json_only=task.line is not None)
                plan = loaded.plan
            except PlanFileError as exc:
                if task.line is None:
                    raise
                # One plan a line: its problems are on that line of the stream.
                raise PlanFileError(
                    "-", [Problem(p.message, p.path, task.line) for p in exc.problems]
                ) from None
        else:
            from iopcli.model import AftercarePlan

            plan = AftercarePlan.model_validate(task.payload)
        outcome.plan_id = plan.id
        outcome.stem = base_name(plan, options.name)
        outcome.files = [
            (file_name(outcome.stem, fmt), render(plan, fmt, options)) for fmt in options.formats
        ]
        if "pdf" in options.formats:
            from iopcli.pdf_handout import page_count, unprintable_fields

            outcome.pages = {
                name: page_count(data) for name, data in outcome.files if name.endswith(".pdf")
            }
            # Which fields, never what they say: the PDF prints those letters as U+FFFD.
            for path, count in unprintable_fields(plan, clinician=options.clinician):
                line = task.line or (loaded.line_of(path) if loaded else None)
                outcome.warnings.append(
                    f"{task.source}{f':{line}' if line else ''}: {path}: warning: {count}"
                    " character(s) the PDF's font cannot draw, printed there as \ufffd (the"
                    " HTML handout shows them)"
                )
    except IopcliError as exc:
        outcome.errors = exc.lines()
    except Exception as exc:  # one plan must not stop the batch; say what, not its content
        outcome.errors = [f"{task.source}: internal error ({type(exc).__name__})"]
    return outcome


def _outcomes(work: Iterable[Task], options: ExportOptions, jobs: int) -> Iterator[Outcome]:
    """Outcomes in input order; at most a few tasks per worker are in flight at once."""
    if jobs <= 1:
        for task in work:
            yield render_task(task, options)
        return
    from concurrent.futures import Future, ProcessPoolExecutor

    window = jobs * 4
    pending: deque[Future[Outcome]] = deque()
    with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(options,)) as pool:
        try:
            for task in work:
                pending.append(pool.submit(render_task, task))
                while len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


# --- writing (in this process) ---------------------------------------------------------------


def run_batch(
    work: Iterable[Task],
    out: Path,
    options: ExportOptions,
    jobs: int = 1,
    on_outcome: Callable[[Record], None] | None = None,
) -> BatchResult:
    """Export every task; files are written here, in input order, each plan's files as one
    (all its formats or none). Ctrl-C, SIGTERM or SIGHUP stop it after the plan being written;
    ``interrupted`` says so. When ``work`` is :class:`Inputs`, no file that is an input is
    ever replaced."""
    result = BatchResult()
    started = time.perf_counter()
    claimed: dict[str, str] = {}  # file stem -> the source that wrote it in this batch
    is_input = work.is_input if isinstance(work, Inputs) else None
    stop = _StopOnInterrupt()
    try:
        for outcome in _outcomes(work, options, jobs):
            if stop.asked:
                result.interrupted = True
                break
            record = _write(outcome, out, claimed, is_input)
            result.records.append(record)
            if record.status == "exported":
                result.exported += 1
                result.files += len(record.outputs)
                result.pages += sum(record.pages.values())
            else:
                result.failed += 1
            if on_outcome is not None:
                on_outcome(record)
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        stop.restore()
    result.interrupted = result.interrupted or stop.asked
    if result.interrupted:
        result.signal = stop.signal or signal.SIGINT
    result.elapsed = time.perf_counter() - started
    return result


class _StopOnInterrupt:
    """Ctrl-C, SIGTERM or SIGHUP during a batch asks it to stop after the plan being written,
    never inside one. A second signal stops at once (still without half-written files: writes
    hold signals off), and the workers are ended either way."""

    def __init__(self) -> None:
        self.asked = False
        self.signal: int | None = None
        self._previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for signum in HELD_SIGNALS:
                try:
                    self._previous[signum] = signal.signal(signum, self._handle)
                except (OSError, ValueError):  # not every signal can be caught everywhere
                    continue

    def _handle(self, signum: int, frame: Any) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True
        self.signal = signum

    def restore(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        self._previous = {}


def _write(
    outcome: Outcome,
    out: Path,
    claimed: dict[str, str],
    is_input: Callable[[Path], bool] | None = None,
) -> Record:
    if outcome.errors or outcome.stem is None:
        return Record(outcome.source, "failed", outcome.plan_id, [], outcome.errors)
    key = outcome.stem.casefold()  # case-insensitive file systems (macOS, Windows) too
    if key in claimed:
        message = (
            f"{outcome.source}: output name {outcome.stem!r} is already used in this batch"
            f" by {claimed[key]}; nothing written (give the plans different ids)"
        )
        return Record(outcome.source, "failed", outcome.plan_id, [], [message])
    files = [(out / name, data) for name, data in outcome.files]
    if is_input is not None:
        for path, _ in files:
            if is_input(path):
                message = (
                    f"{outcome.source}: {path} is an input of this export; nothing written"
                    " (choose another --out)"
                )
                return Record(outcome.source, "failed", outcome.plan_id, [], [message])
    claimed[key] = outcome.source
    try:
        atomic_write_many(files)
    except IopcliError as exc:
        errors = [f"{outcome.source}: {line}; none of its files written" for line in exc.lines()]
        return Record(outcome.source, "failed", outcome.plan_id, [], errors)
    pages = {str(out / name): count for name, count in outcome.pages.items()}
    return Record(
        outcome.source,
        "exported",
        outcome.plan_id,
        [str(p) for p, _ in files],
        [],
        pages,
        outcome.warnings,
    )


# --- checks before any work ------------------------------------------------------------------


def check_folder(folder: Path, label: str | None = None) -> None:
    """Refuse a folder that cannot be made or written, before any work (and without creating
    anything). ``label`` starts the message (default: the folder)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    label = label or str(folder)
    if not existing.is_dir():
        raise ExportError(f"{label}: cannot write here: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ExportError(f"{label}: cannot write here: {existing} is not writable")


def check_report(report: Path, out: Path, inputs: Inputs, formats: Iterable[str]) -> None:
    """Refuse, before any export, a ``--report`` path the run could not write, or whose
    writing would replace an input or one of the run's own outputs."""
    if report.is_dir():
        raise UsageError(f"--report: {report} is a folder; name a file such as report.json")
    if inputs.is_input(report):
        raise UsageError(f"--report: {report} is an input of this export; choose another file")
    written = [SUFFIXES.get(f, f) for f in formats if f in FORMATS]  # fhir: .fhir.json
    suffix = next((s for s in written if report.name.lower().endswith(f".{s}")), None)
    if report.resolve().parent == out.resolve() and suffix:
        raise UsageError(
            f"--report: {report} could be the name of an exported .{suffix} file in {out};"
            " choose another name or folder"
        )
    if report.exists() and not report.is_file():
        raise UsageError(f"--report: {report} is not a regular file")
    check_folder(report.parent, f"--report: {report}")


def check_export(
    refs: list[str],
    out: Path,
    options: ExportOptions,
    *,
    all_stored: bool = False,
    report: Path | None = None,
) -> None:
    """Everything ``iopcli export`` checks before it starts: inputs named, ``--name`` with one
    plan only, the output folder writable, the report path safe. Raises, or returns None."""
    if not refs and not all_stored:
        raise UsageError("name plans to export (files, folders, stored plans, -) or use --all")
    single = len(refs) == 1 and not all_stored and refs[0] != "-" and not Path(refs[0]).is_dir()
    if options.name is not None and not single:
        raise UsageError("--name works with one plan only")
    check_folder(out)
    if report is not None:
        check_report(report, out, Inputs(refs, _no_store, out), options.formats)


def _no_store(ref: str) -> tuple[str, Any]:
    raise UsageError(f"{ref}: not looked up here")


def write_report(report: Path, result: BatchResult, jobs: int) -> None:
    """The JSON record of a batch (``--report``), written atomically."""
    import json

    data = json.dumps(result.report(jobs), indent=2, ensure_ascii=False) + "\n"
    atomic_write_many([(report, data.encode("utf-8"))])
