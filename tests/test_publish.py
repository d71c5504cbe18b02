"""``iopcli publish`` against a real CalDAV server: Radicale, started once for this module on
a free port on 127.0.0.1 with a temporary storage folder and plain htpasswd logins.

The server's calendar is read back with the caldav library (a calendar-query REPORT with a
time range and expansion) and compared, occurrence by occurrence, with the plan's own schedule.
A second, in-process Radicale behind a tiny WSGI middleware answers 507 (no space) to PUT while
it is "full"; a closed port stands for a server that is down.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import caldav
import icalendar
import pytest
from hypothesis import HealthCheck, given, settings

from conftest import Ran, invoke, plain_environment
from iopcli.ics import IcsOptions, event_uid, plan_to_ics
from iopcli.model import AftercarePlan
from iopcli.planfile import dump_plan, read_plan
from iopcli.publish import (
    Connection,
    Credentials,
    PublishError,
    Target,
    calendar_objects,
    find_credentials,
    publish_plan,
    read_record,
    record_path,
)
from iopcli.schedule import occurrences, plan_series
from strategies import plans

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "alcohol-depression.yaml"
USER, PASSWORD = "dana", "s3cret-Pa55"
OPTIONS = IcsOptions(remind_minutes=None, discreet=True)

# A small plan (a weekly meeting and the plan review: two events) where the number of events
# does not matter, so the server has less to store.
SMALL = """\
id: {id}
person:
  name: Sam
  timezone: America/Chicago
program:
  name: Riverbend Recovery Clinic Intensive Outpatient Program
  discharge_date: 2027-03-01
  next_review: 2027-04-06
meetings:
  - id: harbor-lights
    name: Harbor Lights Group
    fellowship: AA
    days: tue
    start: 7pm
"""


# Three events that can each be moved, removed or edited: for the conflict tests.
MEDIUM = (
    SMALL
    + """\
  - id: clean-slate
    name: Clean Slate Circle
    fellowship: NA
    days: sat
    start: "10:00"
appointments:
  - id: therapy
    provider: Jordan (LCSW), Greenleaf Counseling
    kind: individual
    date: 2027-03-09
    time: 5:30 pm
    duration_minutes: 50
    repeat: weekly
