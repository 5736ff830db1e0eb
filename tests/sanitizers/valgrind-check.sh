#!/usr/bin/env bash
# Memcheck over short runs of the command, each one a different path through the library: train
# (XOR; a FANN set with a test set, a validation split, Adam, --save, --log and checkpoints; a
# resumed run), eval, predict, export, and a run that fails on a missing file. Any memory error
# or definite leak fails the check; suppressions (tests/sanitizers/valgrind.supp) cover the OpenCL
# stack and the C library's loader only, each one explained there.
#
#   tests/sanitizers/valgrind-check.sh [BUILD_DIR]      # default build/, from .ci/setup
#
# About a minute on the 2-core CI machine: most of each run is valgrind loading LLVM and PoCL.
# Kernels come from PoCL's cache (~/.cache/pocl), which the test suite has filled by then; a cold
# cache only makes the first run slower.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
fann=../shared/datasets/fann
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# memcheck EXPECTED_STATUS ARGS...: runs `clprop ARGS...` under memcheck; 99 is memcheck's own
# "found errors" status, so a clprop failure and a memory error are told apart.
memcheck() {
    local expected=$1
    shift
    echo "memcheck: clprop $*"
    local status=0
    valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite --num-callers=40 --suppressions=tests/sanitizers/valgrind.supp \
        "$build/clprop" "$@" >"$work/out" 2>"$work/err" || status=$?
    if ((status != expected)); then
        cat "$work/out" "$work/err"
        if ((status == 99)); then
            echo "memcheck: memory errors or definite leaks in: clprop $*" >&2
        else
            echo "memcheck: clprop $* exited with $status, expected $expected" >&2
        fi
        exit 1
    fi
}

memcheck 0 train --data "$fann/xor.data" --epochs 3
memcheck 0 train --data "$fann/diabetes.train" --test "$fann/diabetes.test" --validation 0.2 \
    --optimizer adam --epochs 2 --batch 16 --save "$work/model" --log "$work/log.csv" \
    --checkpoint "$work/checkpoint" --checkpoint-every 1
memcheck 0 train --data "$fann/diabetes.train" --epochs 3 --resume "$work/checkpoint" \
    --save "$work/resumed"
memcheck 0 eval --model "$work/model" --data "$fann/diabetes.test" --json
memcheck 0 predict --model "$work/resumed" --data "$fann/diabetes.test"
memcheck 0 export --model "$work/model"
memcheck 1 train --data "$work/no-such-file.data" --epochs 1
echo "memcheck: clean"
