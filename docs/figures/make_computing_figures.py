#!/usr/bin/env python3
"""Figures of docs/computing.md (docs/figures/computing_*.png):

    PYTHONPATH=build/python /usr/bin/python3 docs/figures/make_computing_figures.py

computing_esn.png: an ESN (N = 200) on NARMA-10 and its memory-capacity curve, against
the same units without recurrence; computing_force.png: FORCE learning a sum of sines;
computing_lsm.png: a liquid state machine's response to sequential digits (one row per
10 ms) and the accuracy of ridge readouts of its state at the end, against the ablations. About a minute on one core.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import neurodyn.reservoir as nr  # noqa: E402
from neurodyn import datasets, tasks  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def esn_figure():
    u, y = tasks.narma10(5000, seed=1)
    u_mc, targets = tasks.memory_capacity_data(5000, max_delay=150, seed=2)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
    for label, radius, colour in (("ESN, spectral radius 0.9", 0.9, "C0"), ("no recurrence", 1e-9, "C3")):
        esn = nr.EchoStateNetwork(units=200, spectral_radius=radius, input_scaling=0.1, seed=1)
        s = esn.run(u)
        readout = nr.RidgeCV().fit(s[200:4000], y[200:4000])
        p = readout.predict(s[4000:])
        if radius > 1e-6:
            ax1.plot(np.arange(4000, 4150), y[4000:4150], "k", lw=2, label="NARMA-10 target")
        ax1.plot(np.arange(4000, 4150), p[:150], colour, lw=1.2,
                 label=f"{label}: NRMSE {tasks.nrmse(p, y[4000:]):.2f}")
        esn = nr.EchoStateNetwork(units=200, spectral_radius=0.99 if radius > 1e-6 else radius, input_scaling=0.01,
                                  seed=1)
        s = esn.run(u_mc)
        mc, r2 = tasks.memory_capacity(s[200:3500], targets[200:3500], s[3500:], targets[3500:], lam=1e-10)
        ax2.plot(np.arange(1, 151), r2, colour, label=f"{label.split(',')[0]}: MC = {mc:.1f}")
    ax1.set_xlabel("step")
    ax1.set_title("NARMA-10, test data (ridge readout, CV lambda)")
    ax1.legend(fontsize=8, loc="upper right")
    ax2.set_xlabel("delay k (steps)")
    ax2.set_ylabel("r² of u[t-k] recalled")
    ax2.set_title("memory capacity, N = 200")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "computing_esn.png"), dpi=110)


def force_figure():
    def target(steps, start=0):
        t = np.arange(start + 1, start + steps + 1, dtype=np.float64)
        w = 2 * np.pi / 240.0
        return 0.6 * (np.sin(w * t) + np.sin(2 * w * t) / 2 + np.sin(3 * w * t) / 6 + np.sin(4 * w * t) / 3)

    esn = nr.EchoStateNetwork(units=300, spectral_radius=1.5, leak=1 - np.exp(-0.1), inputs=0, feedbacks=1, seed=3)
    esn.state = np.random.default_rng(3).normal(0.0, 0.5, 300)
    before = esn.copy()
    force = nr.FORCE(esn, alpha=1.0, update_every=2)
    spontaneous = before.run(steps=720)[:, :5]
    z_train = force.train(target(240 * 40))
    z_test = force.run(steps=960)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), gridspec_kw={"width_ratios": [1, 1, 1.3]})
    axes[0].plot(spontaneous)
    axes[0].set_title("before: chaotic units (5 of 300)")
    axes[1].plot(target(720), "k", lw=2, label="target")
    axes[1].plot(z_train[:720], "C1", lw=1, label="output z while learning")
    axes[1].set_title("first 3 periods of learning")
    axes[1].legend(fontsize=8)
    axes[2].plot(target(960, 240 * 40), "k", lw=2, label="target")
    axes[2].plot(z_test, "C2", lw=1,
                 label=f"z, learning off: NRMSE {tasks.nrmse(z_test, target(960, 240 * 40)):.3f}")
    axes[2].set_title("after 40 periods, learning off")
    axes[2].legend(fontsize=8)
    for ax in axes:
        ax.set_xlabel("step (1 ms)")
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "computing_force.png"), dpi=110)


def lsm_figure():
    x_train, y_train, x_test, y_test = datasets.load_digits()
    s_train = nr.row_sequence_encode(x_train[:600], rows=8, seed=1)   # 8 rows x 10 ms, 64 inputs
    s_test = nr.row_sequence_encode(x_test[:300], rows=8, seed=2)
    accuracies = {}
    for label, recurrent in (("LSM", True), ("LSM, no recurrence", False)):
        lsm = nr.LiquidStateMachine(nr.lsm_network(recurrent=recurrent), inputs=64, seed=3, gap_ms=50.0,
                                    readout_fractions=(1.0,))
        clf = nr.RidgeClassifier().fit(lsm.transform(s_train), y_train[:600])
        accuracies[label] = clf.score(lsm.transform(s_test), y_test[:300])
    accuracies["ridge on the last row"] = nr.RidgeClassifier().fit(s_train[:, -10:].sum(1), y_train[:600]).score(
        s_test[:, -10:].sum(1), y_test[:300])
    whole = [s.reshape(len(s), 8, 10, 64).sum(2).reshape(len(s), -1) for s in (s_train, s_test)]
    accuracies["ridge on every row\n(perfect memory)"] = nr.RidgeClassifier().fit(whole[0], y_train[:600]).score(
        whole[1], y_test[:300])
    # A raster of the liquid for three sequential digits (80 ms each, 50 ms gaps).
    period = 130.0
    lsm = nr.LiquidStateMachine(nr.lsm_network(), inputs=64, seed=3, gap_ms=50.0)
    sample, step, neuron = np.nonzero(s_train[:3])
    times = 0.1 + sample * period + (step + 0.5)
    spike_times = [np.sort(times[neuron == i]).tolist() for i in range(64)]
    net, populations = lsm._network(spike_times)
    sim = net.build()
    sim.run(3 * period)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.4), gridspec_kw={"width_ratios": [1.6, 1]})
    ax1.plot(times, neuron + 500, ".", ms=1.5, color="0.4", label="input (8 columns x 8)")
    for population, colour, offset in zip(populations, ("C0", "C3"), (0, 400)):
        t, ids = sim.spikes(population)
        ax1.plot(t, ids + offset, ".", ms=1, color=colour, label=f"{population.name} ({population.size})")
    for k in range(3):
        for row in range(0, 8, 2):
            ax1.axvspan(k * period + 10 * row, k * period + 10 * row + 10, color="0.92", zorder=0)
        ax1.axvline(k * period + 80, color="k", lw=0.8, ls=":")
    ax1.set_xlabel("time (ms); dotted: the one read-out time")
    ax1.set_ylabel("neuron")
    ax1.set_title(f"liquid response to digits {y_train[0]}, {y_train[1]}, {y_train[2]}, one row per 10 ms")
    ax1.legend(fontsize=7, loc="upper right", markerscale=5)
    ax2.barh(list(accuracies), list(accuracies.values()), color=["C0", "C3", "0.5", "0.75"])
    for i, a in enumerate(accuracies.values()):
        ax2.text(a - 0.02, i, f"{a:.3f}", va="center", ha="right", color="w")
    ax2.set_xlim(0, 1)
    ax2.tick_params(axis="y", labelsize=8)
    ax2.set_xlabel("test accuracy, sequential digits (600 train / 300 test)")
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "computing_lsm.png"), dpi=110)
    return accuracies


if __name__ == "__main__":
    esn_figure()
    force_figure()
    print(lsm_figure())
