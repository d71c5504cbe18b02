"""Treatment programs as the data and the people really give them: locator exports in the shape
public consumers of FindTreatment.gov show, the locator's own category values, ``--near`` as
people type it, exact distance order anywhere on Earth, and input built to break the readers.

Where the shape of ``locator-real-shape.json`` comes from (public code that reads
``findtreatment.gov/locator/exportsAsJson/v2`` and ``/locator/listing``, read late 2026):
blackulaphoto/cmsx ``backend/modules/medical/importer_samhsa.py`` and its fixture (gender coded
``SN`` with "Female and Male" as one value, ``hotline1: null``, ``miles`` as a string,
``services_spanish``, ``otp_id_number``, ``address_type``; U+FFFD and ``&amp;`` in names);
a TypeScript ``SamhsaFacility`` type (``_irow`` numbers, ``miles`` a number, ``name2``,
``intake1``, ``website`` nullable); a pipeline that ``zfill(5)``s the ZIP and counts
``typeFacility == "OTP"``. The facilities, ids and numbers in it are invented.
"""

from __future__ import annotations

import json
import math
import random
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import Run
from iopcli.directory import DirectoryError
from iopcli.locator import (
    MAX_FILE_BYTES,
    LocatorError,
    program_from_categories,
    read_locator,
    read_programs,
)
from iopcli.places import haversine_miles, resolve
from iopcli.program_index import ProgramIndex, open_programs
from iopcli.programs import Category, TreatmentProgram

FIXTURES = Path(__file__).parent / "programs"
REAL = FIXTURES / "locator-real-shape.json"
SMITH = "7a3f0c2e9b1d4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3"
HARBORVIEW = "c41d9e0a7b2f4c6e8d0a1b3c5e7f9a2b4c6d8e0f1a3b5c7d9e2f4a6b8c0d2e4"
QUINSIGAMOND = "e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6"


# --- real exports ----------------------------------------------------------------------------


def test_an_export_as_the_locator_gives_it() -> None:
    read = read_programs(REAL, "ma")
    assert read.skipped == []
    assert read.notes == []  # the row repeated on the page is the same row: kept once, quietly
    assert (read.pages, read.total_pages) == ({1}, 3)
    found = {p.id: p for p in read.programs}
    assert set(found) == {SMITH, HARBORVIEW, QUINSIGAMOND}

    smith = found[SMITH]
    assert smith.name == "Smith & Jones Recovery"  # &amp;
    assert (smith.street2, smith.state, smith.zip) == ("Suite 4", "MA", "02139")  # NBSP, ma, 2139
    assert (smith.phone, smith.intake_phone, smith.hotline) == (
        "(617) 555-0110 x204",
        "617-555-0111",  # intake2 when intake1 is null
        "",
    )
    assert smith.website == "https://www.smith-jones.example.org"
    assert (smith.latitude, smith.longitude) == (42.3631, -71.0857)  # numbers, not strings
    assert smith.levels == ("op", "mat")  # methadone/buprenorphine setting: MAT, not an OTP
    assert smith.pays == ("self-pay", "state")  # "other than Medicaid" is not Medicaid
    assert smith.assistance == ("sliding-fee",)  # listed under PAY, as older exports do
    assert smith.approaches == ("cbt", "mi")
    assert smith.ages == ("young-adults", "seniors")
    assert smith.genders == ("women", "men")  # SN "Female and Male"
    assert smith.languages == ("zh", "es")  # "Any Chinese language"
    assert smith.telehealth

    harborview = found[HARBORVIEW]
    assert harborview.zip == "02114-1234"
    assert harborview.levels == ("mat", "otp")
    assert harborview.focus == "substance-use"  # typeFacility OTP
    assert harborview.assistance == ("free",)
    assert harborview.genders == ("men",)

    worcester = found[QUINSIGAMOND]
    assert worcester.name == "Quinsigamond Counseling Worcester"  # U+FFFD
    assert worcester.zip == "01609"
    assert (worcester.latitude, worcester.longitude) == (None, None)
    assert worcester.levels == ("php",)  # "set" in lower case
    assert worcester.languages == ("asl", "fa")
    assert {c.code: c.values for c in worcester.categories}["TC"] == ()  # f3 null


