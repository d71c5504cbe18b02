"""How fast the commands people run under stress start: crisis, --help, agenda, show.

Prints the median wall time of repeated runs of each command next to the baseline
`python -c "import typer"`, and the ratio. Also lists which heavy modules each command
imported (they must not import icalendar or the exporters). Run from the repository root:

    python benchmarks/startup.py [--runs 15]

It uses a throw-away IOPCLI_HOME holding the example plans; nothing else is touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("icalendar", "iopcli.ics", "iopcli.markdown", "iopcli.export", "pydantic", "phonenumbers")


def iopcli() -> list[str]:
    script = shutil.which("iopcli") or str(Path(sys.executable).with_name("iopcli"))
    return [script] if Path(script).exists() else [sys.executable, "-m", "iopcli"]


def timed(command: list[str], env: dict[str, str], runs: int) -> float:
    subprocess.run(command, env=env, capture_output=True, check=False)  # warm the disk cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def heavy_imports(command: list[str], env: dict[str, str]) -> list[str]:
    result = subprocess.run(
        command, env={**env, "PYTHONPROFILEIMPORTTIME": "1"}, capture_output=True, text=True
    )
    found = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:"):
            name = line.rsplit("|", 1)[-1].strip()
            found |= {h for h in HEAVY if name == h or name.startswith(h + ".")}
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    home = tempfile.mkdtemp(prefix="iopcli-bench-")
    env = {**os.environ, "IOPCLI_HOME": home, "NO_COLOR": "1"}
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    examples = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
    subprocess.run([*iopcli(), "import", *examples], env=env, capture_output=True, check=True)
    subprocess.run([*iopcli(), "config", "set", "default_plan", "dana"], env=env, check=True,
                   capture_output=True)
    baseline = timed([sys.executable, "-c", "import typer"], env, runs)
    cases = {
        "iopcli crisis": [*iopcli(), "crisis"],
        "iopcli crisis (no store)": [*iopcli(), "crisis"],
        "iopcli --help": [*iopcli(), "--help"],
        "iopcli agenda": [*iopcli(), "agenda"],
        "iopcli show": [*iopcli(), "show"],
        "iopcli <Tab> (completion)": [*iopcli()],
    }
    # What bash runs on a Tab after `iopcli history ` (plan names: the store is read).
    tab = {"_IOPCLI_COMPLETE": "complete_bash", "COMP_WORDS": "iopcli history ", "COMP_CWORD": "2"}
    print(f"median of {runs} runs; baseline python -c 'import typer': {baseline * 1000:.0f} ms")
    print(f"{'command':28} {'ms':>6} {'x typer':>8}  heavy imports")
    for name, command in cases.items():
        case_env = env if "no store" not in name else {**env, "IOPCLI_HOME": tempfile.mkdtemp()}
        case_env = {**case_env, **tab} if "(completion)" in name else case_env
        seconds = timed(command, case_env, runs)
        heavy = ", ".join(heavy_imports(command, case_env)) or "none"
        print(f"{name:28} {seconds * 1000:6.0f} {seconds / baseline:8.2f}  {heavy}")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
