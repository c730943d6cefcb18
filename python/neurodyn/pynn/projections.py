"""Projection for neurodyn.pynn.

PyNN's connectors run in Python, as for PyNN's Brian2 backend, so every connector and
every way of giving weights and delays (numbers, arrays, RandomDistribution with PyNN's
RNGs, functions of distance) behaves exactly as PyNN defines it. The connections are
kept here (indices, weights, delays: what get() returns) and handed to the engine as
explicit lists when the network is built: one neurodyn projection per pair of
populations an Assembly or view spans.
"""

import numpy as np

from pyNN import common
from pyNN.space import Space

import neurodyn

from . import simulator
from .neuromodulation import find_modulator
from .simulator import not_supported, state
from .standardmodels import DopamineSTDPRule, STDPMechanism, StaticSynapse, TsodyksMarkramSynapse

_STDP_PARAMETERS = ("tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max", "mu_plus", "mu_minus",
                    "tau_x", "tau_y", "A2_plus", "A3_plus", "A2_minus", "A3_minus",  # PfisterSpikeTripletRule
                    "tau", "eta", "rho0",  # Vogels2011Rule (PyNN's rho is neurodyn's rho0)
                    "tau_c", "b")  # DopamineSTDPRule
_ATTRIBUTES = ("weight", "delay", "U", "tau_rec", "tau_facil") + _STDP_PARAMETERS


