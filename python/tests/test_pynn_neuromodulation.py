"""Neuromodulation and homeostasis through neurodyn.pynn (docs/pynn.md, "Neuromodulation
and homeostasis"): Modulator, modulate(), STDPMechanism with DopamineSTDPRule and with a
modulated SpikePairRule, homeostasis() and homeostasis_rates().

Each network is built once through PyNN and once through neurodyn's own API (the same
populations, connections, modulators and rules in the same order, the same seed): the
backend only translates, so weights, eligibilities, modulator values, adapted
parameters, rate estimates and spikes must be bit-identical. The engine's rules are
validated against their closed forms in test_stdp_dopamine.py and test_homeostasis.py;
here the schedule of a modulator is checked against its closed form once more, because
releases made before the first run go through the backend's own queue. The errors name
the bad parameter, rule or modulator.
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
SEED = 4321
N_PRE, N_POST = 30, 8
I_OFFSET = np.linspace(0.3, 1.2, N_POST)  # nA: post neurons from silent to ~40 Hz on their own
REWARD_TIMES = [150.0, 420.0, 610.0]
DOPAMINE = dict(tau=200.0, baseline=0.002, initial=0.01, release_times=[300.0], release_amounts=[0.4])
ASTROCYTE = dict(tau=50.0, baseline=1.0, initial=1.0)
RULE = dict(tau_plus=20.0, tau_minus=30.0, A_plus=2e-4, A_minus=3e-4, tau_c=400.0, b=0.005)
PAIR = dict(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.012)
BOUNDS = dict(w_min=0.0, w_max=0.5)
W0 = 0.25  # exactly representable in float32, the engine's weight type


@pytest.fixture
def pynn():
    sim.setup(timestep=DT, rng_seed=SEED)
    yield sim
    sim.end()


def spike_trains(population):
    """One array of spike times (ms) per neuron, from the last segment."""
    return [np.asarray(train.magnitude) for train in population.get_data("spikes").segments[-1].spiketrains]


def native_spike_trains(simulation, population, size):
    times, indices = simulation.spikes(population)
    return [times[indices == i] for i in range(size)]


def native_matrix(simulation, projection, values, n_pre, n_post):
    """Per-synapse `values` (connection order) as a [pre, post] matrix, NaN where none."""
    connections = simulation.connections(projection)
    matrix = np.full((n_pre, n_post), np.nan)
    matrix[connections["source"], connections["target"]] = values
    return matrix


# --- dopamine STDP and the modulated pair rule ----------------------------------------------

def pynn_modulated_network():
    """Poisson inputs onto neurons with a spread of biases, through a dopamine-modulated
    projection and an astrocyte-modulated pair-rule projection. The reward population
    feeds the dopamine; the astrocyte rises with the output and falls with the input."""
    pre = sim.Population(N_PRE, sim.SpikeSourcePoisson(rate=15.0), label="pre")
    post = sim.Population(N_POST, sim.IF_curr_exp(i_offset=I_OFFSET), label="post")
    reward = sim.Population(1, sim.SpikeSourceArray(spike_times=REWARD_TIMES), label="reward")
    dopamine = sim.Modulator("DA", sources=[(reward, 0.05)], **DOPAMINE)
    astrocyte = sim.Modulator("astro", sources={post: 0.02, pre: -0.004}, **ASTROCYTE)
    three_factor = sim.STDPMechanism(timing_dependence=sim.DopamineSTDPRule(**RULE),
                                     weight_dependence=sim.AdditiveWeightDependence(**BOUNDS), modulator="DA",
                                     weight=W0, delay=1.0)
    dopamine_projection = sim.Projection(pre, post, sim.AllToAllConnector(), three_factor)
    modulated_pair = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(**PAIR),
                                       weight_dependence=sim.AdditiveWeightDependence(**BOUNDS), modulator=astrocyte,
                                       weight=W0, delay=1.0)
    pair_projection = sim.Projection(pre, post, sim.AllToAllConnector(), modulated_pair)
    post.record("spikes")
    return post, dopamine, astrocyte, dopamine_projection, pair_projection


def native_modulated_network():
    """The same network through neurodyn's own API, in the order the backend builds it."""
    net = nd.Network(dt=DT, seed=SEED)
    pre = net.population("pre", "SpikeSourcePoisson", N_PRE, params={"rate": 15.0})
    post = net.population("post", "IF_curr_exp", N_POST, params={"i_offset": I_OFFSET})
    reward = net.population("reward", "SpikeSourceArray", 1, spike_times=REWARD_TIMES)
    net.modulator("DA", sources={reward: 0.05}, **DOPAMINE)
    net.modulator("astro", sources={pre: -0.004, post: 0.02}, **ASTROCYTE)
    net.connect(pre, post, nd.all_to_all(), weight=W0, delay=1.0, name="dopamine",
                synapse=nd.stdp(timing="dopamine", modulator="DA", **RULE, **BOUNDS))
    net.connect(pre, post, nd.all_to_all(), weight=W0, delay=1.0, name="pair",
                synapse=nd.stdp(modulator="astro", **PAIR, **BOUNDS))
    net.record_spikes(post)
    return net


