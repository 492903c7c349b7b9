"""Trials per hour of the main job (samples/NasGen.DigitsSearch) with --concurrency 1 and 2, run alternately.

Usage (from the repository root, after `dotnet build samples/NasGen.DigitsSearch -c Release`):
    /usr/bin/python3 bench/peer/concurrency.py [--cycles 5] [--levels 1,2]
Each run starts fresh; its search time is the span from the first trial's start to the last trial's end in the store
(start-up, data loading and the final retraining are left out). It also compares the fitness of every trial that
both runs of a cycle trained with the same architecture and seed.
"""
import argparse
import datetime
import os
import sqlite3
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOB = os.path.join(ROOT, "samples/NasGen.DigitsSearch/bin/Release/net10.0/NasGen.DigitsSearch.dll")
SETTINGS = {
    "digits": ["--trials", "8", "--epochs", "2", "--final-epochs", "1"],
    "mnist-2000": ["--dataset", "mnist", "--data", os.path.join(ROOT, "data"), "--search-examples", "2000",
                   "--trials", "6", "--epochs", "1", "--final-epochs", "1"],
}


def run(setting, concurrency, out):
    command = ["dotnet", JOB, *SETTINGS[setting], "--concurrency", str(concurrency), "--fresh", "--out", out]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    with sqlite3.connect(os.path.join(out, "experiment.db")) as db:
        rows = db.execute("select canonical, seed, fitness, started_at, ended_at from trials where ended_at is not null").fetchall()
    times = [(datetime.datetime.fromisoformat(r[3]), datetime.datetime.fromisoformat(r[4])) for r in rows]
    span = (max(e for _, e in times) - min(s for s, _ in times)).total_seconds()
    return len(rows) * 3600 / span, {(r[0], r[1]): r[2] for r in rows}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--levels", default="1,2")
    parser.add_argument("--only", default="")
    options = parser.parse_args()
    levels = [int(x) for x in options.levels.split(",")]
    settings = [s for s in SETTINGS if not options.only or s in options.only.split(",")]
    rates = {(s, c): [] for s in settings for c in levels}
    loads, same, compared, largest = [], 0, 0, 0.0
    for cycle in range(options.cycles):
        for setting in settings:
            fitness = {}
            for concurrency in levels:
                loads.append(os.getloadavg()[0])
                rate, fitness[concurrency] = run(setting, concurrency, f"/tmp/nasgen-concurrency/{setting}-{concurrency}")
                rates[(setting, concurrency)].append(rate)
                print(f"cycle {cycle + 1} {setting} concurrency {concurrency}: {rate:.0f} trials/h (load {loads[-1]:.1f})", file=sys.stderr, flush=True)
            shared = set.intersection(*(set(f) for f in fitness.values()))
            for key in shared:
                values = [fitness[c][key] for c in levels]
                compared += 1
                same += max(values) == min(values)
                largest = max(largest, max(values) - min(values))

    print(f"load average (1 min) at the runs' starts: {min(loads):.0f}–{max(loads):.0f} (median {statistics.median(loads):.0f})\n")
    print("| setting | " + " | ".join(f"--concurrency {c} (trials/h)" for c in levels) + " | ratio (median of cycles) |")
    print("|---|" + "--:|" * (len(levels) + 1))
    for setting in settings:
        cells = " | ".join(f"{statistics.median(rates[(setting, c)]):,.0f}" for c in levels)
        ratio = statistics.median(b / a for a, b in zip(rates[(setting, levels[0])], rates[(setting, levels[-1])]))
        print(f"| {setting} | {cells} | {ratio:.2f}× |")
    print(f"\nSame architecture and seed in both runs of a cycle: {compared} trials, {same} with identical fitness, "
          f"largest difference {largest:.4f}")


if __name__ == "__main__":
    main()
