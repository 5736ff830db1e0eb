#!/usr/bin/env bash
# bench/gpu/run.sh — run THERE: on the GPU machine, from the repository root, after
# bench/gpu/prepare.sh filled bench/gpu/payload/ here and the device tool carried it along.
#
#   bash bench/gpu/run.sh               NVIDIA's OpenCL (libnvidia-opencl.so.1 of the driver)
#   bash bench/gpu/run.sh --stand-in    PoCL's ICD and CPU device instead (CLPROP_GPU_ICD=pocl
#                                       does the same): the whole flow, tried on a machine
#                                       without a GPU
#   bash bench/gpu/run.sh --quick       kernels and train with --quick (the smoke test)
#
# It points the payload's ICD loader (OCL_ICD_VENDORS) at a vendors folder holding one ICD file
# that names the driver's library, puts payload/lib first on LD_LIBRARY_PATH, then runs, each
# under `timeout` and all within CLPROP_GPU_BUDGET_S seconds (default 420; a step that would
# start with under 10 s left is skipped), most valuable first (CLPROP_GPU_STEPS=peak,train runs
# only the steps it names, for a second try within what is left of the device time;
# CLPROP_GPU_STEP_SCALE=N multiplies each step's timeout, for a full run on a slow stand-in):
#   environment   the machine, nvidia-smi, the ICD, which libOpenCL is loaded (ldd, LD_DEBUG),
#                 clinfo -l, clprop devices
#   peak          clprop-bench peak --opencl --json: the GPU's FP32 FMA peak
#   kernels       clprop-bench kernels --json: every kernel checked, then timed; our GEMMs beside
#                 CLBlast's on the same GPU
#   train         clprop-bench train --json --batches 256,1024,4096,16384 --epochs 5
#   cpu-peak      clprop-bench peak --json: the host CPU's, for scale
#   tests         the kernel test executables (test_kernels, test_clblast, test_gradcheck,
#                 test_backends, test_devices), as ctest runs them, one timeout each
# Everything lands in $OUT (default bench/gpu/work/out), seven files, as the tool brings back at
# most eight: summary.txt (a line per step: status, seconds, the figure), environment.txt,
# peak.jsonl, kernels.jsonl, train.jsonl, tests.log, steps.log (the steps' stderr). The summary
# is printed at the end. The exit status is 0 when every step passed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
payload=$root/bench/gpu/payload
bin=$payload/bin
stand_in=0 quick=()
[ "${CLPROP_GPU_ICD:-}" = pocl ] && stand_in=1
for arg in "$@"; do
    case $arg in
    --stand-in) stand_in=1 ;;
    --quick) quick=(--quick) ;;
    *) echo "run.sh: unknown option $arg (--stand-in, --quick)" >&2; exit 2 ;;
    esac
done
[ -x "$bin/clprop-bench" ] || { echo "run.sh: no $bin/clprop-bench: run bench/gpu/prepare.sh here and carry bench/gpu/payload" >&2; exit 2; }
out=${OUT:-$root/bench/gpu/work/out}
mkdir -p "$out"
budget=${CLPROP_GPU_BUDGET_S:-420}
scale=${CLPROP_GPU_STEP_SCALE:-1} # every step's timeout times this: for a slow stand-in
tmp=$(mktemp -d /tmp/clprop-gpu.XXXXXX)
summary=$out/summary.txt
: >"$summary"
failures=0

# ---- the environment: the payload's libraries and loader, one ICD ----

vendors=$tmp/vendors
mkdir -p "$vendors" "$tmp/cache"
driver_dir=
if [ "$stand_in" = 1 ]; then
    cp /etc/OpenCL/vendors/pocl.icd "$vendors/"
    export CLPROP_DEVICE=${CLPROP_DEVICE:-cpu}
