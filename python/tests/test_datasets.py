"""neurodyn.datasets: the digit and Fashion-MNIST loaders (shapes, ranges, stratified
deterministic split, the published Fashion-MNIST split) and the spike encoders (rate
code statistics within 4 sigma, exact latency code), with their errors."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.environ.get("NEURODYN_BUILD_DIR", ""), "python"))

import neurodyn as nd  # noqa: E402
from neurodyn import datasets  # noqa: E402


def test_digits_split_is_stratified_and_deterministic():
    x_train, y_train, x_test, y_test = datasets.load_digits(test_fraction=0.25, seed=0)
    assert x_train.shape[1] == x_test.shape[1] == 64
    assert len(x_train) + len(x_test) == 1797
    assert x_train.min() >= 0.0 and x_train.max() <= 1.0 and x_train.dtype == np.float64
    assert y_train.dtype == np.int64
    for label in range(10):  # each class split 3:1, to rounding of its count
        n_test, n_all = np.sum(y_test == label), np.sum(y_test == label) + np.sum(y_train == label)
        assert n_test == int(round(0.25 * n_all))
    again = datasets.load_digits(test_fraction=0.25, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip((x_train, y_train, x_test, y_test), again))
    other = datasets.load_digits(test_fraction=0.25, seed=1)
    assert not np.array_equal(y_train, other[1])
    with pytest.raises(nd.NeurodynValueError, match=r"test_fraction must be in \(0, 1\), got 1.0"):
        datasets.load_digits(test_fraction=1.0)


@pytest.mark.skipif(not os.path.isdir(datasets.FASHION_MNIST_DIR),
                    reason=f"{datasets.FASHION_MNIST_DIR} missing (Debian package dataset-fashion-mnist)")
def test_fashion_mnist_has_the_published_split():
    x_train, y_train, x_test, y_test = datasets.load_fashion_mnist()
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert np.array_equal(np.bincount(y_train), np.full(10, 6000))  # balanced, as published
    assert np.array_equal(np.bincount(y_test), np.full(10, 1000))
    images = datasets.load_fashion_mnist(flatten=False)[2]
    assert images.shape == (10000, 28, 28)
    assert np.array_equal(images.reshape(10000, -1), x_test)


def test_fashion_mnist_missing_directory(tmp_path):
    with pytest.raises(nd.NeurodynFileNotFoundError, match="not found"):
        datasets.load_fashion_mnist(directory=str(tmp_path))


def test_rate_code_statistics():
    x = np.array([[0.0, 0.25, 1.0]])
    spikes = datasets.rate_encode(np.repeat(x, 200, axis=0), steps=50, max_probability=0.4, seed=3)
    assert spikes.shape == (200, 50, 3) and spikes.dtype == bool
    rates = spikes.mean(axis=(0, 1))
    n = 200 * 50
    for p, rate in zip(0.4 * x[0], rates):
        # Bernoulli(p) mean of 10000 draws: 4 sigma = 4 sqrt(p (1-p) / n) (0 exactly for p = 0).
        assert abs(rate - p) <= 4 * np.sqrt(p * (1 - p) / n)
    assert np.array_equal(spikes, datasets.rate_encode(np.repeat(x, 200, axis=0), 50, 0.4, seed=3))
    assert not np.array_equal(spikes, datasets.rate_encode(np.repeat(x, 200, axis=0), 50, 0.4, seed=4))


def test_latency_code_is_exact():
    x = np.array([[1.0, 0.5, 0.0, 0.1]])
    spikes = datasets.latency_encode(x, steps=11, threshold=0.05)
    assert spikes.shape == (1, 11, 4)
    assert spikes[0, :, 0].nonzero()[0].tolist() == [0]    # brightest first
    assert spikes[0, :, 1].nonzero()[0].tolist() == [5]    # round(0.5 * 10)
    assert not spikes[0, :, 2].any()                       # at or below threshold: silent
    assert spikes[0, :, 3].nonzero()[0].tolist() == [9]    # round(0.9 * 10)


def test_encoder_errors():
    with pytest.raises(nd.NeurodynValueError, match=r"x must be 2-D \(samples, features\), got shape \(3,\)"):
        datasets.rate_encode(np.zeros(3), steps=5)
    with pytest.raises(nd.NeurodynValueError, match=r"x must hold finite values in \[0, 1\]"):
        datasets.rate_encode(np.full((1, 2), 1.5), steps=5)
    with pytest.raises(nd.NeurodynValueError, match="steps must be a positive integer, got 0"):
        datasets.latency_encode(np.zeros((1, 2)), steps=0)
    with pytest.raises(nd.NeurodynValueError, match=r"max_probability must be in \(0, 1\], got 0"):
        datasets.rate_encode(np.zeros((1, 2)), steps=5, max_probability=0)
