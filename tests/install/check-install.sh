#!/usr/bin/env bash
# What a user of an installed clprop sees: installs the build into a temporary prefix, copies
# examples/ outside the source tree and builds it there twice — with pkg-config (examples/Makefile,
# plus a static link from `pkg-config --static`) and with find_package(clprop)
# (examples/CMakeLists.txt) — and runs each build's xor (it must reach its target loss) and
# predict (its model's save-and-load round trip must be exact). Then builds the Debian package
# with CPack, checks its file list and its Depends, and (as root, where clprop is not installed)
# installs it with apt-get, trains with the installed command, finds its man page and removes it.
#
#   tests/install/check-install.sh [BUILD_DIR]      # default build/, from .ci/setup
#
# About 20 s on the 2-core CI machine, most of it the two configure steps and the package.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(realpath "${1:-build}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
jobs=$(nproc)

fail() {
    echo "check-install: $*" >&2
    exit 1
}

echo "check-install: cmake --install into $prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name libclprop.so.0 -print -quit)")
[[ -d $libdir ]] || fail "no libclprop.so.0 under $prefix"

# run_examples DIR: xor trains and saves; predict reloads that model and checks its round trip.
run_examples() {
    local dir=$1
    echo "check-install: running the examples built in ${dir#"$work"/}"
    (cd "$dir" && ./xor xor.clprop >xor.out) || { cat "$dir/xor.out"; fail "$dir/xor failed"; }
    tail -n 1 "$dir/xor.out"
    (cd "$dir" && ./predict xor.clprop "$work/examples/xor.data" >predict.out) ||
        { cat "$dir/predict.out"; fail "$dir/predict failed"; }
    tail -n 1 "$dir/predict.out"
}

cp -r examples "$work/examples"

# pkg-config, through the Makefile: the shared library, found at run time through the rpath.
export PKG_CONFIG_PATH=$libdir/pkgconfig
[[ $(pkg-config --modversion clprop) == "$(cat "$build"/include/clprop_version.h |
    sed -n 's/#define CLPROP_VERSION_STRING "\(.*\)"/\1/p')" ]] || fail "clprop.pc's version"
cp -r "$work/examples" "$work/pkg-config"
make -s -C "$work/pkg-config" CFLAGS="-O2 -Wall -Wextra -Werror" LDFLAGS="-Wl,-rpath,$libdir"
run_examples "$work/pkg-config"

# pkg-config --static: libclprop.a with the libraries clprop.pc lists as private.
mkdir "$work/static"
static_libs=$(pkg-config --static --libs clprop)
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags clprop) "$work/examples/xor.c" \
    -o "$work/static/xor" ${static_libs/-lclprop/$libdir/libclprop.a}
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags clprop) "$work/examples/predict.c" \
    -o "$work/static/predict" ${static_libs/-lclprop/$libdir/libclprop.a}
if readelf -d "$work/static/xor" | grep -q 'libclprop\.so'; then
    fail "the static xor needs libclprop.so"
fi
run_examples "$work/static"
unset PKG_CONFIG_PATH

# find_package(clprop): the shared target, then the static one carrying its own dependencies.
for variant in shared static; do
    option=OFF
    [[ $variant == static ]] && option=ON
    cmake -S "$work/examples" -B "$work/cmake-$variant" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_BUILD_TYPE=Release -DCLPROP_EXAMPLES_STATIC=$option \
        -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >/dev/null
    cmake --build "$work/cmake-$variant" -j "$jobs" >/dev/null
    run_examples "$work/cmake-$variant"
done

echo "check-install: cpack -G DEB"
(cd "$build" && cpack -G DEB -B "$work/deb" >/dev/null)
deb=$(ls "$work"/deb/clprop_*.deb)
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/deb-files"
for path in /usr/bin/clprop /usr/bin/clprop-bench /usr/include/clprop.h \
    /usr/include/clprop_version.h '/usr/lib/.*libclprop\.so\.0' '/usr/lib/.*libclprop\.so' \
    '/usr/lib/.*libclprop\.a' '/usr/lib/.*pkgconfig/clprop\.pc' \
    '/usr/lib/.*cmake/clprop/clprop-config\.cmake' \
    '/usr/lib/.*cmake/clprop/clprop-config-version\.cmake' \
    '/usr/lib/.*cmake/clprop/clprop-targets\.cmake' /usr/share/man/man1/clprop.1 \
    /usr/share/man/man1/clprop-bench.1; do
    grep -qx "$path" "$work/deb-files" || fail "$(basename "$deb") holds no $path"
done
dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/lib/*clprop.pc' |
    grep -qx 'prefix=/usr' || fail "the package's clprop.pc does not name the prefix /usr"
depends=$(dpkg-deb -f "$deb" Depends)
for package in 'ocl-icd-libopencl1 | libopencl1' libclblast1 zlib1g libc6 \
    'pocl-opencl-icd | opencl-icd'; do
    [[ ", $depends," == *", $package"[\ ,]* ]] || fail "Depends ($depends) lacks $package"
done
# A command built with ONNX export loads protobuf-c's runtime: the package must pull it in.
if grep -q '^CLPROP_WITH_ONNX:INTERNAL=ON$' "$build/CMakeCache.txt"; then
    [[ ", $depends," == *", libprotobuf-c1"[\ ,]* ]] || fail "Depends ($depends) lacks libprotobuf-c1"
fi
echo "check-install: $(basename "$deb"): $(wc -l <"$work/deb-files") paths; Depends: $depends"

# As root on a machine without clprop installed (CI's fresh one), the package itself: installed
# with apt-get as a user would, its clprop trains, its man page is there; then removed again.
if ((EUID == 0)) && ! dpkg-query -W clprop >/dev/null 2>&1; then
    echo "check-install: apt-get install ./$(basename "$deb")"
    remove_package() { DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq clprop >/dev/null; }
    trap 'remove_package; rm -rf "$work"' EXIT
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" \
        >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install $deb failed"; }
    installed=$(command -v clprop)
    [[ $installed == /usr/bin/clprop ]] || fail "clprop on PATH is $installed, not /usr/bin/clprop"
    /usr/bin/clprop --version
    (cd "$work" && /usr/bin/clprop train --data "$OLDPWD/examples/xor.data" --epochs 2 \
        --save "$work/from-package.clprop" >/dev/null) || fail "the installed clprop cannot train"
    [[ -s /usr/share/man/man1/clprop.1 ]] || fail "the package installed no clprop(1)"
    grep -q -- 'checkpoint\\-every' /usr/share/man/man1/clprop.1 || fail "clprop(1) lacks train's options"
    remove_package
    trap 'rm -rf "$work"' EXIT
    [[ ! -e /usr/bin/clprop ]] || fail "apt-get remove left /usr/bin/clprop"
else
    echo "check-install: not root or clprop already installed: the package's own install skipped"
fi
echo "check-install: passed"
