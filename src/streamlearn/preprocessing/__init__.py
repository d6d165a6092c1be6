"""Online preprocessing: scalers, encoders, feature hashing, imputers, clipping."""

from streamlearn.preprocessing.clip import Clipper
from streamlearn.preprocessing.feature_hasher import FeatureHasher
from streamlearn.preprocessing.impute import ConstantImputer, MeanImputer, PreviousImputer
from streamlearn.preprocessing.max_abs import MaxAbsScaler
from streamlearn.preprocessing.most_frequent import MostFrequentImputer
from streamlearn.preprocessing.one_hot import OneHotEncoder
from streamlearn.preprocessing.scalers import MinMaxScaler, StandardScaler

__all__ = [
    "Clipper",
    "ConstantImputer",
    "FeatureHasher",
    "MaxAbsScaler",
    "MeanImputer",
    "MinMaxScaler",
    "MostFrequentImputer",
    "OneHotEncoder",
    "PreviousImputer",
    "StandardScaler",
]
