#!/usr/bin/env python3
"""Writes the embedded Fashion-MNIST subset (src/NasGen/Data/Resources/fashion-small-*.gz) from the IDX files.

    python3 eng/make-fashion-small.py data/fashion-mnist src/NasGen/Data/Resources

The first TRAIN images of Fashion-MNIST's training part, then the first TEST images of its test part, each 28x28 image
averaged over 2x2 blocks to 14x14 (rounded half up), as IDX files (images: rank 3, labels: rank 1), gzip-compressed
with no timestamp so that the output is byte-for-byte reproducible. Fashion-MNIST is (c) Zalando SE, MIT licence.
"""
import gzip
import os
import struct
import sys

TRAIN, TEST = 10000, 2000


def read_idx(path, rank):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    assert magic == 0x800 + rank, f"{path}: bad magic {magic:#x}"
    shape = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return shape, data[4 + 4 * rank:]


def find(folder, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    sys.exit(f"{name} not found in {folder}: run eng/fetch-data.sh fashion-mnist data")


def downsample(pixels, count):
    out = bytearray(count * 14 * 14)
    for i in range(count):
        image = pixels[i * 784:(i + 1) * 784]
        for y in range(14):
            for x in range(14):
                top = 2 * y * 28 + 2 * x
                total = image[top] + image[top + 1] + image[top + 28] + image[top + 29]
                out[i * 196 + y * 14 + x] = (total + 2) // 4
    return bytes(out)


def main(source, target):
    images, labels = bytearray(), bytearray()
    for prefix, count in (("train", TRAIN), ("t10k", TEST)):
        _, pixels = read_idx(find(source, f"{prefix}-images-idx3-ubyte"), 3)
        _, classes = read_idx(find(source, f"{prefix}-labels-idx1-ubyte"), 1)
        images += downsample(pixels, count)
        labels += classes[:count]
    total = TRAIN + TEST
    for name, header, payload in (
            ("fashion-small-images-idx3-ubyte.gz", struct.pack(">IIII", 0x803, total, 14, 14), images),
            ("fashion-small-labels-idx1-ubyte.gz", struct.pack(">II", 0x801, total), labels)):
        with open(os.path.join(target, name), "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
            f.write(header + bytes(payload))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
