"""The work behind each CLI command: build a task, run it, return diagnostics and output."""
