"""The `obs` command line: parses arguments, calls one function, renders the result."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from obs import __version__, codes
from obs.commands.common import emit
from obs.diagnostics import Diagnostic

app = typer.Typer(name="obs", add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Observability as code: SLOs, alerts, log alerts, dashboards and APM settings, checked and "
                       "compiled for the monitoring stack. Reference: docs/reference.md.")

ProjectOpt = Annotated[Path | None, typer.Option("--project", "-C", help="Project folder (default: the nearest "
                                                                           "folder with obs.yaml).")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="text, json, junit, gitlab, sarif or github.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Parse every source file afresh: neither read nor "
                                                             "write the document cache ($OBS_CACHE_DIR).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"obs {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version.")] = False) -> None:
    pass


def _usage(message: str) -> None:
    emit([Diagnostic(codes.CONFIG_USAGE, message, config=True)])
    raise typer.Exit(2)


@app.command()
def lint(paths: Annotated[list[str] | None, typer.Argument(help="Only report on these files or folders.")] = None,
         fmt: FormatOpt = "text", output: OutputOpt = None, project: ProjectOpt = None,
         list_checks: Annotated[bool, typer.Option("--list-checks", help="List every check and exit.")] = False,
         no_cache: NoCacheOpt = False) -> None:
    """Every static check (no network). Exit 1 on errors."""
    from obs.commands import lint as cmd
    if list_checks:
        typer.echo(cmd.list_checks(), nl=False)
        return
    if fmt not in ("text", "json", "junit", "gitlab", "sarif", "github"):
        _usage(f"unknown --format {fmt!r}: use text, json, junit, gitlab, sarif or github")
    raise typer.Exit(emit(cmd.lint(project, paths, not no_cache), fmt, output))


@app.command("compile")
def compile_(project: ProjectOpt = None, no_cache: NoCacheOpt = False) -> None:
    """Write out/ (deterministic; removes files it owns that are no longer produced)."""
    from obs.commands.compile import compile_project
    diags, written, out = compile_project(project, cache=not no_cache)
    code = emit(diags, quiet_ok=True)
    if written is not None and out is not None:
        typer.echo(f"{out.name}/: {len(written.written)} written, {len(written.unchanged)} unchanged, "
                   f"{len(written.removed)} removed")
    raise typer.Exit(code)


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder for the new repository.")] = Path("."),
         name: Annotated[str | None, typer.Option(help="Project name (default: the folder's name).")] = None,
         ) -> None:
    """Scaffold a repository: obs.yaml, an example service, a channel and CI templates."""
    from obs.commands.init import scaffold
    diags, created = scaffold(directory, name)
    for path in created:
        typer.echo(f"created {path}")
    raise typer.Exit(emit(diags, quiet_ok=True))


@app.command()
def test(project: ProjectOpt = None,
         generated: Annotated[bool, typer.Option(help="Run obs's SLO behaviour tests.")] = True,
         own: Annotated[bool, typer.Option(help="Run the team's own rule unit tests.")] = True) -> None:
    """Rule unit tests on promtool: obs's SLO behaviour tests and the team's own."""
    from obs.commands.test import run_tests
    raise typer.Exit(run_tests(project, generated=generated, own=own))


@app.command()
def explain(target: Annotated[str, typer.Argument(help="SERVICE or SERVICE/SLO")], project: ProjectOpt = None) -> None:
    """The alert policy of an SLO and what it will do."""
    from obs.commands.explain import explain as run
    raise typer.Exit(run(project, target))


@app.command("import")
def import_(fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="sloth, openslo, prometheus or elastalert")],
            files: Annotated[list[Path], typer.Argument(help="Files to convert.")],
            out_dir: Annotated[Path | None, typer.Option("-o", "--output-dir", help="Write here (default: stdout).")]
            = None) -> None:
    """Write the obs/v1 equivalent of foreign documents."""
    from obs.commands.importer import run_import
    raise typer.Exit(run_import(fmt, files, out_dir))


def _not_yet(command: str) -> None:
    """A command that is designed but not built: say so, exit 2. Its help ends with "(not built yet)";
    drop both when the command is built."""
    emit([Diagnostic(codes.CONFIG_USAGE, f"`obs {command}` is not built yet in obs {__version__}: it does nothing",
                     hint="see Status in docs/reference.md for what is built", config=True)])
    raise typer.Exit(2)


EnvOpt = Annotated[str, typer.Option("--env", "-e", help="Environment of obs.yaml.")]


@app.command()
def validate(env: EnvOpt, project: ProjectOpt = None, fmt: FormatOpt = "text", output: OutputOpt = None,
             target: Annotated[list[str] | None, typer.Option("--target", "-t", help="Only these servers "
                               "(prometheus, alertmanager, elasticsearch, opensearch, grafana, skywalking, "
                               "kubernetes).")] = None) -> None:
    """Check the compiled definitions against the live servers of an environment."""
    from obs.commands.validate import interactive, progress, render_summary
    from obs.commands.validate import validate as run
    if fmt not in ("text", "json", "junit", "gitlab", "sarif", "github"):
        _usage(f"unknown --format {fmt!r}: use text, json, junit, gitlab, sarif or github")
    with progress(sys.stderr, interactive(sys.stderr)) as on_check:
        outcome = run(project, env, target, on_check)
    code = emit(outcome.diags, fmt, output)
    if outcome.ran or outcome.skipped:
        sys.stderr.write(render_summary(outcome))
    raise typer.Exit(code)


ApplyTargetOpt = Annotated[list[str] | None, typer.Option("--target", "-t", help="Only these targets (prometheus, "
                           "alertmanager, elasticsearch, opensearch, elastalert, ...); repeatable.")]
PruneOpt = Annotated[bool, typer.Option("--prune", help="Delete objects this project owns that out/ no longer has.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show a unified diff of every changed object.")]
BootstrapOpt = Annotated[Path | None, typer.Option("--bootstrap", metavar="DIR", help="Push the Kubernetes objects "
                         "of a folder `obs bootstrap -p kubesphere|kube-prometheus -o DIR` rendered, instead of out/.")]


@app.command()
def diff(env: EnvOpt, project: ProjectOpt = None, target: ApplyTargetOpt = None, prune: PruneOpt = False,
         verbose: VerboseOpt = False, bootstrap: BootstrapOpt = None) -> None:
    """What apply would change, per target. Exit 0 without changes, 1 with changes, 2 on errors."""
    from obs.commands.apply import diff as run
    raise typer.Exit(run(project, env, target, prune, verbose, bootstrap))


@app.command()
def apply(env: EnvOpt, project: ProjectOpt = None, target: ApplyTargetOpt = None,
          dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan and stop.")] = False,
          prune: PruneOpt = False, verbose: VerboseOpt = False, bootstrap: BootstrapOpt = None) -> None:
    """Push out/ to an environment (or a bootstrap DIR's objects): prints the plan, then applies it."""
    from obs.commands.apply import apply as run
    raise typer.Exit(run(project, env, target, prune, verbose, dry_run, bootstrap))


@app.command()
def backtest(env: EnvOpt,
             since: Annotated[str, typer.Option("--since", help="Start: a duration before --now (7d) or an "
                                                "RFC 3339 time.")],
             items: Annotated[list[str] | None, typer.Argument(metavar="ITEM", help="Only these services, "
                                                               "SERVICE/SLO, rule groups or alerts.")] = None,
             until: Annotated[str | None, typer.Option("--until", help="End (default: now): a duration before "
                                                       "--now or an RFC 3339 time.")] = None,
             project: ProjectOpt = None,
             fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or junit.")] = "text",
             output: OutputOpt = None,
             html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report: "
                                                       "a chart per SLO.")] = None,
             fail_on: Annotated[str | None, typer.Option("--fail-on", help="Exit 1 if an alert of this severity "
                                                         "(critical, warning, info) or a worse one would have "
                                                         "fired.")] = None,
             now: Annotated[str | None, typer.Option("--now", help="Take this RFC 3339 time as now (reproducible "
                                                     "runs).")] = None) -> None:
    """Replay every compiled alert over an environment's history: when each would have fired."""
    from obs.commands.backtest import run
    raise typer.Exit(run(project, env, since, until, items, now, fmt, output, html, fail_on))


