"""Figures of docs/plasticity.md: the STDP window measured in neurodyn against its closed
form, for each weight dependence, the pairing schemes on pre-pre-post triplets, the
frequency dependence of the triplet rule (Sjöström et al. 2001 protocol), the
convergence of Vogels–Sprekeler inhibitory plasticity to its target rate and the
detailed E/I balance it learns, dopamine-modulated STDP (one synapse against the rule
integrated directly; Izhikevich's distal-reward experiment and its control) and the
three homeostasis rules bringing a spread of rates to the target, and Oja's rule on a
rate projection finding the principal component of its inputs.

    PYTHONPATH=build/python /usr/bin/python3 docs/figures/make_plasticity_figures.py [names]

writes docs/figures/plasticity_window.png, plasticity_pairing.png, plasticity_triplet.png,
plasticity_vogels.png, plasticity_ei_balance.png, plasticity_dopamine.png,
plasticity_homeostasis.png and plasticity_rate_hebbian.png (or only the figures named:
window, pairing, triplet, vogels, ei_balance, dopamine, homeostasis, rate_hebbian), and prints the numbers each verifies: the largest
deviations from the closed forms (the tests require < 1e-12 w_max for the window, 1e-9
relative for the triplet protocol and the dopamine rule), the rates reached, the E/I
current correlations and the weights of the distal-reward experiment.
plasticity_nalsm.png comes from examples/python/nalsm.py --plot (docs/plasticity.md).
"""

import pathlib
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import neurodyn as nd  # noqa: E402
from neurodyn import analysis  # noqa: E402

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


# ---- Dopamine-modulated STDP (three-factor rule) --------------------------------------

DOPAMINE_RULE = dict(A_plus=1e-3, A_minus=1.5e-3, tau_plus=20.0, tau_minus=20.0, tau_c=1000.0, b=0.0)
DOPAMINE_TAU = 200.0  # ms, the modulator's decay (Izhikevich 2007)


def single_synapse_dopamine(t_pre=1500.0, t_post=1509.0, releases=((100.0, 0.5), (2510.0, 0.5)), duration=4000.0,
                            w0=0.25):
    """One synapse, one causal pairing (the post spike reaches the synapse 10 ms after the
    pre spike) and two dopamine releases, 1.4 s before the pairing (its dopamine has
    decayed to 0.09 % when the pairing comes) and 1 s after it.
    Returns sample times (ms) and the engine's c, n, w at those times, and the same from
    the rule written out directly (c and n as sums of exponentials, w as the integral of
    c (n - b) by the midpoint rule on a 1 µs grid: quadrature error ~1e-12 relative)."""
    net = nd.Network(dt=DT, seed=1)
    pre = net.population("pre", "SpikeSourceArray", 1, spike_times=[[t_pre]])
    driver = net.population("driver", "SpikeSourceArray", 1, spike_times=[[t_post - 1.0]])
    post = net.population("post", "IF_curr_delta", 1,
                          params=dict(v_rest=0.0, v_reset=0.0, v_thresh=1.0, tau_m=1e15, tau_refrac=0.0),
                          initial=dict(v=0.0))
    net.modulator("DA", tau=DOPAMINE_TAU, release_times=[t for t, _ in releases],
                  release_amounts=[a for _, a in releases])
    proj = net.connect(pre, post, nd.one_to_one(), weight=w0, delay=DELAY,
                       synapse=nd.stdp(timing="dopamine", modulator="DA", w_min=0.0, w_max=1.0, **DOPAMINE_RULE))
    net.connect(driver, post, nd.one_to_one(), weight=100.0, delay=1.0)
    sim = net.build()
    # Samples at odd ms, never at an event where c or n jumps (the pre spike, the post
    # spike's arrival and the releases are at whole 10 ms).
    times, c, n, w = [], [], [], []
    sim.run(1.0)
    while sim.t < duration:
        times.append(sim.t)
        c.append(sim.eligibilities(proj)[0])
        n.append(sim.modulator("DA"))
        w.append(sim.weights(proj)[0])
        sim.run(2.0)
    times = np.array(times)

    arrival = t_post + DELAY
    pairing = DOPAMINE_RULE["A_plus"] * np.exp(-(arrival - t_pre) / DOPAMINE_RULE["tau_plus"])

    def eligibility(t):
        return np.where(t > arrival, pairing * np.exp(-(t - arrival) / DOPAMINE_RULE["tau_c"]), 0.0)

    def modulator(t):
        return sum(np.where(t > tr, a * np.exp(-(t - tr) / DOPAMINE_TAU), 0.0) for tr, a in releases)

    h = 1e-3  # ms
    mid = np.arange(0.0, duration, h) + h / 2
    integral = np.cumsum(eligibility(mid) * (modulator(mid) - DOPAMINE_RULE["b"])) * h
    w_direct = w0 + integral[np.round(times / h).astype(int) - 1]
    return times, np.array(c), np.array(n), np.array(w), eligibility(times), modulator(times), w_direct


