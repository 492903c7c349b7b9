#!/usr/bin/env python3
"""Weights of ENAS's published macro network (24 layers) under every reading of its layer, term by term.

docs/spaces/enas.md uses it to compare with the paper's 21.3 M (and 38.0 M "with more channels"). The default
reading (separable convolutions, a 1x1 convolution before each operation, joins by concatenation and a 1x1
convolution, factorized reductions) is EnasMacroFinal and gives its 30,947,424 exactly.

    python3 bench/spaces/enas_macro_variants.py
"""
import itertools
import pathlib
import re

# The authors' fixed_arc (scripts/cifar10_macro_final.sh), read from EnasMacroArchitectures.PublishedFixedArc: per
# layer its operation (0 conv 3x3, 1 separable 3x3, 2 conv 5x5, 3 separable 5x5, 4 average pool, 5 max pool) and one
# skip bit per earlier output (stem first).
SOURCE = pathlib.Path(__file__).resolve().parents[2] / "src" / "NasGen.Spaces" / "EnasMacroArchitectures.cs"
FIXED_ARC = re.search(r'PublishedFixedArc \{ get; \} = """(.*?)"""', SOURCE.read_text(encoding="utf-8"), re.S).group(1).strip()
LAYERS = [list(map(int, line.split())) for line in FIXED_ARC.splitlines()]
REDUCTION_AFTER = (7, 15)  # ENAS's pool_layers for 24 layers


def weights(channels, separable=True, pointwise_first=True, join="concat", reductions=True, doubling=True, classes=10):
    def width(layer):
        return channels * (2 ** sum(after < layer for after in REDUCTION_AFTER) if doubling else 1)

    total = 3 * 3 * 3 * channels + 2 * channels  # stem: 3x3 convolution, BN
    for layer, (op, *skips) in enumerate(LAYERS):
        w, bn = width(layer), 2 * width(layer)
        if pointwise_first:
            total += w * w + bn  # 1x1 convolution, BN
        if op < 4:
            k = 3 if op < 2 else 5
            total += (k * k * w + w * w if separable and op in (1, 3) else k * k * w * w) + bn
        if layer > 0:
            total += {"concat": (1 + sum(skips)) * w * w + bn, "sum": bn, "none": 0}[join]
        if reductions and layer in REDUCTION_AFTER:
            out = width(layer + 1)
            total += (layer + 2) * (w * out + 2 * out)  # every kept output: two 1x1 convolutions to out/2, BN
    return total + width(len(LAYERS) - 1) * classes  # linear classifier, no bias


if __name__ == "__main__":
    print(f"EnasMacroFinal at 96: {weights(96):,}; at 128: {weights(128):,} (ratio {weights(128) / weights(96):.4f}; "
          f"the paper's 38.0 / 21.3 = {38.0 / 21.3:.4f}, (512/384)^2 = {(512 / 384) ** 2:.4f})")
    print("reading at 96 / 192 / 384 channels                        weights    vs 21.3 M")
    for separable, pointwise, join, reductions in itertools.product((True, False), (True, False), ("concat", "sum", "none"), (True, False)):
        n = weights(96, separable, pointwise, join, reductions)
        name = f"{'separable' if separable else 'full k x k'}, {'1x1 first' if pointwise else 'no 1x1 first'}, join {join}, {'reductions' if reductions else 'no reductions'}"
        print(f"{name:<58} {n:>11,} {n / 21.3e6 - 1:+8.1%}")
    for w in (256, 384, 512):
        for join in ("concat", "sum"):
            n = weights(w, join=join, doubling=False)
            print(f"constant width {w}, join {join:<6}{'':>27} {n:>11,} {n / 21.3e6 - 1:+8.1%}")
