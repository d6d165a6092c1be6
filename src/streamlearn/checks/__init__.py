"""The public conformance suite every estimator passes (DESIGN.md §3)."""

from streamlearn.checks.conformance import (
    ALL_CHECKS,
    check_batch_size_invariance,
    check_clone,
    check_estimator,
    check_finite_outputs,
    check_one_and_many_agree,
    check_prediction_leaves_state,
    check_snapshot_restore,
    check_snapshot_serialises,
)
from streamlearn.checks.streams import stream_for

__all__ = [
    "ALL_CHECKS",
    "check_batch_size_invariance",
    "check_clone",
    "check_estimator",
    "check_finite_outputs",
    "check_one_and_many_agree",
    "check_prediction_leaves_state",
    "check_snapshot_restore",
    "check_snapshot_serialises",
    "stream_for",
]
