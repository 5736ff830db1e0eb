"""The ONNX export against a real runtime: models trained by `clprop train`, exported with
`clprop export --format onnx`, accepted by onnx.checker (full check, shape inference included) and
run by onnxruntime on a test set, give clprop's own `clprop predict` outputs within 1e-5 — for
every activation, with and without biases, on generated CSV data and on a FANN benchmark file.

Run by ctest (test_onnx_runtime, through run-runtime-test.sh) in a build with ONNX export; by hand:

    build/onnx-venv/bin/python3 -m pytest tests/onnx/test_onnx_runtime.py

CLPROP_COMMAND names the clprop to test (default build/clprop), CLPROP_FANN_DIR FANN's data files
(default ../shared/datasets/fann beside the source tree).
"""
import os
import subprocess
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest

SOURCE = Path(__file__).resolve().parents[2]
CLPROP = os.environ.get("CLPROP_COMMAND", str(SOURCE / "build" / "clprop"))
FANN = Path(os.environ.get("CLPROP_FANN_DIR", SOURCE.parent / "shared" / "datasets" / "fann"))

# `clprop predict` prints 6 significant digits (%.6g): a value is off by at most 5e-6 of its
# size from the float it stands for, so a relative 1e-5 as well as an absolute 1e-5 covers it.
TOLERANCE = 1e-5
ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky-relu", "linear"]


def clprop(*args, cwd, stdout=subprocess.PIPE):
    """Runs the command; fails the test with its stderr unless it succeeds."""
    run = subprocess.run([CLPROP, *map(str, args)], cwd=cwd, stdout=stdout,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, check=False)
    assert run.returncode == 0, f"clprop {' '.join(map(str, args))}: {run.stderr.decode()}"
    return run.stdout.decode() if stdout == subprocess.PIPE else None


def predictions(text):
    """`clprop predict`'s lines: the outputs (before the tab) and the classes (after it)."""
    rows, classes = [], []
    for line in text.splitlines():
        values, _, label = line.partition("\t")
        rows.append([float(v) for v in values.split()])
        if label:
            classes.append(int(label))
    return np.array(rows, dtype=np.float64), classes


def run_onnx(path, inputs):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (output,) = session.run(["output"], {"input": inputs})
    return output


def check_file(path, inputs, outputs, activations, bias):
    """The structure a runtime relies on, read back with onnx."""
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert model.producer_name == "clprop"
    assert [(o.domain, o.version) for o in model.opset_import] == [("", 13)]
    metadata = {p.key: p.value for p in model.metadata_props}
    assert metadata["clprop_version"] == model.producer_version
    for value, width in ((model.graph.input[0], inputs), (model.graph.output[0], outputs)):
        dims = value.type.tensor_type.shape.dim
        assert [d.dim_param or d.dim_value for d in dims] == ["N", width], value
    ops = [n.op_type for n in model.graph.node]
    want = []
    for activation in activations:
        want.append("Gemm")
        op = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "leaky-relu": "LeakyRelu",
              "softmax": "Softmax", "linear": None}[activation]
        if op:
            want.append(op)
    assert ops == want
    gemms = [n for n in model.graph.node if n.op_type == "Gemm"]
    assert all(len(g.input) == (3 if bias else 2) for g in gemms)


def export_and_compare(work, model, data, data_args, inputs, activations, bias):
    """Exports `model`, runs it on `inputs` and compares with `clprop predict` on `data`."""
    onnx_path = work / (model.stem + ".onnx")
    with open(onnx_path, "wb") as out:
        clprop("export", "--model", model, "--format", "onnx", cwd=work, stdout=out)
    want, classes = predictions(clprop("predict", "--format", "text", "--model", model, "--data", data, *data_args,
                                       cwd=work))
    got = run_onnx(onnx_path, inputs)
    assert got.dtype == np.float32 and got.shape == want.shape, (got.shape, want.shape)
    assert np.all(np.isfinite(want)), "the trained model gives NaN or infinity"
    difference = np.abs(got - want)
    limit = TOLERANCE * np.maximum(1.0, np.abs(want))
    worst = np.unravel_index(np.argmax(difference - limit), difference.shape)
    assert np.all(difference <= limit), (
        f"{int(np.sum(difference > limit))} outputs differ; the worst, sample {worst[0]} output "
        f"{worst[1]}: onnxruntime {got[worst]:.9g}, clprop {want[worst]:.9g}")
    if classes:
        assert list(np.argmax(got, axis=1)) == classes
    check_file(onnx_path, inputs.shape[1], got.shape[1], activations, bias)


