"""Population, PopulationView and Assembly for neurodyn.pynn.

A Population keeps its parameters as evaluated arrays (PyNN's ParameterSpace evaluated
once, so random values are drawn once with PyNN's RNG and read back exactly) and its
initial values likewise; both are handed to the engine when the network is built.
After the first run, set() and initialize() also change the engine's values at once
(Simulation.set_param / set_state), from the next step.
"""

import numpy as np

from pyNN import common, errors
from pyNN.parameters import ParameterSpace, Sequence, simplify
from pyNN.standardmodels import StandardCellType

from . import simulator
from .neuromodulation import ADAPTED_PARAMETER, homeostasis_rule
from .recording import Recorder
from .simulator import not_supported, state


class Assembly(common.Assembly):
    _simulator = simulator


class PopulationView(common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _parameter_values(self, name):
        value = self.parent._parameter_values(name)
        return value[self.mask] if isinstance(value, np.ndarray) else value

    def _get_parameters(self, *names):
        return ParameterSpace({name: simplify(self._parameter_values(name)) for name in names}, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        self.parent._assign_parameters({name: value for name, value in parameter_space.items()}, self.mask)

    def _set_initial_value_array(self, variable, initial_values):
        self.parent._set_initial_values_masked(variable, initial_values, self.mask)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def __init__(self, *args, **kwargs):
        state.check_modifiable("creating a Population")
        common.Population.__init__(self, *args, **kwargs)

    def _create_cells(self):
        if not isinstance(self.celltype, StandardCellType) or not hasattr(self.celltype, "nd_model"):
            raise not_supported(f"the cell type {type(self.celltype).__name__} (only the standard cell types "
                                f"of neurodyn.pynn are supported)")
        id_range = np.arange(state.id_counter, state.id_counter + self.size)
        self.all_cells = np.array([simulator.ID(id) for id in id_range], dtype=simulator.ID)
        self._mask_local = np.ones((self.size,), dtype=bool)
        parameter_space = self.celltype.native_parameters
        parameter_space.shape = (self.size,)
        parameter_space.evaluate(simplify=False)
        self._parameters = parameter_space.as_dict()
        self._initial = {}
        for id in self.all_cells:
            id.parent = self
        state.id_counter += self.size
        state.populations.append(self)

    @property
    def _nd_name(self):
        return state.population_name(self)

    def _set_initial_value_array(self, variable, initial_values):
        self._set_initial_values_masked(variable, initial_values, slice(None))

    def _set_initial_values_masked(self, variable, initial_values, mask):
        if variable not in self.celltype.nd_state:
            raise errors.NonExistentParameterError(variable, self.celltype.__class__.__name__,
                                                   list(self.celltype.nd_state))
        full = self._initial.get(variable)
        if full is None:
            full = np.full(self.size, np.nan)
        values = initial_values
        if hasattr(values, "evaluate"):
            if values.shape is None or values.shape != (self.size,):
                values.shape = np.zeros(self.size)[mask].shape
            values = values.evaluate(simplify=False)
        full = full.copy()
        full[mask] = values
        self._initial[variable] = full
        if state.built:  # takes effect now, as in NEST
            current = state.simulation.state(self._nd_name, variable)
            current[mask] = values
            state.simulation.set_state(self._nd_name, variable, current)

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _adapted_parameter(self):
        """The parameter this population's homeostasis moves (v_thresh, i_offset), or None."""
        rule = homeostasis_rule(self)
        return ADAPTED_PARAMETER.get(rule[0]) if rule is not None else None

    def _parameter_values(self, name):
        """The values of parameter `name`: as set, except the parameter homeostasis adapts,
        which after the first run is what the engine has reached."""
        if state.built and name == self._adapted_parameter():
            return state.simulation.param(self._nd_name, name)
        return self._parameters[name]

    def _get_parameters(self, *names):
        return ParameterSpace({name: simplify(self._parameter_values(name)) for name in names}, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        self._assign_parameters({name: value for name, value in parameter_space.items()}, slice(None))

    def _assign_parameters(self, values, mask):
        """Sets the parameters `values` (name -> values of the masked cells). After the
        first run the engine's parameters change too, from the next step; a value the
        model refuses raises ValueError and changes nothing."""
        if state.built and "spike_times" in values:
            raise not_supported("changing the spike_times of a SpikeSourceArray after the first run (call "
                                "reset() first: changes made after reset() take effect at the next run)")
        updated = {}
        for name, value in values.items():
            if name not in self._parameters:
                raise errors.NonExistentParameterError(name, self.celltype.__class__.__name__,
                                                       list(self._parameters))
            full = np.array(self._parameters[name], copy=True)
            full[mask] = value
            updated[name] = full
        if state.built:
            adapted = self._adapted_parameter()
            done = {}  # name -> the engine's values before, to put back what was already changed
            try:
                for name, full in updated.items():
                    previous = np.asarray(self._parameters[name], dtype=float)
                    engine_values = np.asarray(full, dtype=float)
                    if name == adapted:  # the other neurons keep what homeostasis has reached
                        previous = state.simulation.param(self._nd_name, name)
                        engine_values = previous.copy()
                        engine_values[mask] = values[name]
                    state.simulation.set_param(self._nd_name, name, engine_values)
                    done[name] = previous
            except Exception:
                for name, previous in done.items():
                    state.simulation.set_param(self._nd_name, name, previous)
                raise
        self._parameters.update(updated)

    def _build(self, net):
        params, spike_times = {}, None
        for name, value in self._parameters.items():
            if name == "spike_times":
                spike_times = [np.asarray(getattr(s, "value", s), dtype=float).reshape(-1).tolist()
                               for s in np.atleast_1d(value)]
                continue
            value = simplify(value)
            params[name] = float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)
        initial = {}
        for name, value in self._initial.items():
            value = simplify(value)
            initial[name] = float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)
        net.population(self._nd_name, self.celltype.nd_model, self.size, params=params, initial=initial,
                       spike_times=spike_times)
