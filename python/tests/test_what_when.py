"""Joint "what" and "when" prediction (neurodyn.prediction): the trial stream and the
teachers follow their definitions, the Izhikevich reservoir is Izhikevich's
heterogeneous network, the per-output gate of the three-factor readout, a trained
reservoir predicting the identity and the arrival time of the next stimulus against
chance, a cue-blind prediction, the ungated rule and the reservoir without recurrence,
determinism, and errors.

One simulation of 170 trials (about 20 s of network time, 200 neurons) serves the
learning tests; the no-recurrence control runs 80 trials."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.environ.get("NEURODYN_BUILD_DIR", ""), "python"))

import neurodyn as nd  # noqa: E402
import neurodyn.prediction as npred  # noqa: E402
import neurodyn.reservoir as nr  # noqa: E402

TRIALS, TRAIN = 170, 110  # 60 test trials: about 36 with a target and 24 omissions


@pytest.fixture(scope="module")
def task():
    return npred.WhatWhenTask()


@pytest.fixture(scope="module")
def stream(task):
    """The default model on 170 trials: (trials, times, states), simulated once."""
    trials = task.trials(TRIALS, seed=1)
    model = npred.WhatWhenModel(task, seed=2)
    times, states = model.simulate(trials)
    print(f"reservoir rates (Hz): {model.rates}")
    return trials, times, states


# --- the task ------------------------------------------------------------------------------

def test_trial_stream_follows_its_definition(task):
    trials = task.trials(2000, seed=3)
    assert len(trials) == 2000
    announced = task.cue_identity[trials.cue]
    shown = trials.identity >= 0
    assert np.array_equal(trials.identity[shown], announced[shown])  # validity 1
    assert np.array_equal(trials.soa_ms, task.cue_soa_ms[trials.cue])
    assert np.allclose(trials.arrival_ms[shown], trials.onset_ms[shown] + trials.soa_ms[shown], rtol=0, atol=1e-9)
    assert np.all(np.isnan(trials.arrival_ms[~shown]))
    # Next cue after the longest latency, the presentation and U(40, 80) ms.
    gaps = np.diff(trials.onset_ms) - 50.0 - 10.0
    assert gaps.min() >= 40.0 and gaps.max() <= 80.0
    # Omission probability 0.4: the count of 2000 Bernoulli trials within 4 sd
    # (sd = sqrt(2000 * 0.4 * 0.6) = 21.9).
    assert abs(np.sum(~shown) - 800) < 4 * 21.9
    # Cues are uniform: each of 4 within 4 sd of 500 (sd = sqrt(2000 * 0.25 * 0.75) = 19.4).
    assert np.all(np.abs(np.bincount(trials.cue, minlength=4) - 500) < 4 * 19.4)
    same = task.trials(2000, seed=3)
    assert np.array_equal(same.onset_ms, trials.onset_ms) and np.array_equal(same.identity, trials.identity)
    # Validity 0.5 with two identities: the other identity in half of the shown targets.
    half = npred.WhatWhenTask(validity=0.5, omission=0.0).trials(2000, seed=4)
    invalid = np.sum(half.identity != half.task.cue_identity[half.cue])
    assert abs(invalid - 1000) < 4 * np.sqrt(2000 * 0.25)
    # then(): the second stream starts where the first ends, with its own latencies.
    swapped = npred.WhatWhenTask(cue_soa_ms=(50.0, 30.0, 50.0, 30.0))
    first, second = task.trials(10, seed=5), swapped.trials(5, seed=6)
    both = first.then(second)
    assert len(both) == 15 and both.duration_ms == first.duration_ms + second.duration_ms
    assert np.array_equal(both.onset_ms[10:], second.onset_ms + first.duration_ms)
    assert np.array_equal(both.soa_ms[10:], second.soa_ms)


def test_teachers_and_attention_gate_follow_their_definitions(task):
    trials = task.trials(6, seed=7)
    model = npred.WhatWhenModel(task, sample_ms=1.0)
    times = np.arange(0.0, trials.duration_ms, 1.0)
    targets, gates = model.teachers(trials, times)
    assert targets.shape == gates.shape == (times.size, 3)
    horizon = 50.0 + 3 * model.sigma_ms
    attended = np.zeros(times.size, bool)
    for n in range(len(trials)):
        onset = trials.onset_ms[n]
        window = (times >= onset) & (times < onset + horizon)
        attended |= window
        if trials.identity[n] < 0:
            assert not gates[window, 1:].any()  # nothing seen: no identity teaching
            continue
        arrival = trials.arrival_ms[n]
        near = np.abs(times - arrival) < 5 * model.sigma_ms
        expected = np.exp(-0.5 * ((times[near] - arrival) / model.sigma_ms) ** 2)
        assert np.allclose(targets[near, 0], expected, rtol=0, atol=1e-12)  # one bump per arrival
        before = (times >= onset) & (times < arrival)
        assert np.all(targets[before, 1 + trials.identity[n]] == 1.0)
        assert np.all(targets[before, 2 - trials.identity[n]] == 0.0)
        assert np.all(gates[before, 1:] == 1.0)
        after = window & (times >= arrival)
        assert not gates[after, 1:].any()  # seen: the what readouts stop learning
    assert np.array_equal(gates[:, 0], attended.astype(float))  # when: attended time
    assert not gates[~attended].any()  # inter-trial interval: no learning
    _, ungated = npred.WhatWhenModel(task, sample_ms=1.0, gated=False).teachers(trials, times)
    assert np.all(ungated == 1.0)


def test_izhikevich_reservoir_is_izhikevichs_heterogeneous_network():
    build = npred.izhikevich_reservoir(n_exc=80, n_inh=20, p_connect=0.2, weight_scale=1.0, max_delay_ms=20.0,
                                       seed=3)
    net = nd.Network(dt=1.0, seed=4)
    E, I = build(net)
    sim = net.build()
    # u(0) = b v(0) with v(0) = -65: b = 0.2 for E, 0.25 - 0.05 ri in (0.2, 0.25] for I.
    assert np.allclose(sim.state(E, "u"), -13.0, rtol=0, atol=1e-12)
    b_inh = sim.state(I, "u") / -65.0
    assert np.all((b_inh > 0.2) & (b_inh <= 0.25)) and np.ptp(b_inh) > 0.02  # heterogeneous
    scale = 1000.0 / (100 * 0.2)  # mean input equal to Izhikevich's 1000-neuron network
    for projection in net.projections:
        c = sim.connections(projection)
        sizes = {"E": 80, "I": 20}
        pairs = sizes[projection.source] * sizes[projection.target]
        if projection.source == projection.target:
            pairs -= sizes[projection.source]  # no autapses
        assert abs(c["weight"].size - 0.2 * pairs) < 4 * np.sqrt(pairs * 0.2 * 0.8)  # binomial count, 4 sd
        if projection.source == "E":
            assert c["weight"].min() >= 0.0 and c["weight"].max() <= 0.5 * scale
            assert c["delay"].min() >= 1.0 and c["delay"].max() <= 20.0 and np.ptp(c["delay"]) > 10.0
        else:
            assert c["weight"].max() <= 0.0 and c["weight"].min() >= -1.0 * scale
            assert np.all(c["delay"] == 1.0)
    ablation = nd.Network(dt=1.0, seed=4)
    npred.izhikevich_reservoir(n_exc=80, n_inh=20, recurrent=False, seed=3)(ablation)
    assert ablation.projections == []


def test_per_output_gate_of_the_three_factor_readout():
    rng = np.random.default_rng(8)
    s = rng.uniform(-1, 1, (300, 4))
    y = np.column_stack([s @ [1.0, -0.5, 0.2, 0.0], s @ [0.0, 0.3, 0.0, -1.0]])
    gate = (rng.random((300, 2)) < 0.5).astype(float)
    joint = nr.ThreeFactorReadout(4, 2, eta=0.05, tau_steps=2.0)
    joint.train(s, y, gate=gate)
    for k in range(2):
        alone = nr.ThreeFactorReadout(4, 1, eta=0.05, tau_steps=2.0)
        alone.train(s, y[:, k], gate=gate[:, k])
        # Output k of the joint readout sees the same errors, gates and traces as a
        # readout of output k alone: equal to rounding.
        assert np.max(np.abs(joint.weights[k] - alone.weights[0])) < 1e-12
    with pytest.raises(nd.NeurodynValueError, match=r"gate must be a number, one value per step or one per "
                                                    r"step and output \(300, 2\), got shape \(300, 3\)"):
        joint.train(s, y, gate=np.ones((300, 3)))


# --- learning ------------------------------------------------------------------------------

def _train_and_score(task, trials, times, states, **model):
    m = npred.WhatWhenModel(task, seed=2, **model)
    m.train(trials, times, states, stop=TRAIN)
    return m, m.evaluate(trials, times, states, start=TRAIN)


def _report(name, r):
    print(f"{name}: what {r['what_accuracy']:.3f} of {r['what_trials']} (chance {r['what_chance']:.3f}), "
          f"when |error| {r['when_abs_error_ms']:.1f} ms over {r['when_trials']} omissions "
          f"(cue-blind {r['when_cue_blind_error_ms']:.1f} ms), peak {r['when_peak']:.2f}")


def test_reservoir_predicts_what_and_when(task, stream):
    trials, times, states = stream
    model, gated = _train_and_score(task, trials, times, states)
    _, ungated = _train_and_score(task, trials, times, states, gated=False)
    _report("gated", gated)
    _report("ungated", ungated)
    # What: the identity read before the target arrives. Chance is the most frequent
    # identity (about 0.5); 4 binomial sd of that accuracy over the test trials above it.
    n = gated["what_trials"]
    chance = gated["what_chance"]
    assert n >= 30
    assert gated["what_accuracy"] > chance + 4 * np.sqrt(chance * (1 - chance) / n)
    # When: on omission trials the "when" readout peaks at the announced arrival. A
    # prediction that ignores the cue is 10 ms off (latencies 30 and 50 ms); the
    # reservoir's error must be less than half of that (measured about 3 ms).
    assert gated["when_trials"] >= 20
    assert gated["when_cue_blind_error_ms"] == pytest.approx(10.0, abs=1e-12)
    assert gated["when_abs_error_ms"] < 0.5 * gated["when_cue_blind_error_ms"]
    # Both readouts share the population; their weight vectors are near-orthogonal
    # (|cos| of random 201-dimensional vectors ~ 0.07; what-difference against when).
    w = model.weights[:, :-1]
    cosine = abs(w[0] @ (w[1] - w[2])) / (np.linalg.norm(w[0]) * np.linalg.norm(w[1] - w[2]))
    print(f"|cos(when, what A - what B)| = {cosine:.3f}")
    assert cosine < 0.25  # measured 0.025; 3.5 times the random-vector scale 1/sqrt(201) = 0.07


def test_without_recurrence_there_is_no_when(task):
    # The same neurons, noise and inputs without recurrent projections: the cue's
    # identity survives in the cue-driven neurons, but nothing encodes the time since it.
    trials = task.trials(80, seed=1)
    model = npred.WhatWhenModel(task, reservoir=npred.izhikevich_reservoir(recurrent=False, seed=2), seed=2)
    times, states = model.simulate(trials)
    model.train(trials, times, states, stop=50)
    r = model.evaluate(trials, times, states, start=50)
    _report("no recurrence", r)
    assert r["when_abs_error_ms"] > r["when_cue_blind_error_ms"]  # no better than ignoring the cue


def test_same_seed_same_states_and_weights(task):
    trials = task.trials(4, seed=9)
    runs = []
    for seed in (11, 11, 12):
        model = npred.WhatWhenModel(task, seed=seed)
        times, states = model.simulate(trials)
        model.train(trials, times, states, stop=3)
        runs.append((states, model.weights))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    assert not np.array_equal(runs[0][0], runs[2][0])


def test_bad_parameters_are_refused(task):
    cases = [
        (lambda: npred.WhatWhenTask(cue_soa_ms=(30.0, 50.0)), r"cue_soa_ms must have one latency per cue \(4\), got 2"),
        (lambda: npred.WhatWhenTask(cue_soa_ms=(5.0, 50.0, 30.0, 50.0)),
         r"cue_soa_ms must be > presentation_ms \(10\), got \[5.0, 50.0, 30.0, 50.0\]"),
        (lambda: npred.WhatWhenTask(cue_identity=(0, 0), cue_soa_ms=(30.0, 50.0)), "at least two identities"),
        (lambda: npred.WhatWhenTask(validity=1.5), r"validity must be in \[0, 1\], got 1.5"),
        (lambda: npred.WhatWhenTask(omission=1.0), r"omission must be in \[0, 1\), got 1"),
        (lambda: npred.WhatWhenTask(iti_ms=(100.0, 60.0)), r"iti_ms must be \(low, high\) with 0 <= low <= high"),
        (lambda: task.trials(0), "count must be >= 1, got 0"),
        (lambda: npred.izhikevich_reservoir(n_inh=0), "n_exc and n_inh must be >= 1, got 160 and 0"),
        (lambda: npred.izhikevich_reservoir(p_connect=0.0), r"p_connect must be in \(0, 1\], got 0"),
        (lambda: npred.izhikevich_reservoir(max_delay_ms=0.5), "max_delay_ms must be >= 1, got 0.5"),
        (lambda: npred.izhikevich_reservoir(noise_exc=-1.0), "noise_exc must be >= 0, got -1"),
        (lambda: npred.WhatWhenModel(task, sample_ms=1.5, dt=1.0), "sample_ms must be a multiple of dt"),
        (lambda: npred.WhatWhenModel(task, learning_rate=0.0), "learning_rate must be > 0, got 0"),
        (lambda: npred.WhatWhenModel(task, replays=-1), "replays must be >= 0, got -1"),
        (lambda: npred.WhatWhenModel(task, input_fraction=2.0), r"input_fraction must be in \(0, 1\], got 2"),
        (lambda: npred.WhatWhenModel("task"), "task must be a WhatWhenTask, got str"),
    ]
    for make, message in cases:
        with pytest.raises(nd.NeurodynValueError, match=message):
            make()
    model = npred.WhatWhenModel(task)
    trials = task.trials(3, seed=1)
    times = np.arange(0.0, trials.duration_ms, 2.0)
    with pytest.raises(nd.NeurodynValueError, match=r"states must have one row per sample time"):
        model.train(trials, times, np.zeros((times.size - 1, 5)))
    with pytest.raises(nd.NeurodynValueError, match="start < stop"):
        model.train(trials, times, np.zeros((times.size, 5)), start=2, stop=2)
    other = npred.WhatWhenTask(cue_identity=(0, 1, 2), cue_soa_ms=(30.0, 50.0, 40.0))
    with pytest.raises(nd.NeurodynValueError, match="trials must come from a task with the model's cues"):
        model.simulate(other.trials(3))
    with pytest.raises(RuntimeError, match="train"):
        model.predict(np.zeros((3, 5)))
