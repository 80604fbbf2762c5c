"""The reference package's `Initializer` (sorn.utils): input generators and
matrix helpers, in local NumPy.

    from sorn_client.utils import Initializer   # instead of: from sorn.utils import ...

Both releases' static methods are here: 0.6.2's prune_small_weights,
set_max_cutoff_weight and get_unconnected_indexes, and 0.7.3's reset_min,
reset_max and inactive_synapses (the same operations under new names). All
randomness comes from NumPy's global generator, so `np.random.seed` makes a
call reproducible.

Where the reference fails or returns nonsense on some input, these functions
follow sorn-server's model instead (see the notes on each function): a column
that sums to 0 stays 0, matrices never get self connections, and bad input
raises SornInputError.
"""

import numpy as np


class SornInputError(ValueError, AssertionError):
    """Bad input. The reference checks such input with `assert`; this error is
    a ValueError and, so that code written against the reference still catches
    it, an AssertionError too."""


def _divide_columns(weights):
    """Each column divided by its sum; a column summing to 0 stays 0 (the
    reference divides by zero and fills it with NaN)."""
    w = np.asarray(weights, dtype=np.float64)
    sums = w.sum(axis=0)
    return np.divide(w, sums, out=np.zeros_like(w), where=sums != 0)


def _partner_counts(count, lambd_w, lambd_std, most):
    """trunc(N(lambd_w, lambd_std)) for `count` neurons, clamped to
    [0, most] (the reference fails when a draw leaves that range)."""
    drawn = np.random.normal(lambd_w, lambd_std, count).astype(int)
    return np.clip(drawn, 0, most)


def _lambda_matrix(rows, cols, counts, by_column, no_diagonal):
    """A rows x cols matrix where each owner neuron (a column when by_column,
    else a row) has counts[owner] distinct partners with weights in (0, 0.1].

    Partners are the `count` smallest of one uniform key per entry, which
    picks a uniformly random subset for every owner at once.
    """
    keys = np.random.random((rows, cols))
    if no_diagonal:
        # Keys are < 1 and a count is at most rows - 1 here, so the
        # diagonal's key of 2 is never among an owner's smallest.
        np.fill_diagonal(keys, 2.0)
    axis = 0 if by_column else 1
    ranks = np.argsort(np.argsort(keys, axis=axis), axis=axis)
    wanted = counts[np.newaxis, :] if by_column else counts[:, np.newaxis]
    mask = ranks < wanted
    weights = np.zeros((rows, cols))
    # 0.1 - U[0, 0.1) lies in (0, 0.1]: a weight of 0 would mean no synapse.
    weights[mask] = 0.1 - np.random.uniform(0.0, 0.1, int(mask.sum()))
    return weights


def _clamp_below(z, cutoff_val):
    z[z <= cutoff_val] = cutoff_val
    return z


def _clamp_above(z, cutoff_val):
    z[z > cutoff_val] = cutoff_val
    return z


def _inactive(wee):
    rows, cols = np.nonzero((np.asarray(wee) <= 0.0) & ~np.eye(*np.shape(wee), dtype=bool))
    return list(zip(rows.tolist(), cols.tolist()))


