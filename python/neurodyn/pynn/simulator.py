"""The state of a neurodyn.pynn simulation: the clock, the objects of the network as the
script creates them, and the neurodyn Simulation they are built into.

The script describes the network with PyNN's objects; nothing is handed to the engine
until the first run(), when :meth:`State.build` turns every Population, Projection,
current source and recorder into a :class:`neurodyn.Network` and builds it. Later runs
continue that simulation. reset() keeps the description, stores the recorded data as a
finished Neo segment, and drops the simulation: the next run() builds it afresh from
the description (the initial values, the parameters as they are then), so every state
variable, synaptic state and clock starts again from t = 0.
"""

import numpy as np

from pyNN import common

import neurodyn

name = "neurodyn"


class ID(int, common.IDMixin):
    """A neuron's global id (an int) that knows its Population (``id.parent``)."""

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


def not_supported(feature):
    """PyNN's NotImplementedError for a feature neurodyn.pynn does not provide."""
    return NotImplementedError(f"neurodyn.pynn does not support {feature} (see docs/pynn.md)")


class State(common.control.BaseState):
    """The clock and the registry of network objects (PyNN's ``simulator.state``)."""

    def __init__(self):
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.dt = 0.1
        self.min_delay = 'auto'
        self.max_delay = 'auto'
        self.seed = 12345
        self.clear()

    # --- the network ------------------------------------------------------------------

    def clear(self):
        """Forgets the whole network (setup())."""
        self.recorders = set()
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.modulators = []    # neuromodulation.Modulator, in the order they were created
        self.homeostasis = []   # (Population, type, fields): neuromodulation.homeostasis()
        self.write_on_end = []
        self.id_counter = 0
        self.segment_counter = -1
        self.network = None
        self.simulation = None
        self.reset()

    def reset(self):
        """Back to t = 0 with the same description; a new segment begins."""
        self.network = None
        self.simulation = None
        self.running = False
        self.t_start = 0.0
        self.segment_counter += 1
        self.pending_releases = []  # neuromodulation.modulate() before the build: (name, amount, at)

    @property
    def built(self):
        return self.simulation is not None

    def check_modifiable(self, what):
        """Raises NotImplementedError for a change the built simulation cannot take."""
        if self.built:
            raise not_supported(f"{what} after the first run() (call reset() first: changes made "
                                f"after reset() take effect at the next run)")

    def population_name(self, population):
        return f"p{self.populations.index(population)}"

    def locate(self, ids):
        """Maps global ids to (population, local indices) groups: a list of
        (population, indices into the population, positions in `ids`)."""
        ids = np.asarray(ids, dtype=np.int64)
        groups = []
        if ids.size == 0:
            return groups
        firsts = np.array([int(p.first_id) for p in self.populations], dtype=np.int64)
        which = np.searchsorted(firsts, ids, side="right") - 1
        for k in np.unique(which):
            positions = np.nonzero(which == k)[0]
            population = self.populations[int(k)]
            groups.append((population, ids[positions] - int(population.first_id), positions))
        return groups

    def build(self):
        """Builds the network into a neurodyn Simulation at t = 0. Modulators come
        before the projections that read them, homeostasis after the projections that
        synaptic scaling scales."""
        from . import neuromodulation  # here: it imports this module
        seed = int(self.seed) + max(self.segment_counter, 0)
        net = neurodyn.Network(dt=self.dt, seed=seed)
        for population in self.populations:
            population._build(net)
        for modulator in self.modulators:
            modulator._build(net)
        for projection in self.projections:
            projection._build(net)
        neuromodulation.build_homeostasis(net)
        for source in self.current_sources:
            source._build(net)
        for recorder in self.recorders:
            recorder._build(net)
        simulation = net.build()
        neuromodulation.apply_pending_releases(simulation)
        self.network = net
        self.simulation = simulation
        self.running = True

    # --- the clock --------------------------------------------------------------------

    @property
    def t(self):
        return self.simulation.t if self.simulation is not None else 0.0

    @property
    def step(self):
        return self.simulation.step if self.simulation is not None else 0

    def run(self, simtime):
        self.run_until(self.t + simtime)

    def run_until(self, tstop):
        if not self.built:
            self.build()
        steps = int(round(tstop / self.dt)) - self.step
        if steps > 0:
            self.simulation.run(steps * self.dt)
        self.running = True

    def resolved_min_delay(self):
        """min_delay as given to setup(), or, for 'auto', the smallest delay of the
        network's connections (the time step when there are none)."""
        if self.min_delay != 'auto':
            return self.min_delay
        delays = [projection._min_delay() for projection in self.projections if len(projection) > 0]
        return min(delays) if delays else self.dt

    def resolved_max_delay(self):
        if self.max_delay != 'auto':
            return self.max_delay
        delays = [projection._max_delay() for projection in self.projections if len(projection) > 0]
        return max(delays) if delays else self.dt


state = State()
