"""Neuromodulation and homeostasis for neurodyn.pynn: neurodyn extensions of PyNN,
which has no standard classes for them (docs/pynn.md, "Neuromodulation and homeostasis").

- :class:`Modulator`: a network modulator n(t) (``neurodyn.Network.modulator``), the
  third factor of ``DopamineSTDPRule`` and the depression scale of a modulated
  ``SpikePairRule`` (``STDPMechanism(..., modulator=name)``);
- :func:`modulate`: a release into a modulator, now or at a later time
  (``neurodyn.Simulation.modulate``);
- :func:`homeostasis`: a homeostatic rule of a Population (``neurodyn.Network.homeostasis``),
  and :func:`homeostasis_rates`, the neurons' rate estimates.

As everything else in the backend, they are kept here as a description and handed to
the engine when the first run() builds the network; the engine validates them then, and
its errors are prefixed with the PyNN object they concern.
"""

import difflib
import math

import numpy as np

from pyNN import common

import neurodyn

from .simulator import not_supported, state

# What each homeostasis type moves: the neuron parameter that Population.get() then
# reads from the engine (synaptic_scaling moves the weights of stdp projections, which
# Projection.get("weight") reads).
ADAPTED_PARAMETER = {"adaptive_threshold": "v_thresh", "intrinsic": "i_offset", "synaptic_scaling": None}


def _renamed(error, prefix):
    """The engine's `error` (same class and key) with `prefix` naming the PyNN object."""
    renamed = type(error)(f"{prefix}: {error}")
    renamed.key = getattr(error, "key", None)
    return renamed


