#!/usr/bin/python3
"""Optuna's TPESampler told fixed Hartmann-6 observations: one proposal per seed, to compare with NasGen's TPE.

Each line of OBSERVATIONS is x1..x6,value (minimised). For seeds 0..R-1 a fresh study gets every observation as a
finished trial and asks once; the proposal is written as one CSV line. NasGen's side is
`dotnet run -c Release --project bench/NasGen.ContinuousBench -- --probe OBSERVATIONS R uv OUT` (docs/strategies/tpe.md).

    /usr/bin/python3 bench/optuna/tpe_probe.py OBSERVATIONS SEEDS OUT [--multivariate] [--fixed]
"""
import argparse
import warnings

import optuna

from continuous_optuna import NormalisedKernelsTPE


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("observations")
    parser.add_argument("seeds", type=int)
    parser.add_argument("out")
    parser.add_argument("--multivariate", action="store_true")
    parser.add_argument("--fixed", action="store_true", help="normalised kernels (Optuna >= 3.5's density)")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    names = [f"x{i + 1}" for i in range(6)]
    distributions = {name: optuna.distributions.FloatDistribution(0, 1) for name in names}
    with open(args.observations) as f:
        rows = [[float(v) for v in line.split(",")] for line in f if line.strip()]
    trials = [optuna.trial.create_trial(params=dict(zip(names, row[:6])), distributions=distributions, value=row[6])
              for row in rows]
    sampler_type = NormalisedKernelsTPE if args.fixed else optuna.samplers.TPESampler
    with open(args.out, "w") as out:
        for seed in range(args.seeds):
            study = optuna.create_study(direction="minimize", sampler=sampler_type(seed=seed, multivariate=args.multivariate))
            study.add_trials(trials)
            trial = study.ask(distributions)
            out.write(",".join(repr(trial.params[name]) for name in names) + "\n")


if __name__ == "__main__":
    main()
