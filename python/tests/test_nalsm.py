"""neurodyn.nalsm: the neuron-astrocyte liquid state machine (Ivanov & Michmizos 2021)
on the engine's modulator and modulated pair STDP, and NALSM's branching factor.

What is checked: the branching factor against a brute-force loop over spikes; the
astrocyte and the plastic weights against NALSM's equations replayed from the recorded
spikes; that astrocyte-modulated STDP brings the branching factor of a super-critical
and of a sub-critical liquid near 1 while the same STDP without the astrocyte leaves it
where it started; determinism; and the errors.
"""

import numpy as np
import pytest

import neurodyn as nd
import neurodyn.analysis as na
import neurodyn.nalsm as nn


# --- branching factor ------------------------------------------------------------------

def brute_force_branching_factor(steps, ids, sources, targets, n, window, first, last):
    """NALSM's compute_branching_factor.py, written as plainly as possible: per neuron,
    the mean over its spikes of descendants / max(ancestors, 1)."""
    pairs = set(zip(sources.tolist(), targets.tolist()))
    per_neuron = []
    for neuron in range(n):
        ratios = []
        for t in steps[ids == neuron]:
            if not first + window <= t < last - window:
                continue
            ancestors = sum(np.count_nonzero((steps[ids == j] >= t - window) & (steps[ids == j] < t))
                            for j in range(n) if (j, neuron) in pairs)
            descendants = sum(np.count_nonzero((steps[ids == j] > t) & (steps[ids == j] <= t + window))
                              for j in range(n) if (neuron, j) in pairs)
            ratios.append(descendants / max(ancestors, 1))
        per_neuron.append(np.mean(ratios) if ratios else np.nan)
    return np.array(per_neuron)


def test_branching_factor_equals_brute_force():
    rng = np.random.default_rng(11)
    for trial in range(3):
        n, steps = 25, 200
        # Several spikes per step and repeated pairs (multapses count once) included.
        times = rng.integers(0, steps, 500).astype(np.float64)
        ids = rng.integers(0, n, 500)
        sources, targets = rng.integers(0, n, 120), rng.integers(0, n, 120)
        fast = nn.branching_factor(times, ids, sources, targets, n, window=4.0, t_start=0.0, t_stop=steps,
                                   per_neuron=True)
        slow = brute_force_branching_factor(times.astype(int), ids, sources, targets, n, 4, 0, steps)
        np.testing.assert_array_equal(np.isnan(fast), np.isnan(slow))
        # Means of the same ratios, summed in another order: a few ulps.
        np.testing.assert_allclose(fast[~np.isnan(fast)], slow[~np.isnan(slow)], rtol=1e-12)
        assert nn.branching_factor(times, ids, sources, targets, n, t_start=0.0, t_stop=steps) == \
            pytest.approx(np.nanmean(slow), rel=1e-12)


def test_branching_factor_hand_case():
    # 0 -> 2, 1 -> 2, 2 -> 3. Neuron 2 spikes at 10 after 0 and 1 (at 7 and 9): 2
    # ancestors; neuron 3 follows at 12 and 14, and at 15 (outside (10, 14]): 2
    # descendants, ratio 1. Neuron 3 has no targets: ratio 0 for each of its spikes;
    # neurons 0 and 1 have one descendant each (the spike of 2 at 10) and no ancestors.
    times = np.array([7.0, 9.0, 10.0, 12.0, 14.0, 15.0])
    ids = np.array([0, 1, 2, 3, 3, 3])
    per_neuron = nn.branching_factor(times, ids, [0, 1, 2], [2, 2, 3], 4, window=4.0, t_start=0.0, t_stop=30.0,
                                     per_neuron=True)
    np.testing.assert_array_equal(per_neuron, [1.0, 1.0, 1.0, 0.0])
    # With a 2 ms window neuron 2 sees one ancestor (9) and one descendant (12): still 1;
    # neuron 0 at 7 sees no descendant in (7, 9].
    per_neuron = nn.branching_factor(times, ids, [0, 1, 2], [2, 2, 3], 4, window=2.0, t_start=0.0, t_stop=30.0,
                                     per_neuron=True)
    np.testing.assert_array_equal(per_neuron, [0.0, 1.0, 1.0, 0.0])


