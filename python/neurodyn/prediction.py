"""Predicting "what" and "when": a spiking reservoir whose readouts learn, by a gated
three-factor rule, which stimulus comes next and when it arrives.

After Yamada & Chao (2025, arXiv:2510.14382, "Joint encoding of 'what' and 'when'
predictions through error-modulated plasticity in reservoir spiking networks"): a
heterogeneous Izhikevich reservoir, simulated by the engine, with readouts trained by an
error-modulated, attention-gated three-factor Hebbian rule, on a task in which a cue
announces the identity, the latency and (through omissions) the probability of the
stimulus that follows. The paper's exact network, task timing and gate were not available
to us (only its abstract); the task design, the gate and all parameters here are ours and
are defined below. docs/computing.md ("Predicting what and when") is the tutorial.

    import neurodyn.prediction as npred
    task = npred.WhatWhenTask()                       # 4 cues: identity A/B x latency short/long
    trials = task.trials(150, seed=1)
    model = npred.WhatWhenModel(task, seed=2)
    times, states = model.simulate(trials)            # the engine runs the reservoir on the stream
    model.train(trials, times, states, stop=100)      # online, gated three-factor learning
    print(model.evaluate(trials, times, states, start=100))

The trial stream. Trial n shows cue c_n (one of len(cue_identity)) at onset_n for
presentation_ms; with probability 1 - omission a target follows at onset_n +
cue_soa_ms[c_n] (the "when"), also for presentation_ms, whose identity (the "what") is
cue_identity[c_n] with probability `validity` and another identity otherwise. The next
cue comes max(cue_soa_ms) + presentation_ms + U(iti_ms) after onset_n, so its time is not
predictable. Every stimulus drives its own random `input_fraction` of the reservoir's
neurons with a current of `input_nA` during its presentation.

The reservoir (:func:`izhikevich_reservoir`): Izhikevich (2003)'s random network of
excitatory (a = 0.02, b = 0.2, c = -65 + 15 re^2, d = 8 - 6 re^2) and inhibitory (a =
0.02 + 0.08 ri, b = 0.25 - 0.05 ri, c = -65, d = 2) neurons, re and ri uniform in [0, 1)
per neuron, driven by Gaussian "thalamic" noise, here sparse, with Izhikevich (2006)'s
excitatory delays of 1-20 ms.

The readouts: z = W s + b on the state s(t), the reservoir's spike trains filtered with
tau_ms, minus their mean over the spontaneous activity before the first cue. Output 0 is
"when", outputs 1.. are "what" (one per identity). Teachers:

    when:    f_0(t) = sum over arrivals t_a of exp(-(t - t_a)^2 / (2 sigma_ms^2))
    what k:  f_k(t) = 1 from the cue's onset to the arrival of a target of identity k, else 0

Learning (neurodyn.reservoir.ThreeFactorReadout, trace = s):

    dW_k = eta * (f_k - z_k) * g_k(t) * s(t),   eta = learning_rate / <|s|^2>_training states

The attention gate g: attention A(t) = 1 from each cue's onset until max(cue_soa_ms) +
3 sigma_ms after it (the window in which a target can come), 0 in the inter-trial
interval; g_0 = A (the "when" readout learns in every attended moment, whether or not
the target comes) and g_k = A * [a target arrives in this trial and has not arrived yet]
for the "what" readouts (identity is taught only by a stimulus that is seen, and only
before it is seen, so the readout must predict it, not recognise it). With gated=False
every output learns at every step (g = 1). The readout does not feed back into the
reservoir, so training on the recorded states in time order is the same as learning while
the engine runs; the teacher of step t is known once the trial's target has arrived (at
most max(cue_soa_ms) + 3 sigma_ms later), the eligibility window of the rule. `replays`
more passes over the training trials teach the "what" readouts only (the paper's "offline
consolidation of 'what'"; "when" learns online, in one pass).
"""

