#!/bin/bash
# clprop beside libfann on FANN's benchmark files: test error after the same iRPROP- training.
#
# Run from the repository root, after the build (cmake builds build/clprop-fann-bench when
# libfann-dev is installed; without it this script compiles bench/fann/fann_bench.c itself):
#
#   bench/fann/compare.sh                     # every .train/.test pair, 1000 epochs, seeds 1 2 3
#   EPOCHS=200 SEEDS=1 SETS="diabetes thyroid" bench/fann/compare.sh
#
# For each pair and seed: clprop-fann-bench init makes a network (FANN_SIGMOID everywhere,
# steepness 0.5, weights uniform in [-0.1, 0.1] from the seed; the hidden layers are those of
# FANN's benchmarks/benchmark.sh); then, from that same .net file,
#   FANN  trains EPOCHS epochs of FANN_TRAIN_RPROP with its default (tanh) error function, as
#         FANN's benchmarks do, and again with FANN_ERRORFUNC_LINEAR, clprop's squared error;
#   clprop trains `clprop train --init NET --optimizer rprop --batch <all samples> --epochs E`
#         (the .net gives the layers, sigmoid = FANN's sigmoid at steepness 0.5, and MSE loss),
#         and its model is exported back to a .net (`clprop export --format fann`);
# and all three networks are tested by the same FANN code: fann_test_data's MSE on the .test
# file, and the classification error where the targets are classes. Before that, once per data
# set, one epoch of each checks that both took the same first step (bench/fann/first_step.py),
# and clprop's own `eval` must give the MSE fann_test_data gives for clprop's network.
# Prints the Markdown table on stdout, progress on stderr.
set -euo pipefail

BUILD=${BUILD:-build}
DATA=${DATA:-../shared/datasets/fann}
EPOCHS=${EPOCHS:-1000}
SEEDS=${SEEDS:-1 2 3}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Hidden layers as FANN's benchmarks/benchmark.sh gives them (n1, n2).
# shellcheck disable=SC2054  # the values are "n1,n2" strings, not list separators
declare -A HIDDEN=([abelone]=16 [bank32fm]=16 [bank32nh]=16 [building]=16 [census-house]=16
                   [diabetes]=4 [gene]=4,2 [kin32fm]=16 [mushroom]=32 [parity8]=16 [parity13]=26
                   [pumadyn-32fm]=10 [robot]=96 [soybean]=16,8 [thyroid]=16,8 [two-spiral]=20,10)
if [ -z "${SETS:-}" ]; then
    SETS=$(for f in "$DATA"/*.train; do n=$(basename "$f" .train); [ -f "$DATA/$n.test" ] && echo "$n"; done)
fi

CLPROP=$BUILD/clprop
FANN_BENCH=$BUILD/clprop-fann-bench
if [ ! -x "$FANN_BENCH" ]; then
    FANN_BENCH=$WORK/fann_bench
    cc -std=c11 -O2 -Wall -Wextra "$HERE/fann_bench.c" -o "$FANN_BENCH" -lfloatfann -lm
fi

seconds_of() { # seconds_of COMMAND...: runs it (output discarded), prints its wall seconds
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.3f}')"
}

mse_and_error() { # the "mse M class_error E" of clprop-fann-bench test, as "M<tab>E"
    "$FANN_BENCH" test "$1" "$2" | awk '{print $2 "\t" $4}'
}

RESULTS=${RESULTS:-$WORK/results.tsv}   # RESULTS=FILE keeps the runs' figures
: > "$RESULTS"
for name in $SETS; do
    train=$DATA/$name.train test=$DATA/$name.test
    read -r samples inputs outputs < "$train"
    layers=$inputs,${HIDDEN[$name]:-16},$outputs
    echo "== $name ($layers, $samples training samples)" >&2

    "$FANN_BENCH" init "$layers" 1 "$WORK/init.net"
    "$FANN_BENCH" train "$WORK/init.net" "$train" 1 linear "$WORK/fann-1.net"
    "$CLPROP" train --data "$train" --init "$WORK/init.net" --optimizer rprop --batch "$samples" \
        --epochs 1 --save "$WORK/clprop-1.clprop" > /dev/null
    "$CLPROP" export --model "$WORK/clprop-1.clprop" --format fann > "$WORK/clprop-1.net"
    if ! python3 "$HERE/first_step.py" "$WORK/init.net" "$WORK/fann-1.net" "$WORK/clprop-1.net" >&2; then
        echo "   $name: the first steps differ, not measured" >&2
        FAILED="${FAILED:-} $name"
        continue
    fi

    for seed in $SEEDS; do
        "$FANN_BENCH" init "$layers" "$seed" "$WORK/init.net"
        for error in tanh linear; do
            s=$(seconds_of "$FANN_BENCH" train "$WORK/init.net" "$train" "$EPOCHS" "$error" "$WORK/fann.net")
            printf '%s\t%s\t%s\tfann-%s\t%s\t%s\n' "$name" "$layers" "$seed" "$error" \
                "$(mse_and_error "$WORK/fann.net" "$test")" "$s" >> "$RESULTS"
        done
        s=$(seconds_of "$CLPROP" train --data "$train" --init "$WORK/init.net" --optimizer rprop \
            --batch "$samples" --epochs "$EPOCHS" --save "$WORK/clprop.clprop")
        "$CLPROP" export --model "$WORK/clprop.clprop" --format fann > "$WORK/clprop.net"
        measured=$(mse_and_error "$WORK/clprop.net" "$test")
        printf '%s\t%s\t%s\tclprop\t%s\t%s\n' "$name" "$layers" "$seed" "$measured" "$s" >> "$RESULTS"
        own=$("$CLPROP" eval --model "$WORK/clprop.clprop" --data "$test" --json |
              python3 -c 'import json, sys; print(json.load(sys.stdin)["mse"])')
        python3 - "${measured%%$'\t'*}" "$own" <<'EOF' >&2
import sys
fann, clprop = map(float, sys.argv[1:3])
if abs(fann - clprop) > 1e-5 * max(1.0, abs(fann)):
    sys.exit(f"clprop eval's MSE {clprop} differs from fann_test_data's {fann}")
EOF
        tail -n 3 "$RESULTS" | awk -F'\t' '{printf "   seed %s %-12s mse %-10s class error %-8s %6s s\n", $3, $4, $5, $6, $7}' >&2
    done
done
python3 "$HERE/table.py" "$RESULTS"
if [ -n "${FAILED:-}" ]; then
    echo "first steps differed, not measured:$FAILED" >&2
    exit 1
fi
