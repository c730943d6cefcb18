"""Recording for neurodyn.pynn: PyNN's Recorder on top of neurodyn's spike and state
recorders, which are declared when the network is built and then read back between
runs. Samples of a state variable are taken at t = 0, sampling_interval, ... up to the
current time (PyNN's convention: n + 1 samples after n intervals)."""

import numpy as np
import quantities as pq

from pyNN import recording

from . import simulator
from .simulator import not_supported, state

if not hasattr(pq, "uS"):
    pq.uS = pq.UnitQuantity('microsiemens', 1e-6 * pq.S, 'uS')


class Recorder(recording.Recorder):
    """Encapsulates data and functions related to recording model variables."""
    _simulator = simulator

    def __init__(self, population, file=None):
        recording.Recorder.__init__(self, population, file)
        self._spike_offset = 0    # spikes already handed out with clear=True
        self._sample_offset = {}  # variable -> samples already handed out with clear=True

    def _record(self, variable, new_ids, sampling_interval=None):
        state.check_modifiable(f"starting to record {variable!r}")
        interval = sampling_interval or state.dt
        steps = interval / state.dt
        if abs(steps - round(steps)) > 1e-9 or round(steps) < 1:
            raise ValueError(f"sampling_interval ({interval} ms) must be a multiple of the time step ({state.dt} ms)")
        self.sampling_interval = interval

    def _reset(self):
        state.check_modifiable("record(None)")

    def _indices(self, variable):
        return np.sort(np.fromiter(self.recorded[variable], dtype=np.int64) - int(self.population.first_id))

    def _build(self, net):
        self._spike_offset = 0
        self._sample_offset = {}
        name = self.population._nd_name
        for variable in sorted(self.recorded):
            if not self.recorded[variable]:
                continue
            indices = self._indices(variable)
            neurons = None if indices.size == self.population.size else indices
            if variable == "spikes":
                net.record_spikes(name, neurons=neurons)
            else:
                interval = 0.0 if abs(self.sampling_interval - state.dt) < 1e-12 else self.sampling_interval
                net.record_state(name, variable, neurons=neurons, interval=interval)

    def _spikes(self):
        times, indices = state.simulation.spikes(self.population._nd_name)
        return times[self._spike_offset:], indices[self._spike_offset:]

    def _get_spiketimes(self, requested_ids, clear=False):
        times, indices = self._spikes()
        ids = indices + int(self.population.first_id)
        mask = np.isin(ids, np.asarray(requested_ids, dtype=np.int64))
        return ids[mask], times[mask].copy()

    def _get_all_signals(self, variable, ids, clear=False):
        trace = state.simulation.trace(self.population._nd_name, variable)
        values = trace.values[self._sample_offset.get(variable, 0):]
        columns = np.searchsorted(trace.neurons, np.asarray(ids, dtype=np.int64) - int(self.population.first_id))
        return values[:, columns], None

    def _local_count(self, variable, filter_ids=None):
        if variable != "spikes":
            raise not_supported(f"counting {variable!r} (only spikes are counted)")
        ids = sorted(self.filter_recorded(variable, filter_ids))
        counts = dict.fromkeys((int(i) for i in ids), 0)
        if state.built and ids:
            _, indices = self._spikes()
            local = np.asarray(ids, dtype=np.int64) - int(self.population.first_id)
            n = np.bincount(indices, minlength=self.population.size)
            for id, i in zip(ids, local):
                counts[int(id)] = int(n[i])
        return counts

    def _clear_simulator(self):
        if not state.built:
            return
        self._spike_offset += self._spikes()[0].size
        for variable in self.recorded:
            if variable != "spikes" and self.recorded[variable]:
                trace = state.simulation.trace(self.population._nd_name, variable)
                # the last sample (at the current time) is also the first of what follows
                self._sample_offset[variable] = max(trace.values.shape[0] - 1, 0)
