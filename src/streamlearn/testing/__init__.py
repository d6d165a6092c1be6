"""streamlearn's test kit: what its own tests use, and yours can too."""

from streamlearn.testing.delayed import DelayedLabels
from streamlearn.testing.services import service_url, tcp_reachable, unavailable

__all__ = ["DelayedLabels", "service_url", "tcp_reachable", "unavailable"]
