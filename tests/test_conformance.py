"""Every exported estimator passes the conformance suite of DESIGN.md §3."""

from __future__ import annotations

import pytest

from streamlearn.checks import ALL_CHECKS
from streamlearn.registry import all_estimators


def _instances():
    for name, cls in sorted(all_estimators().items()):
        factory = getattr(cls, "_check_instances", None)
        for k, estimator in enumerate(factory() if factory else [cls()]):
            yield pytest.param(estimator, id=f"{name}-{k}")


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("estimator", list(_instances()))
def test_conformance(estimator, check):
    check(estimator)


def test_discovery_finds_the_core_estimators():
    names = set(all_estimators())
    assert {"StandardScaler", "MinMaxScaler", "LogisticRegression", "Pipeline"} <= names
