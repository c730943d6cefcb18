"""Reservoir computing on neurodyn: echo-state networks, liquid state machines, and
their readouts (ridge regression, FORCE, a three-factor rule).

    import neurodyn.reservoir as nr
    esn = nr.EchoStateNetwork(units=200, spectral_radius=0.9, leak=1.0, seed=1)
    states = esn.run(u)                                   # (steps, units)
    readout = nr.RidgeCV().fit(states[100:], y[100:])     # cross-validated lambda
    prediction = readout.predict(states)

The numerics run in C++ (``neurodyn._core.reservoir``: include/neurodyn/learn/): the
reservoir stepper on a sparse recurrent matrix, the spectral radius, ridge with k-fold
cross-validation from one eigendecomposition per fold, recursive least squares, and the
filtered spike traces of liquid state machines. docs/computing.md is the tutorial.
"""

import numpy as np

from . import _core
from .errors import NeurodynValueError

_cr = _core.reservoir

__all__ = ["Ridge", "RidgeCV", "RidgeClassifier", "EchoStateNetwork", "FORCE", "ThreeFactorReadout",
           "LiquidStateMachine", "lsm_network", "row_sequence_encode", "spectral_radius", "filtered_spike_traces",
           "one_hot"]

DEFAULT_LAMBDAS = np.logspace(-8, 4, 25)


def _matrix(values, name, ndim=2):
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 1 and ndim == 2:
        a = a[:, None]
    if a.ndim != ndim:
        raise NeurodynValueError(f"{name} must be a {ndim}-D array, got shape {a.shape}")
    return np.ascontiguousarray(a)


def _positive(value, name, allow_zero=False):
    value = float(value)
    if not np.isfinite(value) or value < 0.0 or (value == 0.0 and not allow_zero):
        raise NeurodynValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value:g}")
    return value


