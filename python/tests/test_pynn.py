"""neurodyn.pynn, the PyNN 0.10 backend (docs/pynn.md), in the style of PyNN's own
system scenarios: small networks through ``import neurodyn.pynn as sim``, checked for
spike times, counts, traces and connectivity against values derived here, against the
same network through neurodyn's own API (identical spikes), and for the structure of
the Neo data. Needs python3-pynn, python3-neo and python3-quantities (scripts/setup.sh).
"""

import math
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from conftest import COMMAND_TIMEOUT_S, REPOSITORY, build_dir

PACKAGE_DIR = build_dir() / "python"
if not (PACKAGE_DIR / "neurodyn" / "pynn" / "__init__.py").is_file():
    pytest.skip(f"the Python package is not built with neurodyn.pynn: {PACKAGE_DIR / 'neurodyn' / 'pynn'} "
                "does not exist", allow_module_level=True)
sys.path.insert(0, str(PACKAGE_DIR))
pytest.importorskip("pyNN", reason="python3-pynn is not installed (scripts/setup.sh)")
neo = pytest.importorskip("neo", reason="python3-neo is not installed (scripts/setup.sh)")
pq = pytest.importorskip("quantities")

import neurodyn as nd  # noqa: E402
import neurodyn.pynn as sim  # noqa: E402

DT = 0.1
# Times on the step grid are held as doubles: a time given as 5.0 comes back as the
# step's end n * dt, equal to it up to the rounding of the product (~1e-15 ms).
GRID_TOL = 1e-9


@pytest.fixture(autouse=True)
def fresh_setup():
    sim.setup(timestep=DT)
    yield
    sim.end()


def spike_times(population, index=0):
    return np.asarray(population.get_data("spikes").segments[-1].spiketrains[index].magnitude)


# --- the clock ------------------------------------------------------------------------

def test_clock_runs_and_continues():
    p = sim.Population(1, sim.IF_curr_exp())
    assert sim.get_current_time() == 0.0 and sim.get_time_step() == DT
    assert sim.run(10.0) == pytest.approx(10.0, abs=GRID_TOL)
    assert sim.run_until(25.0) == pytest.approx(25.0, abs=GRID_TOL)
    sim.run_for(5.0)
    assert sim.get_current_time() == pytest.approx(30.0, abs=GRID_TOL)
    with pytest.raises(ValueError):
        sim.run_until(10.0)
    assert len(p) == 1


def test_min_delay_auto_resolves_from_the_connections():
    a, b = sim.Population(2, sim.IF_curr_exp()), sim.Population(2, sim.IF_curr_exp())
    assert sim.get_min_delay() == DT  # no connections yet: the time step
    sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=np.array([[1.5, 0.7],
                                                                                               [2.0, 3.0]])))
    assert sim.get_min_delay() == 0.7 and sim.get_max_delay() == 3.0
    sim.setup(timestep=DT, min_delay=0.5)
    assert sim.get_min_delay() == 0.5


# --- spike sources ------------------------------------------------------------------------

def test_spike_source_array_spikes_reported_at_the_times_given():
    times = [[0.5, 1.0, 7.3, 12.0], [2.2], []]
    src = sim.Population(3, sim.SpikeSourceArray(spike_times=times))
    src.record("spikes")
    sim.run(20.0)
    trains = src.get_data().segments[0].spiketrains
    for given, train in zip(times, trains):
        np.testing.assert_allclose(train.magnitude, given, atol=GRID_TOL)
        assert train.units == pq.ms


def test_spike_source_poisson_rate_within_four_sigma():
    n, rate, duration = 200, 50.0, 1000.0
    src = sim.Population(n, sim.SpikeSourcePoisson(rate=rate))
    src.record("spikes")
    sim.run(duration)
    total = sum(src.get_spike_counts().values())
    expected = n * rate * duration / 1000.0
    # Poisson count: mean = variance = expected; 4 sigma
    assert abs(total - expected) < 4.0 * math.sqrt(expected), (total, expected)
    assert src.mean_spike_count() == pytest.approx(total / n)
    times = np.concatenate([st.magnitude for st in src.get_data().segments[0].spiketrains])
    assert times.min() > 0.0 and times.max() <= duration + GRID_TOL


