"""Helpers for one-SLO projects (imported by the SLO tests)."""

from __future__ import annotations

from pathlib import Path

PROJECT = """apiVersion: obs/v1
kind: Project
metadata: {name: one}
spec:
  sources: ["svc.yaml"]
  targets: [prometheus]
"""


def one_slo(root: Path, sli: str, window: str = "30d") -> Path:
    (root / "obs.yaml").write_text(PROJECT)
    (root / "svc.yaml").write_text(f"""apiVersion: obs/v1
kind: Service
metadata: {{name: svc, team: core}}
spec:
  slos:
    - name: good
      objective: 99.9
      window: {window}
      sli:
        {sli}
""")
    return root
