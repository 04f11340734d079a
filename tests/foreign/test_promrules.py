"""Prometheus rule files and PrometheusRule objects read as RuleGroups, re-emitted with the
project's labels, and accepted by promtool."""

from __future__ import annotations

import subprocess

import yaml
from foreign_helpers import errors, findings

RULES = """
groups:
  - name: node.health
    interval: 1m
    labels: {team: infra, tier: "0"}
    rules:
      - alert: NodeFilesystemAlmostFull
        expr: (node_filesystem_avail_bytes / node_filesystem_size_bytes) < 0.1
        for: 30m
        labels: {severity: warning}
        annotations: {summary: "Filesystem on {{ $labels.instance }} almost full"}
      - record: instance:up:sum
        expr: sum by (instance) (up)
      - record: always_one
        expr: 1
"""

OPERATOR = """
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: kube, namespace: monitoring, labels: {prometheus: k8s}}
spec:
  groups:
    - name: kube-apps
      partial_response_strategy: warn
      rules:
        - alert: KubePodCrashLooping
          expr: increase(kube_pod_container_status_restarts_total[15m]) > 3
          labels: {severity: warning}
          annotations: {summary: crash looping}
"""


def test_groups_become_rule_groups(project):
    result = project({"rules.yaml": RULES, "operator.yaml": OPERATOR})
    assert errors(result) == []
    groups = {g.name: g for g in result.catalog.rule_groups}
    assert sorted(groups) == ["kube-apps", "node-health"]
    node = groups["node-health"]
    assert node.team == "infra" and node.labels["tier"] == "0" and node.labels["team"] == "infra"
    assert node.interval == "1m"
    assert [r.name for r in node.rules] == ["NodeFilesystemAlmostFull", "instance:up:sum", "always_one"]
    assert node.rules[2].expr == "1"
    assert node.origin.format == "prometheus" and node.rules[0].pos.line == 6
    assert groups["kube-apps"].origin.format == "prometheus-operator"
    assert findings(result) == ["operator.yaml:7:7: warning[IM021]: partial_response_strategy is a Thanos field "
                                "obs does not carry; it is left out"]


def test_compiled_rules_carry_project_labels_and_pass_promtool(project, promtool, tmp_path):
    result = project({"rules.yaml": RULES, "operator.yaml": OPERATOR,
                      "obs.yaml": "apiVersion: obs/v1\nkind: Project\nmetadata: {name: t}\nspec:\n"
                                  "  sources: ['*.yaml']\n  targets: [prometheus]\n"
                                  "  defaults: {labels: {cluster: prod}}\n"})
    files = {a.path: a for a in result.artifacts if a.target == "prometheus"}
    assert "prometheus/node-health.rules.yaml" in files
    for path, artifact in files.items():
        out = tmp_path / path.replace("/", "_")
        out.write_bytes(artifact.content if isinstance(artifact.content, bytes) else artifact.content.encode())
        check = subprocess.run([promtool, "check", "rules", str(out)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    data = yaml.safe_load(files["prometheus/node-health.rules.yaml"].content)
    alert = data["groups"][0]["rules"][0]
    assert alert["alert"] == "NodeFilesystemAlmostFull"
    assert alert["labels"] == {"cluster": "prod", "team": "infra", "tier": "0", "severity": "warning"}
    assert alert["expr"] == "(node_filesystem_avail_bytes / node_filesystem_size_bytes) < 0.1"