def test_spike_source_gamma_rate_within_four_sigma():
    n, alpha, beta, duration = 200, 4, 200.0, 1000.0  # rate beta/alpha = 50 Hz, CV 1/2
    src = sim.Population(n, sim.SpikeSourceGamma(alpha=alpha, beta=beta))
    src.record("spikes")
    sim.run(duration)
    total = sum(src.get_spike_counts().values())
    mu = 1000.0 * alpha / beta  # mean interval (ms)
    cv2 = 1.0 / alpha
    # renewal count from a renewal point: mean T/mu + (CV^2 - 1)/2, variance CV^2 T/mu
    # per train (docs/models.md); 4 sigma over n trains
    mean = n * (duration / mu + (cv2 - 1.0) / 2.0)
    sigma = math.sqrt(n * cv2 * duration / mu)
    assert abs(total - mean) < 4.0 * sigma, (total, mean, sigma)


# --- single neurons: derived values and neurodyn's own API ------------------------------

def test_dc_source_membrane_follows_the_closed_form_and_fires_when_predicted():
    tau_m, cm, v_rest, v_thresh, amplitude = 20.0, 0.5, -65.0, -50.0, 1.0
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=tau_m, cm=cm, v_rest=v_rest, v_thresh=v_thresh,
                                             v_reset=v_rest, tau_refrac=2.0))
    sim.DCSource(amplitude=amplitude, start=0.0).inject_into(cell)
    cell.record(["v", "spikes"])
    sim.run(15.0)
    data = cell.get_data().segments[0]
    v = data.filter(name="v")[0]
    assert v.units == pq.mV and v.sampling_period == DT * pq.ms and v.t_start == 0.0 * pq.ms
    t = v.times.magnitude
    assert t.size == 151  # samples at 0, dt, ..., 15 ms
    R = tau_m / cm  # MOhm
    t_star = -tau_m * math.log(1.0 - (v_thresh - v_rest) / (R * amplitude))  # first crossing (ms)
    before = t < t_star - DT
    exact = v_rest + R * amplitude * (1.0 - np.exp(-t / tau_m))
    # exact integration of a constant current: rounding only
    np.testing.assert_allclose(v.magnitude[before, 0], exact[before], atol=1e-9)
    spikes = data.spiketrains[0].magnitude
    # the spike is stamped at the end of the step in which v crosses threshold
    assert spikes[0] == pytest.approx(math.ceil(t_star / DT) * DT, abs=GRID_TOL)


def pynn_single_neuron(celltype, weight, stimulus_times):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=stimulus_times))
    cell = sim.Population(1, celltype)
    sim.Projection(src, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=weight, delay=1.0))
    cell.record(["spikes", "v"])
    sim.run(100.0)
    data = cell.get_data().segments[0]
    return data.spiketrains[0].magnitude, data.filter(name="v")[0].magnitude[:, 0]


def nd_single_neuron(model, params, weight, stimulus_times):
    net = nd.Network(dt=DT)
    src = net.population("src", "SpikeSourceArray", 1, spike_times=stimulus_times)
    cell = net.population("cell", model, 1, params=params)
    net.connect(src, cell, nd.one_to_one(), weight=weight, delay=1.0)
    net.record_spikes(cell)
    net.record_state(cell, "v")
    simulation = net.run(100.0)
    return simulation.spikes(cell)[0], simulation.trace(cell, "v").values[:, 0]


STIMULUS = [5.0, 5.5, 6.0, 6.5, 7.0, 30.0, 30.2, 30.4, 30.6, 30.8, 31.0, 60.0]


@pytest.mark.parametrize("model,params,weight", [
    ("IF_curr_exp", {"tau_m": 10.0, "tau_syn_E": 2.0}, 2.5),
    ("IF_cond_exp", {"tau_m": 10.0, "tau_syn_E": 2.0}, 0.05),
])
def test_single_neuron_spikes_equal_neurodyns_own_api(model, params, weight):
    spikes, v = pynn_single_neuron(getattr(sim, model)(**params), weight, STIMULUS)
    nd_spikes, nd_v = nd_single_neuron(model, params, weight, STIMULUS)
    assert spikes.size >= 2  # the scenario makes the neuron fire
    np.testing.assert_array_equal(spikes, nd_spikes)  # same engine, same network: identical
    np.testing.assert_array_equal(v, nd_v)


