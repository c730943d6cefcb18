"""neurodyn.eventprop: exact gradients through the bindings, learning on Yin-Yang,
learnable delays on a task that needs them, export to the time-stepped simulator,
determinism and errors. The C++ suite (tests/learn/test_eventprop.cpp) checks every
gradient against finite differences; here a sample of them is checked end to end."""

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import eventprop as ep


def random_inputs(n_channels, n_samples, seed):
    rng = np.random.default_rng(seed)
    return [(rng.uniform(0.0, 20.0, n_channels), np.arange(n_channels)) for _ in range(n_samples)]


def spike_count(net, inputs):
    return sum(len(layer["times"]) for sample in net.simulate(inputs) for layer in sample)


def test_gradients_match_central_differences():
    net = ep.EventPropNetwork(6, [10, 3], duration=60.0, seed=4, weight_mean=[3.0, 3.0], weight_std=[2.0, 1.5],
                              delays=(0.0, 4.0))
    x = random_inputs(6, 2, seed=1)
    y = np.array([0, 2])
    g = net.gradients(x, y, alpha=0.01)
    base = spike_count(net, x)
    h = 1e-5  # central differences: truncation ~h^2, rounding ~1e-14/h; both far below 1e-5 relative
    checked = 0
    for kind in ("weights", "delays"):
        for layer in range(2):
            scale = np.abs(g[kind][layer]).max()
            for index in [(0, 0), (1, 2), (2, 1)]:
                values = getattr(net, kind)
                losses = []
                for sign in (1, -1):
                    changed = [v.copy() for v in values]
                    changed[layer][index] += sign * h
                    setattr(net, kind, changed)
                    losses.append(net.evaluate(x, y, alpha=0.01)["loss"])
                    assert spike_count(net, x) == base  # the loss is differentiable here
                setattr(net, kind, values)
                fd = (losses[0] - losses[1]) / (2 * h)
                analytic = g[kind][layer][index]
                assert abs(fd - analytic) <= 1e-5 * max(abs(analytic), 1e-3 * scale), (kind, layer, index, fd, analytic)
                checked += 1
    assert checked == 12


def test_yin_yang_learns_above_threshold():
    x_train, y_train, x_test, y_test = ep.yin_yang(900, 300, seed=0)
    # Leaky outputs read out by their maximum voltage (the max-voltage cross-entropy): they
    # always carry a gradient, whereas a first-spike loss gives none to silent outputs.
    net = ep.EventPropNetwork(5, [40, 3], leaky_output=True, duration=60.0, seed=1)
    before = net.evaluate(x_test, y_test)["accuracy"]
    net.fit(x_train, y_train, epochs=10, batch_size=32, learning_rate=1e-2)
    after = net.evaluate(x_test, y_test)["accuracy"]
    print(f"Yin-Yang test accuracy {before:.3f} -> {after:.3f}")
    # Chance is 1/3; a linear readout of (x, y) reaches ~64% (Kriener et al. 2021), so
    # 70% needs the hidden layer. Measured: 0.33 -> 0.80 with this seed.
    assert after >= 0.70


def test_learned_delays_beat_fixed_and_no_delays():
    x, y = ep.moving_dot(400, seed=0)
    x_test, y_test = ep.moving_dot(400, seed=1)
    accuracy = {}
    for name, delays, learn in [("none", 0.0, False), ("fixed random", (0.0, 120.0), False),
                                ("learned", (0.0, 120.0), True)]:
        net = ep.EventPropNetwork(6, [2], leaky_output=True, duration=180.0, tau_m=4.0, tau_syn=2.0, seed=3,
                                  delays=delays)
        history = net.fit(x, y, epochs=30, batch_size=16, learning_rate=2e-2, learn_delays=learn,
                          delay_learning_rate=1.0, max_delay=120.0, validation=(x_test, y_test))
        # The mean over the last 5 epochs: the no-delay baseline fluctuates from epoch to epoch.
        accuracy[name] = float(np.mean(history["val_accuracy"][-5:]))
        if learn:
            assert np.all(net.delays[0] >= 0.0) and np.all(net.delays[0] <= 120.0)
    print("moving-dot direction, test accuracy:", accuracy)
    # Without delays the output sees the same isolated PSPs in both directions (PSPs last
    # ~10 ms, detectors fire 20 ms apart; docs/eventprop.md), so it stays near chance: 0.70
    # is 8 binomial standard errors (2.5% for 400 samples at p = 0.5) above it. Measured:
    # none 0.50, fixed random delays 0.83, learned delays 0.99.
    assert accuracy["learned"] >= 0.95
    assert accuracy["learned"] > accuracy["fixed random"] + 0.05
    assert accuracy["none"] <= 0.70


