"""Brunel (2000) model A (g = 5, eta = 2) as a PyNN script, run by neurodyn.pynn.

The same script runs with another PyNN backend by changing the import
(``import pyNN.nest as sim``). Each neuron receives a fixed number of inputs (C_E = 1000
excitatory, C_I = 250 inhibitory, drawn with replacement, as in examples/brunel.toml)
whatever the network size, so a scaled-down network keeps the input statistics of the
full one (--scale 1: 10000 + 2500 neurons).

    PYTHONPATH=build/python /usr/bin/python3 examples/python/pynn_brunel.py --scale 0.1 --duration 500
"""

import argparse

import numpy as np

import neurodyn.pynn as sim


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.1, help="fraction of the 10000 + 2500 neurons")
    parser.add_argument("--duration", type=float, default=500.0, help="simulated time (ms)")
    parser.add_argument("--output", help="file to write the excitatory spikes to (Neo IO chosen by extension)")
    args = parser.parse_args()

    dt, delay, J, g, eta = 0.1, 1.5, 0.1, 5.0, 2.0
    tau_m, theta, C_E, C_I = 20.0, 20.0, 1000, 250
    n_e, n_i = max(int(10000 * args.scale), 1), max(int(2500 * args.scale), 1)
    nu_ext = eta * theta / (J * C_E * tau_m) * 1000.0 * C_E  # Hz, total external rate per neuron

    sim.setup(timestep=dt, rng_seed=12345)
    lif = sim.IF_curr_delta(tau_m=tau_m, v_rest=0.0, v_thresh=theta, v_reset=10.0, tau_refrac=2.0, cm=0.25)
    rng = sim.NumpyRNG(seed=2000)
    E = sim.Population(n_e, lif, label="E")
    I = sim.Population(n_i, lif, label="I")
    all_cells = E + I
    all_cells.initialize(v=sim.RandomDistribution("uniform", (0.0, theta), rng=rng))
    # The external drive (20 kHz per neuron) comes from 20 independent 1 kHz sources per
    # neuron: a SpikeSourcePoisson emits at most one spike per step (docs/pynn.md), so a
    # single source would fall behind at 2 spikes per step.
    n_sources = 20
    noise = sim.Population((n_e + n_i) * n_sources, sim.SpikeSourcePoisson(rate=nu_ext / n_sources),
                           label="noise")

    excitatory = sim.StaticSynapse(weight=J, delay=delay)
    inhibitory = sim.StaticSynapse(weight=-g * J, delay=delay)
    sim.Projection(E, all_cells, sim.FixedNumberPreConnector(C_E, with_replacement=True, rng=rng), excitatory,
                   receptor_type="excitatory")
    sim.Projection(I, all_cells, sim.FixedNumberPreConnector(C_I, with_replacement=True, rng=rng), inhibitory,
                   receptor_type="inhibitory")
    sources = np.arange(noise.size)
    sim.Projection(noise, all_cells, sim.FromListConnector(np.stack([sources, sources // n_sources], axis=1)),
                   excitatory, receptor_type="excitatory")

    E.record("spikes")
    I.record("spikes")
    sim.run(args.duration)

    for population in (E, I):
        rate = population.mean_spike_count() / (args.duration / 1000.0)
        print(f"rate {population.label}: {rate:.2f} Hz")
    if args.output:
        E.write_data(args.output)
    sim.end()


if __name__ == "__main__":
    main()
