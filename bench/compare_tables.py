#!/usr/bin/python3
"""The tables of bench/compare.sh, as Markdown, from the raw results it leaves in one folder.

Run:  /usr/bin/python3 bench/compare_tables.py DIR
DIR holds machine.txt and, per round N, kernels.N.json (clprop-bench kernels --json),
openblas.N.json (reference/openblas_sgemm), train.N.json (clprop-bench train --json),
torch.N.json (reference/torch_mlp.py), peak.N.json (clprop-bench peak --json), and
kernels_one_core.N.json and openblas_one_core.N.json (the GEMMs again, pinned to one CPU with one
thread each); memory.json (clprop-bench train --memory --json) once. Targets are issue 12's:
every GEMM of a batch-256 and batch-1024 step of at least 2^20 multiply-adds >= 1.0x OpenBLAS;
training >= 1.5x PyTorch at batch 32 and 256, >= 1.3x at batch 1024; at most 12 launches per
step.
"""
import json
import sys
from pathlib import Path

GEMM_VS_OPENBLAS = 1.0
GEMM_TARGET_MIN_MACS = 1 << 20  # the products the OpenBLAS target is about
GEMM_VS_CLBLAST = 5.0
TRAIN_VS_TORCH = {32: 1.5, 256: 1.5, 1024: 1.3}
LAUNCHES_PER_STEP = 12
LAYERS = ((784, 256), (256, 128), (128, 10))


