"""Figures of docs/plasticity.md: the STDP window measured in neurodyn against its closed
form, for each weight dependence, the pairing schemes on pre-pre-post triplets, the
frequency dependence of the triplet rule (Sjöström et al. 2001 protocol) and the
convergence of Vogels–Sprekeler inhibitory plasticity to its target rate.

    PYTHONPATH=build/python /usr/bin/python3 docs/figures/make_plasticity_figures.py

writes docs/figures/plasticity_window.png, plasticity_pairing.png, plasticity_triplet.png
and plasticity_vogels.png, and prints the largest deviations from the closed forms (the
tests require < 1e-12 w_max for the window, 1e-9 relative for the triplet protocol).
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


# Pfister & Gerstner (2006) Table 4, visual cortex, minimal all-to-all model.
MINIMAL = dict(tau_plus=16.8, tau_x=101.0, tau_minus=33.7, tau_y=114.0,
               A2_plus=0.0, A3_plus=6.5e-3, A2_minus=7.1e-3, A3_minus=0.0)


def protocol_closed_form(period, delta_t, n, p=MINIMAL):
    """Δw of n pairings at `period` ms, post reaching the synapse delta_t after pre
    (the geometric sums of tests/integration/test_stdp_triplet.cpp)."""
    def geometric(q, k):
        return q * (1.0 - q ** k) / (1.0 - q)
    q_plus, q_minus = np.exp(-period / p["tau_plus"]), np.exp(-period / p["tau_minus"])
    q_x, q_y = np.exp(-period / p["tau_x"]), np.exp(-period / p["tau_y"])
    total = 0.0
    for k in range(n):
        r1 = np.exp(-delta_t / p["tau_plus"]) * ((1.0 if delta_t > 0 else 0.0) + geometric(q_plus, k))
        o1 = np.exp(delta_t / p["tau_minus"]) * ((0.0 if delta_t > 0 else 1.0) + geometric(q_minus, k))
        total += r1 * (p["A2_plus"] + p["A3_plus"] * geometric(q_y, k))
        total -= o1 * (p["A2_minus"] + p["A3_minus"] * geometric(q_x, k))
    return total


def triplet_figure():
    frequencies = [0.1, 1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 40.0, 50.0]  # periods on the 0.1 ms grid
    cases = [(f, dt) for f in frequencies for dt in (10.0, -10.0)]
    n, w0 = 60, 5.0
    net = nd.Network(dt=DT, seed=1)
    pre_times = [[100.0 + k * 1000.0 / f for k in range(n)] for f, _ in cases]
    drive_times = [[t + dt - DELAY - 1.0 for t in ts] for ts, (_, dt) in zip(pre_times, cases)]
    pre = net.population("pre", "SpikeSourceArray", len(cases), spike_times=pre_times)
    driver = net.population("driver", "SpikeSourceArray", len(cases), spike_times=drive_times)
    post = net.population("post", "IF_curr_delta", len(cases),
                          params={"tau_m": 1e15, "v_rest": 0.0, "v_thresh": 50.0, "v_reset": 0.0, "tau_refrac": 0.0},
                          initial={"v": 0.0})
    net.connect(pre, post, nd.one_to_one(), weight=w0, delay=DELAY, name="plastic",
                synapse=nd.stdp(timing="triplet", w_min=0.0, w_max=10.0, **MINIMAL))
    net.connect(driver, post, nd.one_to_one(), weight=100.0, delay=1.0)
    sim = net.build()
    sim.run(max(ts[-1] for ts in pre_times) + 50.0)
    change = sim.weights("plastic") - w0
    expected = np.array([protocol_closed_form(1000.0 / f, dt, n) for f, dt in cases])
    large = np.abs(expected) > 1e-3  # the relative deviation where the change is not ~0
    worst = np.max(np.abs(change - expected)[large] / np.abs(expected[large]))
    worst_abs = np.max(np.abs(change - expected))
    fig, ax = plt.subplots(figsize=(5, 3.2))
    fine = np.linspace(0.1, 50.0, 200)
    for dt, color in ((10.0, "C0"), (-10.0, "C3")):
        ax.plot(fine, [protocol_closed_form(1000.0 / f, dt, n) for f in fine], color="0.6", lw=1, zorder=0)
        ax.plot([f for f, d in cases if d == dt], [c for c, (_, d) in zip(change, cases) if d == dt], "o", ms=4,
                color=color, label=f"Δt = {dt:+.0f} ms")
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xlabel("pairing frequency (Hz)")
    ax.set_ylabel("Δw after 60 pairings")
    ax.set_title("triplet rule, minimal visual-cortex model")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(HERE / "plasticity_triplet.png", dpi=120)
    print(f"triplet protocol: largest |measured - closed form| = {worst_abs:.2e} "
          f"({worst:.2e} relative where |Δw| > 1e-3)")
    for (f, dt), c in zip(cases, change):
        print(f"  {f:5.1f} Hz  Δt = {dt:+5.1f} ms  Δw = {c:+.5f}")


def vogels_figure():
    window, duration = 1000.0, 40000.0
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for w0, color, label in ((0.0, "C3", "from above (w0 = 0)"), (-0.0625, "C0", "from below (w0 = −0.0625 nA)")):
        net = nd.Network(dt=DT, seed=2011)
        exc = net.population("E", "IF_curr_exp", 100, initial={"v": nd.uniform(-65.0, -55.0)})
        inh = net.population("I", "SpikeSourcePoisson", 800, params={"rate": 10.0})
        net.connect(inh, exc, nd.fixed_number_pre(400), weight=w0, delay=1.0, receptor="inhibitory", name="IE",
                    synapse=nd.stdp(timing="vogels_sprekeler", eta=0.00125, tau=20.0, rho0=5.0,
                                    w_min=-0.125, w_max=0.0))
        net.poisson_input(exc, rate=10000.0, weight=0.025)
        sim = net.build()
        rates, before = [], 0
        for _ in range(int(duration / window)):
            sim.run(window)
            count = sim.spike_counts()["E"]
            rates.append((count - before) / 100 / (window / 1000.0))
            before = count
        times = (np.arange(len(rates)) + 0.5) * window / 1000.0
        ax.plot(times, rates, color=color, label=label)
        print(f"vogels {label}: last 20 s {np.mean(rates[-20:]):.3f} Hz")
    ax.axhline(5.0, color="k", lw=0.5, ls="--", label="rho0 = 5 Hz")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mean rate (Hz), 1 s windows")
    ax.set_title("Vogels–Sprekeler inhibitory plasticity")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(HERE / "plasticity_vogels.png", dpi=120)


if __name__ == "__main__":
    window_figure()
    pairing_figure()
    triplet_figure()
    vogels_figure()