def test_modulated_stdp_through_pynn_is_identical_to_the_native_network(pynn):
    post, dopamine, astrocyte, dopamine_projection, pair_projection = pynn_modulated_network()
    assert np.all(dopamine_projection.get("eligibility", format="array") == 0.0)  # before the first run
    assert dopamine.value == DOPAMINE["initial"]
    sim.modulate("DA", 0.2)               # at the first step
    sim.modulate(dopamine, 0.3, at=500.0)  # a reward scheduled before the first run
    native = native_modulated_network().build()
    native.modulate("DA", 0.2)
    native.modulate("DA", 0.3, at=500.0)
    for duration in (350.0, 450.0):
        sim.run(duration)
        native.run(duration)
        if duration == 350.0:  # an immediate release between runs
            dopamine.release(0.25)
            native.modulate("DA", 0.25)
    assert sim.get_current_time() == pytest.approx(800.0, abs=1e-9)
    # Bit-identical: the same network, the same seed, the same engine.
    assert dopamine.value == native.modulator("DA")
    assert astrocyte.value == native.modulator("astro")
    assert astrocyte.value != ASTROCYTE["initial"]  # the sources did act
    for projection, name in ((dopamine_projection, "dopamine"), (pair_projection, "pair")):
        weights = projection.get("weight", format="array")
        np.testing.assert_array_equal(weights, native_matrix(native, name, native.weights(name), N_PRE, N_POST))
        assert np.ptp(weights) > 1e-3  # the rule did change the weights (and differently per synapse)
    eligibility = dopamine_projection.get("eligibility", format="array")
    np.testing.assert_array_equal(
        eligibility, native_matrix(native, "dopamine", native.eligibilities("dopamine"), N_PRE, N_POST))
    assert np.all(eligibility != 0.0) and np.ptp(eligibility) > 0.0  # every synapse paired, each its own way
    trains = spike_trains(post)
    for ours, theirs in zip(trains, native_spike_trains(native, "post", N_POST)):
        np.testing.assert_array_equal(ours, theirs)
    assert sum(t.size for t in trains) > 50
    # reset(): the synapses start again from the weights as set, with no eligibility.
    sim.reset()
    for projection in (dopamine_projection, pair_projection):
        np.testing.assert_array_equal(projection.get("weight", format="array"), np.full((N_PRE, N_POST), W0))
    np.testing.assert_array_equal(dopamine_projection.get("eligibility", format="array"), np.zeros((N_PRE, N_POST)))
    assert dopamine.value == DOPAMINE["initial"]


def test_same_seed_gives_the_same_result_and_another_seed_does_not():
    results = []
    for seed in (SEED, SEED, SEED + 1):
        sim.setup(timestep=DT, rng_seed=seed)
        _, dopamine, _, projection, _ = pynn_modulated_network()
        sim.run(300.0)
        results.append((projection.get("weight", format="array"), dopamine.value))
        sim.end()
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]
    assert not np.array_equal(results[0][0], results[2][0])  # other Poisson trains


