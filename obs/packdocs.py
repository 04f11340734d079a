"""rules/README.md, generated from the pack files so the documentation cannot drift from
the packs (tests/packs compares the file with this output).

Regenerate with `python -m obs.packdocs > rules/README.md`.
"""

from __future__ import annotations

from obs import packs

INTRO = """\
# Rule packs

Proven alerts for the stack a team runs, taken by naming a pack in a Service:

```yaml
spec:
  uses:
    - pack: redis
      with: {selector: 'namespace="middleware"', memoryUsedPercent: 80}
```

Every alert of a pack gets the service's labels (`team`, `service`, project labels), so it
routes like the service's own alerts. Besides its own parameters every pack takes
`exclude: [AlertName, ...]` (leave alerts out) and `notify: [channel, ...]` (channels that
also receive the pack's alerts). A `selector` is a list of PromQL label matchers without
braces; it is added to every series selector of the pack. Each alert carries the
annotations `summary`, `description` (where useful) and `runbook_hint`.

Each pack is a `kind: RulePack` document (see docs/packs.md); its promtool unit tests are in
`tests/<pack>.test.yaml` and show every alert firing on the failure it names and staying
quiet on a healthy series. This file is generated: `python -m obs.packdocs > rules/README.md`.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def section(pack: packs.RulePack) -> str:
    s = pack.spec
    lines = [f"## {pack.name}", "", s.description, "", "Exporters: " +
             "; ".join(f"[{e.name}]({e.url})" for e in s.exporters) + ".", "",
             "Metrics: " + ", ".join(f"`{m}`" for m in s.metrics) + ".", "",
             "| parameter | type | default | meaning |", "|---|---|---|---|"]
    for name, p in s.parameters.items():
        default = "(required)" if p.required else f"`{p.default}`" if p.default not in (None, "") else "(none)"
        lines.append(f"| `{name}` | {p.type} | {default} | {_cell(p.doc)} |")
    lines += ["", "| alert | severity | for | summary | runbook hint |", "|---|---|---|---|---|"]
    for alert in s.alerts:
        extra = alert.model_extra or {}
        lines.append(f"| `{alert.name}` | {extra.get('severity', '')} | {extra.get('for', '')} | "
                     f"{_cell(str(extra.get('summary', '')))} | {_cell(alert.hint)} |")
    return "\n".join(lines) + "\n"


def readme() -> str:
    parts = [INTRO]
    for name in packs.available():
        pack, _, _ = packs.load(name)
        if pack is not None:
            parts.append(section(pack))
    return "\n".join(parts)


if __name__ == "__main__":
    print(readme(), end="")
