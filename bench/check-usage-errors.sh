#!/bin/sh
# ctest bench_usage_errors: each bad invocation of clprop-bench exits 2 with one line on stderr
# that names what is wrong, and nothing on stdout.
#   bench/check-usage-errors.sh PATH/TO/clprop-bench
bench=$1
scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT
failed=0

# expect NAMED ARGS...: exit 2, stdout empty, stderr one line containing NAMED
expect() {
    named=$1
    shift
    "$bench" "$@" >"$scratch/out" 2>"$scratch/err"
    status=$?
    lines=$(wc -l <"$scratch/err")
    if [ "$status" -ne 2 ] || [ -s "$scratch/out" ] || [ "$lines" -ne 1 ] ||
        ! grep -qF -- "$named" "$scratch/err"; then
        echo "FAIL: clprop-bench $*: exit $status, $lines line(s) on stderr:" >&2
        cat "$scratch/err" "$scratch/out" >&2
        failed=1
    fi
}

expect '"bogus"' bogus
expect '--repeat' kernels --repeat x
expect '--repeat' kernels --repeat 0
expect '--only' kernels --only
expect '--frobnicate' kernels --frobnicate
expect '--opencl' peak --device 0
expect '--batches' train --batches 0
expect '--epochs' train --epochs
expect '--nope' train --nope
exit $failed
