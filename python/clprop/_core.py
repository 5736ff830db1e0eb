"""Thin owners of libclprop's handles: contexts (one per device, shared), networks, data sets and
training runs. Every failed call becomes a ClpropError carrying the handle's message."""

import atexit
import ctypes
import os
import tempfile
import threading
import weakref

import numpy as np

from . import _lib

_library, library_path = _lib.load()
_C = _lib.declare(_library)


def version():
    """The version of the libclprop in use, "MAJOR.MINOR.PATCH"."""
    return _C.clprop_version().decode()


# ---- Errors ----------------------------------------------------------------------------------


class ClpropError(RuntimeError):
    """A call into libclprop failed. str(error) is the library's message; status is the
    clprop_status code and status_name its name ("CLPROP_ERROR_IO", "CL_OUT_OF_RESOURCES", ...)."""

    def __init__(self, status, message):
        self.status = status
        self.status_name = _C.clprop_status_name(status).decode()
        self.message = message or self.status_name
        super().__init__(self.message)


class ClpropValueError(ClpropError, ValueError):
    """A bad value, a shape that does not match, a malformed file, or NaN/infinity."""


class DeviceNotFoundError(ClpropError):
    """No OpenCL platform, or no device matches the selector."""


_VALUE_ERRORS = {-2001, -2008, -2009, -2010}  # invalid argument, format, not finite, mismatch
_DEVICE_ERRORS = {-2003, -2004}


def error(status, message):
    if isinstance(message, bytes):
        message = message.decode(errors="replace")
    if status in _VALUE_ERRORS:
        return ClpropValueError(status, message)
    if status in _DEVICE_ERRORS:
        return DeviceNotFoundError(status, message)
    return ClpropError(status, message)


# ---- Devices -----------------------------------------------------------------------------------


def devices():
    """Every OpenCL device of every platform, as dicts: index, selector ("P:D"), kind ("gpu",
    "cpu", "other"), name, platform, compute_units, global_memory_bytes, max_allocation_bytes,
    and description (the line `clprop devices` prints). An empty list when no platform is
    installed."""
    count = ctypes.c_size_t()
    message = ctypes.create_string_buffer(512)
    status = _C.clprop_devices_list(None, 0, ctypes.byref(count), message, len(message))
    if status == -2003:  # CLPROP_ERROR_NO_PLATFORM
        return []
    if status != _lib.SUCCESS:
        raise error(status, message.value)
    infos = (_lib.clprop_device_info * max(count.value, 1))()
    status = _C.clprop_devices_list(infos, count.value, ctypes.byref(count), message, len(message))
    if status != _lib.SUCCESS:
        raise error(status, message.value)
    return [_describe(info) for info in infos[: count.value]]


def _describe(info):
    line = ctypes.create_string_buffer(1024)
    _C.clprop_device_describe(ctypes.byref(info), line, len(line))
    return {
        "index": info.index,
        "selector": f"{info.platform_index}:{info.device_index}",
        "kind": _lib.DEVICE_KINDS.get(info.kind, "other"),
        "name": info.name.decode(errors="replace"),
        "platform": info.platform_name.decode(errors="replace"),
        "compute_units": info.compute_units,
        "global_memory_bytes": info.global_memory_bytes,
        "max_allocation_bytes": info.max_allocation_bytes,
        "description": line.value.decode(errors="replace"),
    }


# ---- Contexts: one per device selector, shared by every estimator in the process ---------------

_live = weakref.WeakSet()  # networks still holding device memory
_contexts = {}
_contexts_lock = threading.Lock()
_opencl_pid = None  # the process that opened the first context


def _check_not_forked():
    """OpenCL does not survive fork(): PoCL's threads stay in the parent, and a call in the child
    waits for them for good. Refused, saying what to use instead."""
    if _opencl_pid is not None and os.getpid() != _opencl_pid:
        raise RuntimeError("clprop was used before this process was forked, and OpenCL does not "
                           "survive fork(): start workers with multiprocessing's 'spawn' or "
                           "'forkserver' method, or joblib's default (loky)")


