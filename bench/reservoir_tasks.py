#!/usr/bin/env python3
"""Reservoir computing on neurodyn against same-size ablations (docs/benchmarks.md,
"Reservoirs"). Why: a reservoir result only counts against a reservoir-free baseline of
the same size; on these tasks a random projection plus ridge already scores high.

    PYTHONPATH=build/python /usr/bin/python3 bench/reservoir_tasks.py [--fashion-train 5000] [--json out.json]

Echo-state networks (N = 200): NARMA-10 NRMSE, memory capacity and one-step Mackey-Glass
NRMSE, against the same units without recurrence; a Dale-law sigmoid reservoir with E/I
self-adaptation on and off. Liquid state machines (500 IF_curr_exp neurons) on
rate-coded 8x8 digits and Fashion-MNIST, against the same liquid without recurrent
projections, a random tanh projection of the pixels of the same size, and ridge on the
input spike counts; and on sequential digits (rows shown one after the other, the state
read once at the end), where a memoryless map of the current input cannot solve the
task: against the same liquid without recurrence, a random tanh projection of the same
size of the last row's spike counts, and ridge on them. Readouts: ridge with 5-fold
cross-validated lambda.
"""

import argparse
import json
import time

import numpy as np

import neurodyn.reservoir as nr
from neurodyn import datasets, tasks


def esn_tasks(units=200, seed=1):
    results = {}
    u, y = tasks.narma10(6000, seed=seed)
    u_mc, targets = tasks.memory_capacity_data(6000, max_delay=2 * units, seed=seed)
    mg = tasks.mackey_glass(4001)
    for label, radius in (("ESN", 0.9), ("no recurrence", 1e-9)):
        esn = nr.EchoStateNetwork(units=units, spectral_radius=radius, input_scaling=0.1, seed=seed)
        s = esn.run(u)
        readout = nr.RidgeCV().fit(s[200:4000], y[200:4000])
        narma = tasks.nrmse(readout.predict(s[4000:]), y[4000:])
        esn = nr.EchoStateNetwork(units=units, spectral_radius=0.99 if radius > 1e-6 else radius, input_scaling=0.01,
                                  seed=seed)
        s = esn.run(u_mc)
        mc, _ = tasks.memory_capacity(s[2 * units:4000], targets[2 * units:4000], s[4000:], targets[4000:], lam=1e-10)
        esn = nr.EchoStateNetwork(units=units, spectral_radius=radius, input_scaling=0.5, leak=0.5, seed=seed)
        s = esn.run(mg[:-1] - 0.9)
        readout = nr.RidgeCV().fit(s[200:3000], mg[201:3001])
        mackey = tasks.nrmse(readout.predict(s[3000:]), mg[3001:])
        results[label] = {"narma10_nrmse": narma, "memory_capacity": mc, "mackey_glass_1step_nrmse": mackey}
    # E/I adaptation: a Dale-law sigmoid reservoir, heterogeneous targets U[0.1, 0.4].
    rng = np.random.default_rng(seed)
    targets_rate = rng.uniform(0.1, 0.4, units)
    for label, adapt in (("E/I reservoir, adaptation off", False), ("E/I reservoir, adaptation on", True)):
        row = {}
        for task in ("narma10", "memory_capacity"):
            esn = nr.EchoStateNetwork(units=units, spectral_radius=2.0, transfer="sigmoid", excitatory_fraction=0.8,
                                      input_scaling=0.5 if task == "narma10" else 0.05, connectivity=0.1, seed=seed)
            if adapt:
                esn.adapt(rng.uniform(0.0, 0.5, (4000, 1)), targets_rate, learning_rate=0.01)
            if task == "narma10":
                s = esn.run(u)
                readout = nr.RidgeCV().fit(s[200:4000], y[200:4000])
                row["narma10_nrmse"] = tasks.nrmse(readout.predict(s[4000:]), y[4000:])
            else:
                s = esn.run(u_mc)
                row["memory_capacity"], _ = tasks.memory_capacity(s[2 * units:4000], targets[2 * units:4000], s[4000:],
                                                                  targets[4000:], lam=1e-10)
            row["mean_rate"] = float(s.mean())
        results[label] = row
    return results


def classification(name, x_train, y_train, x_test, y_test, steps=20, max_probability=0.3, n_exc=400, n_inh=100,
                   seed=1):
    inputs = x_train.shape[1]
    spikes_train = datasets.rate_encode(x_train, steps, max_probability, seed=seed)
    spikes_test = datasets.rate_encode(x_test, steps, max_probability, seed=seed + 1)
    results = {}
    for label, recurrent in (("LSM", True), ("LSM without recurrence", False)):
        start = time.perf_counter()
        lsm = nr.LiquidStateMachine(nr.lsm_network(n_exc=n_exc, n_inh=n_inh, recurrent=recurrent), inputs=inputs,
                                    seed=seed, gap_ms=30.0, readout_fractions=(0.5, 1.0))
        s_train, s_test = lsm.transform(spikes_train), lsm.transform(spikes_test)
        clf = nr.RidgeClassifier().fit(s_train, y_train)
        results[label] = {"accuracy": clf.score(s_test, y_test), "lambda": clf.lam, "seconds": time.perf_counter() - start,
                          "rates_hz": lsm.last_rates, "features": s_train.shape[1]}
    features = 2 * (n_exc + n_inh)
    rng = np.random.default_rng(seed)
    projection = rng.normal(0.0, 1.0 / np.sqrt(inputs), (inputs, features))
    bias = rng.uniform(-1, 1, features)
    counts_train, counts_test = spikes_train.sum(1), spikes_test.sum(1)
    scale = counts_train.std() or 1.0
    clf = nr.RidgeClassifier().fit(np.tanh(counts_train / scale @ projection + bias), y_train)
    results["random tanh projection of the spike counts"] = {
        "accuracy": clf.score(np.tanh(counts_test / scale @ projection + bias), y_test), "features": features}
    clf = nr.RidgeClassifier().fit(counts_train, y_train)
    results["ridge on the input spike counts"] = {"accuracy": clf.score(counts_test, y_test), "features": inputs}
    return results


