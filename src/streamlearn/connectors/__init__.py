"""Sources and sinks of events."""

from streamlearn.connectors.base import Source
from streamlearn.connectors.files import CSVSource
from streamlearn.connectors.memory import ArraySource, FrameSource, IterableSource, as_source

__all__ = ["ArraySource", "CSVSource", "FrameSource", "IterableSource", "Source", "as_source"]
