"""Small projects for the apply tests: obs.yaml with an environment `local` whose server URLs are
`{env: ...}` values, services with rule groups evaluated every second, compiled by the real obs."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.helpers import run_obs

#: a recognisable secret: no plan, diff, log line or error may ever show it
SECRET = "s3cr3t-hook-token-7f3a9c"
HOOK_URL = f"https://hooks.example.com/services/{SECRET}"


def write_project(root: Path, services: dict[str, str], env: str, targets: str = "prometheus",
                  extra: dict[str, str] | None = None) -> Path:
    """services: name → expr of its recording rule. env: the YAML of environments.local."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(
        "apiVersion: obs/v1\nkind: Project\nmetadata: {name: demo}\n"
        f"spec:\n  sources: ['*.yaml']\n  targets: [{targets}]\n  environments:\n    local:\n"
        + "".join(f"      {line}\n" for line in env.strip("\n").splitlines()))
    for old in root.glob("svc-*.yaml"):
        old.unlink()
    for name, expr in services.items():
        (root / f"svc-{name}.yaml").write_text(f"""apiVersion: obs/v1
kind: Service
metadata: {{name: {name}, team: web}}
spec: {{namespace: web, runtime: go, dashboards: []}}
---
apiVersion: obs/v1
kind: RuleGroup
metadata: {{name: {name}-rules, service: {name}}}
spec:
  interval: 1s
  rules:
    - record: {name.replace('-', '_')}:demo:value
      expr: {expr}
""")
    for rel, text in (extra or {}).items():
        (root / rel).write_text(text)
    return root


def compile_ok(root: Path) -> None:
    r = run_obs("compile", cwd=root)
    assert r.returncode == 0, r.stderr


def obs(root: Path, *args: str, env: dict | None = None, path: str | None = None):
    """Run obs as a user would, with extra environment variables (and another PATH if given)."""
    full = {**os.environ, **(env or {})}
    if path is not None:
        full["PATH"] = path
    return run_obs(*args, cwd=root, env=full)


def path_without(*tools: str) -> str:
    """PATH without the folders holding these tools (a CI runner that lacks them)."""
    keep = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not any((Path(d) / t).exists() for t in tools)]
    return os.pathsep.join(keep)


def files(folder: Path) -> dict[str, str]:
    """Every file in a folder (dot files too), name → text."""
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if p.is_file()}


def no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert not re.search(r"hooks\.example\.com/services/\w", text)


WEB_HOOK = """apiVersion: obs/v1
kind: Channel
metadata: {name: web-hook}
spec: {type: webhook, url: {env: WEB_HOOK_URL}}
"""


def write_logs_project(root: Path, alerts: list[str], env: str, targets: str = "watcher") -> Path:
    """A service with one log alert per name (count > 5 in 5m, to the webhook channel web-hook)."""
    log_targets = ", ".join(t for t in targets.replace(" ", "").split(",")
                            if t in ("elastalert", "watcher", "opensearch-monitor"))
    items = "".join(f"""
    - name: {name}
      query: 'log:"{name}"'
      when: count > 5 in 5m
      severity: warning
      summary: {name} in the logs
      notify: [web-hook]""" for name in alerts)
    service = f"""apiVersion: obs/v1
kind: Service
metadata: {{name: api, team: web}}
spec:
  namespace: web
  runtime: go
  dashboards: []
  logAlerts:{items}
"""
    root.mkdir(parents=True, exist_ok=True)
    (root / "obs.yaml").write_text(
        "apiVersion: obs/v1\nkind: Project\nmetadata: {name: demo}\n"
        f"spec:\n  sources: ['*.yaml']\n  targets: [{targets}]\n"
        f"  defaults: {{logs: {{targets: [{log_targets}]}}}}\n  environments:\n    local:\n"
        + "".join(f"      {line}\n" for line in env.strip("\n").splitlines()))
    (root / "svc-api.yaml").write_text(service)
    (root / "channels.yaml").write_text(WEB_HOOK)
    return root
