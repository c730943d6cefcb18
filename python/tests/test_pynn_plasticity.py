"""PyNN's STDP rules beyond the pair rule in neurodyn.pynn (docs/pynn.md): PyNN's
Vogels2011Rule (neurodyn's vogels_sprekeler timing rule) and neurodyn's
PfisterSpikeTripletRule (its triplet rule; PyNN has no standard triplet class), through
STDPMechanism.

Each rule runs a forced-timing protocol (every pre and post spike placed by a
SpikeSourceArray; the postsynaptic neuron fires exactly when its driver says) once
through PyNN and once through neurodyn's own API: the weights must be identical, and
equal to the rule's closed form. PyNN's parameter names and defaults (rho -> rho0),
negative bounds for inhibition onto current-based neurons, and the errors for what the
engine cannot do are checked too.
"""

import sys

import numpy as np
import pytest

from conftest import build_dir

PACKAGE_DIR = build_dir() / "python"
if not (PACKAGE_DIR / "neurodyn" / "__init__.py").is_file():
    pytest.skip(f"the Python package is not built: {PACKAGE_DIR} has no neurodyn", allow_module_level=True)
sys.path.insert(0, str(PACKAGE_DIR))

pytest.importorskip("pyNN", reason="python3-pynn is not installed (scripts/setup.sh)")
pytest.importorskip("neo", reason="python3-neo is not installed (scripts/setup.sh)")

import neurodyn as nd  # noqa: E402
import neurodyn.pynn as sim  # noqa: E402

DT = 0.1
DELAY = 1.0  # ms, the plastic synapses' (dendritic) delay
POST = dict(tau_m=1e15, v_rest=0.0, v_thresh=50.0, v_reset=0.0, tau_refrac=0.0)  # IF_curr_delta, no leak
# Pfister & Gerstner (2006) Table 4, visual cortex, minimal all-to-all model.
MINIMAL = dict(tau_plus=16.8, tau_x=101.0, tau_minus=33.7, tau_y=114.0,
               A2_plus=0.0, A3_plus=6.5e-3, A2_minus=7.1e-3, A3_minus=0.0)


@pytest.fixture
def pynn():
    sim.setup(timestep=DT)
    yield sim
    sim.end()


def end_of(pre_times, post_times):
    """A duration after every spike has reached its synapse."""
    return max(max(t) for t in list(pre_times) + list(post_times)) + 50.0


def pynn_weights(pre_times, post_times, stdp, receptor="excitatory", duration=None):
    """Synapse i: pre i fires at pre_times[i]; post i is made to fire at post_times[i]
    by a 100 mV input, so that its spike reaches the synapse at post_times[i] + DELAY."""
    n = len(pre_times)
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in pre_times]))
    driver = sim.Population(n, sim.SpikeSourceArray(spike_times=[sim.Sequence([x - 1.0 for x in t]) for t in post_times]))
    post = sim.Population(n, sim.IF_curr_delta(**POST))
    post.initialize(v=0.0)
    post.record("spikes")
    projection = sim.Projection(pre, post, sim.OneToOneConnector(), stdp, receptor_type=receptor)
    sim.Projection(driver, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=100.0, delay=1.0))
    sim.run(duration or end_of(pre_times, post_times))
    spikes = sum(len(train) for train in post.get_data("spikes").segments[-1].spiketrains)
    weights = np.array(projection.get("weight", format="list"))
    return weights[:, 2], spikes


def native_weights(pre_times, post_times, synapse, w0, receptor="excitatory", duration=None):
    """The same network through neurodyn's own API."""
    n = len(pre_times)
    net = nd.Network(dt=DT, seed=12345)
    pre = net.population("pre", "SpikeSourceArray", n, spike_times=pre_times)
    driver = net.population("driver", "SpikeSourceArray", n, spike_times=[[x - 1.0 for x in t] for t in post_times])
    post = net.population("post", "IF_curr_delta", n, params=POST, initial={"v": 0.0})
    net.connect(pre, post, nd.one_to_one(), weight=w0, delay=DELAY, receptor=receptor, synapse=synapse, name="plastic")
    net.connect(driver, post, nd.one_to_one(), weight=100.0, delay=1.0)
    s = net.build()
    s.run(duration or end_of(pre_times, post_times))
    return s.weights("plastic"), s.spike_counts()["post"]


