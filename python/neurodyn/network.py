"""Network descriptions and their simulations.

A :class:`Network` is a thin handle on the engine's NetworkSpec: every call that adds
something passes it to C++, where ``NetworkSpec::validate`` checks it at once (and the
addition is undone if it fails), so a mistake is reported by the call that made it, with
the same message the ``neurodyn`` command gives for the same mistake in a model file.
Model-level relations between parameters (``v_reset < v_thresh``) are checked when the
network is built, or by :meth:`Network.check`.

:meth:`Network.build` makes a :class:`Simulation`: the network's arrays, its recorders,
and the clock. Units everywhere: ms, mV, nA, nF, uS, Hz.
"""

import math
import threading
import tomllib

from . import _core
from .errors import NeurodynKeyError, NeurodynValueError

__all__ = ["Network", "Population", "Projection", "Simulation", "Trace", "load_model_file"]


def _name(population):
    """The name of a population given as a Population or a string."""
    if isinstance(population, Population):
        return population.name
    if isinstance(population, str):
        return population
    raise TypeError(f"expected a Population or a population name, got {type(population).__name__} {population!r}")


class Population:
    """A handle on one population of a :class:`Network` (returned by
    :meth:`Network.population`); use it wherever a population is expected."""

    __slots__ = ("name", "model", "size", "index")

    def __init__(self, name, model, size, index):
        self.name = name
        self.model = model
        self.size = int(size)
        self.index = index

    def __len__(self):
        return self.size

    def __repr__(self):
        return f"<Population {self.name!r}: {self.size} {self.model}>"


class Projection:
    """A handle on one projection of a :class:`Network` (returned by
    :meth:`Network.connect`)."""

    __slots__ = ("name", "source", "target", "receptor", "index")

    def __init__(self, name, source, target, receptor, index):
        self.name = name
        self.source = source
        self.target = target
        self.receptor = receptor
        self.index = index

    def __repr__(self):
        return f"<Projection {self.name!r}: {self.source} -> {self.target} ({self.receptor})>"


def _scaled_count(count, factor):
    """round(count * factor), half away from zero: the C++ apply_scale's expression."""
    return int(math.floor(count * factor + 0.5))


def _is_array(value):
    """Whether a value is one number per element (a list, tuple or array) rather than a
    constant, a distribution or a name."""
    return not isinstance(value, (str, bytes, int, float, _core.Distribution)) and hasattr(value, "__len__")


def _refuse_unscalable(key, what):
    raise NeurodynValueError(f"{key}: {what} cannot be scaled (network scale != 1); give it as a constant or a "
                             f"distribution, or run at scale 1")


