"""Runs the C# side (bench/NasGen.PeerBench) and the Python side (peer_bench.py) alternately, one fresh process per
measurement, and prints a markdown table of median samples/s over the cycles and the median of the per-cycle ratios.

Usage (from the repository root, after `dotnet build bench/NasGen.PeerBench -c Release`):
    /usr/bin/python3 bench/peer/compare.py [--cycles 5] [--threads 2] [--scale 1] [--only mnist-train-64,...] [--extra]
        [--sides NasGen,PyTorch] [--metric wall|cpu]
--metric cpu measures samples per CPU-second (all threads, OMP_WAIT_POLICY=PASSIVE on both sides) and the GEMM peak
per CPU-second: on a shared machine wall-clock throughput measures the neighbours, CPU time much less so.
Sides: "NasGen" (the default: ConvolutionGuard attached, glibc's malloc set by AllocatorTuning), "unguarded" (the same
without the guard: its results are wrong for channels off oneDNN's block, so it is a speed bound only), "PyTorch" (/usr/bin/python3,
Debian's python3-torch). --isa AVX2,ALL adds NasGen with DNNL_MAX_CPU_ISA set to each value; --malloc adds PyTorch with glibc's malloc set as
NasGen sets it and NasGen with glibc's defaults. --extra adds both sides with channels-last input and with 1 intra-op thread, and NasGen without the per-step loss read.
Each cycle also times a 2048² float32 matrix product in TorchSharp (the GEMM peak) and reports the training step's
GFLOP/s (convolutions and the linear layer, forward and both gradients, counted below) as a share of it.
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


# glibc's malloc as NasGen's AllocatorTuning sets it (by mallopt) for PyTorch, whose process reads them at start-up;
# any MALLOC_*_ variable (here a harmless one) makes NasGen leave glibc's defaults alone.
TUNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "1073741824", "MALLOC_TOP_PAD_": "67108864"}


def conv_flops(c_in, c_out, kernel, size):
    """Multiply-adds of a same-padded stride-1 convolution on one size×size image, as FLOPs (2 per multiply-add)."""
    return 2 * kernel * kernel * c_in * c_out * size * size


# Forward FLOPs per sample; a training step is 3× (output, input gradient, weight gradient) less the first layer's
# input gradient, which nobody needs. Batch norm, ReLU and pooling are memory-bound and left out.
FORWARD = {
    "mnist": [conv_flops(1, 16, 3, 28), conv_flops(16, 16, 3, 14), conv_flops(16, 16, 3, 14), 2 * 256 * 10],
    "awkward": [conv_flops(1, 12, 3, 28), conv_flops(12, 12, 3, 28), conv_flops(12, 24, 3, 14), conv_flops(24, 24, 3, 14), 2 * 384 * 10],
}
TRAIN_FLOPS = {name: 3 * sum(layers) - layers[0] for name, layers in FORWARD.items()}


def run(command, env_extra, key="samples_per_s", passive=False):
    env = dict(os.environ)
    env.pop("DNNL_MAX_CPU_ISA", None)
    if passive:
        # Idle OpenMP workers sleep instead of spinning, so that CPU time counts work only (on both sides).
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    env.update(env_extra)
    output = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    match = re.search(key + r"=([0-9.]+)", output.stdout)
    if not match:
        sys.exit(f"no result from {' '.join(command)}:\n{output.stdout}\n{output.stderr[-2000:]}")
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default="")
    parser.add_argument("--extra", action="store_true")
    parser.add_argument("--sides", default="", help="comma-separated side names to run (default: all)")
    parser.add_argument("--metric", choices=["wall", "cpu"], default="wall",
                        help="wall: samples per second; cpu: samples per CPU-second of the whole process (every "
                             "thread), with OMP_WAIT_POLICY=PASSIVE on both sides: the A/B measure on a shared machine")
    parser.add_argument("--scale", type=int, default=1, help="multiplies every workload's steps")
    parser.add_argument("--malloc", action="store_true",
                        help="adds PyTorch with glibc's malloc set as NasGen sets it, and NasGen with glibc's defaults")
    parser.add_argument("--isa", default="",
                        help="comma-separated DNNL_MAX_CPU_ISA values (e.g. AVX2,ALL): adds a side 'NasGen <value>' each")
    parser.add_argument("--baseline", default="",
                        help="NasGen.PeerBench.dll of another build (e.g. main's): adds a side 'baseline' for A/B")
    options = parser.parse_args()
    threads = ["--threads", str(options.threads)]
    sides = [
        ("NasGen", lambda w: ["dotnet", CSHARP, *w, *threads]),
        ("unguarded", lambda w: ["dotnet", CSHARP, *w, *threads, "--no-guard"]),
        ("PyTorch", lambda w: ["/usr/bin/python3", PYTHON, *w, *threads]),
    ]
    if options.extra:
        sides += [
            ("NasGen channels-last", lambda w: ["dotnet", CSHARP, *w, *threads, "--channels-last"]),
            ("PyTorch channels-last", lambda w: ["/usr/bin/python3", PYTHON, *w, *threads, "--channels-last"]),
            ("NasGen 1 thread", lambda w: ["dotnet", CSHARP, *w, "--threads", "1"]),
            ("PyTorch 1 thread", lambda w: ["/usr/bin/python3", PYTHON, *w, "--threads", "1"]),
            ("NasGen no loss read", lambda w: ["dotnet", CSHARP, *w, *threads, "--no-item"]),
        ]
    if options.baseline:
        sides.append(("baseline", lambda w: ["dotnet", options.baseline, *w, *threads]))
    # Sides that differ by environment only: oneDNN's ISA, or glibc's malloc set as NasGen sets it (AllocatorTuning).
    env_of = {"PyTorch tuned malloc": TUNED_MALLOC, "NasGen default malloc": {"MALLOC_ARENA_TEST_": "8"}}
    if options.malloc:
        sides += [
            ("PyTorch tuned malloc", lambda w: ["/usr/bin/python3", PYTHON, *w, *threads]),
            ("NasGen default malloc", lambda w: ["dotnet", CSHARP, *w, *threads]),
        ]
    for isa in filter(None, options.isa.split(",")):
        env_of[f"NasGen {isa}"] = {"DNNL_MAX_CPU_ISA": isa}
        sides.append((f"NasGen {isa}", lambda w: ["dotnet", CSHARP, *w, *threads]))
    if options.sides:
        sides = [s for s in sides if s[0] in options.sides.split(",")]
    cpu = options.metric == "cpu"
    unit = "samples per CPU-second" if cpu else "samples/s"

    def measure(command, key, env=None):
        value = run(command, env or {}, key=key, passive=cpu)
        return 1e6 / value if key == "cpu_us_per_sample" else value

    workloads = [w for w in WORKLOADS if not options.only or w[0] in options.only.split(",")]
    results = {(w[0], s[0]): [] for w in workloads for s in sides}
    peaks, loads = [], []
    for cycle in range(options.cycles):
        loads.append(os.getloadavg()[0])
        peaks.append(measure(["dotnet", CSHARP, "gemm", "2048", str(5 * options.scale), *threads],
                             "gflops_per_cpu_s" if cpu else "gflops"))
        print(f"cycle {cycle + 1} GEMM peak: {peaks[-1]:.1f} GFLOP/s{' per core' if cpu else ''}, "
              f"load average {loads[-1]:.1f}", file=sys.stderr, flush=True)
        for name, network, mode, batch, steps in workloads:
            arguments = [network, mode, str(batch), str(steps * options.scale)]
            for side, command in sides:
                value = measure(command(arguments), "cpu_us_per_sample" if cpu else "samples_per_s", env_of.get(side))
                results[(name, side)].append(value)
                print(f"cycle {cycle + 1} {name} {side}: {value:.0f}", file=sys.stderr, flush=True)

    names = [s[0] for s in sides]
    peak = statistics.median(peaks)
    print(f"GEMM peak (TorchSharp, 2048², {options.threads} threads): median {peak:.1f} GFLOP/s{' per CPU-second' if cpu else ''}; "
          f"load average (1 min) at the cycles' starts: {', '.join(f'{l:.1f}' for l in loads)}\n")

    def ratio(name, a, b):
        if a not in names or b not in names:
            return ""
        return f"{statistics.median(x / y for x, y in zip(results[(name, a)], results[(name, b)])):.2f}×"

    def share(name, network, side):
        # GFLOP/s of each cycle against that cycle's peak, so that both saw the same load.
        if side not in names:
            return ""
        values = results[(name, side)]
        flops = TRAIN_FLOPS[network]
        return (f"{statistics.median(values) * flops / 1e9:.1f} "
                f"({statistics.median(x * flops / 1e9 / p for x, p in zip(values, peaks)):.1%})")

    print("| workload | " + " | ".join(f"{n} ({unit})" for n in names)
          + " | NasGen ÷ PyTorch | NasGen ÷ unguarded | NasGen ÷ baseline | NasGen GFLOP/s (% of GEMM peak) | PyTorch GFLOP/s (% of GEMM peak) |")
    print("|---|" + "--:|" * (len(names) + 5))
    for name, network, mode, *_ in workloads:
        cells = " | ".join(f"{statistics.median(results[(name, n)]):,.0f}" for n in names)
        shares = " | ".join(share(name, network, side) if mode == "train" else "" for side in ("NasGen", "PyTorch"))
        print(f"| {name} | {cells} | {ratio(name, 'NasGen', 'PyTorch')} | {ratio(name, 'NasGen', 'unguarded')} | {ratio(name, 'NasGen', 'baseline')} | {shares} |")


if __name__ == "__main__":
    main()
