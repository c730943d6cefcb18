"""The triplet and Vogels–Sprekeler STDP rules from Python (docs/plasticity.md).

nd.stdp(timing="triplet", ...): the pairing protocol of Sjöström et al. (2001) at 10,
20 and 50 Hz against the closed form of Pfister & Gerstner's minimal model.
nd.stdp(timing="vogels_sprekeler", ...): the symmetric window and the constant
depression against their closed form, with positive and with negative (NEST Wmax)
bounds; a Poisson-driven population whose plastic inhibition brings it to the target
rate. Determinism, the parameter summary, and an error naming the key for each bad
argument. The C++ tests (tests/integration/test_stdp_triplet.cpp, test_stdp_vogels.cpp)
cover the model file, decompositions and a replay of a plastic network.
"""

import sys

import numpy as np
import pytest

from conftest import build_dir

PACKAGE_DIR = build_dir() / "python"
if not (PACKAGE_DIR / "neurodyn" / "__init__.py").is_file():
    pytest.skip(f"the Python package is not built: {PACKAGE_DIR} has no neurodyn", allow_module_level=True)
sys.path.insert(0, str(PACKAGE_DIR))

import neurodyn as nd  # noqa: E402

DT = 0.1
DELAY = 1.0  # ms, the plastic projection's (dendritic) delay
# Pfister & Gerstner (2006) Table 4, visual cortex, minimal all-to-all model.
MINIMAL = dict(tau_plus=16.8, tau_x=101.0, tau_minus=33.7, tau_y=114.0,
               A2_plus=0.0, A3_plus=6.5e-3, A2_minus=7.1e-3, A3_minus=0.0)


def forced_pairs_network(pre_times, post_times, synapse, w0, duration_pad=50.0):
    """Synapse i: pre i fires at pre_times[i]; post i (IF_curr_delta without leak, 50 mV
    threshold) is made to fire at post_times[i] by a 100 mV input, so that its spike
    reaches the synapse at post_times[i] + DELAY."""
    n = len(pre_times)
    net = nd.Network(dt=DT, seed=5)
    pre = net.population("pre", "SpikeSourceArray", n, spike_times=pre_times)
    driver = net.population("driver", "SpikeSourceArray", n, spike_times=[[t - 1.0 for t in ts] for ts in post_times])
    post = net.population("post", "IF_curr_delta", n,
                          params={"tau_m": 1e15, "v_rest": 0.0, "v_thresh": 50.0, "v_reset": 0.0, "tau_refrac": 0.0},
                          initial={"v": 0.0})
    net.connect(pre, post, nd.one_to_one(), weight=w0, delay=DELAY, synapse=synapse, name="plastic")
    net.connect(driver, post, nd.one_to_one(), weight=100.0, delay=1.0)
    net.duration = max(max(ts) for ts in pre_times) + duration_pad
    return net


def pairing_protocol_change(p, period, delta_t, n):
    """Closed form of the all-to-all triplet model for n pairings at `period` (ms), the
    post spike reaching the synapse delta_t after the pre spike (test_stdp_triplet.cpp)."""
    def geometric(q, k):  # sum_{m=1..k} q^m
        return q * (1.0 - q ** k) / (1.0 - q)
    q_plus, q_minus = np.exp(-period / p["tau_plus"]), np.exp(-period / p["tau_minus"])
    q_x, q_y = np.exp(-period / p["tau_x"]), np.exp(-period / p["tau_y"])
    change = 0.0
    for k in range(n):
        r1 = np.exp(-delta_t / p["tau_plus"]) * ((1.0 if delta_t > 0 else 0.0) + geometric(q_plus, k))
        o1 = np.exp(delta_t / p["tau_minus"]) * ((0.0 if delta_t > 0 else 1.0) + geometric(q_minus, k))
        change += r1 * (p["A2_plus"] + p["A3_plus"] * geometric(q_y, k))
        change -= o1 * (p["A2_minus"] + p["A3_minus"] * geometric(q_x, k))
    return change


