"""`obs lint`: every static check, no network, nothing written (but --output)."""

from __future__ import annotations

from pathlib import Path

from obs.checks import load_all
from obs.codes import all_codes
from obs.diagnostics import Diagnostic, ObsError
from obs.pipeline import build, build_cache, examined, locate


def lint(project_dir: Path | None, paths: list[str] | None, cache: bool = False) -> list[Diagnostic]:
    """Every check over the whole project (references span files); with `paths`, only the
    findings in those files or folders are reported. With `cache`, a project whose inputs
    have not changed since the last lint or compile is not built again (obs.buildcache)."""
    try:
        root = locate(project_dir)
        diags = _findings(root, cache)
    except ObsError as e:
        return e.diagnostics
    if not paths:
        return diags
    wanted = [Path(p).resolve() for p in paths]
    return [d for d in diags if d.pos is None or any(
        (root / d.pos.file).resolve() == w or (root / d.pos.file).resolve().is_relative_to(w) for w in wanted)]


def _findings(root: Path, cache: bool) -> list[Diagnostic]:
    store = build_cache(root, cache)
    hit = store and (store.get("lint", None) or store.get("compile", None))
    if hit:
        return hit.diags
    result = build(root, cache=cache, render=False)
    diags = result.diags.sorted()
    if store:
        store.put("lint", None, examined(result), diags)
    return diags


def list_checks() -> str:
    load_all()
    import importlib

    from obs import resolve  # noqa: F401  (modules define their codes on import)
    from obs.load.foreign import FORMATS
    from obs.targets import MODULES
    from obs.live import load_all as load_live
    load_live()
    import pkgutil

    import obs.apply
    import obs.backtest
    import obs.live
    edges = [m.name for pkg in (obs.live, obs.apply, obs.backtest) for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
    modules = [f"obs.targets.{m}" for m in MODULES.values()] + [f.module for f in FORMATS] + [
        "obs.commands.importer", "obs.commands.validate", "obs.commands.apply", "obs.commands.bootstrap", *edges]
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            pass
    rows = [f"{c.code}  {c.name:<32} {c.doc}" for c in all_codes()]
    return "\n".join(rows) + "\n"
