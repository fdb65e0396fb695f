"""Probabilistic forecasting: Monte Carlo simulation of a program network.

:func:`simulate` takes a :class:`~podium.engine.Network`, three-point
:class:`Estimate` s and :class:`RiskEvent` s and returns a :class:`Forecast`:
finish-date distributions (:class:`Outcome`) of the program, each project and
each milestone, criticality indexes and the tornado of drivers.
"""

from podium.engine.forecast._sample import DISTRIBUTIONS, Distribution
from podium.engine.forecast.results import PERCENTILES, Bin, Driver, Forecast, Outcome
from podium.engine.forecast.simulate import (
    MAX_ITERATIONS,
    Estimate,
    InvalidForecast,
    RiskEvent,
    block_size,
    simulate,
)

__all__ = [
    "DISTRIBUTIONS",
    "MAX_ITERATIONS",
    "PERCENTILES",
    "Bin",
    "Distribution",
    "Driver",
    "Estimate",
    "Forecast",
    "InvalidForecast",
    "Outcome",
    "RiskEvent",
    "block_size",
    "simulate",
]
