import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import clprop


@pytest.fixture(scope="module")
def fitted(digits):
    X_train, X_test, y_train, _ = digits
    labels = np.array(list("abcdefghij"))[y_train]
    return clprop.MLPClassifier(hidden_layer_sizes=(32, 16), max_iter=5, random_state=0,
                                learning_rate_init=0.01).fit(X_train, labels), X_test


def test_save_and_load_give_the_same_predictions(fitted, tmp_path):
    model, X_test = fitted
    model.save(tmp_path / "digits.clprop")
    loaded = clprop.MLPClassifier.load(tmp_path / "digits.clprop", classes=model.classes_)
    np.testing.assert_array_equal(loaded.predict_proba(X_test), model.predict_proba(X_test))
    np.testing.assert_array_equal(loaded.predict(X_test), model.predict(X_test))
    assert loaded.hidden_layer_sizes == (32, 16) and loaded.activation == "relu"
    for a, b in zip(loaded.coefs_ + loaded.intercepts_, model.coefs_ + model.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert list(clprop.MLPClassifier.load(tmp_path / "digits.clprop").classes_) == list(range(10))


def test_a_loaded_model_goes_on_training(fitted, digits, tmp_path):
    model, _ = fitted
    model.save(tmp_path / "m.clprop")
    loaded = clprop.MLPClassifier.load(tmp_path / "m.clprop", classes=model.classes_)
    X_train, _, y_train, _ = digits
    loaded.partial_fit(X_train, model.classes_[y_train])
    assert loaded.n_iter_ == 1


def test_regressor_round_trip(tmp_path):
    X = np.random.RandomState(0).normal(size=(50, 3))
    model = clprop.MLPRegressor(hidden_layer_sizes=(5,), max_iter=5).fit(X, X[:, :2])
    model.save(str(tmp_path / "r.clprop"))
    loaded = clprop.MLPRegressor.load(str(tmp_path / "r.clprop"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with pytest.raises(ValueError, match="MLPClassifier needs softmax"):
        clprop.MLPClassifier.load(tmp_path / "r.clprop")


def test_pickle_carries_the_network(fitted):
    model, X_test = fitted
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.predict_proba(X_test), model.predict_proba(X_test))


def test_a_damaged_model_file_raises_the_library_message(tmp_path):
    path = tmp_path / "bad.clprop"
    path.write_bytes(b"not a model at all")
    with pytest.raises(clprop.ClpropValueError) as caught:
        clprop.MLPRegressor.load(path)
    assert str(caught.value).startswith(str(path) + ": ")
    assert caught.value.status_name == "CLPROP_ERROR_FORMAT"
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, RuntimeError)
    with pytest.raises(clprop.ClpropError, match="cannot open") as caught:
        clprop.MLPRegressor.load(tmp_path / "missing.clprop")
    assert caught.value.status_name == "CLPROP_ERROR_IO"


def test_saving_into_a_missing_folder_raises_the_library_message(fitted, tmp_path):
    model, _ = fitted
    with pytest.raises(clprop.ClpropError, match="does not exist"):
        model.save(tmp_path / "no" / "such" / "m.clprop")


def test_an_unknown_device_raises_with_the_device_list():
    with pytest.raises(clprop.DeviceNotFoundError,
                       match='no OpenCL device matches "no-such-device"') as caught:
        clprop.MLPClassifier(device="no-such-device").fit(np.eye(2), [0, 1])
    assert caught.value.status_name == "CLPROP_ERROR_DEVICE_NOT_FOUND"
    assert clprop.devices()[0]["description"] in str(caught.value)


def test_unsupported_settings_are_refused_clearly():
    X, y = np.eye(3), [0, 1, 1]
    with pytest.raises(ValueError, match="lbfgs.*not supported.*'adam' or 'sgd'"):
        clprop.MLPClassifier(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="activation"):
        clprop.MLPClassifier(activation="softplus").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        clprop.MLPClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)
    with pytest.raises(ValueError, match="learning_rate_init"):
        clprop.MLPRegressor(learning_rate_init=0).fit(X, y)


def test_early_stopping_on_too_few_samples_raises_the_trainer_message():
    with pytest.raises(clprop.ClpropValueError, match="validation share"):
        clprop.MLPRegressor(early_stopping=True, validation_fraction=0.1).fit(np.eye(2), [0, 1])


def test_devices_lists_every_device():
    found = clprop.devices()
    assert found, "the tests need an OpenCL device (PoCL runs on the CPU)"
    for device in found:
        assert device["kind"] in ("gpu", "cpu", "other") and device["name"]
        assert device["selector"].count(":") == 1 and device["global_memory_bytes"] > 0
    assert clprop.version().count(".") == 2


