"""The reference package's callbacks (sorn.callbacks, 0.7.x): per-step
recorders of a run's values, and the dispatcher that fills them.

    dispatcher = Callbacks(timesteps, avail_callbacks, ["WEE", "TE"])
    dispatcher.step({"WEE": wee, "TE": te}, time_step=0)
    values = dispatcher.get()        # {"WEE": [...], "TE": [...]}

Each recorder (ExcitatoryActivation, WEE, ...) holds `values`, a list of
`timesteps` entries (0 until set); `recorder[t] = v` sets one,
`recorder[t]` describes it as a sentence and `str(recorder)` is str(values).
"""

from sorn_client.initializer import SornInputError


class _Recorder:
    """A list of one value per step, described by DESCRIPTION."""

    DESCRIPTION = ""

    def __init__(self, timesteps=0):
        self.values = [0] * timesteps

    def __setitem__(self, index, value):
        self.values[index] = value

    def __getitem__(self, index):
        """Returns "<description> at time_step <index>: <value>"."""
        return f"{self.DESCRIPTION} at time_step {index}: {self.values[index]}"

    def __str__(self):
        return str(self.values)


class ExcitatoryActivation(_Recorder):
    """x(t+1) of each step."""
    DESCRIPTION = "Excitatory network state"


class InhibitoryActivation(_Recorder):
    """y(t+1) of each step."""
    DESCRIPTION = "Inhibitory network state"


class RecurrentActivation(_Recorder):
    """r(t+1) of each step."""
    DESCRIPTION = "Recurrent network state"


class WEE(_Recorder):
    """Wee after each step."""
    DESCRIPTION = "Excitatory to Excitatory Connection strength"


class WEI(_Recorder):
    """Wei after each step."""
    DESCRIPTION = "Inhibitory to Excitatory Connection strength"


class TE(_Recorder):
    """Te after each step."""
    DESCRIPTION = "Excitatory neurons firing threshold values"


class TI(_Recorder):
    """Ti after each step."""
    DESCRIPTION = "Inhibitory neurons firing threshold values"


class EEConnectionCounts(_Recorder):
    """Number of E->E synapses of each step."""
    DESCRIPTION = "Number active connections in the Excitatory pool"


class EIConnectionCounts(_Recorder):
    """Number of I->E synapses of each step."""
    DESCRIPTION = "Number active connections from Inhibitory to Excitatory pool"


class IEConnectionCounts(_Recorder):
    """Number of E->I synapses of each step."""
    DESCRIPTION = "Number active connections from Excitatory to Inhibitory pool"


# The recorders by name: the reference makes them by looking the name up in
# its module, whatever class avail_callbacks maps it to.
_RECORDERS = {cls.__name__: cls for cls in (
    ExcitatoryActivation, InhibitoryActivation, RecurrentActivation, WEE, WEI, TE, TI,
    EEConnectionCounts, EIConnectionCounts, IEConnectionCounts)}


def _requested(argv):
    """The names in argv: the reference passes its list of names as the one
    extra argument, (names,); a bare list of names is taken too."""
    if all(isinstance(name, str) for name in argv):
        return set(argv)
    return set().union(*argv)


class Validate:
    """Checks requested callback names against the available ones."""

    def callbacks(self, req_callbacks, avail_callbacks):
        """Returns a dict {name: None} of the requested names, in
        avail_callbacks' order, or None when nothing is requested.

        Raises:
            SornInputError (an AssertionError, as the reference's) when a name
            is not available.
        """
        self.argv = req_callbacks
        self.avail_callbacks = list(avail_callbacks.keys())
        return self.assert_callbacks() if self.argv else None

    def assert_callbacks(self):
        """Returns {name: None} for the requested names (see callbacks)."""
        requested = _requested(self.argv)
        missing = requested - set(self.avail_callbacks)
        if missing:
            raise SornInputError(f"{sorted(missing)} not available")
        return dict.fromkeys(name for name in self.avail_callbacks if name in requested)


class Callbacks:
    """Makes one recorder per requested name and fills them step by step.

    Args:
        timesteps: steps of the run (each recorder's length).
        avail_callbacks: dict of the names that may be requested.
        *argv: the requested names, as the reference's one list argument.
    """

    def __init__(self, timesteps, avail_callbacks, *argv):
        self.timesteps = timesteps
        self.argv = argv
        self.avail_callbacks = avail_callbacks
        self.callbacks = []
        self.dispatcher = {}
        if argv:
            names = Validate().callbacks(argv, avail_callbacks) or {}
            self.dispatcher = {name: self.create(name) for name in names}

    def create(self, class_name):
        """Returns a new recorder of `timesteps` entries for class_name (this
        module's class of that name, else the class avail_callbacks gives)."""
        cls = _RECORDERS.get(class_name) or self.avail_callbacks[class_name]
        return cls(self.timesteps)

    def update(self, func, value, timestep):
        """Sets func[timestep] = value. Returns None, or, as the reference,
        the message "Invalid callback instance ..." when that fails."""
        try:
            func[timestep] = value
        except (IndexError, KeyError, TypeError, AttributeError):
            return f"Invalid callback instance {func}"
        return None

    def step(self, state, time_step):
        """Records state[name] at time_step for every requested name."""
        for name, recorder in self.dispatcher.items():
            self.update(recorder, state[name], time_step)

    def get(self):
        """Returns {name: list of the recorded values} ({} when nothing was
        requested). Unlike the reference, which replaces its recorders by
        their lists, the recorders stay, so get can be called again."""
        return {name: recorder.values for name, recorder in self.dispatcher.items()}
