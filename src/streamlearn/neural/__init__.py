"""Deep learning on streams with PyTorch (extra ``deep``: ``pip install 'streamlearn[deep]'``).

- :class:`MLPClassifier`, :class:`MLPRegressor`: feed-forward networks whose input and output
  layers grow when features and classes appear;
- :class:`Autoencoder`: anomaly scores from the reconstruction error;
- :class:`LSTMForecaster`, :class:`LSTMClassifier`: LSTM or GRU over a sliding window of
  events per key;
- :class:`TorchModel`: any ``torch.nn.Module`` of yours;
- :func:`save` / :func:`load`: a model as a safetensors file with a JSON header.

Importing this package does not import torch; a model does, the first time it learns, and a
missing torch fails with a message naming the extra.
"""

from streamlearn.neural._io import load, save
from streamlearn.neural.autoencoder import Autoencoder
from streamlearn.neural.lstm import LSTMClassifier, LSTMForecaster
from streamlearn.neural.mlp import MLPClassifier, MLPRegressor
from streamlearn.neural.torch_model import TorchModel

__all__ = [
    "Autoencoder",
    "LSTMClassifier",
    "LSTMForecaster",
    "MLPClassifier",
    "MLPRegressor",
    "TorchModel",
    "load",
    "save",
]
