"""The neuron-astrocyte liquid state machine (NALSM) of Ivanov & Michmizos (NeurIPS 2021,
"Increasing liquid state machine performance with edge-of-chaos dynamics organized by
astrocyte-modulated plasticity") on neurodyn's engine, and the branching ratio that
tells how close a liquid is to the critical point.

    import neurodyn.nalsm as nn
    liquid = nn.NALSM(seed=1)                         # 1000 LIF neurons, 784 Poisson inputs at 20 Hz
    sim = liquid.build()
    sim.run(2000.0)                                   # learning: astrocyte-modulated STDP
    print(nn.branching_ratio(sim, t_start=1000.0))    # NALSM's branching factor: 1.056
    print(sim.modulator("astrocyte"))                 # the astrocyte A, the depression rate: 0.174

The liquid is a 3-D grid of current-based LIF neurons (80 % excitatory), connected with
probability C exp(-(D/lambda)^2) of their distance D (Maass, Natschlaeger & Markram 2002),
driven by an input population through sparse random synapses of random sign. The
synapses from the input and from the excitatory neurons learn with pair STDP whose
depression rate is the astrocyte's state A(t), a leaky integrator of the liquid's spikes
minus the input's spikes; potentiation has a fixed rate. ``astrocyte=False`` builds the
same network with the same STDP at the fixed depression rate ``astrocyte_bias`` (the
control). docs/plasticity.md, "Astrocyte-modulated STDP (NALSM)", has the equations and
the measured branching ratios.
"""

import numpy as np

from . import _core
from .errors import NeurodynKeyError, NeurodynValueError
from .network import Network

__all__ = ["NALSM", "branching_ratio", "branching_factor", "grid_connections"]

# NALSM's connection probabilities C by (source, target) type, as in its
# generate_spatial_network.py (E->E 0.2, E->I 0.1, I->E 0.3, I->I 0.05), with lambda = 3
# grid units; the same form as Maass et al. 2002, whose C are 0.3, 0.2, 0.4, 0.1.
NALSM_CONNECTION_PROBABILITY = {"EE": 0.2, "EI": 0.1, "IE": 0.3, "II": 0.05}


def _finite(value, name, minimum=None, strict=False, maximum=None):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise _error(f"{name} must be a number, got {value!r}", name) from None
    bad = not np.isfinite(value)
    if minimum is not None:
        bad = bad or (value <= minimum if strict else value < minimum)
    if maximum is not None:
        bad = bad or value > maximum
    if bad:
        bound = "" if minimum is None else f" {'>' if strict else '>='} {minimum:g}"
        if maximum is not None:
            bound += f"{' and' if bound else ''} <= {maximum:g}"
        raise _error(f"{name} must be finite{bound}, got {value:g}", name)
    return value


def _error(message, key):
    error = NeurodynValueError(message)
    error.key = key
    return error


