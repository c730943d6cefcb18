"""Figures of docs/plasticity.md: the STDP window measured in neurodyn against its closed
form, for each weight dependence, and the pairing schemes on pre-pre-post triplets.

    PYTHONPATH=build/python /usr/bin/python3 docs/figures/make_plasticity_figures.py

writes docs/figures/plasticity_window.png and docs/figures/plasticity_pairing.png and
prints the largest deviation from the closed form (the tests require < 1e-12 w_max).
"""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import neurodyn as nd  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
DT, DELAY = 0.1, 1.0
RULE = dict(tau_plus=16.8, tau_minus=33.7, A_plus=0.01, A_minus=0.012)  # Bi & Poo-like time constants
W0, W_MAX = 0.005, 0.01


def measure(pre_times, post_arrivals, synapse, duration):
    """Weights of synapses pre[i] -> post[i]; post i is made to fire so that its spikes
    reach the synapse at post_arrivals[i] (IF_curr_delta without leak, 100 mV kicks)."""
    n = len(pre_times)
    net = nd.Network(dt=DT, seed=1)
    pre = net.population("pre", "SpikeSourceArray", n, spike_times=[list(t) for t in pre_times])
    driver = net.population("driver", "SpikeSourceArray", n,
                            spike_times=[[t - DELAY - 1.0 for t in ts] for ts in post_arrivals])
    post = net.population("post", "IF_curr_delta", n,
                          params={"tau_m": 1e15, "v_rest": 0.0, "v_thresh": 1.0, "v_reset": 0.0, "tau_refrac": 0.0},
                          initial={"v": 0.0})
    net.connect(pre, post, nd.one_to_one(), weight=W0, delay=DELAY, synapse=synapse, name="plastic")
    net.connect(driver, post, nd.one_to_one(), weight=100.0, delay=1.0)
    sim = net.build()
    sim.run(duration)
    return sim.weights("plastic")


def closed_form(dt, kind, w0, mu=(0.4, 0.7)):
    mu_plus, mu_minus = {"additive": (0, 0), "multiplicative": (1, 1), "gutig": mu}[kind]
    plus = w0 + RULE["A_plus"] * np.exp(-dt / RULE["tau_plus"]) * W_MAX * ((W_MAX - w0) / W_MAX) ** mu_plus
    minus = w0 - RULE["A_minus"] * np.exp(dt / RULE["tau_minus"]) * W_MAX * (w0 / W_MAX) ** mu_minus
    return np.where(dt > 0, np.minimum(plus, W_MAX), np.where(dt < 0, np.maximum(minus, 0.0), w0))


def window_figure():
    steps = np.arange(-1000, 1001, 20)
    dts = steps * DT
    t_pre = 120.0
    w0 = float(np.float32(W0))
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), sharey=True)
    worst = 0.0
    for ax, kind in zip(axes, ("additive", "multiplicative", "gutig")):
        synapse = nd.stdp(**RULE, weight_dependence=kind, w_max=W_MAX, mu_plus=0.4, mu_minus=0.7)
        w = measure([[t_pre]] * steps.size, [[t_pre + d] for d in dts], synapse, 240.0)
        fine = np.linspace(-100, 100, 2001)
        ax.plot(fine, (closed_form(fine, kind, w0) - w0) / W_MAX, color="0.6", lw=2, label="closed form")
        ax.plot(dts, (w - w0) / W_MAX, "o", ms=3, color="C0", label="neurodyn")
        worst = max(worst, np.max(np.abs(w - closed_form(dts, kind, w0))) / W_MAX)
        ax.axhline(0, color="k", lw=0.5)
        ax.axvline(0, color="k", lw=0.5)
        ax.set_title(f"{kind}, w0 = w_max / 2")
        ax.set_xlabel("Δt = t_post + d − t_pre (ms)")
    axes[0].set_ylabel("Δw / w_max")
    axes[0].legend(frameon=False)
    fig.tight_layout()
    fig.savefig(HERE / "plasticity_window.png", dpi=120)
    print(f"window: largest |measured - closed form| = {worst:.2e} w_max")


def pairing_figure():
    # pre at 50 ms and at 50 + s, the post spike reaches the synapse 10 ms after the
    # second: all-to-all adds both pairings, nearest-neighbour only the second.
    spacings = np.arange(1.0, 60.0, 2.0)
    pre = [[50.0, 50.0 + s] for s in spacings]
    post = [[60.0 + s] for s in spacings]
    w0 = float(np.float32(W0))
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for pairing, color in (("all_to_all", "C0"), ("nearest_symmetric", "C1")):
        synapse = nd.stdp(**RULE, weight_dependence="additive", w_max=W_MAX, pairing=pairing)
        w = measure(pre, post, synapse, 140.0)
        ax.plot(spacings, (w - w0) / W_MAX, "o", ms=3, color=color, label=pairing)
    near = RULE["A_plus"] * np.exp(-10.0 / RULE["tau_plus"])
    fine = np.linspace(1, 60, 200)
    ax.plot(fine, near + RULE["A_plus"] * np.exp(-(10.0 + fine) / RULE["tau_plus"]), color="0.6", lw=1, zorder=0)
    ax.plot(fine, np.full_like(fine, near), color="0.6", lw=1, zorder=0, label="closed forms")
    ax.set_xlabel("spacing of the two presynaptic spikes (ms)")
    ax.set_ylabel("Δw / w_max")
    ax.set_title("pre, pre, post (+10 ms): pairing schemes")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(HERE / "plasticity_pairing.png", dpi=120)


if __name__ == "__main__":
    window_figure()
    pairing_figure()
