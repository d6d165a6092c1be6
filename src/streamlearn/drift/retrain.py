"""Adaptation policies: a model that watches its own errors and retrains when they drift.

Per learnt event, in this order (River's ``drift.DriftRetrainingClassifier``): the model's
prediction for the event (with its state after the events before it) gives an error that is
fed to the drift detector; on a warning a background model is started (Gama et al. 2004: the
events of a warning zone are kept to learn the next model from; the zone ending without a
drift was a false alarm and the background model is dropped); on a drift the background model,
if there is one, replaces the model, else the model is reset to an unfitted state; then the
(possibly new) model learns the event, and so does the background model if there is one.
A drift at which the errors fell (the model got better, which two-sided detectors such as
ADWIN also report) changes nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.batch import Batch, SparseBlock
from streamlearn.core.classes import ClassesMixin
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.learners import Classifier, Regressor, label_array, numeric_labels
from streamlearn.drift.adwin import ADWIN
from streamlearn.drift.base import DRIFT, STABLE, WARNING, DriftDetector
from streamlearn.drift.ddm import DDM


class _DriftRetraining(Estimator):
    """The policy, over any model: subclasses say what the error of a prediction is."""

    _default_detector: ClassVar[type[DriftDetector]]
    model: Any
    drift_detector: DriftDetector | None
    train_in_background: bool

    # ------------------------------------------------------------------ state
    def _validate(self) -> None:
        if not isinstance(self.model, Estimator) or not hasattr(self.model, "process_many"):
            raise ParameterError(f"The 'model' parameter of {type(self).__name__} must be a "
                                 f"streamlearn model. Got {self.model!r} instead.")
        if self.drift_detector is not None and not isinstance(self.drift_detector,
                                                              DriftDetector):
            raise ParameterError(f"The 'drift_detector' parameter of {type(self).__name__} "
                                 f"must be a drift detector or None. Got "
                                 f"{self.drift_detector!r} instead.")

    def _start(self) -> None:
        self._validate()
        self.n_learnt_ = 0
        self.drift_events_: list[int] = []  # positions, among learnt events, of the drifts
        self._background = None
        if self.drift_detector is None:
            self._fallback_detector = self._default_detector()

    @property
    def detector(self) -> DriftDetector:
        """The detector watching the errors (``drift_detector``, or the default one)."""
        if self.drift_detector is not None:
            return self.drift_detector
        fallback = self.__dict__.get("_fallback_detector")
        if fallback is None:
            fallback = self._fallback_detector = self._default_detector()
        return fallback

    @property
    def background_model(self) -> Any:
        """The model learning since the warning zone began (None outside one)."""
        return self.__dict__.get("_background")

    def snapshot(self) -> dict[str, Any]:
        snap = super().snapshot()
        background = self.background_model
        extra = {"background": None if background is None else background.snapshot()}
        if self.drift_detector is None and hasattr(self, "n_learnt_"):
            extra["detector"] = self.detector.snapshot()
        snap["state"]["models_"] = extra
        return snap

    def _after_restore(self) -> None:
        extra = self.__dict__.pop("models_", None) or {}
        background = extra.get("background")
        self._background = (None if background is None
                            else self.model.clone().restore(background))
        if "detector" in extra:
            self._fallback_detector = self._default_detector().restore(extra["detector"])
        else:
            self.__dict__.pop("_fallback_detector", None)

    def _dynamic_tags(self) -> dict[str, Any]:
        tags = self.model.tags
        return {key: tags[key] for key in ("binary_only", "handles_categorical")}

    # ------------------------------------------------------------------ subclass hooks
    def _errors(self, answers: np.ndarray, y: np.ndarray, context: Any
                ) -> tuple[np.ndarray, np.ndarray]:
        """(error of each row, whether the row has a prediction to judge)."""
        raise NotImplementedError

    def _context(self) -> Any:
        """What ``_errors`` needs to read the model's answers (its classes)."""
        return None

    def _begin(self, X_learn: Batch, learn: np.ndarray) -> None:
        """Bookkeeping before the rows are processed (the classes of the labels)."""

    def _place(self, out: Any, rows: slice, answers: np.ndarray, context: Any) -> Any:
        raise NotImplementedError

    def _empty_answers(self, n: int) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------------ the batch primitive
    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> Any:
        if not hasattr(self, "n_learnt_"):
            if not learn.any():  # nothing learnt yet: the model answers, unchanged
                return self.model.process_many(X_pred, X_learn, learn)
            self._start()
        if learn.any() and X_learn.y is None:
            raise SchemaError(f"{type(self).__name__} needs labels to learn; none were given")
        self._begin(X_learn, learn)
        n = len(learn)
        out = self._empty_answers(n)
        position = 0
        while position < n:
            rows = slice(position, n)
            answers, judged, context = self._run(X_pred.take(rows) if position else X_pred,
                                                 X_learn.take(rows) if position else X_learn,
                                                 learn[rows])
            out = self._place(out, rows, answers, context)
            drift_row = self._watch(X_learn, learn, position, judged)
            if drift_row < 0:
                break
            self._adapt(X_learn, learn, drift_row)
            position = drift_row + 1
        self.n_learnt_ += int(learn.sum())
        return out

    def _run(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, Any]:
        """The model answers and learns the rows; returns its answers, the error of each
        learnt row (NaN where there is nothing to judge) and the context of the answers."""
        if X_pred is X_learn:  # test-then-train: the answer is the prediction judged
            answers = self.model.process_many(X_pred, X_learn, learn)
            judged_answers = answers
        else:  # both, row by row: answer X_pred[i], then judge and learn X_learn[i]
            both = _interleave(X_pred, X_learn)
            twice = np.zeros(2 * len(learn), dtype=np.bool_)
            twice[1::2] = learn
            both_answers = self.model.process_many(both, both, twice)
            answers, judged_answers = both_answers[0::2], both_answers[1::2]
        context = self._context()
        judged = np.full(len(learn), np.nan)
        if learn.any():
            errors, known = self._errors(judged_answers[learn], X_learn.y[learn], context)
            rows = np.flatnonzero(learn)[known]
            judged[rows] = errors[known]
        return answers, judged, context

    def _watch(self, X_learn: Batch, learn: np.ndarray, offset: int,
               judged: np.ndarray) -> int:
        """Feed the errors to the detector up to the first drift, keep the background model
        in step with the warnings; returns the row of the drift (-1 if none)."""
        rows = np.flatnonzero(~np.isnan(judged))
        detector = self.detector
        parts, fed, drifted = [], 0, False
        while fed < len(rows) and not drifted:
            part = detector._statuses_until_drift(judged[rows[fed:]])
            fed += len(part)
            drifted = part[-1] == DRIFT
            if drifted and not detector._drift_raised_values():
                # the errors fell: the model got better, there is nothing to adapt
                part = part.copy()
                part[-1] = STABLE
                drifted = False
            parts.append(part)
        statuses = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int8)
        end = offset + (int(rows[len(statuses) - 1]) if drifted else len(judged))
        if self.train_in_background and len(statuses):
            self._follow_warnings(X_learn, learn, offset, rows[:len(statuses)] + offset,
                                  statuses, end)
        return end if drifted else -1

    def _follow_warnings(self, X_learn: Batch, learn: np.ndarray, offset: int,
                         rows: np.ndarray, statuses: np.ndarray, end: int) -> None:
        """The background model learns the learnt rows of the last warning zone before
        ``end``: started at its first warning, dropped when the detector is stable again."""
        stable = np.flatnonzero(statuses == STABLE)
        start = offset
        if len(stable):
            self._background = None  # a stable value ends any warning zone
            start = int(rows[stable[-1]]) + 1
        warnings = np.flatnonzero((statuses == WARNING) & (rows >= start))
        if self._background is None:
            if not len(warnings):
                return
            self._background = self.model.clone()
            start = int(rows[warnings[0]])
        span = slice(start, end)
        if learn[span].any():
            part = X_learn.take(span)
            self._background.process_many(part, part, learn[span])

    def _adapt(self, X_learn: Batch, learn: np.ndarray, row: int) -> None:
        """A drift at ``row``: promote the background model (or reset the model), record the
        event, and let the new model learn the row."""
        self.drift_events_.append(self.n_learnt_ + int(learn[:row].sum()))
        fresh = self._background if self._background is not None else self.model.clone()
        self.model.restore(fresh.snapshot())
        self._background = None
        one = X_learn.take(slice(row, row + 1))
        self.model.process_many(one, one, learn[row:row + 1])

    @property
    def n_drifts(self) -> int:
        """How many drifts led to a new model."""
        return len(getattr(self, "drift_events_", []))


