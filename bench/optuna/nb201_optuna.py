#!/usr/bin/python3
"""Optuna's samplers on the NAS-Bench-201 CIFAR-10 table, with the protocol of bench/NasGen.Bench201.

Each search is Q queries (trials) with seeds 0..R-1; every trial is a query, a repeated architecture included
(Optuna's samplers may repeat one). The six edges are categorical parameters with the five operations. The
fitness the sampler maximises is --fitness (default cifar10_valid_acc_12ep); the chosen architecture is the
fittest queried (the first queried among equals) and the reported value is its --report column (default
cifar10_test_acc), as in the C# harness. Prints a markdown table of mean +- sample standard deviation.

With --objectives A,B the multi-objective mode runs instead, as the C# harness's: for each column, maximise the
fitness and minimise the column with NSGA-II and MOTPE (--mo-queries trials, default 200), and report the hypervolume
of every queried point against the true front's nadir, divided by the true front's hypervolume.

    /usr/bin/python3 bench/optuna/nb201_optuna.py [--data CSV] [--seeds 100] [--queries 100]
    /usr/bin/python3 bench/optuna/nb201_optuna.py --objectives flops_m,latency_pixel3_ms [--mo-queries 200]
"""
import argparse
import csv
import math
import os
import sys
import time

import optuna

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
EDGES = ["edge1-0", "edge2-0", "edge2-1", "edge3-0", "edge3-1", "edge3-2"]


def default_data():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "data", "nb201", "nb201-cifar10.csv"))


def load(path, fitness, report):
    table = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            table[row["arch"]] = (float(row[fitness]), float(row[report]))
    return table


def arch_string(params):
    ops = [params[e] for e in EDGES]
    return "|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|".format(*ops)


SAMPLERS = {
    "optuna-tpe-multivariate": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
    "optuna-tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "optuna-random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}


MO_SAMPLERS = {
    "optuna-nsga2": lambda seed: optuna.samplers.NSGAIISampler(seed=seed),
    "optuna-motpe": lambda seed: optuna.samplers.TPESampler(seed=seed),  # TPE is MOTPE on a multi-objective study
}


def front(points):
    """The non-dominated (fitness up, cost down) points, by cost ascending."""
    result = []
    for fitness, cost in sorted(set(points), key=lambda p: (p[1], -p[0])):
        if not result or fitness > result[-1][0]:
            result.append((fitness, cost))
    return result


def hypervolume(points, reference):
    f = front(points)
    area = 0.0
    for i, (fitness, cost) in enumerate(f):
        next_cost = min(f[i + 1][1], reference[1]) if i + 1 < len(f) else reference[1]
        width, height = next_cost - cost, fitness - reference[0]
        if width > 0 and height > 0:
            area += width * height
    return area


def search_multi(table, make_sampler, seed, queries):
    queried = []

    def objective(trial):
        params = {e: trial.suggest_categorical(e, OPS) for e in EDGES}
        point = table[arch_string(params)]
        queried.append(point)
        return point

    study = optuna.create_study(directions=["maximize", "minimize"], sampler=make_sampler(seed))
    study.optimize(objective, n_trials=queries)
    return queried


def run_multi(args):
    for column in args.objectives.split(","):
        table = load(args.data, args.fitness, column)  # arch -> (fitness, objective column)
        true_front = front(table.values())
        reference = (min(p[0] for p in true_front), max(p[1] for p in true_front))
        true_hv = hypervolume(true_front, reference)
        print(f"{args.fitness} up against {column} down, {args.seeds} seeds x {args.mo_queries} queries; "
              f"reference {reference}, true front hypervolume {true_hv:.5g}")
        print(f"| sampler | hypervolume / true ({args.fitness} ↑, {column} ↓), mean ± std | time (s) |")
        print("|---|---|---|")
        for name in MO_SAMPLERS:
            start = time.time()
            ratios = []
            for seed in range(args.seeds):
                ratios.append(hypervolume(search_multi(table, MO_SAMPLERS[name], seed, args.mo_queries), reference) / true_hv)
                print(f"{column} {name} seed {seed}: {ratios[-1]!r}", file=sys.stderr, flush=True)
            mean, std = mean_std(ratios)
            print(f"| {name} | {mean:.4f} ± {std:.4f} | {time.time() - start:.0f} |", flush=True)


def search(table, make_sampler, seed, queries):
    chosen = None  # (fitness, report) of the fittest queried so far

    def objective(trial):
        nonlocal chosen
        params = {e: trial.suggest_categorical(e, OPS) for e in EDGES}
        fitness, report = table[arch_string(params)]
        if chosen is None or fitness > chosen[0]:
            chosen = (fitness, report)
        return fitness

    study = optuna.create_study(direction="maximize", sampler=make_sampler(seed))
    study.optimize(objective, n_trials=queries)
    return chosen


def mean_std(values):
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return mean, std


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=default_data())
    parser.add_argument("--fitness", default="cifar10_valid_acc_12ep")
    parser.add_argument("--report", default="cifar10_test_acc")
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--samplers", default=",".join(SAMPLERS))
    parser.add_argument("--objectives", default=None)
    parser.add_argument("--mo-queries", type=int, default=200)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # multivariate=True is experimental in Optuna 3.1 and says so once per study.
    import warnings
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

    if args.objectives:
        run_multi(args)
        return
    table = load(args.data, args.fitness, args.report)
    print(f"Optuna {optuna.__version__}, {args.seeds} seeds x {args.queries} queries, fitness {args.fitness}, report {args.report}")
    print(f"| sampler | {args.report} (mean ± std) | {args.fitness} (mean ± std) | time (s) |")
    print("|---|---|---|---|")
    for name in args.samplers.split(","):
        start = time.time()
        runs = []
        for seed in range(args.seeds):
            runs.append(search(table, SAMPLERS[name], seed, args.queries))
            # Progress on stderr: a run cut short still leaves every finished seed's result.
            print(f"{name} seed {seed}: fitness {runs[-1][0]} report {runs[-1][1]}", file=sys.stderr, flush=True)
        report = mean_std([r[1] for r in runs])
        fitness = mean_std([r[0] for r in runs])
        print(f"| {name} | {report[0]:.2f} ± {report[1]:.2f} | {fitness[0]:.2f} ± {fitness[1]:.2f} | {time.time() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
