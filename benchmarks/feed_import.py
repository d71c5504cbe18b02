"""Feed import time and peak memory: a 200,000-record Meeting Guide feed and a 50,000-service
HSDS CSV data package (issue 12 "Also measured", issue 13).

Generates invented feeds shaped like published ones (every field the importer reads, a few
duplicate slugs and malformed records), then imports each into a throw-away directory in a
fresh Python process, so the peak resident memory measured (ru_maxrss of that process) is the
import's own, interpreter included. CPU time is given beside wall time: on a shared machine it
is the steadier figure. Run from the repository root:

    python benchmarks/feed_import.py [--meetings 200000] [--services 50000]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

WORDS = [
    "hope",
    "serenity",
    "freedom",
    "gratitude",
    "acceptance",
    "courage",
    "unity",
    "recovery",
    "new",
    "beginnings",
]
STREETS = ["Elm", "Oak", "Maple", "Cedar", "Pine", "Birch", "Lake", "Hill", "River", "Park"]
TYPES = ["O", "C", "D", "B", "SP", "W", "M", "ONL", "X", "ST", "LGBTQ"]


def meeting_guide(path: Path, count: int) -> None:
    """Written record by record, as an intergroup's export would be (one big JSON list)."""
    rng = random.Random(count)
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for n in range(count):
            street = rng.choice(STREETS)
            row: dict[str, object] = {
                "name": f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {n}",
                "slug": f"meeting-{n}" if n % 5000 else f"meeting-{n - 1}",  # a few duplicates
                "day": rng.randint(0, 6) if n % 7 else [1, 3, 5],
                "time": rng.choice(["07:00", "12:00", "18:30", "19:00", "8:00 PM", "20:00:00"]),
                "end_time": rng.choice(["", "21:00"]),
                "timezone": "America/Chicago",
                "types": rng.choice(
                    [rng.sample(TYPES, 3), ",".join(rng.sample(TYPES, 2)), "[open]", [""]]
                ),
                "group": f"{rng.choice(WORDS).title()} Group",
                "location": f"{street} Street Hall",
                "address": f"{rng.randint(1, 9999)} {street} St",
                "city": "Springfield",
                "state": "IL",
                "postal_code": "62701",
                "country": "US",
                "regions": ["Springfield", rng.choice(["North", "South", "East", "West"])],
                "district": f"District {rng.randint(1, 30)}",
                "location_notes": "Side door, downstairs.",
                "notes": "Newcomers welcome. " * rng.randint(0, 3),
                "attendance_option": rng.choice(["in_person", "hybrid", "online"]),
                "conference_url": "https://meet.example.org/j/5550142" if n % 4 == 0 else "",
                "conference_phone": "+13125550142,,5550142#" if n % 4 == 0 else "",
                "latitude": 39.78 + rng.random() / 10,
                "longitude": -89.65 - rng.random() / 10,
                "contact_1_name": "Sam",
                "contact_1_phone": "(217) 555-0142",
                "venmo": "@SpringfieldGroup",
                "updated": f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/202{rng.randint(2, 6)}",
            }
            if n % 10000 == 1:
                row["day"] = 9  # malformed: skipped with its reason
            out.write(json.dumps(row) + (",\n" if n < count - 1 else "\n"))
        out.write("]\n")