class Network:
    """A network and its simulation settings.

    Parameters
    ----------
    dt : float
        Time step (ms), > 0.
    seed : int
        Master seed of every random number (connectivity, initial values, Poisson input).
    duration : float
        Default simulated time (ms) of :meth:`Simulation.run` without an argument.
    scale : float
        Network scale (> 0), applied to what the methods add, as the model file's
        ``[network] scale``: population sizes become max(1, round(size * scale)); the
        ``n`` of fixed_number_pre and fixed_number_post becomes round(n * scale) and
        that of fixed_total_number round(n * scale**2); weights, delays, parameters,
        probabilities and stimuli stay as given. With scale != 1, what names particular
        neurons (per-neuron arrays, from_list, neuron lists of stimuli and recorders,
        per-pair weight arrays, one spike-time list per neuron) is refused.
    """

    def __init__(self, dt=0.1, seed=12345, duration=1000.0, scale=1.0):
        self._init(_core.Spec(float(dt), int(seed), float(duration)), "python", "", self._checked_scale(scale))

    @staticmethod
    def _checked_scale(scale):
        scale = float(scale)
        if not (math.isfinite(scale) and scale > 0.0):
            raise NeurodynValueError(f"network.scale: scale must be a finite number > 0, got {scale:g}")
        return scale

    def _init(self, spec, source, text, scale=1.0):
        self._scale = scale
        self._spec = spec
        self._source = source
        self._text = text
        self._simulation = None
        self._populations = {name: Population(name, model, size, i)
                             for i, (name, model, size) in enumerate(spec.populations())}
        self._projections = [Projection(name, pre, post, receptor, i)
                             for i, (name, pre, post, receptor) in enumerate(spec.projections())]

    @classmethod
    def _from_spec(cls, spec, source, text, scale=1.0):
        network = cls.__new__(cls)
        network._init(spec, source, text, scale)
        return network

    # --- settings -----------------------------------------------------------------

    @property
    def dt(self):
        """Time step (ms)."""
        return self._spec.dt

    @property
    def seed(self):
        """Master seed of all random numbers."""
        return self._spec.seed

    @seed.setter
    def seed(self, value):
        self._modifiable()
        self._spec.set_seed(int(value))

    @property
    def duration(self):
        """Default run duration (ms)."""
        return self._spec.duration

    @duration.setter
    def duration(self, value):
        self._modifiable()
        self._spec.set_duration(float(value))

    @property
    def scale(self):
        """The network scale: what the sizes and connector numbers were multiplied by
        (see the class documentation); 1 for a network as written."""
        return self._scale

    @property
    def populations(self):
        """The populations, in the order they were added."""
        return list(self._populations.values())

    @property
    def projections(self):
        """The projections, in the order they were added."""
        return list(self._projections)

    def __getitem__(self, name):
        """The population called `name`."""
        try:
            return self._populations[name]
        except KeyError:
            raise NeurodynKeyError(f"unknown population '{name}' (populations: "
                                  f"{', '.join(self._populations) or 'none'})") from None

    def __repr__(self):
        neurons = sum(p.size for p in self._populations.values())
        return (f"<Network: {len(self._populations)} populations ({neurons} neurons), "
                f"{len(self._projections)} projections, {self._spec.n_stimuli} stimuli, "
                f"{self._spec.n_recorders} recorders, dt = {self.dt:g} ms, seed = {self.seed}>")

    def _modifiable(self):
        if self._simulation is not None:
            raise RuntimeError("this network is being simulated by Network.run(); describe it completely "
                               "before running it, or use Network.build() for independent simulations")

    # --- description ----------------------------------------------------------------

    def population(self, name, model, size, params=None, initial=None, spike_times=None):
        """Adds `size` neurons of `model` (a registered model name, see
        :func:`neurodyn.models`) and returns their :class:`Population`.

        `params` and `initial` map parameter and state-variable names to values: a
        number, an array with one value per neuron, or a distribution
        (:func:`neurodyn.uniform`, ...). A parameter chosen by name takes the name
        (``{"transfer": "relu"}``). `spike_times` (ms) is for ``SpikeSourceArray``: one
        list shared by all neurons or one list per neuron.
        """
        self._modifiable()
        if self._scale != 1.0:
            key = f"population[{len(self._populations)}]"
            for table_name, table in (("params", params), ("initial", initial)):
                for value_name, value in (table or {}).items():
                    if _is_array(value):
                        _refuse_unscalable(f"{key}.{table_name}.{value_name}", "a per-neuron array of values")
            if spike_times is not None and len(spike_times) > 0 and _is_array(spike_times[0]) and len(spike_times) > 1:
                _refuse_unscalable(f"{key}.spike_times", "one spike-time list per neuron")
            size = max(1, _scaled_count(int(size), self._scale))
        index = self._spec.add_population(str(name), str(model), int(size), dict(params or {}),
                                          dict(initial or {}), spike_times)
        population = Population(str(name), str(model), size, index)
        self._populations[population.name] = population
        return population

    def modulator(self, name, sources=None, tau=200.0, baseline=0.0, initial=0.0, release_times=(),
                  release_amounts=()):
        """Adds a neuromodulator signal n(t) shared by the network (docs/plasticity.md):
        ``tau dn/dt = baseline - n``, n jumping by ``sources[p]`` at each spike of
        population p and by ``release_amounts[k]`` at ``release_times[k]`` (ms); a running
        simulation adds releases with :meth:`Simulation.modulate`. Dopamine-modulated STDP
        (``neurodyn.stdp(timing="dopamine", modulator=name)``) turns it into weight change;
        a spike-pair rule with ``modulator=name`` scales its depression by it
        (astrocyte-modulated STDP). Declare it before the projections that read it.
        For NEST's volume transmitter, a dopamine population's spikes add 1/tau each."""
        self._modifiable()
        sources = [(_name(p), float(w)) for p, w in dict(sources or {}).items()]
        self._spec.add_modulator(str(name), sources, float(tau), float(baseline), float(initial),
                                 [float(t) for t in release_times], [float(a) for a in release_amounts])

    def connect(self, source, target, connector, weight=0.0, delay=1.0, receptor="excitatory",
                synapse=None, name=""):
        """Connects `source` to `target` and returns the :class:`Projection`.

        `connector` is one of :func:`neurodyn.all_to_all`, :func:`~neurodyn.one_to_one`,
        :func:`~neurodyn.fixed_probability`, :func:`~neurodyn.fixed_number_pre`,
        :func:`~neurodyn.fixed_number_post`, :func:`~neurodyn.from_list`. `weight`
        (in the receptor's unit: nA, uS or mV) and `delay` (ms, >= dt, rounded to whole
        steps) are a number, a distribution, or an array of n_source x n_target values
        (``[source, target]``). `synapse` is :func:`neurodyn.static_synapse` (default),
        :func:`neurodyn.tsodyks_markram`, :func:`neurodyn.stdp` or, between rate units,
        :func:`neurodyn.rate_hebbian` (docs/plasticity.md).
        """
        self._modifiable()
        if not isinstance(connector, _core.Connector):
            raise TypeError(f"connector must be made by neurodyn.all_to_all(), fixed_probability(), ...; "
                            f"got {type(connector).__name__} {connector!r}")
        if synapse is None:
            synapse = _core.static_synapse()
        if not isinstance(synapse, _core.Synapse):
            raise TypeError(f"synapse must be made by neurodyn.static_synapse(), tsodyks_markram(), stdp() or "
                            f"rate_hebbian(); "
                            f"got {type(synapse).__name__} {synapse!r}")
        if self._scale != 1.0:
            connector, weight, delay = self._scaled_connection(connector, weight, delay)
        pre, post = _name(source), _name(target)
        index = self._spec.add_projection(pre, post, connector, weight, delay, str(receptor), synapse, str(name))
        projection_name = self._spec.projections()[index][0]
        projection = Projection(projection_name, pre, post, str(receptor), index)
        self._projections.append(projection)
        return projection

    def _scaled_connection(self, connector, weight, delay):
        """The connector, weight and delay of a projection at this network's scale."""
        key = f"projection[{len(self._projections)}]"
        if connector.kind == "from_list":
            _refuse_unscalable(f"{key}.connector", "a from_list connector (its pairs name neurons)")
        if _is_array(weight):
            _refuse_unscalable(f"{key}.weight", "a per-pair array of weights")
        if _is_array(delay):
            _refuse_unscalable(f"{key}.delay", "a per-pair array of delays")
        # In-degrees scale by `scale`; a total number is targets x in-degree.
        factor = {"fixed_number_pre": self._scale, "fixed_number_post": self._scale,
                  "fixed_total_number": self._scale ** 2}.get(connector.kind)
        if factor is not None:
            make = getattr(_core, connector.kind)
            connector = make(_scaled_count(connector.n, factor), allow_autapses=connector.allow_autapses,
                             allow_multapses=connector.allow_multapses)
        return connector, weight, delay

    def _refuse_neuron_list(self, key, neurons):
        if self._scale != 1.0 and neurons is not None:
            _refuse_unscalable(f"{key}.neurons", "an explicit list of neurons")

    def _stimulus(self, kind, target, **fields):
        self._modifiable()
        self._refuse_neuron_list(f"stimulus[{self._spec.n_stimuli}]", fields.get("neurons"))
        return self._spec.add_stimulus(kind, _name(target), fields)

    def poisson_input(self, target, rate, weight, receptor="excitatory", neurons=None, start=0.0, stop=None,
                      name=""):
        """Independent Poisson spike input to each selected neuron of `target`: `rate`
        (Hz) input spikes per neuron, each of `weight` (receptor's unit) onto `receptor`
        (NEST's poisson_generator). `neurons`: indices (default: all); `start`, `stop`
        (ms; stop None = until the end)."""
        return self._stimulus("poisson", target, rate=rate, weight=weight, receptor=receptor, neurons=neurons,
                       start=start, stop=stop, name=name)

    def dc_input(self, target, amplitude, neurons=None, start=0.0, stop=None, name=""):
        """A constant current of `amplitude` (nA) from `start` to `stop` (ms); PyNN's
        DCSource."""
        return self._stimulus("dc", target, amplitude=amplitude, neurons=neurons, start=start, stop=stop, name=name)

    def step_current_input(self, target, times, amplitudes, neurons=None, start=0.0, stop=None, name=""):
        """A piecewise-constant current: `amplitudes[i]` (nA) from `times[i]` (ms) on,
        0 before the first time; PyNN's StepCurrentSource."""
        return self._stimulus("step_current", target, times=times, amplitudes=amplitudes, neurons=neurons,
                       start=start, stop=stop, name=name)

    def ac_input(self, target, amplitude=1.0, frequency=10.0, offset=0.0, phase=0.0, neurons=None, start=0.0,
                 stop=None, name=""):
        """A sinusoidal current offset + amplitude sin(2 pi frequency t + phase) (nA, Hz,
        degrees; t the simulation time); PyNN's ACSource."""
        return self._stimulus("ac", target, amplitude=amplitude, frequency=frequency, offset=offset, phase=phase,
                       neurons=neurons, start=start, stop=stop, name=name)

    def noisy_current_input(self, target, mean=0.0, stdev=1.0, dt=None, neurons=None, start=0.0, stop=None,
                            name=""):
        """A Gaussian current (nA) of `mean` and `stdev`, redrawn every `dt` ms (default:
        every step; a multiple of the step) independently per neuron; PyNN's
        NoisyCurrentSource."""
        return self._stimulus("noisy_current", target, mean=mean, stdev=stdev, dt=dt, neurons=neurons, start=start,
                       stop=stop, name=name)

    def record_spikes(self, population, neurons=None):
        """Records the spikes of `population` (or of the `neurons` indices in it)."""
        self._modifiable()
        self._refuse_neuron_list(f"record[{self._spec.n_recorders}]", neurons)
        self._spec.add_recorder("spikes", _name(population), neurons, [], 0.0)

    def record_state(self, population, variables, neurons=None, interval=0.0):
        """Samples state `variables` (a name or a list of names, e.g. "v") of
        `population` every `interval` ms (0: every step), from t = 0; read them with
        :meth:`Simulation.trace`."""
        self._modifiable()
        self._refuse_neuron_list(f"record[{self._spec.n_recorders}]", neurons)
        if isinstance(variables, str):
            variables = [variables]
        self._spec.add_recorder("state", _name(population), neurons, [str(v) for v in variables], float(interval))

    def homeostasis(self, population, type, target_rate, eta, tau=1000.0, interval=None, min=None, max=None):
        """Homeostatic plasticity of `population` towards `target_rate` (Hz), per neuron
        (docs/plasticity.md, "Homeostasis"); the model file's ``homeostasis = {...}``.

        Each neuron estimates its rate r with time constant `tau` (ms), then by `type`:
        ``"adaptive_threshold"`` moves v_thresh by eta (r - target_rate) per second (`eta`
        in mV/(Hz s)); ``"intrinsic"`` moves i_offset by -eta (r - target_rate) per
        second (nA/(Hz s)); ``"synaptic_scaling"`` multiplies, every `interval` ms
        (default 1000), the weights of the stdp projections onto the population's
        excitatory receptor by 1 + eta interval (target_rate - r) (`eta` in 1/(Hz s);
        connect those projections first). `min`, `max` bound the adapted parameter.
        Read the adapted values with :meth:`Simulation.param` and the rate estimates with
        :meth:`Simulation.homeostasis_rates`."""
        self._modifiable()
        name = _name(population)
        if name not in self._populations:
            raise NeurodynKeyError(f"unknown population '{name}' (populations: "
                                   f"{', '.join(self._populations) or 'none'})")
        fields = {"target_rate": target_rate, "eta": eta, "tau": tau, "interval": interval, "min": min, "max": max}
        self._spec.set_homeostasis(self._populations[name].index, str(type), fields)

    def record_weights(self, projection, synapses, interval):
        """Samples the weights of chosen synapses of an ``neurodyn.stdp`` `projection`
        (handle, name or index) every `interval` ms (a whole number of steps) from t = 0;
        `synapses` are indices in the order of :meth:`Simulation.weights`. Each sample
        is the weight at that time with every pairing that has reached the synapse
        applied. Read them with :meth:`Simulation.weight_trace`; returns the recorder's
        index (docs/plasticity.md)."""
        self._modifiable()
        if isinstance(projection, Projection):
            projection = projection.index
        if self._scale != 1.0:
            _refuse_unscalable(f"record[{self._spec.n_recorders}].synapses", "a list of synapse indices")
        return self._spec.add_weight_recorder(projection, synapses, float(interval))

    # --- building and running -------------------------------------------------------

    def check(self):
        """Checks every neuron's parameters and initial values (model ranges and
        relations such as v_reset < v_thresh) without building synapses."""
        self._spec.check()

    def build(self, shards=None, memory_limit=None, output=None, threads=1):
        """Builds the network into a new :class:`Simulation` at t = 0.

        `threads`: threads that build and run the network (OpenMP); `shards`: number of
        parts it is split into, default one per thread. The spikes depend on neither. `memory_limit` (bytes): refuse a network estimated to need more (default:
        the memory available). `output`: path of an HDF5 result file to stream the
        recordings into (the layout of docs/output-format.md, as ``neurodyn run -o``).
        The simulation works on a copy: changing the network afterwards does not
        change it.
        """
        threads = int(threads)
        shards = threads if shards is None else int(shards)
        core = _core.Simulation(self._spec, shards, float(memory_limit or 0.0),
                                "" if output is None else str(output), self._source, self._text, threads)
        return Simulation(core)

    @property
    def simulation(self):
        """The Simulation that :meth:`run` built, or None."""
        return self._simulation

    def run(self, duration=None):
        """Builds the network on first use, then runs it for `duration` ms (default:
        the network's duration); later calls continue. Returns the Simulation."""
        if self._simulation is None:
            self._simulation = self.build()
        self._simulation.run(duration)
        return self._simulation