class Connection(common.Connection):
    """One connection of a Projection (PyNN's Connection interface)."""

    def __init__(self, projection, index):
        self.projection = projection
        self.index = index

    @property
    def presynaptic_index(self):
        return int(self.projection._column("presynaptic_index")[self.index])

    @property
    def postsynaptic_index(self):
        return int(self.projection._column("postsynaptic_index")[self.index])

    def _get(self, name):
        return float(self.projection._column(name)[self.index])

    weight = property(lambda self: self._get("weight"))
    delay = property(lambda self: self._get("delay"))

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector, synapse_type=None, source=None,
                 receptor_type=None, space=Space(), label=None):
        state.check_modifiable("creating a Projection")
        if source is not None:
            raise not_supported(f"Projection(source={source!r}) (spikes come from the neuron's threshold)")
        if synapse_type is not None and not isinstance(synapse_type,
                                                       (StaticSynapse, TsodyksMarkramSynapse, STDPMechanism)):
            raise not_supported(f"the synapse type {type(synapse_type).__name__} (StaticSynapse, "
                                f"TsodyksMarkramSynapse and STDPMechanism are supported)")
        if isinstance(synapse_type, STDPMechanism) and synapse_type.modulator is not None:
            # As the engine asks: the modulator is declared before the projections that read it.
            find_modulator(synapse_type.modulator, f"Projection with {type(synapse_type.timing_dependence).__name__}")
        self._engine_parts = []  # STDP: (neurodyn projection name, positions in engine order)
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population, connector, synapse_type,
                                   source, receptor_type, space, label)
        self._chunks = {name: [] for name in ("presynaptic_index", "postsynaptic_index") + _ATTRIBUTES}
        self._columns = None
        connector.connect(self)
        state.projections.append(self)

    # --- connections --------------------------------------------------------------------

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index, **connection_parameters):
        pre = np.asarray(presynaptic_indices, dtype=np.int64).reshape(-1)
        n = pre.size
        self._chunks["presynaptic_index"].append(pre)
        self._chunks["postsynaptic_index"].append(np.full(n, int(postsynaptic_index), dtype=np.int64))
        for name in _ATTRIBUTES:
            if name in connection_parameters:
                value = np.broadcast_to(np.asarray(connection_parameters[name], dtype=float), (n,))
                self._chunks[name].append(np.array(value))
            elif name in ("weight", "delay"):
                raise ValueError(f"connector gave no {name}")
        unknown = set(connection_parameters) - set(_ATTRIBUTES) - {"dendritic_delay_fraction"}
        if unknown:
            raise not_supported(f"the synapse parameters {sorted(unknown)}")
        if connection_parameters.get("dendritic_delay_fraction", 1.0) != 1.0:
            raise not_supported("dendritic_delay_fraction other than 1 (the whole delay is dendritic, as in NEST)")
        self._columns = None

    def _all_columns(self):
        if self._columns is None:
            self._columns = {}
            for name, chunks in self._chunks.items():
                if chunks:
                    self._columns[name] = np.concatenate(chunks)
                    self._chunks[name] = [self._columns[name]]
                elif name in ("presynaptic_index", "postsynaptic_index"):
                    self._columns[name] = np.zeros(0, dtype=np.int64)
                elif name in ("weight", "delay"):
                    self._columns[name] = np.zeros(0)
        return self._columns

    def _column(self, name):
        columns = self._all_columns()
        if name.endswith("s") and name[:-1] in columns:  # weights -> weight
            name = name[:-1]
        if name == "weight" and self._engine_parts and state.built:
            # STDP: the weights as the rule has changed them up to now. The description
            # keeps the weights as set, which reset() goes back to.
            current = columns["weight"].copy()
            for engine_name, positions in self._engine_parts:
                current[positions] = state.simulation.weights(engine_name)
            return current
        if name == "eligibility" and self._is_dopamine():
            # The eligibility traces c: 0 until the first run, then as the rule has
            # brought them up to the current time.
            values = np.zeros(len(self))
            if state.built:
                for engine_name, positions in self._engine_parts:
                    values[positions] = state.simulation.eligibilities(engine_name)
            return values
        if name not in columns:
            raise KeyError(f"{name!r} is not an attribute of the connections of {self.synapse_type.__class__.__name__} "
                           f"(attributes: {', '.join(n for n in columns if 'index' not in n)})")
        return columns[name]

    def __len__(self):
        return int(self._all_columns()["presynaptic_index"].size)

    def _is_dopamine(self):
        return isinstance(self.synapse_type, STDPMechanism) and isinstance(self.synapse_type.timing_dependence,
                                                                          DopamineSTDPRule)

    def __getitem__(self, i):
        if isinstance(i, (int, np.integer)):
            if not -len(self) <= i < len(self):
                raise IndexError(f"connection {i} of {len(self)}")
            return Connection(self, int(i) % max(len(self), 1))
        if isinstance(i, slice):
            return [Connection(self, k) for k in range(*i.indices(len(self)))]
        raise TypeError(f"connections are indexed by an int or a slice, not {type(i).__name__}")

    def _min_delay(self):
        return float(self._column("delay").min())

    def _max_delay(self):
        return float(self._column("delay").max())

    # --- get and set ----------------------------------------------------------------------

    def _get_attributes_as_list(self, names):
        columns = [self._column(name) for name in names]
        converted = [c.tolist() for c in columns]
        return list(zip(*converted)) if converted else []

    def _get_attributes_as_arrays(self, names, multiple_synapses='sum'):
        pre = self._column("presynaptic_index")
        post = self._column("postsynaptic_index")
        out = []
        for name in names:
            values = self._column(name)
            result = np.full((self.pre.size, self.post.size), np.nan)
            if multiple_synapses in ("last", "first"):
                order = np.arange(pre.size) if multiple_synapses == "last" else np.arange(pre.size)[::-1]
                result[pre[order], post[order]] = values[order]
            else:
                ufunc, start = {"sum": (np.add, 0.0), "min": (np.minimum, np.inf),
                                "max": (np.maximum, -np.inf)}[multiple_synapses]
                work = np.full((self.pre.size, self.post.size), start)
                ufunc.at(work, (pre, post), values)
                connected = np.zeros((self.pre.size, self.post.size), dtype=bool)
                connected[pre, post] = True
                result[connected] = work[connected]
            out.append(result)
        return out

    def _set_attributes(self, parameter_space):
        if self._engine_parts and state.built and set(parameter_space.keys()) == {"weight"}:
            # STDP weights can be replaced between runs.
            parameter_space.evaluate()
            column = self._column("weight").copy()
            value = parameter_space["weight"]
            pre, post = self._column("presynaptic_index"), self._column("postsynaptic_index")
            column[:] = value[pre, post] if np.ndim(value) == 2 else value
            for engine_name, positions in self._engine_parts:
                state.simulation.set_weights(engine_name, column[positions])
            self._all_columns()["weight"][:] = column
            return
        state.check_modifiable("changing connection attributes (Projection.set)")
        parameter_space.evaluate()
        pre = self._column("presynaptic_index")
        post = self._column("postsynaptic_index")
        for name, value in parameter_space.items():
            column = self._column(name)
            column[:] = value[pre, post] if np.ndim(value) == 2 else value

    def _set_initial_value_array(self, variable, initial_value):
        raise not_supported(f"initial values of synaptic state ({variable})")

    # --- building -------------------------------------------------------------------------

    def _uniform(self, name, what):
        column = self._column(name)
        if column.size and np.ptp(column) != 0:
            raise not_supported(f"{what} with {name} differing between connections (neurodyn keeps it per projection)")
        return float(column[0]) if column.size else None

    def _stdp_synapse(self):
        timing = self.synapse_type.timing_dependence
        dependence = self.synapse_type.weight_dependence
        values = {}
        for name in _STDP_PARAMETERS:
            if name in self._all_columns():
                values[name] = self._uniform(name, "STDPMechanism")
        values = {k: v for k, v in values.items() if v is not None}
        if type(dependence).__name__ == "AdditivePotentiationMultiplicativeDepression":
            values.update(mu_plus=0.0, mu_minus=1.0)
        if self.synapse_type.modulator is not None:  # DopamineSTDPRule, or a modulated pair rule
            values["modulator"] = self.synapse_type.modulator
        if timing.nd_timing != "spike_pair":  # Vogels2011Rule, PfisterSpikeTripletRule, DopamineSTDPRule
            return neurodyn.stdp(timing=timing.nd_timing, weight_dependence=dependence.neurodyn_kind, **values)
        return neurodyn.stdp(weight_dependence=dependence.neurodyn_kind, pairing=timing.neurodyn_kind, **values)

    def _synapse(self):
        if isinstance(self.synapse_type, STDPMechanism):
            return self._stdp_synapse()
        if not isinstance(self.synapse_type, TsodyksMarkramSynapse):
            return neurodyn.static_synapse()
        values = {}
        for name in ("U", "tau_rec", "tau_facil"):
            column = self._column(name)
            if column.size and np.ptp(column) != 0:
                raise not_supported(f"TsodyksMarkramSynapse with {name} differing between connections "
                                    f"(neurodyn keeps U, tau_rec, tau_facil per projection)")
            values[name] = float(column[0]) if column.size else float(self.synapse_type.default_parameters[name])
        return neurodyn.tsodyks_markram(**values)

    def _build(self, net):
        if len(self) == 0:
            return
        pre_ids = np.asarray(self.pre.all_cells, dtype=np.int64)[self._column("presynaptic_index")]
        post_ids = np.asarray(self.post.all_cells, dtype=np.int64)[self._column("postsynaptic_index")]
        weights, delays = self._column("weight"), self._column("delay")
        synapse = self._synapse()
        self._engine_parts = []
        for post_population, post_local, post_positions in state.locate(post_ids):
            pre_groups = state.locate(pre_ids[post_positions])
            for pre_population, pre_local, pre_positions in pre_groups:
                positions = post_positions[pre_positions]
                connector = neurodyn.from_list(sources=pre_local, targets=post_local[pre_positions],
                                               weights=weights[positions], delays=delays[positions])
                engine_name = (f"projection{state.projections.index(self)}:{pre_population._nd_name}->"
                               f"{post_population._nd_name}")
                net.connect(pre_population._nd_name, post_population._nd_name, connector,
                            delay=float(delays[positions].min()), receptor=self.receptor_type, synapse=synapse,
                            name=engine_name)
                if isinstance(self.synapse_type, STDPMechanism):
                    # The engine orders a from_list projection by target, then source (stable).
                    order = np.lexsort((pre_local, post_local[pre_positions]))
                    self._engine_parts.append((engine_name, positions[order]))