def test_dopamine_rule_takes_the_engines_defaults(pynn):
    defaults = dict(tau_plus=20.0, tau_minus=20.0, A_plus=1.0, A_minus=1.5, tau_c=1000.0, b=0.0)
    assert sim.DopamineSTDPRule.default_parameters == defaults
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    post = sim.Population(1, sim.IF_curr_exp())
    sim.Modulator("DA")
    stdp = sim.STDPMechanism(timing_dependence=sim.DopamineSTDPRule(),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0),
                             modulator="DA", weight=0.5)
    projection = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    assert projection._synapse().stdp_parameters == dict(timing="dopamine", modulator="DA", w_min=0.0, w_max=1.0,
                                                         **defaults)
    assert nd.stdp(timing="dopamine", modulator="DA").stdp_parameters == projection._synapse().stdp_parameters


# --- the modulator's schedule ---------------------------------------------------------------

def relax(n, baseline, tau, duration):
    return baseline + (n - baseline) * np.exp(-duration / tau)


def test_release_schedule_follows_the_closed_form_and_reset_keeps_only_the_schedule(pynn):
    # n relaxes towards 0.1 with tau = 50 ms from 1; jumps: +0.25 per source spike (30,
    # 60 ms; two neurons fire at 60), -0.5 scheduled at 45 ms, +2 asked for before the
    # first run at 80 ms, +1 asked for between runs at 150 ms.
    tau, baseline = 50.0, 0.1
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[sim.Sequence([30.0, 60.0]), sim.Sequence([60.0])]))
    modulator = sim.Modulator("DA", sources=[(source, 0.25)], tau=tau, baseline=baseline, initial=1.0,
                              release_times=[45.0], release_amounts=[-0.5])
    sim.modulate("DA", 2.0, at=80.0)
    sim.run(100.0)
    n = relax(1.0, baseline, tau, 30.0) + 0.25
    n = relax(n, baseline, tau, 15.0) - 0.5
    n = relax(n, baseline, tau, 15.0) + 0.5
    n = relax(n, baseline, tau, 20.0) + 2.0
    n = relax(n, baseline, tau, 20.0)
    # Exponential decays composed in another order: 1e-12 relative (test_stdp_dopamine.py).
    assert modulator.value == pytest.approx(n, rel=1e-12)
    sim.modulate(modulator, 1.0, at=150.0)
    sim.run(100.0)
    n = relax(relax(n, baseline, tau, 50.0) + 1.0, baseline, tau, 50.0)
    assert modulator.value == pytest.approx(n, rel=1e-12)
    # reset(): the releases asked for with modulate() belonged to the last run sequence;
    # the schedule and the sources are part of the description and act again.
    sim.reset()
    assert modulator.value == 1.0
    sim.run(100.0)
    n = relax(1.0, baseline, tau, 30.0) + 0.25
    n = relax(n, baseline, tau, 15.0) - 0.5
    n = relax(relax(n, baseline, tau, 15.0) + 0.5, baseline, tau, 40.0)
    assert modulator.value == pytest.approx(n, rel=1e-12)


def test_an_assembly_source_adds_the_amount_of_each_population(pynn):
    a = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    b = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    modulator = sim.Modulator("DA", sources=[(a + b, 0.5), (a, 0.25)], tau=100.0)
    assert [(p.label, amount) for p, amount in modulator.sources] == [(a.label, 0.75), (b.label, 0.5)]
    sim.run(20.0)
    # a fires once (0.5 + 0.25), b once (0.5): 1.25 at 10 ms, then 10 ms of decay; one
    # exponential, a few ulps: 1e-12 relative as above.
    assert modulator.value == pytest.approx(1.25 * np.exp(-10.0 / 100.0), rel=1e-12)


# --- homeostasis ----------------------------------------------------------------------------

HOMEOSTASIS_RUN = 1500.0  # ms: enough for the rules to move every neuron visibly
DRIVE = np.linspace(0.2, 1.6, 20)  # nA: from silent to ~60 Hz without homeostasis
THRESHOLD_RULE = dict(target_rate=5.0, eta=0.2, tau=300.0, min=-65.0, max=-30.0)
INTRINSIC_RULE = dict(target_rate=5.0, eta=0.02, tau=300.0)
SCALING_RULE = dict(target_rate=5.0, eta=0.01, tau=300.0, interval=100.0)