def test_an_import_of_some_pages_says_which_are_missing(run: Run, tmp_path: Path) -> None:
    result = run("programs", "import", str(REAL), "--source", "ma")
    assert result.returncode == 0, result.stderr
    assert "3 added, 0 updated, 0 unchanged, 0 removed, 0 skipped" in result.stdout
    assert "the export has 3 pages and only 1 are here (missing: 2, 3)" in result.stderr
    # The other pages, saved apart and imported with the first under one source: complete.
    pages = json.loads(REAL.read_text())
    files = [REAL]
    for number in (2, 3):
        page = dict(pages, page=number, rows=[])
        files.append(tmp_path / f"page{number}.json")
        files[-1].write_text(json.dumps(page))
    result = run("programs", "import", *map(str, files), "--source", "ma")
    assert result.returncode == 0, result.stderr
    assert "missing" not in result.stderr


def _one(code: str, value: str, types: tuple[str, ...] = ()) -> TreatmentProgram:
    base = {"id": "x", "source": "s", "name": "n"}
    return program_from_categories(base, (Category(code, code, (value,)),), types)


@pytest.mark.parametrize(
    ("code", "value", "field", "expected"),
    [
        ("SET", "Outpatient methadone/buprenorphine or naltrexone treatment", "levels", ("mat",)),
        ("SET", "Intensive outpatient treatment", "levels", ("iop",)),
        ("SET", "Partial hospitalization/day treatment", "levels", ("php",)),
        ("SET", "Regular outpatient treatment", "levels", ("op",)),
        ("SET", "Short-term residential (30 days or less)", "levels", ("residential",)),
        ("SET", "Outpatient detoxification", "levels", ()),
        ("LCA", "Federally certified Opioid Treatment Program", "levels", ("otp",)),
        ("TC", "Buprenorphine treatment", "levels", ("mat",)),
        ("OL", "Spanish", "languages", ("es",)),
        ("OL", "Any Chinese language", "languages", ("zh",)),
        ("OL", "Any language other than English", "languages",
         ("Any language other than English",)),
        ("SL", "Sign language services for the deaf and hard of hearing", "languages", ("asl",)),
        ("AGE", "Young adults", "ages", ("young-adults",)),
        ("AGE", "Adolescents", "ages", ("adolescents",)),
        ("AGE", "Seniors or older adults", "ages", ("seniors",)),
        ("AGE", "Adults", "ages", ("adults",)),
        ("AGE", "Children/Adolescents", "ages", ("adolescents", "children")),
        ("SN", "Female only", "genders", ("women",)),
        ("SN", "Male only", "genders", ("men",)),
        ("GN", "Female and Male", "genders", ("women", "men")),
        ("PYAS", "Sliding fee scale (fee is based on income and other factors)", "assistance",
         ("sliding-fee",)),
        ("PYAS", "Payment assistance (check with facility for details)", "assistance", ("free",)),
        ("PYAS", "Treatment at no charge or minimal payment for clients who cannot afford to pay",
         "assistance", ("free",)),
        ("PAY", "No payment accepted", "assistance", ("free",)),
        ("PAY", "Sliding fee scale", "assistance", ("sliding-fee",)),
        ("PAY", "State-financed health insurance plan other than Medicaid", "pays", ("state",)),
        ("PAY", "Medicaid", "pays", ("medicaid",)),
        ("PAY", "Military insurance (e.g., TRICARE)", "pays", ("military",)),
        ("PAY", "Federal military insurance", "pays", ("military",)),
        ("PAY", "Cash or self-payment", "pays", ("self-pay",)),
        ("PAY", "Private health insurance", "pays", ("private",)),
        ("TAP", "Smoking/vaping/tobacco-free policy", "assistance", ()),
        ("TAP", "Dialectical behavior therapy", "approaches", ("dbt",)),
        ("SET", "Telemedicine/telehealth therapy", "telehealth", True),
        ("TC", "Non-residential services only", "levels", ()),
        ("TAP", "Integrated Mental and Substance Use Disorder treatment", "approaches",
         ("integrated",)),
        ("TAP", "Integrated primary care services", "approaches", ()),
        ("TAP", "Groups in Lansing, MI", "approaches", ()),
        ("AGE", "Parents; childcare on site", "ages", ()),
    ],
)  # fmt: skip
def test_locator_values_reach_their_filter(
    code: str, value: str, field: str, expected: Any
) -> None:
    assert getattr(_one(code, value), field) == expected


