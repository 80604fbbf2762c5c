"""The namespace of the reference's `sorn.sorn` module, for code written
against either release (0.6.2 or 0.7.3) with only the package name changed:

    from sorn_client.sorn import Simulator, Trainer    # instead of: from sorn.sorn import ...
    from sorn_client.sorn import Sorn, Plasticity, NetworkState, MatrixCollection

Simulator and Trainer run on sorn-server (sorn_client.reference_api);
Simulator_ and Trainer_ are the names of their classes in the reference. The
building blocks (Sorn, Plasticity, MatrixCollection, NetworkState) compute
locally (sorn_client.reference_model). Initializer and, as 0.7.3's module
re-exports them, the callback classes are here too.
"""

from sorn_client.callbacks import (Callbacks, EEConnectionCounts, EIConnectionCounts,
                                   ExcitatoryActivation, IEConnectionCounts,
                                   InhibitoryActivation, RecurrentActivation, TE, TI,
                                   Validate, WEE, WEI)
from sorn_client.initializer import Initializer
from sorn_client.reference_api import Simulator, Trainer
from sorn_client.reference_model import MatrixCollection, NetworkState, Plasticity, Sorn

# The reference's Simulator and Trainer are instances of these classes; here
# they are classes of static methods, so one name serves both uses.
Simulator_ = Simulator
Trainer_ = Trainer

__all__ = ["Callbacks", "EEConnectionCounts", "EIConnectionCounts", "ExcitatoryActivation",
           "IEConnectionCounts", "InhibitoryActivation", "Initializer", "MatrixCollection",
           "NetworkState", "Plasticity", "RecurrentActivation", "Simulator", "Simulator_",
           "Sorn", "TE", "TI", "Trainer", "Trainer_", "Validate", "WEE", "WEI"]