def test_exported_network_spikes_agree_within_one_step():
    x_train, y_train, x_test, _ = ep.yin_yang(300, 20, seed=0)
    trained = ep.EventPropNetwork(5, [20, 3], duration=60.0, seed=1, delays=(0.5, 5.0))
    trained.fit(x_train, y_train, epochs=2, learning_rate=2e-3, alpha=0.01)
    dt = 0.1
    net = trained.rounded(dt)  # delays on the grid, weights as float32: what the engine runs
    hidden_net = ep.EventPropNetwork(5, [20], duration=60.0)
    hidden_net.weights, hidden_net.delays = net.weights[:1], net.delays[:1]
    output_net = ep.EventPropNetwork(20, [3], duration=60.0)
    output_net.weights, output_net.delays = net.weights[1:], net.delays[1:]
    compared = 0
    for times, channels in x_test:
        times = np.maximum(np.round(times / dt), 1) * dt  # on the grid, as SpikeSourceArray emits them
        sim = net.export_network((times, channels), dt=dt).run()
        # Layer by layer, each driven by the spikes the simulator's layer below produced: the
        # time-stepped neuron tests the threshold at the grid points, so its first spike lies in
        # [t, t + dt] of the exact crossing t (the grid point at or after it).
        layer_input = (times, channels)
        for name, single in (("layer0", hidden_net), ("output", output_net)):
            exact = single.simulate([layer_input])[0][0]
            sim_times, sim_ids = sim.spikes(name)
            for neuron in range(single.layer_sizes[0]):
                t_exact = exact["times"][exact["ids"] == neuron]
                t_sim = sim_times[sim_ids == neuron]
                assert (len(t_exact) > 0) == (len(t_sim) > 0), (name, neuron)
                if len(t_exact):
                    # 1e-9 ms: rounding of the grid times (n dt) and of the root finder
                    assert t_exact[0] - 1e-9 <= t_sim[0] <= t_exact[0] + dt + 1e-9, (name, neuron, t_exact[0], t_sim[0])
                    compared += 1
            layer_input = (sim_times, sim_ids)
    assert compared > 100


def test_same_seed_same_training():
    x, y = ep.moving_dot(40, seed=0)
    runs = []
    for _ in range(2):
        net = ep.EventPropNetwork(6, [2], leaky_output=True, duration=180.0, tau_m=4.0, tau_syn=2.0, seed=7,
                                  delays=(0.0, 120.0))
        history = net.fit(x, y, epochs=3, batch_size=8, learning_rate=2e-2, learn_delays=True, seed=5, threads=2)
        runs.append((net.weights, net.delays, history["loss"]))
    for a, b in zip(runs[0][0] + runs[0][1], runs[1][0] + runs[1][1]):
        np.testing.assert_array_equal(a, b)
    assert runs[0][2] == runs[1][2]
    other = ep.EventPropNetwork(6, [2], leaky_output=True, duration=180.0, seed=8, delays=(0.0, 120.0))
    assert not np.array_equal(other.weights[0], runs[0][0][0])


def test_bad_hyper_parameters_give_clear_errors():
    with pytest.raises(nd.NeurodynValueError, match="tau_m must be > 0"):
        ep.EventPropNetwork(2, [1], tau_m=0.0)
    with pytest.raises(nd.NeurodynValueError, match="v_reset must be < v_thresh"):
        ep.EventPropNetwork(2, [1], v_reset=-40.0)
    with pytest.raises(nd.NeurodynValueError, match="duration must be > 0"):
        ep.EventPropNetwork(2, [1], duration=-1.0)
    with pytest.raises(nd.NeurodynValueError, match="delay_high must be >= delay_low"):
        ep.EventPropNetwork(2, [1], delays=(5.0, 1.0))
    with pytest.raises(nd.NeurodynValueError, match="weight_mean needs one value per layer"):
        ep.EventPropNetwork(2, [3, 1], weight_mean=[1.0])
    net = ep.EventPropNetwork(2, [1])
    x = [(np.array([1.0]), np.array([0]))]
    with pytest.raises(nd.NeurodynValueError, match="learning_rate must be > 0"):
        net.fit(x, [0], learning_rate=-1.0)
    with pytest.raises(nd.NeurodynValueError, match="max_delay must be >= min_delay"):
        net.fit(x, [0], learn_delays=True, min_delay=3.0, max_delay=1.0)
    with pytest.raises(nd.NeurodynValueError, match="batch_size must be a positive integer"):
        net.fit(x, [0], batch_size=0)
    with pytest.raises(nd.NeurodynValueError, match="loss must be one of"):
        net.evaluate(x, [0], loss="hinge")
    with pytest.raises(nd.NeurodynValueError, match="max_voltage_cross_entropy needs a leaky"):
        net.evaluate(x, [0], loss="max_voltage_cross_entropy")
    with pytest.raises(nd.NeurodynValueError, match=r"labels must be in \[0, 1\), got 4"):
        net.evaluate(x, [4])
    with pytest.raises(nd.NeurodynValueError, match="ids must be < the number of input channels"):
        net.evaluate([(np.array([1.0]), np.array([2]))], [0])
    with pytest.raises(nd.NeurodynValueError, match="delays must be >= 0 ms"):
        net.delays = [np.array([[1.0, -2.0]])]
    np.testing.assert_array_equal(net.delays[0], [[0.0, 0.0]])  # a refused value changes nothing
    with pytest.raises(nd.NeurodynValueError, match="must be >= dt"):
        net.export_network((np.array([0.0]), np.array([0])), dt=0.1)
    with pytest.raises(nd.NeurodynKeyError, match="unknown neuron parameter 'tau_mem'"):
        ep._ev.EventNetwork(2, [1], False, {"tau_mem": 10.0}, 10.0)