# --- the engine does what NALSM's equations say ------------------------------------------

@pytest.fixture(scope="module")
def small_run():
    # A 3 x 3 x 3 liquid with tau_syn = 2 ms (so the mV <-> nA conversion is exercised),
    # an astrocyte that starts away from its bias, and weights started away from their
    # bounds, so that no update is clipped and the replay below can add the changes in
    # any order.
    liquid = nn.NALSM(shape=(3, 3, 3), n_input=30, input_rate=150.0, initial_weight=1.5, astrocyte_weight=0.02,
                      astrocyte_initial=0.4, tau_syn=2.0, seed=3)
    sim = liquid.build()
    sim.run(400.0)
    return liquid, sim


def astrocyte_closed_form(liquid, spikes, t):
    """A(t) of tau dA/dt = bias - A with a jump of +w/tau per liquid spike and -w/tau
    per input spike (NALSM_ASTRO.py in continuous time), spikes at or before t."""
    tau, w = liquid.astrocyte_tau, liquid.astrocyte_weight
    value = liquid.astrocyte_bias + (liquid.astrocyte_initial - liquid.astrocyte_bias) * np.exp(-t / tau)
    for population, sign in (("E", 1.0), ("I", 1.0), ("input", -1.0)):
        times = spikes[population][0]
        times = times[times <= t]
        value += sign * w / tau * np.sum(np.exp(-(t - times) / tau))
    return value


def test_astrocyte_and_weights_follow_nalsm_equations(small_run):
    liquid, sim = small_run
    spikes = {p: sim.spikes(p) for p in ("input", "E", "I")}
    # Enough activity for the check to mean something (measured: 1783 input, 22 E, 17 I).
    assert len(spikes["input"][0]) > 1000 and len(spikes["E"][0]) > 10 and len(spikes["I"][0]) > 10
    # The modulator integrates exactly what the closed form sums: rounding only.
    assert sim.modulator("astrocyte") == pytest.approx(astrocyte_closed_form(liquid, spikes, sim.t), abs=1e-12)

    # Replay of NALSM's pair rule on input -> E (all-to-all traces growing by
    # trace_increment, decaying with stdp_tau; the delay d is dendritic as in the
    # engine, docs/plasticity.md): each pair with dt = t_post + d - t_pre potentiates by
    # learning_rate * a * exp(-dt/tau) if dt > 0 and depresses by A(t_pre) * a *
    # exp(dt/tau) if dt < 0, with A the astrocyte at the presynaptic spike.
    connections = sim.connections("input->E")
    start = connections["weight"] * liquid.tau_syn          # mV
    end = liquid.weights(sim)["input->E"]
    a, tau, d = liquid.trace_increment, liquid.stdp_tau, liquid.delay
    pre = [spikes["input"][0][spikes["input"][1] == i] for i in range(liquid.n_input)]
    post = [spikes["E"][0][spikes["E"][1] == j] for j in range(liquid.n_exc)]
    astro_at_pre = [np.array([astrocyte_closed_form(liquid, spikes, t) for t in times]) for times in pre]
    expected = []
    for source, target, w in zip(connections["source"], connections["target"], start):
        arrivals = post[target] + d
        arrivals = arrivals[arrivals <= sim.t]               # post spikes that have reached the synapse
        lag = arrivals[None, :] - pre[source][:, None]
        potentiation = liquid.learning_rate * a * np.sum(np.exp(-lag[lag > 0] / tau))
        depression = a * np.sum((astro_at_pre[source][:, None] * np.exp(lag / tau))[lag < 0])
        expected.append(w + potentiation - depression)
    expected = np.array(expected)
    assert np.max(np.abs(end - expected)) <= 1e-12 * liquid.w_max   # rounding of a few hundred updates
    assert np.max(np.abs(end - start)) > 0.05                        # and they did change (measured 0.14 mV)
    assert np.max(np.abs(end)) < liquid.w_max                         # no bound reached: the replay is exact


def test_mr_and_naive_methods_bin_the_liquid_activity(small_run):
    liquid, sim = small_run
    times = np.concatenate([sim.spikes("E")[0], sim.spikes("I")[0]]) - sim.dt   # step starts
    counts = np.histogram(times, bins=100, range=(0.0, 400.0))[0].astype(np.float64)
    assert nn.branching_ratio(sim, method="naive") == na.branching_ratio_naive(counts)
    assert nn.branching_ratio(sim, method="mr", k_max=5) == na.branching_ratio(counts, k_max=5).m


