#!/usr/bin/env bash
# bench/gpu/prepare.sh — run HERE (Debian 12, with apt and clprop's build dependencies), in the
# checkout the device tool sends, right before the device run. It fills bench/gpu/payload/
# (ignored by git, carried by the `run` tool) with everything bench/gpu/run.sh needs on a GPU
# machine that has an NVIDIA driver and nothing else of ours and no network:
#
#   payload/bin/    a Release build: clprop, clprop-bench, the kernel test executables, and clinfo
#   payload/lib/    the shared libraries they load that a bare Debian 12 may lack: the OpenCL ICD
#                   loader (ocl-icd), CLBlast, Criterion and its dependencies — `apt-get download`
#                   here, `dpkg -x` into work/unpacked/, the libraries copied out of it
#   payload/data/   Fashion-MNIST's training images and labels, for clprop-bench train
#   payload/MANIFEST  the commit, the packages and their versions, the sizes
#
# The build itself and the .debs stay in bench/gpu/work/ (ignored, not carried). The closure is
# `ldd` over the binaries, mapped to packages by `dpkg -S`, less what every system with glibc and
# apt has (libc6, libgcc-s1, libstdc++6): the GPU machine's own must serve those. At the end the
# whole working tree that travels (tracked files, untracked files git does not ignore, the
# payload) is checked against the tool's 64 MiB.
#
# Usage: bench/gpu/prepare.sh        (CLPROP_FASHION_MNIST=DIR: where the data is, default below)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
gpu=$root/bench/gpu
work=$gpu/work
payload=$gpu/payload
data=${CLPROP_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
limit=$((64 * 1024 * 1024))
# The test executables run.sh runs, in the order of their value.
tests=(test_kernels test_clblast test_gradcheck test_backends test_devices)
# Always carried, whatever ldd finds: the ICD loader (run.sh points it at the NVIDIA driver)
# and clinfo (to list the platforms in the report).
always=(ocl-icd-libopencl1 clinfo)
# What every Debian or Ubuntu has (apt and dpkg need them): never carried, glibc must be the
# machine's own, and an older zlib ahead of the machine's could break the driver's libraries.
base='^(libc6|libgcc-s1|libstdc\+\+6|zlib1g)$'

say() { printf 'prepare: %s\n' "$*"; }
die() { printf 'prepare: %s\n' "$*" >&2; exit 1; }

for tool in cmake apt-get dpkg dpkg-deb ldd objdump strip git; do
    command -v "$tool" >/dev/null || die "needs $tool"
done
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz; do
    [ -f "$data/$f" ] || die "no $data/$f (set CLPROP_FASHION_MNIST to its folder)"
done

rm -rf "$payload"
mkdir -p "$work/build" "$work/debs" "$payload/bin/tests" "$payload/lib" "$payload/data"

say "Release build in ${work#"$root"/}/build"
cmake -S "$root" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCLPROP_BUILD_EXAMPLES=OFF \
    >"$work/configure.log"
cmake --build "$work/build" -j "$(nproc)" --target clprop_cli clprop-bench "${tests[@]}" \
    >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; die "the build failed"; }
