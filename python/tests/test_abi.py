"""The ctypes structs in clprop/_lib.py against include/clprop.h: a C program compiled against
the header prints every struct's size and every field's offset, which must equal ctypes'."""

import os
import shutil
import subprocess

import pytest

from clprop import _lib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir)


def version_header_folder():
    library = os.path.dirname(os.path.abspath(__import__("clprop").library_path))
    for folder in (os.path.join(library, "include"), os.path.join(ROOT, "build", "include")):
        if os.path.exists(os.path.join(folder, "clprop_version.h")):
            return folder
    return None


def test_structs_match_the_header(tmp_path):
    compiler = shutil.which("cc") or shutil.which("gcc")
    generated = version_header_folder()
    if compiler is None or generated is None:
        pytest.skip("needs a C compiler and a build tree's clprop_version.h")
    lines = ['#include <stddef.h>', '#include <stdio.h>', '#include "clprop.h"',
             "int main(void) {"]
    expected = []
    for struct in _lib.STRUCTS:
        name = struct.__name__
        lines.append(f'printf("{name} %zu\\n", sizeof({name}));')
        expected.append(f"{name} {ctypes_sizeof(struct)}")
        for field, *_ in struct._fields_:
            lines.append(f'printf("{name}.{field} %zu\\n", offsetof({name}, {field}));')
            expected.append(f"{name}.{field} {getattr(struct, field).offset}")
    lines.append("return 0; }")
    source = tmp_path / "abi.c"
    source.write_text("\n".join(lines) + "\n")
    program = tmp_path / "abi"
    subprocess.run([compiler, "-std=c11", "-I", os.path.join(ROOT, "include"), "-I", generated,
                    str(source), "-o", str(program)], check=True)
    printed = subprocess.run([str(program)], check=True, capture_output=True, text=True).stdout
    assert printed.split("\n")[:-1] == expected


def ctypes_sizeof(struct):
    import ctypes
    return ctypes.sizeof(struct)
