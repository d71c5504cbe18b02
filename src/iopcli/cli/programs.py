"""Treatment programs: ``programs import``, ``search``, ``show`` and ``compare``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from iopcli.cli import completion as complete
from iopcli.cli.common import JsonOption, err, home, reports_errors

if TYPE_CHECKING:
    from iopcli.places import Place
    from iopcli.programs import TreatmentProgram

app = typer.Typer()
programs_app = typer.Typer(
    help="Treatment programs to step down to: import, search, show and compare.",
    no_args_is_help=True,
)
PANEL = "The directory"
app.add_typer(programs_app, name="programs", rich_help_panel=PANEL)

Near = Annotated[
    str | None,
    typer.Option(
        "--near",
        metavar="PLACE",
        help="A U.S. ZIP code or LAT,LON: distances from there (offline).",
        show_default=False,
    ),
]


@programs_app.command("import")
@reports_errors
def programs_import(
    files: Annotated[
        list[str],
        typer.Argument(
            help="FindTreatment.gov locator JSON (a page or a list of pages), or HSDS JSON,"
            " CSV folder or zip.",
            autocompletion=complete.files,
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Name of this source (default: each file's name).",
            show_default=False,
        ),
    ] = None,
    allow_mass_removal: Annotated[
        bool,
        typer.Option(
            "--allow-mass-removal",
            help="Take a file even if more than half of its source's programs would go.",
        ),
    ] = False,
) -> None:
    """Read treatment programs into the directory; re-importing updates them and reports
    what disappeared."""
    from pathlib import Path

    from iopcli.errors import IopcliError
    from iopcli.locator import missing_pages, read_programs
    from iopcli.program_index import open_programs

    # Files of one source (--source, or the same name) are one import: pages saved apart.
    groups: dict[str, list[str]] = {}
    for file in files:
        groups.setdefault(source or Path(file).stem, []).append(file)
    failed = 0
    for name, members in groups.items():
        shown = ", ".join(members)
        try:
            reads = [read_programs(Path(file), name) for file in members]
            merged = {p.id: p for read in reads for p in read.programs}
            skipped = [line for read in reads for line in read.skipped]
            for line in skipped:
                err(f"skipped {line}")
            for read in reads:
                for line in read.notes:
                    err(f"note: {line}")
            partial = missing_pages(reads)
            if partial:
                err(f"note: {shown}: {partial}")
            formats = ", ".join(dict.fromkeys(r.format for r in reads))
            skipped_ids = {i for read in reads for i in read.skipped_ids}
            if not merged and skipped and not any(read.ignored for read in reads):
                with open_programs(home()) as index:  # says so when programs would be lost
                    index.import_programs(
                        [], name, shown, formats, skipped, skipped_ids=skipped_ids
                    )
                raise IopcliError(
                    f"{shown}: none of its {len(skipped)} rows could be read; nothing was imported"
                )
            with open_programs(home()) as index:
                result = index.import_programs(
                    list(merged.values()),
                    name,
                    shown,
                    formats,
                    skipped,
                    skipped_ids=skipped_ids,
                    allow_mass_removal=allow_mass_removal,
                )
        except IopcliError as exc:
            for line in exc.lines():
                err(line)
            failed += 1
            continue
        print(
            f"{shown}: {result.format} {name!r}: {result.added} added, {result.updated} updated,"
            f" {result.unchanged} unchanged, {len(result.removed)} removed,"
            f" {len(result.skipped)} skipped"
        )
        for gone in result.removed:
            print(f"  removed (no longer listed): {gone}")
    if failed:
        raise typer.Exit(1)


def _codes(option: str, value: str | None, vocabulary: dict[str, object]) -> list[str]:
    """A comma-separated option's codes, each checked against its vocabulary."""
    from iopcli.errors import UsageError

    if not value:
        return []
    out = []
    for part in value.split(","):
        code = part.strip().lower()
        if not code:
            continue
        if code not in vocabulary:
            names = ", ".join(vocabulary)
            raise UsageError(f"{option}: {code!r} is not one of {names}")
        out.append(code)
    return out


