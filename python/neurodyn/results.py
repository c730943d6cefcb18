"""Reading result files written by ``neurodyn run -o`` or ``Network.build(output=...)``
(layout: docs/output-format.md) into plain dicts of NumPy arrays."""

import os

import numpy as np

from .errors import NeurodynFileError, NeurodynFileNotFoundError

FORMAT_NAME = "neurodyn-result"
FORMAT_VERSION = 1


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return value


def _attrs(node):
    out = {}
    for name, value in node.attrs.items():
        value = _text(value)
        if isinstance(value, np.generic):
            value = value.item()
        out[name] = value
    return out


def load_results(path):
    """Reads a neurodyn result file into a dict::

        {"attrs":   root attributes (dt, seed, complete, t_reached, model_source, ...),
         "summary": {name: value} of /summary,
         "spikes":  {population: {"times": float64 ms, "ids": int64, "n_neurons": int or None}},
         "state":   {population: {variable: {"times": float64 ms (samples,),
                                             "values": float64 (samples x neurons),
                                             "neurons": int64, "unit": str}}},
         "weight_traces": {name: {"times": float64 ms (samples,),
                                  "values": float64 (samples x synapses),
                                  "synapses", "sources", "targets": int64,
                                  "projection": str, "unit": str}}}

    (weight_traces: the weights recorders' samples, docs/output-format.md).

    NeurodynFileNotFoundError for a missing file, NeurodynFileError for a file that is
    not a neurodyn result (or is of a newer format).
    """
    import h5py

    path = os.fspath(path)
    if not os.path.exists(path):
        raise NeurodynFileNotFoundError(f"cannot read result file '{path}': No such file or directory")
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise NeurodynFileError(f"cannot read result file '{path}': not a readable HDF5 file ({error})") from None
    with f:
        attrs = _attrs(f)
        if attrs.get("format") != FORMAT_NAME:
            raise NeurodynFileError(f"'{path}' is not a neurodyn result file (root attribute format is "
                                    f"{attrs.get('format')!r}, expected {FORMAT_NAME!r})")
        if int(attrs.get("format_version", 0)) > FORMAT_VERSION:
            raise NeurodynFileError(f"'{path}' has format_version {attrs['format_version']}; this neurodyn reads "
                                    f"up to {FORMAT_VERSION}")
        result = {"attrs": attrs, "summary": _attrs(f["summary"]) if "summary" in f else {}, "spikes": {},
                  "state": {}, "weight_traces": {}}
        for name, group in f.get("spikes", {}).items():
            if "timestamps" not in group or "node_ids" not in group:
                continue
            n_neurons = group.attrs.get("n_neurons")
            result["spikes"][name] = {"times": group["timestamps"][()].astype(np.float64),
                                      "ids": group["node_ids"][()].astype(np.int64),
                                      "n_neurons": None if n_neurons is None else int(n_neurons)}
        for population, variables in f.get("report", {}).items():
            for variable, group in variables.items():
                if "data" not in group or "mapping" not in group:
                    continue
                data = group["data"][()]
                t0, _, interval = (float(x) for x in group["mapping/time"][()])
                result["state"].setdefault(population, {})[variable] = {
                    "times": t0 + interval * np.arange(data.shape[0]),
                    "values": data,
                    "neurons": group["mapping/node_ids"][()].astype(np.int64),
                    "unit": str(_text(group["data"].attrs.get("units", ""))),
                }
        for name, group in f.get("weight_traces", {}).items():
            data = group["data"][()]
            t0, _, interval = (float(x) for x in group["time"][()])
            result["weight_traces"][name] = {
                "times": t0 + interval * np.arange(data.shape[0]),
                "values": data,
                **{key + "s": group[key][()].astype(np.int64) for key in ("synapse", "source", "target")},
                "projection": str(_text(group.attrs.get("projection", ""))),
                "unit": str(_text(group["data"].attrs.get("units", ""))),
            }
    return result
