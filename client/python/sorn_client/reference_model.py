"""The reference package's building blocks (sorn.sorn): Sorn, Plasticity,
MatrixCollection and NetworkState, computed locally in NumPy.

These are the pieces the reference's Simulator is made of, for code that
composes them itself (one step of the model, by hand); the Simulator and
Trainer of this package run on sorn-server instead. As in the reference, the
hyperparameters are class attributes of Sorn, read when an object is made:

    Sorn.ne, Sorn.ni, Sorn.timesteps = 50, 10, 100
    wee, wei, wie, te, ti, x, y = Plasticity.initialize_plasticity()
    state = NetworkState(inputs[:, 0])
    x_next = state.excitatory_network_state(wee, wei, te, x, y, white_noise_e=0.0)

Activity arrays are the reference's: x is ne x 2 and y is ni x 2, column 0
the previous step and column 1 the current one; thresholds are n x 1.
"""

import logging

import numpy as np

from sorn_client.initializer import Initializer, SornInputError

_log = logging.getLogger("sorn_client")


class _SornType(type):
    """Makes Sorn.time_steps (0.6.2's name) and Sorn.timesteps (0.7.3's) one
    class attribute, so code written for either release sets the run length
    that MatrixCollection reads."""

    @property
    def time_steps(cls):
        return cls.timesteps

    @time_steps.setter
    def time_steps(cls, value):
        cls.timesteps = value


def _column(value, n):
    """A scalar as it is, anything else as an n x 1 float array."""
    arr = np.asarray(value, dtype=np.float64)
    return arr if arr.ndim == 0 else arr.reshape(n, 1)


def _heaviside(drive):
    return (drive > 0).astype(np.float64)


class Sorn(metaclass=_SornType):
    """The network's hyperparameters (the reference's defaults) and its
    initializers."""

    nu = 10
    ne = 200
    ni = int(0.2 * ne)
    eta_stdp = 0.004
    eta_inhib = 0.001
    eta_ip = 0.01
    te_max = 1.0
    ti_max = 0.5
    ti_min = 0.0
    te_min = 0.0
    mu_ip = 0.1
    sigma_ip = 0.0
    network_type_ee = "Sparse"
    network_type_ei = "Sparse"
    network_type_ie = "Dense"
    lambda_ee = 20
    lambda_ei = 40
    lambda_ie = 100
    # The reference's simulators set it; MatrixCollection needs it.
    timesteps = None

    @staticmethod
    def initialize_weight_matrix(network_type, synaptic_connection, self_connection, lambd_w):
        """A fresh weight matrix of Sorn.ne excitatory and Sorn.ni inhibitory
        neurons, weights in [0, 0.1], not yet normalized.

        "Sparse" uses the lambda rule (Initializer.generate_lambd_connections,
        sd 1); "Dense" fills every entry, except the diagonal of "EE". Unlike
        the reference, whose Dense matrix is ne x ni whatever the connection,
        the shape follows synaptic_connection: EE ne x ne, EI ni x ne, IE
        ne x ni. Only self_connection "False" exists, as in the reference.

        Returns:
            ndarray of float64.
        """
        if str(self_connection) != "False":
            raise SornInputError(
                f"only self_connection='False' is supported, got {self_connection!r}")
        if network_type == "Sparse":
            if lambd_w > Sorn.ne:
                raise SornInputError(
                    "Number of connections per unit (lambda) should be less than number "
                    f"of units(Ne) in the pool: {lambd_w} > {Sorn.ne}")
            return Initializer.generate_lambd_connections(
                synaptic_connection, Sorn.ne, Sorn.ni, lambd_w, lambd_std=1)
        shapes = {"EE": (Sorn.ne, Sorn.ne), "EI": (Sorn.ni, Sorn.ne), "IE": (Sorn.ne, Sorn.ni)}
        if network_type != "Dense" or synaptic_connection not in shapes:
            raise SornInputError(
                f"need network_type Sparse or Dense and synaptic_connection EE, EI or IE, "
                f"got {network_type!r}, {synaptic_connection!r}")
        weights = np.random.uniform(0.0, 0.1, shapes[synaptic_connection])
        if synaptic_connection == "EE":
            np.fill_diagonal(weights, 0.0)
        return weights

    @staticmethod
    def initialize_threshold_matrix(te_min, te_max, ti_min, ti_max):
        """Returns (te, ti): Sorn.ne x 1 thresholds U(te_min, te_max) and
        Sorn.ni x 1 thresholds U(ti_min, ti_max)."""
        te = np.random.uniform(te_min, te_max, (Sorn.ne, 1))
        ti = np.random.uniform(ti_min, ti_max, (Sorn.ni, 1))
        return te, ti

    @staticmethod
    def initialize_activity_vector(ne, ni):
        """Returns (x, y): zero activity, ne x 2 and ni x 2."""
        return np.zeros((ne, 2)), np.zeros((ni, 2))


