#!/usr/bin/python3
"""Brunel (2000) model A in Python: the network of examples/brunel.toml (10000
excitatory and 2500 inhibitory LIF neurons with delta synapses, g = 5, eta = 2; see
that file for the parameters and their sources), built with the Python API.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/brunel.py [--duration MS]
        [--output RESULT.h5] [--plot FIGURE.png]

Same seed, same order of declarations, so it gives exactly the spikes of
`neurodyn run examples/brunel.toml` (python/tests/test_python_api.py checks this).
"""

import argparse

import neurodyn as nd

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--duration", type=float, default=1000.0, help="simulated time (ms; default 1000)")
parser.add_argument("--output", help="write the spikes to this HDF5 result file")
parser.add_argument("--plot", help="draw the raster and rates into this image")
args = parser.parse_args()

# --- the network: as examples/brunel.toml --------------------------------------------
net = nd.Network(dt=0.1, seed=12345)
lif = {"cm": 1.0, "tau_m": 20.0, "v_rest": 0.0, "v_thresh": 20.0, "v_reset": 10.0, "tau_refrac": 2.0, "i_offset": 0.0}
E = net.population("E", "IF_curr_delta", 10000, params=lif, initial={"v": nd.uniform(0.0, 20.0)})
I = net.population("I", "IF_curr_delta", 2500, params=lif, initial={"v": nd.uniform(0.0, 20.0)})
for source, weight, n_in, receptor in [(E, 0.1, 1000, "excitatory"), (I, -0.5, 250, "inhibitory")]:
    for target in (E, I):  # J = 0.1 mV, -g J = -0.5 mV, in-degrees C_E = 1000 and C_I = 250
        net.connect(source, target, nd.fixed_number_pre(n_in, allow_autapses=False, allow_multapses=True),
                    weight=weight, delay=1.5, receptor=receptor)
for target in (E, I):
    net.poisson_input(target, rate=20000.0, weight=0.1)  # C_E inputs at nu_ext = 2 nu_thr = 20 Hz
for population in (E, I):
    net.record_spikes(population)
sim = net.build(output=args.output)
sim.run(args.duration)
# ---------------------------------------------------------------------------------------

print(f"{sim.synapse_count} synapses; built in {sim.build_seconds:.2f} s, simulated {sim.t:g} ms "
      f"in {sim.run_seconds:.2f} s")
for name, rate in sim.mean_rates().items():
    print(f"{name}: {sim.spike_counts()[name]} spikes, {rate:.2f} Hz")
sim.close()
if args.plot:
    import matplotlib
    matplotlib.use("Agg")
    import neurodyn.plot
    neurodyn.plot.raster(sim, title="Brunel (2000) model A, from Python").savefig(args.plot, dpi=120)