class DriftRetrainingClassifier(ClassesMixin, _DriftRetraining, Classifier):
    """A classifier that retrains when its error rate drifts.

    Each learnt event's prediction is judged (1 for a mistake, 0 otherwise) and fed to
    ``drift_detector`` (a :class:`DDM` by default, as in River). With
    ``train_in_background`` a background model starts learning at the first warning and
    replaces ``model`` at the drift (Gama et al. 2004, "Learning with drift detection"); the
    warning zone ending without a drift drops it. Without one, or with a detector that has no
    warning zone (:class:`ADWIN`, :class:`PageHinkley`, :class:`KSWIN`), ``model`` is reset
    at the drift and learns again from that event on. ``model`` is the live model (reset and
    replaced in place); ``drift_events_`` lists the positions, among learnt events, of the
    drifts. The classes are all those ever learnt, in order of appearance; a class the
    current model has not (re)learnt gets probability 0.

    >>> from streamlearn.datasets import SEA
    >>> from streamlearn.bayes import GaussianNB
    >>> from streamlearn.evaluate import prequential
    >>> from streamlearn import metrics
    >>> data = SEA(seed=3, variant=0, drift_every=5000).take(20_000)
    >>> model = DriftRetrainingClassifier(GaussianNB())
    >>> report = prequential(data, model, [metrics.Accuracy()])
    >>> model.drift_events_  # the concept changes every 5,000 events
    [5540, 11499, 11533, 15285]
    >>> round(report.metrics["Accuracy"], 4)  # 0.8371 for GaussianNB alone
    0.8656
    """

    _default_detector = DDM

    @classmethod
    def _check_instances(cls) -> list[DriftRetrainingClassifier]:
        from streamlearn.bayes import GaussianNB
        from streamlearn.drift.hddm_a import HDDM_A
        from streamlearn.linear import LogisticRegression
        from streamlearn.preprocessing import StandardScaler

        return [cls(GaussianNB()),
                cls(StandardScaler() | LogisticRegression(), drift_detector=HDDM_A()),
                cls(GaussianNB(), drift_detector=ADWIN(clock=4), train_in_background=False)]

    def __init__(self, model: Any, drift_detector: DriftDetector | None = None,
                 train_in_background: bool = True):
        self.model = model
        self.drift_detector = drift_detector
        self.train_in_background = train_in_background

    def _start(self) -> None:
        super()._start()
        self.classes_ = list(self.model.known_classes)

    @property
    def known_classes(self) -> list[Any]:
        if hasattr(self, "classes_"):
            return list(self.classes_)
        return list(self.model.known_classes)

    def _begin(self, X_learn: Batch, learn: np.ndarray) -> None:
        self.encode_labels(X_learn.y, learn)

    def _context(self) -> Any:
        return list(self.model.known_classes)

    def _errors(self, answers: np.ndarray, y: np.ndarray, context: Any
                ) -> tuple[np.ndarray, np.ndarray]:
        known = answers.sum(axis=1) > 0 if answers.shape[1] else np.zeros(len(y), bool)
        if not known.any():
            return np.zeros(len(y)), known
        labels = label_array(context)[np.argmax(answers, axis=1)]
        different = np.asarray(labels != y)
        if different.shape != (len(y),):  # labels numpy cannot compare element-wise
            different = np.array([a != b for a, b in zip(labels.tolist(), y.tolist())])
        return different.astype(np.float64), known

    def _empty_answers(self, n: int) -> np.ndarray:
        return np.zeros((n, len(self.classes_)))

    def _place(self, out: np.ndarray, rows: slice, answers: np.ndarray, context: Any
               ) -> np.ndarray:
        if len(self.classes_) > out.shape[1]:
            out = np.pad(out, ((0, 0), (0, len(self.classes_) - out.shape[1])))
        position = {label: k for k, label in enumerate(self.classes_)}
        columns = [position[label] for label in context]
        out[rows] = 0.0  # rows answered before a drift by the model it replaced
        out[rows, columns] = answers
        return out


