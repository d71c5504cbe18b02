"""Reading treatment programs: FindTreatment.gov locator exports, and HSDS services that are
treatment.

The locator (SAMHSA's national directory of licensed facilities) answers a search with pages
``{"page", "totalPages", "recordCount", "rows": [...]}``; a saved export is one page or a list
of them. Each row is a facility: ``frid`` (its stable id), names, address, phones, coordinates
as strings, ``typeFacility`` (SA, MH) and ``services``, a list of categories ``{"f1": name,
"f2": code, "f3": "value; value; ..."}``. Real exports leave fields out or empty, give ""
for coordinates and repeat rows across pages: a row is kept when it has an id and a name, a
field that is wrong is left out and noted, and a row seen twice is kept once (the later).

What exports and the programs that read them show beyond the documented shape (public consumers
of ``findtreatment.gov/locator/exportsAsJson/v2`` and ``/locator/listing``, read late 2026:
blackulaphoto/cmsx ``importer_samhsa.py`` and its fixture, a TypeScript ``SamhsaFacility``
type, pipelines that ``zfill(5)`` the ZIP): coordinates and ``miles`` as numbers or strings;
``null`` for any text (``hotline1``, ``name2``); the gender category coded ``SN`` ("Female;
Male", "Female and Male", "Female only"); ``typeFacility`` ``OTP`` (and ``BUPREN`` for
buprenorphine prescribers) beside ``SA``/``MH``; HTML entities (``&amp;``) and U+FFFD where a
character was lost at the source; ZIP codes that lost their leading zero (a number) or carry
four more digits; extra fields (``services_spanish``, ``otp_id_number``, ``address_type``),
read past. An older response numbers its rows ``_irow`` and gives no ``frid``: a row's place in
one answer is not the facility's id, so such a row's id is made from its name and address.

Open Referral HSDS services are read by :mod:`iopcli.feeds`; those whose taxonomy (or name)
says treatment become programs here, their fees, eligibility and schedules kept as written.

Every category and value is kept as it came (``TreatmentProgram.categories``); the plain codes
search uses are derived through the vocabularies in :mod:`iopcli.programs`.
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iopcli.errors import IopcliError
from iopcli.programs import (
    AGES,
    APPROACHES,
    ASSISTANCE,
    GENDERS,
    LEVELS,
    PAYS,
    TELEHEALTH,
    Category,
    TreatmentProgram,
    codes,
    language_code,
)

MAX_FILE_BYTES = 200 * 1024 * 1024
_CONTROLS = re.compile("\x1b\\[[0-?]*[ -/]*[@-~]|[\x00-\x1f\x7f-\x9f]")
# Invisible characters that reorder or hide text on a terminal (bidirectional overrides and
# isolates, zero-width spaces, byte-order marks): removed, so a listing shows what it says.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
MAX_TEXT = 1000  # characters kept of one field: a listing's line, not a document
# Characters kept of one category value ("Medicaid"): as a plan's next program holds each of
# what it accepts for payment (the real values are under 120).
MAX_VALUE = 200


class LocatorError(IopcliError):
    """A program file cannot be read at all (nothing is imported from it)."""


@dataclass
class ProgramFile:
    """Programs read from one file, with what was skipped or noted (one line each)."""

    format: str  # "locator" or "hsds"
    programs: list[TreatmentProgram] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    skipped_ids: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    ignored: int = 0  # HSDS services read well that are not treatment programs
    pages: set[int] = field(default_factory=set)  # locator page numbers held
    total_pages: int | None = None  # the locator's totalPages


# --- text ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """One line of clean text from a scalar ("" for lists, objects, booleans, None)."""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return ""  # None, true/false, lists, objects (and rows read early: see _row_hook)
    text = str(value)
    if "&" in text:  # "Smith &amp; Jones", "&#39;": entities from the locator's HTML pages
        text = html.unescape(text)
    if "\ufffd" in text:  # a character the source lost (often a dash): a space, not a "?"
        text = text.replace("\ufffd", " ")
    if not text.isprintable():
        text = _INVISIBLE.sub("", _CONTROLS.sub(" ", text))
    return " ".join(text[: MAX_TEXT * 4].split())[:MAX_TEXT]


def _zip(value: Any) -> str:
    """A ZIP as the post office writes it: 02139 or 02139-4307. A number lost its leading
    zeros (2139) and nine digits are ZIP+4; anything else is kept as written."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        value = str(value).zfill(5) if value < 100_000 else str(value).zfill(9)
    text = _text(value)
    if re.fullmatch(r"\d{3,4}", text):
        return text.zfill(5)
    if re.fullmatch(r"\d{9}", text):
        return f"{text[:5]}-{text[5:]}"
    match = re.fullmatch(r"(\d{5})\s*[- ]?\s*(\d{4})", text)
    if match:
        return f"{match[1]}-{match[2]}"
    return text


