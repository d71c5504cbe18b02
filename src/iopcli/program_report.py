"""Treatment programs as a person reads them: ``programs show`` (everything known, grouped the
way a person decides), ``programs compare`` (side by side, then the questions still to ask
each program) and a search result's line, as plain text, Markdown and a self-contained HTML
page for printing.

Pure functions over :class:`~iopcli.programs.TreatmentProgram`: the CLI only chooses which
to print or write. Fixed texts go through :mod:`iopcli.i18n`; what a listing says is shown as
it says it.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from iopcli.i18n import N_, _
from iopcli.programs import (
    AGES,
    APPROACHES,
    ASSISTANCE,
    FOCUSES,
    GENDERS,
    LANGUAGES,
    LEVELS,
    PAYS,
    Term,
    TreatmentProgram,
)

# Category codes show prints in its groups; every other category is printed as it came.
SHOWN_CODES = frozenset(
    {
        *("SET", "TC", "PAY", "PYAS", "TAP", "PHR", "OM", "MOUD", "LCA"),
        *("OL", "SL", "LANG", "AGE", "GN", "SG", "TAXONOMY", "FEES", "ELIG"),
    }
)
ASK = N_("ask")
UNKNOWN = N_("not listed: ask")


@dataclass(frozen=True)
class Line:
    label: str
    value: str


@dataclass(frozen=True)
class Group:
    title: str
    lines: tuple[Line, ...]


def _labels(terms: dict[str, Term], codes: Sequence[str]) -> list[str]:
    return [_(terms[c].label) for c in codes if c in terms]


def _join(values: Sequence[str]) -> str:
    return "; ".join(v for v in values if v)


def language_names(codes: Sequence[str]) -> list[str]:
    """Languages as names ("Spanish"); one not known here as the source wrote it."""
    return [LANGUAGES[c][0].title() if c in LANGUAGES else c for c in codes]


def focus_text(program: TreatmentProgram) -> str:
    return _(FOCUSES[program.focus].label) if program.focus in FOCUSES else ""


def levels_text(program: TreatmentProgram) -> str:
    return _join(_labels(LEVELS, program.levels))


def distance_text(miles: float | None) -> str:
    if miles is None:
        return _("distance unknown")
    return _("{miles} mi").format(miles=f"{miles:.1f}")


def out_of_pocket(program: TreatmentProgram, payer: str | None = None) -> str:
    """A plain guess at the likely out-of-pocket cost, always ending in what to verify."""
    if payer and payer in program.pays:
        term = _(PAYS[payer].label)
        return _("{payer} accepted: usually copays only; verify with your member ID").format(
            payer=term
        )
    if "free" in program.assistance:
        return _("Payment assistance offered: may be low or no cost; ask")
    if "sliding-fee" in program.assistance:
        return _("Sliding fee by income: ask for an estimate")
    if payer:
        return _("{payer} not listed: ask, or expect to pay yourself").format(
            payer=_(PAYS[payer].label) if payer in PAYS else payer
        )
    if program.fees:
        return program.fees
    return _(ASK)


def show_groups(program: TreatmentProgram, miles: float | None = None) -> list[Group]:
    """Everything known, in the groups a person decides by (empty lines left out)."""

    def group(title: str, *lines: tuple[str, str]) -> Group:
        return Group(title, tuple(Line(label, value) for label, value in lines if value))

    other = [c for c in program.categories if c.code.upper() not in SHOWN_CODES]
    where = program.address
    return [
        g
        for g in (
            group(
                _("What it treats and how"),
                (_("Focus"), focus_text(program)),
                (_("Levels of care"), levels_text(program)),
                (_("Settings"), _join(program.settings)),
                (_("Therapies and approaches"), _join(program.approaches_offered)),
                (_("Medications"), _join(program.medications)),
                (_("Special programs"), _join(program.special_groups)),
                (_("About"), program.description),
            ),
            group(
                _("Where and when"),
                (_("Address"), where),
                (_("Distance"), distance_text(miles) if miles is not None else ""),
                (_("Telehealth"), _("yes") if program.telehealth else ""),
                (_("Schedule"), _join(program.schedule) or _(ASK)),
            ),
            group(
                _("Cost and insurance"),
                (_("Payment accepted"), _join(program.payment_accepted) or _(UNKNOWN)),
                (
                    _("Payment assistance"),
                    _join(program.payment_assistance)
                    or _join(_labels(ASSISTANCE, program.assistance)),
                ),
                (_("Fees"), program.fees if program.fees not in program.payment_accepted else ""),
            ),
            group(
                _("Who it serves"),
                (_("Ages"), _join(_labels(AGES, program.ages))),
                (_("Gender"), _join(_labels(GENDERS, program.genders))),
                (_("Languages"), _join(language_names(program.languages))),
                (_("Eligibility"), program.eligibility),
            ),
            group(
                _("Staff licensing and accreditation"),
                (_("Licensing"), _join(program.licensing) or _(UNKNOWN)),
                (_("Facility type"), _join(program.facility_types)),
            ),
            group(
                _("Contact and intake"),
                (_("Intake phone"), program.intake_phone),
                (_("Main phone"), program.phone),
                (_("Hotline"), program.hotline),
                (_("Website"), program.website),
            ),
            group(
                _("Everything else the listing says"),
                *((f"{c.name} ({c.code})", _join(c.values)) for c in other),
            ),
            group(
                _("Listing"),
                (_("Id"), program.id),
                (_("Source"), program.source),
                (_("Verified"), program.updated or ""),
                (
                    _("Removed"),
                    _("no longer listed since {date}").format(date=program.removed_at)
                    if program.removed_at
                    else "",
                ),
            ),
        )
        if g.lines
    ]


def show_text(program: TreatmentProgram, miles: float | None = None) -> str:
    lines = [program.display_name, ""]
    for g in show_groups(program, miles):
        lines.append(g.title)
        width = max(len(line.label) for line in g.lines)
        for line in g.lines:
            lines += textwrap.wrap(
                f"{line.label.ljust(width)}  {line.value}",
                78,
                initial_indent="  ",
                subsequent_indent=" " * (width + 4),
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- compare ---------------------------------------------------------------------------------

COMPARE_ROWS = (
    N_("Focus"),
    N_("Levels and settings"),
    N_("Therapies and approaches"),
    N_("Medications"),
    N_("Licensing and accreditation"),
    N_("Schedule"),
    N_("Place and distance"),
    N_("Insurance accepted"),
    N_("Payment assistance"),
    N_("Likely out-of-pocket"),
    N_("Languages"),
    N_("Populations served"),
    N_("Intake phone"),
)

QUESTIONS = (
    N_("Can I visit, or talk with staff, before I start?"),
    N_("Do you take my insurance? (have the member ID ready to verify)"),
    N_("What will I pay out of pocket per week, and in total?"),
    N_("Is there a waitlist? How soon is the first appointment?"),
    N_("Do the days and times fit my work, school and family?"),
    N_("What do reviews and people who went there say?"),
    N_("What does my clinician recommend?"),
)


@dataclass(frozen=True)
class Comparison:
    programs: tuple[TreatmentProgram, ...]
    miles: tuple[float | None, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (label, one cell a program)
    questions: tuple[tuple[str, ...], ...]  # one list a program


def compare(
    programs: Sequence[TreatmentProgram],
    miles: Sequence[float | None] | None = None,
    payer: str | None = None,
) -> Comparison:
    """Programs side by side, and the questions still to ask each one."""
    distances = tuple(miles) if miles is not None else tuple(None for _p in programs)

    def cells(program: TreatmentProgram, distance: float | None) -> tuple[str, ...]:
        place = ", ".join(x for x in (program.city, program.state) if x) or program.address
        if distance is not None:
            place = f"{place} ({distance_text(distance)})" if place else distance_text(distance)
        populations = _join(
            [
                *_labels(AGES, program.ages),
                *_labels(GENDERS, program.genders),
                *program.special_groups,
            ]
        )
        return (
            focus_text(program) or _(UNKNOWN),
            _join([levels_text(program), _("Telehealth") if program.telehealth else ""])
            or _join(program.settings)
            or _(UNKNOWN),
            _join(program.approaches_offered) or _(UNKNOWN),
            _join(program.medications) or _("none listed"),
            _join(program.licensing) or _(UNKNOWN),
            _join(program.schedule) or _(ASK),
            place or _(UNKNOWN),
            _join(program.payment_accepted) or _(UNKNOWN),
            _join(program.payment_assistance)
            or _join(_labels(ASSISTANCE, program.assistance))
            or _("none listed"),
            out_of_pocket(program, payer),
            _join(language_names(program.languages)) or _(UNKNOWN),
            populations or _(UNKNOWN),
            program.intake_phone or program.phone or _(UNKNOWN),
        )

    columns = [cells(p, d) for p, d in zip(programs, distances, strict=True)]
    rows = tuple(
        (_(label), tuple(column[n] for column in columns)) for n, label in enumerate(COMPARE_ROWS)
    )
    return Comparison(
        tuple(programs), distances, rows, tuple(questions(p, payer) for p in programs)
    )


def questions(program: TreatmentProgram, payer: str | None = None) -> tuple[str, ...]:
    """The questions still to ask this program: what its listing leaves open first, then the
    ones to ask every program."""
    asks: list[str] = []
    if not program.schedule:
        asks.append(_("What days and times does the program meet?"))
    if not program.payment_accepted:
        asks.append(_("What insurance and payment do you accept?"))
    elif payer and payer not in program.pays:
        asks.append(
            _("Do you accept {payer}?").format(
                payer=_(PAYS[payer].label) if payer in PAYS else payer
            )
        )
    if not program.licensing:
        asks.append(_("Who licenses or accredits the program, and what are staff trained in?"))
    if not program.approaches_offered:
        asks.append(_("Which therapies do you use (for example CBT, DBT)?"))
    if not program.intake_phone and not program.phone:
        asks.append(_("How do I reach intake?"))
    if program.removed_at:
        asks.append(_("Is the program still open? It is no longer in the directory."))
    return (*asks, *(_(q) for q in QUESTIONS))


def comparison_json(comparison: Comparison) -> dict[str, object]:
    return {
        "programs": [
            {"id": p.id, "name": p.display_name, "miles": m}
            for p, m in zip(comparison.programs, comparison.miles, strict=True)
        ],
        "rows": [{"label": label, "values": list(values)} for label, values in comparison.rows],
        "questions": {
            p.id: list(q) for p, q in zip(comparison.programs, comparison.questions, strict=True)
        },
    }


def comparison_text(comparison: Comparison) -> str:
    """For a terminal: one block a row, each program's value on its own line."""
    names = [f"{p.display_name} [{p.id}]" for p in comparison.programs]
    out = [_("Comparing {count} programs").format(count=len(names)), ""]
    out += [f"  {chr(65 + n)}. {name}" for n, name in enumerate(names)]
    out.append("")
    for label, values in comparison.rows:
        out.append(label)
        for n, value in enumerate(values):
            out += textwrap.wrap(
                f"{chr(65 + n)}. {value}", 78, initial_indent="  ", subsequent_indent="     "
            )
    out += ["", _("Questions still to ask")]
    for n, (name, asks) in enumerate(zip(names, comparison.questions, strict=True)):
        out.append(f"  {chr(65 + n)}. {name}")
        out += [f"     - {q}" for q in asks]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def comparison_markdown(comparison: Comparison) -> str:
    names = [p.display_name for p in comparison.programs]
    out = [f"# {_('Comparing treatment programs')}", ""]
    out.append("| | " + " | ".join(_md(n) for n in names) + " |")
    out.append("|---|" + "---|" * len(names))
    for label, values in comparison.rows:
        out.append(f"| **{_md(label)}** | " + " | ".join(_md(v) for v in values) + " |")
    out += ["", f"## {_('Questions still to ask')}", ""]
    for name, asks in zip(names, comparison.questions, strict=True):
        out += [f"### {_md(name)}", "", *(f"- [ ] {_md(q)}" for q in asks), ""]
    return "\n".join(out).rstrip() + "\n"


