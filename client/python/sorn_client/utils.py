"""The namespace of the reference's `sorn.utils` module, for code written
against either release (0.6.2 or 0.7.3) with only the package name changed:

    # instead of: from sorn.utils import Initializer, Plotter, Statistics
    from sorn_client.utils import Initializer, Plotter, Statistics
"""

from sorn_client.initializer import Initializer
from sorn_client.plotter import Plotter
from sorn_client.statistics import Statistics

__all__ = ["Initializer", "Plotter", "Statistics"]