def test_if_curr_exp_spikes_agree_with_brian2_within_one_step():
    b2 = pytest.importorskip("brian2")
    tau_m, tau_syn, weight = 10.0, 2.0, 2.5
    spikes, _ = pynn_single_neuron(sim.IF_curr_exp(tau_m=tau_m, tau_syn_E=tau_syn), weight, STIMULUS)
    b2.prefs.codegen.target = "numpy"  # no compilation: this network is tiny
    b2.start_scope()
    b2.defaultclock.dt = DT * b2.ms
    eqs = """dv/dt = (-65*mV - v)/(tau_m*ms) + I_syn/(1*nF) : volt (unless refractory)
             dI_syn/dt = -I_syn/(tau_syn*ms) : amp"""
    g = b2.NeuronGroup(1, eqs, threshold="v >= -50*mV", reset="v = -65*mV", refractory=0.1 * b2.ms,
                       method="exact", namespace={"tau_m": tau_m, "tau_syn": tau_syn})
    g.v = -65 * b2.mV
    # PyNN delay 1 ms: the input arrives at t_spike + 1 ms
    gen = b2.SpikeGeneratorGroup(1, np.zeros(len(STIMULUS), dtype=int), (np.array(STIMULUS) + 1.0) * b2.ms)
    syn = b2.Synapses(gen, g, on_pre=f"I_syn += {weight}*nA")
    syn.connect()
    mon = b2.SpikeMonitor(g)
    b2.run(100.0 * b2.ms)
    reference = np.asarray(mon.t / b2.ms)
    assert reference.size == spikes.size
    # Brian2 stamps a spike at the start of the step in which it is detected, neurodyn
    # at its end: one step apart at most
    assert np.max(np.abs(spikes - reference)) <= DT + GRID_TOL


# --- values set and read back ---------------------------------------------------------------

def test_parameters_round_trip_exactly():
    rng = sim.NumpyRNG(seed=3)
    p = sim.Population(5, sim.IF_cond_exp(tau_m=sim.RandomDistribution("uniform", (10.0, 20.0), rng=rng)))
    tau_m = p.get("tau_m")
    assert np.all((tau_m >= 10.0) & (tau_m < 20.0)) and np.ptp(tau_m) > 0
    np.testing.assert_array_equal(p.get("tau_m"), tau_m)  # drawn once, read back the same
    values = np.array([0.9, 1.1, 1.3, 0.7, 1.0])
    p.set(cm=values)
    np.testing.assert_array_equal(p.get("cm"), values)
    p[1:3].set(v_thresh=-52.5)
    np.testing.assert_array_equal(p.get("v_thresh"), [-50.0, -52.5, -52.5, -50.0, -50.0])
    assert p[1:3].get("v_thresh") == -52.5
    p.initialize(v=np.linspace(-70.0, -60.0, 5))
    sim.run(0.0)  # builds: the engine starts from the values given
    np.testing.assert_array_equal(nd_state(p, "v"), np.linspace(-70.0, -60.0, 5))


def nd_state(population, variable):
    from neurodyn.pynn.simulator import state
    return state.simulation.state(population._nd_name, variable)


def test_weights_and_delays_round_trip_exactly():
    a, b = sim.Population(3, sim.IF_curr_exp()), sim.Population(4, sim.IF_curr_exp())
    w = np.arange(12, dtype=float).reshape(3, 4) * 0.013 + 0.1
    d = np.arange(12, dtype=float).reshape(3, 4) * 0.07 + 0.1  # not multiples of dt
    prj = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=w, delay=d))
    sim.run(1.0)
    weights, delays = prj.get(["weight", "delay"], format="array")
    np.testing.assert_array_equal(weights, w)
    np.testing.assert_array_equal(delays, d)
    rows = prj.get(["weight", "delay"], format="list")
    assert len(rows) == 12 and all(r[2] == w[r[0], r[1]] and r[3] == d[r[0], r[1]] for r in rows)


def test_random_weights_are_drawn_once_with_pynns_rng():
    a, b = sim.Population(20, sim.IF_cond_exp()), sim.Population(20, sim.IF_cond_exp())
    weight = sim.RandomDistribution("normal_clipped", mu=0.01, sigma=0.005, low=0.0, high=np.inf,
                                    rng=sim.NumpyRNG(seed=5))
    prj = sim.Projection(a, b, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=6)),
                         sim.StaticSynapse(weight=weight, delay=1.0))
    w_list = np.array(prj.get("weight", format="list", with_address=False))
    assert w_list.min() >= 0.0 and np.ptp(w_list) > 0
    np.testing.assert_array_equal(np.array(prj.get("weight", format="list", with_address=False)), w_list)