_CSS = (
    "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;width:100%}"
    "th,td{border:1px solid #888;padding:.35em .5em;vertical-align:top;text-align:left}"
    "thead th{background:#eee}tbody th{width:12em}"
    "@media print{body{margin:0}thead{display:table-header-group}tr{break-inside:avoid}}"
)


def comparison_html(comparison: Comparison) -> str:
    """A self-contained page (no scripts, no outside files) that prints as a table."""
    esc = html.escape
    title = _("Comparing treatment programs")
    names = [p.display_name for p in comparison.programs]
    head = "".join(f'<th scope="col">{esc(n)}</th>' for n in names)
    body = "".join(
        f'<tr><th scope="row">{esc(label)}</th>'
        + "".join(f"<td>{esc(v)}</td>" for v in values)
        + "</tr>"
        for label, values in comparison.rows
    )
    asks = "".join(
        f"<h3>{esc(name)}</h3><ul>" + "".join(f"<li>{esc(q)}</li>" for q in qs) + "</ul>"
        for name, qs in zip(names, comparison.questions, strict=True)
    )
    from iopcli.i18n import current

    return (
        f'<!DOCTYPE html>\n<html lang="{esc(current())}"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1><table><thead><tr><td></td>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table><h2>{esc(_('Questions still to ask'))}</h2>{asks}"
        "</body></html>\n"
    )