def pynn_homeostatic_network():
    threshold = sim.Population(20, sim.IF_curr_exp(i_offset=DRIVE), label="threshold")
    intrinsic = sim.Population(20, sim.IF_curr_exp(i_offset=DRIVE), label="intrinsic")
    inputs = sim.Population(40, sim.SpikeSourcePoisson(rate=20.0), label="inputs")
    scaled = sim.Population(10, sim.IF_curr_exp(v_thresh=np.linspace(-58.0, -50.0, 10)), label="scaled")
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(A_plus=5e-4, A_minus=6e-4),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.5), weight=0.25,
                             delay=1.0)
    projection = sim.Projection(inputs, scaled, sim.AllToAllConnector(), stdp)
    sim.homeostasis(threshold, "adaptive_threshold", **THRESHOLD_RULE)
    sim.homeostasis(intrinsic, "intrinsic", **INTRINSIC_RULE)
    sim.homeostasis(scaled, "synaptic_scaling", **SCALING_RULE)
    for population in (threshold, intrinsic, scaled):
        population.record("spikes")
    return threshold, intrinsic, scaled, projection


def native_homeostatic_network():
    net = nd.Network(dt=DT, seed=SEED)
    threshold = net.population("threshold", "IF_curr_exp", 20, params={"i_offset": DRIVE})
    intrinsic = net.population("intrinsic", "IF_curr_exp", 20, params={"i_offset": DRIVE})
    inputs = net.population("inputs", "SpikeSourcePoisson", 40, params={"rate": 20.0})
    scaled = net.population("scaled", "IF_curr_exp", 10, params={"v_thresh": np.linspace(-58.0, -50.0, 10)})
    net.connect(inputs, scaled, nd.all_to_all(), weight=0.25, delay=1.0, name="in",
                synapse=nd.stdp(A_plus=5e-4, A_minus=6e-4, w_min=0.0, w_max=0.5))
    net.homeostasis(threshold, "adaptive_threshold", **THRESHOLD_RULE)
    net.homeostasis(intrinsic, "intrinsic", **INTRINSIC_RULE)
    net.homeostasis(scaled, "synaptic_scaling", **SCALING_RULE)
    for population in (threshold, intrinsic, scaled):
        net.record_spikes(population)
    return net


def test_homeostasis_through_pynn_is_identical_to_the_native_network(pynn):
    threshold, intrinsic, scaled, projection = pynn_homeostatic_network()
    np.testing.assert_array_equal(sim.homeostasis_rates(threshold), np.zeros(20))  # estimates start at 0
    sim.run(HOMEOSTASIS_RUN)
    native = native_homeostatic_network().build()
    native.run(HOMEOSTASIS_RUN)
    # Population.get returns the parameter homeostasis has reached.
    v_thresh = threshold.get("v_thresh")
    i_offset = intrinsic.get("i_offset")
    np.testing.assert_array_equal(v_thresh, native.param("threshold", "v_thresh"))
    np.testing.assert_array_equal(i_offset, native.param("intrinsic", "i_offset"))
    for population in (threshold, intrinsic, scaled):
        rates = sim.homeostasis_rates(population)
        np.testing.assert_array_equal(rates, native.homeostasis_rates(population.label))
        assert np.any(rates > 0.0)
        for ours, theirs in zip(spike_trains(population), native_spike_trains(native, population.label,
                                                                               population.size)):
            np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(sim.homeostasis_rates(threshold[5:9]), native.homeostasis_rates("threshold")[5:9])
    weights = projection.get("weight", format="array")
    np.testing.assert_array_equal(weights, native_matrix(native, "in", native.weights("in"), 40, 10))
    # The rules act towards the target: the strongly driven neurons (~60 Hz at first)
    # raised their threshold and lowered their bias; the silent ones did the opposite.
    assert v_thresh[-1] > -50.0 > v_thresh[0]
    assert i_offset[-1] < DRIVE[-1] and i_offset[0] > DRIVE[0]
    assert not np.any(weights == 0.25)  # every weight scaled
    # The description is unchanged: reset() starts again from the parameters as set.
    sim.reset()
    np.testing.assert_array_equal(threshold.get("v_thresh"), np.full(20, -50.0))
    np.testing.assert_array_equal(intrinsic.get("i_offset"), DRIVE)