# --- connectors ------------------------------------------------------------------------------

def connection_pairs(prj):
    return np.array([(i, j) for i, j, _ in prj.get("weight", format="list")], dtype=int).reshape(-1, 2)


def test_connector_counts():
    n_pre, n_post = 30, 40
    a, b = sim.Population(n_pre, sim.IF_curr_exp()), sim.Population(n_post, sim.IF_curr_exp())
    syn = sim.StaticSynapse(weight=0.1, delay=1.0)
    assert len(sim.Projection(a, b, sim.AllToAllConnector(), syn)) == n_pre * n_post
    assert len(sim.Projection(a, a, sim.AllToAllConnector(allow_self_connections=False), syn)) == n_pre * (n_pre - 1)
    one = sim.Projection(b, b, sim.OneToOneConnector(), syn)
    np.testing.assert_array_equal(connection_pairs(one), np.stack([np.arange(n_post)] * 2, axis=1))
    p = 0.2
    fp = sim.Projection(a, b, sim.FixedProbabilityConnector(p, rng=sim.NumpyRNG(seed=1)), syn)
    mean, sd = p * n_pre * n_post, math.sqrt(p * (1 - p) * n_pre * n_post)
    assert abs(len(fp) - mean) < 4 * sd  # binomial count, 4 sigma
    pre = sim.Projection(a, b, sim.FixedNumberPreConnector(7, rng=sim.NumpyRNG(seed=2)), syn)
    np.testing.assert_array_equal(np.bincount(connection_pairs(pre)[:, 1], minlength=n_post), 7)
    post = sim.Projection(a, b, sim.FixedNumberPostConnector(9, rng=sim.NumpyRNG(seed=3)), syn)
    np.testing.assert_array_equal(np.bincount(connection_pairs(post)[:, 0], minlength=n_pre), 9)
    conns = [(0, 1, 0.5, 1.2), (3, 1, 0.25, 2.0), (29, 39, 0.125, 0.3)]
    fl = sim.Projection(a, b, sim.FromListConnector(conns, column_names=["weight", "delay"]), syn)
    assert sorted(fl.get(["weight", "delay"], format="list")) == sorted(conns)
    assert len(sim.Projection(a, b, sim.FixedTotalNumberConnector(123, rng=sim.NumpyRNG(seed=4)), syn)) == 123
    array = sim.Projection(a, b, sim.ArrayConnector(np.eye(n_pre, n_post, dtype=bool)), syn)
    np.testing.assert_array_equal(connection_pairs(array), np.stack([np.arange(n_pre)] * 2, axis=1))
    clone = sim.Projection(a, b, sim.CloneConnector(fp), syn)
    np.testing.assert_array_equal(np.sort(connection_pairs(clone), axis=0), np.sort(connection_pairs(fp), axis=0))
    sim.run(5.0)  # every connector builds into the engine
    from neurodyn.pynn.simulator import state
    assert state.simulation.synapse_count == sum(len(prj) for prj in state.projections)


def test_connections_through_views_and_assemblies_reach_the_right_neurons():
    # spikes at 1 ms from source 2 only; a view selects it, an assembly spans two targets
    src = sim.Population(3, sim.SpikeSourceArray(spike_times=[[], [], [1.0]]))
    t1 = sim.Population(2, sim.IF_curr_exp(tau_refrac=50.0))
    t2 = sim.Population(2, sim.IF_curr_exp(tau_refrac=50.0))
    sim.Projection(src[[2]], t1 + t2, sim.AllToAllConnector(), sim.StaticSynapse(weight=np.array([[100.0, 0.0, 0.0, 100.0]]),
                                                                                  delay=1.0), receptor_type="excitatory")
    (t1 + t2).record("spikes")
    sim.run(10.0)
    counts = [t1.get_spike_counts(), t2.get_spike_counts()]
    assert [list(c.values()) for c in counts] == [[1, 0], [0, 1]]


# --- synapse types and current sources, against neurodyn's own API ---------------------------

