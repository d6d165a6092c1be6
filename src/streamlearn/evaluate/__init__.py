"""Prequential evaluation with delayed labels, reports, plots."""

from streamlearn.evaluate.prequential import prequential
from streamlearn.evaluate.report import Report

__all__ = ["Report", "prequential"]