class _ProcessLock:
    """A context's lock, refusing to be taken in a process forked from the one that made it."""

    def __init__(self):
        self._lock = threading.RLock()

    def __enter__(self):
        _check_not_forked()
        return self._lock.__enter__()

    def __exit__(self, *exc):
        return self._lock.__exit__(*exc)


def _c_bytes(text, what):
    """`text` (a path or a name) as the bytes a C string holds: a NUL inside would end it early
    and name another file or device, so it is refused as Python's own open() does."""
    encoded = os.fsencode(text)
    if b"\0" in encoded:
        raise ValueError(f"embedded null byte in the {what} {text!r}")
    return encoded


class Context:
    """A device with its queue and compiled kernels. Made once per selector and kept for the
    process (PoCL compiles the kernels once per context). A context and its networks belong to
    one thread at a time: `lock` serialises calls from several threads."""

    def __init__(self, device):
        self.device = device
        self.lock = _ProcessLock()
        self.handle = ctypes.c_void_p()
        if device is not None and not isinstance(device, str):
            raise TypeError(f"device must be a string (an index such as '0', 'P:D', 'cpu', "
                            f"'gpu' or part of a device's name), not {type(device).__name__}")
        desc = _lib.clprop_context_desc(device=_c_bytes(device, "device") if device else None)
        status = _C.clprop_context_create(ctypes.byref(desc), ctypes.byref(self.handle))
        if status != _lib.SUCCESS:
            exception = error(status, _C.clprop_context_message(self.handle))
            _C.clprop_context_destroy(self.handle)
            self.handle = None
            raise exception
        self.info = _describe(_C.clprop_context_device(self.handle).contents)


def context(device=None):
    """The shared context for a device selector (None or "": the first GPU, else the first CPU)."""
    global _opencl_pid
    key = device or ""
    _check_not_forked()
    with _contexts_lock:
        found = _contexts.get(key)
        if found is None:
            found = _contexts[key] = Context(key or None)
            _opencl_pid = os.getpid()
        return found


@atexit.register
def _release_all():
    """Networks, then contexts, before the interpreter and the OpenCL driver shut down (in a
    forked child they are the parent's, and releasing them would wait for good)."""
    if _opencl_pid is not None and os.getpid() != _opencl_pid:
        return
    for net in list(_live):
        net.close()
    with _contexts_lock:
        for ctx in _contexts.values():
            _C.clprop_context_destroy(ctx.handle)
            ctx.handle = None
        _contexts.clear()


# ---- Arrays ------------------------------------------------------------------------------------


def as_float32(array):
    """The array as C-contiguous float32 2-D: the same memory when it already is (a float32
    np.memmap too), else one converted copy of the whole array."""
    array = np.asarray(array)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:  # read as rows, a 3-D array would mix its samples
        raise ValueError(f"expected a 2-D array (samples x values), not {array.ndim}-D of shape "
                         f"{array.shape}")
    with np.errstate(over="ignore"):  # said below, naming the value
        converted = np.ascontiguousarray(array, dtype=np.float32)
    if converted.dtype != array.dtype and np.issubdtype(array.dtype, np.floating):
        # 1e39 is finite as a double and infinite as a float32: said as what it is
        beyond = np.isinf(converted) & np.isfinite(array)
        if beyond.any():
            row, column = np.argwhere(beyond)[0]
            raise ValueError(f"row {row}, column {column}: {array[row, column]!r} is beyond "
                             "float32's range (3.4e38), in which the device computes")
    return converted


class Data:
    """A data set in host memory, made from inputs (samples x inputs) and targets (samples x
    outputs); clprop_data_create copies both once, and the arrays may go after."""

    def __init__(self, inputs, targets):
        inputs, targets = as_float32(inputs), as_float32(targets)
        self.handle = ctypes.c_void_p()
        if inputs.shape[0] != targets.shape[0]:  # the library reads as many rows of each
            raise ValueError(f"inputs have {inputs.shape[0]} rows and targets "
                             f"{targets.shape[0]}: one row each per sample")
        status = _C.clprop_data_create(
            inputs.shape[0], inputs.shape[1], targets.shape[1], inputs.ctypes.data,
            targets.ctypes.data, ctypes.byref(self.handle))
        if status != _lib.SUCCESS:
            exception = error(status, _C.clprop_data_message(self.handle))
            self.close()
            raise exception

    def close(self):
        if self.handle:
            _C.clprop_data_destroy(self.handle)
        self.handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- Networks ----------------------------------------------------------------------------------

