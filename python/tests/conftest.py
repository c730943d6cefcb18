"""Shared fixtures of the Python suite: the `neurodyn` command, model files written from
Python dicts, and runs whose results come back as parsed JSON and open HDF5 files.

The command is looked up in $NEURODYN_BUILD_DIR (default: <repository>/build); tests that
need it are skipped with the path in the reason when it has not been built.
"""

import json
import math
import os
import pathlib
import subprocess
from dataclasses import dataclass, field

import h5py
import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]

# Generous: the largest model of the suite runs in well under a second. A hang (a
# deadlock, a run that never ends) fails the test instead of stalling the suite.
COMMAND_TIMEOUT_S = 60


def build_dir():
    return pathlib.Path(os.environ.get("NEURODYN_BUILD_DIR") or REPOSITORY / "build")


# --- model files -----------------------------------------------------------------------

def toml_value(value):
    """One TOML value: numbers, booleans, strings, arrays and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)  # shortest text that reads back as the same double
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: same quoting and escapes
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return toml_value(value.tolist())
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as TOML")


def to_toml(model):
    """A model file from a dict shaped like the file (docs/model-file.md): a table per
    section (`simulation`), a list of tables per repeated section (`population`,
    `projection`, `stimulus`, `record`); tables inside a section become inline tables."""
    lines = []
    for section, content in model.items():
        tables = content if isinstance(content, (list, tuple)) else [content]
        header = f"[[{section}]]" if isinstance(content, (list, tuple)) else f"[{section}]"
        for table in tables:
            lines.append(header)
            lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
            lines.append("")
    return "\n".join(lines)


# --- running the command -----------------------------------------------------------------

@dataclass
class RunOutput:
    """What one `neurodyn run` left behind."""

    process: subprocess.CompletedProcess
    model_path: pathlib.Path
    result_path: pathlib.Path
    summary_path: pathlib.Path
    _open_files: list = field(default_factory=list, repr=False)

    @property
    def returncode(self):
        return self.process.returncode

    @property
    def summary(self):
        """The parsed --summary-json file."""
        return json.loads(self.summary_path.read_text())

    def h5(self):
        """The result file, open read-only; closed when the test ends."""
        handle = h5py.File(self.result_path, "r")
        self._open_files.append(handle)
        return handle


class Neurodyn:
    """Writes model files into one directory and runs the command on them."""

    def __init__(self, binary, directory):
        self.binary = pathlib.Path(binary)
        self.directory = pathlib.Path(directory)
        self._open_files = []

    def write_model(self, model, name="model"):
        """Writes `model` (a dict, see to_toml, or the text of a file) to <name>.toml."""
        path = self.directory / f"{name}.toml"
        path.write_text(model if isinstance(model, str) else to_toml(model))
        return path

    def command(self, *args):
        """Runs `neurodyn ARGS...` in the directory; returns the CompletedProcess."""
        return subprocess.run([str(self.binary), *map(str, args)], cwd=self.directory, capture_output=True,
                              text=True, timeout=COMMAND_TIMEOUT_S)

    def run(self, model, *options, name="model", check=True):
        """Writes `model` and runs `neurodyn run <name>.toml -o <name>.h5 --summary-json
        <name>.json --quiet OPTIONS...`. With check, a non-zero exit fails the test with
        the command's stderr."""
        model_path = self.write_model(model, name)
        result_path = self.directory / f"{name}.h5"
        summary_path = self.directory / f"{name}.json"
        process = self.command("run", model_path, "-o", result_path, "--summary-json", summary_path, "--quiet",
                               *options)
        if check and process.returncode != 0:
            pytest.fail(f"neurodyn run {model_path.name} {' '.join(map(str, options))} exited with "
                        f"{process.returncode}:\n{process.stderr}")
        return RunOutput(process, model_path, result_path, summary_path, self._open_files)

    def close(self):
        for handle in self._open_files:
            handle.close()
        self._open_files.clear()


@pytest.fixture(scope="session")
def neurodyn_binary():
    """Path to the `neurodyn` command; skips the test when it has not been built."""
    binary = build_dir() / "neurodyn"
    if not binary.is_file():
        pytest.skip(f"the neurodyn command is not built: {binary} does not exist "
                    "(build it, or point NEURODYN_BUILD_DIR at the build directory)")
    return binary


@pytest.fixture
def work_dir(tmp_path):
    """A fresh directory for the model and result files of one test."""
    return tmp_path


@pytest.fixture
def neurodyn(neurodyn_binary, work_dir):
    """A Neurodyn runner writing into this test's directory."""
    runner = Neurodyn(neurodyn_binary, work_dir)
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def module_neurodyn(neurodyn_binary, tmp_path_factory, request):
    """A Neurodyn runner shared by the tests of one module, for runs they all read."""
    runner = Neurodyn(neurodyn_binary, tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2]))
    yield runner
    runner.close()