def test_setting_the_adapted_parameter_of_a_view_keeps_the_others_adapted(pynn):
    threshold, _, _, _ = pynn_homeostatic_network()
    sim.run(300.0)
    adapted = np.asarray(threshold.get("v_thresh"), dtype=float)
    threshold[0:5].set(v_thresh=-45.0)
    expected = adapted.copy()
    expected[0:5] = -45.0
    np.testing.assert_array_equal(threshold.get("v_thresh"), expected)
    np.testing.assert_array_equal(threshold[3:7].get("v_thresh"), expected[3:7])
    # The same change through the native API gives the same next run.
    native = native_homeostatic_network().build()
    native.run(300.0)
    np.testing.assert_array_equal(native.param("threshold", "v_thresh"), adapted)
    native.set_param("threshold", "v_thresh", expected)
    sim.run(200.0)
    native.run(200.0)
    np.testing.assert_array_equal(threshold.get("v_thresh"), native.param("threshold", "v_thresh"))


# --- errors ---------------------------------------------------------------------------------

def dopamine_mechanism(modulator="DA", **rule):
    return sim.STDPMechanism(timing_dependence=sim.DopamineSTDPRule(**rule),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0),
                             modulator=modulator, weight=0.5)


def small_network():
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[10.0]), label="pre")
    post = sim.Population(2, sim.IF_curr_exp(), label="post")
    return pre, post


def test_rule_and_mechanism_errors_name_what_is_wrong(pynn):
    with pytest.raises(TypeError, match="tau_cc"):
        sim.DopamineSTDPRule(tau_cc=100.0)
    with pytest.raises(ValueError, match="DopamineSTDPRule needs a modulator"):
        dopamine_mechanism(modulator=None)
    with pytest.raises(TypeError, match="modulator must be the name of a Modulator"):
        dopamine_mechanism(modulator=3)
    with pytest.raises(NotImplementedError, match=r"DopamineSTDPRule and MultiplicativeWeightDependence "
                                                  r"\(DopamineSTDPRule takes AdditiveWeightDependence only"):
        sim.STDPMechanism(timing_dependence=sim.DopamineSTDPRule(), modulator="DA",
                          weight_dependence=sim.MultiplicativeWeightDependence())
    for rule in (sim.Vogels2011Rule(), sim.PfisterSpikeTripletRule()):
        with pytest.raises(NotImplementedError, match=rf"{type(rule).__name__} and a modulator \('DA'\)"):
            sim.STDPMechanism(timing_dependence=rule, weight_dependence=sim.AdditiveWeightDependence(),
                              modulator="DA")
    pre, post = small_network()
    with pytest.raises(nd.NeurodynKeyError, match=r"unknown modulator 'DA' \(modulators: none"):
        sim.Projection(pre, post, sim.OneToOneConnector(), dopamine_mechanism())
    sim.Modulator("DA")
    with pytest.raises(nd.NeurodynKeyError, match=r"unknown modulator 'DX'; did you mean 'DA'\? \(modulators: DA"):
        sim.Projection(pre, post, sim.OneToOneConnector(), dopamine_mechanism("DX"))
    static = sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5))
    with pytest.raises(KeyError, match="eligibility"):
        static.get("eligibility", format="list")


@pytest.mark.parametrize("field,value,message", [
    ("tau_c", -1.0, r"synapse\.timing\.tau_c: dopamine rule tau_c must be > 0 ms, got -1"),
    ("A_minus", -0.5, r"synapse\.timing\.A_minus: dopamine rule A_minus must be finite and >= 0, got -0\.5"),
    ("tau_plus", 0.0, r"synapse\.timing\.tau_plus: dopamine rule tau_plus must be > 0 ms, got 0"),
])
def test_bad_rule_values_are_named_by_the_engine(pynn, field, value, message):
    pre, post = small_network()
    sim.Modulator("DA")
    sim.Projection(pre, post, sim.OneToOneConnector(), dopamine_mechanism(**{field: value}))
    with pytest.raises(ValueError, match=message):
        sim.run(10.0)