@pytest.mark.parametrize(
    ("types", "levels", "focus"),
    [
        (("OTP",), ("mat", "otp"), "substance-use"),
        (("BUPREN",), ("mat",), "substance-use"),
        (("SA", "MH"), (), "co-occurring"),
        (("MH",), (), "mental-health"),
    ],
)
def test_facility_types_say_level_and_focus(
    types: tuple[str, ...], levels: tuple[str, ...], focus: str
) -> None:
    program = program_from_categories({"id": "x", "source": "s", "name": "n"}, (), types)
    assert (program.levels, program.focus) == (levels, focus)


def test_a_second_name_alone_is_the_name_and_no_website_is_none() -> None:
    rows = [
        {"frid": "A", "name1": "", "name2": "Second Street Clinic", "website": "N/A"},
        {"frid": "B", "name1": None, "name2": None, "website": "www.b.example.org"},
    ]
    read = read_locator({"rows": rows}, "f", "s")
    assert [(p.id, p.name, p.name2, p.website) for p in read.programs] == [
        ("A", "Second Street Clinic", "", "")
    ]
    assert read.skipped == ["f: row 2 (B): no name1 (the facility's name)"]


def test_a_row_number_is_not_an_id() -> None:
    """An older response numbers its rows (_irow) and gives no frid: the id is made from the
    name and address, the same in the next export whatever the row's place in it."""
    first = {"_irow": 1, "name1": "A", "street1": "1 Main St", "zip": "02139"}
    rows = [first, {"frid": 7, "name1": "B"}, {"_irow": 3, "city": "Boston"}]
    read = read_locator({"rows": rows}, "f", "s")
    made = "L2555C6F8FF95"  # "L" and 12 hex digits of SHA-256 of the name and address
    assert [p.id for p in read.programs] == [made, "7"]
    again = read_locator({"rows": [{**first, "_irow": 40, "zip": 2139}]}, "f", "s")
    assert [p.id for p in again.programs] == [made]
    assert read.skipped == ["f: row 3: no frid (the facility's id)"]