def one_hot(labels, classes=None):
    """Targets for classification by regression: +1 for the label's column, -1 elsewhere
    (samples x classes)."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise NeurodynValueError(f"labels must be a 1-D integer array, got {labels.dtype} of shape {labels.shape}")
    classes = int(labels.max()) + 1 if classes is None else int(classes)
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise NeurodynValueError(f"labels must be in [0, {classes}), got [{labels.min()}, {labels.max()}]")
    y = -np.ones((labels.size, classes))
    y[np.arange(labels.size), labels] = 1.0
    return y


# --- readouts ----------------------------------------------------------------------------

class Ridge:
    """Ridge regression, closed form: minimises ||Y - X W - b||^2 + lam ||W||^2 (the
    intercept b is not penalised). ``coef_`` is features x outputs."""

    def __init__(self, lam=1e-6, fit_intercept=True):
        self.lam = _positive(lam, "lam", allow_zero=True)
        self.fit_intercept = bool(fit_intercept)
        self.coef_ = self.intercept_ = None

    def fit(self, x, y):
        x = _matrix(x, "x")
        y = np.asarray(y, dtype=np.float64)
        self._vector = y.ndim == 1
        fit = _cr.ridge_fit(x, _matrix(y, "y"), self.lam, self.fit_intercept)
        self.coef_, self.intercept_ = fit["weights"], fit["intercept"]
        return self

    def predict(self, x):
        if self.coef_ is None:
            raise RuntimeError("fit() the readout before predict()")
        x = _matrix(x, "x")
        if x.shape[1] != self.coef_.shape[0]:
            raise NeurodynValueError(f"x must have {self.coef_.shape[0]} columns (features), got {x.shape[1]}")
        y = x @ self.coef_ + self.intercept_
        return y[:, 0] if self._vector else y


class RidgeCV(Ridge):
    """Ridge with lam chosen by k-fold cross-validation over ``lambdas`` (default
    1e-8 .. 1e4, 25 values); folds are contiguous blocks of samples (time series must
    not leak into their own validation: shuffle beforehand for i.i.d. samples). After
    fit: ``lam`` (the best), ``cv_mse_`` (validation MSE per lambda)."""

    def __init__(self, lambdas=None, folds=5, fit_intercept=True):
        super().__init__(0.0, fit_intercept)
        self.lambdas = np.asarray(DEFAULT_LAMBDAS if lambdas is None else lambdas, dtype=np.float64)
        self.folds = int(folds)
        self.cv_mse_ = None

    def fit(self, x, y):
        x = _matrix(x, "x")
        y = np.asarray(y, dtype=np.float64)
        self._vector = y.ndim == 1
        fit = _cr.ridge_cv(x, _matrix(y, "y"), self.lambdas, self.folds, self.fit_intercept)
        self.coef_, self.intercept_ = fit["weights"], fit["intercept"]
        self.lam, self.cv_mse_, self.fold_mse_ = fit["best_lambda"], fit["mse"], fit["fold_mse"]
        return self


class RidgeClassifier:
    """Classification by cross-validated ridge regression onto +-1 one-hot targets; the
    predicted class is the largest output."""

    def __init__(self, lambdas=None, folds=5):
        self.regression = RidgeCV(lambdas, folds)

    def fit(self, x, labels):
        labels = np.asarray(labels)
        self.classes_ = int(labels.max()) + 1
        self.regression.fit(x, one_hot(labels, self.classes_))
        return self

    @property
    def lam(self):
        return self.regression.lam

    def decision_function(self, x):
        return self.regression.predict(x)

    def predict(self, x):
        return np.argmax(self.decision_function(x), axis=1)

    def score(self, x, labels):
        """Accuracy on (x, labels)."""
        return float(np.mean(self.predict(x) == np.asarray(labels)))


# --- echo-state networks ----------------------------------------------------------------------

def spectral_radius(rows, columns, values, n, method="auto"):
    """|largest eigenvalue| of the n x n sparse matrix given as triplets. method:
    "dense" (all eigenvalues; exact to rounding), "arnoldi" (restarted Arnoldi, for
    large sparse matrices) or "auto" (dense up to 1500 units)."""
    if method == "auto":
        method = "dense" if n <= 1500 else "arnoldi"
    result = _cr.spectral_radius(int(n), rows, columns, values, method)
    if not result["converged"]:
        raise NeurodynValueError(f"spectral radius: Arnoldi did not converge (relative residual "
                                 f"{result['residual']:.2g}); use method='dense'")
    return result["value"]


_spectral_radius = spectral_radius  # EchoStateNetwork's argument of the same name hides it


class EchoStateNetwork:
    """An echo-state network of leaky rate units (neurodyn's LeakyRate model):

        x[n] = (1 - leak) x[n-1] + leak (W r[n-1] + W_in u[n] + W_fb z[n-1] + bias),   r = f(gain x)

    Built from hyper-parameters (this constructor) or from a neurodyn rate network
    (:meth:`from_network`, which reuses the engine's generated connectivity).

    units: reservoir size; spectral_radius: W is scaled to it (> 0); leak in (0, 1];
    input_scaling: W_in uniform in [-input_scaling, input_scaling] (inputs columns);
    connectivity: fraction of units each unit receives from (fixed in-degree, no
    self-connections); bias_scaling: bias uniform in [-bias_scaling, bias_scaling];
    transfer: "tanh", "sigmoid", "relu" or "linear"; feedbacks, feedback_scaling: fed-back
    readout outputs (FORCE) and their weights' range; excitatory_fraction: None (weights of
    both signs) or the fraction of excitatory units under Dale's law (each unit's outgoing
    weights share its sign; the inhibitory part can then adapt, :meth:`adapt`);
    spectral_method: "auto", "dense" or "arnoldi". Every random number comes from `seed`.
    """

    def __init__(self, units=100, spectral_radius=0.9, leak=1.0, input_scaling=1.0, connectivity=0.1, inputs=1,
                 bias_scaling=0.0, transfer="tanh", gain=1.0, feedbacks=0, feedback_scaling=1.0,
                 excitatory_fraction=None, seed=0, spectral_method="auto"):
        units = int(units)
        if units < 1:
            raise NeurodynValueError(f"units must be >= 1, got {units}")
        spectral_radius_target = _positive(spectral_radius, "spectral_radius")
        input_scaling = _positive(input_scaling, "input_scaling", allow_zero=True)
        bias_scaling = _positive(bias_scaling, "bias_scaling", allow_zero=True)
        feedback_scaling = _positive(feedback_scaling, "feedback_scaling", allow_zero=True)
        if not 0.0 < float(connectivity) <= 1.0:
            raise NeurodynValueError(f"connectivity must be in (0, 1], got {connectivity:g}")
        if int(inputs) < 0 or int(feedbacks) < 0:
            raise NeurodynValueError(f"inputs and feedbacks must be >= 0, got {inputs} and {feedbacks}")
        per_row = max(1, int(round(float(connectivity) * max(units - 1, 1)))) if units > 1 else 0
        rng = np.random.default_rng([int(seed), 0x45534E])
        if per_row:
            rows, columns, values = _cr.random_sparse(units, units, per_row, "normal", int(seed), False)
        else:
            rows, columns, values = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        inhibitory = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        self.excitatory_units = units
        if excitatory_fraction is not None:
            if not 0.0 < float(excitatory_fraction) < 1.0:
                raise NeurodynValueError(f"excitatory_fraction must be in (0, 1), got {excitatory_fraction:g}")
            n_exc = int(round(float(excitatory_fraction) * units))
            self.excitatory_units = n_exc
            # Dale's law: the sign of a weight is its source's; E and I magnitudes are
            # balanced on average (sum over inputs of E = sum of I) by scaling the I
            # weights with n_exc / n_inh.
            magnitude = np.abs(values)
            from_inhibitory = columns >= n_exc
            magnitude[from_inhibitory] *= n_exc / max(units - n_exc, 1)
            inhibitory = (rows[from_inhibitory], columns[from_inhibitory], -magnitude[from_inhibitory])
            rows, columns, values = rows[~from_inhibitory], columns[~from_inhibitory], magnitude[~from_inhibitory]
        all_rows = np.concatenate([rows, inhibitory[0]])
        all_columns = np.concatenate([columns, inhibitory[1]])
        all_values = np.concatenate([values, inhibitory[2]])
        raw_radius = (_spectral_radius(all_rows, all_columns, all_values, units, spectral_method)
                      if all_values.size else 0.0)
        if raw_radius == 0.0:
            raise NeurodynValueError("the recurrent matrix has spectral radius 0 (no recurrent cycles); "
                                     "raise connectivity or units")
        scale = spectral_radius_target / raw_radius
        input_weights = rng.uniform(-input_scaling, input_scaling, (units, int(inputs)))
        bias = rng.uniform(-bias_scaling, bias_scaling, units) if bias_scaling > 0 else np.zeros(units)
        feedback_weights = rng.uniform(-feedback_scaling, feedback_scaling, (units, int(feedbacks)))
        self._core = _cr.RateReservoir(units, rows, columns, values * scale, input_weights, bias, float(leak),
                                       str(transfer), float(gain), feedback_weights, inhibitory[0], inhibitory[1],
                                       inhibitory[2] * scale)
        self.leak, self.transfer, self.gain = float(leak), str(transfer), float(gain)
        self.input_weights, self.bias, self.feedback_weights = input_weights, bias, feedback_weights
        self.seed = int(seed)

    @classmethod
    def from_network(cls, simulation, population, params=None, projections=None, input_weights=None,
                     feedback_weights=None):
        """An ESN on the connectivity the engine generated for a LeakyRate population.

        `simulation`: a built :class:`neurodyn.Simulation` (or a Network, built here);
        `population`: the LeakyRate population (handle or name); `params`: the
        parameters given to that population (tau, transfer, gain, bias; LeakyRate's
        defaults otherwise; the engine keeps them, Python cannot read them back);
        `projections`: the recurrent projections (default: every projection from the
        population onto itself; receptor "input", delay one step); `input_weights`
        (units x inputs) and `feedback_weights` (units x feedbacks): default none.
        leak = 1 - exp(-dt/tau); the initial x is the simulation's current x.
        """
        from .network import Network, Projection, _name
        if isinstance(simulation, Network):
            network, simulation = simulation, simulation.build()
        else:
            network = None
        name = _name(population)
        models = {pop_name: (model, size) for pop_name, model, size in simulation._core.populations()}
        if name not in models:
            raise NeurodynValueError(f"no population named '{name}' in the simulation")
        model, units = models[name]
        if model != "LeakyRate":
            raise NeurodynValueError(f"population '{name}' is {model}; an echo-state network needs LeakyRate units")
        p = {"tau": 10.0, "transfer": "tanh", "gain": 1.0, "bias": 0.0}
        unknown = set(params or {}) - set(p)
        if unknown:
            raise NeurodynValueError(f"unknown LeakyRate parameter(s) {sorted(unknown)} (known: tau, transfer, gain, bias)")
        p.update(params or {})
        tau = _positive(p["tau"], "tau")
        if projections is None:
            names = simulation._core.projection_names()
            if network is not None:
                projections = [q for q in network.projections if q.source == name and q.target == name]
            else:
                projections = [n for n in names if n == f"{name}->{name}"]
            if not projections:
                raise NeurodynValueError(f"population '{name}' has no projection onto itself; name the recurrent "
                                         f"projections (projections: {', '.join(names) or 'none'})")
        rows, columns, values = [], [], []
        for projection in projections:
            c = simulation.connections(projection)
            delays = np.unique(np.round(c["delay"] / simulation.dt).astype(np.int64))
            if delays.size and (delays.size > 1 or delays[0] != 1):
                label = projection.name if isinstance(projection, Projection) else projection
                raise NeurodynValueError(f"projection '{label}': delays must be one step (dt = {simulation.dt:g} ms) "
                                         f"for an echo-state network, got {sorted(set(c['delay'].tolist()))} ms")
            rows.append(c["target"])
            columns.append(c["source"])
            values.append(c["weight"].astype(np.float64))
        rows, columns, values = (np.concatenate(rows).astype(np.int64), np.concatenate(columns).astype(np.int64),
                                 np.concatenate(values))
        self = cls.__new__(cls)
        input_weights = np.zeros((units, 0)) if input_weights is None else _matrix(input_weights, "input_weights")
        feedback_weights = (np.zeros((units, 0)) if feedback_weights is None
                            else _matrix(feedback_weights, "feedback_weights"))
        bias = np.full(units, float(p["bias"]))
        leak = -np.expm1(-simulation.dt / tau)
        empty = np.zeros(0, np.int64)
        self._core = _cr.RateReservoir(units, rows, columns, values, input_weights, bias, float(leak),
                                       str(p["transfer"]), float(p["gain"]), feedback_weights, empty, empty,
                                       np.zeros(0))
        self._core.x = simulation.state(name, "x")
        self.leak, self.transfer, self.gain = float(leak), str(p["transfer"]), float(p["gain"])
        self.input_weights, self.bias, self.feedback_weights = input_weights, bias, feedback_weights
        self.excitatory_units = units
        self.seed = simulation.seed
        return self

    # --- properties -------------------------------------------------------------------------

    @property
    def units(self):
        return self._core.units

    @property
    def inputs(self):
        return self._core.inputs

    @property
    def feedbacks(self):
        return self._core.feedbacks

    @property
    def state(self):
        """The activations x (a copy); assign to set them (r follows)."""
        return self._core.x

    @state.setter
    def state(self, x):
        self._core.x = np.broadcast_to(np.asarray(x, dtype=np.float64), (self.units,))

    @property
    def rates(self):
        """The outputs r = f(gain x) now."""
        return self._core.r

    @property
    def inhibitory_gain(self):
        """Per-unit gain of the inhibitory input (1 unless adapted)."""
        return self._core.inhibitory_gain

    @inhibitory_gain.setter
    def inhibitory_gain(self, gain):
        self._core.inhibitory_gain = np.broadcast_to(np.asarray(gain, dtype=np.float64), (self.units,))

    def recurrent_matrix(self):
        """(rows, columns, values) of the recurrent matrix now in force (with the
        inhibitory gains)."""
        return self._core.effective_recurrent()

    def spectral_radius(self, method="auto"):
        rows, columns, values = self.recurrent_matrix()
        return _spectral_radius(rows, columns, values, self.units, method) if values.size else 0.0

    def copy(self):
        """An independent copy (same weights, same current state)."""
        other = self.__class__.__new__(self.__class__)
        other.__dict__.update(self.__dict__)
        other._core = self._core.copy()
        return other

    # --- running ----------------------------------------------------------------------------

    def _input(self, u, steps=None):
        if u is None:
            if steps is None:
                raise NeurodynValueError("give the input u (steps x inputs) or, for a reservoir without inputs, steps")
            u = np.zeros((int(steps), self.inputs))
        u = np.asarray(u, dtype=np.float64)
        if u.ndim == 1:
            u = u[:, None] if self.inputs == 1 else u[None, :]
        if u.ndim != 2 or u.shape[1] != self.inputs:
            raise NeurodynValueError(f"u must have shape (steps, {self.inputs}), got {u.shape}")
        return np.ascontiguousarray(u)

    def reset(self, x=0.0):
        """Sets the activations to x (0 by default)."""
        self.state = x
        return self

    def run(self, u=None, washout=0, feedback=None, steps=None):
        """Runs the reservoir on input u (steps x inputs; a 1-D array for one input) and
        returns the states r of every step after the first `washout` steps (states are
        collected at every step; slice them for other times). `feedback` (steps x
        feedbacks): teacher-forced readout z[n-1] for step n. Continues from the current
        state."""
        u = self._input(u, steps)
        washout = int(washout)
        if not 0 <= washout <= u.shape[0]:
            raise NeurodynValueError(f"washout must be in [0, steps = {u.shape[0]}], got {washout}")
        fb = None if feedback is None else _matrix(feedback, "feedback")
        return self._core.run(u, fb)[washout:]

    def adapt(self, u, target_rates, learning_rate=0.01):
        """E/I self-adaptation (after Srinivasan, Plenz & Girvan 2025, arXiv:2504.12480):
        runs on input u while every unit scales its inhibitory input by a gain
        g_i <- max(0, g_i + learning_rate (r_i - target_i)), so each reaches its own
        target activity. Needs excitatory_fraction (inhibitory units) and a non-negative
        transfer ("sigmoid" or "relu"). `target_rates`: one value or one per unit (draw
        them heterogeneous, e.g. uniform). Returns the mean |r - target| per step."""
        u = self._input(u)
        if self.transfer not in ("sigmoid", "relu"):
            raise NeurodynValueError(f"E/I adaptation needs non-negative rates (transfer 'sigmoid' or 'relu'), "
                                     f"got transfer '{self.transfer}'")
        targets = np.broadcast_to(np.asarray(target_rates, dtype=np.float64), (self.units,))
        return self._core.adapt_inhibition(u, np.ascontiguousarray(targets), _positive(learning_rate, "learning_rate"))


class FORCE:
    """FORCE learning (Sussillo & Abbott 2009): a linear readout z = W r of an
    :class:`EchoStateNetwork` with ``feedbacks`` outputs, fed back into it, trained
    online by recursive least squares while it runs.

    alpha: P(0) = I/alpha (1 for a chaotic reservoir as in the paper); update_every:
    steps between RLS updates (Sussillo & Abbott: every 2nd step at dt = 0.1 tau)."""

    def __init__(self, esn, alpha=1.0, update_every=2):
        if esn.feedbacks < 1:
            raise NeurodynValueError("FORCE needs a reservoir with fed-back outputs: build it with feedbacks >= 1")
        self.esn = esn
        self.rls = _cr.RLS(esn.units, esn.feedbacks, _positive(alpha, "alpha"))
        self.update_every = int(update_every)
        if self.update_every < 1:
            raise NeurodynValueError(f"update_every must be >= 1, got {update_every}")

    @property
    def weights(self):
        """The readout (outputs x units)."""
        return self.rls.weights

    def train(self, target, u=None):
        """Runs len(target) steps learning online towards target (steps x outputs, or
        1-D for one output); returns the output z during training."""
        target = _matrix(target, "target")
        if target.shape[1] != self.esn.feedbacks:
            raise NeurodynValueError(f"target must have {self.esn.feedbacks} columns (outputs), got {target.shape[1]}")
        z = self.esn._core.run_force(self.esn._input(u, target.shape[0]), self.rls, target, self.update_every)
        return z[:, 0] if z.shape[1] == 1 else z

    def run(self, steps=None, u=None):
        """Runs with learning off (the output still fed back); returns z."""
        z = self.esn._core.run_force(self.esn._input(u, steps), self.rls, None, 1)
        return z[:, 0] if z.shape[1] == 1 else z


class ThreeFactorReadout:
    """A local, error-modulated readout: z = W s and, at every step,

        dW = eta * error * gate * e,     e <- decay * e + s     (the presynaptic trace)

    with error = target - z (the third factor, one per output), gate a scalar per step
    (1: learn, 0: not; e.g. a reward window), or one per step and output (each output
    its own window, e.g. an attention gate; neurodyn.prediction), and decay =
    exp(-1/tau_steps) (tau_steps = 0: e = s). With gate = 1 and tau_steps = 0 it is the
    delta rule (Widrow-Hoff LMS), which converges to the least-squares readout for eta
    below 2 / (largest eigenvalue of the states' correlation matrix)."""

    def __init__(self, inputs, outputs=1, eta=1e-3, tau_steps=0.0, bias=True):
        self.inputs, self.outputs = int(inputs), int(outputs)
        if self.inputs < 1 or self.outputs < 1:
            raise NeurodynValueError(f"inputs and outputs must be >= 1, got {inputs} and {outputs}")
        self.eta = _positive(eta, "eta")
        tau = _positive(tau_steps, "tau_steps", allow_zero=True)
        self.decay = float(np.exp(-1.0 / tau)) if tau > 0 else 0.0
        self.bias = bool(bias)
        self.weights = np.zeros((self.outputs, self.inputs + int(self.bias)))
        self.trace = np.zeros(self.inputs + int(self.bias))

    def _states(self, s):
        s = _matrix(s, "states")
        if s.shape[1] != self.inputs:
            raise NeurodynValueError(f"states must have {self.inputs} columns, got {s.shape[1]}")
        return np.hstack([s, np.ones((s.shape[0], 1))]) if self.bias else s

    def predict(self, states):
        z = self._states(states) @ self.weights.T
        return z[:, 0] if self.outputs == 1 else z

    def train(self, states, target, gate=1.0):
        """One pass over the steps of `states` (steps x inputs) towards `target`
        (steps x outputs); `gate`: a number, one value per step, or one per step and
        output (steps x outputs). Returns the error before each step's update (steps x
        outputs)."""
        s = self._states(states)
        target = _matrix(target, "target")
        if target.shape != (s.shape[0], self.outputs):
            raise NeurodynValueError(f"target must have shape ({s.shape[0]}, {self.outputs}), got {target.shape}")
        gate = np.asarray(gate, dtype=np.float64)
        if gate.ndim == 2:
            return self._train_gated_per_output(s, target, gate)
        gate = np.broadcast_to(gate, (s.shape[0],))
        errors = np.empty_like(target)
        w, e, eta, decay = self.weights, self.trace, self.eta, self.decay
        for n in range(s.shape[0]):
            e *= decay
            e += s[n]
            error = target[n] - w @ s[n]
            errors[n] = error
            if gate[n] != 0.0:
                w += (eta * gate[n]) * np.outer(error, e)
        return errors[:, 0] if self.outputs == 1 else errors

    def _train_gated_per_output(self, s, target, gate):
        """train() with a gate per step and output: output k learns by
        eta * error_k * gate[n, k] * e."""
        if gate.shape != target.shape:
            raise NeurodynValueError(f"gate must be a number, one value per step or one per step and output "
                                     f"{target.shape}, got shape {gate.shape}")
        errors = np.empty_like(target)
        w, e, eta, decay = self.weights, self.trace, self.eta, self.decay
        for n in range(s.shape[0]):
            e *= decay
            e += s[n]
            error = target[n] - w @ s[n]
            errors[n] = error
            gated_error = gate[n] * error
            if gated_error.any():
                w += eta * np.outer(gated_error, e)
        return errors[:, 0] if self.outputs == 1 else errors


# --- liquid state machines -------------------------------------------------------------------

def filtered_spike_traces(times, ids, neurons, tau_ms, sample_times):
    """Exponentially filtered spike trains (time constant tau_ms) of `neurons` neurons
    sampled at `sample_times` (ms): sample_times x neurons."""
    return _cr.filtered_spike_traces(np.asarray(times, np.float64), np.asarray(ids, np.int64), int(neurons),
                                     float(tau_ms), np.asarray(sample_times, np.float64))


def lsm_network(n_exc=400, n_inh=100, p_recurrent=0.1, w_exc=0.25, g_inh=4.0, p_input=0.2, w_input=1.0,
                delay=1.5, recurrent=True, params=None):
    """A builder for :class:`LiquidStateMachine`: an E/I population of IF_curr_exp
    neurons (Maass, Natschlaeger & Markram 2002's liquid, with current synapses).
    Weights in nA: E->* `w_exc`, I->* -g_inh * w_exc, input->E/I `w_input`, each pair
    connected with probability p_recurrent (p_input from the input). recurrent=False
    drops the recurrent projections (the same neurons and input weights: the no-
    recurrence ablation). Returns build(network, input_population) -> populations.

    The defaults were chosen on sequential digits (:func:`row_sequence_encode`, 600
    training / 300 test images, docs/benchmarks.md "Reservoirs"): among the settings
    tried they gave the largest gain of the liquid over the same liquid without
    recurrence (0.82 against 0.51 accuracy), with E rates of 50-56 Hz averaged over
    presentations and gaps, far below saturation (500 Hz at tau_refrac 2 ms)."""
    lif = {"tau_m": 20.0, "tau_refrac": 2.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0, "v_thresh": -50.0,
           "v_reset": -65.0, "v_rest": -65.0}
    lif.update(params or {})

    def build(network, source):
        from . import fixed_probability, uniform
        E = network.population("E", "IF_curr_exp", int(n_exc), params=lif, initial={"v": uniform(-65.0, -55.0)})
        I = network.population("I", "IF_curr_exp", int(n_inh), params=lif, initial={"v": uniform(-65.0, -55.0)})
        for target in (E, I):
            network.connect(source, target, fixed_probability(p_input), weight=w_input, delay=delay)
            if recurrent:
                network.connect(E, target, fixed_probability(p_recurrent, allow_autapses=False), weight=w_exc,
                                delay=delay)
                network.connect(I, target, fixed_probability(p_recurrent, allow_autapses=False),
                                weight=-g_inh * w_exc, delay=delay, receptor="inhibitory")
        return [E, I]

    return build


def row_sequence_encode(images, rows, steps_per_row=10, copies=8, max_probability=0.3, seed=0):
    """Images as sequences for a liquid state machine: the rows of each image are shown
    one after the other, row r during steps [r * steps_per_row, (r + 1) * steps_per_row),
    each pixel of the current row driving `copies` input neurons that spike
    independently in each step with probability pixel * max_probability (Bernoulli,
    Poisson-like). At the end of a sample only the last row is being shown, so a
    memoryless map of the current input cannot tell the classes apart; the earlier rows
    must be remembered by the liquid.

    images: samples x pixels in [0, 1] (pixels = rows x columns, row-major); returns
    bool spikes of shape (samples, rows * steps_per_row, columns * copies), input neuron
    c * copies + k being copy k of column c."""
    images = np.asarray(images, dtype=np.float64)
    rows, steps_per_row, copies = int(rows), int(steps_per_row), int(copies)
    if images.ndim != 2:
        raise NeurodynValueError(f"images must be a 2-D array (samples x pixels), got shape {images.shape}")
    if rows < 1 or images.shape[1] % rows:
        raise NeurodynValueError(f"rows must divide the {images.shape[1]} pixels of an image, got {rows}")
    if steps_per_row < 1 or copies < 1:
        raise NeurodynValueError(f"steps_per_row and copies must be >= 1, got {steps_per_row} and {copies}")
    if not 0.0 < float(max_probability) <= 1.0:
        raise NeurodynValueError(f"max_probability must be in (0, 1], got {max_probability:g}")
    if images.size and (images.min() < 0.0 or images.max() > 1.0):
        raise NeurodynValueError(f"images must be in [0, 1], got [{images.min():g}, {images.max():g}]")
    columns = images.shape[1] // rows
    probability = images.reshape(images.shape[0], rows, columns) * float(max_probability)
    probability = np.repeat(np.repeat(probability, steps_per_row, axis=1), copies, axis=2)
    return np.random.default_rng(int(seed)).random(probability.shape) < probability


class LiquidStateMachine:
    """A liquid state machine on neurodyn's spiking engine.

    `build(network, input_population)` adds the liquid (populations, projections) to a
    neurodyn Network whose input is a SpikeSourceArray population of `inputs` neurons,
    and returns the populations whose spikes form the state (:func:`lsm_network` makes
    one). :meth:`transform` presents each sample's spike trains (samples x steps x
    inputs booleans, e.g. from neurodyn.datasets.rate_encode) for steps x step_ms,
    followed by gap_ms of silence, all in one simulation; the state of a sample is the
    liquid's spike trains filtered with tau_ms, sampled at the end of its presentation
    (and at `readout_fractions` of it). The network is rebuilt with the same seed for
    every chunk of samples, so the liquid is identical for all samples.
    """

    def __init__(self, build, inputs, seed=1, dt=0.1, step_ms=1.0, gap_ms=50.0, tau_ms=20.0,
                 readout_fractions=(1.0,), chunk=500, threads=1):
        self.build, self.inputs, self.seed, self.dt = build, int(inputs), int(seed), float(dt)
        self.step_ms = _positive(step_ms, "step_ms")
        self.gap_ms = _positive(gap_ms, "gap_ms", allow_zero=True)
        self.tau_ms = _positive(tau_ms, "tau_ms")
        self.readout_fractions = np.asarray(readout_fractions, dtype=np.float64)
        if self.readout_fractions.ndim != 1 or self.readout_fractions.size == 0 or \
                np.any((self.readout_fractions <= 0) | (self.readout_fractions > 1)):
            raise NeurodynValueError(f"readout_fractions must be values in (0, 1], got {readout_fractions}")
        self.chunk, self.threads = int(chunk), int(threads)
        if self.chunk < 1:
            raise NeurodynValueError(f"chunk must be >= 1, got {chunk}")
        self.neurons = None
        self.last_rates = None

    def _network(self, spike_times):
        from .network import Network
        net = Network(dt=self.dt, seed=self.seed)
        source = net.population("input", "SpikeSourceArray", self.inputs, spike_times=spike_times)
        populations = self.build(net, source)
        for population in populations:
            net.record_spikes(population)
        return net, populations

    def transform(self, spikes):
        """States (samples x features) of boolean spike trains (samples x steps x
        inputs): features = len(readout_fractions) x liquid neurons."""
        spikes = np.asarray(spikes)
        if spikes.ndim != 3 or spikes.shape[2] != self.inputs:
            raise NeurodynValueError(f"spikes must have shape (samples, steps, {self.inputs}), got {spikes.shape}")
        spikes = spikes.astype(bool)
        return np.concatenate([self._transform_chunk(spikes[start:start + self.chunk])
                               for start in range(0, spikes.shape[0], self.chunk)], axis=0)

    def _transform_chunk(self, spikes):
        samples, steps, _ = spikes.shape
        presentation = steps * self.step_ms
        period = presentation + self.gap_ms
        sample, step, neuron = np.nonzero(spikes)
        # An input spike of step k of sample s at the middle of its step (an input at
        # t = 0 exactly would be lost: the first step of a simulation ends at dt).
        times = self.dt + sample * period + (step + 0.5) * self.step_ms
        order = np.lexsort((times, neuron))
        times, neuron = times[order], neuron[order]
        bounds = np.searchsorted(neuron, np.arange(self.inputs + 1))
        spike_times = [times[bounds[i]:bounds[i + 1]].tolist() for i in range(self.inputs)]
        net, populations = self._network(spike_times)
        sim = net.build(threads=self.threads)
        sim.run(samples * period + self.dt)
        starts = self.dt + np.arange(samples) * period
        sample_times = (starts[:, None] + self.readout_fractions[None, :] * presentation).ravel()
        blocks = []
        self.neurons = 0
        for population in populations:
            t, ids = sim.spikes(population)
            blocks.append(filtered_spike_traces(t, ids, population.size, self.tau_ms, sample_times)
                          .reshape(samples, -1))
            self.neurons += population.size
        self.last_rates = sim.mean_rates()
        return np.concatenate(blocks, axis=1)