else
    # The driver's OpenCL library: where the loader cache or a usual folder has it.
    driver=$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1 / {print $NF; exit}')
    for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu \
        /usr/lib64 /lib/x86_64-linux-gnu /usr/lib; do
        [ -n "$driver" ] && break
        driver=$(ls "$dir"/libnvidia-opencl.so* 2>/dev/null | head -1)
    done
    if [ -n "$driver" ]; then
        driver_dir=$(dirname "$driver")
        # the bare soname when that file is there (found through LD_LIBRARY_PATH), else the path
        if [ -e "$driver_dir/libnvidia-opencl.so.1" ]; then
            echo libnvidia-opencl.so.1 >"$vendors/nvidia.icd"
        else
            echo "$driver" >"$vendors/nvidia.icd"
        fi
    else
        echo libnvidia-opencl.so.1 >"$vendors/nvidia.icd"
    fi
    export CLPROP_DEVICE=${CLPROP_DEVICE:-gpu}
fi
export OCL_ICD_VENDORS=$vendors
export LD_LIBRARY_PATH=$payload/lib${driver_dir:+:$driver_dir}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export XDG_CACHE_HOME=$tmp/cache # clprop's remembered GEMM choice: none carried over

# The tests were built with this machine's paths for their data (tests/data): the same path
# there, as a link to this checkout, when it is free.
built_root=$(sed -n 's/^source root: //p' "$payload/MANIFEST")
if [ -n "$built_root" ] && [ ! -e "$built_root" ] && [ "$stand_in" = 0 ]; then
    mkdir -p "$(dirname "$built_root")" 2>/dev/null && ln -s "$root" "$built_root" 2>/dev/null
fi

# ---- steps ----

# step NAME MAX_S FILE COMMAND...: runs COMMAND under timeout, stdout appended to FILE, stderr
# to steps.log (to FILE too for tests.log). A line in summary.txt.
step() {
    local name=$1 max=$2 file=$3
    shift 3
    case ",${CLPROP_GPU_STEPS:-$name}," in *",$name,"*) ;; *) return ;; esac
    max=$((max * scale))
    local left=$((budget - SECONDS))
    if [ "$left" -lt 10 ]; then
        printf '%-15s %-24s\n' "$name" "skipped (budget spent)" >>"$summary"
        failures=$((failures + 1))
        return
    fi
    local limit=$((max < left ? max : left)) began=$SECONDS rc=0 errors=$out/steps.log
    [ "$limit" -ge 1 ] || limit=1 # `timeout 0` would mean no timeout at all
    [ "$limit" -ge 1 ] || limit=1 # timeout 0 would mean no timeout
    [ "$file" = "$out/tests.log" ] && errors=$file
    echo "== $name (timeout ${limit}s): $*" >>"$out/steps.log"
    [ "$file" = "$out/tests.log" ] && echo "== $name: $*" >>"$file"
    if declare -F "$1" >/dev/null; then
        "$@" >>"$file" 2>>"$errors" # a function of this script: its commands have timeouts
    else
        timeout -k 5 "$limit" "$@" >>"$file" 2>>"$errors"
    fi
    rc=$?
    local status=passed
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        status="timed out (${limit}s)"
    elif [ "$rc" != 0 ]; then
        status="failed (exit $rc)"
    fi
    [ "$status" = passed ] || failures=$((failures + 1))
    printf '%-15s %-24s %4ds  %s\n' "$name" "$status" $((SECONDS - began)) \
        "$(figure "$name" "$file")" >>"$summary"
}

# The step's headline, from what it wrote.
figure() {
    case $1 in
    peak | cpu-peak)
        tail -1 "$2" | grep -o '"gflops":[0-9.]*' | head -1 ;;
    kernels)
        local rows wrong
        rows=$(grep -c '^{' "$2")
        wrong=$(grep -c '"valid":false' "$2")
        echo "$rows rows, $wrong with a wrong result" ;;
    train)
        grep -o '"batch":[0-9]*,"samples_per_s":[0-9.e+]*' "$2" | sed 's/"batch"://; s/,"samples_per_s":/ /' |
            awk '{printf "B%s %.0f/s  ", $1, $2}' ;;
    test_*)
        grep -a 'Synthesis' "$2" | tail -1 | sed 's/.*Synthesis: //' ;;
    esac
}