# --- --near ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "point"),
    [
        ("02139", (42.3647, -71.1042)),
        ("02139-4307", (42.3647, -71.1042)),
        ("021394307", (42.3647, -71.1042)),
        (" 02139 4307 ", (42.3647, -71.1042)),
        ("02205", (42.3503, -71.0539)),  # PO boxes only: the post office's place
        ("42.36,-71.06", (42.36, -71.06)),
        (" 42.36 , -71.06 ", (42.36, -71.06)),
        ("42.36 -71.06", (42.36, -71.06)),
        ("42.36N 71.06W", (42.36, -71.06)),
        ("42.36°N, 71.06°W", (42.36, -71.06)),
        ("13.48 N, 144.75 E", (13.48, 144.75)),  # Guam
        ("-14.27,-170.7", (-14.27, -170.7)),  # American Samoa
    ],
)
def test_near_as_people_type_it(typed: str, point: tuple[float, float]) -> None:
    place = resolve(typed)
    assert (place.latitude, place.longitude) == point


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2139", "'2139' is neither a 5-digit ZIP code nor LAT,LON: a ZIP code has 5 digits"),
        ("021", "'021' is neither a 5-digit ZIP code nor LAT,LON: a ZIP code has 5 digits"),
        ("0213943", "a ZIP code has 5 digits"),
        ("09001", "09001 is a military (APO/FPO) ZIP code, which has no place on a map"),
        ("34012", "34012 is a military (APO/FPO) ZIP code"),
        ("96601-1234", "96601 is a military (APO/FPO) ZIP code"),
        ("00000", "00000 is not a U.S. ZIP code this iopcli knows: give a nearby ZIP code"),
        ("91,200", "latitude must be -90 to 90, longitude -180 to 180"),
        ("42.36,-190", "latitude must be -90 to 90, longitude -180 to 180"),
        ("42.36N,71.06N", "is not LAT,LON"),
        ("-42 S, 10 E", "is not LAT,LON"),
        ("nan,0", "is not LAT,LON"),
        ("1e999,0", "is not LAT,LON"),
        ("north,south", "is not LAT,LON"),
        ("Cambridge, MA", "is not LAT,LON"),
        ("Cambridge", "is neither a 5-digit ZIP code nor LAT,LON"),
        ("1,2,3", "is neither a 5-digit ZIP code nor LAT,LON"),
        ("", "is neither a 5-digit ZIP code nor LAT,LON"),
        ("42.3\x1b[2J,-71", "'42.3\\x1b[2J,-71' is not LAT,LON"),
        ("9" * 5000, "'" + "9" * 40 + "...' is neither a 5-digit ZIP code"),
    ],
)
def test_near_mistakes_are_one_line_usage_errors(run: Run, typed: str, message: str) -> None:
    result = run("programs", "search", "--near", typed)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    assert "\x1b" not in result.stderr
    assert len(result.stderr) < 300


# --- exact distance order ----------------------------------------------------------------------

_EDGES = [
    (89.999, 0.0),
    (89.5, 179.9),
    (-89.999, 45.0),
    (0.0001, 179.999),
    (0.0001, -179.999),
    (51.9, 179.5),  # the Aleutians, both sides of the 180th meridian
    (52.0, -176.6),
    (71.29, -156.79),  # Utqiagvik
    (13.48, 144.75),  # Guam
    (42.3647, -71.1042),
    (42.3647, -71.1042),  # the same place twice: a tie
]