def _state(value: Any) -> str:
    text = _text(value)
    return text.upper() if re.fullmatch(r"[A-Za-z]{2}", text) else text


def _coordinate(value: Any, limit: float) -> float | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    if math.isnan(number) or abs(number) > limit or number == 0.0:  # NaN, out of range, 0 = none
        return None
    return number


def _values(f3: Any) -> tuple[str, ...]:
    if isinstance(f3, list):
        parts = [_shared_text(v) if isinstance(v, str) else _text(v) for v in f3]
        return tuple(dict.fromkeys(p[:MAX_VALUE] for p in parts if p))
    return _split_values(f3 if isinstance(f3, str) else _text(f3))


# Exports repeat the same few hundred category values over thousands of rows, and the JSON
# parser makes a new string for each: the values are cleaned once and the same string (and
# the same tuple, the same Category) is shared by every row that has it. A 50 MB export took
# 610 MB to read before, most of it copies of "Medicaid" and its like.
@functools.lru_cache(maxsize=1 << 16)
def _shared_text(value: str) -> str:
    return _text(value)


@functools.lru_cache(maxsize=1 << 16)
def _split_values(f3: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p[:MAX_VALUE] for p in map(_shared_text, f3.split(";")) if p))


@functools.lru_cache(maxsize=1 << 16)
def _category(code: str, name: str, values: tuple[str, ...]) -> Category:
    return Category(code, name, values)


# --- locator rows ----------------------------------------------------------------------------

# Category codes whose values become a field of the record (every one is also kept whole).
SETTINGS_CODES = ("SET",)
CARE_CODES = ("TC",)
PAY_CODES = ("PAY",)
ASSISTANCE_CODES = ("PYAS",)
APPROACH_CODES = ("TAP",)
MEDICATION_CODES = ("PHR", "OM", "MOUD")
LICENSING_CODES = ("LCA",)
LANGUAGE_CODES = ("OL", "SL", "LANG")
AGE_CODES = ("AGE",)
GENDER_CODES = ("GN", "SN")  # SN in the locator's own exports
GROUP_CODES = ("SG",)
_SA = re.compile(r"substance|addiction|alcohol|drug|detox|opioid|\bsud\b|\bsa\b")
_MH = re.compile(r"mental health|psychiatric|\bmh\b|behavioral health")
_CO = re.compile(r"co-?occurring|dual diagnos")
_OTP = re.compile(r"opioid treatment program|\botp\b")
# typeFacility beyond SA and MH: an opioid treatment program, a buprenorphine prescriber.
_TYPE_LEVELS = {"OTP": ("mat", "otp"), "BUPREN": ("mat",)}