class Plasticity(Sorn):
    """The plasticity rules, with the rates of the Sorn attributes at the
    time the object is made (the SPEC's STDP, IP, SP, iSTDP and SS)."""

    def __init__(self):
        super().__init__()
        self.nu = Sorn.nu
        self.ne = Sorn.ne
        self.ni = int(0.2 * Sorn.ne)
        self.eta_stdp = Sorn.eta_stdp
        self.eta_ip = Sorn.eta_ip
        self.eta_inhib = Sorn.eta_inhib
        # The IP target is 2 nu / ne, not mu_ip (mu_ip is iSTDP's).
        self.h_ip = 2 * Sorn.nu / Sorn.ne
        self.mu_ip = Sorn.mu_ip
        self.te_min = Sorn.te_min
        self.te_max = Sorn.te_max
        # 0.6.2 calls it time_steps, 0.7.3 timesteps; the reference fails
        # here while it is unset, this takes None.
        self.time_steps = self.timesteps = Sorn.timesteps

    def stdp(self, wee, x, cutoff_weights):
        """STDP on every existing synapse (wee != 0):
        wee[j][i] += eta_stdp * (x_i(t+1) x_j(t) - x_i(t) x_j(t+1)), then
        entries are clamped to [cutoff_weights[0], cutoff_weights[1]].

        Returns:
            A new weight ndarray.
        """
        x = np.asarray(x, dtype=np.float64)
        before, after = x[:, 0], x[:, 1]
        wee = np.asarray(wee, dtype=np.float64)
        # delta[j, i] = x_j(t) x_i(t+1) - x_j(t+1) x_i(t)
        delta = np.outer(before, after) - np.outer(after, before)
        updated = np.where(wee != 0.0, wee + self.eta_stdp * delta, wee)
        Initializer.reset_min(updated, cutoff_weights[0])
        return Initializer.reset_max(updated, cutoff_weights[1])

    def ip(self, te, x):
        """Intrinsic plasticity: te += eta_ip * (x(t+1) - h_ip), clamped to
        [te_min, te_max] (as 0.7.3 and the SPEC; 0.6.2 does not clamp).

        Returns:
            A new threshold ndarray of te's shape.
        """
        te = np.asarray(te, dtype=np.float64)
        after = np.asarray(x, dtype=np.float64)[:, 1].reshape(te.shape)
        updated = te + self.eta_ip * (after - self.h_ip)
        Initializer.reset_min(updated, self.te_min)
        return Initializer.reset_max(updated, self.te_max)

    @staticmethod
    def ss(wee):
        """Synaptic scaling: returns a new ndarray whose columns sum to 1 (an
        all-zero column stays 0, where the reference gives NaN)."""
        return Initializer.normalize_weight_matrix(wee)

    def istdp(self, wei, x, y, cutoff_weights):
        """iSTDP on every existing synapse (wei != 0):
        wei[j][i] += -eta_inhib * y_j(t) * (1 - x_i(t+1) * (1 + 1 / mu_ip)),
        then clamped to [cutoff_weights[0], cutoff_weights[1]].

        Returns:
            A new weight ndarray.
        """
        after = np.asarray(x, dtype=np.float64)[:, 1]
        y_before = np.asarray(y, dtype=np.float64)[:, 0]
        wei = np.asarray(wei, dtype=np.float64)
        delta = np.outer(-self.eta_inhib * y_before, 1 - after * (1 + 1 / self.mu_ip))
        updated = np.where(wei != 0.0, wei + delta, wei)
        Initializer.reset_min(updated, cutoff_weights[0])
        return Initializer.reset_max(updated, cutoff_weights[1])

    @staticmethod
    def structural_plasticity(wee):
        """With probability 0.1, one inactive synapse (wee[j][i] <= 0, j != i),
        chosen uniformly, is set to 0.001. Works in place; when there is none,
        nothing changes (the reference fails).

        Returns:
            The same array.
        """
        if np.random.randint(0, 10, 1)[0] == 0:
            inactive = np.flatnonzero((wee <= 0.0) & ~np.eye(*wee.shape, dtype=bool))
            if inactive.size:
                pick = inactive[np.random.randint(inactive.size)]
                wee[np.unravel_index(pick, wee.shape)] = 0.001
        return wee

    @staticmethod
    def initialize_plasticity():
        """A fresh network from the Sorn attributes, logged as the reference
        does ("Network Initialized", its connection counts and shapes) to the
        "sorn_client" logger at INFO.

        Returns:
            (wee, wei, wie, te, ti, x, y): normalized weights ne x ne, ni x ne
            and ne x ni, thresholds ne x 1 and ni x 1, zero activity ne x 2 and
            ni x 2.
        """
        matrices = [Sorn.initialize_weight_matrix(network_type, kind, "False", lambd)
                    for network_type, kind, lambd in (
                        (Sorn.network_type_ee, "EE", Sorn.lambda_ee),
                        (Sorn.network_type_ei, "EI", Sorn.lambda_ei),
                        (Sorn.network_type_ie, "IE", Sorn.lambda_ie))]
        wee, wei, wie = [Initializer.zero_sum_incoming_check(w) for w in matrices]
        _log.info("Network Initialized")
        _log.info("Number of connections in Wee %s , Wei %s, Wie %s",
                  np.count_nonzero(wee), np.count_nonzero(wei), np.count_nonzero(wie))
        _log.info("Shapes Wee %s Wei %s Wie %s", wee.shape, wei.shape, wie.shape)
        te, ti = Sorn.initialize_threshold_matrix(Sorn.te_min, Sorn.te_max,
                                                  Sorn.ti_min, Sorn.ti_max)
        x, y = Sorn.initialize_activity_vector(Sorn.ne, Sorn.ni)
        return (Initializer.normalize_weight_matrix(wee), Initializer.normalize_weight_matrix(wei),
                Initializer.normalize_weight_matrix(wie), te, ti, x, y)


