#!/usr/bin/env python3
"""Reference Welch spectra from SciPy for tests/analysis/test_oscillations.cpp.

Regenerate (Debian's interpreter, which has NumPy and SciPy):
    /usr/bin/python3 tests/analysis/reference/make_welch.py

Writes, next to this script:
  welch_signal.csv     one sample per line: 3000 samples at fs = 1000 Hz of a 37 Hz sine,
                       a 120.5 Hz sine, an offset and Gaussian noise (NumPy seed 8).
  welch_reference.csv  case,fs,nperseg,noverlap,frequency_hz,power: scipy.signal.welch of
                       that signal (Hann window, constant detrend, density, one-sided,
                       mean of segments: SciPy's defaults) for several segment lengths,
                       including lengths that are not powers of two.
"""
import pathlib

import numpy as np
import scipy
from scipy import signal

HERE = pathlib.Path(__file__).resolve().parent
FS = 1000.0
CASES = [  # (nperseg, noverlap); None = SciPy's default nperseg // 2
    (256, None),
    (250, None),
    (100, 30),
    (333, 200),
    (1024, None),
]


def main():
    rng = np.random.default_rng(8)
    t = np.arange(3000) / FS
    x = 2.0 * np.sin(2 * np.pi * 37.0 * t) + 0.7 * np.sin(2 * np.pi * 120.5 * t + 0.3) + 1.5 + rng.normal(size=t.size)
    np.savetxt(HERE / "welch_signal.csv", x, fmt="%.17g")
    rows = []
    for case, (nperseg, noverlap) in enumerate(CASES):
        f, p = signal.welch(x, fs=FS, nperseg=nperseg, noverlap=noverlap)
        used = nperseg // 2 if noverlap is None else noverlap
        rows += [f"{case},{FS:.17g},{nperseg},{used},{fk:.17g},{pk:.17g}" for fk, pk in zip(f, p)]
    header = f"# scipy {scipy.__version__}, numpy {np.__version__}\ncase,fs,nperseg,noverlap,frequency_hz,power\n"
    (HERE / "welch_reference.csv").write_text(header + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