def hsds_package(folder: Path, count: int) -> None:
    """services, organizations, locations, service_at_location, phones, addresses, schedules,
    languages, taxonomy_terms and attributes CSV files, 3.0 column names."""
    rng = random.Random(count)
    folder.mkdir()

    def table(name: str, header: list[str], rows: object) -> None:
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)  # type: ignore[arg-type]

    orgs = max(1, count // 10)
    table(
        "organizations",
        ["id", "name", "website"],
        ([f"o{i}", f"Community Org {i}", f"https://org{i}.example.org"] for i in range(orgs)),
    )
    table(
        "services",
        ["id", "organization_id", "name", "description", "status", "assured_date"],
        (
            [
                f"s{i}",
                f"o{i % orgs}",
                f"{rng.choice(['Food', 'Housing', 'Legal', 'Job', 'Peer'])} Service {i}",
                "Help for people in recovery and their families. " * rng.randint(1, 4),
                rng.choice(["active"] * 9 + ["temporarily closed"]),
                f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            ]
            for i in range(count)
        ),
    )
    table(
        "locations",
        ["id", "organization_id", "name"],
        ([f"l{i}", f"o{i % orgs}", f"Site {i}"] for i in range(count)),
    )
    table(
        "service_at_location",
        ["id", "service_id", "location_id"],
        ([f"x{i}", f"s{i}", f"l{i}"] for i in range(count)),
    )
    table(
        "phones",
        ["id", "service_id", "organization_id", "location_id", "number", "type"],
        (
            row
            for i in range(count)
            for row in (
                [f"p{i}", f"s{i}", "", "", f'"(217) 555-{i % 10000:04d}"', "voice"],
                [f"q{i}", "", "", f"l{i}", f"(217) 556-{i % 10000:04d}", "fax"],
            )
        ),
    )
    table(
        "addresses",
        ["id", "location_id", "address_1", "city", "state_province", "postal_code", "address_type"],
        (
            [f"a{i}", f"l{i}", f"{i} Main St", "Springfield", "IL", "62701", "physical"]
            for i in range(count)
        ),
    )
    table(
        "schedules",
        ["id", "service_id", "freq", "byday", "opens_at", "closes_at"],
        ([f"h{i}", f"s{i}", "WEEKLY", "MO,TU,WE,TH,FR", "09:00", "17:00"] for i in range(count)),
    )
    table(
        "languages",
        ["id", "service_id", "name"],
        ([f"g{i}", f"s{i}", "English"] for i in range(count)),
    )
    table(
        "taxonomy_terms",
        ["id", "code", "name"],
        [["t1", "BD-1800", "Food Pantries"], ["t2", "BH-8400", "Housing Search"]],
    )
    table(
        "attributes",
        ["id", "link_id", "link_type", "taxonomy_term_id"],
        ([f"at{i}", f"s{i}", "service", f"t{1 + i % 2}"] for i in range(count)),
    )


CHILD = """
import sys, time, resource
from pathlib import Path
from iopcli.directory import open_directory
from iopcli.feeds import read_feed
path, home = Path(sys.argv[1]), Path(sys.argv[2])
started = time.perf_counter()
feed = read_feed(path, "bench")
with open_directory(home) as directory:
    result = directory.import_feed(feed, "bench", str(path))
took = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
print(f"{took:.1f} {cpu:.1f} {peak:.0f} {result.added} {len(result.skipped)} {len(result.notes)}")
"""


def measure(label: str, path: Path, home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(home)],
        capture_output=True,
        text=True,
        check=True,
    )
    took, cpu, peak, added, skipped, notes = done.stdout.split()
    print(
        f"{label:48} {float(took):7.1f} s {float(cpu):7.1f} s {float(peak):6.0f} MB"
        f"   ({int(added):,} added, {int(skipped):,} skipped, {int(notes):,} noted)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=200_000)
    parser.add_argument("--services", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="iopcli-feeds-") as tmp:
        root = Path(tmp)
        feed = root / "meeting-guide.json"
        meeting_guide(feed, args.meetings)
        package = root / "hsds"
        hsds_package(package, args.services)
        size = feed.stat().st_size / 2**20
        package_size = sum(p.stat().st_size for p in package.iterdir()) / 2**20
        print(f"{'import (fresh process each)':48} {'wall':>9} {'CPU':>9} {'peak RSS':>9}")
        measure(f"Meeting Guide, {args.meetings:,} meetings ({size:.0f} MiB)", feed, root / "h1")
        measure(
            f"HSDS CSV package, {args.services:,} services ({package_size:.0f} MiB)",
            package,
            root / "h2",
        )


if __name__ == "__main__":
    main()
