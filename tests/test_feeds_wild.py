"""Feeds as they are published in the wild (issue 13), and the feed side of the hardening issue
(issue 12, items 3 to 5 and the memory figure).

The fixtures in tests/feeds/wild are invented, shaped like real published files: Meeting Guide
exports with types as strings, duplicate slugs, dial-in strings and a bad optional field; a BMLT
answer with its formats; HSDS 3.0 single objects and pages; HSDS 1.x and 3.0 data packages.
Feeds are written with the json module and read back; the directory is a real SQLite file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopcli import feeds
from iopcli.directory import DB_NAME, Directory, DirectoryError, open_directory, upstream_changes
from iopcli.feeds import Feed, FeedError, FeedRecord, clean_text, parse_json_feed, read_feed
from iopcli.model import Attendance, Meeting, Resource, ResourceCategory, Weekday
from iopcli.values import tel_uri

WILD = Path(__file__).resolve().parent / "feeds" / "wild"
MG_WILD = WILD / "meeting-guide-wild.json"


def records(feed: Feed) -> dict[str, FeedRecord]:
    return {r.source_id: r for r in feed.load().records}


def meeting(record: FeedRecord) -> Meeting:
    assert isinstance(record.item, Meeting), record
    return record.item


def resource(record: FeedRecord) -> Resource:
    assert isinstance(record.item, Resource), record
    return record.item


def mg(slug: str, **fields: Any) -> dict[str, Any]:
    return {"slug": slug, "name": f"Meeting {slug}", "day": 1, "time": "19:00", **fields}


def parse(rows: Any) -> Feed:
    return parse_json_feed(rows, "test", None, "inline.json")


@contextlib.contextmanager
def directory(home: Path) -> Iterator[Directory]:
    with contextlib.closing(open_directory(home)) as opened:
        yield opened


def write(path: Path, rows: Any) -> Path:
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return path


def live(home: Path, source: str) -> set[str]:
    with contextlib.closing(sqlite3.connect(home / DB_NAME)) as db:
        rows = db.execute(
            "SELECT source_id FROM entries WHERE source = ? AND removed_at IS NULL", (source,)
        ).fetchall()
    return {r[0] for r in rows}


@pytest.fixture(scope="module")
def wild() -> Feed:
    return read_feed(MG_WILD, "chi").load()


# --- Meeting Guide: types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        ("[open]", ["open"]),
        ("C,W", ["C", "W"]),
        ("O", ["O"]),
        ('["O", "D"]', ["O", "D"]),
        (" O , SP ,", ["O", "SP"]),
        ([""], []),
        (["O", "", "O", "LGBTQ"], ["O", "LGBTQ"]),
        (["Big Book", "xyz"], ["Big Book", "xyz"]),  # unknown codes are kept as written
        (None, []),
    ],
)
def test_types_in_every_published_form(types: Any, expected: list[str]) -> None:
    feed = parse([mg("m", types=types)])
    assert meeting(records(feed)["m"]).types == expected
    assert feed.skipped == []


def test_types_read_one_character_at_a_time_no_longer(wild: Feed) -> None:
    # The fault: "types": "[open]" was read as '[', 'o', ... and every meeting was lost.
    found = records(wild)
    assert meeting(found["pass-it-on-early-birds"]).types == ["open"]
    assert meeting(found["pass-it-on-evening"]).types == ["C", "W"]
    assert meeting(found["pass-it-on-evening"]).type_names == {"C": "Closed", "W": "Women"}
    assert meeting(found["lunch-bunch"]).types == ["O"]
    assert meeting(found["empty-types"]).types == []
    assert wild.skipped == []


@pytest.mark.parametrize("value", [True, 3, 2.5, {"a": 1}])
def test_types_of_the_wrong_type_keep_the_meeting(value: Any) -> None:
    feed = parse([mg("m", types=value)])
    assert meeting(records(feed)["m"]).types == []
    assert feed.notes == [
        f"record 1 (m): types: {json.dumps(value)} is not a list of codes;"
        " left out, the record is kept"
    ]


# --- Meeting Guide: duplicates ------------------------------------------------------------------


def test_duplicate_slug_an_active_listing_replaces_a_closed_one(wild: Feed) -> None:
    (kept,) = [r for r in wild.records if r.source_id == "westside-serenity"]
    assert kept.active is True
    assert meeting(kept).location == "New library room"
    assert (
        "westside-serenity: listed twice; the inactive listing was left out, the active one kept"
        in wild.notes
    )


def test_duplicate_slug_a_closed_listing_never_replaces_an_active_one() -> None:
    feed = parse(
        [
            mg("dup", location="New hall"),
            mg("dup", location="Old hall", types=["O", "TC"]),
        ]
    )
    (only,) = [r for r in feed.records if r.source_id == "dup"]
    assert only.active is True
    assert meeting(only).location == "New hall"
    assert feed.notes == [
        "dup: listed twice; the inactive listing was left out, the active one kept"
    ]


def test_duplicate_slug_two_active_listings_are_both_kept_by_place(wild: Feed) -> None:
    found = records(wild)
    assert meeting(found["keep-coming-back"]).location == "Uptown Center"
    second = found["keep-coming-back--rogers-park-center"]
    assert meeting(second).location == "Rogers Park Center"
    assert meeting(second).id == "keep-coming-back-rogers-park-center"
    assert meeting(second).source is not None
    assert meeting(second).source.id == "keep-coming-back--rogers-park-center"  # type: ignore[union-attr]


def test_duplicates_in_the_directory_count_once(tmp_path: Path) -> None:
    # The fault: the active group was silently replaced by the closed one, "1 updated".
    rows = [mg("dup", location="Open hall"), mg("dup", location="Closed hall", types=["TC"])]
    path = write(tmp_path / "dup.json", rows)
    with directory(tmp_path / "home") as d:
        result = d.import_feed(read_feed(path, "s"), "s", str(path))
        assert (result.added, result.updated, result.unchanged) == (1, 0, 0)
        assert result.notes == [
            "dup: listed twice; the inactive listing was left out, the active one kept"
        ]
        listing = d.find("dup")
        assert listing.active is True
        assert listing.data["location"] == "Open hall"
        # Closed first, then active: the active one is what the directory holds.
        path = write(tmp_path / "dup2.json", list(reversed(rows)))
        again = d.import_feed(read_feed(path, "s"), "s", str(path))
        assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
        assert d.find("dup").active is True


# --- Meeting Guide: dial-in numbers, bad optional fields ---------------------------------------


def test_dial_in_numbers_keep_pauses_meeting_id_and_pin(wild: Feed) -> None:
    found = records(wild)
    first = meeting(found["pass-it-on-early-birds"])
    assert first.online_phone == "+13017158592,,503536771#"
    assert first.online_notes == "Passcode 4321 when asked"  # conference_phone_notes
    assert tel_uri(first.online_phone) == "tel:+13017158592,,503536771%23"
    night = meeting(found["online-only-night"])
    assert night.online_phone == "+16699009128,,71771828957#,,#,,777644#"
    assert tel_uri(night.online_phone) == "tel:+16699009128,,71771828957%23,,%23,,777644%23"


def test_a_bad_optional_field_is_left_out_and_the_meeting_kept(wild: Feed) -> None:
    item = meeting(records(wild)["bad-fields-kept"])
    assert (item.online_phone, item.url, item.email, item.latitude, item.timezone) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert item.address == "9 Kept St, Chicago, IL 60601"
    notes = [n for n in wild.notes if n.startswith("record 10 (bad-fields-kept): ")]
    fields = sorted(n.split(": ")[1] for n in notes)
    assert fields == ["conference_phone", "email", "latitude", "timezone", "url"]
    assert all(n.endswith("; left out, the record is kept") for n in notes)
    assert "'+1+16699009128' is not a phone number" in " ".join(notes)


def test_a_bad_required_field_still_skips_with_the_feed_name_of_the_field() -> None:
    feed = parse([mg("ok"), mg("bad", time="25:00"), mg("noname", name="")])
    assert list(records(feed)) == ["ok"]
    assert feed.skipped == [
        "record 2 (bad): time: '25:00' is not a time of day: hours go from 0 to 23",
        "record 3 (noname): name: is required but missing",
    ]
    assert feed.skipped_ids == {"bad", "noname"}


# --- Meeting Guide: the fields people search and read ---------------------------------------------


def test_every_field_people_search_and_read_is_imported(wild: Feed) -> None:
    item = meeting(records(wild)["pass-it-on-early-birds"])
    assert item.group == "Pass It On Group"
    assert item.region == "Chicago > Logan Square"
    assert item.district == "District 12"
    assert item.location_notes == "Use the alley door; ring the bell."
    assert item.url == "https://aa-example.org/meetings/pass-it-on-early-birds/"
    assert item.website == "https://passiton.example.org"
    assert item.email == "passiton@example.org"
    assert item.phone == "(773) 555-0190"
    assert item.attendance is Attendance.HYBRID
    assert (item.latitude, item.longitude) == (41.9239, -87.7067)
    assert [c.model_dump(exclude_none=True) for c in item.contacts] == [
        {"name": "Sam", "email": "sam@example.org", "phone": "(773) 555-0191"},
        {"name": "Alex"},
    ]
    assert [(t.service, t.handle, t.url) for t in item.seventh_tradition] == [
        ("venmo", "@PassItOnChicago", "https://venmo.com/u/PassItOnChicago"),
        ("paypal", "PassItOnChicago", "https://www.paypal.me/PassItOnChicago"),
        ("square", "$PassItOnChi", "https://cash.app/$PassItOnChi"),
    ]
    assert records(wild)["pass-it-on-early-birds"].updated == dt.date(2021, 9, 6)  # 9/6/2021


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("9/6/2021", dt.date(2021, 9, 6)),
        ("12/31/21", dt.date(2021, 12, 31)),
        ("2021-09-06 14:11:09", dt.date(2021, 9, 6)),
        ("2021-09-06T14:11:09Z", dt.date(2021, 9, 6)),
        ("13/45/2021", None),
        ("9999-12-31", None),  # outside 1900-2200: no date a plan could hold
        ("soon", None),
    ],
)
def test_updated_dates_as_published(published: str, expected: dt.date | None) -> None:
    feed = parse([mg("m", updated=published)])
    assert records(feed)["m"].updated == expected


@pytest.mark.parametrize(
    ("time", "end", "start_expected", "end_expected"),
    [
        ("8:00 PM", None, dt.time(20, 0), dt.time(21, 0)),
        ("20:00:00", "21:30:00", dt.time(20, 0), dt.time(21, 30)),
        ("7 pm", None, dt.time(19, 0), dt.time(20, 0)),
        ("7:30 a.m.", "8:15 am", dt.time(7, 30), dt.time(8, 15)),
    ],
)
def test_times_as_published_and_one_hour_by_default(
    time: str, end: str | None, start_expected: dt.time, end_expected: dt.time
) -> None:
    item = meeting(records(parse([mg("m", time=time, end_time=end)]))["m"])
    assert (item.start, item.end_time) == (start_expected, end_expected)


def test_inactive_meetings_are_kept_and_flagged(wild: Feed) -> None:
    found = records(wild)
    assert found["not-meeting-now"].active is False
    assert meeting(found["not-meeting-now"]).attendance is Attendance.INACTIVE
    assert found["westside-serenity"].active is True
    assert meeting(found["online-only-night"]).attendance is Attendance.ONLINE


def test_a_meeting_with_neither_day_nor_time_is_kept_as_by_appointment(wild: Feed) -> None:
    record = records(wild)["step-study-appointment"]
    item = resource(record)
    assert record.kind == "resource"
    assert item.hours == "By appointment"
    assert item.category is ResourceCategory.PEER_SUPPORT
    assert item.phone == "(312) 555-0199"
    assert item.notes == "Call to arrange a first meeting with a sponsor."


def test_a_meeting_with_a_time_but_no_day_is_skipped_with_the_reason() -> None:
    feed = parse([{"slug": "t", "name": "T", "time": "19:00"}])
    assert feed.skipped == ["record 1 (t): no day (a meeting needs a day and a time)"]


# --- control characters (issue 12, item 3) ------------------------------------------------------


def test_control_characters_are_stripped_from_feed_records(wild: Feed) -> None:
    item = meeting(records(wild)["escape-hall"])
    assert item.name == "Escape Hall"  # the OSC title sequence and ESC[8m are gone, whole
    assert item.notes == "Bell and NUL and C1 here\nsecond line"


CONTROL = st.sampled_from(["\x1b", "\x07", "\x00", "\x7f", "\x9b", "\x1b]0;x\x07", "\x1b[8m", "\r"])
PLAIN = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=12)


@settings(max_examples=40, deadline=None)
@given(parts=st.lists(st.one_of(PLAIN, CONTROL), min_size=1, max_size=8))
def test_no_control_character_survives_a_feed(parts: list[str]) -> None:
    text = "".join(parts)
    feed = parse([mg("m", name="N" + text, notes=text, location="L" + text)])
    for record in feed.records:
        dumped = json.dumps(record.item.model_dump(mode="json"), ensure_ascii=False)
        assert not any(
            (ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F
            for ch in json.loads(dumped)["name"] + (json.loads(dumped).get("notes") or "")
        )
    assert clean_text("a\x1b]8;;https://x.example/\x07link\x1b]8;;\x07b") == "alinkb"


# --- wrong-typed fields (issue 12, item 5) ------------------------------------------------------


def test_hsds_wrong_typed_fields_skip_only_their_record() -> None:
    feed = read_feed(WILD / "hsds-wrong-types.json", "h").load()
    assert list(records(feed)) == ["svc-ok"]
    assert feed.skipped == [
        "record 2 (svc-phones-true): phones: true is not a list",
        "record 3 (svc-schedules-num): schedules: 3 is not a list",
        "record 4 (svc-sal-true): service_at_locations: true is not a list",
        'record 5 (svc-org-list): organization: ["a"] is not an object',
    ]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
MG_KEYS = [
    "day", "time", "end_time", "types", "name", "conference_phone", "regions", "latitude",
    "attendance_option", "updated", "contact_1_phone", "venmo", "address", "timezone",
]  # fmt: skip
HSDS_KEYS = [
    "phones", "schedules", "service_at_locations", "organization", "languages", "status",
    "attributes", "cost_options", "eligibility", "name", "assured_date", "minimum_age",
]  # fmt: skip
BMLT_KEYS = ["weekday_tinyint", "start_time", "duration_time", "formats", "latitude", "published"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["mg", "hsds", "bmlt"]),
    values=st.dictionaries(st.integers(0, 13), JSON_VALUES, min_size=1, max_size=4),
)
def test_any_value_in_any_field_is_a_record_or_a_reason(kind: str, values: dict[int, Any]) -> None:
    if kind == "mg":
        row: dict[str, Any] = mg("x") | {MG_KEYS[k % len(MG_KEYS)]: v for k, v in values.items()}
    elif kind == "hsds":
        row = {"id": "x", "name": "Service", "description": "A food pantry."}
        row |= {HSDS_KEYS[k % len(HSDS_KEYS)]: v for k, v in values.items()}
    else:
        row = {"id_bigint": "x", "meeting_name": "M", "weekday_tinyint": 2, "start_time": "19:00"}
        row |= {BMLT_KEYS[k % len(BMLT_KEYS)]: v for k, v in values.items()}
    good = {"id_bigint": "y", "meeting_name": "M", "weekday_tinyint": 2, "start_time": "19:00"}
    other = {"mg": mg("y"), "hsds": {"id": "y", "name": "Other", "status": "active"}}
    try:
        feed = parse([other.get(kind, good), row])
    except FeedError:
        return  # the first record decides the format; nothing else may escape
    found = records(feed)
    assert "y" in found
    assert ("x" in found) or any(s.startswith("record 2") for s in feed.skipped), feed.skipped


# --- BMLT ---------------------------------------------------------------------------------------


def test_bmlt_places_coordinates_links_and_format_names() -> None:
    feed = read_feed(WILD / "bmlt-with-formats.json", "denver").load()
    found = records(feed)
    hope = meeting(found["5101"])
    assert hope.days == [Weekday.WED]  # weekday_tinyint 4, 1 = Sunday
    assert hope.address == "77 Aspen Way, Denver, CO 80211, USA"
    assert hope.region == "Highland > Denver County > Denver"
    assert (hope.latitude, hope.longitude) == (39.7621, -105.0101)
    assert hope.online_url == "https://zoom.example.com/j/8887776665"
    assert hope.online_phone == "+17205550100,,8887776665#"
    assert hope.online_notes == "Meeting ID 888 777 6665"
    assert hope.location_notes == "Enter from the parking lot"
    assert hope.notes == "Literature table after the meeting."
    assert hope.attendance is Attendance.HYBRID
    assert hope.type_names == {"O": "Open", "JT": "Just for Today", "VM": "Virtual Meeting"}
    sunday = meeting(found["5102"])
    assert sunday.days == [Weekday.SUN]
    assert (sunday.latitude, sunday.longitude) == (None, None)  # 0, 0 is BMLT's "not set"
    assert sunday.region == "Jefferson County > Lakewood"


@pytest.mark.parametrize("name", ["bmlt-empty-object.json", "bmlt-empty-with-formats.json"])
def test_an_empty_bmlt_answer_is_an_empty_feed(name: str, tmp_path: Path) -> None:
    feed = read_feed(WILD / name, "denver").load()
    assert (feed.format, list(feed.records), feed.skipped) == ("empty", [], [])
    # ... and the empty-feed guard applies to it.
    home = tmp_path / "home"
    with directory(home) as d:
        d.import_feed(read_feed(WILD / "bmlt-with-formats.json", "denver"), "denver", "f")
        with pytest.raises(DirectoryError, match="the feed is empty"):
            d.import_feed(read_feed(WILD / name, "denver"), "denver", str(WILD / name))
    assert live(home, "denver") == {"5101", "5102"}


# --- HSDS 3.0 JSON ------------------------------------------------------------------------------


def test_hsds3_single_service_object() -> None:
    feed = read_feed(WILD / "hsds3-service.json", "h").load()
    (record,) = feed.records
    item = resource(record)
    assert item.name == "Recovery Housing Help Line (Housing Help Collaborative)"
    assert item.phone == "(303) 555-0141"  # the quotes inside the value are cleaned
    assert [(p.number, p.kind, p.description) for p in item.other_phones] == [
        ("(303) 555-0142", "text", None),
        ("(303) 555-0143", "fax", None),
        ("(303) 555-0140", "voice", "Main office"),
        ("(303) 555-0144", "voice", "Front desk"),
    ]
    assert item.address == "1600 Glenarm Pl, Denver, CO 80202"  # physical before postal
    assert [(h.days, h.opens, h.closes) for h in item.opening_hours] == [
        (
            [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI],
            dt.time(9),
            dt.time(17),
        ),
        ([Weekday.SAT], dt.time(10), dt.time(13)),
    ]
    assert item.hours == "MO,TU,WE,TH,FR 09:00-17:00; SA 10:00-13:00; 2MO 18:00-20:00"
    assert item.languages == ["English", "Spanish"]
    assert item.fees == "Free.; Sliding scale: 0 USD"
    assert item.eligibility == "Adults in recovery from substance use.; ages 18 to any"
    assert item.accessibility == "Wheelchair accessible entrance: Ramp on 16th St"
    assert item.email == "help@housinghelp.example.org"
    assert item.taxonomy == ["Housing Search and Information"]
    assert item.category is ResourceCategory.HOUSING
    assert (item.latitude, item.longitude) == (39.7392, -104.9903)
    assert item.verified == dt.date(2026, 8, 20)


def test_hsds3_organization_with_its_services() -> None:
    found = records(read_feed(WILD / "hsds3-organization.json", "h"))
    pantry = resource(found["svc-pantry"])
    assert pantry.name == "Weekly Pantry (Eastside Food Network)"
    assert pantry.phone == "(303) 555-0150"  # the organization's phone
    assert pantry.url == "https://eastfood.example.org"
    assert pantry.category is ResourceCategory.FOOD
    assert resource(found["svc-meals"]).name == "Community Meals (Another Org)"


def test_hsds3_paginated_response_with_service_at_location() -> None:
    feed = read_feed(WILD / "hsds3-page.json", "h").load()
    found = records(feed)
    counsel = resource(found["svc-counsel"])
    assert counsel.address == "10 North St, Denver, CO 80216"
    assert counsel.category is ResourceCategory.MENTAL_HEALTH  # Open Eligibility "Mental Care"
    assert found["svc-jobs"].active is False
    assert feed.skipped == ["record 3 (svc-old): status is defunct"]


@pytest.mark.parametrize(
    ("terms", "words", "expected"),
    [
        ([("BD-1800.2000", "Food Pantries")], "nothing", ResourceCategory.FOOD),
        ([("BH-1800", None)], "a medical clinic", ResourceCategory.HOUSING),
        ([("PN-8100.6500", None)], "x", ResourceCategory.PEER_SUPPORT),
        ([("ND-6500", None)], "x", ResourceCategory.EMPLOYMENT),
        ([(None, "Legal")], "food", ResourceCategory.LEGAL),
        ([(None, "Work")], "x", ResourceCategory.EMPLOYMENT),
        ([(None, "Unknown Term")], "a food pantry", ResourceCategory.FOOD),  # the guess
    ],
)
def test_taxonomy_decides_the_category_before_words(
    terms: list[tuple[str | None, str | None]], words: str, expected: ResourceCategory
) -> None:
    attributes = [{"taxonomy_term": {"code": c, "name": n}} for c, n in terms]
    feed = parse([{"id": "s", "name": "Service", "description": words, "attributes": attributes}])
    assert resource(records(feed)["s"]).category is expected


# --- HSDS data packages -------------------------------------------------------------------------


def test_hsds3_data_package_folder() -> None:
    found = records(read_feed(WILD / "hsds3-package", "east"))
    coach = resource(found["svc-a"])
    assert coach.phone == "+44 1234 234567"  # '"+44 1234 234567"' in the CSV
    assert [p.description for p in coach.other_phones] == [
        "Alliance main line",
        "House front desk",
    ]
    assert coach.address == "42 Colfax Ave, Denver, CO 80203"
    assert [(h.days, h.opens, h.closes) for h in coach.opening_hours] == [
        ([Weekday.MON, Weekday.WED, Weekday.FRI], dt.time(9), dt.time(17)),
        ([Weekday.SAT], dt.time(10), dt.time(14)),
    ]
    assert coach.languages == ["English", "Spanish"]
    assert coach.fees == "No cost"
    assert coach.eligibility == "Adults 18 and over"
    assert coach.accessibility == "Step-free entrance: Lift at the back door"
    assert coach.taxonomy == ["Peer Support Services"]
    assert coach.category is ResourceCategory.PEER_SUPPORT
    assert coach.email == "coach@peer.example.org"
    assert (coach.latitude, coach.longitude) == (39.75, -104.95)
    rides = resource(found["svc-b"])
    assert rides.category is ResourceCategory.TRANSPORTATION
    assert rides.phone == "(303) 555-0162"
    assert rides.hours == "Call a day ahead to book"
    assert rides.fees == "Medicaid members: 0 USD: Free with Medicaid"


def test_hsds1_data_package_zip(tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "legal.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted((WILD / "hsds1-package").glob("*.csv")):
            out.write(path, f"package/{path.name}")
    item = resource(records(read_feed(archive, "legal"))["s1"])
    assert item.address == "500 Court St, Springfield, IL 62701"  # physical, not postal
    assert item.hours == "Mon 09:00-12:00; Wed 09:00-12:00; Fri 13:00-16:00"
    assert [(h.days, h.opens) for h in item.opening_hours] == [
        ([Weekday.MON, Weekday.WED], dt.time(9)),
        ([Weekday.FRI], dt.time(13)),
    ]
    assert item.languages == ["English", "Polish"]
    assert item.fees == "Free"
    assert item.eligibility == "Residents of Sangamon County"
    assert item.accessibility == "Elevator: To the second floor"
    assert item.category is ResourceCategory.LEGAL
    assert item.taxonomy == ["Legal"]


def test_postal_address_when_there_is_no_physical(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "services.csv").write_text("id,name\ns1,Mail Only\n")
    (folder / "locations.csv").write_text("id,name\nl1,Box\n")
    (folder / "service_at_location.csv").write_text("id,service_id,location_id\nx,s1,l1\n")
    (folder / "postal_addresses.csv").write_text(
        "id,location_id,address_1,city,state_province,postal_code\np,l1,PO Box 7,Town,IL,62000\n"
    )
    assert resource(records(read_feed(folder, "p"))["s1"]).address == "PO Box 7, Town, IL 62000"


# --- the directory: guards (issue 12, item 4) -----------------------------------------------------


def chi(home: Path) -> None:
    with directory(home) as d:
        d.import_feed(read_feed(MG_WILD, "chi"), "chi", str(MG_WILD))


def test_a_feed_whose_records_were_all_skipped_removes_nothing(tmp_path: Path) -> None:
    # The fault: echo '[{"day": 1}]' > f.json; directory import f.json --source chi
    # -> "4 removed, 1 skipped".
    home = tmp_path / "home"
    chi(home)
    before = live(home, "chi")
    bad = write(tmp_path / "f.json", [{"day": 1}])
    with directory(home) as d, pytest.raises(DirectoryError) as raised:
        d.import_feed(read_feed(bad, "chi"), "chi", str(bad))
    assert str(raised.value) == (
        f"{bad}: none of its 1 records could be read (record 1: no slug), so every listing of"
        " 'chi' would be"
        " removed; nothing was changed (a failed download or a changed format?)"
    )
    assert live(home, "chi") == before


def test_removing_most_of_a_source_needs_to_be_asked_for(tmp_path: Path) -> None:
    home = tmp_path / "home"
    chi(home)
    before = live(home, "chi")
    rows = json.loads(MG_WILD.read_text())[:2]  # 2 of 15 listings left
    small = write(tmp_path / "small.json", rows)
    with directory(home) as d:
        with pytest.raises(DirectoryError, match="--allow-mass-removal") as raised:
            d.import_feed(read_feed(small, "chi"), "chi", str(small))
        assert f"{len(before) - 2} of the {len(before)} listings of 'chi'" in str(raised.value)
        assert live(home, "chi") == before
        result = d.import_feed(read_feed(small, "chi"), "chi", str(small), allow_mass_removal=True)
    assert len(result.removed) == len(before) - 2
    assert live(home, "chi") == {"pass-it-on-early-birds", "pass-it-on-evening"}


def test_a_few_removals_need_no_permission(tmp_path: Path) -> None:
    home = tmp_path / "home"
    chi(home)
    rows = [r for r in json.loads(MG_WILD.read_text()) if r["slug"] != "lunch-bunch"]
    fewer = write(tmp_path / "fewer.json", rows)
    with directory(home) as d:
        result = d.import_feed(read_feed(fewer, "chi"), "chi", str(fewer))
    assert result.removed == ["Lunch Bunch (lunch-bunch)"]


def test_a_feed_broken_part_way_changes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    chi(home)
    before = live(home, "chi")
    good = json.dumps([mg(f"m{i}") for i in range(40)], indent=1)
    broken = tmp_path / "broken.json"
    broken.write_text(good[: len(good) * 2 // 3] + "\n  {oops\n")
    feed = read_feed(broken, "chi")  # the start reads fine: the error is found while importing
    with directory(home) as d, pytest.raises(FeedError) as raised:
        d.import_feed(feed, "chi", str(broken))
    line = good[: len(good) * 2 // 3].count("\n") + 2
    assert str(raised.value).startswith(f"{broken}:{line}: not valid JSON (")
    assert live(home, "chi") == before


def test_refresh_never_removes_a_plan_item_whose_listing_vanished(tmp_path: Path) -> None:
    home = tmp_path / "home"
    chi(home)
    with directory(home) as d:
        lunch = d.find("lunch-bunch")
        body = {"meetings": [{**lunch.data, "id": "lunch"}], "resources": []}
        rows = [r for r in json.loads(MG_WILD.read_text()) if r["slug"] != "lunch-bunch"]
        fewer = write(tmp_path / "fewer.json", rows)
        d.import_feed(read_feed(fewer, "chi"), "chi", str(fewer))
        changes, refreshed = upstream_changes(body, d)
    assert changes == [
        "meetings[lunch]: Lunch Bunch: no longer listed in chi (closed or moved?); kept in the"
        " plan: check it and remove it by hand if it is gone"
    ]
    assert refreshed["meetings"] == body["meetings"]


# --- search -------------------------------------------------------------------------------------


def test_group_names_and_new_fields_are_searchable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    chi(home)
    with directory(home) as d:
        assert {e.ref for e in d.search("Pass It On")} == {
            "pass-it-on-early-birds",
            "pass-it-on-evening",
        }
        assert {e.ref for e in d.search("Logan Square")} == {"pass-it-on-early-birds"}
        assert {e.ref for e in d.search("alley door")} == {"pass-it-on-early-birds"}
        assert {e.ref for e in d.search("Women")} == {
            "pass-it-on-evening",
            "step-study-appointment",
        }
        online = {e.ref for e in d.search(online=True)}
        in_person = {e.ref for e in d.search(online=False)}
    assert "online-only-night" in online
    assert "pass-it-on-evening" not in online  # attendance: in_person
    assert "pass-it-on-early-birds" in online & in_person  # hybrid


# --- reading a big list record by record ---------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "name": st.text(min_size=1, max_size=30).filter(lambda s: s.strip()),
                "day": st.integers(0, 6),
                "time": st.sampled_from(["07:00", "12:30", "19:00", "8:00 PM"]),
                "notes": st.text(max_size=60),
            }
        ),
        max_size=12,
    ),
    chunk=st.integers(1, 64),
    indent=st.sampled_from([None, 1, 4]),
)
def test_streamed_lists_read_the_same_at_any_chunk_size(
    rows: list[dict[str, Any]], chunk: int, indent: int | None, tmp_path_factory: Any
) -> None:
    path = tmp_path_factory.mktemp("s") / "feed.json"
    data = [{**row, "slug": f"s{i}"} for i, row in enumerate(rows)]
    path.write_text(json.dumps(data, indent=indent, ensure_ascii=bool(chunk % 2)), "utf-8")
    expected = parse(data)
    old = feeds._CHUNK
    feeds._CHUNK = chunk
    try:
        streamed = read_feed(path, "test").load()
    finally:
        feeds._CHUNK = old
    assert [(r.source_id, r.item) for r in streamed.records] == [
        (r.source_id, r.item) for r in expected.records
    ]
    assert streamed.skipped == expected.skipped


def test_a_json_list_is_read_lazily(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.json", [mg(f"m{i}") for i in range(5)])
    feed = read_feed(path, "lazy")
    assert not isinstance(feed.records, list)
    first = next(iter(feed.records))
    assert first.source_id == "m0"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"slug": "a", "name": "A", "day": 1, "time": "19:00"} {"x": 1}]', ":1: not valid JSON"),
        ('[{"slug": "a", "name": "A", "day": 1, "time": "19:00"}] extra', ":1: not valid JSON"),
        ('[\n{"slug": "a", "name": "A", "day": 1, "time": "19:00"},\n', ":3: not valid JSON"),
    ],
)
def test_broken_lists_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(text)
    with pytest.raises(FeedError, match=message):
        read_feed(path, "b").load()


# --- what a listing brings into a plan, its handout and its calendar ------------------------------


def test_a_listing_reaches_the_plan_the_handout_and_the_calendar(tmp_path: Path) -> None:
    import vobject

    from iopcli.ics import plan_to_ics
    from iopcli.markdown import plan_to_markdown
    from iopcli.planfile import dump_plan, parse_plan, read_plan

    home = tmp_path / "home"
    chi(home)
    with directory(home) as d:
        early = d.find("pass-it-on-early-birds").data
        coaching = None
    examples = Path(__file__).resolve().parent.parent / "examples"
    base = read_plan(str(examples / "alcohol-depression.yaml"))
    with directory(home) as d:
        d.import_feed(read_feed(WILD / "hsds3-package", "east"), "east", "east")
        coaching = d.find("svc-a").data
    plan = base.model_copy(
        update={
            "meetings": [Meeting.model_validate(early)],
            "resources": [Resource.model_validate(coaching)],
        }
    )
    # The plan file keeps every field (written, then read back by the plan reader).
    again = parse_plan(dump_plan(plan).encode(), "plan.yaml")
    assert again.meetings[0] == plan.meetings[0]
    assert again.resources[0] == plan.resources[0]

    handout = plan_to_markdown(plan)
    for expected in [
        "Use the alley door; ring the bell.",
        "group: Pass It On Group",
        "in person and online",
        "(tel:+13017158592,,503536771%23)",  # the dial-in link keeps id and pauses
        "[Sam](",  # never: a contact's name is text, not a link
        "[group website](https://passiton.example.org)",
        "[Venmo @PassItOnChicago](https://venmo.com/u/PassItOnChicago)",
        "[map](https://www.openstreetmap.org/?mlat=41.9239&mlon=-87.7067)",
        "languages: English, Spanish",
        "who can use it: Adults 18 and over",
        "access: Step-free entrance: Lift at the back door",
    ]:
        if expected.startswith("[Sam]("):
            assert expected not in handout
        else:
            assert expected in handout, expected

    calendar = vobject.readOne(plan_to_ics(plan).decode("utf-8"), validate=True)
    (event,) = [e for e in calendar.vevent_list if e.summary.value.startswith("Pass It On")]
    description = event.description.value.splitlines()
    for line in [
        "Group: Pass It On Group",
        "Attendance: In person and online",
        "Finding it: Use the alley door; ring the bell.",
        "Area: Chicago > Logan Square, District 12",
        "Group phone: (773) 555-0190",
        "Email: passiton@example.org",
        "Website: https://passiton.example.org",
        "Contact: Sam, (773) 555-0191, sam@example.org",
        "7th tradition: Venmo @PassItOnChicago (https://venmo.com/u/PassItOnChicago)",
    ]:
        assert line in description, description
    assert event.geo.value == "41.9239;-87.7067"
    assert "Phone: +13017158592,,503536771#" in description


# --- the commands (in-process) -----------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "alcohol-depression.yaml"
DANA_ID = "3f6c2a9e-7b41-4d2a-9c55-1e8a0d4b7f21"


def cli_ok(result: Any) -> Any:
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result


def cli_error(result: Any) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    return str(line)


def test_import_prints_what_was_left_out_and_search_finds_groups(run: Any) -> None:
    imported = cli_ok(run("directory", "import", str(MG_WILD), "--source", "chi"))
    assert imported.stdout.splitlines() == [
        f"{MG_WILD}: meeting-guide feed 'chi': 13 added, 0 updated, 0 unchanged, 0 removed,"
        " 0 skipped"
    ]
    notes = imported.stderr.splitlines()
    assert f"{MG_WILD}: note: record 13 (types-true): types: true is not a list of codes;" in (
        " ".join(notes)
    )
    assert (
        f"{MG_WILD}: note: westside-serenity: listed twice; the inactive listing was left out,"
        " the active one kept"
    ) in notes
    rows = json.loads(cli_ok(run("directory", "search", "Pass It On", "--json")).stdout)
    assert {r["ref"] for r in rows} == {"pass-it-on-early-birds", "pass-it-on-evening"}
    early = next(r for r in rows if r["ref"] == "pass-it-on-early-birds")
    assert early["group"] == "Pass It On Group"
    assert early["online_phone"] == "+13017158592,,503536771#"
    assert early["seventh_tradition"][0] == {"service": "venmo", "handle": "@PassItOnChicago"}
    assert early["updated"] == "2021-09-06"
    listed = cli_ok(run("directory", "search", "--limit", "100")).stdout.splitlines()
    assert any(line.startswith("not-meeting-now ") and "[inactive]" in line for line in listed)
    assert any(
        line.startswith("step-study-appointment ") and "[by appointment]" in line for line in listed
    )


def test_import_refuses_to_empty_a_source_and_takes_it_when_asked(run: Any, tmp_path: Path) -> None:
    cli_ok(run("directory", "import", str(MG_WILD), "--source", "chi"))
    bad = write(tmp_path / "f.json", [{"day": 1}])
    line = cli_error(run("directory", "import", str(bad), "--source", "chi"))
    assert line.startswith(f"{bad}: none of its 1 records could be read (record 1: no slug)")
    small = write(tmp_path / "small.json", json.loads(MG_WILD.read_text())[:2])
    line = cli_error(run("directory", "import", str(small), "--source", "chi"))
    assert line == (
        f"{small}: 11 of the 13 listings of 'chi' would be removed at once; nothing was changed."
        " If the feed is right, import it again with --allow-mass-removal"
    )
    taken = cli_ok(
        run("directory", "import", str(small), "--source", "chi", "--allow-mass-removal")
    )
    assert ": 0 added, 0 updated, 2 unchanged, 11 removed, 0 skipped" in taken.stdout


def test_refresh_apply_keeps_a_meeting_whose_listing_vanished(run: Any, tmp_path: Path) -> None:
    cli_ok(run("import", str(EXAMPLE)))
    cli_ok(run("directory", "import", str(MG_WILD), "--source", "chi"))
    cli_ok(run("edit", DANA_ID[:8], "meetings", "--add", "lunch-bunch", stdin=""))
    home = tmp_path / "home"
    from iopcli.store import open_store

    with contextlib.closing(open_store(home, create=False)) as store:
        revision, body = store.current_revision(DANA_ID), store.body(DANA_ID)
    rows = [r for r in json.loads(MG_WILD.read_text()) if r["slug"] != "lunch-bunch"]
    cli_ok(run("directory", "import", str(write(tmp_path / "v2.json", rows)), "--source", "chi"))
    applied = cli_ok(run("refresh", DANA_ID[:8], "--apply"))
    assert applied.stdout.splitlines() == [
        "meetings[lunch-bunch]: Lunch Bunch: no longer listed in chi (closed or moved?); kept in"
        " the plan: check it and remove it by hand if it is gone",
        "Nothing to take: check the entries above and edit the plan if they are gone.",
    ]
    with contextlib.closing(open_store(home, create=False)) as store:
        assert (store.current_revision(DANA_ID), store.body(DANA_ID)) == (revision, body)