def rows(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def rounds(folder, program):
    """Each round's rows of one program: [[row, ...], ...]."""
    return [rows(path) for path in sorted(folder.glob(f"{program}.*.json"))]


def best_row(all_rounds, key, field, pick):
    """Per key(row), the whole row of the round whose field is best (pick: max or min), with
    "<field>_all": that field in every round."""
    chosen, values, order = {}, {}, []
    for round_rows in all_rounds:
        for row in round_rows:
            k = key(row)
            if k is None or row.get(field) is None:
                continue
            if k not in chosen:
                order.append(k)
                values[k] = []
            values[k].append(row[field])
            if k not in chosen or pick(row[field], chosen[k][field]) == row[field]:
                chosen[k] = dict(row)
    for k in order:
        chosen[k][field + "_all"] = values[k]
    return [chosen[k] for k in order]


def best(all_rounds, key, fields_high=(), fields_low=()):
    """One row per key(row): the first round's, with each field in fields_high replaced by its
    highest value over the rounds and each in fields_low by its lowest (the best round for that
    figure). Rows also get "<field>_all", the values of every round."""
    merged, order = {}, []
    for round_rows in all_rounds:
        for row in round_rows:
            k = key(row)
            if k is None:
                continue
            if k not in merged:
                merged[k] = dict(row)
                order.append(k)
                for field in fields_high + fields_low:
                    merged[k][field + "_all"] = []
            target = merged[k]
            for field, pick in [(f, max) for f in fields_high] + [(f, min) for f in fields_low]:
                if row.get(field) is None:
                    continue
                target[field + "_all"].append(row[field])
                target[field] = pick(target[field + "_all"])
    return [merged[k] for k in order]


def step_gemms(batch):
    """The (kernel, case) of the GEMMs one training step runs: forward Z = W.A for every layer,
    W.X^T for the first, whose inputs X are sample-major (a gemm_nt); the hidden delta
    W^T.delta for every layer but the first (nothing needs the inputs' delta); the weight
    gradient, delta.X for the first layer (a gemm_nn), delta.A^T for the others. On a CPU device
    the small output layer's forward product and the delta below it run in the output step
    (host/net_pass.c), not as GEMMs: only its weight gradient is one."""
    gemms = []
    last = len(LAYERS) - 1
    for number, (n_in, n_out) in enumerate(LAYERS):
        case = f"{n_in}-{n_out} B{batch}"
        if number < last:
            gemms.append(("gemm_nt", case + " fwd") if number == 0 else ("gemm_nn", case))
        if 0 < number < last:
            gemms.append(("gemm_tn", case))
        gemms.append(("gemm_nn", case + " dW") if number == 0 else ("gemm_nt", case))
    return gemms


def aimed_at(row):
    """Whether the OpenBLAS target covers this GEMM: a product of a batch-256 or batch-1024 step
    of at least GEMM_TARGET_MIN_MACS multiply-adds."""
    key = (row["kernel"], row["case"])
    return (any(key in step_gemms(batch) for batch in (256, 1024))
            and row["m"] * row["n"] * row["k"] >= GEMM_TARGET_MIN_MACS)


def step_others(batch):
    """The (kernel, case, variant) that stand, as clprop-bench kernels names them, for the two
    launches of a step that are neither GEMMs nor the update (host/train.c's load_batch,
    host/net_pass.c): the gather of a batch's inputs and targets (one launch in a step, two
    here) and the output step — the output layer's forward product and softmax, the per-sample
    figures, the output delta and the delta below it (one launch, as in the step). The bias and
    sigmoid, the derivative and the bias gradients are done by the GEMMs as they store
    (epilogues) and have no launch of their own."""
    n_in, n_out = LAYERS[-1]
    case = f"{n_in}-{n_out} B{batch}"
    return [("gather_rows", f"input B{batch}", "bytes"),
            ("gather_columns", f"target B{batch}", "floats"),
            ("output_step", case, "softmax/ce, deltas")]


def step_updates():
    return [(f"{n_in}-{n_out}", count) for n_in, n_out in LAYERS
            for count in (n_in * n_out, n_out)]


def ratio(a, b):
    return a / b if a and b else float("nan")


def spread(numerators, denominators):
    """The ratio's range over the rounds (round i's figure over round i's): "lo-hi", or "" with
    one round."""
    values = [ratio(a, b) for a, b in zip(numerators, denominators)]
    if len(values) < 2:
        return ""
    return f"{min(values):.2f}-{max(values):.2f}"


def mark(value, target):
    return "yes" if value >= target else "**no**"


def machine_table(machine, torch_info, openblas):
    core = openblas[0].get("core", "?") if openblas else "?"
    threads = openblas[0].get("threads", "?") if openblas else "?"
    lines = ["| | |", "|---|---|"]
    for key in ("date", "cpu", "cores", "simd", "memory", "opencl", "commit", "load_before",
                "load_after", "cpu_pressure_before", "cpu_pressure_after"):
        if key in machine:
            lines.append(f"| {key.replace('_', ' ')} | {machine[key]} |")
    lines.append(f"| OpenBLAS | core `{core}`, {threads} threads (openblas_get_corename) |")
    lines.append(f"| PyTorch | {torch_info.get('torch', '?')}, {torch_info.get('threads', '?')} "
                 f"threads, its BLAS OpenBLAS core `{torch_info.get('openblas_core')}` |")
    lines.append(f"| command | `{machine.get('command', 'bench/compare.sh')}` |")
    return lines


def gemm_table(kernels, openblas, peak):
    """One row per GEMM shape; the OpenBLAS target applies to the products of a batch-256 or
    batch-1024 step of at least GEMM_TARGET_MIN_MACS multiply-adds."""
    theirs = {(r["kernel"], r["case"]): r for r in openblas}
    used = {key for batch in (32, 256, 1024) for key in step_gemms(batch)}
    lines = ["| case | layout | m x n x k | clprop GFLOP/s | share of peak | CLBlast GFLOP/s "
             "| OpenBLAS GFLOP/s | clprop / OpenBLAS | over the rounds | clprop / CLBlast |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    misses = {"openblas": 0, "clblast": 0, "shapes": 0, "targeted": 0}
    for r in kernels:
        if not r["kernel"].startswith("gemm_"):
            continue
        key = (r["kernel"], r["case"])
        flops = 2e-9 * r["m"] * r["n"] * r["k"]
        ours, clblast = flops / r["min_s"], flops / r["clblast_min_s"]
        blas = flops / theirs[key]["min_s"] if key in theirs else None
        vs_blas, vs_clblast = ratio(ours, blas), ratio(ours, clblast)
        in_step = key in used
        aimed = aimed_at(r)
        note = "" if in_step or r["case"] == "square" else " (not in a step)"
        if in_step:
            misses["shapes"] += 1
            misses["clblast"] += vs_clblast < GEMM_VS_CLBLAST
        if aimed:
            misses["targeted"] += 1
            misses["openblas"] += vs_blas < GEMM_VS_OPENBLAS
        rounds_range = (spread(theirs[key].get("min_s_all", []), r.get("min_s_all", []))
                        if key in theirs else "")
        flag_b = "" if not aimed or vs_blas >= GEMM_VS_OPENBLAS else " ✗"
        flag_c = "" if not in_step or vs_clblast >= GEMM_VS_CLBLAST else " ✗"
        of_peak = f"{100 * ours / peak:.0f}%" if peak else "?"
        lines.append(f"| {r['case']}{note} | {r['kernel']} | {r['m']}x{r['n']}x{r['k']} "
                     f"| {ours:.1f} | {of_peak} | {clblast:.1f} | {blas or float('nan'):.1f} "
                     f"| {vs_blas:.2f}{flag_b} | {rounds_range} | {vs_clblast:.1f}{flag_c} |")
    return lines, misses


def one_core_table(kernels, openblas, peak_one_core):
    """The products the OpenBLAS target covers, each side pinned to one CPU with one thread: the
    kernels against each other, apart from how threads share the cores."""
    theirs = {(r["kernel"], r["case"]): r for r in openblas}
    lines = ["| case | layout | m x n x k | clprop GFLOP/s | share of one core's peak "
             "| OpenBLAS GFLOP/s | clprop / OpenBLAS | over the rounds |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    counts = {"targeted": 0, "below": 0}
    for r in kernels:
        key = (r["kernel"], r["case"])
        if not aimed_at(r) or key not in theirs:
            continue
        flops = 2e-9 * r["m"] * r["n"] * r["k"]
        ours, blas = flops / r["min_s"], flops / theirs[key]["min_s"]
        vs_blas = ratio(ours, blas)
        counts["targeted"] += 1
        counts["below"] += vs_blas < GEMM_VS_OPENBLAS
        of_peak = f"{100 * ours / peak_one_core:.0f}%" if peak_one_core else "?"
        flag = "" if vs_blas >= GEMM_VS_OPENBLAS else " (below)"
        lines.append(f"| {r['case']} | {r['kernel']} | {r['m']}x{r['n']}x{r['k']} "
                     f"| {ours:.1f} | {of_peak} | {blas:.1f} | {vs_blas:.2f}{flag} "
                     f"| {spread(theirs[key].get('min_s_all', []), r.get('min_s_all', []))} |")
    return lines, counts


def share(row):
    value = row.get("cpu_wait_share")
    return "?" if value is None else f"{100 * value:.0f}%"


def train_table(train, torch_rows):
    torch_by = {r["batch"]: r for r in torch_rows if "batch" in r}
    lines = ["| batch | clprop samples/s | PyTorch samples/s | clprop / PyTorch | over the rounds "
             "| clprop ms/step | PyTorch ms/step | launches per step "
             "| cores busy clprop / PyTorch | waited for a CPU clprop / PyTorch "
             "| loss after the epoch clprop / PyTorch | clprop peak RSS MB | target |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in train:
        if "samples_per_s" not in r:
            continue
        t = torch_by.get(r["batch"], {})
        value = ratio(r["samples_per_s"], t.get("samples_per_s"))
        aim = TRAIN_VS_TORCH.get(r["batch"])
        target = mark(value, aim) + f" (>= {aim})" if aim else "-"
        rounds_range = spread(r.get("samples_per_s_all", []), t.get("samples_per_s_all", []))
        launches = r.get("launches_per_step")
        launches_text = "?" if launches is None else (
            f"{launches:.0f}" + ("" if launches <= LAUNCHES_PER_STEP else " ✗"))
        every_round = lambda row: (" (" + ", ".join(f"{v:.0f}" for v in row["samples_per_s_all"])
                                   + ")" if len(row.get("samples_per_s_all", [])) > 1 else "")
        lines.append(f"| {r['batch']} | {r['samples_per_s']:.0f}{every_round(r)} "
                     f"| {t.get('samples_per_s', 0):.0f}{every_round(t) if t else ''} "
                     f"| {value:.2f} | {rounds_range} "
                     f"| {r['ms_per_step']:.2f} | {t.get('ms_per_step', 0):.2f} | {launches_text} "
                     f"| {r.get('cores_busy', 0):.2f} / {t.get('cores_busy', 0):.2f} "
                     f"| {share(r)} / {share(t)} "
                     f"| {r['loss']:.4f} / {t.get('loss', 0):.4f} | {r['peak_rss_mb']:.0f} "
                     f"| {target} |")
    return lines


def startup_table(train):
    lines = ["| start-up | to the end of the first batch, s | exec | devices | kernel build "
             "| network + upload | first batch | peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in train:
        if "startup" not in r:
            continue
        if r["startup"] == "clprop train":
            lines.append(f"| `clprop train`, warm, whole process (one batch of 32, exit) "
                         f"| {r['startup_s']:.3f} | | | | | | {r['peak_rss_mb']:.0f} |")
            continue
        lines.append(f"| clprop-bench startup, {r['startup']} PoCL cache | {r['startup_s']:.3f} "
                     f"| {r['exec_s']:.3f} | {r['devices_s']:.3f} | {r['build_s']:.3f} "
                     f"| {r['net_s']:.3f} | {r['first_batch_s']:.3f} | {r['peak_rss_mb']:.0f} |")
    loads = [r for r in train if "load_s" in r and "batch" in r and "samples_per_s" in r]
    if loads:
        lines.append(f"\nLoading the 60000 Fashion-MNIST images (gzip'd IDX) takes "
                     f"{min(r['load_s'] for r in loads):.2f}-{max(r['load_s'] for r in loads):.2f} s "
                     f"more before the first batch of a real run; start-up to ready with them: "
                     f"{min(r['startup_s'] for r in loads):.2f}-"
                     f"{max(r['startup_s'] for r in loads):.2f} s.")
    return lines


def memory_table(memory):
    """Peak memory against the number of samples (clprop-bench train --memory)."""
    lines = ["| samples | source | raw data MB | peak RSS MB | peak / raw |",
             "|---:|---|---:|---:|---:|"]
    for r in memory:
        if "memory_samples" not in r:
            continue
        lines.append(f"| {r['memory_samples']} | {r['source']} | {r['raw_mb']:.1f} "
                     f"| {r['peak_rss_mb']:.1f} | {r['peak_rss_mb'] / r['raw_mb']:.2f} |")
    return lines


def step_split(kernels, openblas, train, torch_rows, batch):
    """Where one step's time goes: the kernels' own times (clprop-bench kernels medians)
    against the step as measured in training."""
    ours = {(r["kernel"], r["case"]): r for r in kernels}
    others = {(r["kernel"], r["case"], r.get("variant")): r for r in kernels}
    updates = {(r["case"], r["count"]): r for r in kernels
               if r["kernel"] == "update" and r.get("variant") == "sgd"}
    blas = {(r["kernel"], r["case"]): r for r in openblas}
    gemm_keys = step_gemms(batch)
    if any(k not in ours for k in gemm_keys):
        return [f"(no batch-{batch} kernel figures in this run)"]
    gemm = sum(ours[k]["median_s"] for k in gemm_keys)
    gemm_blas = sum(blas[k]["median_s"] for k in gemm_keys if k in blas)
    gemm_clblast = sum(ours[k]["clblast_median_s"] for k in gemm_keys)
    other_rows = [others[k] for k in step_others(batch) if k in others]
    other = sum(r["median_s"] for r in other_rows)
    largest = sorted(other_rows, key=lambda r: -r["median_s"])[:3]
    update = sum(updates[k]["median_s"] for k in step_updates() if k in updates)
    measured = next((r["ms_per_step"] / 1e3 for r in train if r.get("batch") == batch
                     and "ms_per_step" in r), float("nan"))
    torch_step = next((r["ms_per_step"] / 1e3 for r in torch_rows if r.get("batch") == batch),
                      float("nan"))
    kernels_total = gemm + other + update
    flops = sum(2 * ours[k]["m"] * ours[k]["n"] * ours[k]["k"] for k in gemm_keys)
    ms = lambda s: f"{s * 1e3:.2f}"
    pct = lambda s: f"{100 * s / measured:.0f}%"
    lines = ["| part of a batch-%d step | ms | share of the measured step |" % batch,
             "|---|---:|---:|",
             f"| {len(gemm_keys)} GEMMs, clprop ({flops / gemm * 1e-9:.1f} GFLOP/s over "
             f"{flops / 1e6:.0f} MFLOP), timed without the epilogues a step gives them "
             f"| {ms(gemm)} | {pct(gemm)} |",
             f"| the gather and the output step (2 launches in a step, "
             f"{len(other_rows)} here) | {ms(other)} | {pct(other)} |",
             *[f"| of which {r['kernel']} {r.get('variant') or ''} {r['case']} "
               f"({r['gbps']:.1f} GB/s) | {ms(r['median_s'])} | {pct(r['median_s'])} |"
               for r in largest],
             f"| SGD update (1 launch over the parameter store in a step; here the 6 "
             f"layer parts apart) | {ms(update)} | {pct(update)} |",
             f"| sum of the kernels, each timed on its own | {ms(kernels_total)} "
             f"| {pct(kernels_total)} |",
             f"| the step as measured in training (epoch / steps) | {ms(measured)} | 100% |",
             f"| left over: the epilogues, launches, waits, host work between kernels | "
             f"{ms(measured - kernels_total)} | {pct(measured - kernels_total)} |",
             f"| for scale: the same GEMMs in OpenBLAS | {ms(gemm_blas)} | {pct(gemm_blas)} |",
             f"| for scale: the same GEMMs in CLBlast | {ms(gemm_clblast)} | "
             f"{pct(gemm_clblast)} |",
             f"| for scale: PyTorch's whole step | {ms(torch_step)} | {pct(torch_step)} |"]
    return lines


def main():
    folder = Path(sys.argv[1])
    machine = {}
    for line in (folder / "machine.txt").read_text().splitlines():
        key, _, value = line.partition(": ")
        machine[key] = value
    kernel_key = lambda r: (r["kernel"], r["case"], r.get("variant"), r.get("count"),
                            r.get("units"), r.get("batch"))
    kernels = best(rounds(folder, "kernels"), kernel_key, ("gflops", "clblast_gflops", "gbps"),
                   ("median_s", "clblast_median_s", "min_s", "clblast_min_s"))
    openblas = best(rounds(folder, "openblas"), lambda r: (r["kernel"], r["case"]), ("gflops",),
                    ("median_s", "min_s"))
    train_rounds = rounds(folder, "train")
    train = best_row(train_rounds,
                     lambda r: ("batch", r["batch"]) if "samples_per_s" in r else None,
                     "samples_per_s", max)
    train += best_row(train_rounds, lambda r: ("startup", r["startup"]) if "startup" in r else None,
                      "startup_s", min)
    torch_rows = best_row(rounds(folder, "torch"), lambda r: r.get("batch"), "samples_per_s",
                          max)
    torch_info = next((r for round_rows in rounds(folder, "torch") for r in round_rows
                       if "torch" in r), {})

    print("### Machine\n")
    print("\n".join(machine_table(machine, torch_info, openblas)))
    peak_rows = [r for round_rows in rounds(folder, "peak") for r in round_rows if "gflops" in r]
    peak = max((r["gflops"] for r in peak_rows), default=None)
    print("\n### GEMM: clprop beside CLBlast (same device) and OpenBLAS (same CPU)\n")
    if peak_rows:
        print(f"The CPU's measured FP32 FMA peak (clprop-bench peak, {peak_rows[0]['kind']}, "
              f"{peak_rows[0]['threads']} threads): {peak:.1f} GFLOP/s, the best of "
              f"{', '.join('%.0f' % r['gflops'] for r in peak_rows)}; share of peak is "
              "clprop's GFLOP/s over it.\n")
    timings = {r.get("timing") for r in kernels if "gflops" in r}
    how = ("each product's timed runs queued back to back, as a training step queues its "
           "launches" if timings == {"queued markers"} else
           "each timed run waited for alone" if timings <= {"markers", "wall"} else
           "rounds timed in different ways: " + ", ".join(sorted(str(t) for t in timings)))
    print("Row-major, C (m x n) = op(A) . op(B). clprop and CLBlast: device timestamps "
          f"(clprop-bench kernels; {how}); OpenBLAS: wall clock around each call of a loop; "
          "each 10 timed runs after 2 warm-ups per "
          f"round, {machine.get('rounds', 1)} round(s), and the table gives the fastest run of "
          "all: on a shared machine other work only ever adds time, and the fastest run is the "
          "one it disturbed least (the step split below uses medians). "
          "Over the rounds: the ratio of each round's fastest runs, lowest to highest. "
          f"✗: misses a target: >= {GEMM_VS_OPENBLAS}x OpenBLAS for the products of a "
          "batch-256 or batch-1024 step of at least 2^20 multiply-adds, >= "
          f"{GEMM_VS_CLBLAST:g}x CLBlast for every product a step runs.\n")
    lines, misses = gemm_table(kernels, openblas, peak)
    print("\n".join(lines))
    print(f"\nOf the {misses['targeted']} products the OpenBLAS target covers: "
          f"{misses['openblas']} below {GEMM_VS_OPENBLAS}x OpenBLAS. Of the {misses['shapes']} "
          f"GEMMs training steps run: {misses['clblast']} below {GEMM_VS_CLBLAST:g}x CLBlast.")
    one_core_rounds = rounds(folder, "kernels_one_core")
    if one_core_rounds:
        ours_one = best(one_core_rounds, kernel_key, ("gflops",), ("median_s", "min_s"))
        blas_one = best(rounds(folder, "openblas_one_core"), lambda r: (r["kernel"], r["case"]),
                        ("gflops",), ("median_s", "min_s"))
        peak_one = max((r.get("gflops_one_core", 0) for r in peak_rows), default=0) or None
        lines, counts = one_core_table(ours_one, blas_one, peak_one)
        print("\n### GEMM on one core\n")
        print("The same products, each side pinned to one CPU with one thread (PoCL: "
              "POCL_MAX_PTHREAD_COUNT=1; OpenBLAS: OPENBLAS_NUM_THREADS=1), fastest run of all "
              "rounds as above; only those the OpenBLAS target covers. This is the kernels "
              "against each other; the table above adds how each side's threads share the "
              "two cores. One core's measured peak (clprop-bench peak): "
              + (f"{peak_one:.1f} GFLOP/s." if peak_one else "not measured.") + "\n")
        print("\n".join(lines))
        print(f"\nOn one core, of the {counts['targeted']} products: {counts['below']} below "
              f"{GEMM_VS_OPENBLAS}x OpenBLAS.")
    print("\n### Training: clprop beside PyTorch\n")
    print("Fashion-MNIST 784-256-128-10, sigmoid, softmax + cross-entropy, SGD 0.1; samples/s over "
          "one whole epoch after a warm-up; each run in a fresh process; the best round, every "
          "round's figure in brackets; the other figures are the best round's. Cores busy: CPU time / "
          "wall time over the epoch (2 is both cores). Waited for a CPU: the share of the "
          "threads' runnable time spent waiting for a core that other work on the machine held "
          "(0% on a quiet machine); far from 0, the comparison measures the scheduler more than "
          "the code.\n")
    print("\n".join(train_table(train, torch_rows)))
    print("\n### Start-up\n")
    print("\n".join(startup_table(train)))
    if (folder / "memory.json").exists():
        print("\n### Peak memory against the data\n")
        print("One epoch at batch 256 in a fresh process (clprop-bench train --memory): from the "
              "gzip'd files repeated in memory, then from uncompressed IDX files (memory-mapped). "
              "Raw data: the pixels and labels as stored.\n")
        print("\n".join(memory_table(rows(folder / "memory.json"))))
    for batch in (256, 1024):
        print(f"\n### Where a batch-{batch} step's time goes\n")
        print("\n".join(step_split(kernels, openblas, train, torch_rows, batch)))


if __name__ == "__main__":
    main()
