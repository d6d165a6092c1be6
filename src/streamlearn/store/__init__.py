"""The store: SQLite by default, PostgreSQL by URL."""

from streamlearn.store.store import DEFAULT_URL, Store

__all__ = ["DEFAULT_URL", "Store"]
