"""obs: observability as code — one model, many targets."""

__version__ = "0.1.0"