class Modulator:
    """A neuromodulator signal n(t) shared by the whole network (docs/plasticity.md,
    "Modulators"): a neurodyn extension of PyNN.

        tau dn/dt = baseline - n
        n jumps by `amount` at each spike of a source population, and by
        release_amounts[k] at release_times[k]

    `name`: what ``STDPMechanism(..., modulator=name)`` and :func:`modulate` use;
    `sources`: ``[(population, amount), ...]`` or ``{population: amount}`` (a Population
    or an Assembly, every spike of it adds `amount`, in n's unit; NEST's volume
    transmitter is a dopamine population with amount 1/tau); `tau` (ms), `baseline`,
    `initial` (the value at t = 0); `release_times` (ms) and `release_amounts`: a fixed
    schedule of releases. Declare it before the Projections that read it. The value is
    read with :attr:`value`; a running simulation adds releases with :meth:`release` or
    :func:`modulate`.
    """

    def __init__(self, name, sources=None, tau=200.0, baseline=0.0, initial=0.0, release_times=(),
                 release_amounts=()):
        state.check_modifiable("creating a Modulator")
        if not isinstance(name, str) or not name:
            raise ValueError(f"Modulator: name must be a non-empty string, got {name!r}")
        if any(m.name == name for m in state.modulators):
            raise ValueError(f"Modulator: the name {name!r} is already used by another Modulator")
        self.name = name
        self.label = name
        self.tau, self.baseline, self.initial = float(tau), float(baseline), float(initial)
        self.release_times = [float(t) for t in np.atleast_1d(np.asarray(release_times, dtype=float))]
        self.release_amounts = [float(a) for a in np.atleast_1d(np.asarray(release_amounts, dtype=float))]
        self._sources = self._checked_sources(sources)
        try:  # the engine's own checks of the fields, now rather than at the first run
            neurodyn.Network(dt=state.dt).modulator(name, tau=self.tau, baseline=self.baseline, initial=self.initial,
                                                    release_times=self.release_times,
                                                    release_amounts=self.release_amounts)
        except neurodyn.NeurodynError as error:
            raise _renamed(error, f"Modulator {name!r}") from None
        state.modulators.append(self)

    def _checked_sources(self, sources):
        """[(Population, amount)], one entry per population (amounts of a population
        listed twice, e.g. through an Assembly, add up: each spike adds both)."""
        pairs = list(sources.items()) if isinstance(sources, dict) else list(sources or [])
        amounts = {}
        for entry in pairs:
            if not (isinstance(entry, (tuple, list)) and len(entry) == 2):
                raise TypeError(f"Modulator {self.name!r}: sources must be (population, amount) pairs or a dict "
                                f"{{population: amount}}, got {entry!r}")
            source, amount = entry
            if isinstance(source, common.Assembly):
                populations = list(source.populations)
            elif isinstance(source, common.PopulationView):
                raise not_supported(f"a PopulationView ({source.label!r}) as a source of Modulator {self.name!r} "
                                    f"(the engine's sources are whole populations: use the Population)")
            elif isinstance(source, common.Population):
                populations = [source]
            else:
                raise TypeError(f"Modulator {self.name!r}: a source must be a Population or an Assembly, got "
                                f"{type(source).__name__}")
            amount = float(amount)
            if not math.isfinite(amount):
                raise ValueError(f"Modulator {self.name!r}: the amount per spike of {source.label!r} must be finite, "
                                 f"got {amount}")
            for population in populations:
                if isinstance(population, common.PopulationView):
                    raise not_supported(f"a PopulationView ({population.label!r}) in an Assembly as a source of "
                                        f"Modulator {self.name!r} (the engine's sources are whole populations)")
                if not any(population is p for p in state.populations):
                    raise ValueError(f"Modulator {self.name!r}: the source {population.label!r} is not a Population "
                                     f"of this network (created before the last setup()?)")
                key = next(k for k, p in enumerate(state.populations) if p is population)
                amounts[key] = amounts.get(key, 0.0) + amount
        return [(state.populations[k], a) for k, a in sorted(amounts.items())]

    @property
    def sources(self):
        """[(Population, amount per spike)]."""
        return list(self._sources)

    @property
    def value(self):
        """n at the current time (`initial` before the first run)."""
        return state.simulation.modulator(self.name) if state.built else self.initial

    def release(self, amount, at=None):
        """Releases `amount` into this modulator: see :func:`modulate`."""
        modulate(self, amount, at)

    def describe(self, template=None, engine=None):
        return (f"Modulator {self.name!r}: tau = {self.tau:g} ms, baseline = {self.baseline:g}, initial = "
                f"{self.initial:g}, sources = {[(p.label, a) for p, a in self._sources]}, "
                f"{len(self.release_times)} scheduled releases")

    def __repr__(self):
        return f"Modulator({self.name!r})"

    def _build(self, net):
        sources = {population._nd_name: amount for population, amount in self._sources}
        try:
            net.modulator(self.name, sources=sources, tau=self.tau, baseline=self.baseline, initial=self.initial,
                          release_times=self.release_times, release_amounts=self.release_amounts)
        except neurodyn.NeurodynError as error:
            raise _renamed(error, f"Modulator {self.name!r}") from None


def find_modulator(modulator, what):
    """The Modulator of this network named `modulator` (a name or a Modulator);
    NeurodynKeyError naming it, and the modulators there are, when there is none."""
    name = modulator.name if isinstance(modulator, Modulator) else modulator
    if not isinstance(name, str):
        raise TypeError(f"{what}: a modulator is given by its name or its Modulator, got {type(name).__name__}")
    for candidate in state.modulators:
        if candidate.name == name:
            return candidate
    names = [m.name for m in state.modulators]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise neurodyn.NeurodynKeyError(f"{what}: unknown modulator {name!r}{hint} (modulators: "
                                    f"{', '.join(names) or 'none'}; declare one with Modulator(name, ...))")