import numpy as np

from .errors import NeurodynValueError

# neurodyn.reservoir is imported where it is used, so that `import neurodyn` (which
# imports this module) does not import it.

__all__ = ["izhikevich_reservoir", "WhatWhenTask", "WhatWhenTrials", "WhatWhenModel"]

# Izhikevich (2003)'s network: 1000 neurons, all-to-all, excitatory weights U(0, 0.5) mV and
# inhibitory U(0, 1) mV, thalamic input 5 randn (excitatory) and 2 randn (inhibitory) mV/ms
# redrawn every 1 ms step. In neurodyn 1 nA is 1000 mV/ms of Izhikevich's I.
_IZHIKEVICH_NEURONS = 1000
_IZHIKEVICH_W_EXC_MV = 0.5
_IZHIKEVICH_W_INH_MV = 1.0
_MV_PER_MS_PER_NA = 1000.0


def _positive(value, name, allow_zero=False):
    value = float(value)
    if not np.isfinite(value) or value < 0.0 or (value == 0.0 and not allow_zero):
        raise NeurodynValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value:g}")
    return value


def _fraction(value, name):
    value = float(value)
    if not 0.0 < value <= 1.0:
        raise NeurodynValueError(f"{name} must be in (0, 1], got {value:g}")
    return value


def izhikevich_reservoir(n_exc=160, n_inh=40, p_connect=0.2, weight_scale=0.7, max_delay_ms=20.0, noise_exc=2.0,
                         noise_inh=1.0, recurrent=True, seed=0):
    """A builder of a heterogeneous Izhikevich reservoir: build(network) -> [E, I].

    Neurons as Izhikevich (2003): excitatory a = 0.02, b = 0.2, c = -65 + 15 re^2,
    d = 8 - 6 re^2; inhibitory a = 0.02 + 0.08 ri, b = 0.25 - 0.05 ri, c = -65, d = 2;
    re, ri uniform in [0, 1) per neuron (drawn from `seed`); v = -65 mV, u = b v at t = 0.
    Each pair is connected with probability p_connect (no autapses); the weights (mV,
    delta synapses) are Izhikevich's, E U(0, 0.5) and I -U(0, 1), times
    weight_scale * 1000 / (N p_connect) with N = n_exc + n_inh, so that the mean input a
    neuron receives is weight_scale times that of Izhikevich's 1000-neuron all-to-all
    network. Excitatory delays are uniform in [1, max_delay_ms] (Izhikevich 2006's
    1-20 ms; max_delay_ms = 1 gives all 1 ms), inhibitory ones 1 ms. Thalamic noise: a
    Gaussian current of standard deviation noise_exc (excitatory) and noise_inh
    (inhibitory) in Izhikevich's mV/ms (his 5 and 2), redrawn every 1 ms.
    recurrent=False drops the recurrent projections (the same neurons, noise and inputs:
    the no-recurrence control).

    The defaults (weight_scale, delays, noise) were chosen on WhatWhenTask's default
    task among the few settings docs/computing.md lists."""
    n_exc, n_inh = int(n_exc), int(n_inh)
    if n_exc < 1 or n_inh < 1:
        raise NeurodynValueError(f"n_exc and n_inh must be >= 1, got {n_exc} and {n_inh}")
    p_connect = _fraction(p_connect, "p_connect")
    weight_scale = _positive(weight_scale, "weight_scale")
    max_delay_ms = float(max_delay_ms)
    if not max_delay_ms >= 1.0:
        raise NeurodynValueError(f"max_delay_ms must be >= 1, got {max_delay_ms:g}")
    noise_exc = _positive(noise_exc, "noise_exc", allow_zero=True)
    noise_inh = _positive(noise_inh, "noise_inh", allow_zero=True)
    rng = np.random.default_rng([int(seed), 0x495A48])
    re, ri = rng.random(n_exc), rng.random(n_inh)
    scale = weight_scale * _IZHIKEVICH_NEURONS / ((n_exc + n_inh) * p_connect)

    def build(network):
        from . import fixed_probability, uniform
        b_inh = 0.25 - 0.05 * ri
        E = network.population("E", "Izhikevich", n_exc,
                               params={"a": 0.02, "b": 0.2, "c": -65.0 + 15.0 * re ** 2, "d": 8.0 - 6.0 * re ** 2},
                               initial={"v": -65.0, "u": 0.2 * -65.0})
        I = network.population("I", "Izhikevich", n_inh,
                               params={"a": 0.02 + 0.08 * ri, "b": b_inh, "c": -65.0, "d": 2.0},
                               initial={"v": -65.0, "u": b_inh * -65.0})
        if recurrent:
            delay = uniform(1.0, max_delay_ms) if max_delay_ms > 1.0 else 1.0
            for target in (E, I):
                network.connect(E, target, fixed_probability(p_connect, allow_autapses=False),
                                weight=uniform(0.0, _IZHIKEVICH_W_EXC_MV * scale), delay=delay)
                network.connect(I, target, fixed_probability(p_connect, allow_autapses=False),
                                weight=uniform(-_IZHIKEVICH_W_INH_MV * scale, 0.0), delay=1.0, receptor="inhibitory")
        for population, noise in ((E, noise_exc), (I, noise_inh)):
            if noise > 0.0:
                network.noisy_current_input(population, mean=0.0, stdev=noise / _MV_PER_MS_PER_NA, dt=1.0)
        return [E, I]

    return build


