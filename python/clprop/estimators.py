"""MLPClassifier and MLPRegressor: scikit-learn estimators trained by libclprop.

They take scikit-learn's MLP parameters (sklearn.neural_network) and add `device`. What differs:
 - solver: 'adam' or 'sgd' ('sgd' with momentum > 0 is clprop's momentum optimizer, Nesterov's
   form with nesterovs_momentum); 'lbfgs' is refused.
 - alpha (L2) becomes clprop's weight decay alpha / batch, which is scikit-learn's penalty
   gradient for 'sgd'; with 'adam' the decay is decoupled (AdamW); biases decay too.
 - early_stopping holds out validation_fraction (drawn from random_state, not stratified) and
   stops after n_iter_no_change epochs without a lower validation *loss*, keeping the best
   epoch's weights. Without it, training stops after n_iter_no_change epochs whose training loss
   did not improve by tol, as in scikit-learn.
 - The classifier always has a softmax output with cross-entropy (two units for two classes).
 - Samples are always shuffled each epoch; loss_ is clprop's mean per-sample loss (the L2 term
   not included).
"""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from . import _core, _lib

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # older: the estimator's own method
    def _validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)


# Checks of scikit-learn's check_estimator these estimators are known to fail, and why. Given to
# scikit-learn < 1.6 through _more_tags()["_xfail_checks"], to >= 1.6 as expected_failed_checks.
_XFAIL_CHECKS = {}


def expected_failed_checks(estimator):
    """{check name: reason} for scikit-learn's check_estimator(expected_failed_checks=...)."""
    return dict(_XFAIL_CHECKS)


