"""`obs import`: the real command on the shop fixture's legacy files; importing then compiling
gives the same alerts as compiling the originals."""

from __future__ import annotations

from pathlib import Path

import yaml
from helpers import run_obs

from obs.pipeline import build

LEGACY = {"sloth": "legacy/sloth-payments.yaml", "openslo": "legacy/openslo-search.yaml",
          "prometheus": "legacy/prometheus-rules.yaml", "elastalert": "legacy/elastalert-oom.yaml"}


def rules(result) -> dict[str, list[dict]]:
    """Every generated Prometheus rule (name, expr, labels, annotations) per output file."""
    out = {}
    for a in result.artifacts:
        if a.target == "prometheus":
            out[a.path] = [r for g in yaml.safe_load(a.content)["groups"] for r in g["rules"]]
    return out


def foreign_entries(result):
    slos = {(s.service, s.name): s.spec.model_dump() for s in result.catalog.slos
            if s.service in ("payments-gateway", "search")}
    logs = {a.name: a.spec.model_dump() for a in result.catalog.log_alerts if a.name == "java-oom-errors"}
    groups = {g.name: ([r.model_dump() for r in g.rules], g.labels) for g in result.catalog.rule_groups}
    services = {n: (s.team, s.labels) for n, s in result.catalog.services.items()
                if n in ("payments-gateway", "search")}
    return slos, logs, groups, services


def test_import_writes_obs_v1_with_provenance(shop):
    done = run_obs("import", "sloth", LEGACY["sloth"], cwd=shop)
    assert done.returncode == 0, done.stderr
    docs = list(yaml.safe_load_all(done.stdout))
    assert [d["kind"] for d in docs] == ["Service"]
    (slo,) = docs[0]["spec"]["slos"]
    assert slo["name"] == "requests-availability" and slo["window"] == "30d"
    assert "# from legacy/sloth-payments.yaml:8" in done.stdout
    assert "# Imported by `obs import sloth` from legacy/sloth-payments.yaml." in done.stdout


def test_round_trip_gives_the_same_alerts(shop, tmp_path):
    original = build(shop, run_checks=False)
    out = tmp_path / "imported"
    for fmt, file in LEGACY.items():
        done = run_obs("import", fmt, file, "-o", str(out), cwd=shop)
        assert done.returncode == 0, done.stderr
        assert f"wrote {out / Path(file).name}" in done.stderr
        (shop / file).unlink()
    for path in out.iterdir():
        (shop / "legacy" / f"imported-{path.name}").write_bytes(path.read_bytes())
    imported = build(shop, run_checks=False)
    assert [d.render() for d in imported.diags if d.severity.value == "error"] == \
        [d.render() for d in original.diags if d.severity.value == "error"]
    assert rules(imported) == rules(original)
    assert foreign_entries(imported) == foreign_entries(original)


def test_wrong_format_names_the_file(shop):
    done = run_obs("import", "openslo", LEGACY["sloth"], cwd=shop)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == ("legacy/sloth-payments.yaml:2:1: error[IM040]: legacy/sloth-payments.yaml: "
                                           "this document is a Sloth spec (prometheus/v1 or sloth.slok.dev/v1), "
                                           "not openslo")


def test_unknown_format_and_missing_file_are_usage_errors(shop):
    assert run_obs("import", "nagios", "x.yaml", cwd=shop).returncode == 2
    done = run_obs("import", "sloth", "missing.yaml", cwd=shop)
    assert done.returncode == 2 and "cannot read missing.yaml" in done.stderr


def test_an_unknown_document_is_an_error_naming_the_file(shop):
    (shop / "other.yaml").write_text("kind: Dashboard\nmetadata: {name: x}\n")
    done = run_obs("import", "prometheus", "other.yaml", cwd=shop)
    assert done.returncode == 1
    assert "other.yaml:1:1: error[YM006]: other.yaml: this document is none of the formats obs reads" in done.stderr


def test_import_reports_invalid_input_instead_of_writing(shop, tmp_path):
    (shop / "bad.yaml").write_text("version: prometheus/v1\nservice: x\nslos:\n  - name: a\n    objective: 99\n"
                                   "    sli: {raw: {error_ratio_query: 'rate(x[5m])'}}\n")
    done = run_obs("import", "sloth", "bad.yaml", "-o", str(tmp_path / "o"), cwd=shop)
    assert done.returncode == 1
    assert "bad.yaml:6:36: error[IM002]: error_ratio_query does not use {{.window}}" in done.stderr
    assert not (tmp_path / "o").exists()


def test_output_onto_a_file_is_a_usage_error_not_a_crash(shop):
    done = run_obs("import", "sloth", LEGACY["sloth"], "-o", LEGACY["sloth"], cwd=shop)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[0] == f"error[CF005]: -o {LEGACY['sloth']}: not a directory"
    done = run_obs("import", "sloth", LEGACY["sloth"], "-o", LEGACY["sloth"] + "/sub", cwd=shop)
    assert done.returncode == 2 and "error[CF005]: cannot write" in done.stderr, done.stderr
    assert "OBS000" not in done.stderr


def test_a_file_without_documents_imports_as_a_file_obs_reads(shop):
    (shop / "legacy" / "empty.yaml").write_text("# nothing here yet\n")
    done = run_obs("import", "sloth", "legacy/empty.yaml", cwd=shop)
    assert done.returncode == 0, done.stderr
    assert all(line.startswith("# ") for line in done.stdout.splitlines()), done.stdout
    (shop / "legacy" / "empty.yaml").write_text(done.stdout)
    assert not [d.render() for d in build(shop, run_checks=False).diags if "empty.yaml" in d.render()]
