"""Publishing a plan's calendar to a CalDAV server, and keeping it in step with the plan.

An imported .ics file cannot take anything back (Google ignores cancellations in imports); a
CalDAV calendar can. The events are the .ics exporter's own (:func:`iopcli.ics.plan_to_ics`:
the same UIDs, VTIMEZONEs and text), cut into one calendar object per UID. What was published
is remembered per calendar and plan in an owner-only record in the home folder (UID, address,
ETag and a digest of the content), so that a later run:

- creates what is new (``If-None-Match: *``), updates what changed (``If-Match`` with the ETag
  read back, so an edit made on the server meanwhile is reported, not overwritten) and deletes
  the events of items removed from the plan (``If-Match`` again);
- touches no event whose UID iopcli did not write for this plan;
- completes what an interrupted run (a server that went down, a full disk on the server) left.

The protocol is the ``caldav`` library's (discovery, login, MKCALENDAR, calendar-query); only
the conditional PUT and DELETE are sent through its client by hand, to see their status codes.
Passwords come from the environment, the system keyring or ``~/.netrc`` and never appear in a
message, the record or the report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from iopcli.errors import IopcliError, UsageError

if TYPE_CHECKING:
    from iopcli.ics import IcsOptions
    from iopcli.model import AftercarePlan

PASSWORD_VARIABLE = "IOPCLI_CALDAV_PASSWORD"
DEFAULT_TIMEOUT = 30  # seconds for each request
RECORD_FOLDER = "published"
ICS_HEADERS = {"Content-Type": "text/calendar; charset=utf-8"}


class PublishError(IopcliError):
    """The server could not be reached, refused the login, or refused a change."""


class Unavailable(PublishError):
    """The server cannot be used at all (down, no answer, login refused): no other plan of
    the run is tried on it."""


# --- where and as whom ----------------------------------------------------------------------


def check_url(url: str) -> str:
    """The server's address as given, if it is one: http(s), a host, no password in it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--caldav: {shown_url(url)!r} is not an http:// or https:// address")
    if parts.password is not None:
        raise UsageError(
            f"--caldav: leave the password out of the address; set {PASSWORD_VARIABLE},"
            " the system keyring or ~/.netrc instead"
        )
    return url.strip()


def in_the_clear(url: str, credentials: Credentials) -> bool:
    """Whether a password would cross the network unencrypted (http:// to another machine)."""
    parts = urlsplit(url)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    return credentials.password is not None and parts.scheme == "http" and not local


def shown_url(url: str) -> str:
    """The address without any user or password part, for messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return "(not an address)"


@dataclass(frozen=True)
class Credentials:
    user: str | None
    password: str | None = field(repr=False)
    source: str  # "environment", "keyring", "netrc" or "none": said in messages, never the value


def find_credentials(url: str, user: str | None, netrc_file: Path | None = None) -> Credentials:
    """The login for ``url``: the password from $IOPCLI_CALDAV_PASSWORD, else the system keyring
    (service: the host name, user: ``user``; only when the optional ``keyring`` package is
    installed), else the host's entry in ``~/.netrc`` (which may also give the user)."""
    host = urlsplit(url).hostname or ""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        return Credentials(user, password, "environment")
    if user:
        found = _from_keyring(host, user)
        if found:
            return Credentials(user, found, "keyring")
    entry = _from_netrc(host, netrc_file)
    if entry is not None and (user is None or entry[0] in ("", user)):
        return Credentials(user or entry[0] or None, entry[1], "netrc")
    return Credentials(user, None, "none")


def _from_keyring(host: str, user: str) -> str | None:
    try:
        import keyring  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        found = keyring.get_password(host, user)
    except Exception:  # no usable backend on this machine (a server, a container)
        return None
    return found if isinstance(found, str) and found else None


def _from_netrc(host: str, netrc_file: Path | None) -> tuple[str, str] | None:
    import netrc

    path = netrc_file or Path(os.path.expanduser("~")) / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as exc:
        # Its message may quote a token of the file (a password): only the line is said.
        raise PublishError(f"{path}:{exc.lineno}: not a valid .netrc line") from None
    except OSError as exc:
        raise PublishError(f"{path}: cannot be read: {exc.strerror}") from None
    if entry is None or not entry[2]:
        return None
    return (entry[0] or "", entry[2])


# --- what the calendar should hold ----------------------------------------------------------


