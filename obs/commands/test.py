"""`obs test`: obs's generated SLO behaviour tests and the team's own promtool unit tests
(obs.yaml `spec.tests`), both against the compiled rules, on promtool."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from obs import codes
from obs.commands.common import emit
from obs.diagnostics import Diagnostic, ObsError, Severity
from obs.load.sources import expand_globs
from obs.pipeline import build, locate
from obs.rulegen import owners
from obs.slotest import runner
from obs.targets.prometheus import rule_file
from obs.yamlout import dump

PROMTOOL_MISSING = "promtool is not installed: install Debian's `prometheus` package (scripts/test.sh does)"

#: a team test longer than this is stuck, not slow (promtool evaluates every step of its series)
OWN_TEST_TIMEOUT = 600


def run_tests(project_dir: Path | None, generated: bool = True, own: bool = True) -> int:
    try:
        root = locate(project_dir)
        result = build(root, run_checks=False)
    except ObsError as e:
        return emit(e.diagnostics)
    tool = shutil.which("promtool")
    if tool is None:
        sys.stderr.write(PROMTOOL_MISSING + "\n")
        return 2
    passes = failures = skips = 0
    with tempfile.TemporaryDirectory(prefix="obs-test-") as tmp:
        work = Path(tmp)
        if generated:
            (work / "slo").mkdir()
            cases, skipped = runner.generate(result.catalog, work / "slo")
            results = runner.run(cases, work / "slo", tool)
            text, failed = runner.report(results, skipped)
            sys.stdout.write(text)
            passes, failures, skips = len(results) - failed, failed, len(skipped)
        if own:
            passed, failed = _own_tests(root, result, work / "own", tool)
            passes, failures = passes + passed, failures + failed
    sys.stdout.write(count_line(passes, failures, skips) + "\n")
    return 1 if failures else 0


def count_line(passed: int, failed: int, skipped: int = 0) -> str:
    """The last line, in the shape CI systems read: `3 passed, 1 failed` (`, 2 skipped`)."""
    return f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")


def _own_tests(root: Path, result, work: Path, tool: str) -> tuple[int, int]:
    """Run the team's promtool test files; (passed, failed)."""
    spec = result.project.spec
    files, empty = expand_globs(root, spec.tests, exclude=(spec.outputDir,))
    if "tests" in spec.model_fields_set:  # the default tests/*.yaml may rightly match nothing
        for pattern in empty:
            sys.stderr.write(Diagnostic(codes.CONFIG_NO_SOURCES, f"tests pattern {pattern!r} matches no file",
                                        spec.pos_of("tests"), Severity.WARNING).render() + "\n")
    if not files:
        return 0, 0
    work.mkdir()
    compiled = _compiled(result)
    passes = failures = 0
    for rel in sorted(files):
        path = root / rel
        message = _prepare(path, root, work, compiled, spec.outputDir)
        if message:
            sys.stdout.write(f"FAIL {rel}: {message}\n")
            failures += 1
            continue
        try:
            proc = subprocess.run([tool, "test", "rules", path.name], cwd=work, capture_output=True, text=True,
                                  timeout=OWN_TEST_TIMEOUT)
        except subprocess.TimeoutExpired:
            sys.stdout.write(f"FAIL {rel}: promtool did not finish within {OWN_TEST_TIMEOUT}s\n")
            failures += 1
            continue
        if proc.returncode == 0:
            sys.stdout.write(f"ok   {rel}\n")
            passes += 1
        else:
            failures += 1
            sys.stdout.write(f"FAIL {rel}\n" + "".join(f"       {line}\n" for line in
                                                       (proc.stdout + proc.stderr).strip().splitlines()))
    return passes, failures


def _compiled(result) -> dict[str, str]:
    """Names a team's test may use for compiled rules → rule file text: the owner's file
    (as out/prometheus names it, with or without folders) and each group alone."""
    names: dict[str, str] = {}
    out = result.project.spec.outputDir
    for owner, groups in owners(result.catalog).items():
        text = dump(rule_file(groups))
        for name in (owner, f"{owner}.rules.yaml", f"prometheus/{owner}.rules.yaml",
                     f"{out}/prometheus/{owner}.rules.yaml"):
            names[name] = text
        for g in groups:
            names.setdefault(g.name, dump(rule_file([g])))
    return names


def _prepare(path: Path, root: Path, work: Path, compiled: dict[str, str], out: str) -> str | None:
    """Copy a test file into `work` with its rule_files pointing at compiled rules (never at a stale
    out/ on disk: a path to it from the test's folder means the compiled file); a message if it cannot."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        return f"cannot read it: {e.strerror}"
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return f"not valid YAML: {where}{getattr(e, 'problem', None) or e}"
    if not isinstance(data, dict):
        return "not a promtool test file (a mapping with rule_files and tests)"
    names = data.get("rule_files") or []
    if not isinstance(names, list):
        return "rule_files must be a list of rule files, e.g. [checkout] or [out/prometheus/checkout.rules.yaml]"
    files = []
    for i, name in enumerate(names):
        key = str(name).removeprefix("./")
        beside = (path.parent / key).resolve()
        if beside.is_relative_to(root.resolve()):  # ../out/prometheus/x.rules.yaml from tests/
            key = key if key in compiled else beside.relative_to(root.resolve()).as_posix()
        if key in compiled:
            target = f"{path.stem}-{i}.rules.yaml"
            (work / target).write_text(compiled[key])
            files.append(target)
        elif beside.is_file():
            files.append(str(beside))
        else:
            return (f"rule file {name!r} is neither a compiled rule file ({out}/prometheus/<service>.rules.yaml), "
                    "a service, a rule group name, nor a file beside the test")
    data["rule_files"] = files
    (work / path.name).write_text(dump(data))
    return None