def _values_of(categories: tuple[Category, ...], wanted: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for c in categories:
        if c.code.upper() in wanted:
            out += [v for v in c.values if v not in out]
    return tuple(out)


def _levels(
    settings: tuple[str, ...], care: tuple[str, ...], meds: tuple[str, ...]
) -> tuple[str, ...]:
    found = set(codes(LEVELS, settings + care))
    # "Outpatient" is also the heading over IOP and PHP: plain outpatient care only when the
    # facility names no more intensive kind, or names regular outpatient care itself.
    regular = any(re.search(r"regular outpatient", v.casefold()) for v in settings)
    if "op" in found and not regular and found & {"iop", "php"}:
        found.discard("op")
    if meds:
        found.add("mat")
    if any(v.casefold().startswith("methadone") for v in meds):
        found.add("otp")
    return tuple(code for code in LEVELS if code in found)


def _focus(types: tuple[str, ...], values: tuple[str, ...]) -> str | None:
    blob = " ".join((*types, *values)).casefold()
    co = bool(_CO.search(blob))
    kinds = {t.casefold() for t in types}
    sa = co or bool(kinds & {"sa", "otp", "bupren"}) or bool(_SA.search(blob))
    mh = co or "mh" in kinds or bool(_MH.search(blob))
    if co or (sa and mh):
        return "co-occurring"
    return "substance-use" if sa else "mental-health" if mh else None


def _languages(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(language_code(v) for v in values))


def program_from_categories(
    base: dict[str, Any], categories: tuple[Category, ...], types: tuple[str, ...] = ()
) -> TreatmentProgram:
    """A program from its plain fields (``base``) and its categories: every derived field
    (levels, pays, ...) computed here, so locator rows and HSDS services agree."""
    settings = _values_of(categories, SETTINGS_CODES)
    care = _values_of(categories, CARE_CODES)
    meds = _values_of(categories, MEDICATION_CODES)
    paid = _values_of(categories, PAY_CODES)
    helped = _values_of(categories, ASSISTANCE_CODES)
    approaches = _values_of(categories, APPROACH_CODES)
    ages = _values_of(categories, AGE_CODES)
    genders = _values_of(categories, GENDER_CODES)
    groups = _values_of(categories, GROUP_CODES)
    every = tuple(v for c in categories for v in c.values)
    levels = _levels(settings, care, meds)
    more = {code for t in types for code in _TYPE_LEVELS.get(t.upper(), ())}
    if any(_OTP.search(v.casefold()) for v in every):
        more.add("otp")
    if more - set(levels):
        levels = tuple(code for code in LEVELS if code in {*levels, *more})
    return TreatmentProgram(
        **base,
        facility_types=types,
        focus=_focus(types, care + groups + settings),
        levels=levels,
        settings=settings,
        telehealth=any(TELEHEALTH.matches(v) for v in settings + care),
        pays=codes(PAYS, paid),
        payment_accepted=paid,
        # Older exports list "Sliding fee scale" among payments (PAY), not under PYAS.
        assistance=codes(ASSISTANCE, helped + paid),
        payment_assistance=helped
        + tuple(v for v in paid if v not in helped and codes(ASSISTANCE, (v,))),
        approaches=codes(APPROACHES, approaches),
        approaches_offered=approaches,
        medications=meds,
        licensing=_values_of(categories, LICENSING_CODES),
        languages=_languages(_values_of(categories, LANGUAGE_CODES)),
        ages=codes(AGES, ages),
        genders=codes(GENDERS, genders),
        special_groups=groups,
        categories=categories,
    )


def _categories(services: Any, where: str, notes: list[str]) -> tuple[Category, ...]:
    if services in (None, ""):
        return ()
    if not isinstance(services, list):
        notes.append(f"{where}: services: not a list; left out, the row is kept")
        return ()
    merged: dict[str, Category] = {}
    for number, given in enumerate(services, 1):
        # An object with a frid or name1 among the categories was read as a row: none.
        entry = {} if isinstance(given, _Decoded) else given
        if not isinstance(entry, dict):
            notes.append(f"{where}: services[{number}]: not an object; left out")
            continue
        f1, f2 = entry.get("f1"), entry.get("f2")
        code = (_shared_text(f2) if isinstance(f2, str) else _text(f2)) or (
            _shared_text(f1) if isinstance(f1, str) else _text(f1)
        )
        if not code:
            notes.append(f"{where}: services[{number}]: no category (f1, f2); left out")
            continue
        values = _values(entry.get("f3"))
        if code in merged:  # a category given twice: one, with the values of both
            old = merged[code]
            values = tuple(dict.fromkeys(old.values + values))
            merged[code] = _category(code, old.name, values)
        else:
            name = entry.get("f1")
            merged[code] = _category(
                code, (_shared_text(name) if isinstance(name, str) else _text(name)) or code, values
            )
    return tuple(merged.values())


def _facility_types(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        parts = [_text(v) for v in value]
    else:
        parts = re.split(r"[,;/ ]+", _text(value))
    return tuple(dict.fromkeys(p.upper() for p in parts if p))


_NO_SITE = {"n/a", "na", "none", "null", "-", "no website", "not available"}


def _website(value: Any) -> str:
    text = _text(value)
    if text.casefold() in _NO_SITE:
        return ""
    if text and not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I) and "." in text:
        return "https://" + text.removeprefix("//")
    return text


def _derived_id(name: str, row: dict[str, Any]) -> str:
    """An id for a row of an older response, which numbers its rows (``_irow``) but gives no
    ``frid``: made from the name and the address, so the same listing gets the same id in the
    next export (and a moved or renamed one reads as gone and new)."""
    import hashlib

    where = [_text(row.get(k)) for k in ("street1", "city", "state")] + [_zip(row.get("zip"))]
    key = "|".join([name, *where]).casefold()
    return "L" + hashlib.sha256(key.encode()).hexdigest()[:12].upper()


def locator_row(row: Any, where: str, notes: list[str]) -> TreatmentProgram | str:
    """One locator row as a program, or the reason it cannot be one."""
    if not isinstance(row, dict):
        return "not an object"
    frid = _text(row.get("frid") if row.get("frid") is not None else row.get("id"))
    name = _text(row.get("name1")) or _text(row.get("name"))
    name2 = _text(row.get("name2"))
    if not name and name2:  # only the second name given: it is the name
        name, name2 = name2, ""
    if not frid and name and "_irow" in row:
        frid = _derived_id(name, row)
    if not frid:
        return "no frid (the facility's id)"
    if not name:
        return "no name1 (the facility's name)"
    lat = _coordinate(row.get("latitude"), 90)
    lon = _coordinate(row.get("longitude"), 180)
    if (lat is None) != (lon is None):
        lat = lon = None
    for key, limit in (("latitude", 90), ("longitude", 180)):
        given = _text(row.get(key))
        if given and _coordinate(given, limit) is None and given not in ("0", "0.0"):
            notes.append(f"{where}: {key}: {given[:20]!r} is not a coordinate; left out")
    base = {
        "id": frid,
        "source": "",
        "name": name[:300],
        "name2": name2[:300],
        "street1": _text(row.get("street1")),
        "street2": _text(row.get("street2")),
        "city": _text(row.get("city")),
        "state": _state(row.get("state")),
        "zip": _zip(row.get("zip")),
        "phone": _text(row.get("phone")),
        "intake_phone": _text(row.get("intake1") or row.get("intake2")),
        "hotline": _text(row.get("hotline1")),
        "website": _website(row.get("website") or row.get("websiteUrl")),
        "latitude": lat,
        "longitude": lon,
    }
    categories = _categories(row.get("services"), where, notes)
    types = _facility_types(row.get("typeFacility") or row.get("type_facility"))
    return program_from_categories(base, categories, types)


def _pages(parsed: Any, name: str) -> Iterator[tuple[str, list[Any]]]:
    """(how messages name the page, its rows) for one response, a list of them, or a bare
    list of rows."""
    if isinstance(parsed, dict):
        if "rows" not in parsed:
            raise LocatorError(f'{name}: not a treatment locator export (no "rows")')
        rows = parsed["rows"]
        if rows is None:
            return
        if not isinstance(rows, list):
            raise LocatorError(f"{name}: rows: expected a list of facilities")
        page = _text(parsed.get("page"))[:20]
        yield (f"page {page}, " if page else ""), rows
        return
    if not isinstance(parsed, list):
        raise LocatorError(f"{name}: not a treatment locator export (expected an object or list)")
    if parsed and all(isinstance(p, dict) and "rows" in p for p in parsed):
        for number, page in enumerate(parsed, 1):
            rows = page.get("rows")
            label = f"page {_text(page.get('page'))[:20] or number}, "
            if isinstance(rows, list):
                yield label, rows
            elif rows is not None:
                raise LocatorError(f"{name}: {label.rstrip(', ')}: rows: expected a list")
        return
    yield "", parsed  # a bare list of rows


class _Decoded:
    """A locator row read as the JSON parser met it (see :func:`_row_hook`): the program or
    why it is none, its id, and its notes with ``\0`` where the row's place will be named."""

    __slots__ = ("ident", "notes", "result")

    def __init__(self, row: dict[str, Any]) -> None:
        self.notes: list[str] = []
        self.result = locator_row(row, "\0", self.notes)
        self.ident = _text(row.get("frid"))


def _row_hook(row: dict[str, Any]) -> Any:
    """``json.loads``' object hook: a locator row becomes its program as soon as it is parsed,
    so a large export never holds every row as Python dicts and lists at once (a 50 MB
    export peaked at 476 MB that way; read like this, about half). Other objects (pages,
    services, HSDS) stay as they are."""
    if ("frid" in row or "name1" in row) and not _NOT_ROWS & row.keys():
        return _Decoded(row)
    return row


_NOT_ROWS = {"rows", "f1", "f2", "f3"}  # a page, a category


def is_locator(parsed: Any) -> bool:
    """Whether parsed JSON looks like a locator export (not HSDS)."""
    first = parsed[0] if isinstance(parsed, list) and parsed else parsed
    if isinstance(first, _Decoded):
        return True
    return isinstance(first, dict) and (
        bool({"rows", "frid", "name1", "totalPages", "recordCount", "page"} & set(first))
    )


def read_locator(parsed: Any, name: str, source: str) -> ProgramFile:
    """Programs from a parsed locator export; rows that cannot be programs are skipped with
    the file, page and row."""
    out = ProgramFile("locator")
    kept: dict[str, TreatmentProgram] = {}
    for label, rows in _pages(parsed, name):
        for number, row in enumerate(rows, 1):
            decoded = row if isinstance(row, _Decoded) else None
            if decoded is not None:
                ident = decoded.ident
            else:
                ident = _text(row.get("frid")) if isinstance(row, dict) else ""
            where = f"{name}: {label}row {number}" + (f" ({ident})" if ident else "")
            if decoded is not None:
                program = decoded.result
                out.notes += [where + n[1:] if n.startswith("\0") else n for n in decoded.notes]
            else:
                program = locator_row(row, where, out.notes)
            if isinstance(program, str):
                out.skipped.append(f"{where}: {program}")
                if ident:
                    out.skipped_ids.add(ident)
                continue
            program = _with_source(program, source)
            if program.id in kept and kept[program.id] != program:
                out.notes.append(f"{where}: {program.id} listed twice; the later row kept")
            kept.pop(program.id, None)
            kept[program.id] = program
    out.programs = list(kept.values())
    out.pages, out.total_pages = _pages_held(parsed)
    return out


def _page_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if 0 < number < 1_000_000 else None


def _pages_held(parsed: Any) -> tuple[set[int], int | None]:
    """The page numbers a file holds, and how many pages its export says there are."""
    pages = [parsed] if isinstance(parsed, dict) else parsed if isinstance(parsed, list) else []
    responses = [p for p in pages if isinstance(p, dict) and "rows" in p]
    totals = {_page_number(p.get("totalPages")) for p in responses}
    held = {_page_number(p.get("page")) for p in responses}
    total = max((t for t in totals if t is not None), default=None)
    return {n for n in held if n is not None}, total


def missing_pages(reads: list[ProgramFile]) -> str | None:
    """What to say when the locator files of one import hold fewer pages than their export
    has (a search answered in pages, and only some saved): the programs on the other pages
    are not imported, and were they imported before, they would be reported removed."""
    totals = [r.total_pages for r in reads if r.total_pages]
    if not totals:
        return None
    held = set().union(*(r.pages for r in reads))
    total = max(totals)
    if not held or len(held) >= total:
        return None
    gone = [str(n) for n in range(1, total + 1) if n not in held]
    shown = ", ".join(gone[:5]) + (", ..." if len(gone) > 5 else "")
    return (
        f"the export has {total} pages and only {len(held)} are here (missing: {shown}):"
        " programs on the other pages are not imported; save every page and import them"
        " together (one file, or several with one --source)"
    )


def _with_source(program: TreatmentProgram, source: str) -> TreatmentProgram:
    from dataclasses import replace

    return replace(program, source=source)


# --- HSDS --------------------------------------------------------------------------------------

# What makes an HSDS service a treatment program: its taxonomy (or, without one, its name).
_TREATMENT = re.compile(
    r"treatment|outpatient|partial hospitali|residential|detox|withdrawal management"
    r"|methadone|buprenorphine|medication[- ]assisted|opioid|substance use disorder"
    r"|addiction (treatment|services)|psychiatric|rehabilitation"
)
_TREATMENT_CODES = re.compile(r"^(RX-8|RX-1|RP-|RM-|LR-8)", re.I)


def is_treatment(taxonomy: list[str], name: str, program: str = "") -> bool:
    """Whether an HSDS service is a treatment program: its taxonomy says so, or the HSDS 3.0
    program it belongs to does ("Intensive Outpatient Program"), or, with no taxonomy, its
    name does."""
    if any(_TREATMENT_CODES.match(t) or _TREATMENT.search(t.casefold()) for t in taxonomy):
        return True
    if program and _TREATMENT.search(program.casefold()):
        return True
    return not taxonomy and bool(_TREATMENT.search(name.casefold()))


def read_hsds(path: Path, source: str) -> ProgramFile:
    """Programs among the services of an HSDS file (JSON, CSV folder or zip), read by
    :func:`iopcli.feeds.read_feed`: a service is a program when its taxonomy says treatment."""
    from iopcli.feeds import FeedError, read_feed

    try:
        feed = read_feed(path, source)
        if feed.format not in ("hsds", "empty", "unknown"):
            raise LocatorError(
                f"{path}: a {feed.format} meeting feed, not programs: use iopcli directory import"
            )
        out = ProgramFile("hsds")
        other = 0
        for record in feed.records:
            data = record.item.model_dump(mode="json", exclude_none=True)
            if record.kind != "resource" or not is_treatment(
                data.get("taxonomy", []), data.get("name", ""), str(record.extra.get("program", ""))
            ):
                other += 1
                continue
            extra = record.extra
            out.programs.append(_hsds_program(record.source_id, source, data, extra))
    except FeedError as exc:
        raise LocatorError(str(exc)) from None
    out.skipped = [f"{path}: {line}" for line in feed.skipped]
    out.skipped_ids = set(feed.skipped_ids)
    out.notes = [f"{path}: {line}" for line in feed.notes]
    out.ignored = other
    if other:
        out.notes.append(
            f"{path}: {other} service(s) are not treatment programs (no treatment taxonomy);"
            " left to iopcli directory import"
        )
    return out


def _hsds_program(
    source_id: str, source: str, data: dict[str, Any], extra: dict[str, Any]
) -> TreatmentProgram:
    taxonomy = tuple(data.get("taxonomy", []))
    fees = str(data.get("fees", ""))
    eligibility = str(data.get("eligibility", ""))
    description = str(data.get("notes", ""))
    languages = tuple(data.get("languages", []))
    licensing = tuple(str(x) for x in extra.get("accreditations", []) if x)
    program_name = str(extra.get("program", ""))
    # HSDS has no categories: the fields that say the same things stand in for them, so the
    # same vocabularies read them (and show says where each came from).
    categories = tuple(
        c
        for c in (
            Category("TAXONOMY", "Taxonomy", taxonomy),
            Category("PROGRAM", "Program", (program_name,) if program_name else ()),
            Category(
                "TC",
                "Type of care (from taxonomy and program)",
                (*taxonomy, *((program_name,) if program_name else ())),
            ),
            Category("FEES", "Fees and cost options", (fees,) if fees else ()),
            Category("ELIG", "Eligibility", (eligibility,) if eligibility else ()),
            Category("LANG", "Languages", languages),
            Category("LCA", "Accreditations and licenses", licensing),
        )
        if c.values
    )
    settings = tuple(t for t in taxonomy if codes(LEVELS, (t,)) or TELEHEALTH.matches(t))
    phones = [p for p in data.get("other_phones", []) if isinstance(p, dict)]
    intake = next(
        (
            str(p.get("number"))
            for p in phones
            if re.search(r"intake|admission", str(p.get("description", "")), re.I)
        ),
        "",
    )
    hotline = next(
        (
            str(p.get("number"))
            for p in phones
            if re.search(r"hotline|crisis|24", str(p.get("description", "")), re.I)
        ),
        "",
    )
    program = program_from_categories(
        {
            "id": source_id,
            "source": source,
            "name": str(data.get("name", "")),
            "street1": str(data.get("address", "")),
            "phone": str(data.get("phone", "")),
            "intake_phone": intake,
            "hotline": hotline,
            "website": str(data.get("url", "")),
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
        },
        categories,
    )
    from dataclasses import replace

    blob = (*taxonomy, program_name, description, data.get("name", ""))
    return replace(
        program,
        settings=settings,
        levels=program.levels or _levels(tuple(str(b) for b in blob if b), (), ()),
        focus=program.focus or _focus((), tuple(str(b) for b in blob)),
        pays=codes(PAYS, (fees,)),
        # Fees as separate values, as the locator lists payments: each one a plan can hold.
        payment_accepted=tuple(
            dict.fromkeys(f.strip()[:MAX_VALUE] for f in fees.split(";") if f.strip())
        ),
        assistance=codes(ASSISTANCE, (fees,)),
        approaches=codes(APPROACHES, (description,)),
        approaches_offered=tuple(APPROACHES[c].label for c in codes(APPROACHES, (description,))),
        ages=codes(AGES, (eligibility,)),
        genders=codes(GENDERS, (eligibility,)),
        languages=_languages(languages),
        licensing=licensing,
        schedule=(str(data["hours"]),) if data.get("hours") else (),
        fees=fees,
        eligibility=eligibility,
        description=description,
        telehealth=any(TELEHEALTH.matches(str(b)) for b in blob),
        updated=data.get("verified"),
    )


# --- files -------------------------------------------------------------------------------------


def read_programs(path: Path, source: str) -> ProgramFile:
    """Programs from one file: a locator export (JSON), or HSDS (JSON, CSV folder or zip).
    LocatorError when the file cannot be read as a whole."""
    if path.is_dir():
        return read_hsds(path, source)
    from iopcli.feeds import ZIP_MAGIC, file_head

    if file_head(path, MAX_FILE_BYTES, LocatorError) == ZIP_MAGIC:
        return read_hsds(path, source)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LocatorError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise LocatorError(f"{path}: cannot be read: {exc.strerror}") from None
    if not text.strip():
        return ProgramFile("empty")
    try:
        parsed = json.loads(text, object_hook=_row_hook)
        del text  # the parsed file is what is needed from here: not a second copy of it
    except json.JSONDecodeError as exc:
        raise LocatorError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise LocatorError(f"{path}: not valid JSON (nested too deeply)") from None
    if parsed in ([], {}):
        return ProgramFile("empty")
    if is_locator(parsed):
        return read_locator(parsed, str(path), source)
    if not isinstance(parsed, (dict, list)) or (
        isinstance(parsed, list) and not any(isinstance(row, dict) for row in parsed)
    ):  # "42", "just a string", [1, 2]
        raise LocatorError(f"{path}: not a treatment locator export or HSDS (no objects in it)")
    wrapped = ("services", "contents", "data", "results", "items", "organizations", "name")
    if isinstance(parsed, dict) and not set(wrapped) & set(parsed):
        raise LocatorError(
            f'{path}: not a treatment locator export (no "rows") or HSDS (no "services")'
        )
    return read_hsds(path, source)
