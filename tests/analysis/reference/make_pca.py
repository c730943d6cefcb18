#!/usr/bin/env python3
"""Reference principal components from NumPy's SVD for tests/analysis/test_geometry.cpp.

Regenerate (Debian's interpreter, which has NumPy):
    /usr/bin/python3 tests/analysis/reference/make_pca.py

Writes, next to this script, for two cases, "tall" (300 samples x 6 correlated features:
the covariance path) and "wide" (12 samples x 40 features: the Gram-matrix path):
  pca_<case>_data.csv       the data, one sample per line (NumPy seed 5 and 6).
  pca_<case>_reference.csv  line k (0-based) = explained variance of component k, then the
                            component (unit vector over the features). From the SVD of the
                            column-centred data Xc = U S V^T: variance S^2 / (n - 1), the
                            rows of V^T, each signed so that its entry of largest magnitude
                            is positive (the convention of neurodyn's pca()). This is what
                            scikit-learn's PCA computes (its svd_flip sign convention aside);
                            scikit-learn is not a dependency, so NumPy serves as reference.
Values are written with 17 significant digits (round-trip exact).
"""
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def reference(x):
    xc = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    variance = s**2 / (x.shape[0] - 1)
    rows = []
    for k in range(len(s)):
        v = vt[k]
        if v[np.argmax(np.abs(v))] < 0:
            v = -v
        rows.append(np.concatenate([[variance[k]], v]))
    return np.array(rows)


def main():
    rng = np.random.default_rng(5)
    mixing = rng.normal(size=(6, 6)) * np.array([3.0, 2.0, 1.5, 1.0, 0.5, 0.2])[:, None]
    tall = rng.normal(size=(300, 6)) @ mixing + np.arange(6.0)
    rng = np.random.default_rng(6)
    wide = rng.normal(size=(12, 3)) @ rng.normal(size=(3, 40)) + 0.1 * rng.normal(size=(12, 40))
    for name, x in (("tall", tall), ("wide", wide)):
        np.savetxt(HERE / f"pca_{name}_data.csv", x, delimiter=",", fmt="%.17g")
        np.savetxt(HERE / f"pca_{name}_reference.csv", reference(x), delimiter=",", fmt="%.17g")


if __name__ == "__main__":
    main()
