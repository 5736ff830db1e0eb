#!/usr/bin/env bash
# exports_are_exactly_the_public_api: the functions libclprop.so exports are exactly those
# include/clprop.h declares. A declaration without its CLPROP_API line (not exported), or an
# internal function that leaks out of the shared library (exported, not declared), fails it.
#
#   tests/exports.sh GCC LIBRARY INCLUDE_DIR...
#
# The declared list comes from the compiler itself (gcc's -aux-info writes every prototype it
# sees, with the file it came from), so a declaration spread over lines or in an unusual style is
# read as the compiler reads it.
set -euo pipefail
cc=$1 library=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

includes=()
for dir in "$@"; do includes+=(-I "$dir"); done
echo '#include <clprop.h>' >"$work/header.c"
"$cc" -std=c11 "${includes[@]}" -aux-info "$work/prototypes" -c "$work/header.c" -o "$work/header.o"
grep '/clprop\.h:' "$work/prototypes" | sed -E 's/ \(.*//; s/.*[ *]//' | sort >"$work/declared"
# Every defined dynamic symbol, whatever its kind: data would be an export too.
nm -D --defined-only "$library" | awk '{print $3}' | sort >"$work/exported"

if [[ ! -s "$work/declared" ]]; then
    echo "no declarations found in clprop.h" >&2
    exit 1
fi
status=0
if ! comm -23 "$work/declared" "$work/exported" >"$work/missing" || [[ -s "$work/missing" ]]; then
    echo "declared in clprop.h but not exported by $library (no CLPROP_API line?):" >&2
    sed 's/^/  /' "$work/missing" >&2
    status=1
fi
if ! comm -13 "$work/declared" "$work/exported" >"$work/extra" || [[ -s "$work/extra" ]]; then
    echo "exported by $library but not declared in clprop.h:" >&2
    sed 's/^/  /' "$work/extra" >&2
    status=1
fi
((status == 0)) && echo "$(wc -l <"$work/declared") functions declared, the same exported"
exit $status