def distal_reward(contingent, n_random=None, seed=2, duration_s=1500, chunk_ms=500.0):
    """Izhikevich (2007, fig. 1) reduced, as in python/tests/test_stdp_dopamine.py: 100
    Poisson inputs (1 Hz) onto 100 IF_curr_exp neurons (~1 Hz), 10 % connectivity, every
    synapse dopamine-modulated (A_minus = 1.5 A_plus, tau_c = 1 s, releases of 0.5 decaying
    with 200 ms). Synapse 0 is rewarded: a release follows 1-3 s after each of its
    pre -> post pairings within 10 ms. Control (contingent=False): `n_random` releases at
    random times. Returns times (s), weights [chunks x synapses], release times (s)."""
    rng = np.random.default_rng(seed)
    A = 4e-4
    net = nd.Network(dt=1.0, seed=seed)
    pre = net.population("pre", "SpikeSourcePoisson", 100, params=dict(rate=1.0))
    post = net.population("post", "IF_curr_exp", 100, params=dict(tau_refrac=2.0))
    net.poisson_input(post, rate=1170.0, weight=0.1)
    net.modulator("DA", tau=DOPAMINE_TAU)
    proj = net.connect(pre, post, nd.fixed_probability(0.1), weight=0.05, delay=1.0,
                       synapse=nd.stdp(timing="dopamine", modulator="DA", A_plus=A, A_minus=1.5 * A,
                                       tau_c=1000.0, w_min=0.0, w_max=0.1))
    net.record_spikes(pre)
    net.record_spikes(post)
    sim = net.build()
    conn = sim.connections(proj)
    i0, j0 = conn["source"][0], conn["target"][0]
    # As the test: the control's times from their own stream.
    random_times = np.sort(np.random.default_rng([seed, 1]).uniform(0.0, duration_s * 1000.0, n_random or 0))
    seen, releases, history = 0, [], []
    for chunk in range(int(duration_s * 1000.0 / chunk_ms)):
        t = chunk * chunk_ms
        if not contingent:
            for when in random_times[(random_times >= t) & (random_times < t + chunk_ms)]:
                sim.modulate("DA", 0.5, at=when)
                releases.append(when)
        sim.run(chunk_ms)
        pre_t, pre_id = sim.spikes(pre)
        post_t, post_id = sim.spikes(post)
        post0 = post_t[post_id == j0]
        for tp in pre_t[seen:][pre_id[seen:] == i0]:
            if contingent and np.any((post0 > tp) & (post0 <= tp + 10.0)):
                when = tp + 10.0 + rng.uniform(1000.0, 3000.0)
                sim.modulate("DA", 0.5, at=when)
                releases.append(when)
        seen = len(pre_t)
        history.append(sim.weights(proj))
    times = (np.arange(len(history)) + 1) * chunk_ms / 1000.0
    return times, np.array(history), np.array(releases) / 1000.0


