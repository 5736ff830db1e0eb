#!/usr/bin/python3
"""The Markdown tables of one bench/gpu/run.sh, for bench/RESULTS.md's GPU section.

Run (here, on the files the device tool brought back):
    /usr/bin/python3 bench/gpu/tables.py DIR
DIR holds summary.txt, environment.txt, peak.jsonl, kernels.jsonl and train.jsonl as run.sh
wrote them. A file or row that is missing is said to be missing, never filled in.
"""
import json
import sys
from pathlib import Path


def rows(path):
    if not path.exists():
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def number(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


def peak_section(folder):
    peaks = rows(folder / "peak.jsonl")
    device = next((p for p in peaks if p.get("peak") == "fp32_fma_opencl"), None)
    cpu = next((p for p in peaks if p.get("peak") == "fp32_fma"), None)
    print("**Peak** (`clprop-bench peak --opencl`, best of "
          f"{device['launches'] if device else '—'} launches):")
    if device is None:
        print("no figure came back (see summary.txt)")
        return None
    print(f"{number(device['gflops'])} GFLOP/s FP32 FMA on {device['device']} "
          f"({device['compute_units']} compute units, at most {device['max_clock_mhz']} MHz; "
          f"{device['work_items']} work-items × {device['rounds']} rounds; median "
          f"{number(device['gflops_median'])})" +
          (f"; the host CPU: {number(cpu['gflops'])} GFLOP/s on {cpu['threads']} threads."
           if cpu else "."))
    return device["gflops"]


def gemm_section(folder, peak):
    gemms = [r for r in rows(folder / "kernels.jsonl") if r.get("kernel", "").startswith("gemm")]
    print("\n**GEMM** (`clprop-bench kernels`; share = ours ÷ the peak above):\n")
    if not gemms:
        print("no rows came back (see summary.txt)")
        return
    print("| case | kernel | m×n×k | family | ours GFLOP/s | share of peak | CLBlast GFLOP/s "
          "| ours ÷ CLBlast | valid |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in gemms:
        ours, theirs = r.get("gflops"), r.get("clblast_gflops")
        share = f"{ours / peak:.1%}" if ours and peak else "—"
        ratio = f"{ours / theirs:.2f}" if ours and theirs else "—"
        valid = "yes" if r.get("valid") and r.get("clblast_valid") else "**no**"
        print(f"| {r['case']} | {r['kernel']} | {r['m']}×{r['n']}×{r['k']} | "
              f"{r.get('family', '—')} | {number(ours)} | {share} | {number(theirs)} | {ratio} "
              f"| {valid} |")
    others = [r for r in rows(folder / "kernels.jsonl")
              if not r.get("kernel", "").startswith("gemm")]
    wrong = [r for r in others if not r.get("valid")]
    print(f"\nThe other kernels: {len(others)} rows, {len(wrong)} with a wrong result.")


def train_section(folder):
    found = rows(folder / "train.jsonl")
    training = [r for r in found if "samples_per_s" in r]
    print("\n**Training** (`clprop-bench train --batches 256,1024,4096,16384 --epochs 5`):\n")
    if not training:
        print("no rows came back (see summary.txt)")
    else:
        print("| batch | samples/s | ms/step | launches/step | loss | accuracy | start-up s "
              "| peak RSS MB |")
        print("|---|---|---|---|---|---|---|---|")
        for r in training:
            print(f"| {r['batch']} | {number(r['samples_per_s'], 0)} | "
                  f"{number(r.get('ms_per_step'), 3)} | {number(r.get('launches_per_step'), 0)} "
                  f"| {number(r.get('loss'), 4)} | {number(r.get('accuracy'), 4)} | "
                  f"{number(r.get('startup_s'), 3)} | {number(r.get('peak_rss_mb'), 0)} |")
    for r in found:
        if "startup" in r:
            print(f"\nStart-up ({r['startup']}): {number(r['startup_s'], 3)} s" +
                  (f" (building the program {number(r['build_s'], 3)} s)" if "build_s" in r
                   else ""), end="")
    print()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = Path(sys.argv[1])
    summary = folder / "summary.txt"
    if summary.exists():
        print("```")
        print(summary.read_text().rstrip())
        print("```\n")
    peak = peak_section(folder)
    gemm_section(folder, peak)
    train_section(folder)


if __name__ == "__main__":
    main()