class DriftRetrainingRegressor(_DriftRetraining, Regressor):
    """A regressor that retrains when its absolute error drifts.

    Each learnt event's absolute error ``|prediction - target|`` is fed to
    ``drift_detector`` (an :class:`ADWIN` by default: it needs no bound on the values); on a
    drift ``model`` is reset (or, with ``train_in_background`` and a detector that warns,
    replaced by the model learning since the warning). ``drift_events_`` lists the positions,
    among learnt events, of the drifts.

    >>> import numpy as np
    >>> from streamlearn.linear import LinearRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(4000, 2))
    >>> y = np.where(np.arange(4000) < 2000, X @ [1.0, 2.0], X @ [-3.0, 1.0])
    >>> model = DriftRetrainingRegressor(LinearRegression(learning_rate=0.05))
    >>> _ = model.learn_many(X, y)
    >>> model.drift_events_
    [2015]
    """

    _default_detector = ADWIN

    @classmethod
    def _check_instances(cls) -> list[DriftRetrainingRegressor]:
        from streamlearn.linear import LinearRegression
        from streamlearn.preprocessing import StandardScaler

        return [cls(StandardScaler() | LinearRegression()),
                cls(LinearRegression(), drift_detector=ADWIN(delta=0.5, clock=1))]

    def __init__(self, model: Any, drift_detector: DriftDetector | None = None,
                 train_in_background: bool = True):
        self.model = model
        self.drift_detector = drift_detector
        self.train_in_background = train_in_background

    def _errors(self, answers: np.ndarray, y: np.ndarray, context: Any
                ) -> tuple[np.ndarray, np.ndarray]:
        targets = numeric_labels(self, y, np.ones(len(y), dtype=bool))
        errors = np.abs(answers - targets)
        return errors, np.isfinite(errors)

    def _empty_answers(self, n: int) -> np.ndarray:
        return np.zeros(n)

    def _place(self, out: np.ndarray, rows: slice, answers: np.ndarray, context: Any
               ) -> np.ndarray:
        out[rows] = answers
        return out


