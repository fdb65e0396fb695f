"""Podium: program management across interdependent projects."""

__version__ = "0.1.0"