class MatrixCollection(Sorn):
    """The matrices of every step of a run: lists Wee, Wei, Wie, Te, Ti, X, Y
    of Sorn.timesteps + 1 entries, entry 0 the start (the rest 0 until set).

    Args:
        phase: "plasticity" or "training".
        state: the reference's state dict (Wee, Wei, Wie, Te, Ti, X, Y) to
            start from; None in the plasticity phase starts a fresh network.
        matrices: 0.6.2's name of `state`.
    """

    def __init__(self, phase, state=None, matrices=None):
        super().__init__()
        if state is not None and matrices is not None:
            raise SornInputError("give state or matrices (its 0.6.2 name), not both")
        state = matrices if state is None else state
        if Sorn.timesteps is None:
            raise SornInputError("set Sorn.timesteps (or Sorn.time_steps) to the run's steps first")
        self.phase = phase
        self.state = self.matrices = state
        self.timesteps = self.time_steps = Sorn.timesteps + 1
        if phase not in ("plasticity", "training"):
            raise SornInputError(f"phase must be 'plasticity' or 'training', got {phase!r}")
        if state is None and phase == "training":
            raise SornInputError("the training phase continues a state: give state")
        names = ("Wee", "Wei", "Wie", "Te", "Ti", "X", "Y")
        for name in names:
            setattr(self, name, [0] * self.timesteps)
        # As the reference, the state's arrays are taken as they are, not copied.
        first = (Plasticity.initialize_plasticity() if state is None
                 else [state[name] for name in names])
        for name, value in zip(names, first):
            getattr(self, name)[0] = value

    def weight_matrix(self, wee, wei, wie, i):
        """Stores the weights after step i. Returns (Wee, Wei, Wie), the lists."""
        self.Wee[i + 1], self.Wei[i + 1], self.Wie[i + 1] = wee, wei, wie
        return self.Wee, self.Wei, self.Wie

    def threshold_matrix(self, te, ti, i):
        """Stores the thresholds after step i. Returns (Te, Ti), the lists."""
        self.Te[i + 1], self.Ti[i + 1] = te, ti
        return self.Te, self.Ti

    def network_activity_t(self, excitatory_net, inhibitory_net, i):
        """Stores the activity after step i. Returns (X, Y), the lists."""
        self.X[i + 1], self.Y[i + 1] = excitatory_net, inhibitory_net
        return self.X, self.Y

    def network_activity_t_1(self, x, y, i):
        """Returns (x_1, y_1): new lists of timesteps zeros holding x and y at i."""
        x_1, y_1 = [0] * self.timesteps, [0] * self.timesteps
        x_1[i], y_1[i] = x, y
        return x_1, y_1


