"""Composition: pipelines (``a | b``), transformer unions, column selection."""

from streamlearn.compose.pipeline import Pipeline
from streamlearn.compose.select import Discard, Select
from streamlearn.compose.union import TransformerUnion

__all__ = ["Discard", "Pipeline", "Select", "TransformerUnion"]