def grid_connections(source_positions, target_positions, probability, lam, rng, same_population=False):
    """Distance-dependent random connections (Maass et al. 2002): each pair (i, j) is
    connected with probability ``probability * exp(-(D_ij / lam)^2)``, D the Euclidean
    distance of the positions (n x 3 arrays, grid units); no autapses when
    ``same_population``. Returns (sources, targets) index arrays, sorted by target then
    source. `rng` is a numpy Generator; the draws are made in blocks of targets, which
    bounds the memory to ~50 MB whatever the size and does not change the result (the
    blocks draw the same numbers in the same order as one draw for all pairs)."""
    source_positions = np.asarray(source_positions, dtype=np.float64)
    target_positions = np.asarray(target_positions, dtype=np.float64)
    block = max(1, (1 << 20) // max(1, len(source_positions)))
    sources, targets = [], []
    for first in range(0, len(target_positions), block):
        rows = target_positions[first:first + block]
        d2 = ((rows[:, None, :] - source_positions[None, :, :]) ** 2).sum(axis=2)
        p = probability * np.exp(-d2 / (lam * lam))
        if same_population:
            p[np.arange(len(rows)), np.arange(first, first + len(rows))] = 0.0
        t, s = np.nonzero(rng.random(p.shape) < p)
        sources.append(s)
        targets.append(t + first)
    return np.concatenate(sources), np.concatenate(targets)


class NALSM:
    """An NALSM liquid as a neurodyn :class:`~neurodyn.Network` (``self.network``), ready
    to build. Populations ``"input"`` (n_input spike sources), ``"E"`` and ``"I"`` (the
    liquid, IF_curr_exp); projections ``"input->E"``, ``"input->I"``, ``"E->E"``,
    ``"E->I"``, ``"I->E"``, ``"I->I"``; with the astrocyte, the modulator
    ``"astrocyte"``. Spikes of all three populations are recorded.

    Weights are in mV: the total depolarisation one spike causes (NALSM's unit; the
    engine's nA weight is w cm / tau_syn with cm = 1 nF). Every argument is described in
    docs/plasticity.md; the defaults are NALSM's (its MNIST liquid: 10 x 10 x 10 neurons,
    tau_m 64 ms, threshold 20 mV, refractory 2 ms, 1 ms steps, STDP tau 10 ms, trace
    increment 0.1, potentiation rate 0.15, astrocyte tau 100 ms, bias = the potentiation
    rate, weights initialised at their bound 3 mV) except the input, which here is
    `n_input` Poisson sources at `input_rate` Hz (or `input_spike_times`), and
    `astrocyte_weight`, which NALSM tunes per data set."""

    def __init__(self, shape=(10, 10, 10), n_input=784, input_rate=20.0, input_spike_times=None,
                 input_density=0.15, excitatory_fraction=0.8, connection_probability=None, lam=3.0,
                 w_max=3.0, initial_weight=None, astrocyte=True, learning_rate=0.15, astrocyte_weight=0.015,
                 astrocyte_tau=100.0, astrocyte_bias=None, astrocyte_initial=None, stdp_tau=10.0,
                 trace_increment=0.1, plastic=("input", "E"), tau_m=64.0, v_thresh=20.0, tau_refrac=2.0,
                 tau_syn=1.0, dt=1.0, delay=1.0, seed=1):
        shape = tuple(int(s) for s in np.atleast_1d(shape))
        if len(shape) != 3 or min(shape) < 1:
            raise _error(f"shape must be three grid sizes >= 1, got {shape}", "shape")
        n_liquid = int(np.prod(shape))
        self.shape = shape
        self.n_input = int(n_input)
        if self.n_input < 1 or self.n_input != n_input:
            raise _error(f"n_input must be an integer >= 1, got {n_input!r}", "n_input")
        self.excitatory_fraction = _finite(excitatory_fraction, "excitatory_fraction", 0.0, True, 1.0)
        self.n_exc = int(round(n_liquid * self.excitatory_fraction))
        self.n_inh = n_liquid - self.n_exc
        if self.n_exc < 1 or self.n_inh < 1:
            raise _error(f"excitatory_fraction {self.excitatory_fraction:g} of {n_liquid} neurons leaves "
                         f"{self.n_exc} excitatory and {self.n_inh} inhibitory; each needs >= 1",
                         "excitatory_fraction")
        probability = dict(NALSM_CONNECTION_PROBABILITY)
        for key, value in dict(connection_probability or {}).items():
            if key not in probability:
                raise NeurodynKeyError(f"connection_probability: unknown pair '{key}' (pairs: EE, EI, IE, II; "
                                       f"source first)")
            probability[key] = _finite(value, f"connection_probability['{key}']", 0.0, False, 1.0)
        self.connection_probability = probability
        self.lam = _finite(lam, "lam", 0.0, True)
        self.input_density = _finite(input_density, "input_density", 0.0, False, 1.0)
        self.w_max = _finite(w_max, "w_max", 0.0, True)
        self.initial_weight = self.w_max if initial_weight is None else _finite(initial_weight, "initial_weight",
                                                                                0.0, False, self.w_max)
        self.learning_rate = _finite(learning_rate, "learning_rate", 0.0)
        self.astrocyte = bool(astrocyte)
        self.astrocyte_weight = _finite(astrocyte_weight, "astrocyte_weight", 0.0)
        self.astrocyte_tau = _finite(astrocyte_tau, "astrocyte_tau", 0.0, True)
        self.astrocyte_bias = (self.learning_rate if astrocyte_bias is None
                               else _finite(astrocyte_bias, "astrocyte_bias"))
        if not self.astrocyte and self.astrocyte_bias < 0.0:
            raise _error(f"astrocyte_bias is the fixed depression rate without the astrocyte and must be >= 0, "
                         f"got {self.astrocyte_bias:g}", "astrocyte_bias")
        self.astrocyte_initial = (self.astrocyte_bias if astrocyte_initial is None
                                  else _finite(astrocyte_initial, "astrocyte_initial"))
        self.stdp_tau = _finite(stdp_tau, "stdp_tau", 0.0, True)
        self.trace_increment = _finite(trace_increment, "trace_increment", 0.0, True)
        plastic = (plastic,) if isinstance(plastic, str) else tuple(plastic)
        for source in plastic:
            if source not in ("input", "E"):
                raise _error(f"plastic lists the sources whose synapses learn: 'input' and/or 'E', got "
                             f"{source!r}", "plastic")
        self.plastic = plastic
        self.dt = _finite(dt, "dt", 0.0, True)
        self.delay = _finite(delay, "delay", self.dt)
        self.tau_syn = _finite(tau_syn, "tau_syn", 0.0, True)
        neuron = {"cm": 1.0, "tau_m": _finite(tau_m, "tau_m", 0.0, True), "v_rest": 0.0, "v_reset": 0.0,
                  "v_thresh": _finite(v_thresh, "v_thresh", 0.0, True),
                  "tau_refrac": _finite(tau_refrac, "tau_refrac", 0.0), "tau_syn_E": self.tau_syn,
                  "tau_syn_I": self.tau_syn}
        self.seed = int(seed)

        rng = np.random.default_rng([self.seed, 0x4E414C534D])  # the layout; the engine has its own streams
        grid = np.stack(np.meshgrid(*[np.arange(s) for s in shape], indexing="ij"), axis=-1).reshape(-1, 3)
        grid = grid[rng.permutation(n_liquid)]
        self.positions = {"E": grid[:self.n_exc].astype(np.float64), "I": grid[self.n_exc:].astype(np.float64)}

        net = Network(dt=self.dt, seed=self.seed)
        if input_spike_times is not None:
            times = list(input_spike_times)
            if len(times) != self.n_input:
                raise _error(f"input_spike_times must hold one array per input neuron ({self.n_input}), got "
                             f"{len(times)}", "input_spike_times")
            net.population("input", "SpikeSourceArray", self.n_input, spike_times=times)
            self.input_rate = None
        else:
            self.input_rate = _finite(input_rate, "input_rate", 0.0)
            net.population("input", "SpikeSourcePoisson", self.n_input, params={"rate": self.input_rate})
        net.population("E", "IF_curr_exp", self.n_exc, params=neuron)
        net.population("I", "IF_curr_exp", self.n_inh, params=neuron)
        self.modulator = None
        if self.astrocyte:
            # NALSM: A <- A + (w (liquid spikes - input spikes) + bias - A) / tau per step,
            # i.e. tau dA/dt = bias - A with a jump of w / tau per spike.
            jump = self.astrocyte_weight / self.astrocyte_tau
            net.modulator("astrocyte", sources={"E": jump, "I": jump, "input": -jump}, tau=self.astrocyte_tau,
                          baseline=self.astrocyte_bias, initial=self.astrocyte_initial)
            self.modulator = "astrocyte"

        to_nA = 1.0 / self.tau_syn  # cm = 1 nF: a current w/tau_syn nA decaying with tau_syn carries w mV
        self.plastic_projections = []
        self.projections = {}
        # Input: a fixed number of synapses, input_density of all pairs, each of random sign.
        n_pairs = self.n_input * n_liquid
        chosen = rng.choice(n_pairs, size=int(n_pairs * self.input_density), replace=False)
        liquid_target, input_source = np.divmod(np.sort(chosen), self.n_input)
        sign = np.where(rng.integers(0, 2, size=chosen.size) == 1, 1.0, -1.0)
        for name, first, size in (("E", 0, self.n_exc), ("I", self.n_exc, self.n_inh)):
            keep = (liquid_target >= first) & (liquid_target < first + size)
            self._connect(net, "input", name, input_source[keep], liquid_target[keep] - first,
                          sign[keep] * self.initial_weight * to_nA, "input" in self.plastic, -self.w_max * to_nA)
        for pre in ("E", "I"):
            for post in ("E", "I"):
                sources, targets = grid_connections(self.positions[pre], self.positions[post],
                                                    probability[pre + post], self.lam, rng, pre == post)
                weight = self.initial_weight * to_nA * (1.0 if pre == "E" else -1.0)
                self._connect(net, pre, post, sources, targets, np.full(sources.size, weight),
                              pre == "E" and "E" in self.plastic, 0.0)
        for population in ("input", "E", "I"):
            net.record_spikes(population)
        self.network = net

    def _stdp(self, w_min_nA):
        """The pair rule of the plastic projections. NALSM's traces grow by
        trace_increment per spike and decay with stdp_tau; a pairing changes the weight
        by rate x trace (mV). The engine's additive amplitudes are relative to w_max, so
        A_plus = learning_rate trace_increment / w_max, and the depression amplitude is
        trace_increment / w_max per unit of the astrocyte, whose value is then NALSM's
        depression rate A itself (without the astrocyte: the fixed rate astrocyte_bias)."""
        a_plus = self.learning_rate * self.trace_increment / self.w_max
        per_unit_rate = self.trace_increment / self.w_max
        common = {"tau_plus": self.stdp_tau, "tau_minus": self.stdp_tau, "A_plus": a_plus, "w_min": w_min_nA,
                  "w_max": self.w_max / self.tau_syn}
        if self.astrocyte:
            return _core.stdp(A_minus=per_unit_rate, modulator="astrocyte", **common)
        return _core.stdp(A_minus=self.astrocyte_bias * per_unit_rate, **common)

    def _connect(self, net, pre, post, sources, targets, weights, plastic, w_min_nA):
        name = f"{pre}->{post}"
        connector = _core.from_list(sources=np.asarray(sources, np.int64), targets=np.asarray(targets, np.int64),
                                    weights=np.asarray(weights, np.float64),
                                    delays=np.full(len(sources), self.delay))
        receptor = "inhibitory" if pre == "I" else "excitatory"
        synapse = self._stdp(w_min_nA) if plastic else None
        net.connect(pre, post, connector, receptor=receptor, synapse=synapse, name=name)
        self.projections[name] = len(sources)
        if plastic:
            self.plastic_projections.append(name)

    def build(self, **options):
        """Builds the network: a :class:`~neurodyn.Simulation` (options as
        :meth:`Network.build`)."""
        return self.network.build(**options)

    def weights(self, simulation):
        """The current weights (mV) of the plastic projections: {name: array}."""
        return {name: simulation.weights(name) * self.tau_syn for name in self.plastic_projections}


# --- branching ratio ----------------------------------------------------------------------

def branching_factor(times, ids, sources, targets, n_neurons, window=4.0, dt=1.0, t_start=None, t_stop=None,
                     per_neuron=False):
    """NALSM's branching factor of spikes `times` (ms) of neurons `ids` (0..n_neurons-1)
    connected by the synapses ``sources[k] -> targets[k]`` (a pair counts once).

    For every spike of neuron n at time t with t_start + window <= t < t_stop - window:
    descendants = spikes of n's targets in (t, t + window], ancestors = spikes of n's
    sources in [t - window, t); its ratio is descendants / max(ancestors, 1). Each
    neuron's ratios are averaged, then the neurons with spikes (compute_branching_factor.py
    and get_branching_factor.py of NALSM, window 4 ms). Times are rounded to steps of
    `dt`. Returns the mean, or the per-neuron means (NaN without spikes) with
    ``per_neuron=True``."""
    times = np.asarray(times, dtype=np.float64)
    ids = np.asarray(ids)
    if times.ndim != 1 or ids.shape != times.shape:
        raise _error(f"times and ids must be 1-D arrays of the same length, got shapes {times.shape} and "
                     f"{ids.shape}", "ids")
    n_neurons = int(n_neurons)
    if n_neurons < 1:
        raise _error(f"n_neurons must be >= 1, got {n_neurons}", "n_neurons")
    if ids.size and (ids.min() < 0 or ids.max() >= n_neurons):
        raise _error(f"ids must be in [0, {n_neurons}), got [{ids.min()}, {ids.max()}]", "ids")
    if not np.all(np.isfinite(times)):
        raise _error("times must be finite", "times")
    dt = _finite(dt, "dt", 0.0, True)
    window_steps = int(round(_finite(window, "window", 0.0, True) / dt))
    if window_steps < 1:
        raise _error(f"window must be at least one step (dt = {dt:g} ms), got {window:g}", "window")
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    if sources.shape != targets.shape or sources.ndim != 1:
        raise _error(f"sources and targets must be 1-D arrays of the same length, got shapes {sources.shape} "
                     f"and {targets.shape}", "targets")
    if sources.size and (min(sources.min(), targets.min()) < 0 or max(sources.max(), targets.max()) >= n_neurons):
        raise _error(f"sources and targets must be in [0, {n_neurons})", "sources")
    steps = np.rint(times / dt).astype(np.int64)
    first = steps.min() if steps.size else 0
    last = steps.max() + 1 if steps.size else 0
    first = first if t_start is None else int(round(_finite(t_start, "t_start") / dt))
    last = last if t_stop is None else int(round(_finite(t_stop, "t_stop") / dt))
    if last - first <= 2 * window_steps:
        raise _error(f"the interval of {last - first} steps leaves no spike a whole window of {window_steps} steps "
                     f"on both sides; give a longer interval or a shorter window", "t_stop")
    keep = (steps >= first) & (steps < last)
    steps, ids = steps[keep], ids[keep].astype(np.int64)

    # Spikes sorted by (neuron, step): the count of neuron j's spikes in [a, b) is a
    # difference of two searchsorted positions of the key j * span + step.
    span = np.int64(last - first + 2 * window_steps + 2)
    keys = np.sort(ids * span + (steps - first))
    pairs = np.unique(np.stack([sources, targets], axis=1), axis=0) if sources.size else np.zeros((0, 2), np.int64)
    pre_of = _adjacency(pairs[:, 1], pairs[:, 0], n_neurons)    # sources of each neuron
    post_of = _adjacency(pairs[:, 0], pairs[:, 1], n_neurons)   # targets of each neuron

    reference = (steps >= first + window_steps) & (steps < last - window_steps)
    ref_steps, ref_ids = steps[reference] - first, ids[reference]
    ancestors = _window_counts(keys, span, pre_of, ref_ids, ref_steps - window_steps, ref_steps)
    descendants = _window_counts(keys, span, post_of, ref_ids, ref_steps + 1, ref_steps + 1 + window_steps)
    ratio = descendants / np.maximum(ancestors, 1)
    total = np.bincount(ref_ids, weights=ratio, minlength=n_neurons)
    count = np.bincount(ref_ids, minlength=n_neurons)
    means = np.full(n_neurons, np.nan)
    means[count > 0] = total[count > 0] / count[count > 0]
    if per_neuron:
        return means
    return float(np.nanmean(means)) if np.any(count > 0) else float("nan")


def _adjacency(rows, columns, n):
    """CSR lists: for neuron i, columns[offsets[i]:offsets[i + 1]] (the pairs with row i)."""
    order = np.argsort(rows, kind="stable")
    offsets = np.zeros(n + 1, np.int64)
    np.add.at(offsets, rows + 1, 1)
    return np.cumsum(offsets), columns[order]


def _window_counts(keys, span, adjacency, neurons, begin, end, chunk=1 << 20):
    """For each (neuron, [begin, end)): the spikes of its adjacent neurons in the window."""
    offsets, members = adjacency
    degree = offsets[neurons + 1] - offsets[neurons]
    out = np.zeros(neurons.size, np.int64)
    # Expand (reference spike, adjacent neuron) pairs in chunks of about `chunk` pairs.
    cumulative = np.cumsum(degree)
    start = 0
    while start < neurons.size:
        base = cumulative[start - 1] if start else 0
        stop = int(np.searchsorted(cumulative, base + chunk, side="right"))
        stop = max(stop, start + 1)
        deg = degree[start:stop]
        owner = np.repeat(np.arange(start, stop), deg)
        rank = np.arange(owner.size) - np.repeat(np.cumsum(deg) - deg, deg)   # index within the owner's list
        position = np.repeat(offsets[neurons[start:stop]], deg) + rank
        other = members[position]
        low = np.searchsorted(keys, other * span + begin[owner])
        high = np.searchsorted(keys, other * span + end[owner])
        out[start:stop] = np.bincount(owner - start, weights=high - low, minlength=stop - start).astype(np.int64)
        start = stop
    return out


def branching_ratio(simulation, populations=("E", "I"), method="nalsm", window=4.0, t_start=None, t_stop=None,
                    k_max=40):
    """The branching ratio of the recorded spikes of `populations` (names; the liquid by
    default) of a neurodyn :class:`~neurodyn.Simulation`, in [t_start, t_stop) ms (default:
    the whole run):

    - ``method="nalsm"``: NALSM's branching factor (:func:`branching_factor`) through the
      simulation's own connections among those populations, with a `window` of 4 ms;
    - ``method="mr"``: the multistep-regression estimate m of the population activity in
      bins of `window` ms (Wilting & Priesemann 2018; neurodyn.analysis.branching_ratio,
      `k_max` lags), free of the bias subsampling and drive give the naive one;
    - ``method="naive"``: sum A_{t+1} / sum A_t over non-empty bins (Beggs & Plenz 2003).

    1 is critical, below sub-critical, above super-critical."""
    from . import analysis
    if method not in ("nalsm", "mr", "naive"):
        raise _error(f"method must be 'nalsm', 'mr' or 'naive', got {method!r}", "method")
    names = [populations] if isinstance(populations, str) else list(populations)
    sizes = {name: size for name, _, size in simulation._core.populations()}
    offset = {}
    n = 0
    for name in names:
        if name not in sizes:
            raise NeurodynKeyError(f"unknown population '{name}' (populations: {', '.join(sizes)})")
        offset[name] = n
        n += sizes[name]
    dt = simulation.dt
    t_start = 0.0 if t_start is None else _finite(t_start, "t_start")
    t_stop = simulation.t if t_stop is None else _finite(t_stop, "t_stop")
    if not t_stop > t_start:
        raise _error(f"t_stop must be > t_start, got [{t_start:g}, {t_stop:g})", "t_stop")
    all_times, all_ids = [], []
    for name in names:
        times, ids = simulation.spikes(name)
        all_times.append(np.asarray(times))
        all_ids.append(np.asarray(ids) + offset[name])
    # A spike is stamped at the end of its step, (step + 1) dt: the step began at stamp - dt.
    times = np.concatenate(all_times) - dt
    ids = np.concatenate(all_ids)
    if method == "nalsm":
        sources, targets = [], []
        for index, (_, pre, post, _) in enumerate(simulation._core.spec.projections()):
            if pre in offset and post in offset:
                c = simulation.connections(index)
                sources.append(np.asarray(c["source"]) + offset[pre])
                targets.append(np.asarray(c["target"]) + offset[post])
        sources = np.concatenate(sources) if sources else np.zeros(0, np.int64)
        targets = np.concatenate(targets) if targets else np.zeros(0, np.int64)
        return branching_factor(times, ids, sources, targets, n, window=window, dt=dt, t_start=t_start,
                                t_stop=t_stop)
    window = _finite(window, "window", 0.0, True)
    bins = int(np.floor((t_stop - t_start) / window + 1e-9))
    if bins < 2:
        raise _error(f"the interval [{t_start:g}, {t_stop:g}) ms holds fewer than 2 bins of {window:g} ms", "window")
    counts = np.histogram(times, bins=bins, range=(t_start, t_start + bins * window))[0].astype(np.float64)
    if method == "mr":
        return float(analysis.branching_ratio(counts, k_max=k_max).m)
    return float(analysis.branching_ratio_naive(counts))