"""
)


def small_plan(folder: Path, number: int = 1) -> Path:
    path = folder / f"small-{number}.yaml"
    path.write_text(SMALL.format(id=f"0b7d1f7e-2c1a-4e55-9a43-5d2b3c4d5e{number:02x}"))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError("Radicale did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("Radicale did not start within 30 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Radicale for the module: its base URL."""
    folder = tmp_path_factory.mktemp("radicale")
    users = folder / "users"
    users.write_text(f"{USER}:{PASSWORD}\nsam:other-pass\n")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(folder / "collections"),
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(users),
            "--auth-htpasswd-encryption",
            "plain",
            "--auth-delay",
            "0",  # Radicale waits 1 s after every refused login by default
            "--logging-level",
            "error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=10)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def full_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, bool]]]:
    """Radicale in this process behind a middleware that answers every PUT with 507 while
    ``state["full"]`` (a server whose disk is full, and then is not), with 403 while
    ``state["read_only"]`` (a calendar shared read-only), and without its ETag while
    ``state["no_etag"]`` (servers that change what they store send none, RFC 4791 5.3.4)."""
    from radicale import Application, config

    configuration = config.load()
    configuration.update(
        {
            "storage": {"filesystem_folder": str(tmp_path_factory.mktemp("full"))},
            "auth": {"type": "none", "delay": "0"},
            "logging": {"level": "error"},
        },
        "test",
        privileged=True,
    )
    radicale = Application(configuration)
    state = {"full": True, "read_only": False, "no_etag": False}

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ["REQUEST_METHOD"] == "PUT" and state["full"]:
            start_response("507 Insufficient Storage", [("Content-Type", "text/plain")])
            return [b"no space left\n"]
        if environ["REQUEST_METHOD"] == "PUT" and state["read_only"]:
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"read-only\n"]
        if environ["REQUEST_METHOD"] == "PUT" and state["no_etag"]:

            def untagged(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                kept = [(k, v) for k, v in headers if k.lower() != "etag"]
                return start_response(status, kept, *rest)

            return radicale(environ, untagged)
        return radicale(environ, start_response)

    httpd: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/", state
    finally:
        httpd.shutdown()
        httpd.server_close()


def run_with(tmp_path: Path, *args: str, password: str | None = PASSWORD, **env: str) -> Ran:
    """``iopcli ARGS`` in-process with the password in the environment, as a script has it."""
    environ = plain_environment(tmp_path) | env
    if password is not None:
        environ["IOPCLI_CALDAV_PASSWORD"] = password
    return invoke(args, environ, None, tmp_path)


def connect(url: str, user: str = USER, password: str = PASSWORD) -> Any:
    return caldav.DAVClient(url=url, username=user, password=password, timeout=10)


def server_calendar(url: str, name: str) -> Any:
    for found in connect(url).principal().get_calendars():
        if found.get_display_name() == name:
            return found
    raise AssertionError(f"no calendar {name!r}")


def expanded(calendar: Any) -> Counter[tuple[str, object]]:
    """Every occurrence on the server, by UID and start (UTC, or the date of all-day ones),
    from a calendar-query REPORT with a time range and CALDAV:expand: Radicale's own
    recurrence engine (not the client's) reads the RRULEs, overrides and VTIMEZONEs."""
    found: Counter[tuple[str, object]] = Counter()
    start = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)  # the example plans run from March to July
    for item in calendar.search(
        start=start, end=start + dt.timedelta(days=365), event=True, server_expand=True
    ):
        for event in icalendar.Calendar.from_ical(item.data).walk("VEVENT"):
            begin = event["DTSTART"].dt
            if isinstance(begin, dt.datetime):
                begin = begin.astimezone(dt.UTC)
            found[(str(event["UID"]), begin)] += 1
    return found


def planned(plan: AftercarePlan) -> Counter[tuple[str, object]]:
    """The plan's occurrences as iopcli's schedule reads them."""
    found: Counter[tuple[str, object]] = Counter()
    for series in plan_series(plan, OPTIONS.horizon_days):
        uid = event_uid(plan.id, series.key)
        for occurrence in occurrences(series):
            begin = occurrence.start
            if isinstance(begin, dt.datetime):
                begin = begin.astimezone(dt.UTC)
            found[(uid, begin)] += 1
    return found


def moved_and_removed(plan: AftercarePlan) -> AftercarePlan:
    """The plan a week later: the first meeting an hour earlier, the last meeting gone."""
    first, *rest = plan.meetings
    earlier = first.model_copy(update={"start": dt.time(18, 0), "end": dt.time(19, 15)})
    return plan.model_copy(update={"meetings": [earlier, *rest[:-1]]})


def target(url: str, calendar: str, **kwargs: Any) -> Target:
    return Target(url, calendar, Credentials(USER, PASSWORD, "environment"), **kwargs)


# --- the calendar objects are the export's events --------------------------------------------