@dataclass(frozen=True)
class CalendarObject:
    """One event of the plan as a CalDAV resource: the VEVENT (with the RECURRENCE-ID
    instances of the same UID) and the VTIMEZONEs it names, cut from the .ics export."""

    uid: str
    title: str
    data: bytes
    digest: str  # of the content without DTSTAMP and SEQUENCE, which change on every save


def calendar_objects(plan: AftercarePlan, options: IcsOptions) -> dict[str, CalendarObject]:
    """The plan's events by UID, exactly as ``iopcli export`` writes them (in the plan's own
    language: the fixed titles of a Spanish plan in Spanish)."""
    from iopcli.i18n import language, plan_language
    from iopcli.ics import plan_to_ics

    with language(plan_language(plan.person.language)):
        text = plan_to_ics(plan, options).decode("utf-8")
    lines = text.split("\r\n")
    first = next((n for n, line in enumerate(lines) if n and line.startswith("BEGIN:")), 0)
    head = [x for x in lines[1:first] if x.split(":", 1)[0] in ("PRODID", "VERSION", "CALSCALE")]
    zones: dict[str, str] = {}
    events: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for kind, block in _blocks(lines):
        unfolded = block.replace("\r\n ", "")
        if kind == "VTIMEZONE":
            zones[_value(unfolded, "TZID")] = block
            continue
        uid = _value(unfolded, "UID")
        events.setdefault(uid, []).append(block)
        titles.setdefault(uid, label(unfolded))
    objects = {}
    for uid, blocks in events.items():
        named = sorted(set(re.findall(r";TZID=([^:;\r\n]+)", "".join(blocks).replace("\r\n ", ""))))
        body = ["BEGIN:VCALENDAR", *head, *(zones[z] for z in named if z in zones), *blocks]
        data = ("\r\n".join([*body, "END:VCALENDAR"]) + "\r\n").encode("utf-8")
        objects[uid] = CalendarObject(uid, titles[uid], data, content_digest(data))
    return objects


def _blocks(lines: list[str]) -> Iterator[tuple[str, str]]:
    """The top-level VTIMEZONE and VEVENT blocks of a VCALENDAR, as their folded text."""
    kind, start = "", 0
    for number, line in enumerate(lines):
        if not kind and line in ("BEGIN:VTIMEZONE", "BEGIN:VEVENT"):
            kind, start = line[6:], number
        elif kind and line == f"END:{kind}":
            yield kind, "\r\n".join(lines[start : number + 1])
            kind = ""


def _value(unfolded: str, name: str) -> str:
    found = re.search(rf"^{name}(?:;[^:\r\n]*)?:(.*)$", unfolded, re.MULTILINE)
    return found.group(1).rstrip("\r") if found else ""


def label(unfolded: str) -> str:
    """An event for people: its title and first start, "Meeting, Tue 2027-03-09 19:00,
    repeating" (as the calendar shows it: the title is discreet unless asked otherwise)."""
    unfolded = unfolded[max(unfolded.find("BEGIN:VEVENT"), 0) :]  # not a VTIMEZONE's DTSTART
    title = _unescape(_value(unfolded, "SUMMARY")) or "(no title)"
    start = _value(unfolded, "DTSTART")
    when = ""
    found = re.fullmatch(r"(\d{4})(\d\d)(\d\d)(?:T(\d\d)(\d\d)\d\d(Z?))?", start)
    if found:
        year, month, day, hour, minute, utc = found.groups()
        try:
            when = f"{dt.date(int(year), int(month), int(day)):%a %Y-%m-%d}"
        except ValueError:
            when = start
        if hour:
            when += f" {hour}:{minute}" + (" UTC" if utc else "")
    if re.search(r"^RRULE[;:]", unfolded, re.MULTILINE):
        when += ", repeating"
    return ", ".join(x for x in (title, when) if x)


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def content_digest(data: bytes) -> str:
    """What makes two versions of an event differ for a person: everything but the stamps."""
    kept = [
        line
        for line in data.replace(b"\r\n ", b"").splitlines()
        if not line.startswith((b"DTSTAMP", b"SEQUENCE"))
    ]
    return hashlib.sha256(b"\n".join(kept)).hexdigest()


# --- what was published before --------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """One event iopcli put on the server: where, which version (ETag), with what content."""

    href: str
    etag: str | None
    digest: str


def record_path(home: Path, calendar_url: str, plan_id: str) -> Path:
    """The record of one plan in one calendar: named by a digest, so the file name says
    nothing about whose plan or which server."""
    name = hashlib.sha256(f"{calendar_url}\n{plan_id}".encode()).hexdigest()[:32]
    return home / RECORD_FOLDER / f"{name}.json"


