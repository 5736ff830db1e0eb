"""clprop: multilayer perceptrons trained by backpropagation in OpenCL, from Python.

    >>> import clprop
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> model = clprop.MLPClassifier(hidden_layer_sizes=(64,), max_iter=30).fit(X / 16, y)
    >>> model.save("digits.clprop")            # the clprop command reads it too

MLPClassifier and MLPRegressor are scikit-learn estimators (Pipeline, GridSearchCV, clone);
devices() lists the OpenCL devices; a failed library call raises ClpropError (its
ClpropValueError subclass is also a ValueError) carrying libclprop's message.

The package binds libclprop (the C library, built separately) with ctypes and looks for it, in
this order:
 1. $CLPROP_LIBRARY, the path of libclprop.so.0 (then nowhere else);
 2. an installed libclprop.so.0 (`cmake --install build`, or the DEB): ctypes.util.find_library,
    the dynamic loader's own search (LD_LIBRARY_PATH, the ld.so cache), then /usr/local/lib,
    /usr/lib/x86_64-linux-gnu, /usr/lib64 and /usr/lib;
 3. a build tree: build/ of the source checkout this package was imported from, the folder
    above a virtual environment made inside a build folder, ./build and the current folder.
library_path says which one was loaded.

Arrays: inputs are converted to C-contiguous float32 at most once (a float32 C-contiguous array,
np.memmap or np.load(mmap_mode='r') included, is used as it is); the library copies the data set
once into its own memory for training, and predictions are written straight into the result.

Each device selector gets one OpenCL context per process, shared by every estimator. OpenCL does
not survive fork(): in a process forked after clprop was used, every call raises RuntimeError
(PoCL would wait there for good). joblib's default (loky) and multiprocessing's 'spawn' or
'forkserver' start fresh processes and are fine.
"""

from ._core import (ClpropError, ClpropValueError, DeviceNotFoundError, devices, library_path,
                    version)
from .estimators import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "ClpropError", "ClpropValueError",
           "DeviceNotFoundError", "devices", "version", "library_path"]
__version__ = "0.9.0"
