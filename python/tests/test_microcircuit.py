"""The fixed_total_number connector and the network scale from Python, and the
microcircuit example built through the Python API (examples/python/microcircuit.py)
against the model file (examples/microcircuit.toml).

The rates of the example are checked by tests/integration/test_microcircuit.cpp; the
full-scale validation is bench/microcircuit_rates.py (docs/microcircuit.md).
"""

import importlib.util
import math
import pathlib

import numpy as np
import pytest

import neurodyn as nd

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
MODEL = REPOSITORY / "examples" / "microcircuit.toml"


def load_example():
    spec = importlib.util.spec_from_file_location("microcircuit_example", REPOSITORY / "examples" / "python" /
                                                  "microcircuit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the connector ------------------------------------------------------------------------

def test_fixed_total_number_defaults_to_multapses_and_gives_exactly_n():
    connector = nd.fixed_total_number(500)
    assert connector.kind == "fixed_total_number"
    assert (connector.n, connector.allow_autapses, connector.allow_multapses) == (500, True, True)
    assert repr(connector) == "neurodyn.fixed_total_number(500, allow_autapses=True, allow_multapses=True)"
    net = nd.Network(seed=3)
    a = net.population("A", "IF_curr_exp", 30)
    b = net.population("B", "IF_curr_exp", 20)
    net.connect(a, b, connector, weight=0.1)
    net.connect(a, a, nd.fixed_total_number(870, allow_autapses=False, allow_multapses=False), weight=0.1)
    sim = net.build()
    first = sim.connections(0)
    assert len(first["source"]) == 500
    second = sim.connections(1)
    # 870 = 30 x 29: every pair but the autapses, each once.
    pairs = set(zip(second["source"].tolist(), second["target"].tolist()))
    assert len(pairs) == 870 and all(i != j for i, j in pairs)


def test_fixed_total_number_errors_name_the_key():
    with pytest.raises(nd.NeurodynValueError, match=r"connector.n: expected an integer >= 0, got -1"):
        nd.fixed_total_number(-1)
    net = nd.Network()
    a = net.population("A", "IF_curr_exp", 3)
    with pytest.raises(nd.NeurodynValueError,
                       match=r"projection\[0\].connector.n: fixed_total_number asks for 10 distinct synapses but only "
                             r"9 pairs"):
        net.connect(a, a, nd.fixed_total_number(10, allow_multapses=False))
    assert net.projections == []  # the failed call changed nothing


# --- the scale ------------------------------------------------------------------------------

def test_network_scale_scales_sizes_and_connector_numbers():
    net = nd.Network(scale=0.1)
    assert net.scale == 0.1
    e = net.population("E", "IF_curr_exp", 1000, params={"tau_m": nd.uniform(10.0, 20.0)})
    tiny = net.population("T", "IF_curr_exp", 4)
    assert (e.size, tiny.size) == (100, 1)  # max(1, round(0.4))
    net.connect(e, e, nd.fixed_total_number(50000))            # x 0.1^2 -> 500
    net.connect(e, tiny, nd.fixed_number_pre(100))             # x 0.1 -> 10
    net.connect(e, e, nd.fixed_number_post(25))                # round(2.5) = 3: half away from zero
    net.connect(e, e, nd.fixed_probability(0.1), weight=0.5)   # unchanged
    sim = net.build()
    assert len(sim.connections(0)["source"]) == 500
    assert len(sim.connections(1)["source"]) == 10
    assert len(sim.connections(2)["source"]) == 3 * 100
    assert np.all(sim.connections(3)["weight"] == np.float32(0.5))


@pytest.mark.parametrize("call, key", [
    (lambda net, e: net.population("P", "IF_curr_exp", 4, params={"tau_m": [10.0, 11.0, 12.0, 13.0]}),
     r"population\[1\].params.tau_m: a per-neuron array of values cannot be scaled"),
    (lambda net, e: net.population("S", "SpikeSourceArray", 2, spike_times=[[1.0], [2.0]]),
     r"population\[1\].spike_times: one spike-time list per neuron cannot be scaled"),
    (lambda net, e: net.connect(e, e, nd.from_list([[0, 1]])),
     r"projection\[0\].connector: a from_list connector"),
    (lambda net, e: net.connect(e, e, nd.all_to_all(), weight=np.ones((50, 50))),
     r"projection\[0\].weight: a per-pair array of weights"),
    (lambda net, e: net.record_spikes(e, neurons=[0, 1]),
     r"record\[0\].neurons: an explicit list of neurons"),
    (lambda net, e: net.dc_input(e, 0.1, neurons=[0]),
     r"stimulus\[0\].neurons: an explicit list of neurons"),
])
def test_what_names_neurons_is_refused_when_scaled(call, key):
    net = nd.Network(scale=0.5)
    e = net.population("E", "IF_curr_exp", 100)
    with pytest.raises(nd.NeurodynValueError, match=key):
        call(net, e)
    # At scale 1 the same calls are accepted (sizes as given).
    unscaled = nd.Network()
    call(unscaled, unscaled.population("E", "IF_curr_exp", 50))


@pytest.mark.parametrize("scale", [0.0, -1.0, math.inf, math.nan])
def test_bad_scales_are_refused(scale):
    with pytest.raises(nd.NeurodynValueError, match=r"network.scale: scale must be a finite number > 0"):
        nd.Network(scale=scale)
    with pytest.raises(nd.NeurodynValueError, match=r"network.scale: scale must be a finite number > 0"):
        nd.load_model_file(MODEL, scale=scale)


def test_load_model_file_scale_replaces_the_files_scale():
    net = nd.load_model_file(MODEL, scale=0.02)
    assert net.scale == 0.02
    assert [p.size for p in net.populations] == [414, 117, 438, 110, 97, 21, 288, 59]
    assert nd.load_model_file(MODEL).scale == 1.0  # the file's own [network] scale


# --- the microcircuit example -----------------------------------------------------------------

def test_python_example_builds_the_model_files_network():
    """examples/python/microcircuit.py at scale 0.05 gives exactly the spikes of the model
    file loaded at scale 0.05: same sizes, synapse numbers, weights, delays, drive and
    seed, declared in the same order."""
    example = load_example()
    from_python = example.build(0.05).build()
    from_file = nd.load_model_file(MODEL, scale=0.05).build()
    assert from_python.synapse_count == from_file.synapse_count == 747205
    from_python.run(60.0)
    from_file.run(60.0)
    fired = 0
    for name in example.POPULATIONS:
        t_python, i_python = from_python.spikes(name)
        t_file, i_file = from_file.spikes(name)
        np.testing.assert_array_equal(t_python, t_file)
        np.testing.assert_array_equal(i_python, i_file)
        fired += len(t_file)
    assert fired > 1000  # the comparison is about real activity


def test_example_weights_follow_nest():
    example = load_example()
    # 0.15 mV PSP -> 87.81 pA for C_m 250 pF, tau_m 10 ms, tau_syn 0.5 ms (NEST's helpers give 87.8085 pA).
    assert example.WEIGHT_NA == pytest.approx(0.0878085, abs=1e-7)
    synapses = example.total_synapses()
    assert synapses.sum() == 298880941  # ~3.0e8 synapses at full scale
    assert synapses[0, 0] == 45499804   # L23E -> L23E from C = 0.1009


def test_command_scale_option_replaces_the_files_scale(neurodyn):
    # `neurodyn run --scale S` builds the network load_model_file(path, scale=S) builds:
    # the same population sizes and synapse count, recorded in the summary.
    expected = nd.load_model_file(MODEL, scale=0.02)
    sizes = {p.name: p.size for p in expected.populations}
    run = neurodyn.run(MODEL.read_text(), "--scale", "0.02", "--duration", "5", "--no-output", name="mc")
    summary = run.summary
    assert summary["scale"] == 0.02
    assert {name: p["size"] for name, p in summary["populations"].items()} == sizes
    assert summary["synapses"] == expected.build().synapse_count


@pytest.mark.parametrize("value", ["0", "-1", "abc"])
def test_command_refuses_a_bad_scale(neurodyn, value):
    process = neurodyn.command("run", MODEL, "--scale", value, "--no-output")
    assert process.returncode == 2
    assert "--scale" in process.stderr