def read_record(path: Path) -> dict[str, Published]:
    try:
        data = json.loads(path.read_bytes())
        return {
            uid: Published(str(e["href"]), e.get("etag"), str(e["digest"]))
            for uid, e in data["events"].items()
        }
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise PublishError(f"{path}: cannot be read: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise PublishError(
            f"{path}: not a record of published events; remove it and publish again"
        ) from None


def write_record(path: Path, calendar_url: str, plan_id: str, known: dict[str, Published]) -> None:
    from iopcli.files import atomic_write, make_folder

    try:
        make_folder(path.parent)
    except OSError as exc:
        raise PublishError(f"{path.parent}: cannot create the folder: {exc.strerror}") from None
    data = {
        "calendar": calendar_url,
        "plan": plan_id,
        "events": {uid: vars(entry) for uid, entry in sorted(known.items())},
    }
    atomic_write(path, json.dumps(data, indent=1).encode("utf-8"))


# --- what to do -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Remote:
    """An event of ours as the server holds it now."""

    href: str
    etag: str | None
    digest: str
    title: str = ""


@dataclass(frozen=True)
class Step:
    action: str  # "create", "update", "delete"; "conflict", "kept" (edited on the server)
    uid: str
    title: str
    href: str = ""
    if_match: str | None = None
    data: bytes = b""
    why: str = ""  # for a conflict


def steps(
    wanted: dict[str, CalendarObject],
    known: dict[str, Published],
    remote: dict[str, Remote],
    calendar_url: str,
    force: bool = False,
) -> tuple[list[Step], list[str]]:
    """What to send, and the UIDs already as they should be.

    An event counts as changed on the server when its ETag is not the one iopcli last got
    back. If the plan changed it too, or removed it, that is a conflict: the server's copy is
    left as it is and reported (``force`` overwrites or deletes it anyway). If only the server's
    copy changed (a note added on the phone), it is kept, and its record is not moved on, so
    a later change in the plan still finds the conflict.
    An event of ours found on the server without a record (a record lost, another machine)
    is updated only if its content differs, with ``If-Match`` on the ETag just read."""
    todo: list[Step] = []
    unchanged: list[str] = []
    for uid, event in wanted.items():
        on_server, before = remote.get(uid), known.get(uid)
        if on_server is None:
            href = calendar_url.rstrip("/") + "/" + uid.split("@")[0] + ".ics"
            todo.append(Step("create", uid, event.title, href, None, event.data))
            continue
        edited = before is not None and before.etag is not None and before.etag != on_server.etag
        if edited and not force:
            assert before is not None
            if before.digest == event.digest:  # only the server's copy changed: theirs stays
                todo.append(Step("kept", uid, event.title, on_server.href))
                continue
            why = "changed on the server since it was published; kept (--force replaces it)"
            todo.append(Step("conflict", uid, event.title, on_server.href, why=why))
        elif on_server.digest == event.digest or (
            not edited and before is not None and before.digest == event.digest
        ):
            unchanged.append(uid)
        else:
            todo.append(
                Step("update", uid, event.title, on_server.href, on_server.etag, event.data)
            )
    for uid, before in known.items():
        if uid in wanted or uid not in remote:
            continue
        on_server = remote[uid]
        if before.etag is not None and before.etag != on_server.etag and not force:
            why = "changed on the server since it was published; kept (--force deletes it)"
            todo.append(Step("conflict", uid, on_server.title, on_server.href, why=why))
        else:
            todo.append(Step("delete", uid, on_server.title, on_server.href, on_server.etag))
    return todo, unchanged


# --- talking to the server ------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    url: str
    calendar: str  # display name; "{id}" becomes the plan's short id
    credentials: Credentials
    create: bool = False
    timeout: int = DEFAULT_TIMEOUT


@dataclass
class Outcome:
    """What one plan's publication did (or, with ``dry_run``, would do)."""

    plan_id: str
    calendar: str
    calendar_url: str = ""
    dry_run: bool = False
    calendar_created: bool = False
    done: list[Step] = field(default_factory=list)
    conflicts: list[Step] = field(default_factory=list)
    kept: list[Step] = field(default_factory=list)
    unchanged: int = 0
    error: str | None = None

    def count(self, action: str) -> int:
        return sum(step.action == action for step in self.done)

    def as_json(self) -> dict[str, Any]:
        def listed(found: list[Step]) -> list[dict[str, str]]:
            return [{"uid": s.uid, "title": s.title} for s in found]

        return {
            "plan": self.plan_id,
            "calendar": self.calendar,
            "calendar_url": self.calendar_url,
            "dry_run": self.dry_run,
            "calendar_created": self.calendar_created,
            "created": listed([s for s in self.done if s.action == "create"]),
            "updated": listed([s for s in self.done if s.action == "update"]),
            "deleted": listed([s for s in self.done if s.action == "delete"]),
            "conflicts": [{"uid": s.uid, "title": s.title, "why": s.why} for s in self.conflicts],
            "edited_on_server": listed(self.kept),
            "unchanged": self.unchanged,
            "ok": self.error is None and not self.conflicts,
            "error": self.error,
        }