# ---- Generated data ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def csv(tmp_path_factory):
    """6 inputs in [-2, 2] (so ReLU's negative side is used), then 2 targets in (-1, 1) and a
    class label 0..2 — written as exact float32 decimals, read back as the same floats."""
    work = tmp_path_factory.mktemp("onnx")
    rng = np.random.default_rng(14)
    x = rng.uniform(-2, 2, size=(96, 6)).astype(np.float32)
    t = np.tanh(np.stack([x[:, 0] * x[:, 1] - x[:, 2], x[:, 3] + 0.5 * x[:, 4] * x[:, 5]], 1) / 2)
    label = np.argmax(x[:, :3], axis=1)
    with open(work / "regression.csv", "w") as f:
        for row, target in zip(x, t):
            f.write(",".join(f"{v:.9g}" for v in [*row, *target]) + "\n")
    with open(work / "classes.csv", "w") as f:
        for row, c in zip(x, label):
            f.write(",".join(f"{v:.9g}" for v in row) + f",{c}\n")
    return work, x


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_onnxruntime_gives_clprops_outputs(csv, activation, bias):
    work, x = csv
    name = f"{activation}-{'bias' if bias else 'nobias'}.clprop"
    clprop("train", "--data", "regression.csv", "--targets", 2, "--layers", "6,8,5,2",
           "--activation", activation, "--output", activation, "--epochs", 4, "--batch", 16,
           "--lr", 0.05, "--seed", 3, "--save", name, *([] if bias else ["--no-bias"]), cwd=work)
    export_and_compare(work, work / name, "regression.csv", ["--targets", 2], x,
                       [activation] * 3, bias)


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_onnxruntime_gives_clprops_softmax_outputs_and_classes(csv, bias):
    work, x = csv
    name = f"softmax-{'bias' if bias else 'nobias'}.clprop"
    clprop("train", "--data", "classes.csv", "--label-column", "last", "--layers", "6,8,3",
           "--activation", "tanh", "--output", "softmax", "--loss", "ce", "--epochs", 4,
           "--batch", 16, "--lr", 0.1, "--seed", 3, "--save", name,
           *([] if bias else ["--no-bias"]), cwd=work)
    export_and_compare(work, work / name, "classes.csv", ["--label-column", "last"], x,
                       ["tanh", "softmax"], bias)


@pytest.mark.parametrize("kind", ["standard", "minmax"])
def test_a_scaled_model_runs_in_onnxruntime_on_the_datas_own_units(csv, kind):
    """--scale-inputs/--scale-targets become Sub/Mul before the first Gemm and Div/Add after the
    last layer: onnxruntime takes and gives the data's units, as `clprop predict` does."""
    work, x = csv
    name = f"scaled-{kind}.clprop"
    clprop("train", "--data", "regression.csv", "--targets", 2, "--layers", "6,8,2",
           "--activation", "tanh", "--epochs", 4, "--batch", 16, "--lr", 0.05, "--seed", 3,
           "--scale-inputs", kind, "--scale-targets", kind, "--save", name, cwd=work)
    onnx_path = work / f"scaled-{kind}.onnx"
    with open(onnx_path, "wb") as out:
        clprop("export", "--model", name, "--format", "onnx", cwd=work, stdout=out)
    model = onnx.load(str(onnx_path))
    onnx.checker.check_model(model, full_check=True)
    ops = [node.op_type for node in model.graph.node]
    assert ops[:2] == ["Sub", "Mul"] and ops[-2:] == ["Div", "Add"], ops
    want, _ = predictions(clprop("predict", "--format", "text", "--model", name, "--data",
                                 "regression.csv", "--targets", 2, cwd=work))
    got = run_onnx(onnx_path, x)
    assert got.shape == want.shape and np.all(np.isfinite(got))
    assert np.all(np.abs(got - want) <= TOLERANCE * np.maximum(1.0, np.abs(want)))


# ---- A FANN benchmark file ---------------------------------------------------------------------

def fann_inputs(path):
    """The inputs of a FANN data file as float32, read as clprop reads them."""
    words = path.read_text().split()
    samples, inputs, outputs = (int(w) for w in words[:3])
    values = np.array([float(w) for w in words[3:]], dtype=np.float64).reshape(samples, -1)
    assert values.shape[1] == inputs + outputs
    return values[:, :inputs].astype(np.float32)


def test_onnxruntime_gives_clprops_outputs_on_fanns_diabetes_set(tmp_path):
    train, test = FANN / "diabetes.train", FANN / "diabetes.test"
    if not train.exists():
        pytest.skip(f"{train} is not there")
    clprop("train", "--data", train, "--layers", "8,16,2", "--activation", "leaky-relu",
           "--output", "sigmoid", "--epochs", 3, "--seed", 5, "--save", "diabetes.clprop",
           cwd=tmp_path)
    export_and_compare(tmp_path, tmp_path / "diabetes.clprop", test, [], fann_inputs(test),
                       ["leaky-relu", "sigmoid"], True)


def test_a_checkpoints_progress_is_in_the_metadata(csv):
    work, _ = csv
    clprop("train", "--data", "regression.csv", "--targets", 2, "--layers", "6,4,2",
           "--epochs", 2, "--validation", 0.25, "--optimizer", "adam", "--lr", 0.01,
           "--checkpoint", "run.ck", "--checkpoint-every", 1, cwd=work)
    with open(work / "run.onnx", "wb") as out:
        clprop("export", "--model", "run.ck", "--format", "onnx", cwd=work, stdout=out)
    metadata = {p.key: p.value for p in onnx.load(str(work / "run.onnx")).metadata_props}
    assert metadata["loss"] == "mse"
    assert metadata["optimizer"] == "adam"
    assert metadata["epochs_done"] == "2"
    assert float(metadata["best_validation_loss"]) > 0
