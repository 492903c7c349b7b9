"""The Python side of the peer benchmark: the same networks and steps as bench/NasGen.PeerBench, in PyTorch.

Usage: /usr/bin/python3 peer_bench.py <mnist|awkward> <train|infer> <batch> <steps> [--threads N] [--channels-last]
Prints one line: samples per second (compare.py runs it alternately with the C# side).
"""
import sys
import time

import torch
from torch import nn


def mnist_net():
    """samples/NasGen.ExportedNetwork/MnistNet.cs with downsample=True (width 16, one extra 3x3 block, a shortcut)."""

    class MnistNet(nn.Module):
        def __init__(self):
            super().__init__()
            width = 16
            self.stem = nn.Sequential(nn.Conv2d(1, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2))
            self.block = nn.Sequential(nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU())
            self.extra = nn.Sequential(nn.Sequential(nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU()))
            self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Dropout(0.2), nn.Linear(16 * width, 10))

        def forward(self, x):
            features = self.stem(x)
            return self.classifier(features + self.extra(self.block(features)))

    return MnistNet()


def awkward_net():
    """Channel counts off oneDNN's blocks (12 and 24), as in bench/NasGen.PeerBench."""
    return nn.Sequential(
        nn.Conv2d(1, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(),
        nn.Conv2d(12, 12, 3, padding=1), nn.BatchNorm2d(12), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(12, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(),
        nn.Conv2d(24, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(),
        nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(24 * 16, 10))


def main(argv):
    network, mode, batch, steps = argv[0], argv[1], int(argv[2]), int(argv[3])
    if "--threads" in argv:
        torch.set_num_threads(int(argv[argv.index("--threads") + 1]))
    channels_last = "--channels-last" in argv
    torch.manual_seed(1)
    model = {"mnist": mnist_net, "awkward": awkward_net}[network]()
    images, labels = torch.randn(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
    if channels_last:
        # Channels-last input only, as the C# side: the convolutions (and their outputs) then run channels-last.
        images = images.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    def step():
        if mode == "infer":
            with torch.no_grad():
                model(images).argmax(1).sum().item()
            return
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(images), labels)
        loss.item()
        loss.backward()
        optimizer.step()

    model.eval() if mode == "infer" else model.train()
    # Warm-up as the C# side: 3 steps, then steps until 1.5 s have passed.
    warmup_start, warmed = time.perf_counter(), 0
    while warmed < 3 or time.perf_counter() - warmup_start < 1.5:
        step()
        warmed += 1
    start, cpu_start = time.perf_counter(), time.process_time()  # process_time: every thread's CPU time
    for _ in range(steps):
        step()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    print(f"samples_per_s={batch * steps / seconds:.1f} cpu_us_per_sample={cpu_seconds * 1e6 / (batch * steps):.1f} torch={torch.__version__} threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main(sys.argv[1:])
