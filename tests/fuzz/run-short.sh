#!/usr/bin/env bash
# A short fuzz run, as CI does it: builds the libFuzzer harnesses with clang into their own build
# folder, then runs each over its seed corpus for a while (20 s unless CLPROP_FUZZ_SECONDS says
# otherwise). Exits non-zero when any harness finds a crash, leak, UBSan error, timeout or
# memory blow-up; its reproducer is left in BUILD/fuzz-artifacts/.
#
#   tests/fuzz/run-short.sh                          # build-fuzz/, 20 s per harness
#   CLPROP_FUZZ_SECONDS=600 CLPROP_FUZZ_BUILD=build-fuzz tests/fuzz/run-short.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${CLPROP_FUZZ_SECONDS:-20}
build=${CLPROP_FUZZ_BUILD:-build-fuzz}
harnesses=(fuzz_data_fann fuzz_data_csv fuzz_data_idx fuzz_model_binary fuzz_model_json)

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCLPROP_FUZZ=ON -DCLPROP_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target clprop_fuzzers -j "$(nproc)"

# Each run starts from the checked-in seeds alone, in a fresh working corpus, so CI runs are alike.
artifacts="$build/fuzz-artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/clprop-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"

failed=()
for harness in "${harnesses[@]}"; do
    case $harness in
        fuzz_data_fann | fuzz_data_csv) dictionary=tests/fuzz/fuzz_data_text.dict ;;
        *) dictionary=tests/fuzz/$harness.dict ;;
    esac
    mkdir -p "$work/$harness"
    log="$work/$harness.log"
    if "$build/tests/fuzz/$harness" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
           -print_final_stats=1 -dict="$dictionary" -artifact_prefix="$artifacts/$harness-" \
           "$work/$harness" "tests/fuzz/corpus/$harness" >"$log" 2>&1; then
        # libFuzzer's last status line: executions, coverage, features, corpus, exec/s.
        echo "$harness: ok: $(grep -E '^#[0-9]+' "$log" | tail -1)"
    else
        failed+=("$harness")
        echo "$harness: FAILED; the end of its log:"
        tail -40 "$log"
    fi
done

if ((${#failed[@]})); then
    echo "fuzzing found problems in: ${failed[*]} (reproducers in $artifacts/)"
    exit 1
fi