@app.command()
def bootstrap(profile: Annotated[str, typer.Option("--profile", "-p", help="kubesphere, kube-prometheus or "
                                                   "standalone (folders of manifests/).")],
              output: Annotated[Path, typer.Option("-o", "--output", help="Write the manifests into this folder.")],
              project: ProjectOpt = None,
              sets: Annotated[list[str] | None, typer.Option("--set", help="Parameter key=value (dotted key, "
                              "YAML value), over obs.yaml's spec.bootstrap; repeatable.")] = None,
              env: Annotated[str | None, typer.Option("--env", "-e", help="Take paths and URLs from this "
                             "environment of obs.yaml (standalone).")] = None) -> None:
    """Manifests for the monitoring stack itself, wired to what obs compiles (docs/bootstrap.md)."""
    from obs.commands.bootstrap import bootstrap as run
    diags, written = run(project, profile, output, sets or [], env)
    code = emit(diags, quiet_ok=True)
    if written is not None:
        typer.echo(f"{output}/: {len(written.written)} written, {len(written.unchanged)} unchanged, "
                   f"{len(written.removed)} removed")
    raise typer.Exit(code)


def main() -> None:
    """Bad input is always diagnostics; if obs itself fails, say so in one line (OBS_DEBUG=1
    shows the traceback for the bug report) rather than dumping Python on the user."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - the last line of defence, see docstring
        if os.environ.get("OBS_DEBUG"):
            raise
        sys.stderr.write(f"error[OBS000]: obs failed internally: {type(e).__name__}: {e}\n"
                         "  hint: this is a bug in obs, not in your files; rerun with OBS_DEBUG=1 and report "
                         "the traceback\n")
        sys.exit(1)