def test_tsodyks_markram_synapse_equals_neurodyns_own_api():
    stimulus = [10.0, 20.0, 30.0, 40.0, 50.0, 150.0]
    tm = dict(U=0.4, tau_rec=200.0, tau_facil=50.0)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=stimulus))
    cell = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0))  # stays subthreshold
    sim.Projection(src, cell, sim.OneToOneConnector(), sim.TsodyksMarkramSynapse(weight=1.0, delay=1.0, **tm))
    cell.record("v")
    sim.run(200.0)
    v = cell.get_data().segments[0].filter(name="v")[0].magnitude[:, 0]

    net = nd.Network(dt=DT)
    s = net.population("s", "SpikeSourceArray", 1, spike_times=stimulus)
    c = net.population("c", "IF_curr_exp", 1, params={"v_thresh": 0.0})
    net.connect(s, c, nd.one_to_one(), weight=1.0, delay=1.0, synapse=nd.tsodyks_markram(**tm))
    net.record_state(c, "v")
    np.testing.assert_array_equal(v, net.run(200.0).trace(c, "v").values[:, 0])


def test_current_sources_equal_neurodyns_own_api():
    cell = sim.Population(4, sim.IF_curr_exp(v_thresh=100.0))  # subthreshold: v is the input's filter
    sim.DCSource(amplitude=0.3, start=5.0, stop=25.0).inject_into(cell[[0]])
    sim.StepCurrentSource(times=[3.0, 10.0, 20.0], amplitudes=[0.2, -0.1, 0.4]).inject_into(cell[[1]])
    sim.ACSource(amplitude=0.5, offset=0.1, frequency=40.0, phase=30.0, start=2.0, stop=30.0).inject_into(cell[[2]])
    sim.NoisyCurrentSource(mean=0.2, stdev=0.3, dt=0.5, start=1.0, stop=28.0).inject_into(cell[[3]])
    cell.record("v")
    sim.run(40.0)
    v = cell.get_data().segments[0].filter(name="v")[0].magnitude

    net = nd.Network(dt=DT)
    c = net.population("c", "IF_curr_exp", 4, params={"v_thresh": 100.0})
    net.dc_input(c, 0.3, neurons=[0], start=5.0, stop=25.0)
    net.step_current_input(c, [3.0, 10.0, 20.0], [0.2, -0.1, 0.4], neurons=[1])
    net.ac_input(c, amplitude=0.5, offset=0.1, frequency=40.0, phase=30.0, neurons=[2], start=2.0, stop=30.0)
    net.noisy_current_input(c, mean=0.2, stdev=0.3, dt=0.5, neurons=[3], start=1.0, stop=28.0)
    net.record_state(c, "v")
    expected = net.run(40.0).trace(c, "v").values
    assert np.ptp(v, axis=0).min() > 0.1  # every source moves its neuron
    np.testing.assert_array_equal(v, expected)


# --- recording -------------------------------------------------------------------------------

def driven_network():
    src = sim.Population(20, sim.SpikeSourcePoisson(rate=200.0))
    cells = sim.Population(10, sim.IF_cond_exp())
    sim.Projection(src, cells, sim.FixedNumberPreConnector(5, rng=sim.NumpyRNG(seed=11)),
                   sim.StaticSynapse(weight=0.02, delay=0.5))
    cells.record(["spikes", "v", "gsyn_exc", "gsyn_inh"])
    return cells


def test_get_data_structure_and_units():
    cells = driven_network()
    sim.run(50.0)
    block = cells.get_data()
    assert isinstance(block, neo.Block) and len(block.segments) == 1
    seg = block.segments[0]
    assert len(seg.spiketrains) == 10 and sum(st.size for st in seg.spiketrains) > 0
    assert all(st.units == pq.ms and st.t_stop == 50.0 * pq.ms for st in seg.spiketrains)
    units = {sig.name: sig.units for sig in seg.analogsignals}
    assert units["v"] == pq.mV and units["gsyn_exc"] == pq.uS and units["gsyn_inh"] == pq.uS
    for sig in seg.analogsignals:
        assert sig.shape == (501, 10) and sig.sampling_period == DT * pq.ms
    assert seg.filter(name="gsyn_exc")[0].magnitude.max() > 0.0
    assert cells.mean_spike_count() == pytest.approx(sum(st.size for st in seg.spiketrains) / 10)


