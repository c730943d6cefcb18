"""The exceptions neurodyn raises.

Each is a subclass of the built-in exception a Python user expects, so ``except
ValueError`` keeps working, and of :class:`NeurodynError`, so ``except
nd.NeurodynError`` catches every error neurodyn reports. The message is the engine's,
the same text the ``neurodyn`` command prints; ``key`` is the path of the offending
entry of the network description (``"projection[1].delay"``), or None.

=====================  ============================  ===============================
C++ (core/error.hpp)   Python                        built-in base
=====================  ============================  ===============================
ValueError             NeurodynValueError            ValueError
KeyError               NeurodynKeyError              KeyError
FileError              NeurodynFileError             OSError
  (file missing)       NeurodynFileNotFoundError     FileNotFoundError
MemoryLimitError       NeurodynMemoryError           MemoryError
InternalError          NeurodynInternalError         RuntimeError
Ctrl-C during run()    KeyboardInterrupt             (the built-in itself)
=====================  ============================  ===============================
"""


class NeurodynError(Exception):
    """Base of every error neurodyn raises; ``key`` names the offending entry."""

    key = None


class NeurodynValueError(NeurodynError, ValueError):
    """A value out of range, of the wrong type or shape, or NaN."""


class NeurodynKeyError(NeurodynError, KeyError):
    """An unknown name: a model, parameter, population, receptor, variable."""

    def __str__(self):
        # KeyError's own __str__ shows repr(message), quotes and escapes included.
        return str(self.args[0]) if self.args else ""


class NeurodynFileError(NeurodynError, OSError):
    """A file that cannot be read or written."""


class NeurodynFileNotFoundError(NeurodynFileError, FileNotFoundError):
    """A file that does not exist."""


class NeurodynMemoryError(NeurodynError, MemoryError):
    """A network whose estimated memory exceeds what may be used."""


class NeurodynInternalError(NeurodynError, RuntimeError):
    """A bug in neurodyn (please report it), never the user's mistake."""
