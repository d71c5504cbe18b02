"""Directory search speed on 20,000 meetings (and how long the import takes).

Generates an invented Meeting Guide feed, imports it into a throw-away IOPCLI_HOME, then times
typical searches through the library (median of repeated runs) and one `iopcli directory
search` as a user runs it (start-up included). Run from the repository root:

    python benchmarks/directory_search.py [--meetings 20000]
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

WORDS = "hope serenity freedom gratitude acceptance courage unity recovery new beginnings".split()
STREETS = "Elm Oak Maple Cedar Pine Birch Lake Hill River Park".split()


def feed(count: int) -> list[dict[str, object]]:
    rng = random.Random(count)
    return [
        {
            "name": f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} Group {n}",
            "slug": f"meeting-{n}",
            "day": rng.randint(0, 6),
            "time": f"{rng.randint(6, 21):02d}:{rng.choice(['00', '30'])}",
            "types": rng.sample(["O", "C", "D", "B", "SP", "W", "M", "ONL", "X"], 3),
            "location": f"{rng.choice(STREETS)} Street Hall",
            "formatted_address": f"{rng.randint(1, 9999)} {rng.choice(STREETS)} St, Springfield",
            "conference_url": "https://meet.example.org/j/1" if rng.random() < 0.2 else None,
            "updated": f"202{rng.randint(3, 6)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        }
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=20000)
    count = parser.parse_args().meetings
    home = Path(tempfile.mkdtemp(prefix="iopcli-dir-"))
    os.environ["IOPCLI_HOME"] = str(home)
    from iopcli.directory import open_directory
    from iopcli.feeds import read_feed

    path = home / "feed.json"
    path.write_text(json.dumps(feed(count)))
    started = time.perf_counter()
    read = read_feed(path, "bench")
    directory = open_directory()
    directory.import_feed(read, "bench", str(path))
    imported = time.perf_counter() - started
    print(f"import of {count:,} meetings: {imported:.1f} s ({len(read.skipped)} skipped)")
    searches = {
        "words: hope": {"text": "hope"},
        "--day tue --after 18:00 --before 21:00": {"day": "tue", "after": 1080, "before": 1260},
        "--online": {"online": True},
        "--type W --day sat": {"type_code": "W", "day": "sat"},
        "words + day: serenity --day fri": {"text": "serenity", "day": "fri"},
    }
    print(f"{'search':42} {'median ms':>10} {'results':>8}")
    for name, query in searches.items():
        times = []
        for _ in range(11):
            t = time.perf_counter()
            found = directory.search(**query, limit=50)  # type: ignore[arg-type]
            times.append(time.perf_counter() - t)
        print(f"{name:42} {statistics.median(times) * 1000:10.1f} {len(found):8}")
    directory.close()
    script = shutil.which("iopcli") or str(Path(sys.executable).with_name("iopcli"))
    t = time.perf_counter()
    subprocess.run([script, "directory", "search", "hope", "--day", "tue"], capture_output=True,
                   check=True)
    print(f"`iopcli directory search hope --day tue` as a command: "
          f"{(time.perf_counter() - t) * 1000:.0f} ms (start-up included)")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