def test_triplet_pairing_protocol_matches_the_minimal_model():
    synapse = nd.stdp(timing="triplet", w_min=0.0, w_max=10.0, **MINIMAL)
    assert synapse.stdp_parameters == dict(timing="triplet", w_min=0.0, w_max=10.0, **MINIMAL)
    assert repr(synapse).startswith("neurodyn.stdp(timing='triplet', tau_plus=16.8, tau_x=101")
    cases = [(f, dt) for f in (10.0, 20.0, 50.0) for dt in (10.0, -10.0)]
    pre, post = [], []
    for f, dt in cases:
        times = [100.0 + k * 1000.0 / f for k in range(60)]
        pre.append(times)
        post.append([t + dt - DELAY for t in times])
    sim = forced_pairs_network(pre, post, synapse, w0=5.0).build()
    sim.run()
    assert sim.spike_counts()["post"] == 60 * len(cases)  # exactly the forced spikes
    change = sim.weights("plastic") - 5.0
    expected = [pairing_protocol_change(MINIMAL, 1000.0 / f, dt, 60) for f, dt in cases]
    # ~60 sums of products of exponentials in another order: 1e-9 relative (C++ test).
    np.testing.assert_allclose(change, expected, rtol=1e-9, atol=0)
    by_case = dict(zip(cases, change))
    assert by_case[(10.0, -10.0)] < 0 < by_case[(50.0, -10.0)]  # anti-causal: LTD at 10 Hz, LTP at 50 Hz
    assert 0 < by_case[(10.0, 10.0)] < by_case[(20.0, 10.0)] < by_case[(50.0, 10.0)]


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_vogels_window_and_constant_depression(sign):
    eta, tau, rho0, w0 = 0.01, 20.0, 5.0, 0.5
    bounds = dict(w_min=0.0, w_max=1.0) if sign > 0 else dict(w_min=-1.0, w_max=0.0)
    synapse = nd.stdp(timing="vogels_sprekeler", eta=eta, tau=tau, rho0=rho0, **bounds)
    params = synapse.stdp_parameters
    assert params["timing"] == "vogels_sprekeler" and params["alpha"] == pytest.approx(0.2, abs=1e-15)
    offsets = np.arange(-600, 601, 50)  # Δt in steps
    t_pre = 100.0
    sim = forced_pairs_network([[t_pre]] * len(offsets), [[t_pre + k * DT - DELAY] for k in offsets], synapse,
                               w0=sign * w0, duration_pad=100.0).build()  # every post spike arrives
    sim.run()
    delta_t = offsets * DT
    magnitude = w0 - eta * 2 * rho0 * tau * 1e-3 + np.where(offsets != 0, eta * np.exp(-np.abs(delta_t) / tau), 0.0)
    # One exp and two additions: a few ulps.
    np.testing.assert_allclose(sim.weights("plastic"), sign * magnitude, rtol=0, atol=4e-16)


def balance_network(w0, seed=2011):
    """100 IF_curr_exp neurons driven by Poisson excitation (~30 Hz alone), each with 400
    plastic inhibitory synapses (negative currents) from 800 Poisson sources at 10 Hz."""
    net = nd.Network(dt=DT, seed=seed)
    exc = net.population("E", "IF_curr_exp", 100, initial={"v": nd.uniform(-65.0, -55.0)})
    inh = net.population("I", "SpikeSourcePoisson", 800, params={"rate": 10.0})
    bound = 0.125
    net.connect(inh, exc, nd.fixed_number_pre(400), weight=w0, delay=1.0, receptor="inhibitory",
                synapse=nd.stdp(timing="vogels_sprekeler", eta=0.01 * bound, tau=20.0, rho0=5.0,
                                w_min=-bound, w_max=0.0),
                name="IE")
    net.poisson_input(exc, rate=10000.0, weight=0.025)
    return net