class WhatWhenTrials:
    """A stream of trials (made by :meth:`WhatWhenTask.trials`): per trial `cue`,
    `identity` (of the target; -1 when it is omitted), `soa_ms` (the latency the cue
    announces), `onset_ms` (cue onset) and `arrival_ms` (target onset; NaN when omitted);
    `duration_ms`, the length of the whole stream."""

    def __init__(self, task, cue, identity, onset_ms, soa_ms, duration_ms):
        self.task = task
        self.cue = cue
        self.identity = identity
        self.onset_ms = onset_ms
        self.soa_ms = soa_ms
        self.arrival_ms = np.where(identity >= 0, onset_ms + soa_ms, np.nan)
        self.duration_ms = float(duration_ms)

    def __len__(self):
        return self.cue.size

    def then(self, other):
        """This stream followed by `other` (shifted to start where this one ends, its
        first cue as late after that as after its own start): a change of the task's
        statistics in the middle of one simulation. Both must come from tasks with the
        same cues, identities, presentation and longest latency (e.g. the latencies or
        the probabilities changed)."""
        a, b = self.task, other.task
        if (a.cues != b.cues or a.identities != b.identities or a.presentation_ms != b.presentation_ms
                or a.cue_soa_ms.max() != b.cue_soa_ms.max()):
            raise NeurodynValueError("then(): both streams' tasks must have the same cues, identities, "
                                     "presentation_ms and longest latency")
        return WhatWhenTrials(a, np.concatenate([self.cue, other.cue]), np.concatenate([self.identity, other.identity]),
                              np.concatenate([self.onset_ms, other.onset_ms + self.duration_ms]),
                              np.concatenate([self.soa_ms, other.soa_ms]), self.duration_ms + other.duration_ms)

    def __repr__(self):
        return (f"<WhatWhenTrials: {len(self)} trials, {np.sum(self.identity < 0)} omitted, "
                f"{self.duration_ms:g} ms>")