# --- search results --------------------------------------------------------------------------

FILTER_TERMS: dict[str, dict[str, Term]] = {
    "level": LEVELS,
    "pays": PAYS,
    "assistance": ASSISTANCE,
    "approach": APPROACHES,
    "ages": AGES,
    "gender": GENDERS,
}


@dataclass(frozen=True)
class Mark:
    """One asked-for filter value on one result: its label, whether the program has it, and
    the values (as the listing writes them) that matched."""

    filter: str
    code: str
    label: str
    matched: bool
    values: tuple[str, ...] = ()


def marks(
    program: TreatmentProgram,
    wanted: Mapping[str, Sequence[str]],
    languages: Sequence[str] = (),
    telehealth: bool = False,
) -> list[Mark]:
    """What each filter asked for, against this program: ``wanted`` maps a filter (level,
    pays, ...; focus) to its codes."""
    from iopcli.programs import matching

    fields = {
        "level": (program.levels, program.settings + tuple(c for c in program.medications)),
        "pays": (program.pays, program.payment_accepted),
        "assistance": (program.assistance, program.payment_assistance),
        "approach": (program.approaches, program.approaches_offered),
        "ages": (program.ages, ()),
        "gender": (program.genders, ()),
    }
    out: list[Mark] = []
    for name, codes in wanted.items():
        for code in codes:
            if name == "focus":
                has = program.focus in (code, "co-occurring")
                out.append(Mark(name, code, _(FOCUSES[code].label), has))
                continue
            terms = FILTER_TERMS[name]
            derived, written = fields[name]
            found = tuple(matching(terms, code, written))
            out.append(Mark(name, code, _(terms[code].label), code in derived, found))
    for code in languages:
        label = LANGUAGES[code][0].title() if code in LANGUAGES else code
        out.append(Mark("language", code, label, code in program.languages))
    if telehealth:
        out.append(Mark("telehealth", "telehealth", _("Telehealth"), program.telehealth))
    return out


def result_text(
    number: int, program: TreatmentProgram, miles: float | None, found: list[Mark], near: bool
) -> str:
    """One search result: number, name and id; distance (when searching near a place), where
    and the phone; the filters' marks (or, without filters, what the program is)."""
    lines = [f"{number:>3}. {program.display_name}  [{program.id}]"]
    phone = program.intake_phone or program.phone
    where = [
        distance_text(miles) if near else "",
        program.address,
        _("intake {phone}").format(phone=phone) if program.intake_phone else phone,
    ]
    if any(where):
        lines.append(" · ".join(x for x in where if x))
    lines.append(_join([focus_text(program), levels_text(program)]))
    if found:
        lines.append(" · ".join(f"{m.label} {'✓' if m.matched else '✗'}" for m in found))
    if program.removed_at:
        lines.append(_("no longer listed since {date}").format(date=program.removed_at))
    out = [lines[0]]
    for line in lines[1:]:
        if line:
            out += textwrap.wrap(line, 78, initial_indent=" " * 5, subsequent_indent=" " * 5)
    return "\n".join(out)
