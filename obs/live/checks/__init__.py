"""Live checks, one module per server; each registers with `obs.live.live_check` on import."""
