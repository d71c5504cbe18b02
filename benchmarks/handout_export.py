"""Handout throughput: Markdown, .ics, HTML and PDF side by side.

Generates N synthetic plans (those of ``batch_export.py``: 6 meetings, 4 appointments and 3
refills each, in four U.S. time zones) and times ``iopcli export DIR --format F --jobs J -q``
for each format with ``--jobs 1`` and ``--jobs 2``, each run its own process. Prints seconds,
plans per second, peak RSS (largest process, from wait4) and, for PDF, pages per plan. Run from
the repository root:

    python benchmarks/handout_export.py [--plans 200]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch_export import iopcli, run, synthetic_plan

FORMATS = ("md", "ics", "html", "pdf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=200)
    size = parser.parse_args().plans
    work = Path(tempfile.mkdtemp(prefix="iopcli-handouts-"))
    try:
        src = work / "plans"
        src.mkdir()
        rng = random.Random(size)
        for n in range(size):
            (src / f"plan-{n:06d}.json").write_text(json.dumps(synthetic_plan(n, rng)))
        header = f"{'plans':>6} {'format':6} {'jobs':>4} {'seconds':>8} {'plans/s':>8}"
        print(f"{header} {'peak RSS MB':>12}")
        for fmt in FORMATS:
            for jobs in (1, 2):
                out = work / f"out-{fmt}-{jobs}"
                report = work / f"report-{fmt}-{jobs}.json"
                command = [
                    *iopcli(), "export", str(src), "--format", fmt, "--out", str(out),
                    "--jobs", str(jobs), "-q", "--report", str(report),
                ]  # fmt: skip
                seconds, rss = run(command)
                rate = size / seconds
                line = f"{size:>6} {fmt:6} {jobs:>4} {seconds:8.2f} {rate:8.1f} {rss:12.0f}"
                pages = json.loads(report.read_text())["totals"].get("pdf_pages")
                if pages:
                    line += f"   {pages / size:.1f} pages a plan"
                print(line)
                shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