def test_objects_are_the_exports_events_one_uid_each() -> None:
    plan = read_plan(str(EXAMPLE))
    exported = icalendar.Calendar.from_ical(plan_to_ics(plan, OPTIONS))
    objects = calendar_objects(plan, OPTIONS)
    whole = sorted(e.to_ical() for e in exported.walk("VEVENT"))
    cut = []
    for uid, item in objects.items():
        parsed = icalendar.Calendar.from_ical(item.data)
        events = parsed.walk("VEVENT")
        assert {str(e["UID"]) for e in events} == {uid}
        named = {e["DTSTART"].params.get("TZID") for e in events} - {None}
        assert named <= {str(z["TZID"]) for z in parsed.walk("VTIMEZONE")}
        cut += [e.to_ical() for e in events]
    assert sorted(cut) == whole


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_any_plan_cuts_into_its_export(plan: AftercarePlan) -> None:
    """Every VEVENT of the export is in exactly one object, every TZID it names has its
    VTIMEZONE there, and each object parses on its own."""
    from iopcli.i18n import language, plan_language

    with language(plan_language(plan.person.language)):  # as export writes it
        exported = icalendar.Calendar.from_ical(plan_to_ics(plan, OPTIONS))
    zones = {str(z["TZID"]): z.to_ical() for z in exported.walk("VTIMEZONE")}
    cut = []
    for item in calendar_objects(plan, OPTIONS).values():
        parsed = icalendar.Calendar.from_ical(item.data)
        for zone in parsed.walk("VTIMEZONE"):
            assert zone.to_ical() == zones[str(zone["TZID"])]
        have = {str(z["TZID"]) for z in parsed.walk("VTIMEZONE")}
        for event in parsed.walk("VEVENT"):
            assert {event["DTSTART"].params.get("TZID")} - {None} <= have
            cut.append(event.to_ical())
    assert sorted(cut) == sorted(e.to_ical() for e in exported.walk("VEVENT"))


# --- a real server --------------------------------------------------------------------------


def test_publish_change_remove_publish_again(server: str, tmp_path: Path) -> None:
    plan = read_plan(str(EXAMPLE))
    calendar_name = "Round trip"
    # Someone's own event in the same calendar: never touched.
    connect(server).principal().make_calendar(name=calendar_name)
    mine = server_calendar(server, calendar_name)
    mine.add_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//someone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:birthday@example.org\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270320T120000Z\r\n"
        "DURATION:PT1H\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    connection = Connection(target(server, calendar_name))
    first = publish_plan(plan, connection, OPTIONS, tmp_path)
    assert first.count("create") == len(calendar_objects(plan, OPTIONS))
    calendar = server_calendar(server, calendar_name)
    on_server = expanded(calendar)
    lunch = ("birthday@example.org", dt.datetime(2027, 3, 20, 12, tzinfo=dt.UTC))
    assert on_server.pop(lunch) == 1
    assert on_server == planned(plan)
    assert max(on_server.values()) == 1

    later = moved_and_removed(plan)
    again = publish_plan(later, Connection(target(server, calendar_name)), OPTIONS, tmp_path)
    assert (again.count("create"), again.count("update"), again.count("delete")) == (0, 1, 1)
    assert again.conflicts == []
    on_server = expanded(server_calendar(server, calendar_name))
    assert on_server.pop(lunch) == 1
    assert on_server == planned(later)
    removed = event_uid(plan.id, f"meetings/{plan.meetings[-1].id}")
    assert all(uid != removed for uid, _ in on_server)

    unchanged = publish_plan(later, Connection(target(server, calendar_name)), OPTIONS, tmp_path)
    assert unchanged.done == []
    assert unchanged.unchanged == len(calendar_objects(later, OPTIONS))


