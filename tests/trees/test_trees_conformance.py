"""The trees are discovered, so tests/test_conformance.py runs the whole suite of DESIGN.md §3
on their ``_check_instances`` (grown trees, firing detectors); here it also runs on each
estimator with its default parameters."""

from __future__ import annotations

import pytest

from streamlearn.checks import check_estimator
from streamlearn.registry import all_estimators
from streamlearn.trees import __all__ as TREES


def test_every_tree_estimator_is_discovered():
    found = all_estimators()
    assert set(TREES) <= set(found)
    for name in TREES:
        assert len(found[name]._check_instances()) >= 2


@pytest.mark.parametrize("name", TREES)
def test_defaults_pass_the_conformance_suite(name):
    check_estimator(all_estimators()[name]())