if grep -iE 'warning|error' "$work/build.log"; then die "the build is not warning-free"; fi
install -m 755 "$work/build/clprop" "$work/build/clprop-bench" "$payload/bin/"
for t in "${tests[@]}"; do install -m 755 "$work/build/tests/$t" "$payload/bin/tests/"; done
strip --strip-debug "$payload"/bin/clprop* "$payload"/bin/tests/*

say "dependency closure (ldd)"
mapfile -t libraries < <(ldd "$payload"/bin/clprop* "$payload"/bin/tests/* |
    awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u)
packages=()
for library in "${libraries[@]}"; do
    # dpkg knows each file by the path its package ships, /lib or /usr/lib (Debian 12 merged
    # them), and the soname may be a link: try the name and the file, with and without /usr.
    real=$(readlink -f "$library")
    owner=
    for path in "$library" "${library#/usr}" "$real" "${real#/usr}"; do
        owner=$(dpkg -S "$path" 2>/dev/null | head -1) && [ -n "$owner" ] && break
    done
    [ -n "$owner" ] || die "no package owns $library"
    packages+=("${owner%%:*}")
done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" "${always[@]}" | sort -u |
    grep -vE "$base")
say "packages: ${packages[*]}"

say "apt-get download into ${work#"$root"/}/debs"
rm -f "$work"/debs/*.deb
(cd "$work/debs" && apt-get download "${packages[@]}" >"$work/download.log" 2>&1) ||
    { cat "$work/download.log"; die "apt-get download failed (apt-get update first?)"; }
for p in "${packages[@]}"; do
    compgen -G "$work/debs/${p}_*.deb" >/dev/null || die "apt-get download fetched no $p"
done

say "dpkg -x into ${work#"$root"/}/unpacked, the libraries copied to payload/lib"
unpacked=$work/unpacked
rm -rf "$unpacked"
for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$unpacked"; done
# Each shared object once, under its soname (what the loader asks for), with no symbolic links
# to travel; not OpenSSL's engines and modules, not the documentation.
while IFS= read -r -d '' object; do
    soname=$(objdump -p "$object" | awk '$1 == "SONAME" {print $2}')
    [ -n "$soname" ] && cp "$object" "$payload/lib/$soname"
done < <(find "$unpacked/usr/lib/x86_64-linux-gnu" "$unpacked/lib/x86_64-linux-gnu" -maxdepth 1 \
    -name '*.so.*' -type f -print0 2>/dev/null)
install -m 755 "$unpacked/usr/bin/clinfo" "$payload/bin/"
cp "$data/train-images-idx3-ubyte.gz" "$data/train-labels-idx1-ubyte.gz" "$payload/data/"

say "every library resolves from payload/lib or the base packages"
resolved=$(LD_LIBRARY_PATH=$payload/lib ldd "$payload"/bin/clprop* "$payload"/bin/clinfo \
    "$payload"/bin/tests/*)
missing=$(grep 'not found' <<<"$resolved" || true)
[ -z "$missing" ] || die "unresolved: $missing"
while read -r library; do
    case $library in "$payload"/lib/*) continue ;; esac
    owner=
    for path in "$library" "${library#/usr}" "$(readlink -f "$library")"; do
        owner=$(dpkg -S "$path" 2>/dev/null | head -1) && [ -n "$owner" ] && break
    done
    grep -qE "$base" <<<"${owner%%:*}" || die "$library ($owner) is neither carried nor base"
done < <(awk '$2 == "=>" && $3 ~ /^\// {print $3}' <<<"$resolved" | sort -u)
opencl=$(LD_LIBRARY_PATH=$payload/lib ldd "$payload/bin/clprop" | awk '/libOpenCL/ {print $3}')
[ "$(readlink -f "$opencl")" = "$(readlink -f "$payload/lib/libOpenCL.so.1")" ] ||
    die "libOpenCL.so.1 resolves to $opencl, not the payload's"

say "sizes against the tool's 64 MiB"
cd "$root"
tracked=$(git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
untracked=$(git ls-files -z --others --exclude-standard |
    xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
carried=$(du -sb "$payload" | cut -f1)
total=$((tracked + untracked + carried))
{
    changes=$(git status --porcelain)
    echo "commit: $(git rev-parse HEAD)${changes:+ (with uncommitted changes: the build has them)}"
    echo "prepared: $(date -u +%FT%TZ) on $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "source root: $root"
    # the newest glibc symbol version any carried file asks for: the GPU machine needs that glibc
    echo "needs: $(find "$payload/bin" "$payload/lib" -type f -exec objdump -T {} + 2>/dev/null |
        grep -oE 'GLIBC_[0-9.]+' | sort -uV | tail -1)"
    echo "packages:"
    for deb in "$work"/debs/*.deb; do
        echo "  $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
    done
    echo "sizes (bytes): payload $carried (bin $(du -sb "$payload/bin" | cut -f1)," \
        "lib $(du -sb "$payload/lib" | cut -f1), data $(du -sb "$payload/data" | cut -f1));" \
        "tracked $tracked; untracked $untracked; total $total of $limit"
} >"$payload/MANIFEST"
cat "$payload/MANIFEST"
[ "$total" -le "$limit" ] || die "the working tree that travels is $total bytes, over $limit"
say "ready: bash bench/gpu/run.sh there, with carry [\"bench/gpu/payload\"] (bench/gpu/README.md)"
