"""Plans and files: ``validate``, ``schema`` and ``export``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from iopcli.cli import completion as complete
from iopcli.cli.common import (
    HorizonOption,
    LangOption,
    NoAlarmsOption,
    PlanFiles,
    RemindOption,
    asked_language,
    err,
    home,
    reports_errors,
)
from iopcli.cli.render import print_json

if TYPE_CHECKING:
    from iopcli.batch import BatchResult, Record
    from iopcli.errors import Problem

app = typer.Typer()
PANEL = "Plans and files"


def _earlier(sources: Any, refs: list[str], all_stored: bool) -> Any:
    """For one stored plan: every item its earlier revisions held (see
    :meth:`iopcli.store.Store.earlier_items`), so removed items are cancelled; else None."""
    from iopcli.errors import IopcliError

    if all_stored or len(refs) != 1:
        return None
    try:
        plan_id = sources.stored_id(refs[0])
        if plan_id is None:
            return None
        return sources.store.earlier_items(plan_id)
    except IopcliError:
        return None  # the export itself reports what is wrong with the plan


@app.command(rich_help_panel=PANEL)
@reports_errors
def validate(
    files: PlanFiles,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Also warn about gaps a clinician would fix before discharge."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON report for scripts.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="With --strict: check as if today were this date (YYYY-MM-DD), e.g. discharge.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check plan files and report every problem with its line."""
    import datetime as dt

    from iopcli.completeness import check
    from iopcli.dates import check_date
    from iopcli.errors import PlanFileError, UsageError
    from iopcli.planfile import read_plan_file

    try:
        today = dt.date.fromisoformat(as_of) if as_of is not None else None
    except ValueError:
        raise UsageError(f"--as-of: {as_of!r} is not a date like 2027-03-01") from None
    if today is not None:
        try:
            check_date(today)
        except ValueError as exc:
            raise UsageError(f"--as-of: {exc}") from None

    report = []
    failed = False
    for name in files:
        entry: dict[str, Any] = {"file": name, "ok": True, "errors": [], "warnings": []}
        try:
            loaded = read_plan_file(name)
        except PlanFileError as exc:
            entry["ok"], failed = False, True
            entry["errors"] = [vars(p) | {"line": p.line} for p in exc.problems]
            lines = exc.lines()
        else:
            warnings = [loaded.locate(p) for p in check(loaded.plan, today)] if strict else []
            entry["warnings"] = [vars(p) | {"line": p.line} for p in warnings]
            if warnings:
                entry["ok"], failed = False, True
            lines = [_warning_line(w, name) for w in warnings] or [f"{name}: ok"]
        report.append(entry)
        if not as_json:
            for line in lines:
                print(line)
    if as_json:
        print_json(report)
    if failed:
        raise typer.Exit(1)


def _warning_line(problem: Problem, source: str) -> str:
    where = source if problem.line is None else f"{source}:{problem.line}"
    return f"{where}: {problem.path}: warning: {problem.message}"


@app.command(rich_help_panel=PANEL)
@reports_errors
def schema() -> None:
    """Print the JSON Schema of a plan file."""
    from iopcli.model import AftercarePlan

    print_json(AftercarePlan.model_json_schema(mode="validation"))