def sequential_digits(x_train, y_train, x_test, y_test, steps_per_row=10, copies=8, max_probability=0.3,
                      n_exc=400, n_inh=100, tau_ms=20.0, seed=1):
    """The classic LSM setting: the 8 rows of a digit one after the other (steps_per_row
    steps of 1 ms each), the liquid's state read once, at the end of the last row. A
    readout of the current input sees only the last row; the rest must come from the
    liquid's memory."""
    rows = 8
    spikes_train = nr.row_sequence_encode(x_train, rows, steps_per_row, copies, max_probability, seed=seed)
    spikes_test = nr.row_sequence_encode(x_test, rows, steps_per_row, copies, max_probability, seed=seed + 1)
    inputs = spikes_train.shape[2]
    gap_ms = 50.0
    results = {}
    for label, recurrent in (("LSM", True), ("LSM without recurrence", False)):
        start = time.perf_counter()
        lsm = nr.LiquidStateMachine(nr.lsm_network(n_exc=n_exc, n_inh=n_inh, recurrent=recurrent), inputs=inputs,
                                    seed=seed, gap_ms=gap_ms, tau_ms=tau_ms, readout_fractions=(1.0,))
        s_train, s_test = lsm.transform(spikes_train), lsm.transform(spikes_test)
        clf = nr.RidgeClassifier().fit(s_train, y_train)
        # rates_hz: mean over the whole run, presentations and gaps together.
        results[label] = {"accuracy": clf.score(s_test, y_test), "lambda": clf.lam,
                          "seconds": time.perf_counter() - start, "rates_hz": lsm.last_rates,
                          "features": s_train.shape[1]}
    features = n_exc + n_inh
    last_train = spikes_train[:, -steps_per_row:].sum(1).astype(np.float64)
    last_test = spikes_test[:, -steps_per_row:].sum(1).astype(np.float64)
    rng = np.random.default_rng(seed)
    projection = rng.normal(0.0, 1.0 / np.sqrt(inputs), (inputs, features))
    bias = rng.uniform(-1, 1, features)
    scale = last_train.std() or 1.0
    clf = nr.RidgeClassifier().fit(np.tanh(last_train / scale @ projection + bias), y_train)
    results["random tanh projection of the last row's counts"] = {
        "accuracy": clf.score(np.tanh(last_test / scale @ projection + bias), y_test), "features": features}
    clf = nr.RidgeClassifier().fit(last_train, y_train)
    results["ridge on the last row's counts"] = {"accuracy": clf.score(last_test, y_test), "features": inputs}
    # Reference, not an ablation: the readout given every row's counts (a perfect memory).
    whole_train = spikes_train.reshape(len(x_train), rows, steps_per_row, -1).sum(2).reshape(len(x_train), -1)
    whole_test = spikes_test.reshape(len(x_test), rows, steps_per_row, -1).sum(2).reshape(len(x_test), -1)
    clf = nr.RidgeClassifier().fit(whole_train, y_train)
    results["reference: ridge on every row's counts (perfect memory)"] = {
        "accuracy": clf.score(whole_test, y_test), "features": whole_train.shape[1]}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fashion-train", type=int, default=5000, help="Fashion-MNIST training images (first N)")
    parser.add_argument("--fashion-test", type=int, default=1000, help="Fashion-MNIST test images (first N)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    report = {}
    start = time.perf_counter()
    report["esn"] = esn_tasks()
    print(f"ESN tasks (N = 200), {time.perf_counter() - start:.1f} s")
    for label, row in report["esn"].items():
        print(f"  {label:32s} " + "  ".join(f"{k} {v:.3f}" for k, v in row.items()))
    x_train, y_train, x_test, y_test = datasets.load_digits()
    report["digits"] = classification("digits", x_train, y_train, x_test, y_test)
    report["sequential_digits"] = sequential_digits(x_train, y_train, x_test, y_test)
    fx_train, fy_train, fx_test, fy_test = datasets.load_fashion_mnist()
    report["fashion_mnist"] = classification("fashion", fx_train[:args.fashion_train], fy_train[:args.fashion_train],
                                             fx_test[:args.fashion_test], fy_test[:args.fashion_test])
    for data in ("digits", "sequential_digits", "fashion_mnist"):
        print(f"{data}: test accuracy")
        for label, row in report[data].items():
            extra = f"  ({row['seconds']:.1f} s, rates {row['rates_hz']})" if "seconds" in row else ""
            print(f"  {label:56s} {row['accuracy']:.3f}  [{row['features']} features]{extra}")
    print(f"total {time.perf_counter() - start:.1f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1, default=float)


if __name__ == "__main__":
    main()