def load_model_file(path, scale=None):
    """Reads and validates a TOML model file (docs/model-file.md) into a
    :class:`Network`; errors start with ``file:line:column:`` as the command's do.

    `scale` (> 0), when given, replaces the file's ``[network] scale`` (it does not
    multiply it): ``load_model_file("examples/microcircuit.toml", scale=0.1)`` is the
    microcircuit at a tenth of its size. The network's :attr:`Network.scale` is the scale
    in force, and what is added to it afterwards is scaled alike."""
    if scale is not None:
        scale = Network._checked_scale(scale)
    spec = _core.load_model_file(str(path), scale)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        text = ""
    if scale is None:
        # The reader applied the file's own scale; read it back for Network.scale.
        try:
            scale = float(tomllib.loads(text).get("network", {}).get("scale", 1.0))
        except (tomllib.TOMLDecodeError, TypeError, ValueError, AttributeError):
            scale = 1.0
    return Network._from_spec(spec, str(path), text, scale)


class Trace:
    """Samples of one state variable: ``times`` (ms, one per sample), ``values``
    (samples x neurons), ``neurons`` (the population indices of the columns) and
    ``unit``. Unpacks as ``times, values = trace``."""

    __slots__ = ("population", "variable", "times", "values", "neurons", "unit")

    def __init__(self, population, variable, times, values, neurons, unit):
        self.population = population
        self.variable = variable
        self.times = times
        self.values = values
        self.neurons = neurons
        self.unit = unit

    def __iter__(self):
        return iter((self.times, self.values))

    def __repr__(self):
        return (f"<Trace {self.population}.{self.variable} ({self.unit}): {self.values.shape[0]} samples "
                f"x {self.values.shape[1]} neurons>")


