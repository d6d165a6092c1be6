"""Frequent patterns over a stream of transactions (baskets): itemsets and association rules.

- :class:`LossyCounting` (Manku & Motwani, 2002): approximate counts of every itemset up to
  a size over the whole stream, with a bounded error and no false negatives;
- :class:`WindowedApriori` (Agrawal & Srikant, 1994): exact frequent itemsets over the last
  transactions.

Both learn one transaction at a time (``learn_one``) or many (``learn_many``), answer at
any point with ``frequent_items()``, ``frequent_itemsets()`` and ``rules(min_confidence)``
(:class:`AssociationRule`: antecedent, consequent, support, confidence, lift), and keep their
state in ``snapshot()``/``restore()``. They mine item co-occurrences rather than answer per
event, so they have no ``process_many`` and sit outside pipelines.

A transaction is a collection of items (``["bread", "milk"]``) or a dict of per-item flags
(``{"bread": 1, "milk": True}``); items are strings or integers. ``learn_many`` also reads a
data frame or ``Batch`` row by row: numeric or boolean columns are per-item flags, a column
of lists holds the items, a column of strings ``c`` with value ``v`` gives the item
``"c=v"``.

>>> import pandas as pd
>>> frame = pd.DataFrame({"basket": [["tea"], ["tea", "cake"]], "store": ["north", "south"]})
>>> LossyCounting(support=0.5, epsilon=0.1, max_size=1).learn_many(frame).frequent_items()
{'tea': 2, 'store=north': 1, 'cake': 1, 'store=south': 1}
"""

from streamlearn.patterns._transactions import AssociationRule
from streamlearn.patterns.lossy_counting import LossyCounting
from streamlearn.patterns.windowed_apriori import WindowedApriori

__all__ = ["AssociationRule", "LossyCounting", "WindowedApriori"]