def dopamine_figure():
    fig = plt.figure(figsize=(11, 6.4))
    grid = fig.add_gridspec(2, 3, height_ratios=(1.0, 1.25))
    times, c, n, w, c_direct, n_direct, w_direct = single_synapse_dopamine()
    worst_w = np.max(np.abs(w - w_direct)) / (w_direct[-1] - w_direct[0])
    worst_c = np.max(np.abs(c - c_direct)) / np.max(np.abs(c_direct))
    panels = ((c * 1e3, c_direct * 1e3, "eligibility c (10⁻³ weight / (n · ms))"), (n, n_direct, "dopamine n"),
              (w, w_direct, "weight w (w_max = 1)"))
    for k, (engine, direct, label) in enumerate(panels):
        ax = fig.add_subplot(grid[0, k])
        ax.plot(times / 1000.0, direct, color="0.6", lw=3, label="rule integrated directly")
        ax.plot(times / 1000.0, engine, color="C0", lw=1, label="neurodyn")
        for t_release in (0.1, 2.51):
            ax.axvline(t_release, color="C2", lw=0.6, ls=":")
        ax.axvline(1.51, color="C3", lw=0.6, ls=":")
        ax.set_xlabel("time (s)")
        ax.set_title(label, fontsize=10)
        if k == 0:
            ax.legend(frameon=False, fontsize=8, loc="upper left")
        if k == 1:
            ax.text(1.56, 0.9, "pairing\nΔt = +10 ms", color="C3", fontsize=8, va="top",
                    transform=ax.get_xaxis_transform())
            ax.text(2.75, 0.9, "release\n1 s later", color="C2", fontsize=8, va="top",
                    transform=ax.get_xaxis_transform())
            ax.text(0.35, 0.9, "release\n1.4 s before", color="C2", fontsize=8, va="top",
                    transform=ax.get_xaxis_transform())
    print(f"dopamine, one synapse: |w - direct| <= {worst_w:.1e} of Δw = {w_direct[-1] - w_direct[0]:.5f}, "
          f"|c - direct| <= {worst_c:.1e} of max c")

    t_s, rewarded, releases = distal_reward(contingent=True)
    t_s, control, control_releases = distal_reward(contingent=False, n_random=len(releases))
    for k, (weights, release_times, title) in enumerate(
            ((rewarded, releases, f"reward 1–3 s after each pairing of synapse 0 ({len(releases)} releases)"),
             (control, control_releases, f"control: {len(control_releases)} releases at random times"))):
        ax = fig.add_subplot(grid[1, 0:2] if k == 0 else grid[1, 2])
        others = weights[:, 1:]
        low, high = np.percentile(others, [5, 95], axis=1)
        ax.fill_between(t_s, low, high, color="0.85", label="other synapses, 5–95 %")
        ax.plot(t_s, others.mean(axis=1), color="k", lw=1, label="other synapses, mean")
        ax.plot(t_s, weights[:, 0], color="C3", lw=1.5, label="synapse 0")
        ax.plot(release_times, np.full(len(release_times), 0.104), "|", color="C2", ms=6, label="releases")
        ax.set_ylim(0.0, 0.108)
        ax.set_xlim(0.0, t_s[-1])
        ax.set_xlabel("time (s)")
        ax.set_title(title, fontsize=10)
        if k == 0:
            ax.set_ylabel("weight (nA), w_max = 0.1")
            ax.legend(fontsize=8, loc="lower left", framealpha=1.0)
        others_end = weights[-1, 1:]
        print(f"distal reward, {'contingent' if k == 0 else 'control'}: {len(release_times)} releases, "
              f"synapse 0 {weights[-1, 0]:.3f}, others {others_end.mean():.3f} "
              f"(5-95 %: {np.percentile(others_end, 5):.3f}-{np.percentile(others_end, 95):.3f}, "
              f"{np.mean(others_end >= 0.095) * 100:.1f} % >= 0.095)")
    fig.suptitle("Dopamine-modulated STDP (Izhikevich 2007)", fontsize=11)
    fig.tight_layout()
    fig.savefig(HERE / "plasticity_dopamine.png", dpi=120)


# ---- Homeostasis ------------------------------------------------------------------------

HOMEOSTASIS_TARGET = 5.0  # Hz
# The three settings of python/tests/test_homeostasis.py: (rule, (eta, its unit), what makes the
# neurons differ, seed). Alone they fire from 0 to ~80 Hz.
HOMEOSTASIS_CASES = (
    ("adaptive_threshold", (0.1, "mV/(Hz s)"), ("i_offset", -0.4, 0.8, "nA"), 7),
    ("intrinsic", (0.01, "nA/(Hz s)"), ("v_thresh", -56.0, -44.0, "mV"), 7),
    ("synaptic_scaling", (0.005, "1/(Hz s)"), ("v_thresh", -58.0, -45.0, "mV"), 11),
)


