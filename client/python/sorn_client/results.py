"""What the session calls return, as plain Python: dataclasses of NumPy
arrays and floats instead of protobuf messages (GetStatistics so far)."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np


@dataclass
class SessionStatistics:
    """GetStatistics of a session's recorded activity (docs/SPEC.md,
    "Statistics"). A statistic that was not asked for, or is undefined for
    this activity, is None; `undefined` says why for the latter."""

    steps: int
    neurons: int
    firing_rate_network: np.ndarray  # (steps,) fraction of neurons active.
    firing_rate_neuron: np.ndarray   # (bins,) spikes of the chosen neuron.
    firing_rate_neuron_mean: Optional[float] = None
    scale_dependent_smoothness: Optional[float] = None
    scale_independent_smoothness: Optional[float] = None
    autocorrelation: Optional[float] = None
    mean_correlation: Optional[float] = None
    correlation_matrix: Optional[np.ndarray] = None  # (neurons, neurons).
    fano_mean: Optional[float] = None
    fano_variance: Optional[float] = None
    fano_factor: Optional[float] = None
    spike_source_entropy: Optional[float] = None
    spike_times: List[np.ndarray] = field(default_factory=list)      # per neuron.
    spike_intervals: List[np.ndarray] = field(default_factory=list)  # per neuron.
    undefined: Dict[str, str] = field(default_factory=dict)

    _OPTIONAL = ("firing_rate_neuron_mean", "scale_dependent_smoothness",
                 "scale_independent_smoothness", "autocorrelation", "mean_correlation",
                 "fano_mean", "fano_variance", "fano_factor", "spike_source_entropy")

    @classmethod
    def from_proto(cls, proto):
        optional = {name: getattr(proto, name) if proto.HasField(name) else None
                    for name in cls._OPTIONAL}
        matrix = np.asarray(proto.correlation_matrix, dtype=np.float64)
        return cls(
            steps=int(proto.steps), neurons=int(proto.neurons),
            firing_rate_network=np.asarray(proto.firing_rate_network, dtype=np.float64),
            firing_rate_neuron=np.asarray(proto.firing_rate_neuron, dtype=np.int64),
            correlation_matrix=(matrix.reshape(proto.neurons, proto.neurons)
                                if matrix.size else None),
            spike_times=[np.asarray(s.values, dtype=np.int64) for s in proto.spike_times],
            spike_intervals=[np.asarray(s.values, dtype=np.int64)
                             for s in proto.spike_intervals],
            undefined=dict(proto.undefined), **optional)

    def __repr__(self):
        shown = {name: getattr(self, name) for name in self._OPTIONAL
                 if getattr(self, name) is not None}
        numbers = ", ".join(f"{k}={v:.6g}" for k, v in shown.items())
        return (f"SessionStatistics(steps={self.steps}, neurons={self.neurons}"
                f"{', ' + numbers if numbers else ''})")
