"""Treatment-program import and search over 25,000 invented locator rows.

Generates a FindTreatment.gov-style export (pages of rows, each with every category search
reads), imports it into a throw-away IOPCLI_HOME, then times typical searches through the
library (median of repeated runs, wall-clock and CPU time, ZIP lookup included) and one
`iopcli programs search` as a user runs it (start-up included). Run from the repository root:

    python benchmarks/programs.py [--programs 25000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETTINGS = [
    "Outpatient",
    "Intensive outpatient treatment",
    "Regular outpatient treatment",
    "Partial hospitalization/day treatment",
    "Residential",
    "Telemedicine/telehealth",
    "Outpatient methadone/buprenorphine or naltrexone treatment",
]
PAYS = [
    "Medicaid",
    "Medicare",
    "Private health insurance",
    "Cash or self-payment",
    "Military insurance (e.g., TRICARE)",
    "State-financed health insurance plan other than Medicaid",
]
APPROACHES = [
    "Cognitive behavioral therapy",
    "Dialectical behavior therapy",
    "Motivational interviewing",
    "Relapse prevention",
    "Trauma-related counseling",
    "12-step facilitation",
]
WORDS = [
    "harbor",
    "river",
    "hill",
    "summit",
    "new",
    "hope",
    "bridge",
    "cedar",
    "lake",
    "valley",
    "recovery",
    "health",
]


def rows(count: int) -> list[dict[str, object]]:
    rng = random.Random(count)

    def some(values: list[str], most: int) -> str:
        return "; ".join(rng.sample(values, rng.randint(1, most)))

    out = []
    for n in range(count):
        # Across the continental U.S.; one in fifty without coordinates, as real exports have.
        placed = rng.random() > 0.02
        out.append(
            {
                "frid": f"BENCH{n:06d}",
                "name1": f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} Center {n}",
                "street1": f"{rng.randint(1, 9999)} Main Street",
                "city": "Springfield",
                "state": "MA",
                "zip": f"{rng.randint(1000, 99999):05d}",
                "phone": "555-0100",
                "latitude": f"{rng.uniform(25, 49):.4f}" if placed else "",
                "longitude": f"{rng.uniform(-124, -67):.4f}" if placed else "",
                "typeFacility": rng.choice(["SA", "MH", "SA, MH"]),
                "services": [
                    {"f1": "Service Setting", "f2": "SET", "f3": some(SETTINGS, 3)},
                    {"f1": "Payment Accepted", "f2": "PAY", "f3": some(PAYS, 4)},
                    {
                        "f1": "Payment Assistance",
                        "f2": "PYAS",
                        "f3": rng.choice(["", "Sliding fee scale (fee is based on income)"]),
                    },
                    {"f1": "Treatment Approaches", "f2": "TAP", "f3": some(APPROACHES, 4)},
                    {"f1": "Language Services", "f2": "OL", "f3": rng.choice(["", "Spanish"])},
                    {"f1": "Age Groups", "f2": "AGE", "f3": some(["Adults", "Adolescents"], 2)},
                    {"f1": "Gender", "f2": "GN", "f3": some(["Female", "Male"], 2)},
                ],
            }
        )
    return out


SEARCHES = {
    "near 02139 (nearest 20)": {"near": "02139"},
    "near 02139 --within 50": {"near": "02139", "within": 50.0},
    "near 60613 --level iop --pays medicaid": {
        "near": "60613",
        "levels": ["iop"],
        "pays": ["medicaid"],
    },
    "near 94110 --language es --approach dbt": {
        "near": "94110",
        "languages": ["es"],
        "approaches": ["dbt"],
    },
    "--level php --assistance sliding-fee": {"levels": ["php"], "assistance": ["sliding-fee"]},
    "words: harbor": {"text": "harbor"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=25000)
    count = parser.parse_args().programs
    home = Path(tempfile.mkdtemp(prefix="iopcli-programs-"))
    os.environ["IOPCLI_HOME"] = str(home)
    from iopcli.locator import read_programs
    from iopcli.places import resolve
    from iopcli.program_index import open_programs

    every = rows(count)
    pages = [
        {"page": n + 1, "totalPages": -(-count // 2000), "recordCount": count, "rows": chunk}
        for n, chunk in enumerate(every[i : i + 2000] for i in range(0, count, 2000))
    ]
    path = home / "locator.json"
    path.write_text(json.dumps(pages))
    started = time.perf_counter()
    read = read_programs(path, "bench")
    index = open_programs()
    result = index.import_programs(read.programs, "bench", str(path), "locator", read.skipped)
    took = time.perf_counter() - started
    size = path.stat().st_size / 2**20
    print(f"import of {count:,} programs ({size:.0f} MiB): {took:.1f} s ({result.added:,} added)")
    print(f"{'search (median of 15)':42} {'wall ms':>8} {'CPU ms':>7} {'results':>8}")
    for label, query in SEARCHES.items():
        times, cpu, found = [], [], 0
        for _ in range(15):
            t, c = time.perf_counter(), time.process_time()
            asked = dict(query)
            near = asked.pop("near", None)
            place = resolve(str(near)) if near else None
            hits = index.search(
                near=(place.latitude, place.longitude) if place else None,
                **asked,  # type: ignore[arg-type]
            )
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            found = len(hits)
        wall, used = statistics.median(times), statistics.median(cpu)
        print(f"{label:42} {wall:8.1f} {used:7.1f} {found:8d}")
    index.close()
    command = [sys.executable, "-m", "iopcli", "programs", "search", "--near", "02139"]
    t = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    print(
        f"`iopcli programs search --near 02139` as a command:"
        f" {(time.perf_counter() - t) * 1000:.0f} ms (start-up included)"
    )
    shutil.rmtree(home)


if __name__ == "__main__":
    main()
