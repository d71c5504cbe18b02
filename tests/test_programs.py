"""Treatment programs (issue #16): the locator and HSDS readers, the program tables in the
directory database (real SQLite files), every search filter, distance order, re-imports and
removals, the ZIP table against the package it came from, and the four commands in-process.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from conftest import Run
from iopcli.locator import LocatorError, read_locator, read_programs
from iopcli.places import haversine_miles, resolve, zip_centroid
from iopcli.program_index import ProgramIndex, open_programs
from iopcli.programs import TreatmentProgram, lookup

FIXTURES = Path(__file__).parent / "programs"
PAGES = FIXTURES / "locator-pages.json"
LATER = FIXTURES / "locator-later.json"
ALL_BAD = FIXTURES / "locator-all-bad.json"
HSDS = FIXTURES / "hsds-programs.json"
CAMBRIDGE = (42.3647, -71.1042)  # ZIP 02139


def imported(home: Path, *files: Path, source: str = "ma") -> ProgramIndex:
    index = open_programs(home)
    for file in files:
        read = read_programs(file, source)
        index.import_programs(
            read.programs,
            source,
            str(file),
            read.format,
            read.skipped,
            skipped_ids=read.skipped_ids,
        )
    return index


@pytest.fixture
def index(tmp_path: Path) -> Any:
    with imported(tmp_path, PAGES) as found:
        read = read_programs(HSDS, "chicago")
        found.import_programs(read.programs, "chicago", str(HSDS), "hsds", read.skipped)
        yield found


def by_id(path: Path = PAGES) -> dict[str, TreatmentProgram]:
    return {p.id: p for p in read_programs(path, "ma").programs}


# --- reading ---------------------------------------------------------------------------------


def test_locator_pages_are_read_with_every_field() -> None:
    read = read_programs(PAGES, "ma")
    assert read.format == "locator"
    assert sorted(p.id for p in read.programs) == [f"TRH000{n}" for n in (1, 2, 3, 4, 5)]
    assert read.skipped == [f"{PAGES}: page 2, row 4 (TRH0006): no name1 (the facility's name)"]
    harbor = by_id()["TRH0001"]
    assert (harbor.name, harbor.city, harbor.zip) == (
        "Harbor Recovery Center",
        "Cambridge",
        "02139",
    )
    assert (harbor.phone, harbor.intake_phone, harbor.hotline) == (
        "617-555-0100",
        "617-555-0101",
        "617-555-0199",
    )
    assert harbor.website == "https://www.harbor-recovery.example.org"
    assert (harbor.latitude, harbor.longitude) == (42.3633, -71.1010)
    assert harbor.focus == "co-occurring"
    assert harbor.levels == ("iop", "op", "mat")
    assert harbor.telehealth
    assert harbor.pays == ("medicaid", "medicare", "private", "self-pay", "state")
    assert harbor.assistance == ("sliding-fee",)
    assert harbor.approaches == ("cbt", "dbt", "mi", "rp")
    assert harbor.languages == ("es", "pt", "asl")
    assert harbor.ages == ("adults", "young-adults", "seniors")
    assert harbor.genders == ("women", "men")
    assert harbor.licensing == ("State Substance use treatment agency", "The Joint Commission")
    assert "Veterans" in harbor.special_groups


def test_levels_focus_and_payment_follow_the_locator_values() -> None:
    programs = by_id()
    riverside, lynn, hilltop, worcester = (programs[f"TRH000{n}"] for n in (2, 3, 4, 5))
    assert riverside.levels == ("php",)  # "Outpatient" is only the heading over PHP here
    assert riverside.focus == "mental-health"
    assert riverside.pays == ("private", "military")
    assert "County or local government funds" in riverside.payment_accepted  # kept as written
    assert lynn.levels == ("op", "mat", "otp")
    assert lynn.assistance == ("free",)
    assert hilltop.levels == ("residential",)
    assert worcester.levels == ("iop", "op")
    assert worcester.focus == "co-occurring"


def test_unknown_codes_and_values_are_kept() -> None:
    lynn = by_id()["TRH0003"]
    pilot = next(c for c in lynn.categories if c.code == "ZZQ")
    assert pilot.name == "Pilot Services (new code)"
    assert pilot.values == ("Peer recovery coaching by text", "Childcare on site")
    hilltop = by_id()["TRH0004"]
    assert "IHS/Tribal/Urban (ITU) funds" in hilltop.payment_accepted


def test_missing_coordinates_and_repeated_rows() -> None:
    read = read_programs(PAGES, "ma")
    hilltop = next(p for p in read.programs if p.id == "TRH0004")
    assert hilltop.latitude is None
    assert hilltop.longitude is None
    assert [p.id for p in read.programs].count("TRH0001") == 1  # on both pages: kept once
    assert not read.notes  # the same row twice is no news


def test_one_page_and_bare_rows(tmp_path: Path) -> None:
    page = json.loads(PAGES.read_text())[0]
    one = tmp_path / "one.json"
    one.write_text(json.dumps(page))
    assert len(read_programs(one, "x").programs) == 3
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(page["rows"]))
    assert len(read_programs(bare, "x").programs) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "bad.json:1: not valid JSON"),
        ('{"page": 1}', 'not a treatment locator export (no "rows")'),
        ('{"rows": 3}', "rows: expected a list of facilities"),
        ("[1, 2]", "not a treatment locator export or HSDS (no objects in it)"),
        ('{"x": 1}', 'not a treatment locator export (no "rows") or HSDS (no "services")'),
    ],
)
def test_unreadable_files_say_why_in_one_line(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(LocatorError) as caught:
        read_programs(bad, "x")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_hsds_treatment_services_are_programs() -> None:
    read = read_programs(HSDS, "chicago")
    assert read.format == "hsds"
    assert [p.id for p in read.programs] == ["svc-iop-1"]  # the food pantry is not treatment
    assert any("1 service(s) are not treatment programs" in n for n in read.notes)
    iop = read.programs[0]
    assert iop.levels == ("iop",)
    assert iop.focus == "substance-use"
    assert iop.pays == ("medicaid", "private", "self-pay")
    assert iop.assistance == ("sliding-fee",)
    assert iop.approaches == ("cbt", "rp")
    assert iop.languages == ("en", "es")
    assert iop.ages == ("adults",)
    assert iop.licensing == ("CARF accredited", "Illinois DHS/SUPR licensed")
    assert iop.schedule == ("MO,TU,TH 18:00-21:00",)
    assert iop.intake_phone == "(312) 555-0151"
    assert (iop.latitude, iop.longitude) == (41.9543, -87.6575)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
_ROW = st.fixed_dictionaries(
    {},
    optional={
        k: _JSON | st.text(max_size=10)
        for k in ("frid", "name1", "latitude", "longitude", "services", "zip", "typeFacility")
    },
)


@given(st.one_of(_JSON, st.lists(_ROW, max_size=4).map(lambda rows: {"rows": rows})))
def test_the_locator_reader_never_fails_on_odd_input(parsed: Any) -> None:
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
        assert program.id
        assert program.name
        TreatmentProgram.from_dict(json.loads(json.dumps(program.to_dict())))


# --- the index -------------------------------------------------------------------------------


def ids(hits: list[Any]) -> list[str]:
    return [hit.program.id for hit in hits]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"levels": ["iop"]}, {"TRH0001", "TRH0005", "svc-iop-1"}),
        ({"levels": ["php"]}, {"TRH0002"}),
        ({"levels": ["op"]}, {"TRH0001", "TRH0003", "TRH0005"}),
        ({"levels": ["residential"]}, {"TRH0004"}),
        ({"levels": ["mat"]}, {"TRH0001", "TRH0003"}),
        ({"levels": ["otp"]}, {"TRH0003"}),
        ({"levels": ["php", "residential"]}, {"TRH0002", "TRH0004"}),
        ({"focus": ["mental-health"]}, {"TRH0001", "TRH0002", "TRH0005"}),
        ({"focus": ["co-occurring"]}, {"TRH0001", "TRH0005"}),
        ({"focus": ["substance-use"]}, {"TRH0001", "TRH0003", "TRH0004", "TRH0005", "svc-iop-1"}),
        ({"pays": ["medicare"]}, {"TRH0001"}),
        ({"pays": ["military"]}, {"TRH0002"}),
        ({"pays": ["state"]}, {"TRH0001"}),
        ({"pays": ["self-pay"]}, {"TRH0001", "TRH0003", "svc-iop-1"}),
        ({"assistance": ["free"]}, {"TRH0003"}),
        ({"assistance": ["sliding-fee"]}, {"TRH0001", "svc-iop-1"}),
        ({"approaches": ["dbt"]}, {"TRH0001", "TRH0002"}),
        ({"approaches": ["12-step"]}, {"TRH0005"}),
        ({"ages": ["adolescents"]}, {"TRH0002", "TRH0005"}),
        ({"ages": ["young-adults"]}, {"TRH0001", "TRH0002"}),
        ({"genders": ["women"]}, {"TRH0001", "TRH0002", "TRH0003"}),
        ({"genders": ["men"]}, {"TRH0001", "TRH0003", "TRH0004"}),
        ({"languages": ["vi"]}, {"TRH0005"}),
        ({"languages": ["asl"]}, {"TRH0001"}),
        ({"telehealth": True}, {"TRH0001"}),
        (
            {"pays": ["medicaid"], "languages": ["es"], "levels": ["iop"]},
            {"TRH0001", "TRH0005", "svc-iop-1"},
        ),
        ({"pays": ["medicare"], "levels": ["otp"]}, set()),
    ],
    ids=lambda value: json.dumps(value) if isinstance(value, dict) else "",
)
def test_every_filter(index: ProgramIndex, filters: dict[str, Any], expected: set[str]) -> None:
    assert set(ids(index.search(**filters))) == expected


def test_words_find_names_places_and_services(index: ProgramIndex) -> None:
    assert ids(index.search("harbor")) == ["TRH0001"]
    assert set(ids(index.search("worcester"))) == {"TRH0004", "TRH0005"}
    assert ids(index.search("childcare")) == ["TRH0003"]  # an unknown category's value


def test_nearest_first_and_distance_unknown_last(index: ProgramIndex) -> None:
    hits = index.search(near=CAMBRIDGE)
    assert ids(hits) == ["TRH0001", "TRH0002", "TRH0003", "TRH0005", "svc-iop-1", "TRH0004"]
    miles = [hit.miles for hit in hits]
    assert miles[-1] is None
    assert miles[:-1] == sorted(miles[:-1])  # type: ignore[type-var]
    for hit in hits[:-1]:
        p = hit.program
        assert p.latitude is not None
        assert p.longitude is not None
        exact = haversine_miles(*CAMBRIDGE, p.latitude, p.longitude)
        assert hit.miles == pytest.approx(exact, abs=0.05)


def test_within_keeps_only_what_is_that_close(index: ProgramIndex) -> None:
    assert ids(index.search(near=CAMBRIDGE, within=15)) == ["TRH0001", "TRH0002", "TRH0003"]
    assert ids(index.search(near=CAMBRIDGE, within=0.1)) == []


def test_the_order_is_exact_among_many_candidates(tmp_path: Path) -> None:
    rows = [
        {
            "frid": f"F{n}",
            "name1": f"P{n}",
            "latitude": str(42 + n / 97),
            "longitude": str(-71 - n / 13),
        }
        for n in range(60)
    ]
    read = read_locator({"rows": rows}, "many", "many")
    with open_programs(tmp_path) as found:
        found.import_programs(read.programs, "many", "many", "locator", [])
        hits = found.search(near=(42.2, -71.9), limit=7)
        every = sorted(
            (haversine_miles(42.2, -71.9, p.latitude or 0, p.longitude or 0), p.id)
            for p in read.programs
        )
    assert ids(hits) == [pid for _, pid in every[:7]]


def test_reimport_updates_and_reports_removals(tmp_path: Path) -> None:
    with imported(tmp_path, PAGES) as found:
        read = read_programs(LATER, "ma")
        result = found.import_programs(read.programs, "ma", str(LATER), "locator", read.skipped)
        assert (result.added, result.updated, result.unchanged) == (0, 1, 3)
        assert result.removed == ["Riverside Day Program (TRH0002)"]
        assert "TRH0002" not in ids(found.search())
        assert found.find("TRH0003").phone == "781-555-0333"  # type: ignore[union-attr]
    gone = lookup(tmp_path, "TRH0002")
    assert gone is not None
    assert gone.removed_at is not None
    assert lookup(tmp_path, "trh0001") is not None  # ids typed in any case
    assert lookup(tmp_path, "nope") is None
    assert lookup(tmp_path / "elsewhere", "TRH0001") is None


def test_a_program_two_sources_list_stays_until_both_drop_it(tmp_path: Path) -> None:
    with imported(tmp_path, PAGES, source="a") as found:
        later = read_programs(LATER, "b")
        found.import_programs(later.programs, "b", "later", "locator", [])
        # "a" drops everything but Harbor: allowed explicitly
        harbor = [p for p in read_programs(PAGES, "a").programs if p.id == "TRH0001"]
        result = found.import_programs(harbor, "a", "a", "locator", [], allow_mass_removal=True)
        assert len(result.removed) == 4
        assert set(ids(found.search())) == {"TRH0001", "TRH0003", "TRH0004", "TRH0005"}


def test_mass_removal_and_empty_files_change_nothing(tmp_path: Path) -> None:
    from iopcli.directory import DirectoryError

    with imported(tmp_path, PAGES) as found:
        before = ids(found.search())
        one = [p for p in read_programs(PAGES, "ma").programs if p.id == "TRH0001"]
        with pytest.raises(DirectoryError, match="4 of the 5 programs of 'ma' would be removed"):
            found.import_programs(one, "ma", "one.json", "locator", [])
        with pytest.raises(DirectoryError, match="the file lists no programs"):
            found.import_programs([], "ma", "empty.json", "locator", [])
        assert ids(found.search()) == before


def test_the_database_is_owner_only(index: ProgramIndex) -> None:
    assert index.path.stat().st_mode & 0o077 == 0


# --- places ----------------------------------------------------------------------------------


def test_zip_table_agrees_with_the_zipcodes_package() -> None:
    """Every 140th ZIP of the shipped table (about 300), looked up in the package itself."""
    import struct
    from importlib import resources

    zipcodes = pytest.importorskip("zipcodes")
    table = resources.files("iopcli").joinpath("data", "zip_centroids.bin").read_bytes()
    codes = [f"{number:05d}" for (number, _, _) in struct.iter_unpack("<Iii", table)]
    assert len(codes) > 40_000
    assert codes == sorted(codes)
    for code in codes[::140]:
        (entry,) = zipcodes.matching(code)
        assert zip_centroid(code) == (float(entry["lat"]), float(entry["long"])), code
    assert zip_centroid("96201") is None  # a military ZIP: no place on a map


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Spanish", "es"),
        ("ES", "es"),
        ("Spanish (staff)", "es"),
        ("American Sign Language", "asl"),
        ("Mandarin Chinese", "zh"),
        ("Any language other than English", "Any language other than English"),
        ("Tigrinya", "Tigrinya"),
    ],
)
def test_language_names_become_codes(name: str, code: str) -> None:
    from iopcli.programs import language_code

    assert language_code(name) == code


def test_places_and_distances() -> None:
    assert resolve("02139").label == "ZIP 02139"
    assert resolve("02139-4307").latitude == resolve("02139").latitude
    assert resolve(" 42.36, -71.06 ").latitude == 42.36
    boston_to_nyc = haversine_miles(42.3601, -71.0589, 40.7128, -74.0060)
    assert boston_to_nyc == pytest.approx(190.2, abs=0.5)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("00000", "not a U.S. ZIP code this iopcli knows"),
        ("91,200", "latitude must be -90 to 90"),
        ("north,south", "is not LAT,LON"),
        ("Cambridge", "neither a 5-digit ZIP code nor LAT,LON"),
    ],
)
def test_bad_places_are_usage_errors(given: str, message: str) -> None:
    from iopcli.errors import UsageError

    with pytest.raises(UsageError, match=message):
        resolve(given)


# --- the commands ----------------------------------------------------------------------------


@pytest.fixture
def loaded(run: Run) -> Run:
    result = run("programs", "import", str(PAGES), "--source", "ma")
    assert result.returncode == 0, result.stderr
    assert "5 added, 0 updated, 0 unchanged, 0 removed, 1 skipped" in result.stdout
    assert "page 2, row 4 (TRH0006): no name1" in result.stderr
    assert run("programs", "import", str(HSDS)).returncode == 0
    return run


def test_import_reports_removals_and_refuses_an_all_bad_file(loaded: Run) -> None:
    result = loaded("programs", "import", str(LATER), "--source", "ma")
    assert "0 added, 1 updated, 3 unchanged, 1 removed" in result.stdout
    assert "removed (no longer listed): Riverside Day Program (TRH0002)" in result.stdout
    bad = loaded("programs", "import", str(ALL_BAD), "--source", "ma")
    assert bad.returncode == 1
    assert "nothing was changed" in bad.stderr
    assert "row 1: no frid" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert loaded("programs", "show", "TRH0001").returncode == 0


def test_search_shows_distance_and_each_filter(loaded: Run) -> None:
    result = loaded(
        "programs",
        "search",
        "--near",
        "02139",
        "--level",
        "iop,php",
        "--pays",
        "medicaid",
        "--language",
        "Spanish",
        "--approach",
        "cbt,dbt",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Near ZIP 02139, nearest first:\n  1. Harbor Recovery Center")
    assert "0.2 mi · 120 Main Street" in result.stdout
    assert (
        "Intensive outpatient (IOP) ✓ · Partial hospitalization / day treatment ✗" in result.stdout
    )
    assert "Spanish ✓" in result.stdout
    unknown = loaded("programs", "search", "--near", "02139", "--level", "residential")
    assert "distance unknown · 1 Summit Way" in unknown.stdout


def test_search_json_says_what_matched(loaded: Run) -> None:
    result = loaded("programs", "search", "--near", "42.36,-71.10", "--pays", "medicare", "--json")
    found = json.loads(result.stdout)
    assert [f["id"] for f in found] == ["TRH0001"]
    assert found[0]["matches"] == [
        {"filter": "pays", "code": "medicare", "matched": True, "values": ["Medicare"]}
    ]
    assert found[0]["miles"] == pytest.approx(0.1, abs=0.1)
    assert found[0]["program"]["intake_phone"] == "617-555-0101"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "iopp"], "--level: 'iopp' is not one of iop, php, op, residential, mat, otp"),
        (["--within", "10"], "--within: needs --near"),
        (["--near", "Boston"], "--near: 'Boston' is neither"),
    ],
)
def test_search_usage_errors(loaded: Run, args: list[str], message: str) -> None:
    result = loaded("programs", "search", *args)
    assert result.returncode == 2
    assert result.stderr.strip() == message or result.stderr.startswith(message)


def test_search_without_a_directory(run: Run) -> None:
    result = run("programs", "search")
    assert result.returncode == 1
    assert "no directory yet" in result.stderr


def test_show_groups_everything_known(loaded: Run) -> None:
    result = loaded("programs", "show", "TRH0003", "--near", "02139")
    groups = [line for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert groups == [
        "North Shore Opioid Treatment",
        "What it treats and how",
        "Where and when",
        "Cost and insurance",
        "Who it serves",
        "Staff licensing and accreditation",
        "Contact and intake",
        "Everything else the listing says",
        "Listing",
    ]
    assert "Pilot Services (new code) (ZZQ)  Peer recovery coaching by text" in result.stdout
    assert "Distance  10.6 mi" in result.stdout
    missing = loaded("programs", "show", "TRH9999")
    assert missing.returncode == 1
    assert missing.stderr == "no program 'TRH9999' (see: iopcli programs search)\n"


def test_compare_side_by_side_with_questions(loaded: Run, tmp_path: Path) -> None:
    result = loaded("programs", "compare", "TRH0001", "TRH0003", "--pays", "medicaid", "--json")
    data = json.loads(result.stdout)
    rows = {row["label"]: row["values"] for row in data["rows"]}
    assert rows["Intake phone"] == ["617-555-0101", "781-555-0300"]
    assert rows["Schedule"] == ["ask", "ask"]
    assert rows["Likely out-of-pocket"][0].startswith("Medicaid accepted")
    assert "Which therapies do you use (for example CBT, DBT)?" in data["questions"]["TRH0003"]
    assert "Which therapies do you use (for example CBT, DBT)?" not in data["questions"]["TRH0001"]
    assert loaded("programs", "compare", "TRH0001").returncode == 2


def test_compare_writes_markdown_and_html(loaded: Run, tmp_path: Path) -> None:
    md, page = tmp_path / "c.md", tmp_path / "c.html"
    assert loaded("programs", "compare", "TRH0001", "svc-iop-1", "--out", str(md)).returncode == 0
    assert loaded("programs", "compare", "TRH0001", "TRH0002", "--out", str(page)).returncode == 0
    assert md.stat().st_mode & 0o777 == 0o600
    tokens = MarkdownIt().enable("table").parse(md.read_text())
    header: list[str] = []
    cells: list[str] = []
    where: list[str] | None = None
    for token in tokens:
        where = {"th_open": header, "td_open": cells}.get(token.type, where)
        if token.type in ("th_close", "td_close"):
            where = None
        if token.type == "inline" and where is not None:
            where.append(token.content)
    assert header == [
        "",
        "Harbor Recovery Center",
        "Lakeview Intensive Outpatient Program (Lakeview Health)",
    ]
    assert cells[cells.index("**Intake phone**") + 2] == "(312) 555-0151"

    class Table(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th") and self.rows:
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append("".join(self.cell))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parsed = Table()
    parsed.feed(page.read_text())
    assert parsed.rows[0] == [
        "",
        "Harbor Recovery Center",
        "Riverside Day Program (Women's Program)",
    ]
    assert ["Intake phone", "617-555-0101", "617-555-0200"] in parsed.rows
    assert "<script" not in page.read_text()


def test_files_that_hold_no_programs(run: Run) -> None:
    feeds = Path(__file__).parent / "feeds"
    meetings = run("programs", "import", str(feeds / "meeting-guide.json"))
    assert meetings.returncode == 1
    assert meetings.stderr.endswith(
        "a meeting-guide meeting feed, not programs: use iopcli directory import\n"
    )
    # Services read well that are not treatment are not "rows that could not be read".
    services = run("programs", "import", str(feeds / "hsds.json"))
    assert services.returncode == 0, services.stderr
    assert "0 added, 0 updated, 0 unchanged, 0 removed, 2 skipped" in services.stdout
    assert "4 service(s) are not treatment programs" in services.stderr


def test_tab_completes_program_ids(loaded: Run, tmp_path: Path) -> None:
    from test_completion import values

    assert values(tmp_path, "iopcli programs show TRH000") == [
        "TRH0001",
        "TRH0002",
        "TRH0003",
        "TRH0004",
        "TRH0005",
    ]
    assert values(tmp_path, "iopcli programs compare TRH0001 svc") == ["svc-iop-1"]
    assert values(tmp_path, "iopcli programs ") == ["import", "search", "show", "compare"]


def test_one_bad_file_among_several_fails_alone(run: Run) -> None:
    result = run("programs", "import", str(ALL_BAD), str(PAGES))
    assert result.returncode == 1
    assert f"{ALL_BAD}: none of its 3 rows could be read; nothing was imported" in result.stderr
    assert f"{PAGES}: locator 'locator-pages': 5 added" in result.stdout
    assert run("programs", "show", "TRH0005").returncode == 0


def test_program_commands_load_no_pydantic(loaded: Run, process: Any) -> None:
    """search, show and compare start without pydantic (the plan models are not needed)."""
    result = process(
        "programs",
        "search",
        "--near",
        "02139",
        "--within",
        "20",
        "--level",
        "iop",
        PYTHONPROFILEIMPORTTIME="1",
    )
    assert result.returncode == 0, result.stderr[-500:]
    names = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "iopcli.program_index" in names
    assert not {n for n in names if n.split(".")[0] in ("pydantic", "rich")}


def test_within_must_be_a_distance(loaded: Run) -> None:
    result = loaded("programs", "search", "--near", "02139", "--within", "-3")
    assert result.returncode == 2
    assert result.stderr == "--within: '-3' is not a distance in miles (e.g. 25)\n"