class WhatWhenTask:
    """Cue -> target trials in which the cue announces the target's identity and latency.

    cue_identity: the identity each cue announces (identities 0 .. max); cue_soa_ms: the
    latency (cue onset to target onset, ms) each cue announces, > presentation_ms;
    validity: probability that the target is the announced identity (otherwise one of the
    others, uniformly); omission: probability that no target comes (catch trials: the
    "when" readout's anticipation is measured on them); presentation_ms: duration of
    every cue and target; iti_ms: (low, high) of the uniform extra gap before the next
    cue. The default crosses identity and latency: cues 0..3 announce (A, short),
    (A, long), (B, short), (B, long)."""

    def __init__(self, cue_identity=(0, 0, 1, 1), cue_soa_ms=(30.0, 50.0, 30.0, 50.0), validity=1.0, omission=0.4,
                 presentation_ms=10.0, iti_ms=(40.0, 80.0)):
        self.cue_identity = np.asarray(cue_identity, dtype=np.int64)
        self.cue_soa_ms = np.asarray(cue_soa_ms, dtype=np.float64)
        if self.cue_identity.ndim != 1 or self.cue_identity.size < 1 or self.cue_identity.min() < 0:
            raise NeurodynValueError(f"cue_identity must be a non-empty list of identities >= 0, got {cue_identity}")
        if self.cue_soa_ms.shape != self.cue_identity.shape:
            raise NeurodynValueError(f"cue_soa_ms must have one latency per cue ({self.cue_identity.size}), "
                                     f"got {self.cue_soa_ms.size}")
        self.identities = int(self.cue_identity.max()) + 1
        if self.identities < 2:
            raise NeurodynValueError("cue_identity must name at least two identities (0 and 1)")
        self.presentation_ms = _positive(presentation_ms, "presentation_ms")
        if np.any(~np.isfinite(self.cue_soa_ms)) or np.any(self.cue_soa_ms <= self.presentation_ms):
            raise NeurodynValueError(f"cue_soa_ms must be > presentation_ms ({self.presentation_ms:g}), "
                                     f"got {self.cue_soa_ms.tolist()}")
        self.validity = float(validity)
        if not 0.0 <= self.validity <= 1.0:
            raise NeurodynValueError(f"validity must be in [0, 1], got {validity:g}")
        self.omission = float(omission)
        if not 0.0 <= self.omission < 1.0:
            raise NeurodynValueError(f"omission must be in [0, 1), got {omission:g}")
        low, high = (float(x) for x in iti_ms)
        if not 0.0 <= low <= high:
            raise NeurodynValueError(f"iti_ms must be (low, high) with 0 <= low <= high, got {tuple(iti_ms)}")
        self.iti_ms = (low, high)

    @property
    def cues(self):
        return self.cue_identity.size

    def trials(self, count, seed=0, start_ms=300.0):
        """`count` trials drawn from `seed`; the first cue comes at start_ms (the
        spontaneous activity before it is the states' baseline)."""
        count = int(count)
        if count < 1:
            raise NeurodynValueError(f"count must be >= 1, got {count}")
        start_ms = _positive(start_ms, "start_ms")
        rng = np.random.default_rng([int(seed), 0x574857])
        cue = rng.integers(0, self.cues, count)
        announced = self.cue_identity[cue]
        other = (announced + rng.integers(1, self.identities, count)) % self.identities
        identity = np.where(rng.random(count) < self.validity, announced, other)
        identity = np.where(rng.random(count) < self.omission, -1, identity)
        period = self.cue_soa_ms.max() + self.presentation_ms + rng.uniform(*self.iti_ms, count)
        onset = start_ms + np.concatenate([[0.0], np.cumsum(period[:-1])])
        return WhatWhenTrials(self, cue, identity, onset, self.cue_soa_ms[cue], onset[-1] + period[-1])


