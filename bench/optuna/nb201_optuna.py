#!/usr/bin/python3
"""Optuna's samplers on the NAS-Bench-201 CIFAR-10 table, with the protocol of bench/NasGen.Bench201.

Each search is Q queries (trials) with seeds 0..R-1; every trial is a query, a repeated architecture included
(Optuna's samplers may repeat one). The six edges are categorical parameters with the five operations. The
fitness the sampler maximises is --fitness (default cifar10_valid_acc_12ep); the chosen architecture is the
fittest queried (the first queried among equals) and the reported value is its --report column (default
cifar10_test_acc), as in the C# harness. Prints a markdown table of mean +- sample standard deviation.

    /usr/bin/python3 bench/optuna/nb201_optuna.py [--data CSV] [--seeds 100] [--queries 100]
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
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # multivariate=True is experimental in Optuna 3.1 and says so once per study.
    import warnings
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

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
