#!/usr/bin/python3
"""PyTorch on the same training as `clprop-bench train`: the reference for bench/compare.sh.

Benchmark-only: nothing in clprop uses torch. Debian's python3-torch (1.13) for /usr/bin/python3.

Run:  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=2 \
          /usr/bin/python3 bench/reference/torch_mlp.py [--quick] [--threads 2] [--data DIR]

The network 784-256-128-10: sigmoid hidden layers, softmax output with cross-entropy (the mean
over the batch), plain SGD at rate 0.1, Glorot-uniform weights and zero biases, as clprop builds
it. The real Fashion-MNIST training images, read with numpy and gzip, as floats byte/255 in
memory (start-up, not timed). Per batch size (32, 256, 1024): a warm-up on the epoch's last
three batches and its partial one, then one whole epoch in a fresh shuffled order, timed: each
batch is gathered by index from the whole set, as clprop gathers it on the device, and the loss
and the correct count are kept (on the tensor side, read once per epoch), as clprop's are.
Output: one JSON object per line, like clprop-bench train --json.
"""
import argparse
import ctypes
import gzip
import json
import math
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

WARMUP_BATCHES = 3
QUICK_SAMPLES = 2048
BATCHES = (32, 256, 1024)
RATE = 0.1


def read_idx(path):
    """An IDX file (gzip'd) as a numpy array of its shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def openblas_core():
    """The kernel the OpenBLAS loaded in this process runs ("Zen", "Haswell", ...), or None."""
    with open("/proc/self/maps") as maps:
        libraries = sorted(set(re.findall(r"/\S*libopenblas\S*\.so\S*", maps.read())))
    for library in libraries:
        try:
            corename = ctypes.CDLL(library).openblas_get_corename
            corename.restype = ctypes.c_char_p
            return corename().decode()
        except (OSError, AttributeError):
            continue
    return None


def scheduler_seconds():
    """Seconds this process's threads have run, and have waited runnable for a CPU."""
    ran = waited = 0.0
    for task in Path("/proc/self/task").iterdir():
        try:
            run, wait = (task / "schedstat").read_text().split()[:2]
        except (OSError, ValueError):
            continue
        ran += int(run) * 1e-9
        waited += int(wait) * 1e-9
    return ran, waited


def make_network():
    net = nn.Sequential(nn.Linear(784, 256), nn.Sigmoid(), nn.Linear(256, 128), nn.Sigmoid(),
                        nn.Linear(128, 10))
    torch.manual_seed(1)
    for layer in net:
        if isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return net


def train(net, optimizer, loss_fn, x, y, order, batch, first):
    """SGD over order[first:], batch by batch; returns (mean loss, accuracy, samples)."""
    total_loss = torch.zeros((), dtype=torch.float64)
    correct = torch.zeros((), dtype=torch.int64)
    n = order.numel()
    for start in range(first, n, batch):
        index = order[start:start + batch]
        inputs, targets = x[index], y[index]
        optimizer.zero_grad(set_to_none=True)
        outputs = net(inputs)
        loss = loss_fn(outputs, targets)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            total_loss += loss.detach().double() * index.numel()
            correct += (outputs.argmax(1) == targets).sum()
    samples = n - first
    return total_loss.item() / samples, correct.item() / samples, samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="the first 2048 images")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    images = read_idx(f"{args.data}/train-images-idx3-ubyte.gz")
    labels = read_idx(f"{args.data}/train-labels-idx1-ubyte.gz")
    if args.quick:
        images, labels = images[:QUICK_SAMPLES], labels[:QUICK_SAMPLES]
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    n = len(y)
    print(json.dumps({"torch": torch.__version__, "numpy": np.__version__,
                      "threads": torch.get_num_threads(), "openblas_core": openblas_core(),
                      "samples": n}), flush=True)

    for batch in BATCHES:
        net = make_network()
        optimizer = torch.optim.SGD(net.parameters(), lr=RATE)
        loss_fn = nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(batch)
        warmup = WARMUP_BATCHES * batch + n % batch
        order = torch.randperm(n, generator=generator)
        started = time.perf_counter()
        train(net, optimizer, loss_fn, x, y, order, batch, max(n - warmup, 0))
        warm = time.perf_counter()
        order = torch.randperm(n, generator=generator)
        cpu = time.process_time()
        ran, waited = scheduler_seconds()
        loss, accuracy, samples = train(net, optimizer, loss_fn, x, y, order, batch, 0)
        seconds = time.perf_counter() - warm
        cores = (time.process_time() - cpu) / seconds
        ran_after, waited_after = scheduler_seconds()
        ran, waited = ran_after - ran, waited_after - waited
        wait_share = waited / (ran + waited) if ran + waited > 0 else None
        steps = math.ceil(n / batch)
        print(json.dumps({"batch": batch, "samples_per_s": samples / seconds, "epoch_s": seconds,
                          "samples": samples, "steps": steps,
                          "ms_per_step": seconds / steps * 1e3, "warmup_s": warm - started,
                          "loss": loss, "accuracy": accuracy, "cores_busy": cores,
                          "cpu_wait_share": wait_share}),
              flush=True)


if __name__ == "__main__":
    sys.exit(main())
