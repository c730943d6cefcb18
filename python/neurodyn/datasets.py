"""Data sets for reservoirs and trained spiking networks, and their spike encodings.

    from neurodyn import datasets
    x_train, y_train, x_test, y_test = datasets.load_digits()        # 8x8 digits, [0, 1]
    x_train, y_train, x_test, y_test = datasets.load_fashion_mnist() # 28x28, [0, 1]
    spikes = datasets.rate_encode(x_train[:10], steps=20, seed=1)    # (10, 20, 64) bool
    spikes = datasets.latency_encode(x_train[:10], steps=20)         # one spike per pixel

Both image sets come from Debian packages (python3-sklearn, dataset-fashion-mnist), read
locally: nothing is downloaded. Pixel values are scaled to [0, 1] (float64); labels are
int64. Splits are deterministic for a given seed.
"""

import gzip
import os
import struct

import numpy as np

from .errors import NeurodynFileNotFoundError, NeurodynValueError

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                         "Bag", "Ankle boot")


def load_digits(test_fraction=0.25, seed=0):
    """scikit-learn's 8x8 handwritten digits (1797 images, 10 classes), split at random
    into train and test sets stratified by class: (x_train, y_train, x_test, y_test) with
    x of shape (n, 64) in [0, 1]."""
    if not 0.0 < test_fraction < 1.0:
        raise NeurodynValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    from sklearn.datasets import load_digits as sklearn_digits
    digits = sklearn_digits()
    x = digits.data.astype(np.float64) / 16.0
    y = digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        rng.shuffle(members)
        test[members[:int(round(test_fraction * len(members)))]] = True
    train_order = rng.permutation(np.flatnonzero(~test))
    test_order = np.flatnonzero(test)
    return x[train_order], y[train_order], x[test_order], y[test_order]


def _read_idx(path):
    """An IDX file (the MNIST format: big-endian header, then unsigned bytes)."""
    if not os.path.exists(path):
        raise NeurodynFileNotFoundError(
            f"{path}: not found (Fashion-MNIST comes from Debian's dataset-fashion-mnist package; "
            f"scripts/setup.sh installs it)")
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise NeurodynValueError(f"{path}: not an IDX file (too short)")
    zero, dtype_code, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise NeurodynValueError(f"{path}: not an IDX file of unsigned bytes")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    values = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if values.size != int(np.prod(shape)):
        raise NeurodynValueError(f"{path}: {values.size} values for shape {shape}")
    return values.reshape(shape)


def load_fashion_mnist(directory=FASHION_MNIST_DIR, flatten=True):
    """Fashion-MNIST (60000 training and 10000 test images of 28x28, 10 classes; names in
    FASHION_MNIST_CLASSES): (x_train, y_train, x_test, y_test), x in [0, 1] of shape
    (n, 784), or (n, 28, 28) with flatten=False. The published split is kept."""
    parts = []
    for prefix in ("train", "t10k"):
        images = _read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
        labels = _read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"))
        if images.shape[0] != labels.shape[0]:
            raise NeurodynValueError(f"{directory}: {images.shape[0]} {prefix} images but {labels.shape[0]} labels")
        x = images.astype(np.float64) / 255.0
        parts += [x.reshape(len(x), -1) if flatten else x, labels.astype(np.int64)]
    return tuple(parts)


def _check_encoding(x, steps):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise NeurodynValueError(f"x must be 2-D (samples, features), got shape {x.shape}")
    if not np.all(np.isfinite(x)) or x.size and (x.min() < 0.0 or x.max() > 1.0):
        raise NeurodynValueError("x must hold finite values in [0, 1]")
    if int(steps) != steps or steps < 1:
        raise NeurodynValueError(f"steps must be a positive integer, got {steps}")
    return x, int(steps)


def rate_encode(x, steps, max_probability=1.0, seed=0):
    """Bernoulli spike trains: feature value v spikes in each step with probability
    v * max_probability, independently (Poisson-like rate code). Returns a bool array of
    shape (samples, steps, features)."""
    x, steps = _check_encoding(x, steps)
    if not 0.0 < max_probability <= 1.0:
        raise NeurodynValueError(f"max_probability must be in (0, 1], got {max_probability}")
    rng = np.random.default_rng(seed)
    return rng.random((x.shape[0], steps, x.shape[1])) < (x * max_probability)[:, None, :]


def latency_encode(x, steps, threshold=0.0):
    """Time-to-first-spike code: a feature value v > threshold spikes once, in step
    round((1 - v) * (steps - 1)) (bright pixels first); values <= threshold never spike.
    Returns a bool array of shape (samples, steps, features)."""
    x, steps = _check_encoding(x, steps)
    spikes = np.zeros((x.shape[0], steps, x.shape[1]), dtype=bool)
    sample, feature = np.nonzero(x > threshold)
    step = np.rint((1.0 - x[sample, feature]) * (steps - 1)).astype(np.int64)
    spikes[sample, step, feature] = True
    return spikes
