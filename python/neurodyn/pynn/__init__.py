"""neurodyn.pynn: a PyNN 0.10 backend running on neurodyn's engine.

    import neurodyn.pynn as sim        # instead of: import pyNN.nest as sim
    sim.setup(timestep=0.1)
    p = sim.Population(100, sim.IF_cond_exp())
    ...
    sim.run(1000.0)

PyNN (Debian's python3-pynn) is the API layer, as for PyNN's own backends: the
network is described through pyNN.common's classes and built into a neurodyn
Simulation at the first run(). See docs/pynn.md for what is supported and how the
results differ from other backends. neurodyn extensions of PyNN: PfisterSpikeTripletRule,
DopamineSTDPRule, NearestNeighbourSpikePairRule, Modulator, modulate, homeostasis and
homeostasis_rates (docs/pynn.md).
"""

try:
    import pyNN  # noqa: F401
except ImportError as error:  # pragma: no cover
    raise ImportError("neurodyn.pynn needs PyNN 0.10 (Debian: apt-get install python3-pynn python3-neo "
                      "python3-quantities)") from error

from pyNN import common
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.connectors import (AllToAllConnector, ArrayConnector, CloneConnector, CSAConnector,  # noqa: F401
                             DisplacementDependentProbabilityConnector, DistanceDependentProbabilityConnector,
                             FixedNumberPostConnector, FixedNumberPreConnector, FixedProbabilityConnector,
                             FixedTotalNumberConnector, FromFileConnector, FromListConnector,
                             IndexBasedProbabilityConnector, OneToOneConnector, SmallWorldConnector)
from pyNN.random import GSLRNG, NativeRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.recording import get_io
from pyNN.space import Space  # noqa: F401

from . import simulator
from .neuromodulation import Modulator, homeostasis, homeostasis_rates, modulate  # noqa: F401
from .populations import Assembly, Population, PopulationView  # noqa: F401
from .projections import Projection
from .simulator import not_supported
from .standardmodels import *  # noqa: F401,F403
from .standardmodels import StandardCellType, StaticSynapse

__all__ = []  # `from neurodyn.pynn import *` is PyNN-style: everything public


def list_standard_models():
    """The standard cell types neurodyn.pynn provides."""
    from . import standardmodels
    return [name for name, obj in vars(standardmodels).items()
            if isinstance(obj, type) and issubclass(obj, StandardCellType) and hasattr(obj, "nd_model")
            and name == obj.__name__]


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Starts a new network: forgets any previous one. `timestep`, `min_delay` and
    `max_delay` in ms; ``rng_seed`` (default 12345) seeds the engine's own random
    numbers (spike sources, noisy currents)."""
    max_delay = extra_params.pop('max_delay', DEFAULT_MAX_DELAY)
    seed = extra_params.pop('rng_seed', 12345)
    extra_params.pop('threads', None)  # performance only: the results do not depend on it
    extra_params.pop('verbosity', None)
    if extra_params:
        raise not_supported(f"setup() options {sorted(extra_params)}")
    common.setup(timestep, min_delay, max_delay=max_delay)
    state = simulator.state
    state.clear()
    state.dt = float(timestep)
    state.min_delay = min_delay
    state.max_delay = max_delay
    state.seed = int(seed)
    return 0


def end(compatible_output=True):
    """Writes the files asked for with record(..., to_file=...)."""
    for population, variables, filename in simulator.state.write_on_end:
        population.write_data(get_io(filename), variables)
    simulator.state.write_on_end = []


run, run_until = common.build_run(simulator)
run_for = run

reset = common.build_reset(simulator)

initialize = common.initialize

get_current_time, get_time_step, _get_min_delay, _get_max_delay, num_processes, rank = \
    common.build_state_queries(simulator)


def get_min_delay():
    """The minimum synaptic delay (ms): as given to setup(), or with min_delay='auto'
    the smallest delay of the connections made so far (the time step if none)."""
    return simulator.state.resolved_min_delay()


def get_max_delay():
    """The maximum synaptic delay (ms): as given to setup(), or with 'auto' the
    largest delay of the connections made so far (the time step if none)."""
    return simulator.state.resolved_max_delay()


create = common.build_create(Population)

connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)

record = common.build_record(simulator)


def record_v(source, filename):
    return record(['v'], source, filename)


def record_gsyn(source, filename):
    return record(['gsyn_exc', 'gsyn_inh'], source, filename)