def homeostasis_network(rule, eta, spread, seed, with_rule):
    """60 IF_curr_exp neurons under one Poisson drive (8 kHz x 0.02 nA), or for synaptic
    scaling 40 neurons with all-to-all stdp inputs from 200 Poisson sources at 10 Hz,
    their `spread` parameter going linearly from low to high."""
    name, low, high, _ = spread
    size = 40 if rule == "synaptic_scaling" else 60
    net = nd.Network(dt=DT, seed=seed)
    pop = net.population("E", "IF_curr_exp", size, params={name: np.linspace(low, high, size)}, initial={"v": -65.0})
    if rule == "synaptic_scaling":
        src = net.population("in", "SpikeSourcePoisson", 200, params={"rate": 10.0})
        net.connect(src, pop, nd.all_to_all(), weight=0.1, delay=1.0, name="in",
                    synapse=nd.stdp(A_plus=0.0005, A_minus=0.0006, w_min=0.0, w_max=0.5))
    else:
        net.poisson_input(pop, rate=8000.0, weight=0.02)
    if with_rule:
        interval = dict(interval=100.0) if rule == "synaptic_scaling" else {}
        net.homeostasis(pop, rule, target_rate=HOMEOSTASIS_TARGET, eta=eta[0], tau=1000.0, **interval)
    return net, size


def homeostasis_figure(learn_s=40.0, window_s=30.0, sample_ms=100.0):
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
    colormap = plt.cm.viridis
    highest = 110.0  # Hz, the top of the colour scale: the fastest neuron alone
    for ax, (rule, eta, spread, seed) in zip(axes, HOMEOSTASIS_CASES):
        net, size = homeostasis_network(rule, eta, spread, seed, with_rule=False)
        net.record_spikes("E")
        alone = net.build()
        alone.run(5000.0)
        free_rates = np.bincount(alone.spikes("E")[1], minlength=size) / 5.0

        net, size = homeostasis_network(rule, eta, spread, seed, with_rule=True)
        net.record_spikes("E")
        sim = net.build()
        times, estimates, before = [], [], None
        while sim.t < (learn_s + window_s) * 1000.0 - 1e-9:
            if before is None and sim.t >= learn_s * 1000.0 - 1e-9:
                before = np.bincount(sim.spikes("E")[1], minlength=size)
            sim.run(sample_ms)
            times.append(sim.t / 1000.0)
            estimates.append(sim.homeostasis_rates("E"))
        measured = (np.bincount(sim.spikes("E")[1], minlength=size) - before) / window_s
        estimates = np.array(estimates)

        for k in np.argsort(free_rates):
            ax.plot(times, estimates[:, k], color=colormap(free_rates[k] / highest), lw=0.5)
        ax.axvspan(learn_s, learn_s + window_s, color="0.9", zorder=0)
        ax.hlines(measured, learn_s, learn_s + window_s, color="k", lw=1.0, zorder=3)
        ax.axhline(HOMEOSTASIS_TARGET, color="r", lw=0.8, ls="--", zorder=4)
        ax.set_yscale("log")
        ax.set_ylim(0.2, 150.0)
        ax.set_xlim(0.0, learn_s + window_s)
        ax.set_xlabel("time (s)")
        name, low, high, unit = spread
        ax.set_title(f"{rule}, eta = {eta[0]:g} {eta[1]}\n{size} neurons, {name} {low:g} … {high:g} {unit}",
                     fontsize=10)
        ax.text(0.12, 0.03, f"alone: {free_rates.min():.1f}–{free_rates.max():.1f} Hz", transform=ax.transAxes,
                va="bottom", fontsize=8)
        ax.text(learn_s + window_s / 2, 0.25, f"{learn_s:g}–{learn_s + window_s:g} s:\n{measured.min():.2f}–"
                f"{measured.max():.2f} Hz", ha="center", va="bottom", fontsize=8)
        print(f"homeostasis {rule}: alone {free_rates.min():.1f}-{free_rates.max():.1f} Hz; counted over "
              f"{learn_s:g}-{learn_s + window_s:g} s: mean {measured.mean():.3f} Hz, {measured.min():.2f}-"
              f"{measured.max():.2f} Hz (largest deviation {np.max(np.abs(measured - HOMEOSTASIS_TARGET)):.2f} Hz)")
    axes[0].set_ylabel("rate estimate r (Hz), tau = 1 s")
    axes[0].plot([], [], color="r", lw=0.8, ls="--", label="target 5 Hz")
    axes[0].plot([], [], color="k", lw=1.0, label=f"rate counted over {window_s:g} s")
    axes[0].legend(frameon=False, fontsize=8, loc="upper right")
    fig.colorbar(plt.cm.ScalarMappable(norm=matplotlib.colors.Normalize(0.0, highest), cmap=colormap), ax=axes,
                 label="rate without homeostasis (Hz)", fraction=0.02, pad=0.01)
    fig.savefig(HERE / "plasticity_homeostasis.png", dpi=120, bbox_inches="tight")


