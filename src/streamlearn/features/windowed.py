"""Per-key windowed aggregates: "spend of this card in the last hour", exact per event."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.learners import Transformer
from streamlearn.core.params import check_choice
from streamlearn.features import _kernels as kernels
from streamlearn.features._slots import SlotMap

_INITIAL_CAPACITY = 64
_STATE = ("keys_", "categories_", "watermark_", "blocks_", "events_used_", "events_",
          "ring_", "ring_start_", "ring_size_")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_WINDOW = re.compile(r"^(\d+(?:\.\d+)?)([smhdw])$")


def _fail(owner: object, name: str, requirement: str, value: Any) -> None:
    raise ParameterError(f"The {name!r} parameter of {type(owner).__name__} must be "
                         f"{requirement}. Got {value!r} instead.")


def _names(owner: object, name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        _fail(owner, name, "None, a column name or a list of column names", value)
    return tuple(value)


def window_seconds(owner: object, window: Any) -> tuple[float, str]:
    """(length in seconds, label) of a window given as seconds or as ``"30s"``, ``"5m"``,
    ``"1h"``, ``"7d"``, ``"2w"``."""
    requirement = "a list of positive durations in seconds or like '30m', '1h', '7d'"
    if isinstance(window, str):
        match = _WINDOW.match(window)
        if match is None or float(match.group(1)) <= 0:
            _fail(owner, "windows", requirement, window)
        return float(match.group(1)) * _UNITS[match.group(2)], window
    if isinstance(window, bool) or not isinstance(window, int | float) or not window > 0:
        _fail(owner, "windows", requirement, window)
    seconds = float(window)
    for unit in "wdhm":
        count = seconds / _UNITS[unit]
        if count == int(count):
            return seconds, f"{int(count)}{unit}"
    return seconds, f"{int(seconds)}s" if seconds == int(seconds) else f"{seconds:g}s"


class WindowedAggregates(Transformer):
    """Aggregates over the recent past events of the same key, as new numeric columns.

    For each event, and for each column of ``on``, each aggregate of ``how`` (``"count"``,
    ``"sum"``, ``"mean"``, ``"std"``, ``"min"``, ``"max"``) and each window, a column named
    ``{column}_{aggregate}_{window}`` (``amount_sum_1h``) is added; ``distinct`` lists
    categorical columns whose number of distinct values in the window is added as
    ``{column}_distinct_{window}``. Input columns pass through unchanged.

    The key of an event is ``Batch.keys`` (filled from the schema's ``key`` field), or the
    column named by ``by``; with neither, all events share one key. Its time is
    ``Batch.times`` (epoch seconds), or the numeric column named by ``time``. A sliding window
    of length ``w`` at time ``t`` holds the events with time in ``(t - w, t]``; a tumbling one
    (``kind="tumbling"``) those since the start of the current window,
    ``[floor(t / w) * w, t]`` (windows aligned to the epoch). These are the sliding and
    tumbling windows of Akidau et al. 2015, "The Dataflow Model" (VLDB), evaluated per event.

    Which events an answer covers follows the estimator contract (DESIGN.md §3), as River's
    ``feature_extraction.Agg`` does with ``learn_one`` then ``transform_one``: an event that
    is learnt is counted in its own aggregates; an event that is only transformed
    (predicted) is answered with the events learnt before it. Values are summed in arrival
    order and the standard deviation is the population one (a second pass around the mean),
    so results equal a plain recomputation over the window exactly, whatever the batch size.
    A missing (NaN) or infinite value is left out of its column's aggregates; an empty window
    gives count and sum 0 and NaN (absent) otherwise. An event without a key is not
    aggregated.

    Times are expected in order. The watermark is the latest learnt time: an event with an
    earlier time (late) is taken to happen at the watermark, and so is an event without a
    time. Events older than the longest window behind the watermark are evicted, so memory
    holds only the events of the longest window (plus one small entry per key seen). Each key
    keeps its events side by side in memory, and each answer walks the key's events in the
    window: the cost per event grows with the number of events a key has within the longest
    window, not with the number of keys.

    >>> events = [{"amount": 10.0, "t": 0.0}, {"amount": 5.0, "t": 1800.0},
    ...           {"amount": 2.0, "t": 4000.0}]
    >>> agg = WindowedAggregates(on="amount", how=["count", "sum"], windows=["1h"], time="t")
    >>> [agg.learn_one(x).transform_one(x)["amount_sum_1h"] for x in events]
    [10.0, 15.0, 7.0]
    >>> agg.transform_one({"amount": 1.0, "t": 4000.0})
    {'amount': 1.0, 't': 4000.0, 'amount_count_1h': 2.0, 'amount_sum_1h': 7.0}
    """

    def __init__(self, on: list[str] | str | None = None,
                 how: tuple[str, ...] | list[str] = ("count", "sum", "mean", "std", "min",
                                                      "max"),
                 windows: tuple[Any, ...] | list[Any] = ("1h",), kind: str = "sliding",
                 distinct: list[str] | str | None = None, by: str | None = None,
                 time: str | None = None):
        self.on = on
        self.how = how
        self.windows = windows
        self.kind = kind
        self.distinct = distinct
        self.by = by
        self.time = time

    @classmethod
    def _check_instances(cls) -> list[WindowedAggregates]:
        # the conformance stream has times and a categorical column but no keys: key by it
        return [cls(on=["x0", "x1", "x3"], windows=[50.0], by="colour"),
                cls(on="x0", how=["sum", "std"], windows=[20, 100], kind="tumbling",
                    distinct="colour")]

    # ------------------------------------------------------------------ configuration
    def _config(self) -> dict[str, Any]:
        on = _names(self, "on", self.on)
        distinct = _names(self, "distinct", self.distinct)
        how = (self.how,) if isinstance(self.how, str) else self.how
        if not isinstance(how, list | tuple) or not how or not all(
                h in kernels.AGGREGATES for h in how):
            _fail(self, "how", "a list of aggregates among " + ", ".join(
                repr(a) for a in kernels.AGGREGATES), self.how)
        if not isinstance(self.windows, list | tuple) or not self.windows:
            _fail(self, "windows", "a non-empty list of durations", self.windows)
        check_choice(self, "kind", self.kind, ("sliding", "tumbling"))
        for name in ("by", "time"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                _fail(self, name, "None or a column name", getattr(self, name))
        if not on and not distinct:
            _fail(self, "on", "given (or 'distinct' given)", self.on)
        windows = [window_seconds(self, w) for w in self.windows]
        names = [f"{c}_{h}_{label}" for c in on for h in how for _, label in windows]
        names += [f"{c}_distinct_{label}" for c in distinct for _, label in windows]
        seconds = np.array([length for length, _ in windows])
        return {"on": on, "distinct": distinct, "names": tuple(names),
                "how": np.array([kernels.AGGREGATES.index(h) for h in how], dtype=np.int64),
                "need_std": "std" in how, "windows": seconds,
                "max_window": float(seconds.max()), "tumbling": self.kind == "tumbling"}

    # ------------------------------------------------------------------ state
    def _new_state(self, n_on: int, n_distinct: int) -> dict[str, Any]:
        return {
            "keys_": [], "categories_": [], "watermark_": -np.inf,
            "blocks_": np.zeros((0, 4), np.int64), "events_used_": 0,
            "events_": np.zeros((_INITIAL_CAPACITY, kernels.event_width(n_on, n_distinct))),
            "ring_": np.zeros((_INITIAL_CAPACITY, 2)), "ring_start_": 0, "ring_size_": 0,
        }

    def _after_restore(self) -> None:
        if "tails_" in vars(self):  # the layout before per-key blocks
            raise ValueError("this WindowedAggregates snapshot was taken by an older version "
                             "of streamlearn (one ring of events); learn the stream again")
        self._maps = None

    def _slot_maps(self, state: dict[str, Any], fitted: bool) -> tuple[SlotMap, SlotMap]:
        """(keys, categories) to slots: cached while fitted, rebuilt from the state."""
        maps = self.__dict__.get("_maps") if fitted else None
        if maps is None:
            maps = (SlotMap(state["keys_"]), SlotMap(state["categories_"]))
        return maps

    # ------------------------------------------------------------------ columns
    def _keys(self, batch: Batch) -> np.ndarray:
        if self.by is None:
            return batch.keys if batch.keys is not None else np.zeros(len(batch), np.int64)
        if self.by in batch.categorical:
            return batch.categorical[self.by]
        if self.by in batch.columns:
            return batch.X[:, batch.columns.index(self.by)]
        return np.full(len(batch), None, dtype=object)

    def _times(self, batch: Batch) -> np.ndarray:
        if self.time is None:
            times = batch.times
        elif self.time in batch.categorical:
            raise SchemaError(f"the time column {self.time!r} of WindowedAggregates holds "
                              "strings; send epoch seconds", column=self.time)
        else:
            times = batch.X[:, batch.columns.index(self.time)] if (
                self.time in batch.columns) else None
        if times is None:
            return np.full(len(batch), np.nan)
        return np.ascontiguousarray(times, dtype=np.float64)

    def _codes(self, batch: Batch, distinct: tuple[str, ...], learn: np.ndarray,
               categories: SlotMap) -> np.ndarray:
        codes = np.full((len(batch), len(distinct)), -1, dtype=np.int64)
        for d, name in enumerate(distinct):
            if name in batch.categorical:
                values = batch.categorical[name]
            elif name in batch.columns:
                values = batch.X[:, batch.columns.index(name)]
            else:
                continue
            pairs = np.empty(len(values), dtype=object)  # (column, value): one code space
            pairs[:] = [None if v is None or v != v else (d, v) for v in values.tolist()]
            codes[:, d] = categories.slots(pairs, learn)
        return codes

    # ------------------------------------------------------------------ processing
    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        params = repr(self.get_params())  # validated and parsed once per parameter set
        cached = self.__dict__.get("_config_cache")
        if cached is None or cached[0] != params:
            cached = self._config_cache = (params, self._config())
        config = cached[1]
        on, distinct = config["on"], config["distinct"]
        learning = bool(learn.any())
        fitted = hasattr(self, "events_")
        if fitted:
            state = {name: getattr(self, name) for name in _STATE}
        else:
            state = self._new_state(len(on), len(distinct))
        key_map, category_map = self._slot_maps(state, fitted)
        learn_slot = key_map.slots(self._keys(X_learn), learn)
        pred_slot = learn_slot if X_pred is X_learn else key_map.slots(self._keys(X_pred), None)
        learn_codes = self._codes(X_learn, distinct, learn, category_map)
        self._grow_blocks(state)
        on_columns = self._on_columns(X_learn, on)
        learn_time = self._times(X_learn)
        pred_time = learn_time if X_pred is X_learn else self._times(X_pred)
        # the answers are written straight after the input columns of the output matrices
        n_out = len(config["names"])
        out_pred = np.empty((len(X_pred), X_pred.X.shape[1] + n_out))
        out_pred[:, :X_pred.X.shape[1]] = X_pred.X
        shared = not learning and X_pred is X_learn  # (then the two answers are the same)
        if shared:
            out_learn = out_pred
        else:
            out_learn = np.empty((len(X_learn), X_learn.X.shape[1] + n_out))
            out_learn[:, :X_learn.X.shape[1]] = X_learn.X
            if not learn.all():
                out_learn[:, X_learn.X.shape[1]:] = np.nan  # rows not learnt
        self._run(state, config, pred_time, pred_slot, learn, learn_time, learn_slot,
                  X_learn.X, on_columns, learn_codes, len(state["categories_"]), out_pred,
                  X_pred.X.shape[1], out_learn, X_learn.X.shape[1])
        if learning:  # (without learning, nothing was registered and the state only read)
            for name, value in state.items():
                setattr(self, name, value)
            self._maps = (key_map, category_map)
        names = config["names"]
        return (X_pred.with_features(out_pred, (*X_pred.columns, *names), X_pred.categorical),
                X_learn.with_features(out_pred.copy() if shared else out_learn,
                                      (*X_learn.columns, *names), X_learn.categorical))

    @staticmethod
    def _grow_blocks(state: dict[str, Any]) -> None:
        """A block-table row for every key registered: doubling keeps growth amortised, and
        the size depends on the number of keys only."""
        n_keys, blocks = len(state["keys_"]), state["blocks_"]
        if n_keys > len(blocks):
            size = max(_INITIAL_CAPACITY, len(blocks))
            while size < n_keys:
                size *= 2
            grown = np.zeros((size, 4), np.int64)  # a key without events has no block
            grown[:len(blocks)] = blocks
            state["blocks_"] = grown

    @staticmethod
    def _on_columns(batch: Batch, on: tuple[str, ...]) -> np.ndarray:
        """The index in ``batch.X`` of each ``on`` column (-1 where the batch lacks it)."""
        for name in on:
            if name in batch.categorical:
                raise SchemaError(
                    f"WindowedAggregates aggregates numeric columns but {name!r} is "
                    "categorical; count its distinct values with distinct=[...] instead",
                    column=name)
        return np.array([batch.columns.index(name) if name in batch.columns else -1
                         for name in on], dtype=np.int64)

    def _run(self, state: dict[str, Any], config: dict[str, Any], pred_time, pred_slot,
             learn, learn_time, learn_slot, learn_X, on_columns, codes, n_categories,
             out_pred, pred_column, out_learn, learn_column) -> None:
        stamp = self.__dict__.get("_stamp")
        if stamp is None or len(stamp) < n_categories:
            size = max(n_categories, 2 * (0 if stamp is None else len(stamp)))
            stamp = self._stamp = np.zeros(size, np.int64)
            self._stamp_counter = np.zeros(1, np.int64)
        counters = np.array([state["ring_start_"], state["ring_size_"], state["events_used_"],
                             0], dtype=np.int64)
        watermark = np.array([state["watermark_"]])
        row, resume, fused = 0, False, pred_time is learn_time  # the same events
        while True:
            row = kernels.windowed_aggregates(
                row, resume, fused, pred_time, pred_slot, learn, learn_time, learn_slot,
                learn_X, on_columns, codes, config["windows"], config["tumbling"],
                config["how"], config["need_std"], config["max_window"], state["events_"],
                state["blocks_"], state["ring_"], counters, watermark, stamp,
                self._stamp_counter, out_pred, pred_column, out_learn, learn_column)
            if row == len(pred_time):
                break
            if counters[kernels.KEPT] == len(state["ring_"]):
                state["ring_"] = kernels.grow_ring(state["ring_"], int(counters[kernels.START]))
            if counters[kernels.WANTED]:
                self._compact(state, counters)
            resume = True
        state["ring_start_"], state["ring_size_"] = int(counters[0]), int(counters[1])
        state["events_used_"] = int(counters[kernels.USED])
        state["watermark_"] = float(watermark[0])

    @staticmethod
    def _compact(state: dict[str, Any], counters: np.ndarray) -> None:
        """Move the keys' blocks to a fresh event matrix with room for twice what they and
        the block asked for take; its size depends on the events so far only."""
        n_keys = len(state["keys_"])
        needed = kernels.compacted_rows(state["blocks_"], n_keys) + int(
            counters[kernels.WANTED])
        size = _INITIAL_CAPACITY
        while size < 2 * needed:
            size *= 2
        events = np.zeros((size, state["events_"].shape[1]))
        counters[kernels.USED] = kernels.compact(state["events_"], state["blocks_"], n_keys,
                                                 events)
        counters[kernels.WANTED] = 0
        state["events_"] = events
