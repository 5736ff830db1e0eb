#!/usr/bin/python3
"""The first iRPROP- step of FANN and of clprop from the same network, weight by weight.

Used by bench/fann/compare.sh before it measures anything:

    first_step.py INIT.net FANN_AFTER_ONE_EPOCH.net CLPROP_AFTER_ONE_EPOCH.net

Both libraries start every weight's step at 0.1. On the first epoch FANN grows it to 0.12 first
(its iRPROP- counts "no previous gradient" as agreement); clprop keeps 0.1. So after one epoch
every weight must have moved by 0.12 in FANN and 0.1 in clprop, in the same direction — except
where the gradient is exactly zero (an input that is 0 in every sample): clprop does not move
such a weight, and FANN 2.2 moves it up by the step (its update is "slope < 0: down, else: up").
That checks the starting weights (clprop read FANN's .net), the gradient's sign for every
weight, and that clprop trained with iRPROP- at all. Prints one line; exits 1 when fewer than
99% of the weights agree (float sums in a different order may flip the sign of a gradient that
is almost zero, nothing else should).
"""
import re
import sys


def weights(path):
    """The weights of a FANN .net's connections line, in order."""
    with open(path) as f:
        line = next(l for l in f if l.startswith("connections"))
    return [float(w) for w in re.findall(r"\(\d+, ([-+0-9.eE]+)\)", line)]


def main():
    start, fann, clprop = (weights(p) for p in sys.argv[1:4])
    if not len(start) == len(fann) == len(clprop):
        print(f"first step: weight counts differ ({len(start)}, {len(fann)}, {len(clprop)})")
        return 1
    agree = zero = 0
    for w0, wf, wc in zip(start, fann, clprop):
        df, dc = wf - w0, wc - w0
        if abs(dc) < 1e-7:  # a zero gradient: FANN 2.2 moves the weight up, clprop leaves it
            zero += abs(df - 0.12) < 1e-4 or abs(df) < 1e-7
            continue
        same_way = (df > 0) == (dc > 0)
        agree += abs(abs(df) - 0.12) < 1e-4 and abs(abs(dc) - 0.1) < 1e-4 and same_way
    share = (agree + zero) / len(start)
    print(f"first step: {agree}/{len(start)} weights moved alike (FANN 0.12, clprop 0.1, same way)"
          + (f", {zero} with a zero gradient (FANN +0.12, clprop 0)" if zero else ""))
    return 0 if share >= 0.99 else 1


if __name__ == "__main__":
    sys.exit(main())
