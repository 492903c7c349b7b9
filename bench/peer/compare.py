"""Runs the C# side (bench/NasGen.PeerBench) and the Python side (peer_bench.py) alternately, one fresh process per
measurement, and prints a markdown table of median samples/s over the cycles and the median of the per-cycle ratios.

Usage (from the repository root, after `dotnet build bench/NasGen.PeerBench -c Release`):
    /usr/bin/python3 bench/peer/compare.py [--cycles 5] [--threads 2] [--scale 1] [--only mnist-train-64,...] [--extra]
Sides: "NasGen" (the default: oneDNN capped at AVX2 on AVX-512 CPUs, ConvolutionGuard attached), "AVX" (the former
default, DNNL_MAX_CPU_ISA=AVX; its outputs are wrong for some channel counts, so it is a speed reference only),
"PyTorch" (/usr/bin/python3, Debian's python3-torch). --extra adds PyTorch with channels-last input and NasGen with 1 thread
(TorchSharp 0.107 has no contiguous(memory_format), so the C# side has no channels-last variant).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CSHARP = os.path.join(ROOT, "bench/NasGen.PeerBench/bin/Release/net10.0/NasGen.PeerBench.dll")
PYTHON = os.path.join(ROOT, "bench/peer/peer_bench.py")

# (name, network, mode, batch, steps at --scale 1): each measurement runs about a second on an idle 2-core machine.
WORKLOADS = [
    ("mnist-train-64", "mnist", "train", 64, 8),
    ("mnist-train-256", "mnist", "train", 256, 3),
    ("mnist-infer-256", "mnist", "infer", 256, 6),
    ("awkward-train-64", "awkward", "train", 64, 8),
    ("awkward-train-256", "awkward", "train", 256, 3),
]


def run(command, env_extra):
    env = dict(os.environ)
    env.pop("DNNL_MAX_CPU_ISA", None)
    env.update(env_extra)
    output = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    match = re.search(r"samples_per_s=([0-9.]+)", output.stdout)
    if not match:
        sys.exit(f"no result from {' '.join(command)}:\n{output.stdout}\n{output.stderr[-2000:]}")
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default="")
    parser.add_argument("--extra", action="store_true")
    parser.add_argument("--scale", type=int, default=1, help="multiplies every workload's steps")
    options = parser.parse_args()
    threads = ["--threads", str(options.threads)]
    sides = [
        ("NasGen", lambda w: ["dotnet", CSHARP, *w, *threads], {}),
        ("AVX", lambda w: ["dotnet", CSHARP, *w, *threads], {"DNNL_MAX_CPU_ISA": "AVX"}),
        ("PyTorch", lambda w: ["/usr/bin/python3", PYTHON, *w, *threads], {}),
    ]
    if options.extra:
        sides += [
            ("PyTorch channels-last", lambda w: ["/usr/bin/python3", PYTHON, *w, *threads, "--channels-last"], {}),
            ("NasGen 1 thread", lambda w: ["dotnet", CSHARP, *w, "--threads", "1"], {}),
        ]
    workloads = [w for w in WORKLOADS if not options.only or w[0] in options.only.split(",")]
    results = {(w[0], s[0]): [] for w in workloads for s in sides}
    for cycle in range(options.cycles):
        for name, network, mode, batch, steps in workloads:
            arguments = [network, mode, str(batch), str(steps * options.scale)]
            for side, command, env in sides:
                value = run(command(arguments), env)
                results[(name, side)].append(value)
                print(f"cycle {cycle + 1} {name} {side}: {value:.0f}", file=sys.stderr, flush=True)

    names = [s[0] for s in sides]
    print("| workload | " + " | ".join(f"{n} (samples/s)" for n in names) + " | NasGen ÷ PyTorch | NasGen ÷ AVX |")
    print("|---|" + "--:|" * (len(names) + 2))
    for name, *_ in workloads:
        medians = [statistics.median(results[(name, n)]) for n in names]
        def ratio(a, b):
            return statistics.median(x / y for x, y in zip(results[(name, a)], results[(name, b)]))
        cells = " | ".join(f"{m:,.0f}" for m in medians)
        print(f"| {name} | {cells} | {ratio('NasGen', 'PyTorch'):.2f}× | {ratio('NasGen', 'AVX'):.2f}× |")


if __name__ == "__main__":
    main()
