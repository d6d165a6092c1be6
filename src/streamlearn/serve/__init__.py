"""Serving a live model over HTTP (extra ``serve``)."""

from streamlearn.serve.service import ModelService

__all__ = ["ModelService", "create_app"]


def __getattr__(name: str):
    if name == "create_app":  # FastAPI loads only when the app is built
        from streamlearn.serve.app import create_app

        return create_app
    raise AttributeError(f"module 'streamlearn.serve' has no attribute {name!r}")