class NetworkState(Plasticity):
    """One step's drives, given the step's input.

    Args:
        v_t: the input u(t), Sorn.nu values; it drives the first Sorn.nu
            excitatory neurons (stored as v_t, padded with zeros to ne x 1).
    """

    def __init__(self, v_t):
        super().__init__()
        values = np.asarray(v_t, dtype=np.float64).ravel()
        if values.size != Sorn.nu or Sorn.nu > Sorn.ne:
            raise SornInputError(
                f"Input units and input size mismatch: {Sorn.nu} != {values.size} "
                f"(and nu must not exceed ne = {Sorn.ne})")
        self.v_t = np.concatenate([values, np.zeros(Sorn.ne - Sorn.nu)])[:, np.newaxis]

    def incoming_drive(self, weights, activity_vector):
        """Returns W^T a: for each column i, sum_j weights[j][i] * a[j], a 1-D
        array (activity_vector is n x 1 or of n values, n = rows)."""
        w = np.asarray(weights, dtype=np.float64)
        return w.T @ np.asarray(activity_vector, dtype=np.float64).reshape(w.shape[0])

    def _excitatory_drive(self, wee, wei, te, x, y, white_noise_e):
        """Wee^T x(t) - Wei^T y(t) + noise - te, an ne x 1 column."""
        n = np.shape(wee)[1]
        recurrent = (self.incoming_drive(wee, np.asarray(x)[:, 1])
                     - self.incoming_drive(wei, np.asarray(y)[:, 1]))[:, np.newaxis]
        return recurrent + _column(white_noise_e, n) - _column(te, n)

    def excitatory_network_state(self, wee, wei, te, x, y, white_noise_e):
        """x(t+1) = H(Wee^T x(t) - Wei^T y(t) + noise + u(t) - te).

        Returns:
            An ne x 1 float ndarray of 0/1.
        """
        return _heaviside(self._excitatory_drive(wee, wei, te, x, y, white_noise_e) + self.v_t)

    def inhibitory_network_state(self, wie, ti, y, white_noise_i):
        """y(t+1) = H(Wie^T x(t) + noise - ti). As in the reference, `y` is
        the excitatory activity x (ne x 2): Wie's rows are excitatory.

        Returns:
            An ni x 1 float ndarray of 0/1.
        """
        n = np.shape(wie)[1]
        drive = self.incoming_drive(wie, np.asarray(y)[:, 1])[:, np.newaxis]
        return _heaviside(drive + _column(white_noise_i, n) - _column(ti, n))

    def recurrent_drive(self, wee, wei, te, x, y, white_noise_e):
        """r(t+1) = H(Wee^T x(t) - Wei^T y(t) + noise - te): x(t+1) without
        the input.

        Returns:
            An ne x 1 float ndarray of 0/1.
        """
        return _heaviside(self._excitatory_drive(wee, wei, te, x, y, white_noise_e))