# ---- Detailed E/I balance (Vogels et al. 2011, Fig. 1) ----------------------------------

GROUPS, GROUP_EXC, GROUP_INH, BALANCE_POST = 8, 100, 25, 12  # as python/tests/test_ei_balance.py


def group_spike_trains(rng, duration, per_group):
    """Each group's rate follows a rectified Ornstein-Uhlenbeck signal (50 ms, 5 Hz mean, on
    a 1 ms grid); `per_group[k]` inhomogeneous Poisson trains per group for each k."""
    n, keep = int(duration), np.exp(-1.0 / 50.0)
    kicks = rng.standard_normal((n, GROUPS)) * np.sqrt(1.0 - keep * keep)
    x, state = np.empty((n, GROUPS)), rng.standard_normal(GROUPS)
    for k in range(n):
        state = keep * state + kicks[k]
        x[k] = state
    p = np.maximum(0.0, 5.0 * (1.0 + 1.5 * x)) / 1000.0  # spike probability per 1 ms bin
    result = []
    for count in per_group:
        trains = []
        for g in range(GROUPS):
            for _ in range(count):
                bins = np.nonzero(rng.random(n) < p[:, g])[0]
                times = np.round(np.maximum(bins + rng.random(bins.size), DT) / DT) * DT
                trains.append(np.unique(times).tolist())
        result.append(trains)
    return result