# --- the astrocyte organises the liquid near the critical branching factor ----------------

# Branching factor (NALSM's, 4 ms window) of the 1000-neuron liquid with 784 Poisson
# inputs at 20 Hz, over the last second of learning, seeds 1-10
# (`examples/python/nalsm.py --sweep`, table in docs/plasticity.md):
#   super-critical start (every weight at its bound 3 mV, NALSM's start), 2 s:
#     with the astrocyte 1.073 +- 0.038 (1.005-1.121), without 1.470 +- 0.027 (1.434-1.516)
#   sub-critical start (weights 1.5 mV), 4 s:
#     with the astrocyte 1.024 +- 0.020 (1.004-1.062), without 0.609 +- 0.041 (0.556-0.681)
# Bounds: the seed means plus or minus 4 standard deviations, rounded outwards. The
# astrocyte holds the liquid's spike count near the input's; the branching factor at
# that balance depends on the input rate (1.33 at 40 Hz in the same table, and 0.90
# after 2 s at 10 Hz), so this is a property of the 20 Hz setting, not of every input.
def test_astrocyte_brings_both_starts_near_one():
    sigma = {}
    for start, initial_weight, duration in (("super", 3.0, 2000.0), ("sub", 1.5, 4000.0)):
        for astrocyte in (True, False):
            liquid = nn.NALSM(astrocyte=astrocyte, initial_weight=initial_weight, input_rate=20.0, seed=1)
            sim = liquid.build()
            sim.run(duration)
            sigma[start, astrocyte] = nn.branching_ratio(sim, t_start=duration - 1000.0)
    # With the astrocyte, both starts end near 1: 1.073 + 4 x 0.038 and 1.024 + 4 x 0.020.
    assert abs(sigma["super", True] - 1.0) < 0.25, sigma
    assert abs(sigma["sub", True] - 1.0) < 0.15, sigma
    # Without it, each stays on its side: 1.470 - 4 x 0.027 and 0.609 + 4 x 0.041.
    assert sigma["super", False] - 1.0 > 0.35, sigma
    assert 1.0 - sigma["sub", False] > 0.2, sigma
    # The astrocyte's set point does not depend on the start (difference 0.049, sd 0.043
    # over the seeds); without it the starts stay 0.86 (sd 0.049) apart.
    assert abs(sigma["super", True] - sigma["sub", True]) < 0.25, sigma
    assert sigma["super", False] - sigma["sub", False] > 0.6, sigma


# --- determinism ---------------------------------------------------------------------------

def small_liquid(seed, **options):
    liquid = nn.NALSM(shape=(4, 4, 4), n_input=60, input_rate=40.0, seed=seed)
    sim = liquid.build(**options)
    sim.run(300.0)
    return liquid, sim


def test_same_seed_same_liquid_and_weights():
    liquid, sim = small_liquid(5)
    again, sim_again = small_liquid(5)
    split, sim_split = small_liquid(5, shards=3)   # another decomposition: the same numbers
    other, sim_other = small_liquid(6)
    for name in liquid.plastic_projections:
        w = sim.weights(name)
        np.testing.assert_array_equal(w, sim_again.weights(name))
        np.testing.assert_array_equal(w, sim_split.weights(name))
    assert sim.modulator("astrocyte") == sim_again.modulator("astrocyte") == sim_split.modulator("astrocyte")
    assert all(not np.array_equal(sim.weights(name), sim.connections(name)["weight"])
               for name in liquid.plastic_projections)   # they learnt something
    for name in ("E->E", "input->E"):
        assert not np.array_equal(sim.connections(name)["source"], sim_other.connections(name)["source"])


