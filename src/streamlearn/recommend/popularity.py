"""Most-popular recommendation: items ranked by how many events carried them."""

from __future__ import annotations

import numpy as np

from streamlearn.recommend import _kernels as kernels
from streamlearn.recommend._base import Recommender


class Popularity(Recommender):
    """Ranks items by their number of learnt events, the same for every user (the
    "most popular" baseline of the top-N literature, e.g. Cremonesi, Koren & Turrin 2010,
    "Performance of recommender algorithms on top-N recommendation tasks", RecSys).

    The score of an (user, item) event is the item's count so far (0 for an unknown item);
    labels are not needed (implicit feedback: every learnt event counts once, whatever its
    rating). ``recommend(user, k)`` gives the most popular items the user has not seen yet,
    ties going to the item registered first.

    >>> model = Popularity()
    >>> for user, item in [("ann", "alien"), ("bob", "alien"), ("bob", "heat"),
    ...                    ("cat", "alien"), ("cat", "notebook"), ("ann", "heat")]:
    ...     _ = model.learn_one({"user": user, "item": item}, None)
    >>> model.predict_one({"user": "dan", "item": "alien"})
    3.0
    >>> model.recommend("dan", k=2), model.recommend("bob", k=2)
    (['alien', 'heat'], ['notebook'])
    """

    _needs_labels = False

    def __init__(self, user: str = "user", item: str = "item") -> None:
        self.user = user
        self.item = item

    def _run(self, users_pred, items_pred, users_learn, items_learn, learnt, y, out) -> None:
        kernels.popularity(items_pred, users_learn, items_learn, learnt, self.user_counts_,
                           self.item_counts_, out)

    def _scores(self, user_slot: int) -> np.ndarray:
        return self.item_counts_.astype(np.float64)
