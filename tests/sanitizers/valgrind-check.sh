#!/usr/bin/env bash
# Memcheck over short runs of the command, each one a different path through the library: train
# (XOR; a FANN set with a test set, a validation split, Adam, --save, --log and checkpoints; a
# resumed run), eval, predict, export, and a run that fails on a missing file. Any memory error
# or definite leak fails the check; suppressions (tests/sanitizers/valgrind.supp) cover the OpenCL
# stack and the C library's loader only, each one explained there.
#
#   tests/sanitizers/valgrind-check.sh [BUILD_DIR]      # default build/, from .ci/setup
#
# Most of each run is valgrind loading LLVM and PoCL, on one core, so the runs go in two lanes side
# by side: about 40 s on the 2-core CI machine. Kernels come from PoCL's cache (~/.cache/pocl),
# which the test suite has filled by then; a cold cache only makes the first runs slower.
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
    local status=0 out=$work/$BASHPID.out err=$work/$BASHPID.err
    valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite --num-callers=40 --suppressions=tests/sanitizers/valgrind.supp \
        "$build/clprop" "$@" >"$out" 2>"$err" || status=$?
    if ((status != expected)); then
        cat "$out" "$err"
        if ((status == 99)); then
            echo "memcheck: memory errors or definite leaks in: clprop $*" >&2
        else
            echo "memcheck: clprop $* exited with $status, expected $expected" >&2
        fi
        exit 1
    fi
}

# Lane 1: a FANN set with a test set, validation, Adam, --save, --log and checkpoints; then
# resumed from its checkpoint; then predict with the resumed model.
lane1() {
    memcheck 0 train --data "$fann/diabetes.train" --test "$fann/diabetes.test" \
        --validation 0.2 --optimizer adam --epochs 2 --batch 16 --save "$work/model" \
        --log "$work/log.csv" --checkpoint "$work/checkpoint" --checkpoint-every 1
    memcheck 0 train --data "$fann/diabetes.train" --epochs 3 --resume "$work/checkpoint" \
        --save "$work/resumed"
    memcheck 0 predict --model "$work/resumed" --data "$fann/diabetes.test"
}
# Lane 2: XOR, then eval and export (JSON, and ONNX) of its model, then a run that fails on a missing file.
lane2() {
    memcheck 0 train --data "$fann/xor.data" --epochs 3 --save "$work/xor"
    memcheck 0 eval --model "$work/xor" --data "$fann/xor.data" --json
    memcheck 0 export --model "$work/xor"
    # the ONNX export (protobuf-c), in a build that has it
    if grep -q '^CLPROP_WITH_ONNX:INTERNAL=ON$' "$build/CMakeCache.txt"; then
        memcheck 0 export --model "$work/xor" --format onnx
    fi
    memcheck 1 train --data "$work/no-such-file.data" --epochs 1
}
lane1 >"$work/lane1.log" 2>&1 &
first=$!
lane2 >"$work/lane2.log" 2>&1 &
second=$!
failed=0
wait "$first" || failed=1
wait "$second" || failed=1
cat "$work/lane1.log" "$work/lane2.log"
if ((failed)); then
    exit 1
fi
echo "memcheck: clean"
