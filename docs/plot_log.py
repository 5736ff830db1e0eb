#!/usr/bin/python3
"""Draws the loss and accuracy curves of a `clprop train --log FILE.csv` run as a PNG.

usage: docs/plot_log.py LOG.csv OUT.png [TITLE]
Needs Debian's python3-matplotlib (apt-get install python3-matplotlib)."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def column(rows, name):
    """The column's values as floats, or None when the run did not measure it."""
    values = [row[name] for row in rows]
    return [float(v) for v in values] if all(values) else None


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    epochs = [int(row["epoch"]) for row in rows]
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(10, 4))
    for name, label in (("train_loss", "training"), ("validation_loss", "validation"),
                        ("test_loss", "test")):
        values = column(rows, name)
        if values:
            loss_axis.plot(epochs, values, marker=".", label=label)
    loss_axis.set(xlabel="epoch", ylabel="loss", title="loss")
    loss_axis.legend()
    for name, label in (("train_accuracy", "training"), ("validation_accuracy", "validation"),
                        ("test_accuracy", "test")):
        values = column(rows, name)
        if values:
            accuracy_axis.plot(epochs, values, marker=".", label=label)
    accuracy_axis.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    accuracy_axis.legend()
    for axis in (loss_axis, accuracy_axis):
        axis.grid(alpha=0.3)
    if len(sys.argv) > 3:
        figure.suptitle(sys.argv[3])
    figure.tight_layout()
    figure.savefig(sys.argv[2], dpi=90)


if __name__ == "__main__":
    main()