class _BaseMLP(BaseEstimator):
    """What both estimators share: parameters, the network, the training loop."""

    _output_activation = None  # set by the subclasses
    _loss = None

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate_init=0.001, max_iter=200,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, device=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.device = device

    # ---- parameters ----

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = [sizes]
        try:
            # whole numbers only: int(3.7) would make 3 units of a 3.7 without a word
            if not all(isinstance(s, numbers.Integral) for s in sizes):
                raise TypeError
            sizes = [int(s) for s in sizes]
        except TypeError:
            raise ValueError(f"hidden_layer_sizes must be an int or a sequence of ints, not "
                             f"{self.hidden_layer_sizes!r}") from None
        if any(s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes}")
        # a model file keeps a layer's units in 32 bits (and a size_t would wrap 2**64 + 3 to 3)
        if any(s >= 2**32 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be below 2**32, got "
                             f"{self.hidden_layer_sizes}")
        return sizes

    def _check_params(self):
        if self.solver == "lbfgs":
            raise ValueError("solver='lbfgs' is not supported by clprop (it trains by gradient "
                             "descent on the device): use solver='adam' or 'sgd'")
        if self.solver not in ("adam", "sgd"):
            raise ValueError(f"solver must be 'adam' or 'sgd', got {self.solver!r}")
        if self.activation not in ("logistic", "tanh", "relu", "identity", "leaky_relu"):
            raise ValueError("activation must be one of 'logistic', 'tanh', 'relu', 'identity', "
                             f"'leaky_relu', got {self.activation!r}")
        def real(value):  # a number (not a string or None), so that comparing it is meaningful
            return isinstance(value, numbers.Real) and not isinstance(value, bool)

        float32_max = float(np.finfo(np.float32).max)  # the device computes in float32
        checks = [
            (real(self.learning_rate_init) and 0 < self.learning_rate_init <= float32_max,
             "learning_rate_init must be > 0 and a float32"),
            (isinstance(self.max_iter, numbers.Integral) and 0 < self.max_iter < 2**63,
             "max_iter must be an int > 0 (below 2**63)"),
            (real(self.alpha) and 0 <= self.alpha <= float32_max,
             "alpha must be >= 0 and a float32"),
            (real(self.momentum) and 0 <= self.momentum < 1,
             "momentum must be >= 0 and < 1 (at 1 the velocity never decays)"),
            (real(self.beta_1) and 0 <= self.beta_1 < 1, "beta_1 must be >= 0 and < 1"),
            (real(self.beta_2) and 0 <= self.beta_2 < 1, "beta_2 must be >= 0 and < 1"),
            (real(self.epsilon) and self.epsilon > 0, "epsilon must be > 0"),
            (real(self.validation_fraction) and 0 < self.validation_fraction < 1,
             "validation_fraction must be > 0 and < 1"),
            (isinstance(self.n_iter_no_change, numbers.Integral) and self.n_iter_no_change > 0,
             "n_iter_no_change must be an int > 0"),
            (real(self.tol) and self.tol >= 0, "tol must be >= 0"),
        ]
        for ok, problem in checks:
            if not ok:
                raise ValueError(f"{problem}, got {problem.split()[0]}="
                                 f"{getattr(self, problem.split()[0])!r}")
        if not (self.batch_size == "auto" or isinstance(self.batch_size, numbers.Integral)):
            raise ValueError(f"batch_size must be 'auto' or an int, got {self.batch_size!r}")
        self._hidden_sizes()

    def _batch(self, samples):
        if self.batch_size == "auto":
            return min(200, samples)
        if self.batch_size < 1 or self.batch_size > samples:
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going "
                          "to be clipped")
        return int(np.clip(self.batch_size, 1, samples))

    def _optimizer(self, batch):
        def nonzero(value):
            # a zero field of clprop_optimizer means its default: the smallest float is zero
            # in effect
            return value if value != 0 else float(np.finfo(np.float32).smallest_subnormal)

        optimizer = _lib.clprop_optimizer(weight_decay=self.alpha / batch)
        if self.solver == "adam":
            optimizer.kind = _lib.OPTIMIZER_ADAM
            optimizer.beta1, optimizer.beta2 = nonzero(self.beta_1), nonzero(self.beta_2)
            optimizer.epsilon = self.epsilon
        elif self.momentum > 0:
            optimizer.kind = _lib.OPTIMIZER_MOMENTUM
            optimizer.momentum = self.momentum
            optimizer.nesterov = int(bool(self.nesterovs_momentum))
        else:
            optimizer.kind = _lib.OPTIMIZER_SGD
        return optimizer

    # ---- the network ----

    def _new_net(self, inputs, outputs):
        sizes = [inputs, *self._hidden_sizes(), outputs]
        hidden = _core.ACTIVATIONS[self.activation]
        activations = [hidden] * (len(sizes) - 2) + [self._output_activation]
        self._random_state = check_random_state(self.random_state)
        seed = int(self._random_state.randint(np.iinfo(np.int32).max))
        self._net = _core.Net.create(_core.context(self.device), sizes, activations, self._loss,
                                     seed)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.best_loss_ = np.inf
        self._no_improvement_count = 0

    def _fit(self, X, T, incremental):
        """Trains on X (samples x features, float32) and T (samples x outputs, float32): fit
        runs max_iter epochs (fewer when it stops early), partial_fit one."""
        samples = X.shape[0]
        batch = self._batch(samples)
        fresh = not hasattr(self, "_net") or not (incremental or self.warm_start)
        if fresh:
            self._new_net(X.shape[1], T.shape[1])
        if fresh or not incremental:  # scikit-learn: fit starts its solver anew
            self._net.set_optimizer(self._optimizer(batch))
        early = self.early_stopping and not incremental
        if early:
            self.validation_loss_curve_ = []
            self.best_validation_loss_ = np.inf
        elif not incremental:  # no curve left from an earlier fit that watched one
            for stale in ("validation_loss_curve_", "best_validation_loss_"):
                self.__dict__.pop(stale, None)
        self._no_improvement_count = 0
        seed = int(self._random_state.randint(np.iinfo(np.int32).max))
        with _core.Data(X, T) as data:
            end = _core.train(
                self._net, data, epochs=1 if incremental else self.max_iter, batch=batch,
                learning_rate=self.learning_rate_init, seed=seed,
                validation=self.validation_fraction if early else 0.0,
                patience=self.n_iter_no_change if early else 0,
                on_epoch=lambda report: self._after_epoch(report, early, incremental, samples))
        if early and end == _lib.RUN_EARLY_STOP and self.verbose:
            print(f"Validation loss did not improve for {self.n_iter_no_change} consecutive "
                  "epochs. Stopping.")
        self._read_weights()
        self.loss_ = self.loss_curve_[-1]
        if (not incremental and end == _lib.RUN_COMPLETE and self.n_iter_ >= self.max_iter):
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                          "and the optimization hasn't converged yet.", ConvergenceWarning)
        return self

    def _after_epoch(self, report, early, incremental, samples):
        """Bookkeeping after each epoch; True ends the run (scikit-learn's tol rule)."""
        loss = report.train.loss
        self.n_iter_ += 1
        self.t_ += report.train.samples
        self.loss_curve_.append(loss)
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")
        if early:
            v = report.validation.loss
            self.validation_loss_curve_.append(v)
            self.best_validation_loss_ = min(self.best_validation_loss_, v)
            return False  # the library's patience watches the validation loss
        if loss > self.best_loss_ - self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        self.best_loss_ = min(self.best_loss_, loss)
        if not incremental and self._no_improvement_count > self.n_iter_no_change:
            if self.verbose:
                print(f"Training loss did not improve more than tol={self.tol} for "
                      f"{self.n_iter_no_change} consecutive epochs. Stopping.")
            return True
        return False

    def _read_weights(self):
        layers = self._net.weights()
        self.coefs_ = [w.T for w, _ in layers]  # scikit-learn's (inputs x outputs)
        # a network without biases: zeros, as scikit-learn's estimators always have them
        self.intercepts_ = [b if b is not None else np.zeros(w.shape[0], dtype=w.dtype)
                            for w, b in layers]
        self.n_layers_ = len(layers) + 1
        self.n_outputs_ = layers[-1][0].shape[0]
        self.out_activation_ = _core.ACTIVATION_NAMES[self._output_activation]

    def _forward(self, X):
        check_is_fitted(self, "_net")
        X = _validate_data(self, X, reset=False, dtype=np.float32, order="C")
        return self._net.forward(X)

    # ---- model files ----

    def save(self, path):
        """Writes the network to a clprop model file (atomically, with the optimizer's state):
        the `clprop` command and the C library read it too."""
        check_is_fitted(self, "_net")
        self._net.save(path)

    @classmethod
    def _load_net(cls, path, device):
        net = _core.Net.load(_core.context(device), path)
        sizes = net.sizes
        layers = len(sizes) - 1
        def name(layer):
            value = net.activation(layer)
            return _core.ACTIVATION_NAMES.get(value, f"activation {value}")

        hidden = {name(layer) for layer in range(1, layers)}
        output = name(layers)
        problem = None
        if output != _core.ACTIVATION_NAMES[cls._output_activation] or net.loss != cls._loss:
            problem = (f"the model's output layer is {output} with "
                       f"{'cross-entropy' if net.loss == _lib.LOSS_CROSS_ENTROPY else 'MSE'} "
                       f"loss; {cls.__name__} needs " +
                       ("softmax with cross-entropy" if cls._loss == _lib.LOSS_CROSS_ENTROPY
                        else "identity (linear) with MSE"))
        elif len(hidden) > 1 or "softmax" in hidden:
            problem = (f"the model's hidden layers are {', '.join(sorted(hidden))}; "
                       f"{cls.__name__} has one activation for all of them, not softmax")
        if problem is not None:
            net.close()
            raise ValueError(f"{path}: {problem}")
        activation = hidden.pop() if hidden else "relu"
        estimator = cls(hidden_layer_sizes=tuple(sizes[1:-1]), activation=activation,
                        device=device)
        estimator._net = net
        estimator._random_state = check_random_state(None)
        estimator.n_features_in_ = sizes[0]
        estimator.n_iter_ = 0
        estimator.t_ = 0
        estimator.loss_curve_ = []
        estimator.best_loss_ = np.inf
        estimator._read_weights()
        return estimator

    # ---- pickling: the network travels as the bytes of its model file ----

    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else dict(self.__dict__)
        state = dict(state)
        net = state.pop("_net", None)
        if net is not None:
            state["_net_model"] = net.to_bytes()
        return state

    def __setstate__(self, state):
        state = dict(state)
        model = state.pop("_net_model", None)
        if hasattr(super(), "__setstate__"):
            super().__setstate__(state)
        else:
            self.__dict__.update(state)
        if model is not None:
            self._net = _core.Net.from_bytes(_core.context(self.device), model)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"_xfail_checks": expected_failed_checks(self)}

    def __sklearn_tags__(self):  # scikit-learn >= 1.6 (expected failures go to the checks)
        return super().__sklearn_tags__()


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multilayer perceptron classifier trained by clprop on an OpenCL device: hidden layers
    of `activation`, a softmax output over classes_ with cross-entropy. Labels may be of any
    type (strings too); two classes are two softmax units.

    Parameters are scikit-learn's MLPClassifier's (see clprop.estimators for the differences)
    plus `device`: an OpenCL device selector — an index ("0"), "P:D", "gpu", "cpu" or part of
    the device's name; None takes the first GPU, else the first CPU device.
    """

    _output_activation = _lib.ACTIVATION_SOFTMAX
    _loss = _lib.LOSS_CROSS_ENTROPY

    def _targets(self, y, classes, first):
        """The one-hot targets (samples x classes) of labels y, float32."""
        check_classification_targets(y)
        if type_of_target(y) not in ("binary", "multiclass"):
            raise ValueError(f"MLPClassifier takes binary or multiclass labels, not "
                             f"{type_of_target(y)}")
        if first:
            self.classes_ = np.unique(y if classes is None else classes)
            if len(self.classes_) < 2:
                raise ValueError("MLPClassifier needs samples of at least 2 classes; got 1 class")
        index = np.searchsorted(self.classes_, y)
        index = np.minimum(index, len(self.classes_) - 1)
        unseen = self.classes_[index] != y
        if np.any(unseen):
            raise ValueError(f"y has labels not in classes_ {self.classes_}: "
                             f"{np.unique(np.asarray(y)[unseen])}")
        targets = np.zeros((len(y), len(self.classes_)), dtype=np.float32)
        targets[np.arange(len(y)), index] = 1.0
        return targets

    def fit(self, X, y):
        """Trains a new network on X (samples x features) and labels y for up to max_iter
        epochs (warm_start=True: continues the current one). Returns self."""
        self._check_params()
        first = not (self.warm_start and hasattr(self, "_net"))
        # a warm start keeps the network: X of another width is refused, the estimator kept
        X, y = _validate_data(self, X, y, reset=first, dtype=np.float32, order="C")
        return self._fit(X, self._targets(y, None, first), incremental=False)

    def partial_fit(self, X, y, classes=None):
        """One epoch over X and y; the first call needs `classes`, every label there will be."""
        self._check_params()
        first = not hasattr(self, "_net")
        if first and classes is None:
            raise ValueError("the first call to partial_fit needs classes=[every label]")
        X, y = _validate_data(self, X, y, reset=first, dtype=np.float32, order="C")
        return self._fit(X, self._targets(y, classes, first), incremental=True)

    def predict_proba(self, X):
        """Class probabilities (samples x classes_), float64, each row summing to 1."""
        proba = self._forward(X).astype(np.float64)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each sample."""
        outputs = self._forward(X)
        return self.classes_[np.argmax(outputs, axis=1)]

    @classmethod
    def load(cls, path, classes=None, device=None):
        """A fitted classifier from a clprop model file (softmax output with cross-entropy);
        classes_ are `classes` (in sorted order, as fit makes them), else 0..K-1."""
        estimator = cls._load_net(path, device)
        outputs = estimator.n_outputs_
        estimator.classes_ = np.arange(outputs) if classes is None else np.unique(classes)
        if len(estimator.classes_) != outputs:
            raise ValueError(f"{path}: the model has {outputs} outputs, but {len(estimator.classes_)}"
                             " classes were given")
        return estimator


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multilayer perceptron regressor trained by clprop on an OpenCL device: hidden layers of
    `activation`, a linear output with squared error. y may be 1-D or 2-D (several outputs).

    Parameters are scikit-learn's MLPRegressor's (see clprop.estimators for the differences)
    plus `device` (as for MLPClassifier).
    """

    _output_activation = _lib.ACTIVATION_LINEAR
    _loss = _lib.LOSS_MSE

    def fit(self, X, y):
        """Trains a new network on X (samples x features) and y (samples or samples x outputs)
        for up to max_iter epochs (warm_start=True: continues the current one). Returns self."""
        self._check_params()
        first = not (self.warm_start and hasattr(self, "_net"))
        # a warm start keeps the network: X of another width is refused, the estimator kept
        X, y = _validate_data(self, X, y, reset=first, dtype=np.float32, order="C",
                              multi_output=True, y_numeric=True)
        return self._fit(X, _core.as_float32(y), incremental=False)

    def partial_fit(self, X, y):
        """One epoch over X and y."""
        self._check_params()
        first = not hasattr(self, "_net")
        X, y = _validate_data(self, X, y, reset=first, dtype=np.float32, order="C",
                              multi_output=True, y_numeric=True)
        return self._fit(X, _core.as_float32(y), incremental=True)

    def predict(self, X):
        """Predictions (samples,) for a single output, else (samples x outputs), as float64
        (scikit-learn expects it; the network computes float32)."""
        outputs = self._forward(X).astype(np.float64)
        return outputs.ravel() if outputs.shape[1] == 1 else outputs

    def _more_tags(self):
        return {**super()._more_tags(), "multioutput": True}

    def __sklearn_tags__(self):  # scikit-learn >= 1.6
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @classmethod
    def load(cls, path, device=None):
        """A fitted regressor from a clprop model file (linear output with MSE)."""
        return cls._load_net(path, device)
