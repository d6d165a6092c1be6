"""Composition: pipelines (``a | b``), transformer unions, column selection."""

from streamlearn.compose.explain import (
    Explanation,
    NotExplainableError,
    explain_many,
    explain_one,
)
from streamlearn.compose.pipeline import Pipeline
from streamlearn.compose.select import Discard, Select
from streamlearn.compose.union import TransformerUnion

__all__ = ["Discard", "Explanation", "NotExplainableError", "Pipeline", "Select",
           "TransformerUnion", "explain_many", "explain_one"]