def test_recording_continues_without_gaps_or_duplicates_across_runs():
    cells = driven_network()
    for _ in range(4):
        sim.run(12.5)
    pieces = cells.get_data().segments[0]
    sim.setup(timestep=DT)
    cells = driven_network()
    sim.run(50.0)
    whole = cells.get_data().segments[0]
    for a, b in zip(pieces.spiketrains, whole.spiketrains):
        np.testing.assert_array_equal(a.magnitude, b.magnitude)
    for a, b in zip(pieces.analogsignals, whole.analogsignals):
        np.testing.assert_array_equal(a.magnitude, b.magnitude)


def test_get_data_clear_returns_only_new_data():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0, 8.0, 14.0]))
    src.record("spikes")
    sim.run(10.0)
    first = src.get_data(clear=True).segments[0].spiketrains[0].magnitude
    sim.run(10.0)
    second = src.get_data().segments[0].spiketrains[0].magnitude
    np.testing.assert_allclose(first, [2.0, 8.0], atol=GRID_TOL)
    np.testing.assert_allclose(second, [14.0], atol=GRID_TOL)


def test_reset_restores_the_state_and_starts_a_new_segment():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0, 3.0, 4.0]))
    cell = sim.Population(1, sim.IF_curr_exp())
    sim.Projection(src, cell, sim.OneToOneConnector(), sim.TsodyksMarkramSynapse(weight=6.0, delay=1.0))
    cell.record(["spikes", "v"])
    sim.run(30.0)
    sim.reset()
    assert sim.get_current_time() == 0.0
    sim.run(30.0)
    segments = cell.get_data().segments
    assert len(segments) == 2
    np.testing.assert_array_equal(segments[0].filter(name="v")[0].magnitude,
                                  segments[1].filter(name="v")[0].magnitude)
    # changes after reset() take effect at the next run
    sim.reset()
    cell.set(tau_m=5.0)
    sim.run(30.0)
    segments = cell.get_data().segments
    assert len(segments) == 3
    assert not np.array_equal(segments[0].filter(name="v")[0].magnitude, segments[2].filter(name="v")[0].magnitude)


def test_write_data_through_neo_io(tmp_path):
    cells = driven_network()
    sim.run(20.0)
    path = tmp_path / "cells.pkl"
    cells.write_data(str(path))
    block = neo.io.PickleIO(str(path)).read_block()
    original = cells.get_data().segments[0]
    for a, b in zip(block.segments[0].spiketrains, original.spiketrains):
        np.testing.assert_array_equal(a.magnitude, b.magnitude)
    np.testing.assert_array_equal(block.segments[0].filter(name="v")[0].magnitude,
                                  original.filter(name="v")[0].magnitude)


def test_describe_names_the_cell_type():
    p = sim.Population(3, sim.IF_cond_alpha(), label="cells")
    text = p.describe()
    assert "cells" in text and "IF_cond_alpha" in text
    prj = sim.Projection(p, p, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01))
    assert "OneToOneConnector" in prj.describe()


def test_every_standard_cell_type_builds_and_runs():
    for name in sim.list_standard_models():
        sim.setup(timestep=DT)
        celltype = getattr(sim, name)()
        p = sim.Population(2, celltype)
        p.record("spikes")
        for variable in celltype.recordable:
            if variable != "spikes":
                p.record(variable)
        sim.run(5.0)
        assert len(p.get_data().segments) == 1, name


# --- what is not supported raises NotImplementedError ---------------------------------------

def test_unsupported_features_raise_not_implemented():
    p = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    with pytest.raises(NotImplementedError, match="STDPMechanism"):
        sim.STDPMechanism(timing_dependence=None, weight_dependence=None)
    with pytest.raises(NotImplementedError, match="GIF_cond_exp"):
        sim.GIF_cond_exp()
    with pytest.raises(NotImplementedError, match="TsodyksMarkramSynapse with U"):
        sim.Projection(p, p, sim.AllToAllConnector(),
                       sim.TsodyksMarkramSynapse(weight=0.1, U=np.array([[0.1, 0.2], [0.3, 0.4]])))
        sim.run(1.0)
    sim.setup(timestep=DT)
    p = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    source = sim.DCSource(amplitude=0.1)
    source.inject_into(p)
    sim.run(1.0)
    for action in (lambda: prj.set(weight=0.2), lambda: p.record("v"),
                   lambda: sim.Population(1, sim.IF_curr_exp()),
                   lambda: sim.DCSource(amplitude=0.1).inject_into(p)):
        with pytest.raises(NotImplementedError, match="after the first run"):
            action()
    p.initialize(v=-60.0)  # state changes between runs do take effect
    np.testing.assert_array_equal(nd_state(p, "v"), [-60.0, -60.0])


