#!/usr/bin/python3
"""The Markdown table of bench/fann/compare.sh from its results file.

    table.py RESULTS.tsv

RESULTS.tsv: one line per run, tab-separated: set, network, seed, who (fann-tanh, fann-linear,
clprop), test MSE, classification error (a share, or "-"), seconds of training. Each cell of the
table is the mean over the seeds, "± s" the seeds' standard deviation when there are several.
"""
import math
import statistics
import sys

# FANN's own results with iRPROP- (test MSE after 300 s of training), ../shared/datasets/fann/README.md
PUBLISHED = {"diabetes": 0.163, "gene": 0.075, "soybean": 0.044, "thyroid": 0.0109,
             "building": 0.0063, "census-house": 0.0077, "robot": 0.0090, "two-spiral": 0.204}
WHO = ("fann-tanh", "fann-linear", "clprop")


def significant(x, digits):
    """x with `digits` significant digits, trailing zeros kept; below 1e-4 as 1.2e-05."""
    if x == 0:
        return "0"
    if abs(x) < 1e-4:
        return f"{x:.{digits - 1}e}"
    decimals = max(digits - 1 - math.floor(math.log10(abs(x))), 0)
    return f"{x:.{decimals}f}"


def cell(values, percent=False):
    """Mean over the seeds, "± sd" with several: 4 significant digits (a percentage: 1 decimal)."""
    if not values:
        return "-"
    scale = 100.0 if percent else 1.0
    mean = statistics.fmean(values) * scale
    text = f"{mean:.1f}" if percent else significant(mean, 4)
    if len(values) > 1:
        sd = statistics.stdev(values) * scale
        text += f" ± {sd:.1f}" if percent else f" ± {significant(sd, 2)}"
    return text


def main():
    runs = {}
    order = []
    for line in open(sys.argv[1]):
        name, network, seed, who, mse, error, seconds = line.rstrip("\n").split("\t")
        if (name, network) not in order:
            order.append((name, network))
        entry = runs.setdefault((name, who), {"mse": [], "error": [], "seconds": []})
        entry["mse"].append(float(mse))
        if error != "-":
            entry["error"].append(float(error))
        entry["seconds"].append(float(seconds))
    print("| data set | network | FANN published | FANN, tanh error (as its benchmarks) "
          "| FANN, linear error | **clprop** | class error %: FANN tanh / FANN linear / **clprop** "
          "| seconds: FANN tanh / clprop |")
    print("|---|---|---|---|---|---|---|---|")
    for name, network in order:
        got = [runs.get((name, who), {"mse": [], "error": [], "seconds": []}) for who in WHO]
        errors = " / ".join(cell(g["error"], percent=True) for g in got) if got[2]["error"] else "-"
        seconds = f"{statistics.fmean(got[0]['seconds']):.2f} / {statistics.fmean(got[2]['seconds']):.2f}"
        published = str(PUBLISHED[name]) if name in PUBLISHED else "-"
        print(f"| {name} | {network} | {published} | {cell(got[0]['mse'])} | {cell(got[1]['mse'])} "
              f"| **{cell(got[2]['mse'])}** | {errors} | {seconds} |")


if __name__ == "__main__":
    sys.exit(main())