def test_a_change_made_on_the_server_is_reported_not_overwritten(
    server: str, tmp_path: Path
) -> None:
    path = tmp_path / "medium.yaml"
    path.write_text(MEDIUM.format(id="0b7d1f7e-2c1a-4e55-9a43-5d2b3c4d5eff"))
    plan = read_plan(str(path))
    name = "Edited elsewhere"
    publish_plan(plan, Connection(target(server, name, create=True)), OPTIONS, tmp_path)
    calendar = server_calendar(server, name)
    moved = event_uid(plan.id, f"meetings/{plan.meetings[0].id}")
    removed = event_uid(plan.id, f"meetings/{plan.meetings[-1].id}")
    noted = event_uid(plan.id, f"appointments/{plan.appointments[0].id}")
    for uid in (moved, removed, noted):  # the person edits three events on their phone
        event = calendar.get_event_by_uid(uid)
        event.data = event.data.replace("SUMMARY:", "SUMMARY:Edited ", 1)
        event.save()

    later = moved_and_removed(plan)  # the plan changes two of them
    outcome = publish_plan(later, Connection(target(server, name)), OPTIONS, tmp_path)
    assert {s.uid for s in outcome.conflicts} == {moved, removed}
    assert [s.uid for s in outcome.kept] == [noted]  # only edited on the server: theirs stays
    assert outcome.done == []
    for uid in (moved, removed, noted):
        assert "SUMMARY:Edited " in calendar.get_event_by_uid(uid).data

    # The plan now changes the noted appointment too: a conflict, not a silent overwrite.
    first, *rest = later.appointments
    longer = later.model_copy(
        update={"appointments": [first.model_copy(update={"duration_minutes": 60}), *rest]}
    )
    again = publish_plan(longer, Connection(target(server, name)), OPTIONS, tmp_path)
    assert {s.uid for s in again.conflicts} == {moved, removed, noted}

    forced = publish_plan(longer, Connection(target(server, name)), OPTIONS, tmp_path, force=True)
    assert (forced.count("update"), forced.count("delete")) == (2, 1)
    assert expanded(server_calendar(server, name)) == planned(longer)
    assert "SUMMARY:Edited " not in calendar.get_event_by_uid(noted).data