class WeightTrace:
    """Samples of the weights of chosen synapses (:meth:`Network.record_weights`):
    ``times`` (ms, one per sample), ``values`` (samples x synapses), ``synapses`` (the
    indices of the columns in the order of :meth:`Simulation.weights`), ``projection``
    (its index) and ``unit``. Unpacks as ``times, values = trace``."""

    __slots__ = ("projection", "times", "values", "synapses", "unit", "recorder")

    def __init__(self, projection, times, values, synapses, unit, recorder):
        self.projection = projection
        self.times = times
        self.values = values
        self.synapses = synapses
        self.unit = unit
        self.recorder = recorder

    def __iter__(self):
        return iter((self.times, self.values))

    def __repr__(self):
        return (f"<WeightTrace of projection {self.projection} ({self.unit}): {self.values.shape[0]} samples "
                f"x {self.values.shape[1]} synapses>")


class Simulation:
    """A built network, its recordings and its clock (made by :meth:`Network.build`).

    :meth:`run` advances it; the results so far can be read at any time between runs.
    """

    def __init__(self, core):
        self._core = core

    # --- clock ----------------------------------------------------------------------

    @property
    def t(self):
        """Simulated time so far (ms)."""
        return self._core.time

    @property
    def dt(self):
        """Time step (ms)."""
        return self._core.dt

    @property
    def step(self):
        """Steps simulated so far."""
        return self._core.step

    @property
    def seed(self):
        return self._core.seed

    def run(self, duration=None):
        """Advances the simulation by `duration` ms (default: the network's duration),
        rounded to whole steps; call again to continue.

        The GIL is released while it runs, so other Python threads go on. Ctrl-C
        (SIGINT) stops it between two steps and raises KeyboardInterrupt; the
        simulation stays consistent (its time is :attr:`t`) and can be continued. Only
        a run in the main thread installs the Ctrl-C handler; the previous handler is
        restored when run() returns.
        """
        if duration is None:
            duration = self._core.duration
        handle_sigint = threading.current_thread() is threading.main_thread()
        self._core.run(float(duration), handle_sigint)
        return self

    # --- results --------------------------------------------------------------------

    @property
    def populations(self):
        """Names of the populations, in order."""
        return [name for name, _, _ in self._core.populations()]

    def spikes(self, population):
        """``(times, ids)`` of the recorded spikes of `population` so far: times in ms
        (float64, non-decreasing) and population indices (int64)."""
        return self._core.spikes(_name(population))

    def spike_counts(self):
        """Spikes emitted by each population so far (recorded or not): {name: count}."""
        return self._core.spike_counts()

    def mean_rates(self):
        """Mean firing rate of each population so far (Hz): {name: rate}."""
        t = self.t
        sizes = {name: size for name, _, size in self._core.populations()}
        return {name: (count / sizes[name] / (t / 1000.0) if t > 0 else 0.0)
                for name, count in self.spike_counts().items()}

    def connections(self, projection):
        """The synapses of `projection` (a :class:`Projection` handle, its name, or its index
        in connection order) as a dict of arrays: ``source`` and ``target`` (indices in
        their populations), ``weight`` (as the engine uses it: stored as float32) and
        ``delay`` (ms, rounded to whole steps). Regenerated from the seed, in generation
        order."""
        if isinstance(projection, Projection):
            index = projection.index
        elif isinstance(projection, str):
            names = self._core.projection_names()
            if projection not in names:
                raise NeurodynKeyError(f"no projection named '{projection}' (projections: {', '.join(names)})")
            index = names.index(projection)
        else:
            index = int(projection)
        return self._core.connections(index)

    def weights(self, projection):
        """The current weights of `projection` (handle, name or index) as a float64 array,
        one per synapse in the order of :meth:`connections`. For an ``neurodyn.stdp``
        projection they are the weights changed by the rule up to the current time
        (docs/plasticity.md); for the others, the fixed weights."""
        return self._core.weights(self._projection_index(projection))

    def set_weights(self, projection, values):
        """Replaces the weights of an ``neurodyn.stdp`` projection between runs: one value
        per synapse in the order of :meth:`connections`, each within [w_min, w_max]."""
        self._core.set_weights(self._projection_index(projection), values)

    def eligibilities(self, projection):
        """The eligibility traces c of a ``neurodyn.stdp(timing="dopamine")`` projection at
        the current time, one per synapse in the order of :meth:`connections`."""
        return self._core.eligibilities(self._projection_index(projection))

    def modulate(self, name, amount, at=None):
        """Releases `amount` (the modulator's unit) into modulator `name`
        (:meth:`Network.modulator`): now (the next simulated step), or at time `at` (ms,
        not in the past) -- a reward delivered later, as in Izhikevich (2007). Under
        mpirun every rank makes the same calls (the same script does)."""
        self._core.modulate(str(name), float(amount), None if at is None else float(at))

    def modulator(self, name):
        """The value of modulator `name` at the current time."""
        return self._core.modulator_value(str(name))

    def _projection_index(self, projection):
        if isinstance(projection, Projection):
            return projection.index
        if isinstance(projection, str):
            names = self._core.projection_names()
            if projection not in names:
                raise NeurodynKeyError(f"no projection named '{projection}' (projections: {', '.join(names)})")
            return names.index(projection)
        return int(projection)

    def state(self, population, variable):
        """The current value of state `variable` of every neuron of `population`, as a
        new float64 array."""
        return self._core.get_state(_name(population), str(variable))

    def set_state(self, population, variable, values):
        """Sets state `variable` of every neuron of `population`: one number for all,
        or an array of one finite value per neuron. Takes effect from the next step."""
        self._core.set_state(_name(population), str(variable), values)

    def param(self, population, name):
        """The current value of parameter `name` of every neuron of `population`, as a new
        float64 array: with homeostasis (:meth:`Network.homeostasis`), the v_thresh or
        i_offset it has adapted so far."""
        return self._core.get_param(_name(population), str(name))

    def homeostasis_rates(self, population):
        """Each neuron's rate estimate r (Hz) of a population with homeostasis, as a new
        float64 array (the r its rule compares with the target rate)."""
        return self._core.homeostasis_rates(_name(population))

    def set_param(self, population, name, values):
        """Sets parameter `name` of every neuron of `population` between runs: one
        number for all, or an array of one value per neuron. The model's checks run
        again (bounds, relations such as v_reset < v_thresh); a refused value raises
        ValueError and changes nothing. Takes effect from the next step;
        SpikeSourcePoisson trains restart from the current time."""
        self._core.set_param(_name(population), str(name), values)

    def set_stimulus(self, index, **fields):
        """Changes stimulus `index` (the order in which the network's *_input methods
        added them; each returns its index) between runs: fields named as in those
        methods (amplitude, offset, frequency, phase, mean, stdev, dt, times,
        amplitudes, rate, weight, neurons, start, stop). Checked as at build time;
        takes effect from the next step."""
        self._core.set_stimulus(int(index), fields)

    def stimulus(self, index):
        """The fields of stimulus `index` now in force, as a dict."""
        return self._core.stimulus(int(index))

    def trace(self, population, variable, recorder=None):
        """The samples of `variable` of `population` recorded so far, as a
        :class:`Trace` (``times, values = sim.trace("E", "v")``). When several state
        recorders sample the same variable, `recorder` picks one by its index among the
        network's recorders."""
        population = _name(population)
        traces = self._core.traces(population, str(variable))
        if recorder is not None:
            traces = [trace for trace in traces if trace[4] == recorder]
        if len(traces) != 1:
            if not traces:
                recorded = ", ".join(f"{p}.{v}" for p, v in self._core.recorded_states()) or "nothing"
                which = "" if recorder is None else f" by recorder {recorder}"
                raise NeurodynKeyError(f"{variable} of population '{population}' is not recorded{which} "
                                       f"(recorded: {recorded}); use Network.record_state")
            indices = ", ".join(str(trace[4]) for trace in traces)
            raise NeurodynValueError(f"{variable} of population '{population}' is sampled by several recorders "
                                     f"({indices}); choose one with recorder=")
        times, values, neurons, unit, _ = traces[0]
        return Trace(population, str(variable), times, values, neurons, unit)

    def weight_trace(self, projection=None, recorder=None):
        """The weight samples recorded so far by :meth:`Network.record_weights`, as a
        :class:`WeightTrace` (``times, values = sim.weight_trace("EE")``): times (ms) and
        values (samples x synapses). `projection` (handle, name or index) picks the
        recorder of that projection; `recorder` (the index record_weights returned)
        picks one when a projection has several; with neither, the only one."""
        recorders = list(self._core.weight_recorders())
        if projection is not None:
            index = self._projection_index(projection)
            recorders = [r for r in recorders if r[1] == index]
        if recorder is not None:
            recorders = [r for r in recorders if r[0] == int(recorder)]
        if len(recorders) != 1:
            what = "" if projection is None else f" of projection {projection!r}"
            what += "" if recorder is None else f" with index {recorder}"
            if not recorders:
                raise NeurodynKeyError(f"no weights recorder{what} (use Network.record_weights)")
            raise NeurodynValueError(f"several weights recorders{what} ({', '.join(str(r[0]) for r in recorders)}); "
                                     f"choose one with recorder=")
        times, values, synapses, index, unit = self._core.weight_trace(recorders[0][0])
        return WeightTrace(index, times, values, synapses, unit, recorders[0][0])

    # --- facts ----------------------------------------------------------------------

    @property
    def synapse_count(self):
        return self._core.synapse_count

    @property
    def build_seconds(self):
        """Wall-clock time of the build (s)."""
        return self._core.build_seconds

    @property
    def run_seconds(self):
        """Wall-clock time of all runs so far (s)."""
        return self._core.run_seconds

    def phase_times(self):
        """Where the run time went (s): update, input, delivery, exchange, record."""
        return self._core.phase_times()

    @property
    def output(self):
        """Path of the HDF5 result file, or None."""
        return self._core.output or None

    def close(self):
        """Closes the result file (if any); the simulation itself stays usable."""
        self._core.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return (f"<Simulation at t = {self.t:g} ms: {len(self.populations)} populations, "
                f"{self.synapse_count} synapses>")
