#!/usr/bin/env python3
"""The step-time model of docs/SCALING.md: data parallelism over N devices, one ring all-reduce of
the gradient store a step.

    T(N, B) = c·B/N + 2(N−1)/N · S/W + 2(N−1)·a
    efficiency E = T(1, B) / (N·T(N, B)) = c·B / (c·B + N·R(N)),  R(N) the all-reduce's time
    E ≥ 0.9  ⇔  B ≥ 9·N·R(N)/c        (B the global batch; B/N per device)

c: compute seconds per sample (measured: pass --c); S: bytes all-reduced a step (the gradient
store + the stop float: clprop-bench-allreduce prints it); W: link bandwidth in bytes/s; a: the
latency of one ring step (an assumption, --latency-us). The host-side staging (each device's
gradients read to the host and written back, host/train.c) is left out: it is per device, not per
link, and no GPU was lent to measure it.

    python3 docs/scaling_model.py --c-us 7.9 --bytes 940612
"""
import argparse


def allreduce_seconds(n, size, bandwidth, latency):
    if n == 1:
        return 0.0
    return 2 * (n - 1) / n * size / bandwidth + 2 * (n - 1) * latency


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--c-us", type=float, required=True,
                        help="compute microseconds per sample on one device (measured)")
    parser.add_argument("--bytes", type=float, default=940612,
                        help="bytes all-reduced a step (784-256-128-10: 235153 floats)")
    parser.add_argument("--latency-us", type=float, default=10.0,
                        help="latency of one ring step, microseconds (assumed)")
    parser.add_argument("--batches", default="1024,4096,16384,65536")
    args = parser.parse_args()
    c = args.c_us * 1e-6
    latency = args.latency_us * 1e-6
    batches = [int(b) for b in args.batches.split(",")]
    print(f"c = {args.c_us} us/sample, S = {args.bytes:.0f} B, ring-step latency "
          f"{args.latency_us} us")
    print("| link | N | all-reduce ms | " +
          " | ".join(f"B={b}: step ms, speed-up, eff." for b in batches) +
          " | B for 90% (per device) |")
    print("|---|---|---|" + "---|" * len(batches) + "---|")
    for gbit in (25, 100):
        bandwidth = gbit * 1e9 / 8
        for n in (2, 8, 64):
            r = allreduce_seconds(n, args.bytes, bandwidth, latency)
            cells = []
            for b in batches:
                step = c * b / n + r
                speedup = c * b / step
                cells.append(f"{step * 1e3:.2f}, {speedup:.1f}x, {speedup / n:.0%}")
            need = 9 * n * r / c
            print(f"| {gbit} Gbit/s | {n} | {r * 1e3:.3f} | " + " | ".join(cells) +
                  f" | {need:,.0f} ({need / n:,.0f}) |")


if __name__ == "__main__":
    main()
