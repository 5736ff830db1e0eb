"""Finding libclprop and declaring its C API for ctypes.

ctypes rather than cffi: it is in the standard library, so installing the package needs neither a
compiler nor another dependency, and the part of clprop.h used here is a dozen plain structs and
functions. The structs below mirror include/clprop.h field for field; tests/test_abi.py compiles
a small C program against the header and checks every size and offset.
"""

import ctypes
import ctypes.util
import os
import sys

SONAME = "libclprop.so.0"

# ---- Finding the library ---------------------------------------------------------------------


def _build_trees():
    """Build folders the library may sit in, most specific first."""
    here = os.path.dirname(os.path.abspath(__file__))
    trees = [
        # the package used from its source checkout: python/clprop/ -> build/
        os.path.join(here, os.pardir, os.pardir, "build"),
        # a virtual environment made inside the build folder (as .ci/run does)
        os.path.join(sys.prefix, os.pardir),
        os.path.join(os.getcwd(), "build"),
        os.getcwd(),
    ]
    seen, unique = set(), []
    for tree in trees:
        tree = os.path.normpath(tree)
        if tree not in seen:
            seen.add(tree)
            unique.append(tree)
    return unique


def candidates():
    """Where the library is looked for, in order: (how it was found, what is passed to dlopen)."""
    found = []
    explicit = os.environ.get("CLPROP_LIBRARY")
    if explicit:
        return [("CLPROP_LIBRARY", explicit)]
    name = ctypes.util.find_library("clprop")  # the ld.so cache: an installed libclprop
    if name:
        found.append(("installed", name))
    found.append(("installed", SONAME))  # dlopen's own search: LD_LIBRARY_PATH, the ld.so cache
    for folder in ("/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"):
        found.append(("installed", os.path.join(folder, SONAME)))
    for tree in _build_trees():
        found.append(("build tree", os.path.join(tree, SONAME)))
    return found


def load():
    """The first library of candidates() that loads; ImportError naming every place tried."""
    tried = []
    for how, path in candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{path} ({how}): no such file")
            continue
        try:
            library = ctypes.CDLL(path)
        except OSError as error:
            tried.append(f"{path} ({how}): {error}")
            continue
        if not hasattr(library, "clprop_version"):
            tried.append(f"{path} ({how}): not libclprop")
            continue
        return library, path
    raise ImportError(
        "clprop: libclprop could not be loaded. Build it (cmake -S . -B build && cmake --build "
        "build), install it (cmake --install build), or set CLPROP_LIBRARY to the path of "
        f"{SONAME}. Tried:\n  " + "\n  ".join(tried)
    )


# ---- The C API -------------------------------------------------------------------------------

c_size_t, c_int, c_float, c_double = ctypes.c_size_t, ctypes.c_int, ctypes.c_float, ctypes.c_double
c_uint, c_uint64, c_char_p, c_void_p = ctypes.c_uint, ctypes.c_uint64, ctypes.c_char_p, ctypes.c_void_p
P = ctypes.POINTER
c_status = c_int  # clprop_status; enums are ints

SUCCESS = 0
STOPPED = -2012

# clprop_activation, clprop_loss, clprop_optimizer_kind (values stored in model files)
ACTIVATION_SIGMOID, ACTIVATION_LINEAR, ACTIVATION_SOFTMAX = 0, 1, 2
ACTIVATION_TANH, ACTIVATION_RELU, ACTIVATION_LEAKY_RELU = 3, 4, 5
LOSS_MSE, LOSS_CROSS_ENTROPY = 0, 1
OPTIMIZER_SGD, OPTIMIZER_MOMENTUM, OPTIMIZER_ADAM = 0, 1, 2
RUN_COMPLETE, RUN_EARLY_STOP, RUN_TARGET_REACHED, RUN_STOPPED = 0, 1, 2, 3
DEVICE_KINDS = {0: "gpu", 1: "cpu", 2: "other"}


class clprop_device_info(ctypes.Structure):
    _fields_ = [
        ("index", c_uint),
        ("platform_index", c_uint),
        ("device_index", c_uint),
        ("kind", c_int),
        ("name", ctypes.c_char * 256),
        ("platform_name", ctypes.c_char * 256),
        ("compute_units", c_uint),
        ("global_memory_bytes", c_uint64),
        ("max_allocation_bytes", c_uint64),
    ]


class clprop_gemm_tuning(ctypes.Structure):
    _fields_ = [
        ("family", c_int),
        ("cpu_tile_m", c_size_t),
        ("cpu_tiles", c_size_t),
        ("cpu_panels", c_int),
        ("cpu_kblock", c_size_t),
        ("cpu_items_per_unit", c_size_t),
        ("cpu_vector", c_size_t),
        ("cpu_kblock_transposed", c_size_t),
    ]


class clprop_context_desc(ctypes.Structure):
    _fields_ = [
        ("device", c_char_p),
        ("gemm", c_int),
        ("tuning", clprop_gemm_tuning),
        ("kernel_dir", c_char_p),
        ("keep_data_on_host", c_int),
        ("stream_chunk", c_size_t),
        ("cache_dir", c_char_p),
    ]


class clprop_net_desc(ctypes.Structure):
    _fields_ = [
        ("layer_count", c_size_t),
        ("sizes", P(c_size_t)),
        ("activations", P(c_int)),
        ("no_bias", c_int),
        ("loss", c_int),
        ("seed", c_uint64),
        ("init", c_int),
        ("dropout", P(c_float)),
    ]


