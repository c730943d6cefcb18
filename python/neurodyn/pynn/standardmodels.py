"""PyNN's standard cell types, synapse types and current sources for neurodyn.

neurodyn's models carry PyNN's names, parameter names, units and defaults
(docs/models.md), so every translation is the identity: a PyNN cell type maps to the
neurodyn model of the same name. Standard types neurodyn does not provide are defined
too, so that using one raises PyNN's NotImplementedError naming it rather than an
AttributeError.
"""

import numpy as np

from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import (StandardCellType, StandardCurrentSource, build_translations, cells, electrodes,
                                 synapses)

import neurodyn

from .neuromodulation import Modulator
from .simulator import not_supported, state


def _identity(names):
    return build_translations(*[(n, n) for n in names])


def _cell_type(base):
    """The neurodyn version of PyNN cell type `base` (model of the same name)."""
    model = base.__name__
    described = neurodyn.describe_model(model)
    own = {p["name"] for p in described["params"]}
    missing = [n for n in base.default_parameters if n not in own and n != "spike_times"]
    if missing:  # a parameter the model lacks would be silently ignored
        raise ImportError(f"neurodyn model {model} lacks PyNN parameters {missing}")
    namespace = {
        "__doc__": base.__doc__,
        "translations": _identity(base.default_parameters),
        "nd_model": model,
        "nd_state": tuple(s["name"] for s in described["state"]),
    }
    return type(model, (base,), namespace)


def _unsupported_cell_type(base, why):
    def __init__(self, *args, **kwargs):
        raise not_supported(f"the cell type {base.__name__} ({why})")
    return type(base.__name__, (base,), {"__doc__": base.__doc__, "__init__": __init__,
                                        "translations": _identity(base.default_parameters)})


IF_curr_exp = _cell_type(cells.IF_curr_exp)
IF_curr_alpha = _cell_type(cells.IF_curr_alpha)
IF_curr_delta = _cell_type(cells.IF_curr_delta)
IF_cond_exp = _cell_type(cells.IF_cond_exp)
IF_cond_alpha = _cell_type(cells.IF_cond_alpha)
IF_cond_exp_gsfa_grr = _cell_type(cells.IF_cond_exp_gsfa_grr)
EIF_cond_exp_isfa_ista = _cell_type(cells.EIF_cond_exp_isfa_ista)
EIF_cond_alpha_isfa_ista = _cell_type(cells.EIF_cond_alpha_isfa_ista)
Izhikevich = _cell_type(cells.Izhikevich)
HH_cond_exp = _cell_type(cells.HH_cond_exp)
SpikeSourcePoisson = _cell_type(cells.SpikeSourcePoisson)
SpikeSourceGamma = _cell_type(cells.SpikeSourceGamma)
SpikeSourceArray = _cell_type(cells.SpikeSourceArray)
# AdExp is PyNN's alias of EIF_cond_alpha_isfa_ista
AdExp = EIF_cond_alpha_isfa_ista

GIF_cond_exp = _unsupported_cell_type(cells.GIF_cond_exp, "no generalized integrate-and-fire model in neurodyn")
IF_facets_hardware1 = _unsupported_cell_type(cells.IF_facets_hardware1, "a hardware-specific model")
SpikeSourceInhGamma = _unsupported_cell_type(cells.SpikeSourceInhGamma, "see docs/models.md, SpikeSourceGamma")
SpikeSourcePoissonRefractory = _unsupported_cell_type(cells.SpikeSourcePoissonRefractory,
                                                      "no dead-time Poisson source in neurodyn")


# --- synapse types ------------------------------------------------------------------------

def _min_delay(self):
    d = state.min_delay
    return state.dt if d == 'auto' else d


class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = _identity(["weight", "delay"])
    _get_minimum_delay = _min_delay


