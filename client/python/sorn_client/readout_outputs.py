"""Readouts in the Python client: FitReadout requests from NumPy targets, and
the readout outputs of Simulate, Train and Step responses as arrays."""

import numpy as np

from sorn_client_pb import sorn_pb2 as pb


def fit_request(session, name, labels=None, one_hot=None, values=None, classes=0,
                skip_last=0, population="excitatory", include_input=False, bias=True,
                regularization=None, return_weights=False):
    """A FitReadoutRequest; exactly one of labels, one_hot, values."""
    given = [t for t in (labels, one_hot, values) if t is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of labels, one_hot or values")
    request = pb.FitReadoutRequest(
        session=session, readout=name, skip_last=int(skip_last),
        return_weights=bool(return_weights),
        features=pb.ReadoutFeatures(population=pb.Population.Value(str(population).upper()),
                                    include_input=bool(include_input), bias=bool(bias)))
    if regularization is not None:
        request.regularization = float(regularization)
    if labels is not None:
        request.labels.labels.extend(np.asarray(labels, dtype=np.int64).ravel().tolist())
        request.labels.classes = int(classes)
    else:
        matrix = np.asarray(one_hot if one_hot is not None else values, dtype=np.float64)
        if matrix.ndim == 1:
            matrix = matrix.reshape(-1, 1)
        if matrix.ndim != 2:
            raise ValueError(f"targets must be (T, outputs), got shape {matrix.shape}")
        target = request.one_hot if one_hot is not None else request.values
        target.outputs = matrix.shape[1]
        target.values.extend(matrix.ravel().tolist())
    return request


class Gatherer:
    """Collects the readout outputs of a call's responses, by name."""

    def __init__(self, names):
        self._names = list(names)
        self._steps = 0
        self._scores = {n: [] for n in self._names}
        self._classes = {n: [] for n in self._names}

    def add(self, outputs, steps):
        self._steps += steps
        for out in outputs:
            self._scores[out.name].extend(out.scores)
            self._classes[out.name].extend(out.classes)

    def result(self):
        """{name: {"scores": (T, outputs), "classes": (T,) or None}}."""
        result = {}
        for name in self._names:
            scores = np.asarray(self._scores[name], dtype=np.float64)
            classes = self._classes[name]
            result[name] = {
                "scores": scores.reshape(self._steps, -1) if self._steps else scores,
                "classes": np.asarray(classes, dtype=np.int32) if classes else None,
            }
        return result


def one_step(outputs):
    """A StepResponse's readouts: {name: {"scores": (outputs,), "class"}}."""
    return {out.name: {"scores": np.asarray(out.scores, dtype=np.float64),
                       "class": out.classes[0] if len(out.classes) else None}
            for out in outputs}