def test_vogels_inhibition_brings_the_rate_to_the_target():
    sim = balance_network(w0=0.0).build()
    sim.run(2000.0)
    first = sim.spike_counts()["E"] / 100 / 2.0
    sim.run(18000.0)
    before = sim.spike_counts()["E"]
    sim.run(20000.0)
    measured = (sim.spike_counts()["E"] - before) / 100 / 20.0
    assert first > 20.0  # far above the target at first
    # The tolerance of test_stdp_vogels.cpp: 4 sigma of the ~1e4 counted spikes (0.2 Hz),
    # the bias of the fixed point from pre-post correlations (~0.1 Hz with 400
    # synapses per neuron) and the wandering of the population rate (~0.1 Hz).
    assert measured == pytest.approx(5.0, abs=0.5)


def test_same_seed_same_weights():
    def run():
        sim = balance_network(w0=-0.01).build()
        sim.run(500.0)
        return sim.weights("IE"), sim.spike_counts()
    (w_a, counts_a), (w_b, counts_b) = run(), run()
    np.testing.assert_array_equal(w_a, w_b)
    assert counts_a == counts_b
    assert np.any(w_a != np.float32(-0.01))  # the weights moved


@pytest.mark.parametrize("arguments,message", [
    (dict(timing="triplet", tau_x=0.0), r"synapse.timing.tau_x: triplet rule tau_x must be > 0 ms, got 0"),
    (dict(timing="triplet", tau_y=-3.0), r"synapse.timing.tau_y: triplet rule tau_y must be > 0 ms, got -3"),
    (dict(timing="triplet", A3_plus=-1.0), r"synapse.timing.A3_plus: triplet rule A3_plus must be a finite weight >= 0"),
    (dict(timing="triplet", A2_minus=float("nan")), r"synapse.timing.A2_minus"),
    (dict(timing="triplet", weight_dependence="multiplicative"),
     r"synapse.weight_dependence: the triplet rule .* takes the additive weight dependence only, got multiplicative"),
    (dict(timing="vogels_sprekeler", tau=0.0), r"synapse.timing.tau: vogels_sprekeler rule tau must be > 0 ms, got 0"),
    (dict(timing="vogels_sprekeler", eta=-1.0), r"synapse.timing.eta: vogels_sprekeler rule eta must be a finite"),
    (dict(timing="vogels_sprekeler", rho0=-5.0), r"synapse.timing.rho0: .* rate >= 0 Hz, got -5"),
    (dict(timing="vogels_sprekeler", w_min=-1.0, w_max=1.0), r"synapse.weight_dependence.w_min: .* must not straddle 0"),
    (dict(timing="vogels_sprekeler", w_max=0.1), r"projection\[0\].weight: the initial weight 0.5 of an stdp synapse"),
])
def test_each_bad_parameter_is_named(arguments, message):
    values = dict(w_max=1.0)
    values.update(arguments)
    with pytest.raises(nd.NeurodynValueError, match=message):
        forced_pairs_network([[10.0]], [[20.0]], nd.stdp(**values), w0=0.5).build()


def test_parameters_of_another_rule_and_unknown_rules_are_refused_at_once():
    with pytest.raises(nd.NeurodynValueError, match=r"stdp: 'A_plus' is not a parameter of timing='triplet' "
                                                    r"\(its parameters: tau_plus, tau_x, .*A3_minus\)"):
        nd.stdp(timing="triplet", A_plus=0.01)
    with pytest.raises(nd.NeurodynValueError, match=r"'tau_plus' is not a parameter of timing='vogels_sprekeler'"):
        nd.stdp(timing="vogels_sprekeler", tau_plus=20.0)
    with pytest.raises(nd.NeurodynValueError, match=r"'eta' is not a parameter of timing='spike_pair'"):
        nd.stdp(eta=0.01)
    with pytest.raises(nd.NeurodynValueError, match=r"unknown timing 'tripplet'.*did you mean"):
        nd.stdp(timing="tripplet")
    # The pair rule keeps its defaults and its summary.
    assert nd.stdp().stdp_parameters["timing"] == "spike_pair"
    assert nd.stdp().stdp_parameters["tau_plus"] == 20.0