class WhatWhenModel:
    """A reservoir with "what" and "when" readouts learning by the attention-gated
    three-factor rule (module documentation).

    task: a :class:`WhatWhenTask`; reservoir: a builder (default
    :func:`izhikevich_reservoir` with `seed`); input_fraction: fraction of the
    reservoir's neurons each stimulus drives; input_nA: the current it injects (nA;
    1 nA = 1000 mV/ms of Izhikevich's I); tau_ms: the filter of the state traces;
    sample_ms: the readout's step (a multiple of dt); sigma_ms: width of the "when"
    teacher; learning_rate: eta times the mean squared state of the training trials
    (fixed at the first train()); gated: attention gate on (True) or every step learning (False);
    replays: extra passes of "what" learning over the training trials; what_window_ms:
    the "what" prediction is the mean of the "what" outputs over this long a window
    ending at the target's arrival; dt: the engine's step (ms)."""

    def __init__(self, task, reservoir=None, input_fraction=0.25, input_nA=0.01, tau_ms=20.0, sample_ms=2.0,
                 sigma_ms=5.0, learning_rate=0.05, gated=True, replays=4, what_window_ms=10.0, dt=1.0, seed=0):
        if not isinstance(task, WhatWhenTask):
            raise NeurodynValueError(f"task must be a WhatWhenTask, got {type(task).__name__}")
        self.task = task
        self.seed = int(seed)
        self.reservoir = izhikevich_reservoir(seed=self.seed) if reservoir is None else reservoir
        self.input_fraction = _fraction(input_fraction, "input_fraction")
        self.input_nA = _positive(input_nA, "input_nA")
        self.tau_ms = _positive(tau_ms, "tau_ms")
        self.dt = _positive(dt, "dt")
        self.sample_ms = _positive(sample_ms, "sample_ms")
        if abs(self.sample_ms / self.dt - round(self.sample_ms / self.dt)) > 1e-9:
            raise NeurodynValueError(f"sample_ms must be a multiple of dt ({self.dt:g} ms), got {self.sample_ms:g}")
        self.sigma_ms = _positive(sigma_ms, "sigma_ms")
        self.learning_rate = _positive(learning_rate, "learning_rate")
        self.gated = bool(gated)
        self.replays = int(replays)
        if self.replays < 0:
            raise NeurodynValueError(f"replays must be >= 0, got {replays}")
        self.what_window_ms = _positive(what_window_ms, "what_window_ms")
        self.readout = None
        self.rates = None

    @property
    def outputs(self):
        """1 ("when") + one "what" output per identity."""
        return 1 + self.task.identities

    # --- the reservoir ------------------------------------------------------------------

    def simulate(self, trials, threads=1):
        """Runs the reservoir on the trial stream in one engine simulation; returns
        (times_ms, states): the readout's sample times and the states at them
        (samples x neurons), the filtered spike trains minus their mean over the
        spontaneous activity before the first cue. Deterministic for a seed."""
        from .network import Network
        from .reservoir import filtered_spike_traces
        self._check_trials(trials)
        net = Network(dt=self.dt, seed=self.seed)
        populations = self.reservoir(net)
        rng = np.random.default_rng([self.seed, 0x494E50])
        presentation = self.task.presentation_ms
        # Stimulus s drives the same random subset of every population at each of its
        # presentations: cues 0 .. cues-1, then target identities.
        stimuli = [trials.onset_ms[trials.cue == c] for c in range(self.task.cues)]
        stimuli += [trials.arrival_ms[trials.identity == k] for k in range(self.task.identities)]
        for starts in stimuli:
            for population in populations:
                neurons = np.nonzero(rng.random(population.size) < self.input_fraction)[0]
                if starts.size == 0 or neurons.size == 0:
                    continue
                times = np.column_stack([starts, starts + presentation]).ravel()
                amplitudes = np.tile([self.input_nA, 0.0], starts.size)
                net.step_current_input(population, times=times.tolist(), amplitudes=amplitudes.tolist(),
                                       neurons=neurons.tolist())
        for population in populations:
            net.record_spikes(population)
        sim = net.build(threads=threads)
        sim.run(trials.duration_ms)
        self.rates = sim.mean_rates()
        times = np.arange(0.0, trials.duration_ms, self.sample_ms)
        states = np.hstack([filtered_spike_traces(*sim.spikes(p), p.size, self.tau_ms, times) for p in populations])
        spontaneous = self._spontaneous(times, trials)
        states -= states[spontaneous].mean(0)
        return times, states

    @staticmethod
    def _spontaneous(times, trials):
        """The samples of the spontaneous activity before the first cue, after the
        initial transient (the first third of that time)."""
        first = trials.onset_ms[0]
        spontaneous = (times >= first / 3.0) & (times < first)
        if not spontaneous.any():
            raise NeurodynValueError(f"no readout sample before the first cue ({first:g} ms); raise start_ms")
        return spontaneous

    # --- teachers and gates ---------------------------------------------------------------

    def teachers(self, trials, times):
        """(targets, gates), each samples x outputs: the teacher signals f and the
        attention gates g of the module documentation (all ones when not gated)."""
        times = np.asarray(times, dtype=np.float64)
        targets = np.zeros((times.size, self.outputs))
        gates = np.zeros((times.size, self.outputs))
        horizon = self.task.cue_soa_ms.max() + 3.0 * self.sigma_ms
        for n in range(len(trials)):
            onset, arrival, identity = trials.onset_ms[n], trials.arrival_ms[n], trials.identity[n]
            lo, hi = np.searchsorted(times, [onset, onset + horizon])
            gates[lo:hi, 0] = 1.0
            if identity < 0:
                continue
            near = np.searchsorted(times, [arrival - 5.0 * self.sigma_ms, arrival + 5.0 * self.sigma_ms])
            t = times[near[0]:near[1]]
            targets[near[0]:near[1], 0] += np.exp(-0.5 * ((t - arrival) / self.sigma_ms) ** 2)
            before = np.searchsorted(times, arrival)
            targets[lo:before, 1 + identity] = 1.0
            gates[lo:before, 1:] = 1.0
        if not self.gated:
            gates[:] = 1.0
        return targets, gates

    # --- learning ---------------------------------------------------------------------------

    def train(self, trials, times, states, start=0, stop=None):
        """Learns from trials [start, stop) (default: all) in time order: one online pass
        of every output, then `replays` passes of the "what" outputs. Continues from the
        current weights (a new readout at the first call). Returns self."""
        self._check_trials(trials)
        times, states = self._checked(times, states)
        stop = len(trials) if stop is None else int(stop)
        start = int(start)
        if not 0 <= start < stop <= len(trials):
            raise NeurodynValueError(f"trials to train on must satisfy 0 <= start < stop <= {len(trials)}, "
                                     f"got start {start}, stop {stop}")
        from .reservoir import ThreeFactorReadout
        lo = np.searchsorted(times, trials.onset_ms[start])
        hi = np.searchsorted(times, trials.onset_ms[stop]) if stop < len(trials) else times.size
        if self.readout is None:
            # eta in units of the mean squared state of the training stream (NLMS's step
            # size with a constant normaliser): the rule is stable for learning_rate well
            # below 2 <|s|^2> / max |s|^2, about 0.4 for the default reservoir's bursts.
            power = float(np.mean(np.sum(states[lo:hi] ** 2, axis=1)))
            if not power > 0.0:
                raise NeurodynValueError("the reservoir states of the training trials are all zero (a silent "
                                         "reservoir: raise input_nA or the noise)")
            self.readout = ThreeFactorReadout(states.shape[1], self.outputs, eta=self.learning_rate / power)
        targets, gates = self.teachers(trials, times[lo:hi])
        self.readout.train(states[lo:hi], targets, gate=gates)
        what_only = gates.copy()
        what_only[:, 0] = 0.0
        for _ in range(self.replays):
            self.readout.train(states[lo:hi], targets, gate=what_only)
        return self

    def predict(self, states):
        """The readouts (samples x outputs): column 0 "when", then "what" per identity."""
        if self.readout is None:
            raise RuntimeError("train() the model before predict()")
        return self.readout.predict(states)

    @property
    def weights(self):
        """The readout weights (outputs x (neurons + 1)), bias last."""
        return None if self.readout is None else self.readout.weights

    # --- evaluation -------------------------------------------------------------------------

    def evaluate(self, trials, times, states, start=0, stop=None):
        """Scores the frozen readouts on trials [start, stop):

        what_accuracy: fraction of trials with a target whose identity is the largest
        "what" output averaged over the what_window_ms before its arrival (the target has
        not reached the reservoir yet); what_trials: their number; what_chance: the
        accuracy of guessing the most frequent identity of those trials;
        when_error_ms: on omission trials, the time of the "when" output's maximum within
        the attention window minus the announced arrival (array); when_abs_error_ms: the
        mean of its absolute value; when_trials: their number; when_peak: the mean
        maximum; when_cue_blind_error_ms: the mean absolute error on those trials of the
        prediction that ignores the cue: the mean announced latency."""
        self._check_trials(trials)
        times, states = self._checked(times, states)
        stop = len(trials) if stop is None else int(stop)
        if not 0 <= int(start) < stop <= len(trials):
            raise NeurodynValueError(f"trials to evaluate must satisfy 0 <= start < stop <= {len(trials)}, "
                                     f"got start {start}, stop {stop}")
        z = self.predict(states)
        horizon = self.task.cue_soa_ms.max() + 3.0 * self.sigma_ms
        correct, identities, errors, peaks, blind = [], [], [], [], []
        cue_blind = float(np.mean(self.task.cue_soa_ms))  # cues are equally likely
        for n in range(int(start), stop):
            onset = trials.onset_ms[n]
            if trials.identity[n] >= 0:
                arrival = trials.arrival_ms[n]
                lo, hi = np.searchsorted(times, [arrival - self.what_window_ms, arrival])
                guess = int(np.argmax(z[lo:hi, 1:].mean(axis=0)))
                correct.append(guess == trials.identity[n])
                identities.append(trials.identity[n])
            else:
                lo, hi = np.searchsorted(times, [onset, onset + horizon])
                k = lo + int(np.argmax(z[lo:hi, 0]))
                errors.append(times[k] - (onset + trials.soa_ms[n]))
                peaks.append(z[k, 0])
                blind.append(abs(cue_blind - trials.soa_ms[n]))
        errors = np.asarray(errors)
        counts = np.bincount(np.asarray(identities, dtype=np.int64), minlength=self.task.identities)
        return {
            "what_accuracy": float(np.mean(correct)) if correct else float("nan"),
            "what_trials": len(correct),
            "what_chance": float(counts.max() / counts.sum()) if correct else float("nan"),
            "when_error_ms": errors,
            "when_abs_error_ms": float(np.mean(np.abs(errors))) if errors.size else float("nan"),
            "when_trials": int(errors.size),
            "when_peak": float(np.mean(peaks)) if peaks else float("nan"),
            "when_cue_blind_error_ms": float(np.mean(blind)) if blind else float("nan"),
        }

    def _check_trials(self, trials):
        if not isinstance(trials, WhatWhenTrials):
            raise NeurodynValueError(f"trials must be made by WhatWhenTask.trials(), got {type(trials).__name__}")
        a, b = self.task, trials.task
        if (a.cues != b.cues or a.identities != b.identities or a.presentation_ms != b.presentation_ms
                or a.cue_soa_ms.max() != b.cue_soa_ms.max()):
            raise NeurodynValueError("trials must come from a task with the model's cues, identities, "
                                     "presentation_ms and longest latency")

    def _checked(self, times, states):
        times = np.asarray(times, dtype=np.float64)
        states = np.asarray(states, dtype=np.float64)
        if states.ndim != 2 or states.shape[0] != times.size:
            raise NeurodynValueError(f"states must have one row per sample time ({times.size}), got shape "
                                     f"{states.shape}")
        return times, states
