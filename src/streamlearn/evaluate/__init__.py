"""Prequential evaluation with delayed labels, reports, plots."""

from streamlearn.evaluate.prequential import prequential
from streamlearn.evaluate.ranking import RankingReport, prequential_ranking
from streamlearn.evaluate.report import Report

__all__ = ["RankingReport", "Report", "prequential", "prequential_ranking"]
