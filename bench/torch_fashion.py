#!/usr/bin/python3
"""PyTorch on issue 15's Fashion-MNIST recipe: the accuracy clprop's dropout is to be held against.

Benchmark-only: nothing in clprop uses torch. Debian's python3-torch for /usr/bin/python3.

Run (from the repository root; about 10-20 minutes on 2 shared cores):

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_fashion.py [--threads 2] [--epochs 35]

The recipe: 784-1024-1024-10, ReLU hidden layers each followed by dropout 0.4 (training only),
a softmax output with cross-entropy (the mean over the batch), Adam (lr 0.001, betas 0.9/0.999,
no weight decay) under a cosine schedule from 0.001 down to 0 over the run, one rate per epoch
(as clprop's --schedule cosine), batch 128 in a fresh shuffled order every epoch (the last batch
smaller), 35 epochs. Weights He-uniform and biases zero, as clprop starts a ReLU layer
(--torch-init: PyTorch's own nn.Linear default instead). The IDX gz files are read with gzip and
numpy (no torchvision, nothing downloaded), pixels as byte/255.

Prints, per epoch, the training loss, the test loss and accuracy (the whole test set, dropout
off) and the seconds of training so far; then the total training time (the epochs' training
passes, without the test evaluations) and the best and last test accuracy.
"""
import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
from torch_mlp import read_idx  # noqa: E402  (the IDX reader of the training comparison)

HIDDEN = 1024
DROPOUT = 0.4


def load(folder, kind):
    images = read_idx(f"{folder}/{kind}-images-idx3-ubyte.gz")
    labels = read_idx(f"{folder}/{kind}-labels-idx1-ubyte.gz")
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    return x, torch.from_numpy(labels.astype(np.int64))


def make_network(torch_init):
    net = nn.Sequential(nn.Linear(784, HIDDEN), nn.ReLU(), nn.Dropout(DROPOUT),
                        nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.Dropout(DROPOUT),
                        nn.Linear(HIDDEN, 10))
    if not torch_init:
        for layer in net:
            if isinstance(layer, nn.Linear):
                # He-uniform: U(-sqrt(6/fan_in), +sqrt(6/fan_in)); the output layer too, as
                # clprop's --weight-init auto gives every layer of a ReLU network
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)
    return net


def evaluate(net, x, y):
    """Mean cross-entropy and accuracy on (x, y), dropout off."""
    net.eval()
    with torch.no_grad():
        outputs = net(x)
        loss = nn.functional.cross_entropy(outputs, y).item()
        accuracy = (outputs.argmax(1) == y).double().mean().item()
    net.train()
    return loss, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=35)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--torch-init", action="store_true", help="PyTorch's default init")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x, y = load(args.data, "train")
    test_x, test_y = load(args.data, "t10k")
    net = make_network(args.torch_init)
    optimizer = torch.optim.Adam(net.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"784-{HIDDEN}-{HIDDEN}-10 relu, dropout {DROPOUT}, adam lr {args.lr} cosine, "
          f"batch {args.batch}, {args.epochs} epochs, "
          f"{'torch' if args.torch_init else 'he-uniform'} init", flush=True)

    n = len(y)
    generator = torch.Generator().manual_seed(args.seed)
    trained = 0.0
    accuracies = []
    for epoch in range(1, args.epochs + 1):
        rate = optimizer.param_groups[0]["lr"]
        started = time.perf_counter()
        order = torch.randperm(n, generator=generator)
        total = torch.zeros((), dtype=torch.float64)
        for first in range(0, n, args.batch):
            index = order[first:first + args.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(net(x[index]), y[index])
            loss.backward()
            optimizer.step()
            total += loss.detach().double() * index.numel()
        schedule.step()
        trained += time.perf_counter() - started
        test_loss, test_accuracy = evaluate(net, test_x, test_y)
        accuracies.append(test_accuracy)
        print(f"epoch {epoch:2d}/{args.epochs}  lr {rate:.6f}  loss {total.item() / n:.5f}  "
              f"test loss {test_loss:.5f}  test acc {test_accuracy:.4f}  {trained:.1f} s",
              flush=True)

    best = max(range(len(accuracies)), key=accuracies.__getitem__)
    print(f"trained in {trained:.1f} s ({trained / args.epochs:.1f} s an epoch); "
          f"test accuracy {accuracies[-1]:.4f} after {args.epochs} epochs, "
          f"best {accuracies[best]:.4f} at epoch {best + 1}", flush=True)
    return 0 if all(math.isfinite(a) for a in accuracies) else 1


if __name__ == "__main__":
    sys.exit(main())
