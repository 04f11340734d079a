"""The team's own dashboards: grafanalib `*.dashboard.py` files, jsonnet (grafonnet or a
mixin) and JSON exported from Grafana.

A dashboard file is the team's own code in its own repository, run the way grafanalib's
`generate-dashboard` runs it; whatever goes wrong in it becomes one diagnostic at the
file and line where it went wrong, never a traceback. Jsonnet imports stay inside the
repository (and its vendor/ folder, for jsonnet-bundler)."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from obs import codes
from obs.dashboards.templates import to_dict
from obs.diagnostics import Diagnostics, Position

LOAD_FAILED = codes.define("DB001", "dashboard/load-failed",
                           "A custom dashboard file raised an error or is not valid jsonnet.")
NO_DASHBOARD = codes.define("DB002", "dashboard/not-defined",
                            "A *.dashboard.py file defines no module-level `dashboard`, or a jsonnet file gives "
                            "no dashboard.")
IMPORT_OUTSIDE = codes.define("DB003", "dashboard/import-outside",
                              "A jsonnet import reaches outside the repository.")
VENDOR = "vendor"
#: seconds a *.dashboard.py file may run: a file that never returns is one diagnostic at the line it
#: was running, not a CI job that hangs until its own timeout says nothing about which file
TIME_LIMIT = 60.0


@dataclass(frozen=True)
class CustomDashboard:
    path: str  # relative to the repository root
    #: for files that give several dashboards (a mixin's grafanaDashboards): the entry's key
    key: str | None
    data: dict


def load(root: Path, path: str, diags: Diagnostics) -> list[CustomDashboard]:
    if path.endswith((".jsonnet", ".libsonnet")):
        return _jsonnet(root, path, diags)
    if path.endswith(".json"):
        return _json(root, path, diags)
    if path.endswith(".py"):
        return _python(root, path, diags)
    diags.error(NO_DASHBOARD, f"{path} is not a dashboard file obs reads", Position(path, 1, 1),
                hint="dashboards globs match *.dashboard.py (grafanalib), *.jsonnet and *.json (Grafana's export)")
    return []


def _json(root: Path, path: str, diags: Diagnostics) -> list[CustomDashboard]:
    """A dashboard exported from Grafana, kept as it is."""
    try:
        value = json.loads((root / path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        diags.error(LOAD_FAILED, f"{path} is not valid JSON: {e.msg}", Position(path, e.lineno, e.colno))
        return []
    except (OSError, UnicodeDecodeError) as e:
        diags.error(LOAD_FAILED, f"{path} cannot be read: {e}", Position(path, 1, 1))
        return []
    if isinstance(value, dict) and isinstance(value.get("dashboard"), dict):
        value = value["dashboard"]  # the API's {dashboard, folderUid, overwrite} envelope
    return _dashboards(path, value, diags)


# --- grafanalib ---------------------------------------------------------------------------

def _python(root: Path, path: str, diags: Diagnostics) -> list[CustomDashboard]:
    file = root / path
    module = types.ModuleType(re.sub(r"\W", "_", f"obs_custom_dashboard_{path}"))
    module.__file__ = str(file)
    try:
        # the team's own code, as grafanalib's generate-dashboard runs it: imported as a module (so
        # dataclasses and attrs find it in sys.modules), its prints kept out of obs's reports on stdout
        with _local_imports(file.parent), _registered(module), redirect_stdout(sys.stderr), _time_limit():
            code = compile(file.read_text(encoding="utf-8"), str(file), "exec")
            exec(code, module.__dict__)
            if "dashboard" not in module.__dict__:
                diags.error(NO_DASHBOARD, f"{path} defines no module-level `dashboard`", Position(path, 1, 1),
                            hint="assign the grafanalib Dashboard to a variable named `dashboard`")
                return []
            data = to_dict(module.__dict__["dashboard"])  # to_json_data() is the team's code too
    except SyntaxError as e:
        diags.error(LOAD_FAILED, f"{path} is not valid Python: {e.msg}", Position(path, e.lineno or 1, e.offset or 1))
        return []
    except _TooLong as e:
        diags.error(LOAD_FAILED, f"{path} did not finish within {TIME_LIMIT:g}s", Position(path, _line_in(e, file), 1),
                    hint="a dashboard file should only build the dashboard: no waiting on the network or loops "
                         "without end")
        return []
    except BaseException as e:  # noqa: BLE001 - anything the team's code raises, SystemExit included
        if isinstance(e, KeyboardInterrupt):
            raise
        diags.error(LOAD_FAILED, f"{path} raised {type(e).__name__}: {e}", Position(path, _line_in(e, file), 1))
        return []
    if not isinstance(data, dict):
        diags.error(NO_DASHBOARD, f"{path}: `dashboard` is a {type(module.__dict__['dashboard']).__name__}, "
                    "not a grafanalib Dashboard or a mapping", Position(path, 1, 1))
        return []
    return _dashboards(path, data, diags)  # a mapping must be a dashboard, as in jsonnet and JSON files


class _TooLong(BaseException):
    """Raised into a dashboard file past TIME_LIMIT; a BaseException, so `except Exception` keeps out."""


@contextmanager
def _time_limit() -> Iterator[None]:
    """TIME_LIMIT on the main thread (signals need it), re-raised every 50 ms for code that
    swallows it; elsewhere, or under a timer someone else set, no limit."""
    if (not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0):
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise _TooLong()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _registered(module: types.ModuleType) -> Iterator[None]:
    sys.modules[module.__name__] = module
    try:
        yield
    finally:
        sys.modules.pop(module.__name__, None)


@contextmanager
def _local_imports(folder: Path) -> Iterator[None]:
    """The file's folder importable, and its modules fresh: as in a process of its own, a
    `helpers.py` beside it is never one imported earlier from elsewhere, and none stays behind;
    a working directory it changes is changed back."""
    local = {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
    shadowed = {name: mod for name, mod in sys.modules.items() if name.split(".")[0] in local}
    for name in shadowed:
        del sys.modules[name]
    before, bytecode, cwd = set(sys.modules), sys.dont_write_bytecode, os.getcwd()
    sys.path.insert(0, str(folder))
    sys.dont_write_bytecode = True  # no __pycache__ left in the team's repository
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.dont_write_bytecode = bytecode
        if str(folder) in sys.path:
            sys.path.remove(str(folder))
        here = folder.resolve()
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules[name], "__file__", None)
            if name.split(".")[0] in local or (origin and Path(origin).resolve().is_relative_to(here)
                                               and "site-packages" not in Path(origin).parts):
                del sys.modules[name]
        sys.modules.update(shadowed)


def _line_in(error: BaseException, file: Path) -> int:
    """The line of the innermost frame inside the dashboard file (where the team must look)."""
    line = 1
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename) == file and frame.lineno:
            line = frame.lineno
    return line


# --- jsonnet ------------------------------------------------------------------------------

_POSITION = re.compile(r"(?P<file>[^\s:()]+\.(?:jsonnet|libsonnet|json)):(?:\()?(?P<line>\d+):(?P<col>\d+)")


def _jsonnet(root: Path, path: str, diags: Diagnostics) -> list[CustomDashboard]:
    import _jsonnet  # the `jsonnet` package

    root = root.resolve()
    search = [root, root / VENDOR]
    refused: list[str] = []

    def importer(base: str, rel: str) -> tuple[str, bytes]:
        for folder in [Path(base), *search] if not Path(rel).is_absolute() else [Path("/")]:
            candidate = (folder / rel).resolve()
            if not candidate.is_relative_to(root):
                refused.append(rel)
                raise RuntimeError(f"import {rel!r} reaches outside the repository")
            if candidate.is_file():
                return str(candidate), candidate.read_bytes()
        raise RuntimeError(f"couldn't open import {rel!r}: no match locally or in the repository or vendor/")

    try:
        text = _jsonnet.evaluate_file(str(root / path), import_callback=importer)
    except RuntimeError as e:
        message = str(e).strip()
        pos = _jsonnet_position(root, path, message)
        first = message.replace(f"{root}/", "").splitlines()[0] if message else "evaluation failed"
        first = _POSITION.sub("", first).replace(": :", ":").strip()
        code = IMPORT_OUTSIDE if refused else LOAD_FAILED
        diags.error(code, f"{path}: jsonnet: {first}", pos,
                    hint="imports resolve against the file's folder, the repository root and vendor/" if refused
                    else None)
        return []
    return _dashboards(path, json.loads(text), diags)


def _jsonnet_position(root: Path, path: str, message: str) -> Position:
    """The first place jsonnet's message names inside the repository, else the file itself."""
    for m in _POSITION.finditer(message):
        named = Path(m["file"])
        full = (named if named.is_absolute() else root / named).resolve()
        if full.is_relative_to(root) and full.is_file():
            return Position(full.relative_to(root).as_posix(), int(m["line"]), int(m["col"]))
    return Position(path, 1, 1)


def _looks_like_dashboard(value: object) -> bool:
    return isinstance(value, dict) and ("panels" in value or "rows" in value) and "title" in value


def _dashboards(path: str, value: object, diags: Diagnostics) -> list[CustomDashboard]:
    """A dashboard, a mixin (`grafanaDashboards`), or an object of dashboards by file name."""
    if isinstance(value, dict) and isinstance(value.get("grafanaDashboards"), dict):
        value = value["grafanaDashboards"]
    if _looks_like_dashboard(value):
        return [CustomDashboard(path, None, value)]  # type: ignore[arg-type]
    if isinstance(value, dict) and value and all(_looks_like_dashboard(v) for v in value.values()):
        return [CustomDashboard(path, key, value[key]) for key in sorted(value)]
    diags.error(NO_DASHBOARD, f"{path} evaluates to neither a dashboard, a mixin with grafanaDashboards, "
                "nor an object of dashboards", Position(path, 1, 1),
                hint="a dashboard is an object with `title` and `panels`")
    return []