def _positive(option: str, value: str | None) -> float | None:
    """A number of miles, read here: a float option would load pydantic (see cli.coercion)."""
    import math

    from iopcli.errors import UsageError

    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise UsageError(f"{option}: {value!r} is not a distance in miles (e.g. 25)")
    return number


def _place(near: str | None) -> Place | None:
    from iopcli.places import resolve

    return resolve(near) if near is not None else None  # --near '' is a mistake too


def _miles(place: Place | None, program: TreatmentProgram) -> float | None:
    from iopcli.places import haversine_miles

    if place is None or program.latitude is None or program.longitude is None:
        return None
    miles = haversine_miles(place.latitude, place.longitude, program.latitude, program.longitude)
    return round(miles, 1)


@programs_app.command("search")
@reports_errors
def programs_search(
    text: Annotated[
        str | None, typer.Argument(help="Words to look for.", show_default=False)
    ] = None,
    near: Near = None,
    within: Annotated[
        str | None,
        typer.Option(
            "--within",
            metavar="MILES",
            help="Only this close to --near, e.g. 25.",
            show_default=False,
        ),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            metavar="LEVEL,...",
            help="iop, php, op, residential, mat, otp (any of them).",
            show_default=False,
        ),
    ] = None,
    focus: Annotated[
        str | None,
        typer.Option(
            "--focus",
            metavar="FOCUS",
            help="substance-use, mental-health or co-occurring.",
            show_default=False,
        ),
    ] = None,
    pays: Annotated[
        str | None,
        typer.Option(
            "--pays",
            metavar="PAYER,...",
            help="medicaid, medicare, private, self-pay, military, state (any of them).",
            show_default=False,
        ),
    ] = None,
    assistance: Annotated[
        str | None,
        typer.Option(
            "--assistance", metavar="KIND", help="sliding-fee or free.", show_default=False
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            metavar="LANG,...",
            help="A language spoken, e.g. es, asl.",
            show_default=False,
        ),
    ] = None,
    approach: Annotated[
        str | None,
        typer.Option(
            "--approach",
            metavar="APPROACH,...",
            help="cbt, dbt, mi, rp, trauma, ... (any of them).",
            show_default=False,
        ),
    ] = None,
    ages: Annotated[
        str | None,
        typer.Option(
            "--ages",
            metavar="AGES,...",
            help="adults, young-adults, adolescents, children, seniors.",
            show_default=False,
        ),
    ] = None,
    gender: Annotated[
        str | None,
        typer.Option("--gender", metavar="GENDER", help="women or men.", show_default=False),
    ] = None,
    telehealth: Annotated[
        bool, typer.Option("--telehealth", help="Only programs offering telehealth.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Find treatment programs, nearest first, by level of care, focus, payment and more."""
    from iopcli.errors import UsageError
    from iopcli.program_index import open_programs
    from iopcli.program_report import marks, result_text
    from iopcli.programs import VOCABULARIES, language_code

    miles = _positive("--within", within)
    if miles is not None and near is None:
        raise UsageError("--within: needs --near (a ZIP code or LAT,LON)")
    given = {
        "level": level,
        "focus": focus,
        "pays": pays,
        "assistance": assistance,
        "approach": approach,
        "ages": ages,
        "gender": gender,
    }
    wanted = {
        name: codes
        for name, value in given.items()
        if (codes := _codes(f"--{name}", value, dict(VOCABULARIES[name])))
    }
    spoken = [language_code(x) for x in (language or "").split(",") if x.strip()]
    place = _place(near)
    with open_programs(home(), create=False) as index:
        hits = index.search(
            text,
            near=(place.latitude, place.longitude) if place else None,
            within=miles,
            levels=wanted.get("level", ()),
            focus=wanted.get("focus", ()),
            pays=wanted.get("pays", ()),
            assistance=wanted.get("assistance", ()),
            approaches=wanted.get("approach", ()),
            ages=wanted.get("ages", ()),
            genders=wanted.get("gender", ()),
            languages=spoken,
            telehealth=telehealth,
            limit=limit,
        )
        empty = not hits and not index.count()
    if as_json:
        from iopcli.cli.render import print_json

        print_json(
            [
                {
                    "id": hit.program.id,
                    "name": hit.program.display_name,
                    "miles": hit.miles,
                    "matches": [
                        {
                            "filter": m.filter,
                            "code": m.code,
                            "matched": m.matched,
                            "values": list(m.values),
                        }
                        for m in marks(hit.program, wanted, spoken, telehealth)
                    ],
                    "program": hit.program.to_dict(),
                }
                for hit in hits
            ]
        )
        return
    if not hits:
        print("No programs yet: see iopcli programs import." if empty else "No program matches.")
        return
    if place is not None:
        reach = f" within {miles:g} miles" if miles is not None else ""
        print(f"Near {place.label}{reach}, nearest first:")
    for number, hit in enumerate(hits, 1):
        found = marks(hit.program, wanted, spoken, telehealth)
        print(result_text(number, hit.program, hit.miles, found, place is not None))


def _program(program_id: str) -> TreatmentProgram:
    from iopcli.directory import DirectoryError
    from iopcli.program_index import open_programs

    with open_programs(home(), create=False) as index:
        program = index.find(program_id)
    if program is None:
        raise DirectoryError(f"no program {program_id!r} (see: iopcli programs search)")
    return program


ProgramId = Annotated[
    str,
    typer.Argument(help="A program's id, as search shows it.", autocompletion=complete.program),
]


@programs_app.command("show")
@reports_errors
def programs_show(program_id: ProgramId, near: Near = None, as_json: JsonOption = False) -> None:
    """Everything known about one program, grouped the way a person decides."""
    from iopcli.program_report import show_text

    place = _place(near)
    program = _program(program_id)
    if as_json:
        from iopcli.cli.render import print_json

        print_json({**program.to_dict(), "miles": _miles(place, program)})
        return
    print(show_text(program, _miles(place, program)), end="")


@programs_app.command("compare")
@reports_errors
def programs_compare(
    program_ids: Annotated[
        list[str],
        typer.Argument(
            help="Two or more program ids.",
            metavar="ID",
            autocompletion=complete.program,
        ),
    ],
    near: Near = None,
    pays: Annotated[
        str | None,
        typer.Option(
            "--pays",
            metavar="PAYER",
            help="How you would pay (medicaid, private, ...): the likely out-of-pocket row.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="text, markdown or html (default: from --out, else text).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write to FILE (.md or .html) instead of printing.",
            show_default=False,
            autocompletion=complete.files,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Programs side by side, then the questions still to ask each of them."""
    from pathlib import Path

    from iopcli.errors import UsageError
    from iopcli.program_report import (
        compare,
        comparison_html,
        comparison_json,
        comparison_markdown,
        comparison_text,
    )
    from iopcli.programs import PAYS

    if len(program_ids) < 2:
        raise UsageError("compare: give two or more program ids")
    payer = next(iter(_codes("--pays", pays, dict(PAYS))), None)
    fmt = output_format
    if fmt is None and out:
        suffix = Path(out).suffix.lower()
        fmt = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}.get(
            suffix, "text"
        )
    fmt = fmt or "text"
    if fmt not in ("text", "markdown", "html"):
        raise UsageError(f"--format: {fmt!r} is not one of text, markdown, html")
    place = _place(near)
    programs = [_program(i) for i in dict.fromkeys(program_ids)]
    if len(programs) < 2:
        raise UsageError("compare: give two or more different program ids")
    comparison = compare(programs, [_miles(place, p) for p in programs], payer)
    if as_json:
        from iopcli.cli.render import print_json

        print_json(comparison_json(comparison))
        return
    rendered = {
        "text": comparison_text,
        "markdown": comparison_markdown,
        "html": comparison_html,
    }[fmt](comparison)
    if out:
        from iopcli.errors import ExportError
        from iopcli.files import atomic_write

        target = Path(out)
        try:
            atomic_write(target, rendered.encode("utf-8"))
        except OSError as exc:
            raise ExportError(f"{out}: cannot be written: {exc.strerror}") from None
        print(f"{out}: {fmt} comparison of {len(programs)} programs written")
        return
    print(rendered, end="")