def balance_network(input_seed, duration, eta, record_currents=False):
    """12 IF_curr_exp neurons, neuron j preferring group j mod 8 through tuned excitatory
    weights (0.09 nA x (0.25 + 2.75 exp(-d^2 / 0.98)), d the circular group distance; half
    of the 800 excitatory sources each); every one of the 200 inhibitory sources reaches
    every neuron through a Vogels-Sprekeler synapse (rho0 = 5 Hz, tau = 20 ms, bounds
    [-1, 0] nA) starting at -0.005 nA."""
    exc_trains, inh_trains = group_spike_trains(np.random.default_rng(input_seed), duration, (GROUP_EXC, GROUP_INH))
    net = nd.Network(dt=DT, seed=11)
    exc = net.population("exc_in", "SpikeSourceArray", GROUPS * GROUP_EXC, spike_times=exc_trains)
    inh = net.population("inh_in", "SpikeSourceArray", GROUPS * GROUP_INH, spike_times=inh_trains)
    post = net.population("post", "IF_curr_exp", BALANCE_POST, initial={"v": nd.uniform(-65.0, -50.0)})
    group, preferred = np.arange(GROUPS)[:, None], (np.arange(BALANCE_POST) % GROUPS)[None, :]
    distance = np.minimum(np.abs(group - preferred), GROUPS - np.abs(group - preferred))
    tuning = 0.25 + 2.75 * np.exp(-distance ** 2 / (2 * 0.7 ** 2))
    net.connect(exc, post, nd.fixed_number_pre(GROUPS * GROUP_EXC // 2), delay=1.0, name="EP",
                weight=0.09 * np.repeat(tuning, GROUP_EXC, axis=0))
    net.connect(inh, post, nd.all_to_all(), weight=-0.005, delay=1.0, receptor="inhibitory", name="IP",
                synapse=nd.stdp(timing="vogels_sprekeler", eta=eta, tau=20.0, rho0=5.0, w_min=-1.0, w_max=0.0))
    if record_currents:
        net.record_state(post, ["isyn_exc", "isyn_inh"], interval=1.0)
    return net


def low_pass(values, tau, interval=1.0):
    """The causal exponential filter ei_current_correlation applies (filter_tau)."""
    a, out = np.exp(-interval / tau), np.empty_like(values)
    out[0] = values[0]
    for k in range(1, len(values)):
        out[k] = a * out[k - 1] + (1.0 - a) * values[k]
    return out


def ei_balance_figure(learn_ms=60000.0, test_ms=20000.0):
    learning = balance_network(1, learn_ms, 3e-3).build()
    learning.run(learn_ms)
    learned = learning.weights("IP")
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), gridspec_kw=dict(width_ratios=(1.2, 1.2, 1.0)))
    correlations = {}
    for ax, (label, weights) in zip(axes[:2], (("before", np.full_like(learned, -0.005)), ("after", learned))):
        test = balance_network(2, test_ms, 0.0, record_currents=True).build()  # same input, weights frozen
        test.set_weights("IP", weights)
        test.run(test_ms)
        exc, inh = test.trace("post", "isyn_exc"), test.trace("post", "isyn_inh")
        correlations[label] = (
            analysis.ei_current_correlation(exc, -inh.values, interval=1.0, filter_tau=50.0, t_start=200.0),
            analysis.ei_current_correlation(exc.values, -inh.values, interval=1.0))
        shown = (exc.times >= 10000.0) & (exc.times < 12000.0)
        ax.plot(exc.times[shown] / 1000.0, low_pass(exc.values[:, 0], 50.0)[shown], color="C3", label="excitatory")
        ax.plot(exc.times[shown] / 1000.0, low_pass(-inh.values[:, 0], 50.0)[shown], color="C0",
                label="inhibitory (magnitude)")
        ax.set_title(f"{label} learning: neuron 0, r = {correlations[label][0].per_neuron[0]:.2f}", fontsize=10)
        ax.set_xlabel("time in the test input (s)")
    axes[0].set_ylabel("input current, 50 ms low-pass (nA)")
    axes[0].legend(frameon=False, fontsize=8)
    neurons = np.arange(BALANCE_POST)
    for k, (name, marker) in enumerate((("50 ms low-pass", "o"), ("unfiltered", "s"))):
        before, after = correlations["before"][k], correlations["after"][k]
        axes[2].plot(np.zeros(BALANCE_POST) + 0.1 * k, before.per_neuron, marker, color="0.5", ms=4)
        axes[2].plot(np.ones(BALANCE_POST) + 0.1 * k, after.per_neuron, marker, color="C2", ms=4,
                     label=f"{name}: {before.mean:.2f} → {after.mean:.2f}")
        for j in neurons:
            axes[2].plot([0.1 * k, 1 + 0.1 * k], [before.per_neuron[j], after.per_neuron[j]], color="0.8", lw=0.6,
                         zorder=0)
        print(f"E/I balance: current correlation ({name}) {before.mean:.3f} -> {after.mean:.3f} "
              f"(per neuron {before.per_neuron.min():.2f}-{before.per_neuron.max():.2f} -> "
              f"{after.per_neuron.min():.2f}-{after.per_neuron.max():.2f})")
    axes[2].set_xticks([0.05, 1.05], ["before", "after"])
    axes[2].set_xlim(-0.4, 1.5)
    axes[2].set_ylabel("E/I current correlation r")
    axes[2].set_title(f"all {BALANCE_POST} neurons, 20 s test input", fontsize=10)
    axes[2].legend(frameon=False, fontsize=8, loc="lower right")
    fig.suptitle(f"Detailed E/I balance learned by Vogels–Sprekeler plasticity ({learn_ms / 1000:g} s)", fontsize=11)
    fig.tight_layout()
    fig.savefig(HERE / "plasticity_ei_balance.png", dpi=120)