def test_without_astrocyte_there_is_no_modulator_and_a_fixed_rate():
    liquid = nn.NALSM(shape=(3, 3, 3), n_input=10, astrocyte=False, astrocyte_bias=0.1, seed=1)
    assert liquid.modulator is None
    sim = liquid.build()
    with pytest.raises(nd.NeurodynError):
        sim.modulator("astrocyte")
    assert liquid.plastic_projections == ["input->E", "input->I", "E->E", "E->I"]
    assert nn.NALSM(shape=(3, 3, 3), n_input=10, plastic="E").plastic_projections == ["E->E", "E->I"]


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("arguments, key", [
    ({"shape": (10, 10)}, "shape"),
    ({"shape": (10, 0, 10)}, "shape"),
    ({"n_input": 0}, "n_input"),
    ({"n_input": 2.5}, "n_input"),
    ({"input_rate": -1.0}, "input_rate"),
    ({"input_density": 1.5}, "input_density"),
    ({"excitatory_fraction": 1.0}, "excitatory_fraction"),
    ({"excitatory_fraction": 0.0}, "excitatory_fraction"),
    ({"connection_probability": {"EE": -0.1}}, "connection_probability['EE']"),
    ({"lam": 0.0}, "lam"),
    ({"w_max": 0.0}, "w_max"),
    ({"initial_weight": 4.0}, "initial_weight"),
    ({"initial_weight": float("nan")}, "initial_weight"),
    ({"learning_rate": -0.1}, "learning_rate"),
    ({"astrocyte_weight": -0.01}, "astrocyte_weight"),
    ({"astrocyte_tau": 0.0}, "astrocyte_tau"),
    ({"astrocyte_bias": float("inf")}, "astrocyte_bias"),
    ({"astrocyte": False, "astrocyte_bias": -0.1}, "astrocyte_bias"),
    ({"astrocyte_initial": "high"}, "astrocyte_initial"),
    ({"stdp_tau": -10.0}, "stdp_tau"),
    ({"trace_increment": 0.0}, "trace_increment"),
    ({"plastic": ("input", "I")}, "plastic"),
    ({"tau_m": 0.0}, "tau_m"),
    ({"v_thresh": -5.0}, "v_thresh"),
    ({"tau_refrac": -1.0}, "tau_refrac"),
    ({"tau_syn": 0.0}, "tau_syn"),
    ({"dt": 0.0}, "dt"),
    ({"delay": 0.5}, "delay"),
    ({"input_spike_times": [[1.0]] * 3}, "input_spike_times"),
])
def test_bad_parameter_names_itself(arguments, key):
    options = {"shape": (3, 3, 3), "n_input": 10, **arguments}
    with pytest.raises(nd.NeurodynValueError) as error:
        nn.NALSM(**options)
    assert error.value.key == key
    assert key.split("[")[0] in str(error.value)


def test_unknown_connection_pair():
    with pytest.raises(nd.NeurodynKeyError, match="unknown pair 'EX'"):
        nn.NALSM(shape=(3, 3, 3), n_input=10, connection_probability={"EX": 0.1})


def test_branching_ratio_errors(small_run):
    _, sim = small_run
    with pytest.raises(nd.NeurodynValueError, match="method must be"):
        nn.branching_ratio(sim, method="avalanche")
    with pytest.raises(nd.NeurodynKeyError, match="unknown population 'X'"):
        nn.branching_ratio(sim, populations=("E", "X"))
    with pytest.raises(nd.NeurodynValueError, match="t_stop must be > t_start"):
        nn.branching_ratio(sim, t_start=300.0, t_stop=100.0)
    with pytest.raises(nd.NeurodynValueError, match="window must be"):
        nn.branching_ratio(sim, window=0.4)
    with pytest.raises(nd.NeurodynValueError, match="fewer than 2 bins"):
        nn.branching_ratio(sim, method="mr", window=300.0)
    with pytest.raises(nd.NeurodynValueError, match="no spike a whole window"):
        nn.branching_ratio(sim, t_start=0.0, t_stop=8.0)
    with pytest.raises(nd.NeurodynValueError, match=r"ids must be in \[0, 3\)"):
        nn.branching_factor([1.0, 2.0], [0, 3], [0], [1], 3)
    with pytest.raises(nd.NeurodynValueError, match="sources and targets must be in"):
        nn.branching_factor([1.0, 2.0], [0, 1], [0], [5], 3)
    with pytest.raises(nd.NeurodynValueError, match="times must be finite"):
        nn.branching_factor([1.0, np.nan], [0, 1], [0], [1], 3)
