"""Core types: the micro-batch, the schema, the estimator base, errors."""

from streamlearn.core.base import Estimator, states_equal
from streamlearn.core.batch import Batch, as_batch
from streamlearn.core.errors import (
    MissingExtraError,
    NotFittedError,
    ParameterError,
    SchemaError,
    StreamlearnError,
)
from streamlearn.core.learners import Classifier, Model, Regressor, Transformer
from streamlearn.core.schema import Schema

__all__ = [
    "Batch",
    "Classifier",
    "Estimator",
    "MissingExtraError",
    "Model",
    "NotFittedError",
    "ParameterError",
    "Regressor",
    "Schema",
    "SchemaError",
    "StreamlearnError",
    "Transformer",
    "as_batch",
    "states_equal",
]