@pytest.fixture(scope="module")
def globe(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """400 programs at random places on Earth and at the awkward ones."""
    chance = random.Random(16)
    points = _EDGES + [
        (math.degrees(math.asin(chance.uniform(-1, 1))), chance.uniform(-180, 180))
        for _ in range(389)
    ]
    rows = [
        {"frid": f"G{n}", "name1": f"Program {n}", "latitude": lat, "longitude": lon}
        for n, (lat, lon) in enumerate(points)
    ]
    rows.append({"frid": "NOWHERE", "name1": "No coordinates"})
    read = read_locator({"rows": rows}, "globe", "globe")
    index = open_programs(tmp_path_factory.mktemp("globe"))
    index.import_programs(read.programs, "globe", "globe", "locator", [])
    placed = [(p.id, p.latitude, p.longitude) for p in read.programs if p.latitude is not None]
    yield index, placed
    index.close()


_LATITUDE = st.one_of(st.floats(-90, 90), st.sampled_from([90.0, -90.0, 0.0, 71.3, 13.5]))
_LONGITUDE = st.one_of(st.floats(-180, 180), st.sampled_from([180.0, -180.0, 179.99, -179.99]))


@given(
    lat=_LATITUDE,
    lon=_LONGITUDE,
    limit=st.integers(1, 25),
    within=st.none() | st.floats(0.5, 13_000),
)
def test_the_first_results_are_the_nearest_anywhere(
    globe: tuple[ProgramIndex, list[tuple[str, float, float]]],
    lat: float,
    lon: float,
    limit: int,
    within: float | None,
) -> None:
    index, placed = globe
    brute = sorted(haversine_miles(lat, lon, a, b) for _, a, b in placed)
    if within is not None:
        # A program whose distance is within rounding of the limit may fall either side.
        assume(all(abs(d - within) > 1e-6 for d in brute))
        brute = [d for d in brute if d <= within]
    hits = index.search(near=(lat, lon), within=within, limit=limit)
    expected = brute[:limit]
    # 400 placed programs and at most 25 asked for: the one without coordinates never shows.
    assert len(hits) == len(expected)
    assert len({h.program.id for h in hits}) == len(hits)
    for hit, distance in zip(hits, expected, strict=True):
        p = hit.program
        assert p.latitude is not None
        assert p.longitude is not None
        exact = haversine_miles(lat, lon, p.latitude, p.longitude)
        assert exact == pytest.approx(distance, abs=1e-6)
        assert hit.miles == round(exact, 1)


def test_a_directory_from_before_exact_order_is_upgraded(tmp_path: Path) -> None:
    read = read_locator(
        {"rows": [{"frid": "A", "name1": "A", "latitude": 52.0, "longitude": -176.6},
                  {"frid": "B", "name1": "B", "latitude": 51.9, "longitude": 179.5},
                  {"frid": "C", "name1": "C", "latitude": 52.1, "longitude": -170.0}]},
        "f", "s",
    )  # fmt: skip
    with open_programs(tmp_path) as index:
        index.import_programs(read.programs, "s", "f", "locator", [])
        path = index.path
    # As schema 2 left it: no x, y, z, the old index.
    db = sqlite3.connect(path)
    db.executescript(
        "DROP INDEX programs_filters_xyz;"
        "ALTER TABLE programs DROP COLUMN x; ALTER TABLE programs DROP COLUMN y;"
        "ALTER TABLE programs DROP COLUMN z;"
        "CREATE INDEX programs_filters ON programs (live, lat, lon, focus, levels, pays,"
        " assistance, approaches, ages, genders, telehealth, languages);"
        "DELETE FROM program_schema; INSERT INTO program_schema VALUES (2);"
    )
    db.close()
    with open_programs(tmp_path) as index:
        # Across the 180th meridian from Attu's side: B (Aleutians, 179.5 E) is nearest.
        assert [h.program.id for h in index.search(near=(51.95, 178.0))] == ["B", "A", "C"]
    db = sqlite3.connect(path)
    assert db.execute("SELECT max(version) FROM program_schema").fetchone() == (3,)
    assert db.execute("SELECT count(*) FROM programs WHERE x IS NULL").fetchone() == (0,)
    db.close()


# --- adversarial input -------------------------------------------------------------------------

_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(
    ["", " ", "\x1b[31mred", "a\u202eb", "\u200b", "&amp;", "&#0;", "\ufffd", "x" * 3000, "0",
     "-0", "1e999", "NaN", "02139", "2139", "Medicaid; ;;", "Female and Male"]
)  # fmt: skip
_SCALAR = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | _TEXT
_ANY = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)
_ENTRY = st.fixed_dictionaries(
    {}, optional={"f1": _ANY, "f2": st.sampled_from(["SET", "PAY", "SN", "OL", "set"]) | _ANY,
                  "f3": _ANY}
)  # fmt: skip
_KEYS = ("frid", "name1", "name2", "street1", "city", "state", "zip", "phone", "intake1",
         "website", "latitude", "longitude", "miles", "typeFacility", "_irow")  # fmt: skip
_LOCATOR_ROW = st.fixed_dictionaries(
    {}, optional={**dict.fromkeys(_KEYS, _ANY), "services": st.lists(_ENTRY, max_size=4) | _ANY}
)  # fmt: skip
_PAGE = st.fixed_dictionaries(
    {"rows": st.lists(_LOCATOR_ROW, max_size=4) | _ANY},
    optional={"page": _ANY, "totalPages": _ANY, "recordCount": _ANY},
)