# --- changes between runs take effect --------------------------------------------------------

def test_parameter_and_current_source_changes_between_runs_take_effect():
    # Two leaky neurons, threshold out of reach: v relaxes towards v_rest + R I with
    # R = tau_m / cm. Neuron 0 is driven by i_offset, neuron 1 by a DCSource; both
    # change between the runs. Exact integration of piecewise-constant currents, so the
    # closed form holds to rounding (1e-9 mV).
    tau_m, cm, v_rest = 20.0, 0.5, -65.0
    R = tau_m / cm
    cells = sim.Population(2, sim.IF_curr_exp(tau_m=tau_m, cm=cm, v_rest=v_rest, v_thresh=0.0, v_reset=-70.0,
                                              i_offset=np.array([0.1, 0.0])))
    cells.initialize(v=v_rest)
    source = sim.DCSource(amplitude=0.2, start=0.0)
    source.inject_into(cells[1:2])
    cells.record("v")
    sim.run(10.0)
    cells[0:1].set(i_offset=0.3)  # through a view
    source.amplitude = 0.05
    sim.run(10.0)
    v = cells.get_data().segments[0].filter(name="v")[0]
    t = v.times.magnitude
    first, second = t <= 10.0 + 1e-9, t >= 10.0 - 1e-9
    decay = np.exp(-(t - 10.0) / tau_m)
    for k, (before, after) in enumerate([(0.1, 0.3), (0.2, 0.05)]):
        exact_first = v_rest + R * before * (1.0 - np.exp(-t / tau_m))
        v10 = v_rest + R * before * (1.0 - math.exp(-10.0 / tau_m))
        exact_second = v_rest + R * after + (v10 - v_rest - R * after) * decay
        np.testing.assert_allclose(v.magnitude[first, k], exact_first[first], atol=1e-9)
        np.testing.assert_allclose(v.magnitude[second, k], exact_second[second], atol=1e-9)
    np.testing.assert_array_equal(cells.get("i_offset"), [0.3, 0.0])
    assert source.amplitude == 0.05


def test_refused_changes_between_runs_change_nothing():
    cells = sim.Population(2, sim.IF_curr_exp(v_thresh=-50.0, v_reset=-65.0))
    source = sim.ACSource(amplitude=0.1, frequency=10.0)
    source.inject_into(cells)
    sim.run(1.0)
    with pytest.raises(ValueError, match="v_reset must be < v_thresh"):
        cells.set(v_reset=-40.0)
    with pytest.raises(ValueError, match="tau_m must be > 0"):
        cells.set(tau_m=np.array([10.0, -1.0]), cm=2.0)
    np.testing.assert_array_equal(cells.get("tau_m"), [20.0, 20.0])
    np.testing.assert_array_equal(cells.get("cm"), [1.0, 1.0])
    np.testing.assert_array_equal(cells.get("v_reset"), [-65.0, -65.0])
    assert sim.state.simulation.stimulus(0)["frequency"] == 10.0
    with pytest.raises(ValueError, match="frequency"):
        source.frequency = -5.0
    assert source.frequency == 10.0
    assert sim.state.simulation.stimulus(0)["frequency"] == 10.0
    source.frequency = 20.0
    assert sim.state.simulation.stimulus(0)["frequency"] == 20.0
    sim.run(1.0)


# --- the example -------------------------------------------------------------------------------

def test_pynn_brunel_example_runs():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PACKAGE_DIR) + os.pathsep + env.get("PYTHONPATH", "")
    script = REPOSITORY / "examples" / "python" / "pynn_brunel.py"
    out = subprocess.run([sys.executable, str(script), "--scale", "0.05", "--duration", "100"], env=env,
                         capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    assert out.returncode == 0, out.stderr
    rates = dict(line.split(": ") for line in out.stdout.splitlines() if line.startswith("rate"))
    # the asynchronous irregular state of model A at g = 5, eta = 2: a few to a few tens of Hz
    for value in rates.values():
        assert 1.0 < float(value.split()[0]) < 100.0, out.stdout
