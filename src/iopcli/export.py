"""Exporting one plan to files: which formats, what names, written atomically.

The exporters themselves (``markdown``, ``ics``) are pure; this is the thin I/O step around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from iopcli.config import MAX_REMIND_MINUTES
from iopcli.errors import UsageError
from iopcli.files import atomic_write_many, safe_name
from iopcli.ics import IcsOptions
from iopcli.markdown import MarkdownOptions
from iopcli.model import AftercarePlan
from iopcli.slugs import short_id, slugify

FORMATS = ("md", "ics", "json", "yaml", "fhir", "html", "pdf")
# A FHIR bundle is JSON too: ".fhir.json" keeps it apart from the canonical plan's ".json".
SUFFIXES = {"fhir": "fhir.json"}
DEFAULT_REMIND_MINUTES = 60


@dataclass(frozen=True)
class ExportOptions:
    formats: tuple[str, ...] = ("md", "ics")
    ics: IcsOptions = field(default_factory=IcsOptions)
    markdown: MarkdownOptions = field(default_factory=MarkdownOptions)
    name: str | None = None
    previous: AftercarePlan | None = None  # the plan as last exported: removed items cancel
    clinician: bool = False  # include the clinician-only part (the handout and fhir)
    large_print: bool = False  # html and pdf handouts with body text at 18 pt
    lang: str | None = None  # --lang: the language to write in; None: each person's own


def parse_formats(value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(
            f"--format: {', '.join(unknown) or 'nothing'} is not one of {', '.join(FORMATS)}"
        )
    return formats


def default_remind(home: Path | None = None) -> int:
    """The clinic's default reminder (``iopcli config set remind_minutes N``), else 60."""
    from iopcli.config import read_config

    value = read_config(home).get("remind_minutes")
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_REMIND_MINUTES:
        return value
    return DEFAULT_REMIND_MINUTES


def export_options(
    formats: str = "md,ics",
    *,
    horizon_days: int = 90,
    remind: int | None = None,
    alarms: bool = True,
    discreet: bool | None = None,
    show_address: bool = True,
    paper: bool = False,
    name: str | None = None,
    previous: AftercarePlan | None = None,
    clinician: bool = False,
    large_print: bool = False,
    lang: str | None = None,
) -> ExportOptions:
    """The options of ``iopcli export`` from its command-line values: ``formats`` as typed
    ("md,ics"), ``remind`` None for the clinic's default, ``alarms`` False for none at all."""
    return ExportOptions(
        formats=parse_formats(formats),
        ics=IcsOptions(
            horizon_days=horizon_days,
            remind_minutes=(remind if remind is not None else default_remind()) if alarms else None,
            discreet=discreet,
            show_address=show_address,
        ),
        markdown=MarkdownOptions(paper=paper, clinician=clinician),
        name=name,
        previous=previous,
        clinician=clinician,
        large_print=large_print,
        lang=lang,
    )


def base_name(plan: AftercarePlan, override: str | None = None) -> str:
    """'dana-3f6c2a9e': a slug of the display name plus a short id, so two Danas never collide."""
    if override:
        return safe_name(override)
    return safe_name(f"{slugify(plan.person.name, max_length=40)}-{short_id(plan.id)}")


def render(plan: AftercarePlan, fmt: str, options: ExportOptions) -> bytes:
    """``plan`` as ``fmt``, in its language: ``options.lang``, else the person's own
    (``person.language``, when iopcli writes it; else English)."""
    from iopcli.i18n import language, plan_language

    with language(plan_language(plan.person.language, options.lang)):
        return _render(plan, fmt, options)


def _render(plan: AftercarePlan, fmt: str, options: ExportOptions) -> bytes:
    if fmt == "md":
        from iopcli.markdown import plan_to_markdown

        return plan_to_markdown(plan, options.markdown).encode("utf-8")
    if fmt == "ics":
        from iopcli.ics import plan_to_ics

        previous = options.previous if options.previous and options.previous.id == plan.id else None
        return plan_to_ics(plan, options.ics, previous)
    if fmt in ("html", "pdf"):
        return _printable(plan, fmt, options)
    if fmt == "fhir":
        from iopcli.fhir import plan_to_fhir

        return plan_to_fhir(plan, clinician=options.clinician, discreet=options.ics.discreet)
    from iopcli.planfile import dump_plan

    return dump_plan(plan, fmt).encode("utf-8")


def _printable(plan: AftercarePlan, fmt: str, options: ExportOptions) -> bytes:
    """The HTML or PDF handout; fpdf is loaded only for a PDF."""
    from iopcli.handout import build

    document = build(plan, clinician=options.clinician)
    if fmt == "html":
        from iopcli.html_handout import document_to_html

        return document_to_html(document, large_print=options.large_print).encode("utf-8")
    from iopcli.pdf_handout import document_to_pdf

    return document_to_pdf(document, large_print=options.large_print)


def file_name(stem: str, fmt: str) -> str:
    """'dana-3f6c2a9e.md', 'dana-3f6c2a9e.fhir.json'."""
    return f"{stem}.{SUFFIXES.get(fmt, fmt)}"


def export_plan(plan: AftercarePlan, out: Path, options: ExportOptions) -> list[Path]:
    """Render every format first, then write them as one: a failed render or a failed write
    (a full disk) leaves none of this plan's files."""
    stem = base_name(plan, options.name)
    rendered = [(out / file_name(stem, fmt), render(plan, fmt, options)) for fmt in options.formats]
    atomic_write_many(rendered)
    return [path for path, _ in rendered]
