"""Reading published feeds (Meeting Guide, BMLT, Open Referral HSDS JSON and CSV) at library level.

Each format is told apart by its content and mapped onto the plan model's own Meeting or
Resource; malformed records are skipped with a reason naming them, and a feed that cannot be
read as a whole raises one FeedError.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from iopcli.feeds import Feed, FeedError, FeedRecord, parse_json_feed
from iopcli.feeds import read_feed as read_lazily
from iopcli.model import DirectoryRef, Fellowship, Meeting, Resource, ResourceCategory, Weekday

FEEDS = Path(__file__).resolve().parent / "feeds"
HSDS_CSV = FEEDS / "hsds-csv"


def read_feed(path: Path, source: str, fellowship: str | None = None) -> Feed:
    """The whole feed read at once (the lazy reading is tested in test_feeds_wild)."""
    return read_lazily(path, source, fellowship).load()


def by_id(feed: Feed) -> dict[str, FeedRecord]:
    return {record.source_id: record for record in feed.records}


def meeting(record: FeedRecord) -> Meeting:
    assert record.kind == "meeting"
    assert isinstance(record.item, Meeting)
    return record.item


def resource(record: FeedRecord) -> Resource:
    assert record.kind == "resource"
    assert isinstance(record.item, Resource)
    return record.item


def parse(rows: Any, fellowship: str | None = None) -> Feed:
    return parse_json_feed(rows, "test", fellowship, "inline.json")


def zip_folder(folder: Path, out: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, prefix + path.name)
    return out


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (FEEDS / "meeting-guide.json", "meeting-guide"),
        (FEEDS / "smart-recovery.json", "meeting-guide"),
        (FEEDS / "bmlt.json", "bmlt"),
        (FEEDS / "hsds.json", "hsds"),
        (HSDS_CSV, "hsds"),
    ],
    ids=["meeting-guide", "meeting-guide-wrapped", "bmlt", "hsds-json", "hsds-csv-folder"],
)
def test_format_is_detected_by_content(path: Path, expected: str) -> None:
    assert read_feed(path, "x").format == expected


def test_detection_ignores_the_file_name(tmp_path: Path) -> None:
    # A BMLT feed saved as "meeting-guide.json" and HSDS saved as .txt are still read for what
    # they are.
    bmlt = tmp_path / "meeting-guide.json"
    bmlt.write_bytes((FEEDS / "bmlt.json").read_bytes())
    hsds = tmp_path / "export.txt"
    hsds.write_bytes((FEEDS / "hsds.json").read_bytes())
    assert read_feed(bmlt, "x").format == "bmlt"
    assert read_feed(hsds, "x").format == "hsds"


@pytest.mark.parametrize("key", ["meetings", "data", "results"])
def test_a_list_wrapped_in_an_object_is_found(key: str) -> None:
    rows = [{"slug": "w", "name": "Wrapped", "day": 1, "time": "19:00"}]
    feed = parse({key: rows})
    assert feed.format == "meeting-guide"
    assert [r.source_id for r in feed.records] == ["w"]


def test_hsds_services_as_a_bare_list_and_wrapped_in_data() -> None:
    service = {"id": "s1", "name": "Food Shelf", "description": "A food pantry."}
    for payload in ([service], {"data": [service]}):
        feed = parse(payload)
        assert feed.format == "hsds"
        assert resource(feed.records[0]).category is ResourceCategory.FOOD


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (FEEDS / "meeting-guide.json").read_bytes())
    assert len(read_feed(path, "x").records) == 4


def test_an_empty_list_reads_as_an_empty_feed() -> None:
    feed = parse([])
    assert feed.format == "empty"
    assert feed.records == []
    assert feed.skipped == []


# --- Meeting Guide ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def meeting_guide() -> Feed:
    return read_feed(FEEDS / "meeting-guide.json", "mg")


def test_meeting_guide_sample_reads_four_meetings(meeting_guide: Feed) -> None:
    assert sorted(by_id(meeting_guide)) == [
        "lincoln-square-big-book",
        "night-owls-online",
        "saturday-morning-serenity",
        "temporarily-closed-tuesday",
    ]
    for record in meeting_guide.records:
        assert meeting(record).fellowship is Fellowship.AA  # the default for Meeting Guide


def test_meeting_guide_full_record(meeting_guide: Feed) -> None:
    record = by_id(meeting_guide)["lincoln-square-big-book"]
    item = meeting(record)
    assert item.id == "lincoln-square-big-book"
    assert item.name == "Lincoln Square Big Book Study"
    assert item.days == [Weekday.TUE, Weekday.THU]  # day [2, 4], 0 = Sunday
    assert item.start == dt.time(19, 0)
    assert item.end == dt.time(20, 15)
    assert item.timezone == "America/Chicago"
    assert item.types == ["C", "B", "X"]
    assert item.location == "St. Brendan's parish hall"
    assert item.address == "2231 W Fennimore St, Chicago, IL 60625, USA"
    assert item.location_notes == "Lower level, side door on Fennimore."
    assert item.notes is None
    assert item.type_names == {"C": "Closed", "B": "Big Book", "X": "Wheelchair Access"}
    assert item.online_url is None
    assert item.online_phone is None
    assert item.source == DirectoryRef(
        feed="mg", id="lincoln-square-big-book", updated=dt.date(2026, 10, 2)
    )
    assert record.updated == dt.date(2026, 10, 2)
    assert record.active is True


def test_meeting_guide_single_day_parts_address_and_default_end(meeting_guide: Feed) -> None:
    item = meeting(by_id(meeting_guide)["saturday-morning-serenity"])
    assert item.days == [Weekday.SAT]  # day 6
    assert item.start == dt.time(10, 0)
    assert item.end is None
    assert item.end_time == dt.time(11, 0)  # one hour after the start
    assert item.address == "1187 W Arbor Ln, Chicago, IL 60640, US"
    assert item.location == "Northside Community Center"
    assert item.types == ["O", "D", "W"]
    assert item.source is not None
    assert item.source.updated == dt.date(2026, 9, 15)


def test_meeting_guide_online_meeting(meeting_guide: Feed) -> None:
    record = by_id(meeting_guide)["night-owls-online"]
    item = meeting(record)
    assert item.days == [Weekday.SUN]  # day 0 is Sunday
    assert item.start == dt.time(21, 30)
    assert item.timezone == "America/New_York"
    assert item.online_url == "https://meet.example.org/j/5550142"
    assert item.online_phone == "+13125550142,,5550142#"  # the dial string, meeting id kept
    assert item.online_notes == "Meeting ID 555 0142, passcode owls"
    assert item.online
    assert not item.in_person
    assert item.address is None
    assert record.updated == dt.date(2024, 5, 1)


def test_meeting_guide_tc_is_temporarily_closed(meeting_guide: Feed) -> None:
    records = by_id(meeting_guide)
    assert records["temporarily-closed-tuesday"].active is False
    assert meeting(records["temporarily-closed-tuesday"]).types == ["O", "TC"]
    assert [r.source_id for r in meeting_guide.records if r.active] == [
        "lincoln-square-big-book",
        "saturday-morning-serenity",
        "night-owls-online",
    ]


def test_meeting_guide_malformed_records_are_skipped_with_reasons(meeting_guide: Feed) -> None:
    assert meeting_guide.skipped == [
        "record 5: no slug",
        "record 6 (by-appointment): no day (a meeting needs a day and a time)",
        "record 7 (bad-day): day 9 is not 0 (Sunday) to 6",
        "record 8 (bad-time): time: '25:00' is not a time of day: hours go from 0 to 23",
        "record 9: not an object",
    ]
    # Records with an id are remembered, so a re-import keeps what the directory had for them.
    assert meeting_guide.skipped_ids == {"by-appointment", "bad-day", "bad-time"}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (0, [Weekday.SUN]),
        (1, [Weekday.MON]),
        (6, [Weekday.SAT]),
        ("3", [Weekday.WED]),
        ([0, 6], [Weekday.SUN, Weekday.SAT]),
        ([1, 2, 3, 4, 5], [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI]),
    ],
)
def test_meeting_guide_days_count_from_sunday(day: Any, expected: list[Weekday]) -> None:
    feed = parse([{"slug": "d", "name": "Days", "day": day, "time": "19:00"}])
    assert feed.skipped == []
    assert meeting(feed.records[0]).days == expected


@pytest.mark.parametrize("day", [7, "Tuesday", [1, 9], {"x": 1}])
def test_meeting_guide_bad_days_are_skipped(day: Any) -> None:
    feed = parse([{"slug": "d", "name": "Days", "day": day, "time": "19:00"}])
    assert feed.records == []
    assert len(feed.skipped) == 1
    assert feed.skipped[0].startswith("record 1 (d): day ")
    assert "is not 0 (Sunday) to 6" in feed.skipped[0]
    assert feed.skipped_ids == {"d"}


def test_meeting_guide_negative_day_is_skipped() -> None:
    feed = parse([{"slug": "neg", "name": "Negative", "day": -1, "time": "19:00"}])
    assert feed.records == []
    assert feed.skipped == ["record 1 (neg): day -1 is not 0 (Sunday) to 6"]


def test_meeting_guide_formatted_address_wins_over_parts() -> None:
    feed = parse(
        [
            {
                "slug": "both",
                "name": "Both Addresses",
                "day": 1,
                "time": "19:00",
                "formatted_address": "1 Formatted Way, Springfield, IL 62701, USA",
                "address": "9 Parts St",
                "city": "Elsewhere",
                "state": "WI",
            },
            {
                "slug": "parts",
                "name": "Parts Only",
                "day": 1,
                "time": "19:00",
                "address": "9 Parts St",
                "city": "Elsewhere",
                "state": "WI",
                "postal_code": "53703",
            },
        ]
    )
    records = by_id(feed)
    assert meeting(records["both"]).address == "1 Formatted Way, Springfield, IL 62701, USA"
    assert meeting(records["parts"]).address == "9 Parts St, Elsewhere, WI 53703"


def test_meeting_guide_conference_phone_forms() -> None:
    rows = [
        {
            "slug": f"p{i}",
            "name": f"Phone {i}",
            "day": 2,
            "time": "12:00",
            "conference_phone": phone,
            "conference_phone_notes": "Press # when asked",
        }
        for i, phone in enumerate(["+13125550142,,123#", "+1 312 555 0143;456", "+13125550144"])
    ]
    feed = parse(rows)
    # The pauses and the meeting id after the number are kept: a phone dials them.
    assert [meeting(r).online_phone for r in feed.records] == [
        "+13125550142,,123#",
        "+1 312 555 0143;456",
        "+13125550144",
    ]
    assert meeting(feed.records[0]).online_notes == "Press # when asked"


def test_meeting_guide_fellowship_can_be_named() -> None:
    feed = read_feed(FEEDS / "smart-recovery.json", "smart", fellowship="SMART Recovery")
    assert {meeting(r).fellowship for r in feed.records} == {Fellowship.SMART_RECOVERY}


def test_meeting_guide_updated_and_notes() -> None:
    feed = parse(
        [
            {
                "slug": "u1",
                "name": "Dated",
                "day": 5,
                "time": "7pm",
                "updated": "2025-02-03T10:00:00Z",
                "location_notes": "Back door.",
                "notes": "Bring a friend.",
            },
            {"slug": "u2", "name": "Undated", "day": 5, "time": "19:00", "updated": "soon"},
        ]
    )
    records = by_id(feed)
    assert records["u1"].updated == dt.date(2025, 2, 3)
    assert meeting(records["u1"]).start == dt.time(19, 0)
    assert meeting(records["u1"]).notes == "Bring a friend."
    assert meeting(records["u1"]).location_notes == "Back door."
    assert records["u2"].updated is None
    assert meeting(records["u2"]).source == DirectoryRef(feed="test", id="u2", updated=None)


def test_meeting_guide_odd_types_are_left_out_and_the_meeting_kept() -> None:
    feed = parse(
        [
            {"slug": "t1", "name": "Types", "day": 1, "time": "19:00", "types": ["O", 3, None]},
            {"slug": "t2", "name": "Bad Type", "day": 1, "time": "19:00", "types": ["no spaces!"]},
        ]
    )
    assert meeting(by_id(feed)["t1"]).types == ["O", "3"]  # an unknown code is kept
    assert meeting(by_id(feed)["t2"]).types == []
    assert feed.skipped == []
    assert feed.notes == ["record 2 (t2): types: 'no spaces!' is not a type code; left out"]


def test_meeting_guide_bad_link_is_left_out_with_the_field_named() -> None:
    feed = parse(
        [
            {"slug": "ok", "name": "Fine", "day": 1, "time": "19:00"},
            {
                "slug": "bad-link",
                "name": "Bad Link",
                "day": 1,
                "time": "19:00",
                "conference_url": "zoom me",
            },
        ]
    )
    assert list(by_id(feed)) == ["ok", "bad-link"]
    assert meeting(by_id(feed)["bad-link"]).online_url is None
    assert feed.notes[0].startswith("record 2 (bad-link): conference_url: ")
    assert feed.notes[0].endswith("; left out, the record is kept")
    assert feed.skipped == []


def test_meeting_guide_id_is_a_slug_of_the_source_id() -> None:
    feed = parse([{"slug": "Café Ünïon / 12", "name": "Accents", "day": 1, "time": "19:00"}])
    record = feed.records[0]
    assert record.source_id == "Café Ünïon / 12"
    assert meeting(record).id == "cafe-union-12"
    assert meeting(record).source == DirectoryRef(feed="test", id="Café Ünïon / 12")


# --- BMLT ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bmlt() -> Feed:
    return read_feed(FEEDS / "bmlt.json", "bmlt")


def test_bmlt_sample_record_with_string_values(bmlt: Feed) -> None:
    record = by_id(bmlt)["4101"]
    item = meeting(record)
    assert item.name == "Miracles on Maple"
    assert item.fellowship is Fellowship.NA  # the default for BMLT
    assert item.days == [Weekday.MON]  # weekday_tinyint "2": 1 is Sunday
    assert item.start == dt.time(19, 0)  # "19:00:00"
    assert item.end == dt.time(20, 30)  # start + duration 01:30:00
    assert item.timezone == "America/Denver"
    assert item.location == "Grace Community Church, fellowship room"
    assert item.address == "930 Maple Grove St, Denver, CO 80204"
    assert item.types == ["O", "JT", "BT"]
    assert item.notes == "Newcomers welcome."
    assert item.online_url is None
    assert item.source == DirectoryRef(feed="bmlt", id="4101", updated=None)
    assert record.updated is None
    assert record.active is True


def test_bmlt_sample_record_with_int_weekday_and_virtual_link(bmlt: Feed) -> None:
    record = by_id(bmlt)["4102"]
    item = meeting(record)
    assert item.days == [Weekday.SAT]  # weekday_tinyint 7 (an int)
    assert item.start == dt.time(12, 0)
    assert item.end == dt.time(13, 0)
    assert item.address == "411 Harlan Pl, Denver, CO"  # no postal code
    assert item.online_url == "https://meet.example.org/j/4102"
    assert item.online_phone == "+17205550199"
    assert item.types == ["C", "VM", "TC"]
    assert record.active is False  # TC: temporarily closed


def test_bmlt_sample_skips(bmlt: Feed) -> None:
    assert sorted(by_id(bmlt)) == ["4101", "4102"]
    assert bmlt.skipped == [
        "record 3 (4103): weekday_tinyint '8' is not 1 (Sunday) to 7",
        "record 4: no id_bigint",
    ]


def bmlt_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id_bigint": "900",
        "meeting_name": "Inline Group",
        "weekday_tinyint": "1",
        "start_time": "19:00:00",
        "location_street": "5 Invented Rd",
        "location_municipality": "Boulder",
        "location_province": "CO",
        "formats": "O",
    }
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [
        (1, Weekday.SUN),
        ("1", Weekday.SUN),
        (2, Weekday.MON),
        ("4", Weekday.WED),
        (7, Weekday.SAT),
        ("7", Weekday.SAT),
    ],
)
def test_bmlt_weekday_one_is_sunday(weekday: Any, expected: Weekday) -> None:
    feed = parse([bmlt_row(weekday_tinyint=weekday)])
    assert meeting(feed.records[0]).days == [expected]


def test_bmlt_weekday_zero_is_skipped() -> None:
    feed = parse([bmlt_row(weekday_tinyint="0")])
    assert feed.records == []
    assert feed.skipped == ["record 1 (900): weekday_tinyint '0' is not 1 (Sunday) to 7"]


def test_bmlt_bad_weekday_is_remembered_as_skipped() -> None:
    feed = parse([bmlt_row(weekday_tinyint="9")])
    assert feed.skipped == ["record 1 (900): weekday_tinyint '9' is not 1 (Sunday) to 7"]
    assert feed.skipped_ids == {"900"}


def test_bmlt_int_ids_and_fellowship_override() -> None:
    feed = parse([bmlt_row(id_bigint=4200)], fellowship="aa")
    record = feed.records[0]
    assert record.source_id == "4200"
    assert meeting(record).id == "4200"
    assert meeting(record).fellowship is Fellowship.AA


@pytest.mark.parametrize(
    ("start", "duration", "end"),
    [
        ("19:00:00", "01:00:00", dt.time(20, 0)),
        ("18:30:00", "00:45:00", dt.time(19, 15)),
        ("23:30:00", "01:00:00", dt.time(0, 30)),  # past midnight wraps
        ("19:00:00", "soon", None),
        ("19:00:00", None, None),
    ],
)
def test_bmlt_duration_gives_the_end(start: str, duration: str | None, end: dt.time | None) -> None:
    feed = parse([bmlt_row(start_time=start, duration_time=duration)])
    assert meeting(feed.records[0]).end == end


def test_bmlt_unpublished_is_inactive_and_phone_dial_string() -> None:
    feed = parse(
        [
            bmlt_row(id_bigint="1", published="0"),
            bmlt_row(id_bigint="2", published=1, phone_meeting_number="+17205550188,,99#"),
        ]
    )
    records = by_id(feed)
    assert records["1"].active is False
    assert records["2"].active is True
    assert meeting(records["2"]).online_phone == "+17205550188,,99#"


def test_bmlt_odd_formats_are_left_out_of_types_and_names_kept() -> None:
    feed = parse([bmlt_row(formats="O, BT ,A Very Long Format Name,,W,no!")])
    assert meeting(feed.records[0]).types == ["O", "BT", "A Very Long Format Name", "W"]
    assert feed.notes == ["record 1 (900): types: 'no!' is not a type code; left out"]


def test_bmlt_bad_time_is_skipped_with_reason() -> None:
    feed = parse([bmlt_row(id_bigint="1"), bmlt_row(id_bigint="2", start_time="25:30:00")])
    assert list(by_id(feed)) == ["1"]
    assert feed.skipped == [
        "record 2 (2): start_time: '25:30:00' is not a time of day: hours go from 0 to 23"
    ]
    assert feed.skipped_ids == {"2"}


def test_bmlt_one_digit_hour_with_seconds() -> None:
    feed = parse([bmlt_row(start_time="7:30:00")])
    assert feed.skipped == []
    assert meeting(feed.records[0]).start == dt.time(7, 30)


# --- HSDS JSON -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hsds() -> Feed:
    return read_feed(FEEDS / "hsds.json", "hsds")


def test_hsds_full_service(hsds: Feed) -> None:
    record = by_id(hsds)["svc-housing-1"]
    item = resource(record)
    assert item.id == "svc-housing-1"
    assert item.name == "Northside Recovery Housing Navigation (Lakeview Housing Partners)"
    assert item.category is ResourceCategory.HOUSING
    assert item.phone == "(312) 555-0130"  # the voice line, not the fax
    assert item.url == "https://housing.example.org"  # from the organization
    assert item.address == "1500 W Corliss Ave, Chicago, IL 60613"
    assert item.hours == "MO,TU,WE,TH,FR 09:00-17:00"
    assert item.notes == "Help finding sober living and transitional housing."
    assert item.verified == dt.date(2026, 9, 30)
    assert item.source == DirectoryRef(
        feed="hsds", id="svc-housing-1", updated=dt.date(2026, 9, 30)
    )
    assert record.updated == dt.date(2026, 9, 30)
    assert record.active is True


def test_hsds_service_without_organization(hsds: Feed) -> None:
    item = resource(by_id(hsds)["svc-food-1"])
    assert item.name == "Uptown Community Food Pantry"
    assert item.category is ResourceCategory.FOOD
    assert item.phone == "312-555-0177"
    assert item.hours == "SA 10:00-12:00"
    assert item.url is None
    assert item.address is None
    assert item.verified == dt.date(2024, 3, 1)


def test_hsds_temporarily_closed_is_noted(hsds: Feed) -> None:
    record = by_id(hsds)["svc-legal-1"]
    item = resource(record)
    assert record.active is False
    assert item.notes == "Temporarily closed. Free legal clinic for record sealing."
    assert item.category is ResourceCategory.LEGAL


def test_hsds_sample_skips(hsds: Feed) -> None:
    assert sorted(by_id(hsds)) == ["svc-bad-phone", "svc-food-1", "svc-housing-1", "svc-legal-1"]
    assert hsds.skipped == ["record 4 (svc-gone): status is defunct", "record 6: no id"]
    # A bad phone is left out; the service is kept.
    assert resource(by_id(hsds)["svc-bad-phone"]).phone is None
    assert hsds.notes[0].startswith("record 5 (svc-bad-phone): phone: 'call us' is not a phone")


def test_hsds_fax_postal_address_and_described_schedule() -> None:
    feed = parse(
        {
            "services": [
                {
                    "id": "svc-fax",
                    "name": "Fax First Counseling",
                    "description": "Counseling and therapy.",
                    "phones": [
                        {"number": "(312) 555-0190", "type": "fax"},
                        {"number": "(312) 555-0191", "type": "voice"},
                    ],
                    "schedules": [
                        {"byday": "MO", "opens_at": "09:00:00", "closes_at": "12:00:00"},
                        {"description": "Evenings by appointment"},
                    ],
                    "service_at_locations": [
                        {
                            "location": {
                                "addresses": [
                                    {"address_1": "PO Box 5", "address_type": "postal"},
                                    {
                                        "address_1": "12 Invented Rd",
                                        "address_2": "Suite 3",
                                        "city": "Chicago",
                                        "state_province": "IL",
                                        "postal_code": "60601",
                                        "address_type": "physical",
                                    },
                                ]
                            }
                        }
                    ],
                }
            ]
        }
    )
    item = resource(feed.records[0])
    assert item.phone == "(312) 555-0191"
    assert item.address == "12 Invented Rd, Suite 3, Chicago, IL 60601"
    assert item.hours == "MO 09:00-12:00; Evenings by appointment"
    assert item.category is ResourceCategory.MENTAL_HEALTH
    assert item.verified is None
    assert feed.records[0].updated is None


@pytest.mark.parametrize("status", ["inactive", "Defunct", "INACTIVE"])
def test_hsds_inactive_and_defunct_are_skipped(status: str) -> None:
    feed = parse(
        [
            {"id": "keep", "name": "Kept", "description": "Still open."},
            {"id": "gone", "name": "Gone", "description": "Closed.", "status": status},
        ]
    )
    assert list(by_id(feed)) == ["keep"]
    assert feed.skipped == [f"record 2 (gone): status is {status.lower()}"]


def test_hsds_organization_with_same_name_is_not_repeated() -> None:
    feed = parse(
        [
            {
                "id": "s1",
                "name": "Harbor Clinic",
                "description": "Primary care clinic.",
                "url": "https://clinic.example.org",
                "organization": {"name": "Harbor Clinic", "website": "https://org.example.org"},
            }
        ]
    )
    item = resource(feed.records[0])
    assert item.name == "Harbor Clinic"
    assert item.url == "https://clinic.example.org"  # the service's own link wins
    assert item.category is ResourceCategory.MEDICAL


def test_hsds_only_organizations_is_an_error() -> None:
    with pytest.raises(FeedError, match="expected a list of meetings or services"):
        parse({"organizations": [{"id": "o1", "name": "Org"}]})
    with pytest.raises(FeedError, match="HSDS without services"):
        parse({"organizations": [{"id": "o1", "name": "Org"}], "data": []})


@pytest.mark.parametrize(
    ("name", "description", "expected"),
    [
        ("Substance abuse counseling", "Outpatient counseling.", ResourceCategory.MENTAL_HEALTH),
        ("Parents in recovery", "A support group for parents.", ResourceCategory.PEER_SUPPORT),
    ],
)
def test_hsds_category_matches_whole_words(
    name: str, description: str, expected: ResourceCategory
) -> None:
    feed = parse([{"id": "c1", "name": name, "description": description}])
    assert resource(feed.records[0]).category is expected


# --- HSDS CSV --------------------------------------------------------------------------------


def check_hsds_csv(feed: Feed) -> None:
    assert feed.format == "hsds"
    assert feed.skipped == []
    records = by_id(feed)
    assert sorted(records) == ["svc-jobs-1", "svc-ride-1"]
    jobs = resource(records["svc-jobs-1"])
    assert jobs.name == "Second Chance Jobs (Westside Workforce Center)"
    assert jobs.category is ResourceCategory.EMPLOYMENT
    assert jobs.phone == "(312) 555-0160"
    assert jobs.url == "https://jobs.example.org"
    assert jobs.address == "420 S Ashland Ave, Chicago, IL 60607"
    assert jobs.hours == "MO,WE 09:00-16:00"
    assert jobs.notes == "Job readiness and placement for people in recovery."
    assert jobs.verified == dt.date(2026, 10, 1)
    assert jobs.source == DirectoryRef(feed="csv", id="svc-jobs-1", updated=dt.date(2026, 10, 1))
    ride = resource(records["svc-ride-1"])
    assert ride.name == "Rides to Recovery (Good Neighbors Transit)"
    assert ride.category is ResourceCategory.TRANSPORTATION
    assert ride.phone == "(312) 555-0161"
    assert ride.url is None  # the organization has no website
    assert ride.address is None
    assert ride.hours is None
    assert ride.verified == dt.date(2026, 7, 15)


def test_hsds_csv_folder() -> None:
    check_hsds_csv(read_feed(HSDS_CSV, "csv"))


def test_hsds_csv_zip(tmp_path: Path) -> None:
    path = zip_folder(HSDS_CSV, tmp_path / "hsds.zip")
    feed = read_feed(path, "csv")
    check_hsds_csv(feed)
    folder = read_feed(HSDS_CSV, "csv")
    assert [r.item for r in feed.records] == [r.item for r in folder.records]


def test_hsds_csv_zip_with_a_folder_inside_and_mac_junk(tmp_path: Path) -> None:
    path = zip_folder(HSDS_CSV, tmp_path / "export.zip", prefix="export/")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("__MACOSX/export/._services.csv", b"\x00\x05\x16\x07junk")
        archive.writestr("export/README.txt", "not a table")
    check_hsds_csv(read_feed(path, "csv"))


def test_hsds_csv_malformed_rows_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "services.csv").write_text(
        "id,name,description,status,assured_date\n"
        "s1,Food Shelf,A food pantry.,active,2026-01-05\n"
        ",No Id,Nothing.,active,\n"
        "s3,Closed Shelf,A food pantry.,inactive,\n"
        "s4,Bad Phone,A food pantry.,active,\n"
    )
    (folder / "phones.csv").write_text("id,service_id,number,type\np4,s4,call us,voice\n")
    feed = read_feed(folder, "csv")
    assert list(by_id(feed)) == ["s1", "s4"]
    assert feed.skipped == ["record 2: no id", "record 3 (s3): status is inactive"]
    assert feed.notes[0].startswith("record 4 (s4): phone: 'call us' is not a phone")
    assert resource(by_id(feed)["s4"]).phone is None


# --- feeds that cannot be read at all ----------------------------------------------------------


def _write(path: Path, content: bytes | str | Any) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)
    else:
        path.write_text(json.dumps(content))
    return path


UNREADABLE: dict[str, tuple[str, bytes | str | Any, str]] = {
    "invalid-json": ("broken.json", '{"meetings": [{"slug": "a",', "not JSON"),
    "binary": ("blob.bin", bytes(range(256)) * 4, "not JSON"),
    "text": ("notes.txt", "Meetings: Tuesday at 7\n", "not JSON"),
    "corrupt-zip": ("bad.zip", b"PK\x03\x04" + b"\x00garbage" * 20, "not a readable zip"),
    "object": ("object.json", {"version": 3, "name": "Not a feed"}, "expected a list"),
    "string": ("string.json", '"just text"', "expected a list"),
    "number": ("number.json", "42", "expected a list"),
    "unknown-rows": (
        "rows.json",
        [{"foo": 1, "bar": 2}],
        "not a Meeting Guide, BMLT or Open Referral (HSDS) feed",
    ),
    "organizations-only": (
        "orgs.json",
        {"organizations": [{"id": "o", "name": "Org"}]},
        "expected a list of meetings or services",
    ),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_unreadable_feed_raises_one_line(tmp_path: Path, case: str) -> None:
    name, content, expected = UNREADABLE[case]
    path = _write(tmp_path / name, content)
    with pytest.raises(FeedError) as caught:
        read_feed(path, "src")
    message = str(caught.value)
    assert expected in message
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    assert caught.value.exit_code == 1


def test_zip_without_services_csv(tmp_path: Path) -> None:
    path = tmp_path / "orgs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(HSDS_CSV / "organizations.csv", "organizations.csv")
    with pytest.raises(FeedError, match=r"^orgs: an HSDS CSV set needs services\.csv$"):
        read_feed(path, "orgs")


def test_folder_without_services_csv(tmp_path: Path) -> None:
    (tmp_path / "organizations.csv").write_text("id,name\no1,Org\n")
    with pytest.raises(FeedError, match=r"needs services\.csv"):
        read_feed(tmp_path, "folder")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(FeedError, match=r"nowhere\.json: cannot be read: No such file"):
        read_feed(path, "x")


def test_a_feed_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iopcli import feeds

    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"slug": f"s{i}", "day": 1, "time": "19:00"} for i in range(10)]))
    with pytest.raises(FeedError, match="larger than"):
        read_feed(path, "x")