def vogels_protocol():
    """One pre spike at 100 ms and one post spike per synapse, arriving Δt = -60 ... +60
    ms after it (Δt in steps)."""
    offsets = np.arange(-600, 601, 50)
    return offsets, [[100.0]] * offsets.size, [[100.0 + k * DT - DELAY] for k in offsets]


@pytest.mark.parametrize("receptor,bounds,w0", [
    ("excitatory", dict(w_min=0.0, w_max=1.0), 0.5),
    # PyNN: inhibitory weights onto current-based neurons are negative, and so are the
    # bounds (NEST's negative Wmax): the magnitude follows the rule.
    ("inhibitory", dict(w_min=-1.0, w_max=0.0), -0.5),
])
def test_vogels2011_rule_equals_the_native_rule_and_its_closed_form(pynn, receptor, bounds, w0):
    eta, tau, rho = 0.01, 20.0, 5.0
    offsets, pre, post = vogels_protocol()
    stdp = sim.STDPMechanism(timing_dependence=sim.Vogels2011Rule(tau=tau, eta=eta, rho=rho),
                             weight_dependence=sim.AdditiveWeightDependence(**bounds), weight=w0, delay=DELAY)
    weights, spikes = pynn_weights(pre, post, stdp, receptor)
    native, native_spikes = native_weights(
        pre, post, nd.stdp(timing="vogels_sprekeler", eta=eta, tau=tau, rho0=rho, **bounds), w0, receptor)
    assert spikes == native_spikes == offsets.size  # exactly the forced spikes
    np.testing.assert_array_equal(weights, native)
    # The symmetric window eta exp(-|Δt|/tau) (none at Δt = 0, as NEST) and one constant
    # depression eta alpha, alpha = 2 rho tau: one exp and two additions, a few ulps.
    delta_t = offsets * DT
    magnitude = 0.5 - eta * 2 * rho * tau * 1e-3 + np.where(offsets != 0, eta * np.exp(-np.abs(delta_t) / tau), 0.0)
    np.testing.assert_allclose(weights, np.sign(w0) * magnitude, rtol=0, atol=4e-16)


def test_vogels2011_rule_takes_pynns_defaults(pynn):
    # PyNN's defaults: tau = 20 ms, eta = 1e-10, rho = 3 Hz.
    assert sim.Vogels2011Rule.default_parameters == {"tau": 20.0, "eta": 1e-10, "rho": 3.0}
    offsets, pre, post = vogels_protocol()
    stdp = sim.STDPMechanism(timing_dependence=sim.Vogels2011Rule(),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0), weight=0.5,
                             delay=DELAY)
    weights, _ = pynn_weights(pre, post, stdp)
    native, _ = native_weights(pre, post, nd.stdp(timing="vogels_sprekeler", eta=1e-10, tau=20.0, rho0=3.0,
                                                  w_min=0.0, w_max=1.0), 0.5)
    np.testing.assert_array_equal(weights, native)
    change = weights - 0.5
    expected = 1e-10 * (np.where(offsets != 0, np.exp(-np.abs(offsets * DT) / 20.0), 0.0) - 2 * 3.0 * 20.0 * 1e-3)
    # Changes of ~1e-10 on a weight of 0.5 (ulp 1.1e-16): 3 ulps of the weight.
    np.testing.assert_allclose(change, expected, rtol=0, atol=4e-16)


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


