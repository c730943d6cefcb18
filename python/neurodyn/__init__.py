"""neurodyn: spiking and rate networks, described in Python or in model files, simulated
by neurodyn's C++ engine.

    import neurodyn as nd
    net = nd.Network(dt=0.1, seed=12345)
    E = net.population("E", "IF_curr_delta", 800, params={"tau_m": 20.0},
                       initial={"v": nd.uniform(0.0, 20.0)})
    net.connect(E, E, nd.fixed_number_pre(80), weight=0.1, delay=1.5)
    net.poisson_input(E, rate=20000.0, weight=0.1)
    net.record_spikes(E)
    sim = net.build()
    sim.run(1000.0)
    times, ids = sim.spikes("E")

Units: ms, mV, nA, nF, uS, Hz. See docs/python.md.
"""

from . import _core
from .errors import (NeurodynError, NeurodynFileError, NeurodynFileNotFoundError, NeurodynInternalError,
                     NeurodynKeyError, NeurodynMemoryError, NeurodynValueError)

_core.set_error_classes(NeurodynValueError, NeurodynKeyError, NeurodynFileError, NeurodynFileNotFoundError,
                        NeurodynMemoryError, NeurodynInternalError)

from ._core import (Connector, Distribution, Synapse, all_to_all, exponential, fixed_number_post,  # noqa: E402
                    fixed_number_pre, fixed_probability, fixed_total_number, from_list, normal, normal_clipped,
                    one_to_one, rate_hebbian, static_synapse, stdp, tsodyks_markram, uniform)
from .network import Network, Population, Projection, Simulation, Trace, load_model_file  # noqa: E402
from .results import load_results  # noqa: E402
from . import hebbian  # noqa: E402  (rate-based Hebbian rules: docs/plasticity.md)
from .hebbian import AntiHebbianNetwork, HebbianLayer, HebbianSubspace  # noqa: E402
from . import nalsm  # noqa: E402  (astrocyte-modulated STDP liquid, branching ratio: docs/plasticity.md)
from . import prediction  # noqa: E402  ("what" and "when" prediction by a spiking reservoir: docs/computing.md)

__version__ = _core.__version__


def mpi_rank():
    """This process's rank when the script runs under ``mpirun -np N`` (0 otherwise).

    Under mpirun every rank runs the whole script: each builds and advances its part
    of the network, and all of them see every spike, trace and state value, identical
    to a single-process run. Write files and print from rank 0 only (a Simulation's
    `output` file is written by rank 0 alone). See docs/scaling.md.
    """
    return _core.mpi_rank()


def mpi_size():
    """The number of processes of a run started by mpirun (1 otherwise)."""
    return _core.mpi_size()


def models():
    """Names of the registered neuron models."""
    return list(_core.model_names())


def describe_model(name):
    """A model's parameters and state variables (name, unit, default, bound, doc),
    receptors and weight unit, as a dict; NeurodynKeyError for an unknown name."""
    return _core.describe_model(str(name))


__all__ = [
    "Network", "Population", "Projection", "Simulation", "Trace", "load_model_file", "load_results",
    "models", "describe_model",
    "uniform", "normal", "normal_clipped", "exponential", "Distribution",
    "all_to_all", "one_to_one", "fixed_probability", "fixed_number_pre", "fixed_number_post", "fixed_total_number",
    "from_list",
    "Connector", "static_synapse", "tsodyks_markram", "stdp", "rate_hebbian", "Synapse",
    "NeurodynError", "NeurodynValueError", "NeurodynKeyError", "NeurodynFileError", "NeurodynFileNotFoundError",
    "NeurodynMemoryError", "NeurodynInternalError",
]
__all__ += ["HebbianLayer", "AntiHebbianNetwork", "HebbianSubspace"]