ACTIVATIONS = {  # scikit-learn's names, and clprop's for the leaky ReLU
    "logistic": _lib.ACTIVATION_SIGMOID,
    "tanh": _lib.ACTIVATION_TANH,
    "relu": _lib.ACTIVATION_RELU,
    "identity": _lib.ACTIVATION_LINEAR,
    "leaky_relu": _lib.ACTIVATION_LEAKY_RELU,
    "softmax": _lib.ACTIVATION_SOFTMAX,
}
ACTIVATION_NAMES = {value: name for name, value in ACTIVATIONS.items()}

# Rows per clprop_net_predict call: each row needs its units' z and a on the device, so a huge
# array goes through in slices of the caller's own memory (no copy) of about 64 MiB of them.
_FORWARD_BYTES = 64 << 20


class Net:
    """A network on a context's device."""

    def __init__(self, ctx, handle):
        self.context = ctx
        self._handle = handle
        _live.add(self)

    @property
    def handle(self):
        """The library's handle; a closed network has none, and says so rather than pass NULL."""
        if self._handle is None:
            raise ValueError("this network was closed")
        return self._handle

    @classmethod
    def create(cls, ctx, sizes, activations, loss, seed):
        sizes_c = (ctypes.c_size_t * len(sizes))(*sizes)
        activations_c = (ctypes.c_int * len(activations))(*activations)
        desc = _lib.clprop_net_desc(layer_count=len(sizes) - 1, sizes=sizes_c,
                                    activations=activations_c, loss=loss, seed=seed)
        return cls._open(ctx, lambda handle: _C.clprop_net_create(
            ctx.handle, ctypes.byref(desc), ctypes.byref(handle)))

    @classmethod
    def load(cls, ctx, path):
        return cls._open(ctx, lambda handle: _C.clprop_net_load(
            ctx.handle, _c_bytes(path, "path"), ctypes.byref(handle)))

    @classmethod
    def _open(cls, ctx, make):
        """A network from `make(handle)` (clprop_net_create or _load): on failure the library's
        message as the exception, and the half-made handle destroyed."""
        handle = ctypes.c_void_p()
        with ctx.lock:
            status = make(handle)
            if status != _lib.SUCCESS:
                exception = error(status, _C.clprop_net_message(handle))
                _C.clprop_net_destroy(handle)
                raise exception
        return cls(ctx, handle)

    @classmethod
    def from_bytes(cls, ctx, data):
        with tempfile.TemporaryDirectory(prefix="clprop-") as folder:
            path = os.path.join(folder, "model.clprop")
            with open(path, "wb") as file:
                file.write(data)
            return cls.load(ctx, path)

    def close(self):
        handle = getattr(self, "_handle", None)
        if handle:
            with self.context.lock:
                _C.clprop_net_destroy(handle)
        self._handle = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _check(self, status):
        if status != _lib.SUCCESS:
            raise error(status, _C.clprop_net_message(self.handle))

    @property
    def sizes(self):
        count = _C.clprop_net_layer_count(self.handle)
        return [_C.clprop_net_units(self.handle, layer) for layer in range(count + 1)]

    def activation(self, layer):
        return _C.clprop_net_activation(self.handle, layer)

    @property
    def loss(self):
        return _C.clprop_net_loss(self.handle)

    def weights(self):
        """[(weights (outputs x inputs), biases or None)] for layers 1..L."""
        sizes, layers = self.sizes, []
        has_bias = _C.clprop_net_has_bias(self.handle)
        with self.context.lock:
            for layer in range(1, len(sizes)):
                w = np.empty((sizes[layer], sizes[layer - 1]), dtype=np.float32)
                b = np.empty(sizes[layer], dtype=np.float32) if has_bias else None
                self._check(_C.clprop_net_get_weights(
                    self.handle, layer, w.ctypes.data_as(_lib.P_FLOAT),
                    b.ctypes.data_as(_lib.P_FLOAT) if b is not None else None))
                layers.append((w, b))
        return layers

    def set_optimizer(self, optimizer):
        with self.context.lock:
            self._check(_C.clprop_net_set_optimizer(self.handle, ctypes.byref(optimizer)))

    def forward(self, inputs):
        """outputs (samples x units(L)) float32 for inputs (samples x units(0)), in slices of
        the input array itself, in the data's units: a scaling the network carries (a model
        trained with `clprop train --scale-inputs/--scale-targets`) is applied to the inputs and
        undone on the outputs, as `clprop predict` does (clprop_net_predict)."""
        inputs = as_float32(inputs)
        sizes = self.sizes
        if inputs.shape[1] != sizes[0]:
            raise ClpropValueError(-2010, f"the inputs have {inputs.shape[1]} features, the "
                                   f"network takes {sizes[0]}")
        outputs = np.empty((inputs.shape[0], sizes[-1]), dtype=np.float32)
        rows = max(1, _FORWARD_BYTES // (8 * sum(sizes)))
        with self.context.lock:
            for start in range(0, inputs.shape[0], rows):
                count = min(rows, inputs.shape[0] - start)
                status = _C.clprop_net_predict(
                    self.handle, inputs.ctypes.data + start * inputs.strides[0], count,
                    outputs.ctypes.data + start * outputs.strides[0])
                if status != _lib.SUCCESS:
                    self._raise_for_rows(inputs, start, count, status)
        return outputs

    def _raise_for_rows(self, inputs, start, count, status):
        """The library names a sample within its call, which is a slice here: the row of the
        whole array is found again one row at a time (on this path only)."""
        def message():
            return _C.clprop_net_message(self.handle).decode(errors="replace")

        whole = message()
        one = np.empty((1, self.sizes[-1]), dtype=np.float32)
        for row in range(start, start + count):
            single = _C.clprop_net_predict(self.handle, inputs.ctypes.data +
                                           row * inputs.strides[0], 1, one.ctypes.data)
            if single != _lib.SUCCESS:
                raise error(single, f"row {row}: {message()}")
        raise error(status, f"rows {start} to {start + count - 1}: {whole}")

    def save(self, path):
        with self.context.lock:
            self._check(_C.clprop_net_save(self.handle, _c_bytes(path, "path")))

    def to_bytes(self):
        with tempfile.TemporaryDirectory(prefix="clprop-") as folder:
            path = os.path.join(folder, "model.clprop")
            self.save(path)
            with open(path, "rb") as file:
                return file.read()


# ---- Training runs ---------------------------------------------------------------------------


def train(net, data, *, epochs, batch, learning_rate, seed, validation=0.0, patience=0,
          on_epoch=None):
    """Runs clprop's trainer: `epochs` epochs of `batch` samples, a validation share with early
    stopping after `patience` epochs without a better validation loss (the best epoch's weights
    kept). on_epoch(report) is called after each epoch; a true return ends the run there.
    An exception in on_epoch (KeyboardInterrupt too) ends the run and is raised here. Returns
    how the run ended (_lib.RUN_*)."""
    raised = []

    def epoch_fn(user, report):
        try:
            return 1 if on_epoch is not None and on_epoch(report.contents) else 0
        except BaseException as exception:  # Ctrl-C arrives here, between epochs
            raised.append(exception)
            return 1

    callback = _lib.EPOCH_FN(epoch_fn)  # kept alive until the run ends
    desc = _lib.clprop_trainer_desc(epochs=epochs, batch=batch, learning_rate=learning_rate,
                                    seed=seed, validation=validation, patience=patience,
                                    on_epoch=callback)
    trainer = ctypes.c_void_p()
    with net.context.lock:
        try:
            status = _C.clprop_trainer_create(net.handle, data.handle, ctypes.byref(desc),
                                              ctypes.byref(trainer))
            if status == _lib.SUCCESS:
                status = _C.clprop_trainer_run(trainer)
            if raised:
                raise raised[0]
            if status not in (_lib.SUCCESS, _lib.STOPPED):
                raise error(status, _C.clprop_trainer_message(trainer))
            return _C.clprop_trainer_end(trainer)
        finally:
            _C.clprop_trainer_destroy(trainer)
