import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import clprop


def digits_classifier(**params):
    defaults = dict(hidden_layer_sizes=(64,), learning_rate_init=0.01, max_iter=30, random_state=0)
    return clprop.MLPClassifier(**{**defaults, **params})


def test_digits_train_to_at_least_95_percent_test_accuracy(digits):
    X_train, X_test, y_train, y_test = digits
    model = digits_classifier().fit(X_train, y_train)
    accuracy = model.score(X_test, y_test)
    assert accuracy >= 0.95, f"test accuracy {accuracy:.4f}"
    assert model.n_iter_ <= 30 and len(model.loss_curve_) == model.n_iter_
    assert model.loss_ == model.loss_curve_[-1] < model.loss_curve_[0]
    assert list(model.classes_) == list(range(10)) and model.n_features_in_ == 64
    assert [c.shape for c in model.coefs_] == [(64, 64), (64, 10)]
    assert [b.shape for b in model.intercepts_] == [(64,), (10,)]
    proba = model.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X_test))


def test_memory_mapped_arrays_train_like_arrays_in_memory(digits, tmp_path):
    X_train, X_test, y_train, _ = digits
    np.save(tmp_path / "x.npy", X_train)
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")  # read-only
    memmap = np.memmap(tmp_path / "x.raw", dtype=np.float32, mode="w+", shape=X_train.shape)
    memmap[:] = X_train
    memmap.flush()
    reference = digits_classifier(max_iter=5).fit(X_train, y_train).predict_proba(X_test)
    for X in (mapped, memmap, X_train.astype(np.float64)):
        model = digits_classifier(max_iter=5).fit(X, y_train)
        np.testing.assert_array_equal(model.predict_proba(X_test), reference)
    np.testing.assert_array_equal(model.predict_proba(np.load(tmp_path / "x.npy", mmap_mode="r")),
                                  model.predict_proba(X_train))


def test_a_float32_array_reaches_the_library_without_a_copy(digits, tmp_path, monkeypatch):
    X_train, _, y_train, _ = digits
    np.save(tmp_path / "x.npy", X_train)
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    from clprop import _core
    handed = []
    create = _core.Data.__init__

    def spy(self, inputs, targets):
        handed.append(inputs)
        create(self, inputs, targets)

    monkeypatch.setattr(_core.Data, "__init__", spy)
    for X in (X_train, mapped):
        digits_classifier(max_iter=1).fit(X, y_train)
        assert np.shares_memory(_core.as_float32(handed[-1]), X)


def test_grid_search_over_two_learning_rates_in_a_pipeline(digits):
    X_train, X_test, y_train, y_test = digits
    pipeline = make_pipeline(StandardScaler(), digits_classifier(max_iter=10))
    search = GridSearchCV(pipeline, {"mlpclassifier__learning_rate_init": [0.0001, 0.01]}, cv=3)
    search.fit(X_train, y_train)
    assert search.best_params_ == {"mlpclassifier__learning_rate_init": 0.01}
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > scores[0] and scores[1] > 0.9, scores
    assert search.score(X_test, y_test) > 0.9


def test_clone_keeps_the_parameters_and_no_network():
    model = clprop.MLPClassifier(hidden_layer_sizes=(7, 5), activation="tanh", solver="sgd",
                                 device="cpu").fit(np.eye(4), [0, 1, 0, 1])
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "_net") and not hasattr(copy, "classes_")
    assert copy.set_params(learning_rate_init=0.5).learning_rate_init == 0.5


def test_string_labels_and_two_classes():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2)).astype(np.float32)
    y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    model = clprop.MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05, max_iter=50,
                                 random_state=0).fit(X, y)
    assert list(model.classes_) == ["no", "yes"]
    assert model.predict_proba(X).shape == (200, 2)
    assert model.score(X, y) > 0.95


@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu", "identity", "leaky_relu"])
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_regressor_fits_1d_and_2d_targets(activation, solver):
    rng = np.random.RandomState(1)
    X = rng.uniform(-1, 1, size=(300, 3))
    y = X @ np.array([0.5, -1.0, 2.0])
    params = dict(hidden_layer_sizes=(16,), activation=activation, solver=solver,
                  learning_rate_init=0.01, max_iter=60, random_state=0)
    one = clprop.MLPRegressor(**params).fit(X, y)
    assert one.predict(X).shape == (300,) and one.score(X, y) > 0.9
    two = clprop.MLPRegressor(**params).fit(X, np.column_stack([y, -y]))
    assert two.predict(X).shape == (300, 2) and two.score(X, np.column_stack([y, -y])) > 0.9


def test_partial_fit_trains_one_epoch_a_call(digits):
    X_train, X_test, y_train, y_test = digits
    model = digits_classifier()
    for _ in range(10):
        model.partial_fit(X_train, y_train, classes=np.arange(10))
    assert model.n_iter_ == 10 and len(model.loss_curve_) == 10
    assert model.score(X_test, y_test) > 0.9
    with pytest.raises(ValueError, match="classes"):
        digits_classifier().partial_fit(X_train, y_train)
    with pytest.raises(ValueError, match="not in classes_"):
        digits_classifier().partial_fit(X_train, y_train, classes=np.arange(5))


def test_fit_is_repeatable_and_warm_start_continues(digits):
    X_train, X_test, y_train, _ = digits
    a = digits_classifier(max_iter=3).fit(X_train, y_train).predict_proba(X_test)
    b = digits_classifier(max_iter=3).fit(X_train, y_train).predict_proba(X_test)
    np.testing.assert_array_equal(a, b)
    model = digits_classifier(max_iter=3, warm_start=True).fit(X_train, y_train)
    first = model.loss_curve_[-1]
    model.fit(X_train, y_train)
    assert model.n_iter_ == 6 and model.loss_curve_[-1] < first


def test_early_stopping_holds_out_a_validation_share(digits):
    X_train, _, y_train, _ = digits
    model = digits_classifier(max_iter=500, early_stopping=True, n_iter_no_change=3,
                              learning_rate_init=0.05).fit(X_train, y_train)
    assert 3 < model.n_iter_ < 500
    assert len(model.validation_loss_curve_) == model.n_iter_
    assert model.best_validation_loss_ == min(model.validation_loss_curve_)


def test_the_tol_rule_stops_when_the_training_loss_stalls():
    X = np.eye(4)
    model = clprop.MLPRegressor(hidden_layer_sizes=(4,), max_iter=1000, tol=10.0,
                                n_iter_no_change=2, random_state=0).fit(X, [0, 1, 0, 1])
    # as in scikit-learn: the first epoch sets the best loss, then n_iter_no_change + 1 stale ones
    assert model.n_iter_ == 4


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_grid_search_in_two_threads_or_processes_scores_as_in_one(digits, backend):
    # threads share the process's context (its lock serialises them); loky's processes start
    # afresh (a process forked after OpenCL was used would hang in PoCL)
    import joblib
    X_train, _, y_train, _ = digits
    grid = {"learning_rate_init": [0.001, 0.01]}
    one = GridSearchCV(digits_classifier(max_iter=3), grid, cv=2).fit(X_train, y_train)
    with joblib.parallel_backend(backend):
        two = GridSearchCV(digits_classifier(max_iter=3), grid, cv=2, n_jobs=2).fit(X_train,
                                                                                    y_train)
    np.testing.assert_array_equal(two.cv_results_["mean_test_score"],
                                  one.cv_results_["mean_test_score"])