class TsodyksMarkramSynapse(synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    translations = _identity(["weight", "delay", "U", "tau_rec", "tau_facil"])
    _get_minimum_delay = _min_delay


def _unsupported_synapse(base, why):
    def __init__(self, *args, **kwargs):
        raise not_supported(f"the synapse type {base.__name__} ({why})")
    return type(base.__name__, (base,), {"__doc__": base.__doc__, "__init__": __init__})


class STDPMechanism(synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__ + """

    neurodyn: the timing dependence is SpikePairRule (all-to-all pairing, NEST's
    stdp_synapse), NearestNeighbourSpikePairRule (nearest_symmetric, NEST's
    stdp_nn_symm_synapse), Vogels2011Rule (NEST's vogels_sprekeler_synapse) or
    PfisterSpikeTripletRule (a neurodyn class: NEST's stdp_triplet_synapse) or
    DopamineSTDPRule (a neurodyn class: NEST's stdp_dopamine_synapse); the weight
    dependence is Additive, Multiplicative, Gutig or
    AdditivePotentiationMultiplicativeDepression for the pair rules and Additive (its
    bounds) for the other three. The whole delay is dendritic (dendritic_delay_fraction =
    1, as NEST supports); voltage dependence is not supported. Projection.get("weight")
    returns the weights changed by the rule up to the current time (docs/plasticity.md).

    `modulator` (a neurodyn extension): the name of a Modulator, or the Modulator.
    DopamineSTDPRule needs one (its third factor); a SpikePairRule or
    NearestNeighbourSpikePairRule given one multiplies each depression by the
    modulator's value (astrocyte-modulated STDP). With DopamineSTDPRule,
    Projection.get("eligibility") returns the synapses' eligibility traces."""
    base_translations = _identity(["weight", "delay", "dendritic_delay_fraction"])
    _get_minimum_delay = _min_delay

    def __init__(self, timing_dependence=None, weight_dependence=None, voltage_dependence=None,
                 dendritic_delay_fraction=1.0, weight=0.0, delay=None, modulator=None):
        if voltage_dependence is not None:
            raise not_supported("STDPMechanism with a voltage_dependence")
        timings = (SpikePairRule, Vogels2011Rule, PfisterSpikeTripletRule, DopamineSTDPRule)
        if not isinstance(timing_dependence, timings):
            raise not_supported(f"STDPMechanism with timing_dependence={type(timing_dependence).__name__} "
                                f"(supported: SpikePairRule, NearestNeighbourSpikePairRule, Vogels2011Rule, "
                                f"PfisterSpikeTripletRule, DopamineSTDPRule)")
        self.modulator = self._modulator_name(timing_dependence, modulator)
        if not isinstance(weight_dependence, _WEIGHT_DEPENDENCES):
            raise not_supported(f"STDPMechanism with weight_dependence={type(weight_dependence).__name__} "
                                f"(supported: {', '.join(c.__name__ for c in _WEIGHT_DEPENDENCES)})")
        if timing_dependence.nd_timing != "spike_pair" and not isinstance(weight_dependence, AdditiveWeightDependence):
            # The engine's triplet, Vogels-Sprekeler and dopamine rules add amounts in
            # weight units and clip to the bounds, as NEST's synapses do (docs/plasticity.md).
            raise not_supported(f"STDPMechanism with {type(timing_dependence).__name__} and "
                                f"{type(weight_dependence).__name__} ({type(timing_dependence).__name__} takes "
                                f"AdditiveWeightDependence only: its bounds)")
        if dendritic_delay_fraction != 1.0:
            raise not_supported(f"STDPMechanism with dendritic_delay_fraction={dendritic_delay_fraction} (only 1: "
                                f"the whole delay is dendritic, as in NEST; an axonal part would need postsynaptic "
                                f"spikes that have not happened yet when the presynaptic spike is delivered)")
        synapses.STDPMechanism.__init__(self, timing_dependence, weight_dependence, voltage_dependence,
                                        dendritic_delay_fraction, weight, delay)
        self.translations = dict(self.base_translations)
        for component in (timing_dependence, weight_dependence):
            self.translations.update(component.translations)
        if isinstance(timing_dependence, DopamineSTDPRule):  # readable with Projection.get, not settable
            self.translations.update(_identity(["eligibility"]))

    @staticmethod
    def _modulator_name(timing_dependence, modulator):
        """The name of the modulator the rule reads, or None."""
        rule = type(timing_dependence).__name__
        if modulator is None:
            if isinstance(timing_dependence, DopamineSTDPRule):
                raise ValueError("STDPMechanism with DopamineSTDPRule needs a modulator: modulator=<the name of a "
                                 "Modulator> (the third factor that turns eligibility into weight change)")
            return None
        name = modulator.name if isinstance(modulator, Modulator) else modulator
        if not isinstance(name, str) or not name:
            raise TypeError(f"STDPMechanism: modulator must be the name of a Modulator or the Modulator, got "
                            f"{modulator!r}")
        if timing_dependence.nd_timing not in ("spike_pair", "dopamine"):
            raise not_supported(f"STDPMechanism with {rule} and a modulator ({name!r}): modulator= is taken by "
                                f"DopamineSTDPRule and, scaling the depression, SpikePairRule and "
                                f"NearestNeighbourSpikePairRule")
        return name

ElectricalSynapse = _unsupported_synapse(synapses.ElectricalSynapse, "no gap junctions")
SimpleStochasticSynapse = _unsupported_synapse(synapses.SimpleStochasticSynapse, "no stochastic transmission")
StochasticTsodyksMarkramSynapse = _unsupported_synapse(synapses.StochasticTsodyksMarkramSynapse,
                                                       "no stochastic transmission")
MultiQuantalSynapse = _unsupported_synapse(synapses.MultiQuantalSynapse, "no stochastic transmission")


# The STDP components: neurodyn.stdp's parameters under PyNN's names. The weight
# dependence's kind is its class (docs/plasticity.md gives the formulas); a timing
# dependence names its neurodyn rule (nd_timing) and, for the pair rule, its pairing.
def _stdp_component(base, names, stdp_kind, nd_timing=None, translations=None):
    namespace = {"__doc__": base.__doc__, "translations": translations or _identity(names),
                 "possible_models": {"stdp"}, "neurodyn_kind": stdp_kind}
    if nd_timing is not None:
        namespace["nd_timing"] = nd_timing
    return type(base.__name__, (base,), namespace)


SpikePairRule = _stdp_component(synapses.SpikePairRule, ["tau_plus", "tau_minus", "A_plus", "A_minus"], "all_to_all",
                                "spike_pair")


class NearestNeighbourSpikePairRule(SpikePairRule):
    """SpikePairRule with symmetric nearest-neighbour pairing (a neurodyn extension of
    PyNN): each presynaptic spike is paired with the nearest preceding postsynaptic
    spike and each postsynaptic spike with the nearest preceding presynaptic spike, as
    NEST's stdp_nn_symm_synapse. Same parameters as SpikePairRule."""
    neurodyn_kind = "nearest_symmetric"


AdditiveWeightDependence = _stdp_component(synapses.AdditiveWeightDependence, ["w_min", "w_max"], "additive")
MultiplicativeWeightDependence = _stdp_component(synapses.MultiplicativeWeightDependence, ["w_min", "w_max"],
                                                 "multiplicative")
# Fixed potentiation, depression proportional to w - w_min: the Gütig family with
# mu_plus = 0 and mu_minus = 1 (how pyNN.nest maps it too).
AdditivePotentiationMultiplicativeDepression = _stdp_component(
    synapses.AdditivePotentiationMultiplicativeDepression, ["w_min", "w_max"], "gutig")
GutigWeightDependence = _stdp_component(synapses.GutigWeightDependence, ["w_min", "w_max", "mu_plus", "mu_minus"],
                                        "gutig")
_WEIGHT_DEPENDENCES = (AdditiveWeightDependence, MultiplicativeWeightDependence,
                       AdditivePotentiationMultiplicativeDepression, GutigWeightDependence)
# PyNN's rho is the target rate in Hz: neurodyn's rho0 (alpha = 2 rho tau, as NEST's
# vogels_sprekeler_synapse); eta is in weight units, as in NEST.
Vogels2011Rule = _stdp_component(synapses.Vogels2011Rule, None, None, "vogels_sprekeler",
                                 build_translations(("tau", "tau"), ("eta", "eta"), ("rho", "rho0")))


class PfisterSpikeTripletRule(synapses.STDPTimingDependence):
    """The minimal all-to-all triplet rule of Pfister & Gerstner (2006), NEST's
    stdp_triplet_synapse: a neurodyn extension of PyNN, which has no standard triplet
    rule (pyNN.standardmodels.synapses names PfisterSpikeTripletRule but leaves it
    unimplemented). Parameters, units and defaults as neurodyn's triplet rule
    (docs/plasticity.md): time constants tau_plus, tau_x (presynaptic), tau_minus, tau_y
    (postsynaptic) in ms; amplitudes A2_plus, A3_plus, A2_minus, A3_minus in weight
    units (not relative to w_max). Use it with AdditiveWeightDependence (its bounds)::

        stdp = sim.STDPMechanism(timing_dependence=sim.PfisterSpikeTripletRule(A3_plus=6.5e-3),
                                 weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=10.0),
                                 weight=5.0, delay=1.0)
    """
    default_parameters = {
        'tau_plus': 16.8, 'tau_x': 101.0, 'tau_minus': 33.7, 'tau_y': 125.0,
        'A2_plus': 5e-10, 'A3_plus': 6.2e-3, 'A2_minus': 7e-3, 'A3_minus': 2.3e-4,
    }
    translations = _identity(list(default_parameters))
    possible_models = {"stdp"}
    neurodyn_kind = None
    nd_timing = "triplet"

    def __init__(self, tau_plus=16.8, tau_x=101.0, tau_minus=33.7, tau_y=125.0, A2_plus=5e-10, A3_plus=6.2e-3,
                 A2_minus=7e-3, A3_minus=2.3e-4):
        parameters = dict(locals())
        parameters.pop('self')
        synapses.STDPTimingDependence.__init__(self, **parameters)


class DopamineSTDPRule(synapses.STDPTimingDependence):
    """Dopamine-modulated STDP, the three-factor rule of Izhikevich (2007) in the form of
    NEST's stdp_dopamine_synapse (docs/plasticity.md, "Three-factor rule"): a neurodyn
    extension of PyNN, which has no standard class for it. Spike pairs change an
    eligibility trace c per synapse; a Modulator n(t) turns it into weight change:

        dc/dt = -c / tau_c + A_plus r1 δ(t - t_post) - A_minus o1 δ(t - t_pre)
        dw/dt = c (n - b),   w clipped to [w_min, w_max]

    (r1, o1: all-to-all pre and post traces with tau_plus, tau_minus). The engine's
    parameters, units and defaults (NEST's): tau_plus = 20, tau_minus = 20, tau_c = 1000
    (ms); A_plus = 1.0, A_minus = 1.5 (weight / (n unit x ms)); b = 0 (n's unit). Use it
    with AdditiveWeightDependence (its bounds) and the modulator it reads::

        da = sim.Modulator("dopamine", sources=[(reward, 0.5)], tau=200.0)
        stdp = sim.STDPMechanism(timing_dependence=sim.DopamineSTDPRule(A_plus=1e-4, A_minus=1.5e-4),
                                 weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.1),
                                 modulator="dopamine", weight=0.05, delay=1.0)
    """
    default_parameters = {'tau_plus': 20.0, 'tau_minus': 20.0, 'A_plus': 1.0, 'A_minus': 1.5, 'tau_c': 1000.0,
                          'b': 0.0}
    translations = _identity(list(default_parameters))
    possible_models = {"stdp"}
    neurodyn_kind = None
    nd_timing = "dopamine"

    def __init__(self, tau_plus=20.0, tau_minus=20.0, A_plus=1.0, A_minus=1.5, tau_c=1000.0, b=0.0):
        parameters = dict(locals())
        parameters.pop('self')
        synapses.STDPTimingDependence.__init__(self, **parameters)


# --- current sources ----------------------------------------------------------------------

class _CurrentSource(StandardCurrentSource):
    """A current source: its parameters, and the cells it is injected into, become a
    neurodyn stimulus per target population when the network is built."""

    def __init__(self, **parameters):
        object.__setattr__(self, "_native", {})
        object.__setattr__(self, "_targets", [])
        object.__setattr__(self, "_nd_built", False)
        object.__setattr__(self, "_nd_indices", [])  # the engine's stimuli, one per target population
        super(StandardCurrentSource, self).__init__(**parameters)
        parameter_space = ParameterSpace(self.default_parameters, self.get_schema(), shape=(1,))
        parameter_space.update(**parameters)
        self.set_native_parameters(self.translate(parameter_space))
        state.current_sources.append(self)

    def set_native_parameters(self, parameters):
        parameters.evaluate(simplify=True)
        previous = dict(self._native)
        for name, value in parameters.items():
            if isinstance(value, Sequence):
                value = np.asarray(value.value, dtype=float)
            elif isinstance(value, np.ndarray) and value.size == 1:
                value = float(value.reshape(-1)[0])
            self._native[name] = value
        if self._nd_built and state.built:
            # After the first run the engine's stimuli change too, from the next step.
            # A refused value (ValueError) leaves the source as it was.
            if not self._nd_indices and self._targets:
                self._native.clear()
                self._native.update(previous)
                raise not_supported(f"changing a {type(self).__name__} that had no effect at the first run "
                                    f"(no times) after the first run")
            done = []
            try:
                fields = self._fields()
                if fields is None:
                    raise not_supported(f"removing every time of a {type(self).__name__} after the first run")
                for index in self._nd_indices:
                    state.simulation.set_stimulus(index, **fields)
                    done.append(index)
            except Exception:
                self._native.clear()
                self._native.update(previous)
                old_fields = self._fields()
                for index in done:
                    state.simulation.set_stimulus(index, **old_fields)
                raise

    def get_native_parameters(self):
        return ParameterSpace({name: (Sequence(v) if isinstance(v, np.ndarray) else v)
                               for name, v in self._native.items()}, self.get_schema(), shape=(1,))

    def inject_into(self, cells):
        __doc__ = StandardCurrentSource.inject_into.__doc__  # noqa: F841
        state.check_modifiable(f"injecting a {type(self).__name__}")
        ids = [int(i) for i in cells]
        for id in cells:
            if not id.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
        self._targets.extend(ids)

    def record(self):
        raise not_supported(f"recording the current of a {type(self).__name__}")

    def _get_data(self):
        raise not_supported(f"recording the current of a {type(self).__name__}")

    def _stop(self):
        stop = self._native.get("stop", 1e12)
        return None if stop >= 1e12 else float(stop)

    def _build(self, net):
        object.__setattr__(self, "_nd_built", True)
        self._nd_indices.clear()
        fields = self._fields()
        if fields is None:
            return
        add = getattr(net, f"{self._nd_kind}_input")
        for population, indices, _ in state.locate(sorted(set(self._targets))):
            self._nd_indices.append(add(state.population_name(population), neurons=np.sort(indices).tolist(),
                                        **fields))


class DCSource(_CurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__
    translations = _identity(["amplitude", "start", "stop"])
    _nd_kind = "dc"

    def _fields(self):
        p = self._native
        return dict(amplitude=float(p["amplitude"]), start=float(p["start"]), stop=self._stop())


class ACSource(_CurrentSource, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__
    translations = _identity(["amplitude", "start", "stop", "frequency", "offset", "phase"])
    _nd_kind = "ac"

    def _fields(self):
        p = self._native
        return dict(amplitude=float(p["amplitude"]), frequency=float(p["frequency"]), offset=float(p["offset"]),
                    phase=float(p["phase"]), start=float(p["start"]), stop=self._stop())


class StepCurrentSource(_CurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__
    translations = _identity(["amplitudes", "times"])
    _nd_kind = "step_current"

    def _fields(self):
        """None when there are no times (no stimulus)."""
        p = self._native
        times = np.atleast_1d(np.asarray(p["times"], dtype=float))
        amplitudes = np.atleast_1d(np.asarray(p["amplitudes"], dtype=float))
        if times.size != amplitudes.size:
            raise ValueError(f"StepCurrentSource: {times.size} times but {amplitudes.size} amplitudes")
        if times.size == 0:
            return None
        return dict(times=times, amplitudes=amplitudes)


class NoisyCurrentSource(_CurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__
    translations = _identity(["mean", "stdev", "start", "stop", "dt"])
    _nd_kind = "noisy_current"

    def __init__(self, **parameters):
        if parameters.pop("rng", None) is not None:
            raise not_supported("an rng for NoisyCurrentSource (the noise is drawn from the engine's "
                                "per-neuron streams, keyed by the seed given to setup(rng_seed=...))")
        super().__init__(**parameters)

    def _fields(self):
        p = self._native
        return dict(mean=float(p["mean"]), stdev=float(p["stdev"]), dt=float(p["dt"]), start=float(p["start"]),
                    stop=self._stop())
