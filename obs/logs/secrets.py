"""How channel secrets reach ElastAlert and Watcher without ever being written to out/.

A secret-bearing value becomes a `${VAR}` placeholder. ElastAlert 2 expands `${VAR}` from its
own environment when it reads a rule file (`elastalert.yaml.read_yaml` runs
`os.path.expandvars`), so the deployment only has to provide the variables; `obs apply`
substitutes the same placeholders in watches and monitors before it sends them. `needs()`
lists every variable and how its value is derived, `values()` computes them at apply time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from obs.model.secrets import EnvRef, SecretRef, Value

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, order=True)
class EnvNeed:
    """One variable a rule or watch needs: the reference it comes from and, for a URL, the part taken."""

    var: str
    source: str  # "env:NAME" or "secret:NAME/KEY"
    part: str | None = None  # a URL query parameter such as access_token, or None for the whole value


def var_name(ref: EnvRef | SecretRef, part: str | None = None) -> str:
    if isinstance(ref, EnvRef):
        base = ref.env
    else:
        base = "OBS_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", f"{ref.secret.name}_{ref.secret.key}").upper()
    return f"{base}__{part.upper()}" if part else base


def source_of(ref: EnvRef | SecretRef) -> str:
    return f"env:{ref.env}" if isinstance(ref, EnvRef) else f"secret:{ref.secret.name}/{ref.secret.key}"


def placeholder(value: Value, part: str | None = None, needs: set[EnvNeed] | None = None) -> str:
    """The text to write for a value: a literal as is (or its URL part), a reference as `${VAR}`."""
    if isinstance(value, str):
        return url_part(value, part) if part else value
    if needs is not None:
        needs.add(EnvNeed(var_name(value, part), source_of(value), part))
    return "${" + var_name(value, part) + "}"


def url_part(url: str, part: str) -> str:
    """A query parameter of a webhook URL (DingTalk's access_token, WeCom's key)."""
    values = parse_qs(urlsplit(url).query).get(part)
    return values[0] if values else ""


def values(needs: list[EnvNeed], lookup: Callable[[str], str | None]) -> dict[str, str]:
    """Variable → value for apply; `lookup("env:NAME")` / `lookup("secret:N/K")` reads a reference.
    A reference that cannot be read is left out, so the caller can report it by name."""
    out = {}
    for need in needs:
        raw = lookup(need.source)
        if raw is not None:
            out[need.var] = url_part(raw, need.part) if need.part else raw
    return out


def substitute(text: str, env: dict[str, str]) -> tuple[str, list[str]]:
    """Fill `${VAR}` placeholders (for watches and monitors at apply time); also returns the missing names."""
    missing: list[str] = []

    def fill(m: re.Match) -> str:
        if m.group(1) in env:
            return env[m.group(1)]
        missing.append(m.group(1))
        return m.group(0)
    return _PLACEHOLDER.sub(fill, text), sorted(set(missing))


def placeholders(text: str) -> list[str]:
    return sorted(set(_PLACEHOLDER.findall(text)))
