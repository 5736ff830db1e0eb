#!/usr/bin/env bash
# bench/compare.sh: clprop beside OpenBLAS, CLBlast and PyTorch on this machine, in one run.
#
# Build clprop first (needs taskset, from util-linux), then run from anywhere:
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build -j2
#   bench/compare.sh [--build DIR] [--out DIR] [--rounds N] [--quick]
#
# It runs, one after the other, in each of N rounds (default 2; 3-6 minutes in all; --quick:
# one round of batch-32 GEMMs and 2048 images, for checking the script itself):
#   1. clprop-bench kernels --json   our GEMMs and CLBlast's SGEMM on the same device, and the
#                                    other kernels of a training step
#   2. bench/reference/openblas_sgemm.c, built here against Debian's libopenblas: the same GEMM
#      shapes and layouts on the CPU, 2 threads, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset
#      for that command alone (this machine may set them; they slow OpenBLAS down)
#   3. clprop-bench train --json     end-to-end training samples/s, start-up, peak memory
#   4. bench/reference/torch_mlp.py with Debian's python3-torch (/usr/bin/python3): the same
#      network, data and SGD, 2 threads, OMP_WAIT_POLICY=PASSIVE, the OpenBLAS variables unset
#   5. clprop-bench peak --json      the CPU's measured FP32 FMA peak (what GFLOP/s are a share of)
#   6. the GEMMs of 1 and 2 again on one core: both pinned to the first CPU this script may use
#      (taskset), PoCL with one worker thread (POCL_MAX_PTHREAD_COUNT=1), OpenBLAS with one;
#      what the kernels do apart from how the threads share the cores
# and once, after the rounds, clprop-bench train --memory --json (peak memory against 10k, 60k
# and 600k samples; skipped with --quick).
# The tables take each figure's best round (the highest rate, the shortest time): other work
# on the machine only ever slows a run down, and every contender gets the same treatment. They
# print, as Markdown, the machine and the tables bench/RESULTS.md keeps (by
# bench/compare_tables.py): our GEMM / OpenBLAS and / CLBlast per shape with the share of the
# peak, the same on one core for the products the OpenBLAS target covers, our training /
# PyTorch per batch size with launches per step, each ratio's range over the rounds (the
# spread), start-up, peak memory per sample, and where a step's time goes at batch 256 and 1024.
# The raw JSON (one file per program and round) stays in --out
# (default: a new temporary folder, named at the end). Nothing in clprop's build depends on
# OpenBLAS or torch: this script builds its own reference program.
set -euo pipefail

arguments=$*
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
out=
rounds=2
quick=()
while (($#)); do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --quick) quick=(--quick); rounds=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
for tool in "$build/clprop-bench" /usr/bin/python3 cc taskset; do
    command -v "$tool" >/dev/null || { echo "compare.sh: $tool not found (build clprop first?)" >&2; exit 1; }
done
if [[ -z $out ]]; then
    out=$(mktemp -d "${TMPDIR:-/tmp}/clprop-compare-XXXXXX")
fi
mkdir -p "$out"

step() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
# The share of time some runnable thread waited for a CPU, over 10 s and 60 s (Linux PSI): how
# much other work the machine had. Near 0 on a quiet machine.
pressure() { sed -n 's/^some avg10=\([0-9.]*\) avg60=\([0-9.]*\).*/\1% over 10 s, \2% over 60 s/p' /proc/pressure/cpu 2>/dev/null || echo unknown; }

# The machine, as plain "key: value" lines for the report.
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1) (family $(lscpu | sed -n 's/^CPU family: *//p' | head -1), model $(lscpu | sed -n 's/^Model: *//p' | head -1))"
    echo "cores: $(nproc) ($(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core)"
    flags=$(grep -m1 '^flags' /proc/cpuinfo)
    simd=
    for flag in avx2 fma avx512f; do
        [[ " $flags " == *" $flag "* ]] && simd+="$flag " || simd+="no-$flag "
    done
    echo "simd: ${simd% }"
    echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
    if command -v clinfo >/dev/null; then
        echo "opencl: $(clinfo 2>/dev/null | sed -n 's/^ *Platform Version *//p' | head -1)"
    fi
    echo "load_before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "cpu_pressure_before: $(pressure)"
    echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD -- host kernels bench 2>/dev/null || echo ' (with uncommitted changes)')"
} >"$out/machine.txt"

# The two references come from Debian: say which package is missing rather than fail halfway.
missing=()
dpkg -s libopenblas-dev >/dev/null 2>&1 || missing+=(libopenblas-dev)
/usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
if ((${#missing[@]})); then
    echo "compare.sh: needs ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
fi

# The first CPU this process may run on (taskset -pc prints "pid N's current affinity list: 0-1").
first_cpu=$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')

step "building the OpenBLAS reference"
cc -O2 -std=c11 -o "$out/openblas_sgemm" "$root/bench/reference/openblas_sgemm.c" -lopenblas -lm

for ((round = 1; round <= rounds; round++)); do
    step "round $round of $rounds: clprop-bench kernels (ours and CLBlast)"
    "$build/clprop-bench" kernels --json "${quick[@]}" >"$out/kernels.$round.json"

    step "round $round of $rounds: OpenBLAS SGEMM"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 \
        "$out/openblas_sgemm" "${quick[@]}" >"$out/openblas.$round.json"

    step "round $round of $rounds: clprop-bench train"
    "$build/clprop-bench" train --json "${quick[@]}" >"$out/train.$round.json"

    step "round $round of $rounds: PyTorch"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=2 \
        /usr/bin/python3 "$root/bench/reference/torch_mlp.py" --threads 2 "${quick[@]}" \
        >"$out/torch.$round.json"

    step "round $round of $rounds: clprop-bench peak"
    "$build/clprop-bench" peak --json >"$out/peak.$round.json"

    step "round $round of $rounds: one core (CPU $first_cpu): our GEMMs and OpenBLAS's"
    taskset -c "$first_cpu" env POCL_MAX_PTHREAD_COUNT=1 \
        "$build/clprop-bench" kernels --json --only gemm_ "${quick[@]}" \
        >"$out/kernels_one_core.$round.json"
    taskset -c "$first_cpu" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
        "$out/openblas_sgemm" "${quick[@]}" >"$out/openblas_one_core.$round.json"
done
if ((${#quick[@]} == 0)); then
    step "clprop-bench train --memory"
    "$build/clprop-bench" train --memory --json >"$out/memory.json"
fi

{
    echo "load_after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "cpu_pressure_after: $(pressure)"
    echo "rounds: $rounds"
    echo "command: bench/compare.sh${arguments:+ $arguments}"
} >>"$out/machine.txt"
/usr/bin/python3 "$root/bench/compare_tables.py" "$out"
step "raw results in $out"
