"""Online model selection: choose, on the stream itself, the candidate model that fits.

- :class:`SuccessiveHalvingClassifier` / :class:`SuccessiveHalvingRegressor`: race the
  candidates on a budget of labelled events, halving the field each round.
- :class:`BanditClassifier` / :class:`BanditRegressor`: a bandit (UCB1 or epsilon-greedy)
  gives each labelled event to one candidate, so learning costs one model per event.

Candidates are estimators or pipeline specs, so a job file can name them:
``{SuccessiveHalvingClassifier: {models: ["StandardScaler | LogisticRegression", ...]}}``.
"""

from streamlearn.selection.bandit import BanditClassifier, BanditRegressor
from streamlearn.selection.halving import SuccessiveHalvingClassifier, SuccessiveHalvingRegressor

__all__ = ["BanditClassifier", "BanditRegressor", "SuccessiveHalvingClassifier",
           "SuccessiveHalvingRegressor"]