@app.command(rich_help_panel=PANEL)
@reports_errors
def export(
    plans: Annotated[
        list[str] | None,
        typer.Argument(
            help="Plan files, folders (searched for .yaml/.yml/.json), stored plans, or - for"
            " JSON Lines on stdin.",
            show_default=False,
            autocompletion=complete.plan_or_file,
        ),
    ] = None,
    out: Annotated[
        str,
        typer.Option("--out", "-o", help="Folder to write into.", autocompletion=complete.folders),
    ] = "out",
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Comma-separated: md, ics, json, yaml, fhir, html, pdf.",
            autocompletion=complete.formats,
        ),
    ] = "md,ics",
    all_stored: Annotated[
        bool, typer.Option("--all", help="Every stored (not archived) plan.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            max=256,
            help="Parallel processes (default: CPUs).",
            show_default=False,
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            help="Write a JSON record of every input here.",
            show_default=False,
            autocompletion=complete.files,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only errors and the summary.")
    ] = False,
    horizon_days: HorizonOption = 90,
    remind: RemindOption = None,
    no_alarms: NoAlarmsOption = False,
    discreet: Annotated[
        bool | None,
        typer.Option(
            "--discreet/--not-discreet",
            help="Calendar titles name no fellowship, medication or clinic"
            " (default: the plan's setting).",
        ),
    ] = None,
    hide_addresses: Annotated[
        bool, typer.Option("--hide-addresses", help="Leave addresses out of calendar events.")
    ] = False,
    paper: Annotated[
        bool, typer.Option("--paper", help="Handout with lists instead of tables.")
    ] = False,
    clinician: Annotated[
        bool,
        typer.Option(
            "--clinician",
            help="Include the clinician-only part (diagnoses, insurance, ...) in the handout and"
            " the fhir bundle; a copy for the next provider, not for the person.",
        ),
    ] = False,
    large_print: Annotated[
        bool,
        typer.Option(
            "--large-print", help="HTML and PDF handouts in large print (18 pt body text)."
        ),
    ] = False,
    name: Annotated[
        str | None,
        typer.Option("--name", help="File name to use instead of name-and-id (one plan only)."),
    ] = None,
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            help="The plan as last exported: events for items removed since are cancelled.",
            autocompletion=complete.plan_or_file,
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Write plans as handouts (Markdown, HTML, PDF), calendars and FHIR, many at once."""
    from iopcli.batch import check_export, count_inputs, run_batch, tasks, write_report
    from iopcli.export import default_remind, export_options
    from iopcli.i18n import _, language
    from iopcli.sources import PlanSource

    out_dir = Path(out)
    report_path = Path(report) if report is not None else None
    refs = list(plans or [])
    with PlanSource(home()) as sources:
        options = export_options(
            formats,
            horizon_days=horizon_days,
            remind=remind if remind is not None else default_remind(home()),
            alarms=not no_alarms,
            discreet=discreet,
            show_address=not hide_addresses,
            paper=paper,
            clinician=clinician,
            large_print=large_print,
            name=name,
            lang=asked_language(lang),
            # After an edit, items gone since an earlier revision are cancelled by themselves.
            previous=sources.load(previous) if previous else _earlier(sources, refs, all_stored),
        )
        check_export(refs, out_dir, options, all_stored=all_stored, report=report_path)
        if all_stored:
            refs += [p.id for p in sources.store.plans()]

        def stored(ref: str) -> tuple[str, Any]:
            plan_id = sources.store.resolve(ref)
            return plan_id, sources.store.body(plan_id)

        workers = jobs or os.cpu_count() or 1
        interactive = sys.stderr.isatty() and not quiet
        known = count_inputs(refs, out_dir) if interactive else None
        work = tasks(refs, stored, out_dir)
        if interactive and (known is None or known > 1):
            result = _with_progress(work, out_dir, options, workers, known)
        else:
            result = run_batch(
                work, out_dir, options, workers, _print_errors if not quiet else _print_only_errors
            )
    if report_path is not None:
        write_report(report_path, result, workers)
    # In the language asked for with --lang; else in English, for the counselor who runs it
    # (the plans of a batch may be in several languages).
    with language(asked_language(lang) or "en"):
        if interactive and len(result.records) <= 10:
            for record in result.records:
                for path in record.outputs:
                    pages = record.pages.get(path)
                    print(
                        _("{path} ({pages} pages)").format(path=path, pages=pages)
                        if pages
                        else path
                    )
        summary = _summary(result, out_dir)
    err(f"iopcli: {summary}")
    if result.interrupted:
        raise typer.Exit(128 + (result.signal or 2))  # 130 for Ctrl-C, 143 for SIGTERM
    if result.failed:
        raise typer.Exit(1)


def _summary(result: BatchResult, out: Path) -> str:
    """'exported 2 of 2 plans (4 files) to out in 0.1 s', in the current language."""
    from iopcli.i18n import _, format_decimal

    values = {
        "done": result.exported,
        "total": len(result.records),
        "files": result.files,
        "pages": result.pages,
        "out": out,
        "seconds": format_decimal(result.elapsed, 1),
    }
    if result.pages:
        line = _(
            "exported {done} of {total} plans ({files} files; PDF: {pages} pages) to {out}"
            " in {seconds} s"
        )
    else:
        line = _("exported {done} of {total} plans ({files} files) to {out} in {seconds} s")
    summary = line.format(**values)
    if result.failed:
        summary = _("{summary}; {failed} failed").format(summary=summary, failed=result.failed)
    if result.interrupted:
        summary = _("interrupted: {summary}").format(summary=summary)
    return summary


def _print_errors(record: Record) -> None:
    for line in record.errors + record.warnings:  # each already names its input
        err(line)


def _print_only_errors(record: Record) -> None:
    """--quiet: warnings go to the report (--report) only."""
    for line in record.errors:
        err(line)


def _with_progress(work: Any, out: Path, options: Any, jobs: int, total: int | None) -> BatchResult:
    """Run the batch under a progress bar on stderr: counts, rate and time left."""
    import time

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from iopcli.batch import run_batch
    from iopcli.screens import make_console

    columns = [
        TextColumn("exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=make_console(stderr=True), transient=True) as progress:
        bar = progress.add_task("export", total=total, rate="")
        started = time.perf_counter()

        def step(record: Record) -> None:
            for line in record.errors + record.warnings:
                progress.console.print(line)
            done = progress.tasks[0].completed + 1
            rate = done / max(time.perf_counter() - started, 1e-6)
            progress.update(bar, advance=1, rate=f"{rate:.0f} plans/s")

        return run_batch(work, out, options, jobs, step)