def run_python(code, **env):
    environment = {k: v for k, v in os.environ.items() if k != "CLPROP_LIBRARY"}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                          text=True, timeout=120)


def test_clprop_library_names_the_library_to_load():
    done = run_python("import clprop; print(clprop.library_path)",
                      CLPROP_LIBRARY=clprop.library_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == clprop.library_path


def test_a_missing_library_says_where_it_looked():
    done = run_python("import clprop", CLPROP_LIBRARY="/nowhere/libclprop.so.0")
    assert done.returncode != 0
    assert "ImportError" in done.stderr and "CLPROP_LIBRARY" in done.stderr
    assert "/nowhere/libclprop.so.0 (CLPROP_LIBRARY): no such file" in done.stderr


def test_the_library_is_looked_for_installed_first_then_in_build_trees(monkeypatch):
    from clprop import _lib
    monkeypatch.delenv("CLPROP_LIBRARY", raising=False)
    hows = [how for how, _ in _lib.candidates()]
    assert hows[0] == "installed" and hows[-1] == "build tree"
    assert hows == sorted(hows, key=["installed", "build tree"].index)
    monkeypatch.setenv("CLPROP_LIBRARY", "/some/libclprop.so.0")
    assert _lib.candidates() == [("CLPROP_LIBRARY", "/some/libclprop.so.0")]


def test_the_clprop_command_reads_a_saved_model(fitted, tmp_path):
    import json
    command = os.path.join(os.path.dirname(clprop.library_path), "clprop")
    if not os.access(command, os.X_OK):
        pytest.skip("no clprop command beside the library (a build tree has one)")
    model, _ = fitted
    model.save(tmp_path / "m.clprop")
    done = subprocess.run([command, "export", "--model", str(tmp_path / "m.clprop")],
                          capture_output=True, text=True, timeout=60, check=True)
    layers = json.loads(done.stdout)["layers"]
    assert [layer["activation"] for layer in layers] == ["relu", "relu", "softmax"]
    for layer, coefs, intercepts in zip(layers, model.coefs_, model.intercepts_):
        np.testing.assert_allclose(np.array(layer["weights"]).T, coefs, rtol=1e-6)
        np.testing.assert_allclose(layer["biases"], intercepts, rtol=1e-6)


def test_a_nul_in_a_path_or_a_device_is_refused_not_cut(fitted, tmp_path):
    # a C string ends at the NUL: "m.clprop\0.bak" would have written m.clprop
    model, _ = fitted
    with pytest.raises(ValueError, match="embedded null byte"):
        model.save(str(tmp_path / "m.clprop") + "\0.bak")
    assert not (tmp_path / "m.clprop").exists()
    with pytest.raises(ValueError, match="embedded null byte"):
        clprop.MLPClassifier.load(str(tmp_path / "m.clprop") + "\0x")
    with pytest.raises(ValueError, match="embedded null byte"):
        clprop.MLPClassifier(hidden_layer_sizes=(4,), max_iter=1,
                             device="cpu\0x").fit(np.zeros((4, 2)), [0, 1, 0, 1])
    with pytest.raises(TypeError, match="device must be a string"):
        clprop.MLPClassifier(hidden_layer_sizes=(4,), max_iter=1,
                             device=1).fit(np.zeros((4, 2)), [0, 1, 0, 1])


@pytest.mark.parametrize("sizes", [(2**64 + 3,), (2**32,), (3.7,), (4, 2.0)])
def test_layer_sizes_are_whole_numbers_below_2_to_the_32(sizes):
    # 2**64 + 3 wrapped to 3 units through a size_t, 3.7 became 3
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        clprop.MLPClassifier(hidden_layer_sizes=sizes, max_iter=1).fit(np.zeros((4, 2)),
                                                                        [0, 1, 0, 1])


def test_a_closed_network_says_so(digits):
    # it passed a NULL handle on: "the network takes 0", "out of host memory", or a crash
    X_train, X_test, y_train, _ = digits
    model = clprop.MLPClassifier(hidden_layer_sizes=(8,), max_iter=1).fit(X_train, y_train)
    model._net.close()
    with pytest.raises(ValueError, match="this network was closed"):
        model.predict(X_test)


def test_a_model_trained_with_scaling_predicts_in_the_datas_units(tmp_path):
    # `clprop train --scale-inputs/--scale-targets` keeps the scaling in the model: loaded here,
    # its predictions are `clprop predict`'s, not the network's raw outputs on unscaled inputs
    command = os.path.join(os.path.dirname(clprop.library_path), "clprop")
    if not os.access(command, os.X_OK):
        pytest.skip("no clprop command beside the library (a build tree has one)")
    rng = np.random.default_rng(3)
    X = rng.uniform(100, 200, size=(64, 3))
    y = X @ [0.5, -1.0, 2.0] + 1000
    data = tmp_path / "d.csv"
    np.savetxt(data, np.column_stack([X, y]), delimiter=",", fmt="%.6f")
    subprocess.run([command, "train", "--data", str(data), "--targets", "1", "--layers", "3,8,1",
                    "--output", "linear", "--epochs", "3", "--scale-inputs", "standard",
                    "--scale-targets", "standard", "--save", str(tmp_path / "m.clprop")],
                   capture_output=True, text=True, timeout=120, check=True)
    done = subprocess.run([command, "predict", "--model", str(tmp_path / "m.clprop"), "--data",
                           str(data), "--targets", "1", "--format", "csv"],
                          capture_output=True, text=True, timeout=60, check=True)
    want = np.loadtxt(done.stdout.splitlines()[1:], delimiter=",")
    got = clprop.MLPRegressor.load(str(tmp_path / "m.clprop")).predict(X.astype(np.float32))
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert abs(float(np.mean(got)) - 1000) < 500, "outputs in the targets' units"


def test_a_warm_start_on_other_features_is_refused_and_the_model_kept():
    X, y = np.eye(3), [0, 1, 1]
    model = clprop.MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, warm_start=True).fit(X, y)
    before = model.predict_proba(X)
    with pytest.raises(ValueError, match="3 features"):
        model.fit(X[:, :2], y)
    np.testing.assert_array_equal(model.predict_proba(X), before)