# Controls, escapes, bidirectional overrides, zero-width spaces: what must never reach a terminal.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _clean(program: TreatmentProgram) -> None:
    """What a program read from anything must be: an id and a name, text a terminal shows as
    written, coordinates on Earth, and data that survives the database's JSON."""
    assert program.id
    assert program.name
    for value in program.to_dict().values():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                assert not _HIDDEN.search(text), repr(text)
                assert len(text) <= 1000
    assert (program.latitude is None) == (program.longitude is None)
    if program.latitude is not None and program.longitude is not None:
        assert -90 <= program.latitude <= 90
        assert -180 <= program.longitude <= 180
    assert TreatmentProgram.from_dict(json.loads(json.dumps(program.to_dict()))) == program


@given(st.one_of(_PAGE, st.lists(_PAGE, max_size=3), st.lists(_LOCATOR_ROW, max_size=4)))
def test_locator_input_built_to_break_it(parsed: Any) -> None:
    try:
        read = read_locator(parsed, "f.json", "x")
    except LocatorError as exc:
        failed = str(exc)
    else:
        failed = ""
    if failed:
        assert failed.startswith("f.json: ")
        assert "\n" not in failed
        return
    for program in read.programs:
        _clean(program)
    for line in read.skipped + read.notes:
        assert line.startswith("f.json: ")
        assert not _HIDDEN.search(line), repr(line)


@settings(deadline=None)  # a file written and read per example: the disk may be busy
@given(st.one_of(_PAGE, st.lists(_PAGE, min_size=1, max_size=3)))
def test_a_file_reads_as_its_parsed_rows_do(scratch: Path, parsed: Any) -> None:
    """read_programs turns each row into its program while the file is parsed (for memory):
    the same programs, skips and notes as reading the parsed file afterwards."""
    scratch.write_text(json.dumps(parsed), encoding="utf-8")
    try:
        expected = read_locator(parsed, str(scratch), "x")
    except LocatorError as exc:
        with pytest.raises(LocatorError, match=re.escape(str(exc))):
            read_programs(scratch, "x")
        return
    read = read_programs(scratch, "x")
    if read.format == "locator":
        assert (read.programs, read.skipped, read.notes) == (
            expected.programs,
            expected.skipped,
            expected.notes,
        )
    else:  # empty, or no locator field at all: HSDS says what it is
        assert expected.programs == []


_HSDS_SERVICE = st.fixed_dictionaries(
    {"id": _TEXT, "name": st.sampled_from(["Intensive Outpatient Program", "Methadone clinic"])
     | _TEXT},
    optional={
        "status": _ANY, "description": _ANY, "fees": _ANY, "eligibility_description": _ANY,
        "minimum_age": _ANY, "maximum_age": _ANY, "accreditations": _ANY, "licenses": _ANY,
        "languages": st.lists(st.fixed_dictionaries({"name": _ANY}), max_size=2) | _ANY,
        "cost_options": st.lists(
            st.fixed_dictionaries({}, optional={"option": _ANY, "amount": _ANY,
                                                "currency": _ANY}), max_size=2) | _ANY,
        "program": _ANY,
        "taxonomy_terms": st.lists(st.fixed_dictionaries(
            {"name": st.sampled_from(["Outpatient Substance Use Treatment", "Food Pantries"])
             | _TEXT}, optional={"code": _ANY}), max_size=2) | _ANY,
        "phones": st.lists(st.fixed_dictionaries({"number": _ANY}, optional={
            "description": _ANY}), max_size=2) | _ANY,
        "service_at_locations": _ANY,
    },
)  # fmt: skip


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scratch") / "programs.json"


@settings(deadline=None)  # the first example pays for importing the HSDS reader (pydantic)
@given(st.lists(_HSDS_SERVICE, max_size=3).map(lambda services: {"services": services}))
def test_hsds_input_built_to_break_it(scratch: Path, document: dict[str, Any]) -> None:
    scratch.write_text(json.dumps(document), encoding="utf-8")
    try:
        read = read_programs(scratch, "x")
    except LocatorError as exc:
        failed = str(exc)
    else:
        failed = ""
    if failed:
        assert failed.startswith(f"{scratch}")
        assert "\n" not in failed
        return
    for program in read.programs:
        assert program.id
        assert program.name
        assert TreatmentProgram.from_dict(json.loads(json.dumps(program.to_dict()))) == program


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    index = open_programs(tmp_path_factory.mktemp("listed"))
    read = read_programs(FIXTURES / "locator-pages.json", "ma")
    index.import_programs(read.programs, "ma", "pages", "locator", [])
    yield index
    index.close()


