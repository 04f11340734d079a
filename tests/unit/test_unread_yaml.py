"""`.yml` files and files beside the source patterns are read or named, never silently
ignored (issue #11): the default and `obs init` patterns read both suffixes, and a YAML file
inside a folder the patterns read, which no pattern matches, is a CF010 warning at that file."""

from __future__ import annotations

from pathlib import Path

from helpers import run_obs

from obs.pipeline import build

SERVICE = "apiVersion: obs/v1\nkind: Service\nmetadata: {{name: {name}, team: core}}\n"


def project(root: Path, sources: str | None, files: dict[str, str]) -> Path:
    spec = f"spec:\n  sources: {sources}\n  targets: [prometheus]\n" if sources else "spec: {targets: [prometheus]}\n"
    (root / "obs.yaml").write_text(f"apiVersion: obs/v1\nkind: Project\nmetadata: {{name: p}}\n{spec}")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def warnings(root: Path, code: str) -> list[str]:
    return [d.render() for d in build(root).diags.sorted() if d.code == code]


def test_default_patterns_read_yml_files_without_noise(tmp_path):
    root = project(tmp_path, None, {"services/a.yaml": SERVICE.format(name="a"),
                                    "services/b.yml": SERVICE.format(name="b")})
    result = build(root)
    assert sorted(result.catalog.services) == ["a", "b"]
    assert [d.render() for d in result.diags.items] == []  # no CF003 for the `**/*.yml` twin, no CF010


def test_init_patterns_read_yml_files(tmp_path):
    assert run_obs("init", str(tmp_path), cwd=tmp_path).returncode == 0
    (tmp_path / "services" / "more.yml").write_text(SERVICE.format(name="more"))
    result = build(tmp_path)
    assert "more" in result.catalog.services
    assert [d.render() for d in result.diags.items if d.code.startswith("CF")] == []


def test_a_yml_beside_a_yaml_pattern_is_named_at_that_file(tmp_path):
    root = project(tmp_path, '["services/*.yaml"]', {"services/a.yaml": SERVICE.format(name="a"),
                                                      "services/b.yml": SERVICE.format(name="b")})
    result = build(root)
    assert "b" not in result.catalog.services
    (d,) = [d for d in result.diags.items if d.code == "CF010"]
    assert d.render() == ("services/b.yml:1:1: warning[CF010]: services/b.yml is a YAML file in a sources folder, "
                          "but no source pattern of obs.yaml matches it: obs does not read it")
    assert d.hint == "add a pattern such as 'services/*.yml' to spec.sources in obs.yaml, or move the file out of " \
                     "the folder"


def test_a_subfolder_below_a_flat_pattern_is_named(tmp_path):
    root = project(tmp_path, '["services/*.yaml"]', {"services/a.yaml": SERVICE.format(name="a"),
                                                      "services/payments/c.yaml": SERVICE.format(name="c")})
    assert [w.split(": warning")[0] for w in warnings(root, "CF010")] == ["services/payments/c.yaml:1:1"]


def test_what_obs_reads_otherwise_or_never_owns_is_not_named(tmp_path):
    root = project(tmp_path, '["*.yaml", "services/*.yaml"]', {
        "services/a.yaml": SERVICE.format(name="a"),
        "tests/a.yaml": "rule_files: [a]\ntests: []\n",          # promtool tests (spec.tests): read by obs test
        "out/prometheus/a.rules.yaml": "groups: []\n",            # obs's own output
        "services/.hidden/x.yml": "a: 1\n",                       # hidden folders
        "ci/gitlab-ci.yml": "a: 1\n",                              # below the root, which `*.yaml` does not reach
        "docker-compose.yml": "a: 1\n",                            # at the root `*.yaml` reads: named
    })
    assert [w.split(": warning")[0] for w in warnings(root, "CF010")] == ["docker-compose.yml:1:1"]


def test_an_empty_pattern_is_reported_once_with_its_twin(tmp_path):
    root = project(tmp_path, '["services/*.yaml", "services/*.yml", "alerts/*.yaml", "alerts/*.yml"]',
                   {"services/a.yaml": SERVICE.format(name="a")})
    assert warnings(root, "CF003") == ["obs.yaml:5:12: warning[CF003]: source patterns 'alerts/*.yaml', "
                                       "'alerts/*.yml' match no file"]