class Initializer:
    """Helpers that build the SORN's inputs and matrices (all static)."""

    @staticmethod
    def generate_strong_inp(length, reservoir_size):
        """A strong input on random input neurons.

        Draws a count in [0, reservoir_size) and that many input neurons (with
        repeats) among the first `length`; each chosen one gets 1e4.

        Returns:
            (inp, idx): inp is a list of reservoir_size floats (0.0 or 1e4; of
            `length` floats when length > reservoir_size, as in the reference),
            idx the ndarray of chosen neurons.
        """
        idx = np.random.choice(length, np.random.randint(reservoir_size))
        values = np.zeros(length)
        values[idx] = 1.0e4
        return values.tolist() + [0.0] * max(0, reservoir_size - length), idx

    @staticmethod
    def multi_one_hot_inp(ne, inputs, n_nodes_per_inp):
        """One column per input label, with ones on the neurons it drives.

        Each of n_nodes_per_inp rounds gives every input one neuron, distinct
        within the round (so an input may draw the same neuron twice).

        Returns:
            (one_hot, idxs): one_hot is an ne x len(inputs) float ndarray of
            0/1; idxs a list with, for each input, the tuple of its
            n_nodes_per_inp neurons.
        """
        n_inputs = len(inputs)
        if n_inputs > ne:
            raise SornInputError(f"{n_inputs} inputs need distinct neurons, ne is {ne}")
        rounds = np.array([np.random.permutation(ne)[:n_inputs]
                           for _ in range(n_nodes_per_inp)], dtype=int)
        rounds = rounds.reshape(n_nodes_per_inp, n_inputs)
        one_hot = np.zeros((ne, n_inputs))
        one_hot[rounds, np.arange(n_inputs)] = 1.0
        # zip(*rounds): one tuple per input (and [] with no rounds, as the reference).
        return one_hot, list(zip(*rounds.tolist()))

    @staticmethod
    def generate_gaussian_inputs(length, reservoir_size):
        """A Gaussian input on random input neurons.

        Chooses input neurons as generate_strong_inp does; each chosen one gets
        a standard normal value. (The reference draws one scalar and then
        indexes it, which fails whenever a neuron is chosen.)

        Returns:
            (out, idx): out is a list of reservoir_size floats, idx the ndarray
            of chosen neurons.
        """
        idx = np.random.choice(length, np.random.randint(reservoir_size))
        values = np.zeros(length)
        values[idx] = np.random.normal(size=length)[idx]
        return values.tolist() + [0.0] * max(0, reservoir_size - length), idx

    @staticmethod
    def normalize_weight_matrix(weight_matrix):
        """Returns a new float ndarray whose columns (a neuron's incoming
        weights) each sum to 1; an all-zero column stays 0."""
        return _divide_columns(weight_matrix)

    @staticmethod
    def generate_lambd_connections(synaptic_connection, ne, ni, lambd_w, lambd_std):
        """A sparse weight matrix by the lambda rule, weights in (0, 0.1].

        "EE": ne x ne, each neuron gets trunc(N(lambd_w, lambd_std)) incoming
        synapses from distinct other neurons (never itself). "EI": ni x ne,
        each inhibitory neuron gets that many outgoing synapses to distinct
        excitatory ones. "IE" (which the reference leaves undefined and
        returns None for): ne x ni, incoming per inhibitory neuron, as
        sorn-server's Sparse Wie.

        Returns:
            ndarray of float64; 0 where there is no synapse.
        """
        if synaptic_connection == "EE":
            counts = _partner_counts(ne, lambd_w, lambd_std, ne - 1)
            return _lambda_matrix(ne, ne, counts, by_column=True, no_diagonal=True)
        if synaptic_connection == "EI":
            counts = _partner_counts(ni, lambd_w, lambd_std, ne)
            return _lambda_matrix(ni, ne, counts, by_column=False, no_diagonal=False)
        if synaptic_connection == "IE":
            counts = _partner_counts(ni, lambd_w, lambd_std, ne)
            return _lambda_matrix(ne, ni, counts, by_column=True, no_diagonal=False)
        raise SornInputError(
            f"synaptic_connection must be EE, EI or IE, got {synaptic_connection!r}")

    @staticmethod
    def get_incoming_connection_dict(weights):
        """Returns a dict {neuron i (int): list of the rows j with
        weights[j][i] != 0}, one key per column. (The reference also leaves a
        stray key len(weights) with value 0.)"""
        w = np.asarray(weights)
        return {i: np.flatnonzero(w[:, i]).tolist() for i in range(w.shape[1])}

    @staticmethod
    def get_outgoing_connection_dict(weights):
        """Returns a dict {neuron j (int): list of the columns i with
        weights[j][i] != 0}, one key per row. (The reference walks the
        columns' count of rows, so fails or stops early when not square.)"""
        w = np.asarray(weights)
        return {j: np.flatnonzero(w[j, :]).tolist() for j in range(w.shape[0])}

    @staticmethod
    def prune_small_weights(weights, cutoff_weight):
        """0.6.2's name of reset_min: sets entries <= cutoff_weight to
        cutoff_weight, in place. Returns the same array."""
        return _clamp_below(weights, cutoff_weight)

    @staticmethod
    def set_max_cutoff_weight(weights, cutoff_weight):
        """0.6.2's name of reset_max: sets entries > cutoff_weight to
        cutoff_weight, in place. Returns the same array."""
        return _clamp_above(weights, cutoff_weight)

    @staticmethod
    def get_unconnected_indexes(wee):
        """0.6.2's name of inactive_synapses: a list of (row, col) int tuples,
        row-major, of the entries <= 0 off the diagonal."""
        return _inactive(wee)

    @staticmethod
    def reset_min(z, cutoff_val):
        """Sets the entries of z <= cutoff_val to cutoff_val, in place.
        Returns the same array."""
        return _clamp_below(z, cutoff_val)

    @staticmethod
    def reset_max(z, cutoff_val):
        """Sets the entries of z > cutoff_val to cutoff_val, in place.
        Returns the same array."""
        return _clamp_above(z, cutoff_val)

    @staticmethod
    def inactive_synapses(wee):
        """The candidates of structural plasticity: a list of (row, col) int
        tuples, row-major, of the entries <= 0 off the diagonal."""
        return _inactive(wee)

    @staticmethod
    def white_gaussian_noise(mu, sigma, t):
        """Returns a t x 1 float ndarray of N(mu, sigma) samples."""
        return np.random.normal(mu, sigma, t)[:, np.newaxis]

    @staticmethod
    def zero_sum_incoming_check(weights):
        """Gives every neuron (column) without incoming weight two synapses.

        For each column summing to 0, two distinct rows among the first 20 %
        (at least 2 rows; never the diagonal of a square matrix, so no self
        connection) get weights in (0, 0.1]. Works in place.

        Returns:
            The same array.
        """
        rows = weights.shape[0]
        pool = min(rows, max(int(rows * 0.2), 2 + (weights.shape[1] == rows)))
        for col in np.flatnonzero(weights.sum(axis=0) == 0.0):
            candidates = np.arange(pool)
            if weights.shape[1] == rows:
                candidates = candidates[candidates != col]
            picked = np.random.permutation(candidates)[:2]
            weights[picked, col] = 0.1 - np.random.uniform(0.0, 0.1, picked.size)
        return weights
