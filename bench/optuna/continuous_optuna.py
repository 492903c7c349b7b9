#!/usr/bin/python3
"""Optuna's samplers on Branin, Hartmann-6 and mixed Hartmann-6, with the protocol of bench/NasGen.ContinuousBench.

Each search is N evaluations (trials) with seeds 0..R-1, minimising the function. The simple regret of a search is
the best value it evaluated minus the problem's minimum; the script prints the median and the quartiles (linear
interpolation between order statistics, as numpy's default and the C# harness) over the seeds, one markdown row per
problem and sampler. The three problems are defined in docs/benchmarks/continuous.md; the constants are the ones in
bench/NasGen.ContinuousBench/Problems.cs.

    /usr/bin/python3 bench/optuna/continuous_optuna.py [--seeds 50] [--evaluations 100] [--problems ...] [--samplers ...]
"""
import argparse
import math
import sys
import time
import warnings

import numpy as np
import optuna
from optuna.samplers._tpe import _truncnorm

# Hartmann-6 (Dixon and Szegő 1978): f(x) = -sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2) on [0, 1]^6.
ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8],
     [0.05, 10, 17, 0.1, 8, 14],
     [3, 3.5, 1.7, 10, 17, 8],
     [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886],
     [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650],
     [4047, 8828, 8732, 5743, 1091, 381]]
VARIANT_SHIFT = {"a": 0.0, "b": 0.5, "c": 1.0}


def hartmann6(x):
    total = 0.0
    for i in range(4):
        inner = sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))
        total += ALPHA[i] * math.exp(-inner)
    return -total


def branin(x1, x2):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def branin_objective(trial):
    return branin(trial.suggest_float("x1", -5, 10), trial.suggest_float("x2", 0, 15))


def hartmann6_objective(trial):
    return hartmann6([trial.suggest_float(f"x{j + 1}", 0, 1) for j in range(6)])


def mixed_objective(trial):
    x1 = trial.suggest_float("x1", 0, 1)
    x2 = trial.suggest_float("x2", 0, 1)
    x3 = trial.suggest_float("x3", 0, 1)
    k4 = trial.suggest_int("k4", 0, 10)
    k5 = trial.suggest_int("k5", 0, 10)
    x6 = trial.suggest_float("x6", 0, 1)
    variant = trial.suggest_categorical("variant", list(VARIANT_SHIFT))
    return hartmann6([x1, x2, x3, k4 / 10, k5 / 10, x6]) + VARIANT_SHIFT[variant]


# name -> (objective, minimum, has a categorical parameter)
PROBLEMS = {
    "branin": (branin_objective, 0.397887357729738, False),
    "hartmann6": (hartmann6_objective, -3.32236801141551, False),
    "hartmann6-mixed": (mixed_objective, -3.29815205226923, True),
}

_SHIPPED_LOGPDF = _truncnorm.logpdf


def _normalised_logpdf(x, a, b, loc=0, scale=1):
    """Optuna 3.1's truncated-normal log density lacks the -log(scale) of the change of variable, so each Parzen kernel
    weighs in proportion to its width (optuna/optuna#5109, fixed by #5110 in Optuna 3.5); this is the fixed one."""
    return _SHIPPED_LOGPDF(x, a, b, loc=loc, scale=scale) - np.log(scale)


class NormalisedKernelsTPE(optuna.samplers.TPESampler):
    """TPESampler whose Parzen kernels are normalised densities, as Optuna >= 3.5's estimator (all else Optuna 3.1's)."""

    def _with_normalised_kernels(self, sample, *args):
        _truncnorm.logpdf = _normalised_logpdf
        try:
            return sample(*args)
        finally:
            _truncnorm.logpdf = _SHIPPED_LOGPDF

    def sample_relative(self, *args):
        return self._with_normalised_kernels(super().sample_relative, *args)

    def sample_independent(self, *args):
        return self._with_normalised_kernels(super().sample_independent, *args)


SAMPLERS = {
    "optuna-random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "optuna-tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "optuna-tpe-multivariate": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
    "optuna-tpe-fixed": lambda seed: NormalisedKernelsTPE(seed=seed),
    "optuna-tpe-multivariate-fixed": lambda seed: NormalisedKernelsTPE(seed=seed, multivariate=True),
    "optuna-cmaes": lambda seed: optuna.samplers.CmaEsSampler(seed=seed),
    "optuna-nsga2": lambda seed: optuna.samplers.NSGAIISampler(seed=seed),
}


def search(objective, make_sampler, seed, evaluations):
    study = optuna.create_study(direction="minimize", sampler=make_sampler(seed))
    study.optimize(objective, n_trials=evaluations)
    return study.best_value


def quantile(sorted_values, q):
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--evaluations", type=int, default=100)
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--samplers", default=",".join(SAMPLERS))
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # multivariate TPE is experimental in Optuna 3.1 and says so once per study.
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

    print(f"Optuna {optuna.__version__}, {args.seeds} seeds x {args.evaluations} evaluations, simple regret")
    print("| problem | sampler | median | 25 % | 75 % | time (s) |")
    print("|---|---|---|---|---|---|")
    for problem in args.problems.split(","):
        objective, minimum, categorical = PROBLEMS[problem]
        for name in args.samplers.split(","):
            # CMA-ES models numeric parameters only: on a space with a categorical one Optuna samples that one at
            # random beside it, which is not CMA-ES any more.
            if name == "optuna-cmaes" and categorical:
                continue
            start = time.time()
            regrets = []
            for seed in range(args.seeds):
                regrets.append(search(objective, SAMPLERS[name], seed, args.evaluations) - minimum)
                # Progress on stderr: a run cut short still leaves every finished seed's result.
                print(f"{problem} {name} seed {seed}: regret {regrets[-1]!r}", file=sys.stderr, flush=True)
            regrets.sort()
            print(f"| {problem} | {name} | {quantile(regrets, 0.5):.4g} | {quantile(regrets, 0.25):.4g} | "
                  f"{quantile(regrets, 0.75):.4g} | {time.time() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
