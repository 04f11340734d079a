"""One pusher module per apply target; each registers with `obs.apply.pusher.register` on import."""