def modulate(modulator, amount, at=None):
    """Releases `amount` (n's unit) into `modulator` (its name or the Modulator): at the
    next simulated step, or at time `at` (ms, not before the current time): a reward
    delivered later, as in Izhikevich (2007). The semantics of
    ``neurodyn.Simulation.modulate``. Before the first run (or after reset()) the release
    is kept and made when run() builds the network, so it belongs to the run sequence
    that follows; reset() forgets the releases made during the previous one (the
    Modulator's release_times schedule is kept)."""
    target = find_modulator(modulator, "modulate")
    amount = float(amount)
    if state.built:
        state.simulation.modulate(target.name, amount, None if at is None else float(at))
        return
    if not math.isfinite(amount):
        raise ValueError(f"modulate({target.name!r}): amount must be finite, got {amount}")
    if at is not None and not (math.isfinite(float(at)) and float(at) >= 0.0):
        raise ValueError(f"modulate({target.name!r}): at must be a finite time >= 0 ms (the current time), got {at}")
    state.pending_releases.append((target.name, amount, None if at is None else float(at)))


def homeostasis(population, type, target_rate, eta, tau=1000.0, interval=None, min=None, max=None):
    """Homeostatic plasticity of `population` towards `target_rate` (Hz), per neuron: the
    engine's rules and keys (docs/plasticity.md, "Homeostasis";
    ``neurodyn.Network.homeostasis``). Each neuron estimates its rate r with time constant
    `tau` (ms); `type` ``"adaptive_threshold"`` moves v_thresh by eta (r - target_rate)
    per second (`eta` in mV/(Hz s)), ``"intrinsic"`` moves i_offset by -eta (r -
    target_rate) per second (nA/(Hz s)), ``"synaptic_scaling"`` multiplies, every
    `interval` ms (default 1000), the weights of the STDPMechanism projections onto the
    population's excitatory receptor by 1 + eta interval (target_rate - r) (1/(Hz s)).
    `min`, `max` bound the adapted parameter. One rule per population: a second call
    replaces the first. ``population.get("v_thresh")`` (or "i_offset") returns the
    adapted values after a run, :func:`homeostasis_rates` the estimates r. The values
    are checked by the engine at the first run."""
    state.check_modifiable("setting homeostasis")
    if isinstance(population, (common.PopulationView, common.Assembly)):
        raise not_supported(f"homeostasis of a {population.__class__.__name__} ({population.label!r}): the engine's "
                            f"rules are per population (use the Population)")
    if not isinstance(population, common.Population) or not any(population is p for p in state.populations):
        raise TypeError(f"homeostasis: expected a Population of this network, got {population!r}")
    fields = dict(target_rate=target_rate, eta=eta, tau=tau, interval=interval, min=min, max=max)
    state.homeostasis = [entry for entry in state.homeostasis if entry[0] is not population]
    state.homeostasis.append((population, str(type), fields))


def homeostasis_rule(population):
    """(type, fields) of the homeostasis of `population`, or None."""
    for candidate, rule_type, fields in state.homeostasis:
        if candidate is population:
            return rule_type, fields
    return None


def homeostasis_rates(population):
    """Each neuron's rate estimate r (Hz) of a Population (or view) with homeostasis, at
    the current time, as a new array (0 before the first run: the estimates start at 0)."""
    parent = population.grandparent if isinstance(population, common.PopulationView) else population
    if homeostasis_rule(parent) is None:
        raise ValueError(f"homeostasis_rates: the population {parent.label!r} has no homeostasis "
                         f"(set one with homeostasis(population, type, ...))")
    rates = state.simulation.homeostasis_rates(parent._nd_name) if state.built else np.zeros(parent.size)
    if population is parent:
        return rates
    return rates[np.asarray(population.all_cells, dtype=np.int64) - int(parent.first_id)]


def build_homeostasis(net):
    """Hands every population's rule to the engine (after the projections, which
    synaptic_scaling scales)."""
    for population, rule_type, fields in state.homeostasis:
        try:
            net.homeostasis(population._nd_name, rule_type, **fields)
        except neurodyn.NeurodynError as error:
            raise _renamed(error, f"homeostasis of Population {population.label!r}") from None


def apply_pending_releases(simulation):
    """The releases asked for with modulate() before the network was built."""
    releases, state.pending_releases = state.pending_releases, []
    for name, amount, at in releases:
        simulation.modulate(name, amount, at)