def rate_hebbian_figure(duration=12000.0, eta=0.02, sample_ms=10.0):
    """Oja's rule on a rate projection (nd.rate_hebbian, as in python/tests/test_rate_hebbian.py):
    4 correlated inputs (3 Poisson-driven sources mixed) onto 2 linear units; each unit's
    weight vector turns to the top eigenvector of the inputs' <x x^T> and its norm to 1."""
    mixing = np.array([[1.0, 0.5, 0.2, 0.0], [0.3, 1.0, 0.0, 0.4], [0.0, 0.2, 1.0, 0.7]])
    w0 = np.array([[0.1, -0.2], [0.3, 0.05], [0.0, 0.2], [0.1, 0.1]])
    fast = {"tau": 1e-6, "transfer": "linear"}
    net = nd.Network(dt=DT, seed=3)
    z = net.population("z", "LeakyRate", 3, params=fast)
    x = net.population("x", "LeakyRate", 4, params=fast)
    y = net.population("y", "LeakyRate", 2, params=fast)
    net.poisson_input(z, rate=2000.0, weight=0.5, receptor="input")
    net.connect(z, x, nd.all_to_all(), weight=mixing, delay=DT, receptor="input")
    proj = net.connect(x, y, nd.all_to_all(), weight=w0, delay=0.3, receptor="input",
                       synapse=nd.rate_hebbian("oja", eta=eta), name="oja")
    net.record_weights(proj, synapses=list(range(8)), interval=sample_ms)
    sim = net.build()
    sim.run(duration)
    conn = sim.connections("oja")
    trace = sim.weight_trace("oja")
    samples = np.asarray(trace.values)  # samples x 8 synapses
    m = 2000.0 * DT / 1000.0  # Poisson count per step: mean = variance = m, times the weight 0.5
    C = mixing.T @ (0.25 * (m * np.eye(3) + m * m)) @ mixing
    values, vectors = np.linalg.eigh(C)
    top = vectors[:, -1]
    # Stationary mean of sin^2: eta dt sum_i <a_1^2 a_i^2> / (2 (l_1 - l_i)), a = V^T x, the
    # fourth moments of these sparse Poisson inputs from 10^6 draws (python/tests/test_rate_hebbian.py).
    a = (0.5 * np.random.default_rng(0).poisson(m, size=(1_000_000, 3)) @ mixing) @ vectors
    S = eta * DT * sum(np.mean(a[:, -1] ** 2 * a[:, i] ** 2) / (2 * (values[-1] - values[i])) for i in (1, 2))
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for unit in range(2):
        columns = np.nonzero(conn["target"] == unit)[0]
        w = np.zeros((samples.shape[0], 4))
        w[:, conn["source"][columns]] = samples[:, columns]
        norm = np.linalg.norm(w, axis=1)
        sin2 = 1.0 - (np.abs(w @ top) / norm) ** 2
        axes[0].semilogy(np.asarray(trace.times) / 1000.0, np.maximum(sin2, 1e-8), lw=1, label=f"unit {unit}")
        axes[1].plot(np.asarray(trace.times) / 1000.0, norm, lw=1, label=f"unit {unit}")
        late = np.asarray(trace.times) >= duration / 2
        print(f"rate_hebbian oja, unit {unit}: mean sin^2 to the top eigenvector over the second half "
              f"{sin2[late].mean():.1e} = {sin2[late].mean() / S:.2f} S (S = {S:.1e}), |w| = {norm[-1]:.4f}")
    axes[0].axhline(S, color="k", ls="--", lw=1, label="stationary mean S (theory)")
    axes[0].set_ylabel("sin² (w, top eigenvector of ⟨x xᵀ⟩)")
    axes[1].axhline(1.0, color="k", ls="--", lw=1)
    axes[1].set_ylabel("|w|")
    for ax in axes:
        ax.set_xlabel("time (s)")
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle(f"Oja's rule on a rate projection (eta = {eta} /ms, dt = {DT} ms)", fontsize=11)
    fig.tight_layout()
    fig.savefig(HERE / "plasticity_rate_hebbian.png", dpi=120)


FIGURES = dict(window=window_figure, pairing=pairing_figure, triplet=triplet_figure, vogels=vogels_figure,
               ei_balance=ei_balance_figure, dopamine=dopamine_figure, homeostasis=homeostasis_figure,
               rate_hebbian=rate_hebbian_figure)

if __name__ == "__main__":
    unknown = [name for name in sys.argv[1:] if name not in FIGURES]
    if unknown:
        sys.exit(f"unknown figure {', '.join(unknown)} (figures: {', '.join(FIGURES)})")
    for name in sys.argv[1:] or FIGURES:
        start = time.perf_counter()
        FIGURES[name]()
        print(f"[{name}: {time.perf_counter() - start:.1f} s]")
