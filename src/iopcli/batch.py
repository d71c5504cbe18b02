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
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iopcli.errors import IopcliError, PlanFileError, Problem
from iopcli.export import ExportOptions, render
from iopcli.files import atomic_write, safe_name
from iopcli.planfile import MAX_BYTES, load_plan, read_plan
from iopcli.slugs import short_id, slugify

PLAN_SUFFIXES = (".yaml", ".yml", ".json")


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


@dataclass
class Record:
    """What the report says of one input."""

    source: str
    status: str  # "exported" or "failed"
    plan_id: str | None
    outputs: list[str]
    errors: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "plan_id": self.plan_id,
            "outputs": self.outputs,
            "errors": self.errors,
        }


@dataclass
class BatchResult:
    records: list[Record] = field(default_factory=list)
    exported: int = 0
    failed: int = 0
    files: int = 0
    interrupted: bool = False
    elapsed: float = 0.0

    def report(self, jobs: int) -> dict[str, Any]:
        return {
            "totals": {
                "inputs": len(self.records),
                "exported": self.exported,
                "failed": self.failed,
                "files_written": self.files,
            },
            "interrupted": self.interrupted,
            "elapsed_seconds": round(self.elapsed, 3),
            "jobs": jobs,
            "results": [r.as_json() for r in self.records],
        }


# --- inputs ----------------------------------------------------------------------------------


def plan_files(folder: Path, skip: Path | None = None) -> Iterator[Path]:
    """Plan files below a folder, recursively, in a stable (sorted) order; ``skip`` is the
    output folder, so a re-run never reads its own earlier output as input."""
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


def tasks(
    refs: Iterable[str], stored: Callable[[str], tuple[str, Any]], skip: Path | None = None
) -> Iterator[Task]:
    """Tasks for command-line inputs, lazily. ``stored(ref)`` gives (plan id, body); folders
    are searched without ``skip`` (the output folder)."""
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
                yield Task(index, str(file), "file", str(file))
                index += 1
        elif ref.lower().endswith(PLAN_SUFFIXES) or path.exists():
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
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us


def render_task(task: Task, options: ExportOptions | None = None) -> Outcome:
    """Parse and render one input; never raises for bad input (it becomes the errors)."""
    options = options or _OPTIONS
    assert options is not None
    outcome = Outcome(task.index, task.source)
    try:
        if task.kind == "error":
            outcome.errors = list(task.payload)
            return outcome
        if task.kind == "file":
            plan = read_plan(task.payload)
        elif task.kind == "text":
            data = task.payload if isinstance(task.payload, bytes) else task.payload.encode()
            try:
                plan = load_plan(data, "-", json_only=task.line is not None).plan
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
        outcome.stem = _stem(plan.person.name, plan.id, options)
        outcome.files = [
            (f"{outcome.stem}.{fmt}", render(plan, fmt, options)) for fmt in options.formats
        ]
    except IopcliError as exc:
        outcome.errors = exc.lines()
    except Exception as exc:  # one plan must not stop the batch; say what, not its content
        outcome.errors = [f"{task.source}: internal error ({type(exc).__name__})"]
    return outcome


def _stem(name: str, plan_id: str, options: ExportOptions) -> str:
    if options.name:
        return safe_name(options.name)
    return safe_name(f"{slugify(name, max_length=40)}-{short_id(plan_id)}")


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
    """Export every task; files are written here, in input order, each atomically."""
    result = BatchResult()
    started = time.perf_counter()
    claimed: dict[str, str] = {}  # file stem -> the source that wrote it in this batch
    stop = _StopOnInterrupt()
    try:
        for outcome in _outcomes(work, options, jobs):
            if stop.asked:
                result.interrupted = True
                break
            record = _write(outcome, out, claimed)
            result.records.append(record)
            if record.status == "exported":
                result.exported += 1
                result.files += len(record.outputs)
            else:
                result.failed += 1
            if on_outcome is not None:
                on_outcome(record)
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        stop.restore()
    result.interrupted = result.interrupted or stop.asked
    result.elapsed = time.perf_counter() - started
    return result


class _StopOnInterrupt:
    """Ctrl-C during a batch asks it to stop after the file being written, never inside one.
    A second Ctrl-C stops at once (still without half-written files: writes hold it off)."""

    def __init__(self) -> None:
        self.asked = False
        self._previous: Any = None
        import threading

        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True

    def restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


def _write(outcome: Outcome, out: Path, claimed: dict[str, str]) -> Record:
    if outcome.errors or outcome.stem is None:
        return Record(outcome.source, "failed", outcome.plan_id, [], outcome.errors)
    key = outcome.stem.casefold()  # case-insensitive file systems (macOS, Windows) too
    if key in claimed:
        message = (
            f"{outcome.source}: output name {outcome.stem!r} is already used in this batch"
            f" by {claimed[key]}; nothing written (give the plans different ids)"
        )
        return Record(outcome.source, "failed", outcome.plan_id, [], [message])
    claimed[key] = outcome.source
    written = []
    try:
        for name, data in outcome.files:
            atomic_write(out / name, data)
            written.append(str(out / name))
    except IopcliError as exc:
        errors = [f"{outcome.source}: {line}" for line in exc.lines()]
        return Record(outcome.source, "failed", outcome.plan_id, written, errors)
    return Record(outcome.source, "exported", outcome.plan_id, written, [])
