"""Clustering on streams: sequential and mini-batch k-means, CluStream.

Each clusterer answers an event with a cluster index and learns without labels
(``learn_one(x)``); centres live in numpy arrays and one numba loop runs per micro-batch,
with per-event semantics (the same stream in batches of any size gives the same answers).
``cluster_sizes`` reports how many events each cluster took in.
"""

from streamlearn.cluster.clustream import CluStream
from streamlearn.cluster.denstream import DenStream
from streamlearn.cluster.minibatch_kmeans import MiniBatchKMeans
from streamlearn.cluster.streaming_kmeans import StreamingKMeans

__all__ = ["CluStream", "DenStream", "MiniBatchKMeans", "StreamingKMeans"]
