"""Determinism of the triplet and Vogels–Sprekeler STDP rules (docs/plasticity.md): a
recurrent network with both rules gives identical weights and spikes, bit for bit, for
the same seed twice, on 1 and 3 shards, on 1 and 2 threads, and for a run split in
pieces with weights read in between (reads apply pending potentiation early: the same
operations in the same order). The pair rule has the same test in test_stdp.py (MPI)
and tests/integration/test_stdp.cpp; the C++ tests of the two rules cover single
projections (test_stdp_triplet.cpp, test_stdp_vogels.cpp).
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

DURATION = 400.0  # ms


def network(seed=99):
    """Excitatory and inhibitory IF_curr_exp neurons driven by Poisson input: E -> E
    plastic by the triplet rule (multapses, delays 0.5-3 ms, all four terms), I -> E
    plastic by the Vogels–Sprekeler rule (negative bounds), E -> I static."""
    net = nd.Network(dt=0.1, seed=seed)
    exc = net.population("E", "IF_curr_exp", 60, params={"tau_refrac": 2.0}, initial={"v": nd.uniform(-65.0, -52.0)})
    inh = net.population("I", "IF_curr_exp", 15, initial={"v": nd.uniform(-65.0, -52.0)})
    net.connect(exc, exc, nd.fixed_number_pre(10, allow_multapses=True), weight=nd.uniform(0.05, 0.2),
                delay=nd.uniform(0.5, 3.0), name="EE",
                synapse=nd.stdp(timing="triplet", A2_plus=2e-3, A3_plus=6e-3, A2_minus=7e-3, A3_minus=1e-3,
                                w_min=0.0, w_max=0.3))
    net.connect(exc, inh, nd.fixed_probability(0.2), weight=0.3, delay=1.0, name="EI")
    net.connect(inh, exc, nd.fixed_probability(0.5), weight=-0.1, delay=nd.uniform(0.5, 2.0), receptor="inhibitory",
                name="IE", synapse=nd.stdp(timing="vogels_sprekeler", eta=5e-3, tau=20.0, rho0=5.0, w_min=-0.5,
                                           w_max=0.0))
    net.poisson_input(exc, rate=6000.0, weight=0.12)
    net.poisson_input(inh, rate=4000.0, weight=0.12)
    net.record_spikes(exc)
    net.record_spikes(inh)
    return net


def run(net, shards=1, threads=1, pieces=(DURATION,)):
    sim = net.build(shards=shards, threads=threads)
    for piece in pieces:
        sim.run(piece)
        sim.weights("EE"), sim.weights("IE")  # reads between pieces change nothing
    return {"EE": sim.weights("EE"), "IE": sim.weights("IE"),
            **{f"{p}.{k}": v for p in ("E", "I") for k, v in zip(("times", "ids"), sim.spikes(p))}}


def assert_identical(result, reference, what):
    for key in reference:
        np.testing.assert_array_equal(result[key], reference[key], err_msg=f"{key}: {what}")


@pytest.fixture(scope="module")
def reference():
    return run(network())


def test_the_network_learns_and_spikes(reference):
    # A test of identity is empty if nothing happens: both rules moved most weights
    # (measured: all of them), and both populations fired (measured: 1098 and 1083
    # spikes in 400 ms, ~45 Hz and ~180 Hz).
    initial = network().build()
    for name in ("EE", "IE"):
        assert np.mean(reference[name] != initial.connections(name)["weight"]) > 0.5, name
    assert reference["E.times"].size > 500 and reference["I.times"].size > 200


def test_same_seed_twice(reference):
    assert_identical(run(network()), reference, "same seed again")


@pytest.mark.parametrize("shards,threads", [(3, 1), (2, 2), (3, 2)])
def test_any_shards_and_threads(reference, shards, threads):
    assert_identical(run(network(), shards, threads), reference, f"{shards} shards on {threads} threads")


def test_run_in_pieces_with_reads(reference):
    assert_identical(run(network(), 3, 2, pieces=(123.4, 0.1, 276.5)), reference, "in pieces, 3 shards, 2 threads")


def test_another_seed_differs(reference):
    other = run(network(seed=100))
    assert not np.array_equal(other["EE"], reference["EE"])
    assert not np.array_equal(other["E.times"], reference["E.times"])