def test_triplet_rule_equals_the_native_rule_and_its_closed_form(pynn):
    # Sjöström et al.'s pairing protocol: 60 pairings at Δt = +-10 ms, 10, 20 and 50 Hz.
    cases = [(f, dt) for f in (10.0, 20.0, 50.0) for dt in (10.0, -10.0)]
    pre = [[100.0 + k * 1000.0 / f for k in range(60)] for f, _ in cases]
    post = [[t + dt - DELAY for t in times] for times, (_, dt) in zip(pre, cases)]
    stdp = sim.STDPMechanism(timing_dependence=sim.PfisterSpikeTripletRule(**MINIMAL),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=10.0), weight=5.0,
                             delay=DELAY)
    weights, spikes = pynn_weights(pre, post, stdp)
    native, native_spikes = native_weights(pre, post, nd.stdp(timing="triplet", w_min=0.0, w_max=10.0, **MINIMAL), 5.0)
    assert spikes == native_spikes == 60 * len(cases)
    np.testing.assert_array_equal(weights, native)
    expected = [pairing_protocol_change(MINIMAL, 1000.0 / f, dt, 60) for f, dt in cases]
    # ~60 sums of products of exponentials in another order: 1e-9 relative (C++ test).
    np.testing.assert_allclose(weights - 5.0, expected, rtol=1e-9, atol=0)
    by_case = dict(zip(cases, weights - 5.0))
    assert by_case[(10.0, -10.0)] < 0 < by_case[(50.0, -10.0)]  # anti-causal: LTD at 10 Hz, LTP at 50 Hz


def test_triplet_rule_defaults_are_neurodyns(pynn):
    defaults = sim.PfisterSpikeTripletRule.default_parameters
    assert defaults == dict(tau_plus=16.8, tau_x=101.0, tau_minus=33.7, tau_y=125.0, A2_plus=5e-10, A3_plus=6.2e-3,
                            A2_minus=7e-3, A3_minus=2.3e-4)
    assert nd.stdp(timing="triplet").stdp_parameters == dict(timing="triplet", w_min=0.0, w_max=1.0, **defaults)


def test_errors_name_what_neurodyn_cannot_do(pynn):
    additive = sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0)
    for rule in (sim.Vogels2011Rule(), sim.PfisterSpikeTripletRule()):
        with pytest.raises(NotImplementedError, match=rf"{type(rule).__name__} and MultiplicativeWeightDependence "
                                                      rf"\({type(rule).__name__} takes AdditiveWeightDependence only"):
            sim.STDPMechanism(timing_dependence=rule, weight_dependence=sim.MultiplicativeWeightDependence())
    # A parameter that differs between the connections of a projection.
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[10.0]))
    post = sim.Population(2, sim.IF_curr_exp())
    stdp = sim.STDPMechanism(timing_dependence=sim.Vogels2011Rule(eta=sim.RandomDistribution("uniform", (0.0, 0.1))),
                             weight_dependence=additive, weight=0.5)
    sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    with pytest.raises(NotImplementedError, match=r"STDPMechanism with eta differing between connections"):
        sim.run(10.0)


@pytest.mark.parametrize("rule,message", [
    (lambda: sim.Vogels2011Rule(tau=-1.0), r"synapse\.timing\.tau: vogels_sprekeler rule tau must be > 0 ms, got -1"),
    (lambda: sim.Vogels2011Rule(rho=-3.0), r"synapse\.timing\.rho0: vogels_sprekeler rule rho0 must be a finite rate "
                                           r">= 0 Hz, got -3"),
    (lambda: sim.PfisterSpikeTripletRule(tau_y=0.0), r"synapse\.timing\.tau_y: triplet rule tau_y must be > 0 ms, got 0"),
])
def test_bad_parameters_are_named_by_the_engine(pynn, rule, message):
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    post = sim.Population(1, sim.IF_curr_exp())
    sim.Projection(pre, post, sim.OneToOneConnector(),
                   sim.STDPMechanism(timing_dependence=rule(), weight_dependence=sim.AdditiveWeightDependence(),
                                     weight=0.5))
    with pytest.raises(ValueError, match=message):
        sim.run(10.0)
