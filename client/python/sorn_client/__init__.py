"""Python client for sorn-server, shaped like the reference `sorn` package.

    from sorn_client import Simulator, Trainer   # instead of: from sorn import ...

`connect(address, token=None)` (or the SORN_SERVER_ADDRESS environment
variable, default 127.0.0.1:50051) picks the server; `start_server()`
(sorn_client.server) starts a local one and says its address.
"""

__version__ = "0.2.0"  # the server's (CMakeLists.txt); tests/version_test.sh.

from sorn_client.client import Client, Session, connect, default_client
from sorn_client.errors import SornError
from sorn_client.initializer import Initializer
from sorn_client.reference_api import Simulator, Trainer
from sorn_client.plotter import Plotter
from sorn_client.server import LocalServer, ServerStartError, start_server
from sorn_client.statistics import Statistics

__all__ = ["Client", "Initializer", "LocalServer", "Plotter", "ServerStartError", "Session",
           "SornError",
           "Simulator", "Statistics", "Trainer", "connect", "default_client",
           "start_server"]