environment() {
    echo "date: $(date -u +%FT%TZ)"
    echo "mode: $([ "$stand_in" = 1 ] && echo "stand-in (PoCL)" || echo NVIDIA)"
    echo "kernel: $(uname -srm)"
    echo "glibc: $(ldd --version | head -1)"
    echo "os: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
    echo "cpus: $(nproc)"
    echo
    echo "== payload"
    cat "$payload/MANIFEST"
    echo
    echo "== nvidia-smi"
    timeout 20 nvidia-smi 2>&1 || echo "(no nvidia-smi)"
    echo
    echo "== the ICD"
    echo "OCL_ICD_VENDORS=$OCL_ICD_VENDORS"
    for icd in "$vendors"/*.icd; do echo "$icd: $(cat "$icd")"; done
    echo "driver library: ${driver:-(none found)}"
    echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
    echo "CLPROP_DEVICE=$CLPROP_DEVICE"
    [ -n "$built_root" ] && echo "tests' source root: $built_root -> $(readlink -f "$built_root" 2>/dev/null)"
    ls /etc/OpenCL/vendors 2>/dev/null | sed 's/^/(the machine'"'"'s own vendors, not used) /'
    echo
    echo "== ldd clprop-bench"
    ldd "$bin/clprop-bench"
    if ldd "$bin/clprop-bench" "$bin/clprop" "$bin"/tests/* | grep 'not found'; then
        echo "MISSING LIBRARIES (above)"
    fi
    echo
    echo "== the libraries clprop devices loads (LD_DEBUG=libs)"
    LD_DEBUG=libs timeout 30 "$bin/clprop" devices 2>&1 >/dev/null |
        grep -E 'calling init: .*(libOpenCL|opencl|pocl|clblast)' | sed 's/^ *[0-9]*: *//'
    echo
    echo "== clinfo -l"
    timeout 30 "$bin/clinfo" -l 2>&1
    echo
    echo "== clprop devices"
    timeout 30 "$bin/clprop" devices 2>&1
}

SECONDS=0
step environment 90 "$out/environment.txt" environment
step peak 60 "$out/peak.jsonl" "$bin/clprop-bench" peak --opencl --json
step kernels 150 "$out/kernels.jsonl" "$bin/clprop-bench" kernels --json "${quick[@]}"
step train 180 "$out/train.jsonl" "$bin/clprop-bench" train --json "${quick[@]}" \
    --data "$payload/data" --batches 256,1024,4096,16384 --epochs 5
step cpu-peak 15 "$out/peak.jsonl" "$bin/clprop-bench" peak --json
for t in test_kernels test_clblast test_gradcheck test_backends test_devices; do
    max=60
    [ "$t" = test_kernels ] && max=120
    [ "$t" = test_backends ] && max=90
    step "$t" "$max" "$out/tests.log" "$bin/tests/$t" --jobs=4 --timeout=60
done

{
    echo "clprop on the GPU machine: $([ "$stand_in" = 1 ] && echo "stand-in (PoCL's CPU device)" || echo "NVIDIA OpenCL"), $(date -u +%FT%TZ), ${SECONDS}s of ${budget}s, $failures step(s) not passed"
    grep -m1 '^commit:' "$payload/MANIFEST"
    [ -f "$out/environment.txt" ] && sed -n '/^== clprop devices/,$p' "$out/environment.txt" | tail -n +2
} >"$tmp/head"
cat "$tmp/head" "$summary" >"$tmp/summary" && cp "$tmp/summary" "$summary"
cat "$summary"
rm -rf "$tmp"
[ "$failures" = 0 ]