def test_modulator_errors_name_the_modulator(pynn):
    pre, post = small_network()
    with pytest.raises(nd.NeurodynValueError, match=r"Modulator 'DA': .*tau must be > 0 ms, got 0"):
        sim.Modulator("DA", tau=0.0)
    with pytest.raises(nd.NeurodynValueError, match=r"Modulator 'DA': .*one amount per release time: 2 times, 1"):
        sim.Modulator("DA", release_times=[1.0, 2.0], release_amounts=[1.0])
    with pytest.raises(nd.NeurodynValueError, match=r"Modulator 'DA': .*release time must be a finite time >= 0 ms, "
                                                    r"got -1"):
        sim.Modulator("DA", release_times=[-1.0], release_amounts=[1.0])
    with pytest.raises(ValueError, match=r"Modulator 'DA': the amount per spike of 'pre' must be finite, got nan"):
        sim.Modulator("DA", sources=[(pre, float("nan"))])
    with pytest.raises(NotImplementedError, match=r"a PopulationView .* as a source of Modulator 'DA'"):
        sim.Modulator("DA", sources=[(pre[0:1], 1.0)])
    with pytest.raises(TypeError, match=r"Modulator 'DA': a source must be a Population or an Assembly, got str"):
        sim.Modulator("DA", sources={"pre": 1.0})
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        sim.Modulator("")
    sim.Modulator("DA")
    with pytest.raises(ValueError, match="the name 'DA' is already used"):
        sim.Modulator("DA")
    with pytest.raises(nd.NeurodynKeyError, match=r"modulate: unknown modulator 'DX'; did you mean 'DA'\?"):
        sim.modulate("DX", 1.0)
    with pytest.raises(ValueError, match=r"modulate\('DA'\): at must be a finite time >= 0 ms"):
        sim.modulate("DA", 1.0, at=-5.0)
    with pytest.raises(ValueError, match=r"modulate\('DA'\): amount must be finite"):
        sim.modulate("DA", float("inf"))
    sim.run(20.0)
    with pytest.raises(nd.NeurodynValueError, match=r"release time 5 ms is in the past \(the simulation is at 20"):
        sim.modulate("DA", 1.0, at=5.0)
    with pytest.raises(NotImplementedError, match="creating a Modulator after the first run"):
        sim.Modulator("DB")


def test_homeostasis_errors_name_the_population_and_the_key(pynn):
    pre, post = small_network()
    with pytest.raises(NotImplementedError, match=r"homeostasis of a PopulationView"):
        sim.homeostasis(post[0:1], "adaptive_threshold", target_rate=5.0, eta=0.1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'etaa'"):
        sim.homeostasis(post, "adaptive_threshold", target_rate=5.0, etaa=0.1)
    with pytest.raises(ValueError, match=r"the population 'post' has no homeostasis"):
        sim.homeostasis_rates(post)
    sim.homeostasis(post, "adaptive_thresh", target_rate=5.0, eta=0.1)
    with pytest.raises(nd.NeurodynKeyError, match=r"homeostasis of Population 'post': .*homeostasis\.type: unknown "
                                                  r"homeostasis type 'adaptive_thresh'; did you mean "
                                                  r"'adaptive_threshold'\?"):
        sim.run(10.0)
    sim.homeostasis(post, "adaptive_threshold", target_rate=5.0, eta=-0.1)  # replaces the rule
    with pytest.raises(nd.NeurodynValueError, match=r"homeostasis of Population 'post': .*homeostasis\.eta: eta "
                                                    r"must be >= 0 mV/\(Hz s\), got -0\.1"):
        sim.run(10.0)
    sim.homeostasis(post, "synaptic_scaling", target_rate=5.0, eta=0.01)
    with pytest.raises(nd.NeurodynValueError, match=r"synaptic_scaling scales the stdp projections .* and it has "
                                                    r"none"):
        sim.run(10.0)
    sim.homeostasis(post, "adaptive_threshold", target_rate=5.0, eta=0.1)
    sim.homeostasis(pre, "intrinsic", target_rate=5.0, eta=0.01)
    with pytest.raises(nd.NeurodynValueError, match=r"homeostasis of Population 'pre': .*a spike source"):
        sim.run(10.0)