class Connection:
    """One login on one server, shared by every plan of a run."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._client: Any = None
        self._principal: Any = None
        self._calendars: dict[str, Any] | None = None

    def _where(self) -> str:
        return f"CalDAV server {shown_url(self.target.url)}"

    def fail(self, exc: BaseException) -> PublishError:
        """The one line a failed request becomes: what happened, never who or the password."""
        from caldav.lib import error

        where = self._where()
        if isinstance(exc, error.AuthorizationError) and exc.status == 403:
            return PublishError(
                f"{where}: the server does not allow this (403 Forbidden): a calendar or an"
                " account that is read-only?"
            )
        if isinstance(exc, error.AuthorizationError):
            user = self.target.credentials.user
            source = self.target.credentials.source
            how = {
                "environment": f"the password in {PASSWORD_VARIABLE}",
                "keyring": "the password in the system keyring",
                "netrc": "the password in ~/.netrc",
                "none": f"no password (set {PASSWORD_VARIABLE}, the keyring or ~/.netrc)",
            }[source]
            who = f" as {user}" if user else ""
            return Unavailable(f"{where}: the login{who} was refused, with {how}")
        if isinstance(exc, error.DAVError):
            said = [str(exc.status) if exc.status else "", exc.reason]
            why = " ".join(x for x in said if x and x != "no reason") or "no reason given"
            return PublishError(
                f"{where}: the server refused the request ({why}); is this a CalDAV address?"
            )
        names = {cls.__name__ for cls in type(exc).__mro__}
        if any("Timeout" in name for name in names):
            return Unavailable(
                f"{where}: no answer within {self.target.timeout} s; nothing was lost,"
                " publish again later"
            )
        if isinstance(exc, OSError):
            return Unavailable(
                f"{where}: cannot connect ({_reason(exc)}); nothing was lost, publish again later"
            )
        return PublishError(f"{where}: the server's answer could not be read")

    @property
    def client(self) -> Any:
        if self._client is None:
            from caldav.davclient import DAVClient

            credentials = self.target.credentials
            self._client = DAVClient(
                url=self.target.url,
                username=credentials.user,
                password=credentials.password,
                timeout=self.target.timeout,
            )
        return self._client

    def calendar(self, name: str, create: bool, dry_run: bool) -> tuple[Any, bool]:
        """The calendar with this display name (created if asked); with ``dry_run`` and a
        calendar still to create, (None, True)."""
        if self._principal is None:
            self._principal = self.client.principal()
        if self._calendars is None:
            self._calendars = {}
            for found in self._principal.get_calendars():
                self._calendars.setdefault(found.get_display_name() or "", found)
        if name in self._calendars:
            return self._calendars[name], False
        if not create:
            raise PublishError(
                f"{self._where()}: there is no calendar named {name!r} (--create makes it)"
            )
        if dry_run:
            return None, True
        made = self._principal.make_calendar(name=name)
        self._calendars[name] = made
        return made, True

    def ours(self, calendar: Any, uids: set[str]) -> dict[str, Remote]:
        """Our events as the server holds them: one calendar-query for the whole calendar,
        of which only the UIDs iopcli wrote are kept."""
        found: dict[str, Remote] = {}
        for item in calendar.search(event=True):
            data = item.raw_data or (item.data.encode("utf-8") if item.data else b"")
            text = re.sub(r"\r?\n[ \t]", "", data.decode("utf-8", "replace"))
            uid = _value(text, "UID")
            if uid in uids:
                found[uid] = Remote(str(item.url), item.etag, content_digest(data), label(text))
        return found

    def send(self, step: Step) -> str | None:
        """One conditional PUT or DELETE; the new ETag. A 412 (someone changed or made the
        event meanwhile) is a :class:`Conflict`."""
        client = self.client
        if step.action == "delete":
            headers = {"If-Match": step.if_match} if step.if_match else {}
            response = client.request(step.href, "DELETE", "", headers)
        else:
            condition = {"If-Match": step.if_match} if step.if_match else {"If-None-Match": "*"}
            body = step.data.decode("utf-8")
            response = client.request(step.href, "PUT", body, condition | ICS_HEADERS)
        status = int(response.status)
        if status == 412:
            raise Conflict
        if step.action == "delete" and status == 404:
            return None  # already gone: what was wanted
        if status == 507:
            raise PublishError(
                f"{self._where()}: the server has no space left (507 Insufficient Storage);"
                " nothing was lost: free some space and publish again"
            )
        if not 200 <= status < 300:
            reason = str(getattr(response, "reason", "") or "")
            raise PublishError(
                f"{self._where()}: the server refused to {step.action} an event"
                f" ({status} {reason})".rstrip()
            )
        etag = response.headers.get("ETag") if response.headers else None
        return str(etag) if etag and not str(etag).startswith("W/") else None


class Conflict(Exception):
    """A conditional request failed: the event changed on the server meanwhile."""


def _reason(exc: OSError) -> str:
    text = str(exc).lower()
    for words, reason in (
        ("refused", "connection refused"),
        ("name or service not known", "unknown host"),
        ("nodename nor servname", "unknown host"),
        ("getaddrinfo", "unknown host"),
        ("certificate", "certificate not trusted"),
        ("ssl", "TLS failed"),
        ("reset", "connection reset"),
        ("unreachable", "network unreachable"),
    ):
        if words in text:
            return reason
    return exc.strerror or type(exc).__name__


def publish_plan(
    plan: AftercarePlan,
    connection: Connection,
    options: IcsOptions,
    home: Path,
    *,
    dry_run: bool = False,
    force: bool = False,
) -> Outcome:
    """Bring the plan's calendar on the server in step with the plan. Every change that
    succeeds is recorded, even when a later one fails, so a later run does only the rest."""
    from iopcli.slugs import short_id

    target = connection.target
    name = target.calendar.replace("{id}", short_id(plan.id))
    outcome = Outcome(plan.id, name, dry_run=dry_run)
    wanted = calendar_objects(plan, options)
    try:
        calendar, outcome.calendar_created = connection.calendar(name, target.create, dry_run)
    except PublishError:
        raise
    except Exception as exc:
        raise connection.fail(exc) from None
    if calendar is None:  # a dry run, the calendar still to be made
        outcome.done = [Step("create", u, e.title) for u, e in wanted.items()]
        return outcome
    outcome.calendar_url = str(calendar.url)
    path = record_path(home, outcome.calendar_url, plan.id)
    known = read_record(path)
    try:
        remote = connection.ours(calendar, set(wanted) | set(known))
    except Exception as exc:
        raise connection.fail(exc) from None
    known = {uid: entry for uid, entry in known.items() if uid in remote or uid in wanted}
    todo, unchanged = steps(wanted, known, remote, outcome.calendar_url, force)
    outcome.unchanged = len(unchanged)
    outcome.conflicts = [s for s in todo if s.action == "conflict"]
    outcome.kept = [s for s in todo if s.action == "kept"]
    todo = [s for s in todo if s.action not in ("conflict", "kept")]
    for uid in unchanged:  # found as wanted: remember the server's version
        if uid not in known or known[uid].etag != remote[uid].etag:
            known[uid] = Published(remote[uid].href, remote[uid].etag, wanted[uid].digest)
    if dry_run:
        outcome.done = todo
        return outcome
    try:
        for step in todo:
            try:
                etag = connection.send(step)
            except Conflict:
                why = "changed on the server during this run; left as it is"
                outcome.conflicts.append(Step("conflict", step.uid, step.title, step.href, why=why))
                continue
            if step.action == "delete":
                known.pop(step.uid, None)
            else:
                known[step.uid] = Published(step.href, etag, wanted[step.uid].digest)
            outcome.done.append(step)
        # A server that sends no (strong) ETag with its answer to PUT: read them back once,
        # or an edit made on the server later could not be told from our own version.
        untagged = {s.uid for s in outcome.done if s.action != "delete" and not known[s.uid].etag}
        if untagged:
            for uid, found in connection.ours(calendar, untagged).items():
                known[uid] = Published(found.href, found.etag, known[uid].digest)
    except PublishError:
        raise
    except Exception as exc:
        raise connection.fail(exc) from None
    finally:
        write_record(path, outcome.calendar_url, plan.id, known)
    return outcome
