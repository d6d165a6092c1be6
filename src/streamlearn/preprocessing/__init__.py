"""Online preprocessing: scalers, encoders, feature hashing, imputers, clipping."""

from streamlearn.preprocessing.scalers import MinMaxScaler, StandardScaler

__all__ = ["MinMaxScaler", "StandardScaler"]