def test_parameters_the_device_cannot_take_are_refused_naming_them():
    X, y = np.eye(3), [0.0, 1.0, 1.0]
    for params, name in [({"learning_rate_init": "0.1"}, "learning_rate_init"),
                         ({"learning_rate_init": 1e300}, "learning_rate_init"),
                         ({"alpha": 1e300}, "alpha"), ({"max_iter": 2**64 + 2}, "max_iter"),
                         ({"momentum": 1.0, "solver": "sgd"}, "momentum")]:
        with pytest.raises(ValueError, match=name):
            clprop.MLPRegressor(hidden_layer_sizes=(2,), **params).fit(X, y)


def test_the_low_level_api_takes_rows_as_they_are_given():
    from clprop import _core
    with pytest.raises(ValueError, match="3 rows and targets 1"):
        _core.Data(np.zeros((3, 2)), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="2-D"):
        _core.Data(np.zeros((3, 4, 5)), np.zeros((3, 1)))


def test_a_forked_process_is_told_instead_of_hanging():
    # PoCL's threads stay in the parent: a call in a forked child waited for them for good
    X, y = np.eye(3), [0, 1, 1]
    model = clprop.MLPClassifier(hidden_layer_sizes=(4,), max_iter=1).fit(X, y)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one line back through the pipe, then out without cleanup
        try:
            model.predict(X)
            said = "predicted"
        except RuntimeError as exception:
            said = str(exception)
        os.write(write_end, said.encode())
        os._exit(0)
    os.close(write_end)
    import select
    ready, _, _ = select.select([read_end], [], [], 30)
    said = os.read(read_end, 4096).decode() if ready else "no answer in 30 s"
    os.close(read_end)
    if not ready:
        os.kill(pid, 9)
    os.waitpid(pid, 0)
    assert "does not survive fork()" in said, said
    assert model.predict(X).shape == (3,)  # the parent goes on


def test_values_beyond_float32_are_named_as_such():
    X, y = np.eye(3), np.array([0.0, 1.0, 1e39])
    with pytest.raises(ValueError, match="beyond float32's range"):
        clprop.MLPRegressor(hidden_layer_sizes=(2,), max_iter=1).fit(X, y)


def test_a_fit_without_early_stopping_leaves_no_earlier_validation_curve():
    X, y = np.tile(np.eye(3), (10, 1)), np.tile([0.0, 1.0, 1.0], 10)
    model = clprop.MLPRegressor(hidden_layer_sizes=(2,), max_iter=3, early_stopping=True,
                                validation_fraction=0.2).fit(X, y)
    assert hasattr(model, "validation_loss_curve_")
    model.set_params(early_stopping=False).fit(X, y)
    assert not hasattr(model, "validation_loss_curve_")