def test_the_cli_publishes_reports_and_dry_runs(server: str, tmp_path: Path) -> None:
    url_args = ("--caldav", server, "--user", USER, "--calendar", "CLI")
    missing = run_with(tmp_path, "publish", str(EXAMPLE), *url_args)
    assert missing.returncode == 1
    assert missing.stderr.strip().endswith("there is no calendar named 'CLI' (--create makes it)")

    dry = run_with(tmp_path, "publish", str(EXAMPLE), *url_args, "--create", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    count = len(calendar_objects(read_plan(str(EXAMPLE)), IcsOptions()))
    assert dry.stdout.count(": would create: ") == count
    assert "would create the calendar 'CLI'" in dry.stdout
    assert all(c.get_display_name() != "CLI" for c in connect(server).principal().get_calendars())
    # Discreet by default: no fellowship, clinic or medication in a title.
    for word in ("AA", "Big Book", "Northbridge", "naltrexone", "Sertraline"):
        assert word not in dry.stdout
    plain = run_with(
        tmp_path, "publish", str(EXAMPLE), *url_args, "--create", "--dry-run", "--no-discreet"
    )
    assert "Big Book" in plain.stdout

    small = str(small_plan(tmp_path))
    report = tmp_path / "report.json"
    done = run_with(tmp_path, "publish", small, *url_args, "--create", "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert "2 created, 0 updated, 0 deleted, 0 unchanged in 'CLI' (new calendar)" in done.stdout
    data = json.loads(report.read_text())
    assert report.stat().st_mode & 0o077 == 0
    (entry,) = data["plans"]
    assert entry["ok"]
    assert len(entry["created"]) == 2
    assert entry["error"] is None
    assert PASSWORD not in report.read_text() + done.stdout + done.stderr
    # The record of what was published: owner-only, named by a digest, no password in it.
    (record,) = (tmp_path / "home" / "published").iterdir()
    assert record.stat().st_mode & 0o077 == 0
    assert record.parent.stat().st_mode & 0o077 == 0
    assert "sam" not in record.name.lower()
    assert PASSWORD not in record.read_text()

    again = run_with(tmp_path, "publish", small, *url_args, "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["plans"][0]["unchanged"] == 2

    record.write_text('{"events": [1, 2]}')  # damaged: one line, nothing sent
    damaged = run_with(tmp_path, "publish", small, *url_args)
    assert damaged.returncode == 1
    assert damaged.stderr == (
        f"{small}: {record}: not a record of published events; remove it and publish again\n"
    )


def test_wrong_password_is_one_line_without_it(server: str, tmp_path: Path) -> None:
    ran = run_with(
        tmp_path,
        "publish",
        str(EXAMPLE),
        "--caldav",
        server,
        "--user",
        USER,
        password="not-the-password",
    )
    assert ran.returncode == 1
    assert ran.stderr == (
        f"{EXAMPLE}: CalDAV server {server}: the login as dana was refused, with the password"
        " in IOPCLI_CALDAV_PASSWORD\n"
    )
    assert "not-the-password" not in ran.stdout + ran.stderr


def test_a_server_that_is_down_is_one_line_per_plan(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}/"
    other = ROOT / "examples" / "opioid-buprenorphine.yaml"
    ran = run_with(tmp_path, "publish", str(EXAMPLE), str(other), "--caldav", down)
    assert ran.returncode == 1
    assert ran.stderr.splitlines() == [
        f"{name}: CalDAV server {down}: cannot connect (connection refused); nothing was lost,"
        " publish again later"
        for name in (EXAMPLE, other)
    ]
    assert not (tmp_path / "home" / "published").exists()


def test_no_space_on_the_server_loses_nothing(
    full_server: tuple[str, dict[str, bool]], tmp_path: Path
) -> None:
    url, state = full_server
    home = tmp_path / "home"
    small = small_plan(tmp_path)
    state["full"] = True
    login = ("--caldav", url, "--user", "alice")  # Radicale without auth takes any login
    ran = run_with(tmp_path, "publish", str(small), *login, "--create", password="any")
    assert ran.returncode == 1
    assert ran.stderr == (
        f"{small}: CalDAV server {url}: the server has no space left (507 Insufficient"
        " Storage); nothing was lost: free some space and publish again\n"
    )
    (record,) = (home / "published").iterdir()
    assert read_record(record) == {}
    state["full"] = False
    ran = run_with(tmp_path, "publish", str(small), *login, password="any")
    assert ran.returncode == 0, ran.stderr
    assert len(read_record(record)) == len(calendar_objects(read_plan(str(small)), IcsOptions()))


def test_all_stored_plans_with_a_calendar_each(server: str, tmp_path: Path) -> None:
    one, two = small_plan(tmp_path, 1), small_plan(tmp_path, 2)
    assert run_with(tmp_path, "import", str(one), str(two)).returncode == 0
    ran = run_with(
        tmp_path,
        "publish",
        "--all",
        "--caldav",
        server,
        "--user",
        USER,
        "--calendar",
        "plan {id}",
        "--create",
    )
    assert ran.returncode == 0, ran.stderr
    names = {c.get_display_name() for c in connect(server).principal().get_calendars()}
    for path in (one, two):
        short = read_plan(str(path)).id[:8]
        assert f"plan {short}" in names
        assert f"{short}: " in ran.stdout


# --- credentials, settings and usage ---------------------------------------------------------


def test_credentials_come_from_netrc_when_not_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IOPCLI_CALDAV_PASSWORD", raising=False)
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine cal.example.org login dana password from-netrc\n")
    netrc.chmod(0o600)
    found = find_credentials("https://cal.example.org/dav/", None, netrc)
    assert (found.user, found.password, found.source) == ("dana", "from-netrc", "netrc")
    assert "from-netrc" not in repr(found)
    assert find_credentials("https://other.example.org/", None, netrc).password is None
    monkeypatch.setenv("IOPCLI_CALDAV_PASSWORD", "from-env")
    assert find_credentials("https://cal.example.org/", "dana", netrc).source == "environment"


def test_a_broken_netrc_is_named_without_its_contents(tmp_path: Path) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine cal.example.org login dana password\nsecret-word oops\n")
    netrc.chmod(0o600)
    with pytest.raises(PublishError) as caught:
        find_credentials("https://cal.example.org/", None, netrc)
    assert "secret-word" not in str(caught.value)
    assert str(caught.value).startswith(f"{netrc}:")


def test_netrc_login_through_the_cli(server: str, tmp_path: Path) -> None:
    home = tmp_path / "user"
    home.mkdir()
    (home / ".netrc").write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    (home / ".netrc").chmod(0o600)
    assert run_with(tmp_path, "config", "set", "caldav_url", server).returncode == 0
    ran = run_with(
        tmp_path,
        "publish",
        str(EXAMPLE),
        "--calendar",
        "Netrc",
        "--create",
        "--dry-run",
        password=None,
        HOME=str(home),
    )
    assert ran.returncode == 0, ran.stderr
    assert "would create the calendar 'Netrc'" in ran.stdout


def test_a_password_in_the_address_is_refused_and_not_repeated(tmp_path: Path) -> None:
    url = "https://dana:hunter22@cal.example.org/"
    for args in (("publish", str(EXAMPLE), "--caldav", url), ("config", "set", "caldav_url", url)):
        ran = run_with(tmp_path, *args)
        assert ran.returncode == 2
        assert len(ran.stderr.splitlines()) == 1
        assert "hunter22" not in ran.stdout + ran.stderr
    bad = tmp_path / "home" / "config.toml"
    bad.parent.mkdir(exist_ok=True)
    bad.write_text(f'caldav_url = "{url}"\n')
    ran = run_with(tmp_path, "publish", str(EXAMPLE))
    assert ran.returncode == 1
    assert ran.stderr.startswith(f"{bad}:1: caldav_url: holds a password")
    assert "hunter22" not in ran.stderr


def test_no_address_is_a_usage_error(tmp_path: Path) -> None:
    ran = run_with(tmp_path, "publish", str(EXAMPLE))
    assert ran.returncode == 2
    assert "iopcli config set caldav_url URL" in ran.stderr


def test_a_report_into_a_folder_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}/"  # nothing is contacted: no "cannot connect"
    ran = run_with(tmp_path, "publish", str(EXAMPLE), "--caldav", down, "--report", str(tmp_path))
    assert ran.returncode == 2
    assert ran.stderr == f"--report: {tmp_path} is a folder; give a file name\n"
    both = run_with(tmp_path, "publish", str(EXAMPLE), "--all", "--caldav", down)
    assert both.returncode == 2
    assert both.stderr == "--all: name no plans as well\n"


def test_a_plan_file_written_by_iopcli_publishes_the_same(server: str, tmp_path: Path) -> None:
    """A plan saved by iopcli (dump_plan) gives the same events: the UIDs do not move."""
    plan = read_plan(str(EXAMPLE))
    copy = tmp_path / "copy.yaml"
    copy.write_text(dump_plan(plan, "yaml"))
    assert (
        calendar_objects(read_plan(str(copy)), OPTIONS).keys()
        == calendar_objects(plan, OPTIONS).keys()
    )


def test_caldav_is_not_loaded_by_other_commands() -> None:
    ran = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "iopcli", "list"],
        capture_output=True,
        text=True,
        env={"IOPCLI_HOME": "/nonexistent-iopcli-home", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert "iopcli.cli.publish" in ran.stderr  # the command group itself is loaded
    assert " caldav" not in ran.stderr
    assert "niquests" not in ran.stderr


def test_a_missing_calendar_does_not_stop_the_other_plans(server: str, tmp_path: Path) -> None:
    one, two = small_plan(tmp_path, 3), small_plan(tmp_path, 4)
    ran = run_with(
        tmp_path,
        *("publish", str(one), str(two), "--caldav", server, "--user", USER),
        *("--calendar", "nothing {id}"),
    )
    assert ran.returncode == 1
    assert [line.split("named ")[1] for line in ran.stderr.splitlines()] == [
        f"'nothing {read_plan(str(path)).id[:8]}' (--create makes it)" for path in (one, two)
    ]


def test_a_server_that_does_not_answer_times_out_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as silent:  # takes connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        plan = str(small_plan(tmp_path))
        ran = run_with(tmp_path, "publish", plan, "--caldav", url, "--timeout", "1")
    assert ran.returncode == 1
    assert ran.stderr.endswith(
        f"CalDAV server {url}: no answer within 1 s; nothing was lost, publish again later\n"
    )
    assert len(ran.stderr.splitlines()) == 1


def test_a_web_server_that_is_not_caldav_is_one_line(tmp_path: Path) -> None:
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    web = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)  # answers PROPFIND with 501
    thread = threading.Thread(target=web.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{web.server_port}/"
        ran = run_with(tmp_path, "publish", str(small_plan(tmp_path)), "--caldav", url)
    finally:
        web.shutdown()
        web.server_close()
    assert ran.returncode == 1
    assert ran.stderr.endswith(
        f"CalDAV server {url}: the server refused the request (501); is this a CalDAV address?\n"
    )


def test_a_password_over_plain_http_to_another_machine_is_warned_about(tmp_path: Path) -> None:
    from iopcli.publish import in_the_clear

    login = Credentials("dana", "pw", "environment")
    assert in_the_clear("http://cal.example.org/", login)
    assert not in_the_clear("https://cal.example.org/", login)
    assert not in_the_clear("http://127.0.0.1:5232/", login)
    assert not in_the_clear("http://cal.example.org/", Credentials("dana", None, "none"))
    ran = run_with(
        tmp_path, "publish", str(small_plan(tmp_path)), "--caldav", "http://cal.invalid/"
    )
    assert ran.stderr.splitlines()[0] == (
        "iopcli: warning: the password goes unencrypted to http://cal.invalid/; use https://"
    )
    assert PASSWORD not in ran.stderr


def test_a_read_only_calendar_is_one_line(
    full_server: tuple[str, dict[str, bool]], tmp_path: Path
) -> None:
    url, state = full_server
    small = small_plan(tmp_path, 5)
    state["full"], state["read_only"] = False, True
    try:
        ran = run_with(
            tmp_path,
            "publish",
            str(small),
            "--caldav",
            url,
            "--user",
            "bo",
            "--create",
            password="any",
        )
    finally:
        state["read_only"] = False
    assert ran.returncode == 1
    assert ran.stderr == (
        f"{small}: CalDAV server {url}: the server does not allow this (403 Forbidden):"
        " a calendar or an account that is read-only?\n"
    )


def test_a_bad_plan_file_is_its_own_lines_and_the_others_go_on(server: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.format(id="0b7d1f7e-2c1a-4e55-9a43-5d2b3c4d5e6f").replace("7pm", "7xm"))
    small = small_plan(tmp_path, 6)
    ran = run_with(
        tmp_path,
        *("publish", str(bad), str(small), "--caldav", server, "--user", USER),
        *("--calendar", "Batch", "--create", "--dry-run"),
    )
    assert ran.returncode == 1
    assert ran.stderr.startswith(f"{bad}:14: meetings.0.start: '7xm' is not a time of day")
    assert len(ran.stderr.splitlines()) == 1
    assert f"{small}: 2 would be created" in ran.stdout


def test_a_server_that_sends_no_etag_on_put_is_asked_once(
    full_server: tuple[str, dict[str, bool]], tmp_path: Path
) -> None:
    url, state = full_server
    plan = read_plan(str(small_plan(tmp_path, 7)))
    state["full"], state["no_etag"] = False, True
    try:
        login = Target(url, "No tags", Credentials("bo", "any", "environment"), create=True)
        outcome = publish_plan(plan, Connection(login), OPTIONS, tmp_path)
    finally:
        state["no_etag"] = False
    record = read_record(record_path(tmp_path, outcome.calendar_url, plan.id))
    assert len(record) == 2
    assert all(entry.etag for entry in record.values())