class clprop_optimizer(ctypes.Structure):
    _fields_ = [
        ("kind", c_int),
        ("momentum", c_float),
        ("nesterov", c_int),
        ("beta1", c_float),
        ("beta2", c_float),
        ("epsilon", c_float),
        ("weight_decay", c_float),
    ]


class clprop_schedule(ctypes.Structure):
    _fields_ = [
        ("kind", c_int),
        ("warmup_epochs", c_size_t),
        ("step_every", c_size_t),
        ("step_factor", c_float),
        ("reference_batch", c_size_t),
    ]


class clprop_pass_result(ctypes.Structure):
    _fields_ = [("samples", c_size_t), ("loss", c_double), ("mse", c_double), ("correct", c_size_t)]


class clprop_epoch_report(ctypes.Structure):
    _fields_ = [
        ("epoch", c_size_t),
        ("epochs", c_size_t),
        ("learning_rate", c_float),
        ("train", clprop_pass_result),
        ("has_validation", c_int),
        ("has_test", c_int),
        ("validation", clprop_pass_result),
        ("test", clprop_pass_result),
        ("seconds", c_double),
    ]


EPOCH_FN = ctypes.CFUNCTYPE(c_int, c_void_p, P(clprop_epoch_report))
PROGRESS_FN = ctypes.CFUNCTYPE(None, c_void_p, c_size_t, c_size_t)


class clprop_trainer_desc(ctypes.Structure):
    _fields_ = [
        ("epochs", c_size_t),
        ("batch", c_size_t),
        ("learning_rate", c_float),
        ("schedule", clprop_schedule),
        ("seed", c_uint64),
        ("validation", c_float),
        ("patience", c_size_t),
        ("target_loss", c_double),
        ("target_accuracy", c_double),
        ("test", c_void_p),
        ("checkpoint", c_char_p),
        ("checkpoint_every", c_size_t),
        ("resume", c_char_p),
        ("on_epoch", EPOCH_FN),
        ("user", c_void_p),
        ("progress", PROGRESS_FN),
        ("progress_user", c_void_p),
        ("stop", c_void_p),
        ("log", c_char_p),
        ("replicas", c_void_p),
        ("replica_count", c_size_t),
        ("shares", P(c_double)),
        ("collective", c_void_p),
        ("scale_inputs", c_int),
        ("scale_targets", c_int),
        ("allreduce", c_int),
        ("sharded", c_int),
    ]


# Every struct above, by its name in clprop.h (tests/test_abi.py checks them all).
STRUCTS = [
    clprop_device_info,
    clprop_gemm_tuning,
    clprop_context_desc,
    clprop_net_desc,
    clprop_optimizer,
    clprop_schedule,
    clprop_pass_result,
    clprop_epoch_report,
    clprop_trainer_desc,
]

P_FLOAT = P(c_float)
H = c_void_p  # opaque handles

# name: (result type, argument types)
FUNCTIONS = {
    "clprop_version": (c_char_p, []),
    "clprop_status_name": (c_char_p, [c_status]),
    "clprop_devices_list": (c_status, [P(clprop_device_info), c_size_t, P(c_size_t), c_char_p, c_size_t]),
    "clprop_device_describe": (None, [P(clprop_device_info), c_char_p, c_size_t]),
    "clprop_context_create": (c_status, [P(clprop_context_desc), P(H)]),
    "clprop_context_destroy": (None, [H]),
    "clprop_context_message": (c_char_p, [H]),
    "clprop_context_device": (P(clprop_device_info), [H]),
    "clprop_net_create": (c_status, [H, P(clprop_net_desc), P(H)]),
    "clprop_net_destroy": (None, [H]),
    "clprop_net_message": (c_char_p, [H]),
    "clprop_net_layer_count": (c_size_t, [H]),
    "clprop_net_units": (c_size_t, [H, c_size_t]),
    "clprop_net_activation": (c_int, [H, c_size_t]),
    "clprop_net_has_bias": (c_int, [H]),
    "clprop_net_loss": (c_int, [H]),
    "clprop_net_set_weights": (c_status, [H, c_size_t, P_FLOAT, P_FLOAT]),
    "clprop_net_get_weights": (c_status, [H, c_size_t, P_FLOAT, P_FLOAT]),
    "clprop_net_forward": (c_status, [H, c_void_p, c_size_t, c_void_p]),
    "clprop_net_predict": (c_status, [H, c_void_p, c_size_t, c_void_p]),
    "clprop_net_set_optimizer": (c_status, [H, P(clprop_optimizer)]),
    "clprop_net_get_optimizer": (None, [H, P(clprop_optimizer)]),
    "clprop_net_save": (c_status, [H, c_char_p]),
    "clprop_net_load": (c_status, [H, c_char_p, P(H)]),
    "clprop_data_create": (c_status, [c_size_t, c_size_t, c_size_t, c_void_p, c_void_p, P(H)]),
    "clprop_data_destroy": (None, [H]),
    "clprop_data_message": (c_char_p, [H]),
    "clprop_data_target_kind": (c_int, [H]),
    "clprop_trainer_create": (c_status, [H, H, P(clprop_trainer_desc), P(H)]),
    "clprop_trainer_destroy": (None, [H]),
    "clprop_trainer_message": (c_char_p, [H]),
    "clprop_trainer_run": (c_status, [H]),
    "clprop_trainer_end": (c_int, [H]),
}


def declare(library):
    for name, (result, arguments) in FUNCTIONS.items():
        function = getattr(library, name)
        function.restype = result
        function.argtypes = arguments
    return library
