"""Online recommendation: biased matrix factorisation, the baseline predictor, popularity,
and Bayesian personalised ranking for implicit feedback.

Events are (user, item, rating) triples: the user and the item are named by two columns of
the event (``user`` and ``item`` by default; strings or integral numbers), the rating is the
label. Users and items may appear at any point in the stream; each is mapped to an integer
slot and the per-user and per-item arrays grow. Every model answers a score per event
(``predict_one``/``predict_many``, River-compatible) and ranks items for a user with
``recommend(user, k, exclude_seen=True)``. Learning runs one numba loop per micro-batch, row
by row, so the same stream gives the same model in batches of any size.

Contextual bandits for exploration, :class:`LinUCB` and :class:`ThompsonSampling`, learn from
(context, arm, reward) events instead: the numeric features are the context, the ``arm``
column names the arm shown and the label is its reward; ``select(x)`` and ``rank(x, k)``
choose arms for a new context.
"""

from streamlearn.recommend.baseline import Baseline
from streamlearn.recommend.biased_mf import BiasedMF
from streamlearn.recommend.bpr import BPR
from streamlearn.recommend.hybrid import HybridRecommender
from streamlearn.recommend.linucb import LinUCB
from streamlearn.recommend.popularity import Popularity
from streamlearn.recommend.thompson import ThompsonSampling

__all__ = ["BPR", "Baseline", "BiasedMF", "HybridRecommender", "LinUCB", "Popularity",
           "ThompsonSampling"]
