"""Batch export throughput and memory, against a plain-icalendar baseline.

Generates N synthetic plans (about 6 meetings, 4 appointments and 3 refills each, in a few time
zones), then times, each as its own process:

- ``iopcli export DIR --format ics --jobs 1`` and ``--jobs 2``;
- a baseline that reads the same JSON files and builds the same events with icalendar
  directly (VTIMEZONEs from icalendar's own cached ``Timezone.from_tzid``), then serialises
  and writes them: what a hand-written script would do.

It prints seconds, plans per second and peak RSS (largest process, from wait4) for each, and
the ratios the project tracks. Run from the repository root:

    python benchmarks/batch_export.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ZONES = ["America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
FELLOWSHIPS = ["aa", "na", "smart_recovery", "al_anon", "other"]
KINDS = ["individual", "group", "psychiatry", "mat", "primary_care"]
REPEATS = ["once", "weekly", "every_2_weeks", "monthly"]


def synthetic_plan(n: int, rng: random.Random) -> dict[str, object]:
    zone = rng.choice(ZONES)
    discharge = f"2027-0{rng.randint(1, 9)}-{rng.randint(10, 28)}"
    meetings = [
        {
            "id": f"m{i}",
            "name": f"Meeting {i} of plan {n}",
            "fellowship": rng.choice(FELLOWSHIPS),
            "days": rng.sample(DAYS, rng.randint(1, 2)),
            "start": f"{rng.randint(6, 21)}:{rng.choice(['00', '30'])}",
            "timezone": rng.choice(ZONES),
            "address": f"{rng.randint(10, 9999)} Elm St, Springfield",
            "notes": "Side door; coffee from 6:45.",
        }
        for i in range(6)
    ]
    appointments = [
        {
            "id": f"a{i}",
            "provider": f"Provider {i}",
            "kind": rng.choice(KINDS),
            "date": discharge,
            "time": f"{rng.randint(8, 17)}:00",
            "repeat": rng.choice(REPEATS),
            "address": "100 Main St, Springfield",
            "phone": "(312) 555-0142",
        }
        for i in range(4)
    ]
    medications = [
        {"id": f"r{i}", "name": f"Medication {i}", "next_refill": discharge, "refill_every_days": 30}
        for i in range(3)
    ]
    return {
        "schema_version": 1,
        "id": f"plan-{n:06d}",
        "updated": "2027-01-05T10:00:00-06:00",
        "person": {"name": f"Person {n}", "timezone": zone},
        "program": {"name": "Bench IOP", "discharge_date": discharge, "next_review": discharge},
        "meetings": meetings,
        "appointments": appointments,
        "medications": medications,
    }


BASELINE = r'''
import datetime as dt, json, sys, uuid
from pathlib import Path
from icalendar import Alarm, Calendar, Event, Timezone
from zoneinfo import ZoneInfo

src, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
CODES = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
ORDER = list(CODES)
zones = {}
def vtz(key):
    if key not in zones:
        zones[key] = Timezone.from_tzid(key)
    return zones[key]
def alarm(title, minutes):
    a = Alarm(); a.add("ACTION", "DISPLAY"); a.add("DESCRIPTION", title)
    a.add("TRIGGER", dt.timedelta(minutes=-minutes)); return a
for path in sorted(src.glob("*.json")):
    plan = json.loads(path.read_text())
    stamp = dt.datetime.fromisoformat(plan["updated"]).astimezone(dt.UTC)
    discharge = dt.date.fromisoformat(plan["program"]["discharge_date"])
    last = discharge + dt.timedelta(days=90)
    tz = plan["person"]["timezone"]
    until = dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)
    cal = Calendar(); cal.add("PRODID", "-//bench//EN"); cal.add("VERSION", "2.0")
    used = set(); events = []
    for m in plan["meetings"]:
        z = ZoneInfo(m["timezone"]); used.add(m["timezone"])
        day = discharge
        while ORDER[day.weekday()] not in m["days"]:
            day += dt.timedelta(days=1)
        h, mi = map(int, m["start"].split(":"))
        start = dt.datetime.combine(day, dt.time(h, mi), tzinfo=z)
        e = Event(); e.add("UID", str(uuid.uuid5(uuid.NAMESPACE_URL, plan["id"] + m["id"])))
        e.add("DTSTAMP", stamp); e.add("SUMMARY", m["name"]); e.add("DTSTART", start)
        e.add("DTEND", start + dt.timedelta(hours=1)); e.add("LOCATION", m["address"])
        e.add("DESCRIPTION", m["notes"])
        e.add("RRULE", {"FREQ": "WEEKLY", "BYDAY": [CODES[d] for d in m["days"]], "UNTIL": until})
        e.add_component(alarm(m["name"], 60)); events.append(e)
    for a in plan["appointments"]:
        z = ZoneInfo(tz); used.add(tz)
        h = int(a["time"].split(":")[0])
        start = dt.datetime.combine(dt.date.fromisoformat(a["date"]), dt.time(h), tzinfo=z)
        e = Event(); e.add("UID", str(uuid.uuid5(uuid.NAMESPACE_URL, plan["id"] + a["id"])))
        e.add("DTSTAMP", stamp); e.add("SUMMARY", a["provider"]); e.add("DTSTART", start)
        e.add("DTEND", start + dt.timedelta(hours=1)); e.add("LOCATION", a["address"])
        rules = {"weekly": ("WEEKLY", 1), "every_2_weeks": ("WEEKLY", 2), "monthly": ("MONTHLY", 1)}
        if a["repeat"] in rules:
            freq, interval = rules[a["repeat"]]
            e.add("RRULE", {"FREQ": freq, "INTERVAL": interval, "UNTIL": until})
        e.add_component(alarm(a["provider"], 60)); events.append(e)
    for r in plan["medications"]:
        day = dt.date.fromisoformat(r["next_refill"])
        e = Event(); e.add("UID", str(uuid.uuid5(uuid.NAMESPACE_URL, plan["id"] + r["id"])))
        e.add("DTSTAMP", stamp); e.add("SUMMARY", "Refill"); e.add("DTSTART", day)
        e.add("DTEND", day + dt.timedelta(days=1))
        e.add("RRULE", {"FREQ": "DAILY", "INTERVAL": r["refill_every_days"], "UNTIL": last})
        events.append(e)
    for key in sorted(used):
        cal.add_component(vtz(key))
    for e in events:
        cal.add_component(e)
    (out / (path.stem + ".ics")).write_bytes(cal.to_ical())
'''


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of the largest process of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")  # type: ignore[union-attr]
    return seconds, usage.ru_maxrss / 1024


def iopcli() -> list[str]:
    script = shutil.which("iopcli") or str(Path(sys.executable).with_name("iopcli"))
    return [script] if Path(script).exists() else [sys.executable, "-m", "iopcli"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    sizes = parser.parse_args().sizes
    work = Path(tempfile.mkdtemp(prefix="iopcli-batch-"))
    baseline_script = work / "baseline.py"
    baseline_script.write_text(BASELINE)
    rows = []
    print(f"{'plans':>6} {'what':22} {'seconds':>8} {'plans/s':>8} {'peak RSS MB':>12}")
    try:
        for size in sizes:
            src = work / f"plans-{size}"
            src.mkdir()
            rng = random.Random(size)
            for n in range(size):
                (src / f"plan-{n:06d}.json").write_text(json.dumps(synthetic_plan(n, rng)))
            results = {}
            for name, command in {
                "baseline (icalendar)": [sys.executable, str(baseline_script), str(src), str(work / "b")],
                "iopcli --jobs 1": [*iopcli(), "export", str(src), "--format", "ics", "--out", str(work / "o1"), "--jobs", "1", "-q"],
                "iopcli --jobs 2": [*iopcli(), "export", str(src), "--format", "ics", "--out", str(work / "o2"), "--jobs", "2", "-q"],
            }.items():
                seconds, rss = run(command)
                results[name] = (seconds, rss)
                print(f"{size:>6} {name:22} {seconds:8.2f} {size / seconds:8.0f} {rss:12.0f}")
            for out in ("b", "o1", "o2"):
                shutil.rmtree(work / out, ignore_errors=True)
            rows.append((size, results))
        print()
        for size, results in rows:
            base, one, two = (results[k][0] for k in ("baseline (icalendar)", "iopcli --jobs 1", "iopcli --jobs 2"))
            print(f"{size:>6} plans: jobs 1 = {base / one:.2f}x baseline throughput;"
                  f" jobs 2 = {one / two:.2f}x jobs 1")
        if len(rows) >= 2:
            small, large = rows[0], rows[-1]
            for key in ("iopcli --jobs 1", "iopcli --jobs 2"):
                ratio = large[1][key][1] / small[1][key][1]
                print(f"peak RSS {key}: {large[0]} plans = {ratio:.2f}x {small[0]} plans")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