def _interleave(first: Batch, second: Batch) -> Batch:
    """Rows ``first[0], second[0], first[1], second[1], ...`` over the union of columns."""
    n = len(first)
    if first.y is None and second.y is not None:
        first = first.with_labels(second.y)
    both = Batch.concat([first, second])
    if first.sparse is not None or second.sparse is not None:
        both = Batch(both.X, both.columns, both.categorical, both.y, both.ids, both.times,
                     both.keys, _stack_sparse(first, second))
    order = np.empty(2 * n, dtype=np.int64)
    order[0::2] = np.arange(n)
    order[1::2] = n + np.arange(n)
    return both.take(order)


def _stack_sparse(first: Batch, second: Batch) -> SparseBlock:
    blocks = [b.sparse for b in (first, second)]
    width = next(b.width for b in blocks if b is not None)
    parts = [b if b is not None else SparseBlock(np.zeros(len(batch) + 1, dtype=np.int64),
                                                 np.zeros(0, dtype=np.int64), np.zeros(0),
                                                 width)
             for b, batch in zip(blocks, (first, second))]
    indptr = np.concatenate([parts[0].indptr, parts[1].indptr[1:] + parts[0].indptr[-1]])
    return SparseBlock(indptr, np.concatenate([p.indices for p in parts]),
                       np.concatenate([p.values for p in parts]), width)
