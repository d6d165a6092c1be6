"""A seeded, realistic stream of card transactions with fraud and late chargebacks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from streamlearn.core.errors import ParameterError

DAY = 86_400.0
HOME_COUNTRIES = ("FR", "DE", "ES", "IT", "NL", "BE", "GB", "PT")
HOME_WEIGHTS = (0.30, 0.22, 0.12, 0.10, 0.08, 0.07, 0.07, 0.04)
OTHER_COUNTRIES = ("US", "CH", "SE", "PL", "MA", "TR", "TH", "BR", "MX", "ZA")
COUNTRIES = HOME_COUNTRIES + OTHER_COUNTRIES
CATEGORIES = ("grocery", "restaurant", "fuel", "transport", "pharmacy", "clothing",
              "electronics", "travel", "entertainment", "online_retail", "jewelry",
              "gift_cards")
# how much a purchase of each category costs relative to the card's typical amount
PRICE_FACTOR = np.array([0.8, 0.9, 1.0, 0.4, 0.5, 1.6, 3.0, 5.0, 0.9, 1.2, 4.0, 1.5])
WEEKDAY_ACTIVITY = np.array([0.95, 0.95, 1.0, 1.0, 1.15, 1.25, 0.7])  # Monday first

# the fraud pattern before the drift point ("A") and after it ("B", a new attack type)
_PATTERNS = {
    "A": {"countries": ("TH", "BR", "MX", "ZA", "TR", "MA"),
          "categories": ("electronics", "jewelry", "gift_cards", "online_retail"),
          "test_categories": ("online_retail", "gift_cards"),
          "amount_factor": (2.0, 6.0), "gap_minutes": 6.0, "night": True},
    "B": {"countries": (),   # domestic: the card's own country (account takeover)
          "categories": ("travel", "clothing", "restaurant", "entertainment"),
          "test_categories": ("fuel", "transport"),
          "amount_factor": (2.5, 7.0), "gap_minutes": 15.0, "night": False},
}
_KINDS = ("burst", "testing", "merchant")
_KIND_WEIGHTS = (0.5, 0.25, 0.25)


@dataclass(eq=False)
class Transactions:
    """Card transactions in event-time order, as columns (one numpy array each).

    ``tx_id`` (int), ``ts`` (epoch seconds), ``card_id``, ``card_country``, ``merchant_id``,
    ``category``, ``country`` (the merchant's), ``amount``, ``cross_border`` (1.0 when the
    merchant's country is not the card's), ``is_fraud`` (0/1), ``fraud_kind`` (``""``,
    ``"burst"``, ``"testing"`` or ``"merchant"``), ``after_drift`` (whether the fraud pattern
    in force is the new one) and ``label_time`` (when the label becomes known: a chargeback
    for a fraud, the end of the maturity delay for a legitimate payment).
    """

    columns: dict[str, np.ndarray]
    drift_time: float | None

    EVENT_FIELDS = ("tx_id", "ts", "card_id", "card_country", "merchant_id", "category",
                    "country", "amount", "cross_border")

    def __len__(self) -> int:
        return len(self.columns["tx_id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    @property
    def fraud_rate(self) -> float:
        return float(self.columns["is_fraud"].mean()) if len(self) else 0.0

    def records(self, with_label: bool = False) -> list[dict[str, Any]]:
        """The events as dicts (the fields a payment system sees, and ``is_fraud`` if asked)."""
        names = list(self.EVENT_FIELDS) + (["is_fraud"] if with_label else [])
        values = [self.columns[name].tolist() for name in names]
        return [dict(zip(names, row)) for row in zip(*values)]

    def label_records(self) -> list[dict[str, Any]]:
        """``{id, label, label_time}`` in the order the labels become known."""
        order = np.argsort(self.columns["label_time"], kind="stable")
        ids = self.columns["tx_id"][order].tolist()
        labels = self.columns["is_fraud"][order].tolist()
        times = self.columns["label_time"][order].tolist()
        return [{"id": i, "label": y, "label_time": t} for i, y, t in zip(ids, labels, times)]

    def to_jsonl(self, events_path: str | Path, labels_path: str | Path) -> None:
        """Write the events (without their label) and the labels (in arrival order)."""
        for path, rows in ((events_path, self.records()), (labels_path, self.label_records())):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_bytes(b"\n".join(orjson.dumps(row) for row in rows) + b"\n")


class CardTransactions:
    """Synthetic card payments: cards with habits, merchants, seasonality, three fraud
    patterns, a change of fraud pattern and labels that arrive days later.

    Each card has a home country, a typical amount (log-normal), preferred merchant
    categories (a Dirichlet draw) and a peak hour of activity; merchants have a category and
    a country. Legitimate payments follow the cards' habits with a weekly rhythm (busier
    Fridays and Saturdays, quiet Sundays) and mostly stay at home. Fraud comes in incidents:

    - ``burst``: a compromised card pays many times within an hour or two, at unusual
      merchants (electronics, jewellery, gift cards) abroad, for several times its usual
      amount, often at night;
    - ``testing``: a few tiny payments check that a stolen card works, then big ones follow;
    - ``merchant``: a compromised merchant leaks the cards of its customers (their payments
      there are legitimate), whose cards are defrauded one to ten days later.

    From ``drift_at`` (a fraction of the stream in (0, 1), or an event index) the fraudsters
    change tactics: account takeovers at home (no cross-border signal), in other categories
    (travel, clothing, restaurants), in the daytime, a payment every quarter of an hour or
    so for 2.5-7 times the card's usual amount, and card testing at fuel pumps and
    transport. A model trained on the first pattern misses the second until it learns from
    the new chargebacks; the card's recent history (payments in the last hour, amount
    against its usual one) still gives it away.

    Labels: a legitimate payment is known to be fine after ``maturity_days``; a fraud is
    known when its chargeback arrives, 1 to 30 days later (1 day plus an exponential delay
    of mean ``chargeback_mean_days``, capped at 30). ``fraud_rate`` is the fraction of
    fraudulent events (about; incidents come whole). Times start at ``start`` (epoch
    seconds, a Monday 00:00 UTC by default) and the stream covers ``n / events_per_day``
    days: keep ``events_per_day`` near two payments a card a day (the default) for
    realistic card histories, and the stream longer than the label delays, or few labels
    arrive before it ends. Generation is vectorised: millions of events take seconds.

    >>> log = CardTransactions(seed=7, n_cards=500, drift_at=0.5).generate(20_000)
    >>> len(log), round(log.fraud_rate, 3)
    (20000, 0.005)
    >>> bool((np.diff(log["ts"]) >= 0).all()), bool((log["label_time"] > log["ts"]).all())
    (True, True)
    """

    def __init__(self, n_cards: int = 5000, n_merchants: int = 2000,
                 fraud_rate: float = 0.005, drift_at: float | int | None = None,
                 events_per_day: float = 10_000.0, maturity_days: float = 2.0,
                 chargeback_mean_days: float = 3.0, start: float = 1_704_067_200.0,
                 seed: int = 42):
        self.n_cards = n_cards
        self.n_merchants = n_merchants
        self.fraud_rate = fraud_rate
        self.drift_at = drift_at
        self.events_per_day = events_per_day
        self.maturity_days = maturity_days
        self.chargeback_mean_days = chargeback_mean_days
        self.start = start
        self.seed = seed

    def __repr__(self) -> str:
        return (f"CardTransactions(n_cards={self.n_cards}, fraud_rate={self.fraud_rate}, "
                f"drift_at={self.drift_at!r}, seed={self.seed})")

    def _fail(self, name: str, requirement: str) -> None:
        raise ParameterError(f"The {name!r} parameter of CardTransactions must be "
                             f"{requirement}. Got {getattr(self, name)!r} instead.")

    def _validate(self, n: int) -> None:
        for name in ("n_cards", "n_merchants"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                self._fail(name, "an int >= 1")
        if not 0.0 <= self.fraud_rate < 0.5:
            self._fail("fraud_rate", "in [0, 0.5)")
        for name in ("events_per_day", "maturity_days", "chargeback_mean_days"):
            if not getattr(self, name) > 0:
                self._fail(name, "> 0")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ParameterError(f"CardTransactions.generate(n): n must be an int >= 0. "
                                 f"Got {n!r} instead.")
        drift = self.drift_at
        if drift is not None and not (
                (isinstance(drift, float) and 0.0 < drift < 1.0)
                or (isinstance(drift, int) and not isinstance(drift, bool) and drift >= 0)):
            self._fail("drift_at", "None, a fraction in (0, 1) or an event index >= 0")

    # ------------------------------------------------------------------ generation
    def generate(self, n: int) -> Transactions:
        """``n`` transactions (legitimate and fraudulent) in time order."""
        self._validate(n)
        rng = np.random.default_rng(self.seed)
        span = max(n, 1) / self.events_per_day * DAY
        drift_time = None
        if self.drift_at is not None:
            index = self.drift_at * n if isinstance(self.drift_at, float) else self.drift_at
            drift_time = self.start + span * min(1.0, index / max(n, 1))
        cards = self._cards(rng)
        merchants = self._merchants(rng)
        n_fraud_target = round(self.fraud_rate * n)
        fraud = self._fraud(rng, cards, merchants, n_fraud_target, span, drift_time)
        n_legit = n - len(fraud["ts"])
        legit = self._legit(rng, cards, merchants, n_legit, span)
        columns = {k: np.concatenate([legit[k], fraud[k]]) for k in legit}
        order = np.argsort(columns["ts"], kind="stable")
        columns = {k: v[order] for k, v in columns.items()}
        return self._finish(rng, columns, cards, merchants, drift_time)

    def _cards(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        n = self.n_cards
        return {
            "country": rng.choice(len(HOME_COUNTRIES), size=n, p=HOME_WEIGHTS),
            "typical": np.exp(rng.normal(np.log(35.0), 0.6, size=n)),
            "preferences": rng.dirichlet(np.full(len(CATEGORIES), 0.6), size=n),
            "peak_hour": np.clip(rng.normal(14.0, 3.5, size=n), 7.0, 22.0),
            "activity": np.exp(rng.normal(0.0, 0.7, size=n)),
        }

    def _merchants(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        n = self.n_merchants
        home = rng.random(n) < 0.85
        country = np.where(home, rng.choice(len(HOME_COUNTRIES), size=n, p=HOME_WEIGHTS),
                           len(HOME_COUNTRIES) + rng.integers(0, len(OTHER_COUNTRIES), n))
        category = rng.integers(0, len(CATEGORIES), n)
        # an index of merchants by (category, country), and by category alone
        key = category * len(COUNTRIES) + country
        order = np.lexsort((country, category))
        return {"country": country, "category": category, "key": key, "order": order,
                "key_sorted": key[order], "category_sorted": category[order]}

    def _pick_merchant(self, rng: np.random.Generator, merchants: dict[str, np.ndarray],
                       category: np.ndarray, country: np.ndarray | None) -> np.ndarray:
        """A merchant of each given category (in each given country when there is one)."""
        u = rng.random(len(category))
        by_category = self._choose(merchants["category_sorted"], category, u, merchants)
        if country is None:
            return by_category
        key = category * len(COUNTRIES) + country
        low = np.searchsorted(merchants["key_sorted"], key, side="left")
        high = np.searchsorted(merchants["key_sorted"], key, side="right")
        found = high > low
        chosen = merchants["order"][np.minimum(low + (u * (high - low)).astype(np.int64),
                                               len(merchants["order"]) - 1)]
        return np.where(found, chosen, by_category)

    @staticmethod
    def _choose(sorted_values: np.ndarray, wanted: np.ndarray, u: np.ndarray,
                merchants: dict[str, np.ndarray]) -> np.ndarray:
        low = np.searchsorted(sorted_values, wanted, side="left")
        high = np.searchsorted(sorted_values, wanted, side="right")
        empty = high == low   # no merchant of that category at all: any merchant
        position = np.where(empty, (u * len(sorted_values)).astype(np.int64),
                            low + (u * (high - low)).astype(np.int64))
        return merchants["order"][np.minimum(position, len(sorted_values) - 1)]

    def _times(self, rng: np.random.Generator, n: int, span: float,
               peak_hour: np.ndarray, spread_hours: float) -> np.ndarray:
        """Times with the weekly rhythm and each event's hour around ``peak_hour``."""
        n_days = max(1, int(np.ceil(span / DAY)))
        weights = WEEKDAY_ACTIVITY[np.arange(n_days) % 7]
        day = rng.choice(n_days, size=n, p=weights / weights.sum())
        hour = np.mod(peak_hour + spread_hours * rng.normal(size=n), 24.0)
        t = self.start + day * DAY + hour * 3600.0
        return np.minimum(t, self.start + span)

    def _legit(self, rng: np.random.Generator, cards: dict[str, np.ndarray],
               merchants: dict[str, np.ndarray], n: int, span: float) -> dict[str, np.ndarray]:
        activity = cards["activity"] / cards["activity"].sum()
        card = rng.choice(self.n_cards, size=n, p=activity)
        cumulative = np.cumsum(cards["preferences"], axis=1)[card]
        category = np.minimum((rng.random((n, 1)) > cumulative).sum(axis=1),
                              len(CATEGORIES) - 1)
        at_home = rng.random(n) < 0.93
        home = cards["country"][card]
        merchant = np.where(at_home, self._pick_merchant(rng, merchants, category, home),
                            self._pick_merchant(rng, merchants, category, None))
        amount = (cards["typical"][card] * PRICE_FACTOR[category]
                  * np.exp(rng.normal(0.0, 0.55, size=n)))
        ts = self._times(rng, n, span, cards["peak_hour"][card], 3.0)
        return self._rows(card, merchant, merchants, amount, ts, np.zeros(n, np.int8),
                          np.zeros(n, np.int8))

    @staticmethod
    def _rows(card: np.ndarray, merchant: np.ndarray, merchants: dict[str, np.ndarray],
              amount: np.ndarray, ts: np.ndarray, is_fraud: np.ndarray,
              kind: np.ndarray) -> dict[str, np.ndarray]:
        return {"card": card, "merchant": merchant,
                "category": merchants["category"][merchant],
                "country": merchants["country"][merchant], "amount": amount, "ts": ts,
                "is_fraud": is_fraud, "kind": kind}

    def _fraud(self, rng: np.random.Generator, cards: dict[str, np.ndarray],
               merchants: dict[str, np.ndarray], target: int, span: float,
               drift_time: float | None) -> dict[str, np.ndarray]:
        """Whole incidents until ``target`` fraudulent events (the last one trimmed)."""
        parts: list[dict[str, np.ndarray]] = []
        total = 0
        while total < target:
            size = max(4, (target - total) // 8)   # ~8 fraudulent events an incident
            kind = rng.choice(len(_KINDS), size=size, p=_KIND_WEIGHTS)
            t0 = self.start + rng.random(size) * span * 0.98
            for k in range(len(_KINDS)):
                chosen = t0[kind == k]
                if len(chosen):
                    part = self._incidents(rng, cards, merchants, k, chosen, drift_time)
                    inside = part["ts"] <= self.start + span   # the stream ends there
                    part = {name: values[inside] for name, values in part.items()}
                    parts.append(part)
                    total += int(part["is_fraud"].sum())
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return self._rows(empty, empty, merchants, np.zeros(0), np.zeros(0),
                              np.zeros(0, np.int8), np.zeros(0, np.int8))
        fraud = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        # trim the surplus fraud events (the last ones drawn), keep every compromise payment
        surplus = total - target
        if surplus > 0:
            fraud_rows = np.flatnonzero(fraud["is_fraud"] == 1)
            keep = np.ones(len(fraud["ts"]), dtype=bool)
            keep[fraud_rows[len(fraud_rows) - surplus:]] = False
            fraud = {k: v[keep] for k, v in fraud.items()}
        return fraud

    def _incidents(self, rng: np.random.Generator, cards: dict[str, np.ndarray],
                   merchants: dict[str, np.ndarray], kind: int, t0: np.ndarray,
                   drift_time: float | None) -> dict[str, np.ndarray]:
        m = len(t0)
        after = (np.zeros(m, dtype=bool) if drift_time is None else t0 >= drift_time)
        rows: list[dict[str, np.ndarray]] = []
        if _KINDS[kind] == "merchant":
            # a compromised merchant: 4-10 customers pay there (legitimately) within a day,
            # their cards are defrauded 1-10 days later
            victims = rng.integers(4, 11, size=m)
            incident = np.repeat(np.arange(m), victims)
            home_merchants = np.flatnonzero(merchants["country"] < len(HOME_COUNTRIES))
            merchant = rng.choice(home_merchants, size=m)[incident]
            card = rng.integers(0, self.n_cards, size=len(incident))
            paid = t0[incident] + rng.random(len(incident)) * DAY
            amount = (cards["typical"][card] * PRICE_FACTOR[merchants["category"][merchant]]
                      * np.exp(rng.normal(0.0, 0.55, size=len(incident))))
            rows.append(self._rows(card, merchant, merchants, amount, paid,
                                   np.zeros(len(card), np.int8), np.zeros(len(card), np.int8)))
            start = paid + DAY * (1.0 + 9.0 * rng.random(len(incident)))
            late = start >= (np.inf if drift_time is None else drift_time)
            rows.append(self._burst(rng, cards, merchants, card, start, late,
                                    rng.integers(1, 4, size=len(card)), kind))
        elif _KINDS[kind] == "testing":
            card = rng.integers(0, self.n_cards, size=m)
            tests = rng.integers(2, 5, size=m)
            rows.append(self._testing(rng, cards, merchants, card, t0, after, tests, kind))
            rows.append(self._burst(rng, cards, merchants, card,
                                    t0 + 60.0 * (5 + 10 * tests), after,
                                    rng.integers(1, 3, size=m), kind, scale=2.0))
        else:
            card = rng.integers(0, self.n_cards, size=m)
            rows.append(self._burst(rng, cards, merchants, card, t0, after,
                                    3 + rng.poisson(3.0, size=m), kind))
        return {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}

    def _fraud_place(self, rng: np.random.Generator, cards: dict[str, np.ndarray],
                     merchants: dict[str, np.ndarray], card: np.ndarray, after: np.ndarray,
                     key: str) -> np.ndarray:
        """A merchant of the pattern's categories and countries for each fraudulent event."""
        n = len(card)
        category = np.empty(n, dtype=np.int64)
        country = np.empty(n, dtype=np.int64)
        for name, mask in (("A", ~after), ("B", after)):
            pattern = _PATTERNS[name]
            allowed = np.array([CATEGORIES.index(c) for c in pattern[key]])
            category[mask] = rng.choice(allowed, size=int(mask.sum()))
            if pattern["countries"]:
                places = np.array([COUNTRIES.index(c) for c in pattern["countries"]])
                country[mask] = rng.choice(places, size=int(mask.sum()))
            else:
                country[mask] = cards["country"][card[mask]]
        return self._pick_merchant(rng, merchants, category, country)

    def _burst(self, rng: np.random.Generator, cards: dict[str, np.ndarray],
               merchants: dict[str, np.ndarray], card: np.ndarray, t0: np.ndarray,
               after: np.ndarray, counts: np.ndarray, kind: int,
               scale: float = 1.0) -> dict[str, np.ndarray]:
        incident = np.repeat(np.arange(len(card)), counts)
        card_e, after_e = card[incident], after[incident]
        gap = np.where(after_e, _PATTERNS["B"]["gap_minutes"], _PATTERNS["A"]["gap_minutes"])
        steps = rng.exponential(1.0, size=len(incident)) * gap * 60.0
        # cumulative gaps within each incident
        offsets = np.cumsum(steps) - np.repeat(np.cumsum(steps)[np.cumsum(counts) - counts],
                                               counts)
        start = t0.copy()
        night = ~after & (rng.random(len(card)) < 0.6)   # pattern A: often at night
        day_start = np.floor((start - self.start) / DAY) * DAY + self.start
        start = np.where(night, day_start + 3600.0 * rng.uniform(0.0, 5.0, len(card)), start)
        day_b = after & ~np.isin(np.floor(np.mod(start - self.start, DAY) / 3600.0),
                                 np.arange(9, 20))
        start = np.where(day_b, day_start + 3600.0 * rng.uniform(9.0, 19.0, len(card)), start)
        ts = start[incident] + offsets
        low = np.where(after_e, _PATTERNS["B"]["amount_factor"][0],
                       _PATTERNS["A"]["amount_factor"][0])
        high = np.where(after_e, _PATTERNS["B"]["amount_factor"][1],
                        _PATTERNS["A"]["amount_factor"][1])
        merchant = self._fraud_place(rng, cards, merchants, card_e, after_e, "categories")
        amount = (scale * cards["typical"][card_e] * rng.uniform(low, high)
                  * np.sqrt(PRICE_FACTOR[merchants["category"][merchant]]))
        return self._rows(card_e, merchant, merchants, amount, ts,
                          np.ones(len(ts), np.int8), np.full(len(ts), kind + 1, np.int8))

    def _testing(self, rng: np.random.Generator, cards: dict[str, np.ndarray],
                 merchants: dict[str, np.ndarray], card: np.ndarray, t0: np.ndarray,
                 after: np.ndarray, counts: np.ndarray, kind: int) -> dict[str, np.ndarray]:
        incident = np.repeat(np.arange(len(card)), counts)
        card_e, after_e = card[incident], after[incident]
        rank = np.arange(len(incident)) - np.repeat(np.cumsum(counts) - counts, counts)
        ts = t0[incident] + 60.0 * (rank * (1.0 + 2.0 * rng.random(len(incident))))
        merchant = self._fraud_place(rng, cards, merchants, card_e, after_e,
                                     "test_categories")
        amount = rng.uniform(0.5, 3.0, size=len(incident))
        return self._rows(card_e, merchant, merchants, amount, ts,
                          np.ones(len(ts), np.int8), np.full(len(ts), kind + 1, np.int8))

    def _finish(self, rng: np.random.Generator, rows: dict[str, np.ndarray],
                cards: dict[str, np.ndarray], merchants: dict[str, np.ndarray],
                drift_time: float | None) -> Transactions:
        n = len(rows["ts"])
        card_country = cards["country"][rows["card"]]
        fraud = rows["is_fraud"].astype(np.int64)
        delay = np.where(fraud == 1,
                         DAY * np.minimum(30.0, 1.0 + rng.exponential(
                             self.chargeback_mean_days, size=n)),
                         DAY * self.maturity_days)
        names = np.array(COUNTRIES, dtype=object)
        columns = {
            "tx_id": np.arange(n, dtype=np.int64),
            "ts": np.round(rows["ts"], 3),
            "card_id": np.char.add("c", rows["card"].astype(str)).astype(object),
            "card_country": names[card_country],
            "merchant_id": np.char.add("m", rows["merchant"].astype(str)).astype(object),
            "category": np.array(CATEGORIES, dtype=object)[rows["category"]],
            "country": names[rows["country"]],
            "amount": np.round(np.maximum(rows["amount"], 0.5), 2),
            "cross_border": (rows["country"] != card_country).astype(np.float64),
            "is_fraud": fraud,
            "fraud_kind": np.array(("", *_KINDS), dtype=object)[rows["kind"]],
            "after_drift": (np.zeros(n, dtype=bool) if drift_time is None
                            else rows["ts"] >= drift_time),
            "label_time": np.round(rows["ts"] + delay, 3),
        }
        return Transactions(columns, drift_time)