_BAD_ROW = st.one_of(
    _SCALAR,
    st.lists(_SCALAR, max_size=2),
    st.fixed_dictionaries({"frid": st.sampled_from(["", " ", None, "\x1b"])}, optional={
        "name1": _ANY}),
    st.fixed_dictionaries({"frid": _TEXT.filter(lambda t: bool(t.strip()))}, optional={
        "name1": st.sampled_from(["", "  ", "\x00", None, [], {}])}),
)  # fmt: skip


@given(st.lists(_BAD_ROW, min_size=1, max_size=5))
def test_an_all_bad_file_changes_nothing(listed: ProgramIndex, rows: list[Any]) -> None:
    read = read_locator({"rows": rows}, "bad.json", "ma")
    assert read.programs == []
    before = [h.program for h in listed.search(limit=100)]
    with pytest.raises(DirectoryError, match="nothing was changed"):
        listed.import_programs(
            read.programs, "ma", "bad.json", "locator", read.skipped, skipped_ids=read.skipped_ids
        )
    assert [h.program for h in listed.search(limit=100)] == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<!DOCTYPE html><html><body>Service unavailable</body></html>", ":1: not valid JSON"),
        (b"\xff\xfe{\x00", "not UTF-8 text"),
        (b'{"page": 1, "rows": [', ":1: not valid JSON"),
        (b"frid,name1\nF1,A\n", ":1: not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
        (b'"just a string"', "not a treatment locator export"),
        (b"42", "not a treatment locator export"),
        (b'{"rows": {"frid": "A"}}', "rows: expected a list of facilities"),
    ],
)
def test_files_that_are_not_programs(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(LocatorError) as caught:
        read_programs(path, "x")
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:  # sparse: no disk is used
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(LocatorError, match="larger than 200 MiB"):
        read_programs(path, "x")


def test_an_hsds_package_with_programs(tmp_path: Path) -> None:
    """An HSDS 3.0 CSV data package: the treatment services are programs with their cost
    options, languages and ages; the others are left to directory import."""
    tables = {
        "services.csv": "id,organization_id,name,description,status,eligibility_description,"
        "minimum_age,accreditations\n"
        "svc-iop,org-1,Evening IOP,Dialectical behavior therapy groups three evenings a week.,"
        "active,Adults with a substance use disorder,18,CARF\n"
        "svc-food,org-1,Food pantry,Groceries on Fridays.,active,,,\n",
        "organizations.csv": "id,name\norg-1,Eastside Health\n",
        "taxonomy_terms.csv": "id,code,name\n"
        "tt-1,RX-8450.3300,Intensive Outpatient Substance Use Disorder Treatment\n"
        "tt-2,BD-1800.2000,Food Pantries\n",
        "attributes.csv": "id,link_id,link_type,taxonomy_term_id\n"
        "at-1,svc-iop,service,tt-1\nat-2,svc-food,service,tt-2\n",
        "cost_options.csv": "id,service_id,option,amount,currency,amount_description\n"
        'co-1,svc-iop,Medicaid,0,USD,"Free with Medicaid; sliding scale, self-pay"\n',
        "languages.csv": "id,service_id,name,code\nla-1,svc-iop,Spanish,es\n",
        "locations.csv": "id,organization_id,name,latitude,longitude\n"
        "loc-1,org-1,Main,39.75,-104.95\n",
        "service_at_location.csv": "id,service_id,location_id\nsal-1,svc-iop,loc-1\n",
    }
    for name, text in tables.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    read = read_programs(tmp_path, "denver")
    assert read.format == "hsds"
    assert read.ignored == 1
    [program] = read.programs
    assert program.name == "Evening IOP (Eastside Health)"
    assert program.levels == ("iop",)
    assert program.focus == "substance-use"
    assert program.pays == ("medicaid", "self-pay")
    assert program.assistance == ("sliding-fee", "free")
    assert program.approaches == ("dbt",)
    assert program.languages == ("es",)
    assert program.ages == ("adults",)
    assert program.licensing == ("CARF",)
    assert (program.latitude, program.longitude) == (39.75, -104.95)


def test_an_hsds_service_is_treatment_by_its_program(tmp_path: Path) -> None:
    """HSDS 3.0 services belong to a program: a service with no taxonomy and a plain name
    ("Evening group") is treatment when its program says so, in JSON and in a CSV package."""
    document = {
        "services": [
            {
                "id": "svc-eve",
                "name": "Evening group",
                "status": "active",
                "taxonomy_terms": [{"name": "Support Groups"}],
                "program": {"id": "prg-1", "name": "Intensive Outpatient Program"},
            },
            {"id": "svc-art", "name": "Art club", "program": "Community arts"},
            {"id": "svc-odd", "name": "Tuesday group", "program": ["not", "an object"]},
        ]
    }
    path = tmp_path / "hsds.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    read = read_programs(path, "x")
    assert [(p.id, p.levels) for p in read.programs] == [("svc-eve", ("iop",))]
    assert read.ignored == 2
    [evening] = read.programs
    assert {c.code: c.values for c in evening.categories}["PROGRAM"] == (
        "Intensive Outpatient Program",
    )

    package = tmp_path / "package"
    package.mkdir()
    for name, text in {
        "services.csv": "id,program_id,name,status\nsvc-eve,prg-1,Evening group,active\n"
        "svc-art,,Art club,active\n",
        "programs.csv": "id,name\nprg-1,Partial Hospitalization Program\n",
    }.items():
        (package / name).write_text(text, encoding="utf-8")
    read = read_programs(package, "y")
    assert [(p.id, p.levels) for p in read.programs] == [("svc-eve", ("php",))]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"services": []}, "the file lists no programs, so every program of 'chicago'"),
        (
            {"services": [{"id": "f1", "name": "Food pantry", "status": "active",
                           "taxonomy_terms": [{"name": "Food Pantries"}]}]},
            "the file lists no programs, so every program of 'chicago'",
        ),
        ({"services": [{"id": "svc-iop-1", "status": "active"}, 5]}, "not a Meeting Guide"),
    ],
)  # fmt: skip
def test_an_hsds_file_without_programs_changes_nothing(
    run: Run, tmp_path: Path, document: dict[str, Any], message: str
) -> None:
    assert run("programs", "import", str(FIXTURES / "hsds-programs.json"), "--source",
               "chicago").returncode == 0  # fmt: skip
    path = tmp_path / "later.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = run("programs", "import", str(path), "--source", "chicago")
    assert result.returncode == 1
    assert message in result.stderr
    assert "svc-iop-1" in run("programs", "search").stdout


def test_a_long_listing_still_becomes_a_plans_next_program(run: Run, tmp_path: Path) -> None:
    """A plan's next program holds a name and each payment of at most 200 characters: a
    listing with longer ones is shortened to fit, never an internal error."""
    row = {
        "frid": "LONG2",
        "name1": "Community Behavioral Health Center " * 5,
        "name2": "Division of Adult Outpatient Services " * 3,
        "services": [{"f2": "PAY", "f3": "Medicaid " + "managed care plan " * 20}],
    }
    path = tmp_path / "long.json"
    path.write_text(json.dumps({"rows": [row]}), encoding="utf-8")
    assert run("programs", "import", str(path)).returncode == 0
    plan = Path(__file__).parent.parent / "examples" / "opioid-buprenorphine.yaml"
    assert run("import", str(plan)).returncode == 0
    result = run("edit", "Marcus", "program", "--next", "LONG2")
    assert result.returncode == 0, result.stderr
    assert "next program Community Behavioral Health Center" in result.stdout
    assert "…" in result.stdout
