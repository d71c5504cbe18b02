"""How fast the commands a person runs at home start, next to `python -c "import typer"`.

Runs every command and the baseline side by side, round after round (so a busy machine slows
them all alike), and prints each command's median wall time, its ratio to the baseline (the
targets: crisis at most 1.0x, the others at most 1.5x), which heavy modules it imported, and
its import profile: the modules that took longest to import, beyond what `import typer`
imports, so a regression shows where it came from. Run from the repository root:

    python benchmarks/startup.py [--runs 21] [--profile 5]

It uses a throw-away IOPCLI_HOME holding the example plans (NO_COLOR, as scripts and screen
readers run it); nothing else is touched.
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
TARGETS = {"crisis": 1.0}  # every other command: 1.5


def iopcli() -> list[str]:
    script = shutil.which("iopcli") or str(Path(sys.executable).with_name("iopcli"))
    return [script] if Path(script).exists() else [sys.executable, "-m", "iopcli"]


def once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def import_profile(command: list[str], env: dict[str, str]) -> dict[str, int]:
    """Module -> cumulative import time (microseconds), from -X importtime."""
    result = subprocess.run(
        command,
        env={**env, "PYTHONPROFILEIMPORTTIME": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    found = {}
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit():
                found[name.strip()] = int(cumulative)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--profile", type=int, default=5, help="modules listed per command")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="iopcli-bench-")
    empty = tempfile.mkdtemp(prefix="iopcli-bench-empty-")
    env = {**os.environ, "IOPCLI_HOME": home, "NO_COLOR": "1"}
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    examples = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
    subprocess.run([*iopcli(), "import", *examples], env=env, capture_output=True, check=True)
    subprocess.run(
        [*iopcli(), "config", "set", "default_plan", "dana"],
        env=env,
        check=True,
        capture_output=True,
    )
    # What bash runs on a Tab after `iopcli history ` (plan names: the store is read).
    tab = {"_IOPCLI_COMPLETE": "complete_bash", "COMP_WORDS": "iopcli history ", "COMP_CWORD": "2"}
    baseline = [sys.executable, "-c", "import typer"]
    cases: dict[str, tuple[list[str], dict[str, str]]] = {
        "python -c 'import typer'": (baseline, env),
        "iopcli crisis": ([*iopcli(), "crisis"], env),
        "iopcli crisis (no store)": ([*iopcli(), "crisis"], {**env, "IOPCLI_HOME": empty}),
        "iopcli --help": ([*iopcli(), "--help"], env),
        "iopcli agenda": ([*iopcli(), "agenda"], env),
        "iopcli show": ([*iopcli(), "show"], env),
        "iopcli list": ([*iopcli(), "list"], env),
        "iopcli history dana": ([*iopcli(), "history", "dana"], env),
        "iopcli <Tab> (completion)": (iopcli(), {**env, **tab}),
    }
    for command, case_env in cases.values():
        once(command, case_env)  # warm the disk cache and the kept views
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (command, case_env) in cases.items():
            times[name].append(once(command, case_env))
    base = statistics.median(times["python -c 'import typer'"])
    typer_modules = set(import_profile(baseline, env))
    print(f"median of {args.runs} rounds, side by side; NO_COLOR=1")
    print(f"{'command':28} {'ms':>6} {'x typer':>8} {'target':>7}  heavy imports")
    profiles = {}
    for name, (command, case_env) in cases.items():
        median = statistics.median(times[name])
        ratio = median / base
        word = name.split()[1] if name.startswith("iopcli ") else ""
        target = TARGETS.get(word, 1.5) if name.startswith("iopcli") else None
        profile = import_profile(command, case_env)
        heavy = sorted({h for h in HEAVY for m in profile if m == h or m.startswith(h + ".")})
        mark = "" if target is None else (f"{target:.1f}x" + ("" if ratio <= target else " !"))
        print(f"{name:28} {median * 1000:6.0f} {ratio:8.2f} {mark:>7}  {', '.join(heavy) or '-'}")
        profiles[name] = {m: t for m, t in profile.items() if m not in typer_modules}
    print(f"\nimport profile: the {args.profile} slowest imports beyond `import typer` (ms)")
    for name, profile in profiles.items():
        if name.startswith("python"):
            continue
        top = sorted(profile.items(), key=lambda item: -item[1])[: args.profile]
        print(f"{name:28} " + ", ".join(f"{m} {t / 1000:.1f}" for m, t in top))
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(empty, ignore_errors=True)


if __name__ == "__main__":
    main()
