#!/usr/bin/env bash
# ctest's test_onnx_runtime: tests/onnx/test_onnx_runtime.py under pytest, with the Python that
# has onnx and onnxruntime — BUILD_DIR/onnx-venv, which .ci/setup makes, else $CLPROP_ONNX_PYTHON,
# else python3. Without those modules it is skipped (exit 77) saying how to get them.
#
#   tests/onnx/run-runtime-test.sh BUILD_DIR CLPROP FANN_DIR
set -euo pipefail
build=$1
export CLPROP_COMMAND=$2 CLPROP_FANN_DIR=$3
python=${CLPROP_ONNX_PYTHON:-python3}
[[ -x $build/onnx-venv/bin/python3 ]] && python=$build/onnx-venv/bin/python3
if ! "$python" -c 'import numpy, onnx, onnxruntime, pytest' 2>/dev/null; then
    echo "skipped: $python lacks onnx, onnxruntime or pytest (bash .ci/setup makes" \
         "$build/onnx-venv with them)"
    exit 77
fi
# No .pytest_cache in the source tree; the test's files go to pytest's own temporary folder.
exec "$python" -m pytest -q -p no:cacheprovider "$(dirname "$0")/test_onnx_runtime.py"
