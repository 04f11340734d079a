"""`obs diff/apply --bootstrap DIR`: the Kubernetes objects of a folder `obs bootstrap --profile
kubesphere|kube-prometheus -o DIR` rendered, pushed by the kubernetes target's own pusher (the
same discovery, server-side apply with field manager `obs`, dry run, plan and redaction).

DIR is read as its manifest.json lists it (files it does not list are never applied). Every
object must carry this project's labels (AP040: rendered by obs bootstrap, not written by hand);
a folder that is not a cluster profile's output is AP041. Each object is sent with the annotation
`obs.dev/bootstrap: <profile>`, so pruning stays apart: `--prune` here deletes only this
project's objects with that annotation that DIR no longer has (never a Namespace or CRD), and a
plain `obs apply` prunes and overwrites none of them (obs.apply.kube).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from obs import codes
from obs.apply import Desired, Observed
from obs.apply.kube import KubeObjects, default_namespace
from obs.apply.kubeobjects import BOOTSTRAP, make, owned
from obs.apply.outdir import OutDir
from obs.apply.targets.kubernetes import KubernetesPusher
from obs.diagnostics import Diagnostic, Position
from obs.project import Project
from obs.writer import MANIFEST

UNLABELLED = codes.define("AP040", "apply/bootstrap-unlabelled",
                          "An object of a bootstrap DIR lacks this project's labels (app.kubernetes.io/managed-by: "
                          "obs, obs.dev/project): obs apply --bootstrap pushes only what obs bootstrap rendered.")
NOT_BOOTSTRAP = codes.define("AP041", "apply/bootstrap-dir",
                             "The --bootstrap folder is not the output of a cluster profile of obs bootstrap (no "
                             "manifest.json, a standalone render, no Kubernetes objects, unreadable YAML).")
HINT = "re-render it with `obs bootstrap --profile PROFILE -o DIR` (kubesphere or kube-prometheus)"
#: kinds the cluster profiles render: listed for pruning even when DIR has none of them any more
KINDS = (("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "ServiceAccount"), ("v1", "Service"), ("v1", "Namespace"),
         ("apps/v1", "Deployment"), *(("rbac.authorization.k8s.io/v1", k) for k in
                                      ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")),
         ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
         *(("notification.kubesphere.io/v2beta2", k) for k in ("Receiver", "Config")))


@dataclass
class BootstrapDir(OutDir):
    """DIR as apply reads it: the profile that rendered it and its objects, each with file:line."""

    profile: str = ""
    #: DIR as the user named it, for messages
    shown: str = ""
    docs: list[tuple[dict, str]] = field(default_factory=list)


def read_dir(root: Path, given: Path, project: Project) -> tuple[BootstrapDir | None, list[Diagnostic]]:
    shown = str(given).rstrip("/") or "."
    path = given if given.is_absolute() else Path.cwd() / given
    at = Position(f"{shown}/{MANIFEST}")

    def refuse(message: str, pos: Position | None = at) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(NOT_BOOTSTRAP, f"--bootstrap {shown}: {message}", pos, hint=HINT, config=True)]

    if not path.is_dir():
        return refuse("is not a folder", None)
    try:
        doc = json.loads((path / MANIFEST).read_text("utf-8"))
        outputs = {str(o["path"]): str(o["target"]) for o in doc["outputs"]}
    except FileNotFoundError:
        return refuse(f"has no {MANIFEST}: not a folder obs bootstrap rendered")
    except (OSError, ValueError, KeyError, TypeError):
        return refuse(f"{MANIFEST} cannot be read")
    profiles = {t.partition("/")[2] for t in outputs.values() if t.startswith("bootstrap/")}
    if not outputs or len(profiles) != 1 or any(not t.startswith("bootstrap/") for t in outputs.values()):
        return refuse(f"{MANIFEST} is not obs bootstrap's (is it out/? `obs apply` pushes that without --bootstrap)")
    profile = profiles.pop()
    if doc.get("project") != project.name:
        return refuse(f"was rendered for project {doc.get('project')!r}, obs.yaml names {project.name!r}")
    if profile == "standalone":
        return refuse("is the standalone profile's: files for hosts, no Kubernetes objects (copy them to the paths "
                      "its systemd units name)")
    docs, problems = [], []
    for rel in sorted(p for p in outputs if p.endswith((".yaml", ".yml"))):
        origin = f"{shown}/{rel}"
        try:
            found = _documents((path / rel).read_text("utf-8"))
        except OSError:
            return refuse(f"{rel} is listed in {MANIFEST} but cannot be read", Position(origin))
        except UnicodeDecodeError:
            return refuse(f"{rel} is not UTF-8 text", Position(origin))
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            pos = Position(origin, mark.line + 1, mark.column + 1) if mark is not None else Position(origin)
            return refuse(f"{rel} is not valid YAML ({getattr(e, 'problem', None) or 'syntax'})", pos)
        for obj, line in found:
            if str(obj.get("apiVersion", "")).startswith("kustomize.config.k8s.io/"):
                continue  # kustomization.yaml: kubectl's, not an object of the cluster
            meta = obj.get("metadata")
            if not (obj.get("apiVersion") and obj.get("kind") and isinstance(meta, dict) and meta.get("name")):
                return refuse(f"{rel}: a document is not a Kubernetes object (apiVersion, kind, metadata.name)",
                              Position(origin, line))
            key = "/".join(str(x) for x in (obj["kind"], meta.get("namespace"), meta["name"]) if x)
            if not owned(obj, project.name):
                problems.append(Diagnostic(UNLABELLED, f"{key} lacks the labels app.kubernetes.io/managed-by: obs and "
                                           f"obs.dev/project: {project.name}: obs apply --bootstrap pushes only what "
                                           "obs bootstrap rendered", Position(origin, line), hint=HINT, config=True))
            docs.append((obj, f"{origin}:{line}"))
    if problems:
        return None, problems
    if not docs:
        return refuse("has no Kubernetes objects")
    return BootstrapDir(root, path, outputs, profile, shown, docs), []


def _documents(text: str) -> list[tuple[dict, int]]:
    """The mappings of a multi-document YAML text, each with the line it starts on."""
    loader = yaml.SafeLoader(text)
    out = []
    try:
        while loader.check_node():
            node = loader.get_node()
            value = loader.construct_document(node)
            if isinstance(value, dict):
                out.append((value, node.start_mark.line + 1))
    finally:
        loader.dispose()
    return out


class BootstrapPusher(KubernetesPusher):
    """The kubernetes target's pusher, told the objects of a bootstrap DIR instead of out/'s."""

    def where(self) -> str:
        source: BootstrapDir = self.ctx.out  # type: ignore[assignment]
        return f"{super().where()}, from {source.shown}/ (bootstrap profile {source.profile})"

    def desired(self) -> dict[str, Desired]:
        source: BootstrapDir = self.ctx.out  # type: ignore[assignment]
        ns = default_namespace(self.ctx)
        objects = []
        for doc, origin in source.docs:
            doc = copy.deepcopy(doc)
            doc["metadata"]["annotations"] = {**(doc["metadata"].get("annotations") or {}), BOOTSTRAP: source.profile}
            objects.append(make(doc, origin.rsplit(":", 1)[0], ns, self.ctx.secrets))
        self.objects = KubeObjects(self.ctx, self.api, objects, bootstrap=source.profile)
        return self.objects.desired()

    def observe(self, wanted: Collection[str]) -> dict[str, Observed]:
        return self.objects.observe(wanted, KINDS)

    def plan_notes(self) -> list[str]:
        kept = self.objects.kept if self.objects is not None else []
        return ["Namespaces and CustomResourceDefinitions are never pruned" +
                (f"; kept, though no longer in DIR: {', '.join(sorted(kept))}" if kept else "")]
