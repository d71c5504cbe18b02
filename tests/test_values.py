"""Value types in a plan: phones, times of day, weekdays, time zones, links, choices."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import TypeAdapter, ValidationError

from iopcli.model import (
    AppointmentKind,
    Fellowship,
    GoalTerm,
    LevelOfCare,
    Recurrence,
)
from iopcli.values import (
    PHONE_REGION,
    Phone,
    TimeOfDay,
    TimeZoneName,
    Url,
    Weekday,
    check_phone,
    check_timezone,
    check_url,
    format_time,
    is_short_code,
    parse_time_of_day,
    tel_uri,
)


def in_region(region: str, value: str) -> str:
    token = PHONE_REGION.set(region)
    try:
        return check_phone(value)
    finally:
        PHONE_REGION.reset(token)


# --- phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "(312) 555-0142",
        "312-555-0142",
        "312.555.0142",
        "312 555 0142",
        "+1 312 555 0142",
        "+1 (312) 555-0142",
        "1-800-662-4357",
        "+44 20 7946 0958",
    ],
)
def test_valid_phone_is_kept_as_typed(phone: str) -> None:
    assert check_phone(phone) == phone


def test_phone_is_stripped() -> None:
    assert check_phone("  (312) 555-0142 \n") == "(312) 555-0142"


@pytest.mark.parametrize(
    ("region", "phone"),
    [
        ("US", "988"),
        ("US", "911"),
        ("US", "741741"),
        ("US", "211"),
        ("GB", "116 123"),
        ("GB", "999"),
    ],
)
def test_short_codes_of_the_region_are_accepted(region: str, phone: str) -> None:
    assert is_short_code(phone)
    assert in_region(region, phone) == phone


@pytest.mark.parametrize("phone", ["123", "555-01", "0000"])
def test_short_numbers_that_are_no_service_are_refused(phone: str) -> None:
    with pytest.raises(ValueError, match="US"):
        in_region("US", phone)


@pytest.mark.parametrize(
    ("phone", "short"),
    [
        ("988", True),
        ("741741", True),
        ("988 ext 1", True),
        ("12", False),
        ("1234567", False),
        ("+988", False),
        ("(312) 555-0142", False),
    ],
)
def test_is_short_code(phone: str, short: bool) -> None:
    assert is_short_code(phone) is short


@pytest.mark.parametrize(
    ("phone", "extension"),
    [
        ("(312) 555-0142 ext. 12", "12"),
        ("(312) 555-0142 ext 12", "12"),
        ("(312) 555-0142 EXT.12", "12"),
        ("312-555-0142 x7", "7"),
        ("312-555-0142 X 7", "7"),
        ("312 555 0142 #99", "99"),
        ("312 555 0142 ext. 123456", "123456"),
    ],
)
def test_phone_extensions(phone: str, extension: str) -> None:
    assert check_phone(phone) == phone
    assert tel_uri(phone) == f"tel:+13125550142;ext={extension}"


@pytest.mark.parametrize(
    "phone",
    ["abc", "call me", "tel:988", "312 555 0142 x", "312-555-0142 ext 1234567", "555*0142"],
)
def test_phone_with_wrong_characters_is_refused(phone: str) -> None:
    with pytest.raises(ValueError, match="is not a phone number") as info:
        check_phone(phone)
    assert str(info.value) == (
        f"{phone!r} is not a phone number: use digits, spaces, + ( ) - . and an optional"
        " extension like 'ext. 12'"
    )


@pytest.mark.parametrize("phone", ["", "   ", "\n\t"])
def test_empty_phone_is_refused(phone: str) -> None:
    with pytest.raises(ValueError, match=r"^phone number is empty$"):
        check_phone(phone)


@pytest.mark.parametrize("phone", ["12", "(312) 555-01420", "312 555 014"])
def test_phone_with_wrong_number_of_digits_is_refused(phone: str) -> None:
    with pytest.raises(ValueError, match="wrong number of digits") as info:
        check_phone(phone)
    assert str(info.value) == (
        f"{phone!r} has the wrong number of digits for a US number"
        " (write numbers from other countries with + and the country code)"
    )


def test_unparseable_phone_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^'\+988' is not a phone number$"):
        check_phone("+988")


def test_local_numbers_are_read_in_the_plan_region() -> None:
    assert in_region("GB", "020 7946 0958") == "020 7946 0958"
    with pytest.raises(ValueError, match="wrong number of digits for a US number"):
        in_region("US", "020 7946 0958")
    with pytest.raises(ValueError, match="wrong number of digits for a GB number"):
        in_region("GB", "020 7946 09581")


def test_international_numbers_are_accepted_in_any_region() -> None:
    assert in_region("GB", "+1 312 555 0142") == "+1 312 555 0142"
    assert in_region("US", "+44 20 7946 0958") == "+44 20 7946 0958"


def test_phone_region_defaults_to_us_and_is_restored() -> None:
    assert PHONE_REGION.get() == "US"
    with pytest.raises(ValueError, match="is not a phone number"):
        in_region("GB", "not a phone")
    assert PHONE_REGION.get() == "US"


def test_phone_annotated_type_reports_validation_error() -> None:
    adapter = TypeAdapter(Phone)
    assert adapter.validate_python(" 988 ") == "988"
    with pytest.raises(ValidationError, match="is not a phone number"):
        adapter.validate_python("call me")


@pytest.mark.parametrize(
    ("phone", "region", "uri"),
    [
        ("(312) 555-0142", "US", "tel:+13125550142"),
        ("312.555.0142", "US", "tel:+13125550142"),
        ("+1 (312) 555-0142", "US", "tel:+13125550142"),
        ("1-800-662-4357", "US", "tel:+18006624357"),
        ("+44 20 7946 0958", "US", "tel:+442079460958"),
        ("020 7946 0958", "GB", "tel:+442079460958"),
        ("+1 312 555 0142", "GB", "tel:+13125550142"),
        ("988", "US", "tel:988"),
        ("741741", "US", "tel:741741"),
        ("116 123", "GB", "tel:116123"),
        ("988 ext 1", "US", "tel:988;ext=1"),
        ("  (312) 555-0142 ext. 12  ", "US", "tel:+13125550142;ext=12"),
    ],
)
def test_tel_uri_is_e164(phone: str, region: str, uri: str) -> None:
    assert tel_uri(phone, region) == uri


@pytest.mark.parametrize("phone", ["555-0142", "1234567"])
def test_local_only_number_is_refused_or_gets_a_dialable_tel_uri(phone: str) -> None:
    try:
        check_phone(phone)
    except ValueError:
        return  # refusing it is fine
    import phonenumbers

    uri = tel_uri(phone)
    number = phonenumbers.parse(uri.removeprefix("tel:").split(";")[0], None)
    reason = phonenumbers.is_possible_number_with_reason(number)
    assert reason == phonenumbers.ValidationResult.IS_POSSIBLE, uri


# --- times of day --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19:00", dt.time(19, 0)),
        ("7:05", dt.time(7, 5)),
        ("07:05", dt.time(7, 5)),
        ("0:00", dt.time(0, 0)),
        ("23:59", dt.time(23, 59)),
        ("19:00:00", dt.time(19, 0)),
        ("19.30", dt.time(19, 30)),
        ("19h30", dt.time(19, 30)),
        ("7pm", dt.time(19, 0)),
        ("7 PM", dt.time(19, 0)),
        ("7am", dt.time(7, 0)),
        ("7 a.m.", dt.time(7, 0)),
        ("7:30 pm", dt.time(19, 30)),
        ("7:30pm", dt.time(19, 30)),
        ("7:30 p.m.", dt.time(19, 30)),
        ("7:30 P.M.", dt.time(19, 30)),
        ("07:30am", dt.time(7, 30)),
        ("12am", dt.time(0, 0)),
        ("12:15 am", dt.time(0, 15)),
        ("12pm", dt.time(12, 0)),
        ("12:45 pm", dt.time(12, 45)),
        ("noon", dt.time(12, 0)),
        (" Noon ", dt.time(12, 0)),
        ("NOON", dt.time(12, 0)),
        ("midnight", dt.time(0, 0)),
        ("19", dt.time(19, 0)),  # a bare 13-23 (or 0) can only be one hour
        ("0", dt.time(0, 0)),
    ],
)
def test_parse_time_of_day(text: str, expected: dt.time) -> None:
    assert parse_time_of_day(text) == expected


def test_time_objects_lose_seconds_and_zone() -> None:
    value = dt.time(7, 30, 15, 5, tzinfo=dt.UTC)
    assert parse_time_of_day(value) == dt.time(7, 30)
    assert parse_time_of_day(value).tzinfo is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:00", "'25:00' is not a time of day: hours go from 0 to 23"),
        ("24:00", "'24:00' is not a time of day: hours go from 0 to 23"),
        ("7", "'7' is ambiguous: write 19:00, 7pm or 7am"),
        ("10", "'10' is ambiguous: write 22:00, 10pm or 10am"),
        ("12", "'12' is ambiguous: write noon, midnight or 12:30"),
        ("24", "'24' is not a time of day: hours go from 0 to 23"),
        ("13pm", "'13pm' is not a time of day: with am/pm the hour is 1 to 12"),
        ("0am", "'0am' is not a time of day: with am/pm the hour is 1 to 12"),
        ("7:60", "'7:60' is not a time of day: minutes go from 00 to 59"),
        ("7:60pm", "'7:60pm' is not a time of day: minutes go from 00 to 59"),
        ("19:00:30", "'19:00:30' is not a time of day: write 19:00, 7pm or 7:30 pm"),
        ("7:5", "'7:5' is not a time of day: write 19:00, 7pm or 7:30 pm"),
        ("1900", "'1900' is not a time of day: write 19:00, 7pm or 7:30 pm"),
        ("evening", "'evening' is not a time of day: write 19:00, 7pm or 7:30 pm"),
        ("", "'' is not a time of day: write 19:00, 7pm or 7:30 pm"),
    ],
)
def test_bad_times_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_time_of_day(text)


@pytest.mark.parametrize("value", [1900, 19.5, None, ["19:00"]])
def test_non_text_times_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match=r"^give a time of day like 19:00 or 7pm$"):
        parse_time_of_day(value)


def test_time_of_day_type_serialises_as_hh_mm_in_json() -> None:
    adapter = TypeAdapter(TimeOfDay)
    value = adapter.validate_python("7:30 p.m.")
    assert value == dt.time(19, 30)
    assert adapter.dump_python(value, mode="json") == "19:30"
    assert adapter.dump_python(value) == dt.time(19, 30)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.time(0, 5), "12:05 am"),
        (dt.time(7, 0), "7:00 am"),
        (dt.time(12, 0), "12:00 pm"),
        (dt.time(19, 30), "7:30 pm"),
        (dt.time(23, 59), "11:59 pm"),
    ],
)
def test_format_time(value: dt.time, text: str) -> None:
    assert format_time(value) == text
    assert parse_time_of_day(text) == value


# --- weekdays ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("mon", Weekday.MON),
        ("Mo", Weekday.MON),
        ("Monday", Weekday.MON),
        ("TUE", Weekday.TUE),
        ("tu", Weekday.TUE),
        ("tues", Weekday.TUE),
        ("Tuesday", Weekday.TUE),
        ("we", Weekday.WED),
        ("wednesday", Weekday.WED),
        ("th", Weekday.THU),
        ("thur", Weekday.THU),
        ("Thurs", Weekday.THU),
        ("thursday", Weekday.THU),
        ("fr", Weekday.FRI),
        ("  FRIDAY ", Weekday.FRI),
        ("sa", Weekday.SAT),
        ("Saturday", Weekday.SAT),
        ("su", Weekday.SUN),
        ("sun", Weekday.SUN),
    ],
)
def test_weekday_aliases(text: str, day: Weekday) -> None:
    assert Weekday(text) is day


@pytest.mark.parametrize("text", ["m", "t", "weds", "tuesdays", "funday", ""])
def test_unknown_weekday_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a valid Weekday"):
        Weekday(text)


def test_weekday_properties() -> None:
    assert [d.number for d in Weekday] == list(range(7))
    assert [d.ical for d in Weekday] == ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    assert Weekday.THU.label == "Thursday"
    assert Weekday("tues").number == dt.date(2026, 1, 6).weekday()


# --- time zones ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone", ["America/Chicago", "Europe/London", "Asia/Kolkata", "UTC", "Etc/GMT+5"]
)
def test_known_time_zones_are_accepted(zone: str) -> None:
    assert check_timezone(zone) == zone


def test_time_zone_is_stripped() -> None:
    assert check_timezone("  America/Chicago\n") == "America/Chicago"


@pytest.mark.parametrize(
    "zone",
    ["", "   ", "../etc/passwd", "/etc/localtime", "./UTC", "America/../UTC", "America\\Chicago"],
)
def test_path_like_time_zones_are_refused(zone: str) -> None:
    with pytest.raises(ValueError, match="is not an IANA time zone name") as info:
        check_timezone(zone)
    assert str(info.value) == f"{zone!r} is not an IANA time zone name like America/Chicago"


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus", "America", "america/chicago", "America/Chicago/", "zone.tab", "CST6CDT7"],
)
def test_unknown_time_zones_are_refused(zone: str) -> None:
    with pytest.raises(ValueError, match="is not a known IANA time zone") as info:
        check_timezone(zone)
    assert str(info.value) == (
        f"{zone!r} is not a known IANA time zone (e.g. America/Chicago, Europe/London)"
    )


def test_time_zone_with_nul_is_refused() -> None:
    with pytest.raises(ValueError, match="is not a known IANA time zone"):
        check_timezone("America/Chicago\x00")


def test_time_zone_type() -> None:
    adapter = TypeAdapter(TimeZoneName)
    assert adapter.validate_python("Europe/London") == "Europe/London"
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        adapter.validate_python("Mars/Olympus")


# --- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org",
        "http://example.org/a?b=c&d=e#f",
        "HTTPS://EXAMPLE.ORG/Meet",
        "https://zoom.example.com:8443/j/123?pwd=x",
        "https://例え.jp/パス",
    ],
)
def test_web_links_are_accepted(url: str) -> None:
    assert check_url(url) == url


def test_link_is_stripped() -> None:
    assert check_url("  https://example.org \n") == "https://example.org"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript://example.org/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/file",
        "file:///etc/passwd",
        "mailto:someone@example.org",
        "example.org",
        "www.example.org/meet",
        "//example.org",
        "https://",
        "https:///path",
        "http:",
        "",
    ],
)
def test_non_web_links_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="is not a web link") as info:
        check_url(url)
    assert str(info.value) == f"{url!r} is not a web link: it must start with https:// or http://"


@pytest.mark.parametrize(
    "url", ["https://exa mple.org", "https://example.org/\x00", "https://example.org/a\tb"]
)
def test_links_with_spaces_or_control_characters_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="is not a web link") as info:
        check_url(url)
    assert str(info.value) == f"{url!r} is not a web link: it contains spaces or control characters"


@pytest.mark.parametrize("url", ["https://:443", "https://@", "http://user@"])
def test_links_without_a_host_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="is not a web link"):
        check_url(url)


def test_url_type() -> None:
    adapter = TypeAdapter(Url)
    assert adapter.validate_python("https://example.org") == "https://example.org"
    with pytest.raises(ValidationError, match="is not a web link"):
        adapter.validate_python("javascript:alert(1)")


# --- choices -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("SMART Recovery", Fellowship.SMART_RECOVERY),
        ("smart-recovery", Fellowship.SMART_RECOVERY),
        ("smart_recovery", Fellowship.SMART_RECOVERY),
        ("Smart", Fellowship.SMART_RECOVERY),
        ("AA", Fellowship.AA),
        ("Alcoholics Anonymous", Fellowship.AA),
        ("narcotics anonymous", Fellowship.NA),
        ("Al-Anon", Fellowship.AL_ANON),
        ("alanon", Fellowship.AL_ANON),
        ("Dual Recovery Anonymous", Fellowship.DUAL_RECOVERY),
        ("DRA", Fellowship.DUAL_RECOVERY),
        ("Support group", Fellowship.OTHER),
    ],
)
def test_fellowship_spellings(text: str, member: Fellowship) -> None:
    assert Fellowship(text) is member


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("IOP", LevelOfCare.IOP_STEP_DOWN),
        ("iop", LevelOfCare.IOP_STEP_DOWN),
        ("iop step-down", LevelOfCare.IOP_STEP_DOWN),
        ("OP", LevelOfCare.STANDARD_OUTPATIENT),
        ("outpatient", LevelOfCare.STANDARD_OUTPATIENT),
        ("Standard-Outpatient", LevelOfCare.STANDARD_OUTPATIENT),
        ("Standard outpatient (ASAM 1)", LevelOfCare.STANDARD_OUTPATIENT),
        ("PHP", LevelOfCare.PARTIAL_HOSPITALIZATION),
        ("partial hospitalisation", LevelOfCare.PARTIAL_HOSPITALIZATION),
        ("Residential", LevelOfCare.RESIDENTIAL),
        ("none", LevelOfCare.NONE),
        ("No further treatment", LevelOfCare.NONE),
    ],
)
def test_level_of_care_spellings(text: str, member: LevelOfCare) -> None:
    assert LevelOfCare(text) is member


@pytest.mark.parametrize(
    ("cls", "text", "member"),
    [
        (Recurrence, "biweekly", Recurrence.EVERY_2_WEEKS),
        (Recurrence, "Every 2 weeks", Recurrence.EVERY_2_WEEKS),
        (Recurrence, "every two weeks", Recurrence.EVERY_2_WEEKS),
        (Recurrence, "fortnightly", Recurrence.EVERY_2_WEEKS),
        (Recurrence, "Every week", Recurrence.WEEKLY),
        (Recurrence, "one-off", Recurrence.ONCE),
        (AppointmentKind, "MOUD", AppointmentKind.MAT),
        (AppointmentKind, "pcp", AppointmentKind.PRIMARY_CARE),
        (AppointmentKind, "primary-care", AppointmentKind.PRIMARY_CARE),
        (AppointmentKind, "Medication for addiction treatment", AppointmentKind.MAT),
        (GoalTerm, "short-term", GoalTerm.SHORT),
        (GoalTerm, "Long Term", GoalTerm.LONG),
    ],
)
def test_other_choice_spellings(cls: type, text: str, member: object) -> None:
    assert cls(text) is member


@pytest.mark.parametrize(
    ("cls", "text"),
    [(Fellowship, "scientology"), (LevelOfCare, "asam 1"), (LevelOfCare, ""), (GoalTerm, "mid")],
)
def test_unknown_choices_are_refused(cls: type, text: str) -> None:
    with pytest.raises(ValueError, match="is not a valid"):
        cls(text)


@pytest.mark.parametrize("value", [1, None, 2.5])
def test_non_text_choice_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="is not a valid LevelOfCare"):
        LevelOfCare(value)


def test_labels() -> None:
    assert Fellowship.SMART_RECOVERY.label == "SMART Recovery"
    assert LevelOfCare.IOP_STEP_DOWN.label == "Intensive outpatient step-down (ASAM 2.1)"
    assert Recurrence.EVERY_2_WEEKS.label == "Every 2 weeks"
    assert GoalTerm.SHORT.label == "Short"  # no _labels: derived from the value


@pytest.mark.parametrize("cls", [Fellowship, AppointmentKind, Recurrence, GoalTerm, Weekday])
def test_labels_are_accepted_back(cls: type) -> None:
    for member in cls:
        assert cls(member.label) is member


def test_level_of_care_labels_are_accepted_back() -> None:
    for member in LevelOfCare:
        assert LevelOfCare(member.label) is member


def test_unique_id_is_the_one_de_duplication_rule() -> None:
    from iopcli.model import AftercarePlan, unique_id

    taken = {"hope", "hope-2"}
    assert unique_id("hope", taken) == "hope-3"
    assert unique_id("calm", taken) == "calm"
    assert taken == {"hope", "hope-2", "hope-3", "calm"}
    # Ids made from names follow it too.
    plan = AftercarePlan.model_validate(
        {
            "id": "p",
            "person": {"name": "Sam", "timezone": "UTC"},
            "program": {"name": "Lakeside", "discharge_date": "2026-01-05"},
            "meetings": [
                {"id": "hope-2", "name": "X", "days": "tue", "start": "19:00"},
                {"name": "Hope", "days": "tue", "start": "19:00"},
                {"name": "Hope", "days": "wed", "start": "19:00"},
            ],
        }
    )
    assert [m.id for m in plan.meetings] == ["hope-2", "hope", "hope-3"]
