"""Contract tests: `obs diff/apply --bootstrap DIR` pushes the objects `obs bootstrap` rendered for
both cluster profiles (kubesphere, kube-prometheus) of examples/shop through the kubernetes
target's pusher, against the stateful loopback API server of tests/apply/kube_api.py (recordings
of the documented v1.31 API: discovery /apis and /apis/<group>/<version>, server-side apply,
refusals as v1 Status). No API server runs here."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.apply.apply_helpers import obs
from tests.apply.kube_api import KubeApiServer
from tests.helpers import REPO, copy_shop_fixture, copy_tree, run_obs

pytestmark = pytest.mark.contract

PREFIX = "/k8s/clusters/prod-sh"
TOKEN = "kube-t0ken-b00t5trap"
NS = "kubesphere-monitoring-system"
CORE, APPS = "/api/v1", "/apis/apps/v1"
#: recognisable values of the notification-manager Secret's variables: never printed
SECRETS = {"DINGTALK_PAYMENTS_URL": "https://oapi.dingtalk.com/robot/send?access_token=d1ngS3cr3t9a",
           "SMTP_PASSWORD": "smtpS3cr3t-4b2e", "WECOM_FULFILMENT_WEBHOOK": "https://qyapi.weixin.qq.com/k=w3c0mS3cr3t"}
OTHER = {"ES_API_KEY": "es-k3y-7d1f", "GRAFANA_TOKEN": "gr4fana-t0k"}
PROFILES = ("kubesphere", "kube-prometheus")


@pytest.fixture
def api():
    with KubeApiServer(PREFIX) as server:
        yield server


def shop(tmp_path: Path, fixture: bool = False) -> Path:
    root = tmp_path / "shop"
    if fixture:
        copy_shop_fixture(root)
    else:
        copy_tree(REPO / "examples" / "shop", root)
    return root


#: renders by (project's bytes, profile, --set): obs bootstrap is deterministic, so each is run once
_RENDERED: dict[tuple, dict[str, bytes]] = {}


def render(root: Path, profile: str, *sets: str) -> Path:
    """`obs bootstrap -p PROFILE -o stack --env prod` in root (run once per project and arguments)."""
    stack = root / "stack"
    sources = hashlib.sha256(b"".join(p.relative_to(root).as_posix().encode() + p.read_bytes()
                                      for p in sorted(root.rglob("*")) if p.is_file()
                                      and p.relative_to(root).parts[0] not in ("stack", "out"))).hexdigest()
    key = (sources, profile, sets)
    if key not in _RENDERED:
        args = [a for s in sets for a in ("--set", s)]
        r = run_obs("bootstrap", "-p", profile, "-o", "stack", "--env", "prod", *args, cwd=root)
        assert r.returncode == 0, r.stderr
        _RENDERED[key] = {p.name: p.read_bytes() for p in stack.iterdir()}
        return stack
    shutil.rmtree(stack, ignore_errors=True)
    stack.mkdir()
    for name, data in _RENDERED[key].items():
        (stack / name).write_bytes(data)
    return stack


def kubeconfig(root: Path, server: str) -> str:
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "other",
           "clusters": [{"name": "prod", "cluster": {"server": server + PREFIX}}],
           "users": [{"name": "ci", "user": {"token": TOKEN}}],
           "contexts": [{"name": "prod-sh", "context": {"cluster": "prod", "user": "ci"}},
                        {"name": "other", "context": {"cluster": "prod", "user": "nobody"}}]}
    path = root.parent / "kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def run(root: Path, api, *args: str):
    r = obs(root, *args, "--env", "prod", env={"KUBECONFIG": kubeconfig(root, api.url), **SECRETS, **OTHER})
    text = r.stdout + r.stderr
    for value in [TOKEN, *SECRETS.values(), *OTHER.values()]:
        assert value not in text
        assert base64.b64encode(value.encode()).decode()[:16] not in text
    assert "Traceback" not in r.stderr
    return r


def objects_of(folder: Path) -> dict[str, dict]:
    """The Kubernetes objects of a rendered DIR by key (Kind/namespace/name), kustomization left out."""
    out = {}
    for path in sorted(folder.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind") and doc["kind"] != "Kustomization":
                meta = doc["metadata"]
                out["/".join(x for x in (doc["kind"], meta.get("namespace"), meta["name"]) if x)] = doc
    return out


def writes(api, start: int = 0, dry: bool | None = None) -> list[tuple[str, str]]:
    return [(r.method, r.path[len(PREFIX):]) for r in api.writes()[start:]
            if dry is None or (r.query.get("dryRun") == ["All"]) == dry]


@pytest.mark.parametrize("profile", PROFILES)
def test_contract_first_apply_creates_every_object_and_a_second_changes_nothing(tmp_path, api, profile):
    root = shop(tmp_path)
    stack = render(root, profile)
    wanted = objects_of(stack)
    assert "Namespace/shop" in wanted and f"Deployment/{NS}/elastalert" in wanted
    first = run(root, api, "apply", "--bootstrap", "stack")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"from stack/ (bootstrap profile {profile})" in first.stdout
    for key in wanted:
        assert re.search(rf"\+ {re.escape(key)} +new", first.stdout), key
    assert "Namespaces and CustomResourceDefinitions are never pruned" in first.stdout
    real = writes(api, dry=False)
    assert len(real) == len(wanted) and all(m == "PATCH" for m, _ in real)
    assert writes(api, dry=True) == real  # each write dry-run first, in the same order
    assert real[0] == ("PATCH", f"{CORE}/namespaces/shop") and real[-1][1].startswith(f"{APPS}/")
    for r in api.writes():
        assert r.headers["Content-Type"] == "application/apply-patch+yaml" and r.query["fieldManager"] == ["obs"]
        assert "force" not in r.query and r.headers["Authorization"] == f"Bearer {TOKEN}"
    stored = [o for p, o in api.objects.items()]
    assert len(stored) == len(wanted)
    for o in stored:
        meta = o["metadata"]
        assert meta["annotations"]["obs.dev/bootstrap"] == profile and meta["annotations"]["obs.dev/applied"]
        assert meta["labels"]["app.kubernetes.io/managed-by"] == "obs" and meta["labels"]["obs.dev/project"] == "shop"
    before = len(api.writes())
    second = run(root, api, "apply", "--bootstrap", "stack")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "No changes: the environment matches stack/." in second.stdout
    assert f"{len(wanted)} up to date" in second.stdout and len(api.writes()) == before
    assert run(root, api, "diff", "--bootstrap", "stack").returncode == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_contract_an_edited_dir_file_is_a_change_and_apply_takes_it(tmp_path, api, profile):
    root = shop(tmp_path)
    stack = render(root, profile)
    assert run(root, api, "apply", "--bootstrap", "stack").returncode == 0
    text = (stack / "elastalert.yaml").read_text()
    (stack / "elastalert.yaml").write_text(text.replace("minutes: 15", "minutes: 20", 1))
    diff = run(root, api, "diff", "-v", "--bootstrap", "stack")
    assert diff.returncode == 1, diff.stdout + diff.stderr
    assert re.search(rf"~ ConfigMap/{NS}/elastalert-config +definition differs", diff.stdout)
    assert re.search(r"^ +-.*minutes: 15", diff.stdout, re.M) and re.search(r"^ +\+.*minutes: 20", diff.stdout, re.M)
    assert "Plan: 0 to create, 1 to update, 0 to delete" in diff.stdout
    start = len(api.writes())
    applied = run(root, api, "apply", "--bootstrap", "stack")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    path = f"{CORE}/namespaces/{NS}/configmaps/elastalert-config"
    assert writes(api, start) == [("PATCH", path), ("PATCH", path)]
    assert api.writes()[-1].query.get("force") == ["true"]  # obs's own object: drift is taken back
    assert "minutes: 20" in api.objects[path]["data"]["config.yaml"]
    assert run(root, api, "diff", "--bootstrap", "stack").returncode == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_contract_prune_deletes_a_dropped_object_but_never_a_namespace_or_crd(tmp_path, api, profile):
    root = shop(tmp_path)
    stack = render(root, profile)
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com", "labels": {"app.kubernetes.io/managed-by": "obs",
                                                                   "obs.dev/project": "shop"}},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object"}}}]}}
    namespaces = stack / "namespaces.yaml"
    namespaces.write_text(namespaces.read_text() + "---\n" + yaml.safe_dump(crd))
    assert run(root, api, "apply", "--bootstrap", "stack").returncode == 0
    crd_path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com"
    assert crd_path in api.objects
    # drop the elastalert ConfigMap, the Namespace and the CRD from DIR
    namespaces.write_text("# emptied\n")
    kept = [d for d in yaml.safe_load_all((stack / "elastalert.yaml").read_text()) if d["kind"] != "ConfigMap"]
    (stack / "elastalert.yaml").write_text(yaml.safe_dump_all(kept))
    config = f"{CORE}/namespaces/{NS}/configmaps/elastalert-config"
    diff = run(root, api, "diff", "--bootstrap", "stack")
    assert diff.returncode == 0  # kept without --prune: nothing apply would write
    assert run(root, api, "diff", "--bootstrap", "stack", "--prune").returncode == 1
    assert re.search(rf"\? ConfigMap/{NS}/elastalert-config +owned, no longer in stack/: would prune", diff.stdout)
    assert "note: Namespaces and CustomResourceDefinitions are never pruned; kept, though no longer in DIR: " \
        "CustomResourceDefinition/widgets.example.com, Namespace/shop" in diff.stdout
    assert "? Namespace" not in diff.stdout and "? CustomResourceDefinition" not in diff.stdout
    start = len(api.writes())
    pruned = run(root, api, "apply", "--bootstrap", "stack", "--prune")
    assert pruned.returncode == 0, pruned.stdout + pruned.stderr
    assert f"- ConfigMap/{NS}/elastalert-config" in pruned.stdout
    assert writes(api, start) == [("DELETE", config), ("DELETE", config)]
    assert config not in api.objects
    assert f"{CORE}/namespaces/shop" in api.objects and crd_path in api.objects
    again = run(root, api, "diff", "--bootstrap", "stack", "--prune")
    assert again.returncode == 0 and "kept, though no longer in DIR" in again.stdout


def test_contract_prune_of_a_dir_spares_out_objects_and_other_projects(tmp_path, api):
    root = shop(tmp_path)
    stack = render(root, "kubesphere", "notificationManager.include=true")
    assert run(root, api, "apply", "--bootstrap", "stack").returncode == 0
    labels = {"app.kubernetes.io/managed-by": "obs", "obs.dev/project": "shop"}
    outs = f"{CORE}/namespaces/{NS}/configmaps/grafana-dashboard-obs-old"  # what `obs apply` pushed from out/
    api.put(outs, {"apiVersion": "v1", "kind": "ConfigMap", "data": {},
                   "metadata": {"name": "grafana-dashboard-obs-old", "namespace": NS, "labels": labels,
                                "annotations": {"obs.dev/applied": "0123456789abcdef"}}})
    theirs = f"{CORE}/namespaces/{NS}/configmaps/elastalert-config-other"
    api.put(theirs, {"apiVersion": "v1", "kind": "ConfigMap", "data": {},
                     "metadata": {"name": "elastalert-config-other", "namespace": NS, "annotations":
                                  {"obs.dev/bootstrap": "kubesphere"},
                                  "labels": {**labels, "obs.dev/project": "other"}}})
    render(root, "kubesphere")  # notification-manager.yaml is no longer rendered
    r = run(root, api, "apply", "--bootstrap", "stack", "--prune")
    assert r.returncode == 0, r.stdout + r.stderr
    for key in ("Secret/kubesphere-monitoring-system/shop-notification-manager-env", "Receiver/shop-data-slack",
                "Config/shop-data-slack"):
        assert f"- {key}" in r.stdout
    assert outs in api.objects and theirs in api.objects
    assert not [p for p in api.objects if "notification" in p]
    # an object out/ pushed is not overwritten from DIR either: a conflict, nothing applied
    grafana = f"{CORE}/namespaces/{NS}/configmaps/grafana-provisioning"
    api.objects[grafana]["metadata"]["annotations"].pop("obs.dev/bootstrap")
    start = len(api.writes())
    clash = run(root, api, "apply", "--bootstrap", "stack")
    assert clash.returncode == 1 and f"! ConfigMap/{NS}/grafana-provisioning" in clash.stdout
    assert "error[AP003]" in clash.stderr and "is out/'s" in clash.stderr and writes(api, start) == []


def test_contract_out_apply_never_prunes_nor_overwrites_bootstrap_objects(tmp_path):
    from tests.apply import test_contract_apply_kubernetes as demo
    with KubeApiServer(demo.PREFIX) as api:
        _out_and_bootstrap(tmp_path, api, demo.project, demo.run)


def _out_and_bootstrap(tmp_path, api, project, run_demo):
    root = project(tmp_path)
    r = run_obs("bootstrap", "-p", "kube-prometheus", "-o", "stack", cwd=root)
    assert r.returncode == 0, r.stderr
    first = run_demo(root, api, "apply", "--bootstrap", "stack")
    assert first.returncode == 0, first.stdout + first.stderr
    boot = {p for p, o in api.objects.items() if "obs.dev/bootstrap" in o["metadata"]["annotations"]}
    assert f"{CORE}/namespaces/monitoring/configmaps/obs-datasources" in boot
    out = run_demo(root, api, "apply", "--prune")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "obs-datasources" not in out.stdout and "elastalert-config" not in out.stdout
    assert boot <= set(api.objects) and "+ PrometheusRule/monitoring/demo-api" in out.stdout
    again = run_demo(root, api, "apply", "--bootstrap", "stack", "--prune")
    assert again.returncode == 0 and "No changes: the environment matches stack/." in again.stdout
    assert "/apis/monitoring.coreos.com/v1/namespaces/monitoring/prometheusrules/demo-api" in api.objects
    # an object of DIR that out/ also wants is out/'s conflict, not overwritten
    api.objects[f"{CORE}/namespaces/monitoring/secrets/obs-alertmanager"]["metadata"]["annotations"][
        "obs.dev/bootstrap"] = "kube-prometheus"
    clash = run_demo(root, api, "diff")
    assert clash.returncode == 1 and "! Secret/monitoring/obs-alertmanager" in clash.stdout
    assert "applied from a bootstrap DIR (profile kube-prometheus" in clash.stdout


def test_contract_an_existing_namespace_is_labelled_not_forced_and_a_foreign_object_is_a_conflict(tmp_path, api):
    root = shop(tmp_path)
    render(root, "kube-prometheus")
    ns = f"{CORE}/namespaces/shop"
    api.put(ns, {"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": "shop", "labels": {"team": "shop", "kubernetes.io/metadata.name": "shop"}}})
    r = run(root, api, "apply", "--bootstrap", "stack")
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"~ Namespace/shop +exists without obs's labels: obs adds its labels \(not forced, never pruned\)",
                     r.stdout)
    [write] = [x for x in api.writes() if x.path.endswith("/namespaces/shop") and not x.query.get("dryRun")]
    assert "force" not in write.query
    labels = api.objects[ns]["metadata"]["labels"]
    assert labels["team"] == "shop" and labels["swck-injection"] == "enabled" and labels["obs.dev/project"] == "shop"
    assert run(root, api, "diff", "--bootstrap", "stack").returncode == 0
    foreign = f"{CORE}/namespaces/{NS}/configmaps/obs-datasources"
    api.objects[foreign]["metadata"]["labels"] = {"app": "grafana"}  # someone else's now
    clash = run(root, api, "apply", "--bootstrap", "stack")
    assert clash.returncode == 1 and f"! ConfigMap/{NS}/obs-datasources" in clash.stdout
    assert "error[AP003]" in clash.stderr and "nothing was applied" in clash.stderr


@pytest.mark.parametrize("profile", PROFILES)
def test_contract_an_unlabelled_object_is_ap040_at_its_line_and_nothing_is_sent(tmp_path, api, profile):
    root = shop(tmp_path, fixture=True)
    stack = render(root, profile)
    grafana = stack / "grafana.yaml"
    text = grafana.read_text()
    line = text.count("\n") + 2
    grafana.write_text(text + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: by-hand, namespace: web}\n"
                       "data: {a: b}\n")
    for command in ("diff", "apply"):
        r = run(root, api, command, "--bootstrap", "stack")
        assert r.returncode == 2, r.stdout + r.stderr
        [err] = [x for x in r.stderr.splitlines() if "error[" in x]
        assert err.startswith(f"stack/grafana.yaml:{line}:1: error[AP040]: ConfigMap/web/by-hand lacks the labels")
        assert "hint: re-render it with `obs bootstrap --profile" in r.stderr
    assert api.requests == []


def _no_manifest(root: Path) -> None:
    (root / "stack" / "manifest.json").unlink()


def _bad_yaml(root: Path) -> None:
    (root / "stack" / "grafana.yaml").write_text("apiVersion: v1\nkind: ConfigMap: x\n")


def _other_project(root: Path) -> None:
    manifest = root / "stack" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"project": "shop"', '"project": "billing"'))


def _empty(root: Path) -> None:
    for name in ("grafana.yaml", "elastalert.yaml", "namespaces.yaml"):
        (root / "stack" / name).write_text("# nothing\n")


@pytest.mark.parametrize("case, args, setup, says", [
    ("no folder", ["--bootstrap", "nowhere"], None, "--bootstrap nowhere: is not a folder"),
    ("out/", ["--bootstrap", "out"], "compile", "manifest.json is not obs bootstrap's"),
    ("standalone", ["--bootstrap", "sa"], "standalone", "is the standalone profile's"),
    ("no manifest", ["--bootstrap", "stack"], _no_manifest, "has no manifest.json"),
    ("bad yaml", ["--bootstrap", "stack"], _bad_yaml, "stack/grafana.yaml:2:16: error[AP041]"),
    ("no objects", ["--bootstrap", "stack"], _empty, "has no Kubernetes objects"),
    ("other project", ["--bootstrap", "stack"], _other_project, "rendered for project 'billing'"),
])
def test_contract_a_dir_that_is_no_cluster_bootstrap_is_ap041_one_line_exit_2(tmp_path, api, case, args, setup, says):
    root = shop(tmp_path)
    render(root, "kube-prometheus")
    if setup == "compile":
        assert run_obs("compile", cwd=root).returncode == 0
    elif setup == "standalone":
        assert run_obs("bootstrap", "-p", "standalone", "-o", "sa", cwd=root).returncode == 0
    elif setup is not None:
        setup(root)
    for command in ("diff", "apply"):
        r = run(root, api, command, *args)
        assert r.returncode == 2, r.stdout + r.stderr
        [err] = [x for x in r.stderr.splitlines() if "error[" in x]
        assert "error[AP041]" in err and says in err, err
    assert api.requests == []


def test_contract_a_server_error_midway_says_what_was_and_was_not_applied(tmp_path, api):
    root = shop(tmp_path)
    render(root, "kubesphere")
    deploy = f"{APPS}/namespaces/{NS}/deployments/elastalert"
    api.refuse("PATCH", deploy, "internal-error", dry_run_too=False)
    r = run(root, api, "apply", "--bootstrap", "stack")
    assert r.returncode == 1, r.stdout + r.stderr
    [err] = [x for x in r.stderr.splitlines() if "error[" in x]
    assert "error[AP006]" in err and f"Deployment/{NS}/elastalert" in err and "etcdserver: request timed out" in err
    applied = next(x for x in r.stdout.splitlines() if x.startswith("kubernetes: applied before it failed:"))
    not_applied = next(x for x in r.stdout.splitlines() if x.startswith("kubernetes: not applied:"))
    assert "+Namespace/shop" in applied and f"+ConfigMap/{NS}/elastalert-config" in applied
    assert f"+Deployment/{NS}/elastalert" in not_applied and f"+Deployment/{NS}/grafana" in not_applied
    assert deploy not in api.objects and f"{CORE}/namespaces/shop" in api.objects
    del api.refusals[("PATCH", deploy)]
    rerun = run(root, api, "apply", "--bootstrap", "stack")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert re.search(rf"\+ Deployment/{NS}/elastalert +new", rerun.stdout) and "+ Namespace/shop" not in rerun.stdout


def test_contract_secret_values_of_dir_are_filled_at_apply_and_never_shown(tmp_path, api):
    root = shop(tmp_path)
    stack = render(root, "kubesphere", "notificationManager.include=true")
    assert "${SMTP_PASSWORD}" in (stack / "notification-manager.yaml").read_text()
    diff = run(root, api, "diff", "-v", "--bootstrap", "stack")  # run() asserts no value is printed
    assert diff.returncode == 1 and "SMTP_PASSWORD: <secret>" in diff.stdout
    assert run(root, api, "apply", "-v", "--bootstrap", "stack").returncode == 0
    path = f"{CORE}/namespaces/{NS}/secrets/shop-notification-manager-env"
    stored = api.objects[path]
    assert base64.b64decode(stored["data"]["SMTP_PASSWORD"]).decode() == SECRETS["SMTP_PASSWORD"]
    assert "stringData" not in stored
    stored["data"]["SMTP_PASSWORD"] = base64.b64encode(b"rotated-by-hand").decode()
    rotated = run(root, api, "diff", "-v", "--bootstrap", "stack")
    assert rotated.returncode == 1
    assert re.search(r"~ Secret/kubesphere-monitoring-system/shop-notification-manager-env +secret values changed",
                     rotated.stdout)
    assert "SMTP_PASSWORD: <secret> (changed)" in rotated.stdout and "rotated-by-hand" not in rotated.stdout
    assert run(root, api, "apply", "--bootstrap", "stack").returncode == 0
    assert base64.b64decode(api.objects[path]["data"]["SMTP_PASSWORD"]).decode() == SECRETS["SMTP_PASSWORD"]


def test_contract_dry_run_prints_the_plan_and_writes_nothing(tmp_path, api):
    root = shop(tmp_path)
    render(root, "kube-prometheus")
    r = run(root, api, "apply", "--dry-run", "--bootstrap", "stack")
    assert r.returncode == 0 and "+ Namespace/shop" in r.stdout and "Dry run: nothing was applied." in r.stdout
    assert api.writes() == [] and api.objects == {}
    other = run(root, api, "diff", "--bootstrap", "stack", "--target", "prometheus")
    assert other.returncode == 2 and "unknown --target prometheus: use kubernetes" in other.stderr
