"""`${VAR}` placeholders filled at apply time — from the process environment only — and every
value filled remembered, so that nothing obs prints (plan, diff, progress, an error a server
echoed back) can carry one. out/ is never written back with values.

Variable names are those of obs.logs.secrets: `{env: NAME}` is `${NAME}`, a part of a URL is
`${NAME__ACCESS_TOKEN}` (derived from NAME when that variable itself is not set), and
`{secret: {name, key}}` is `${OBS_SECRET_<NAME>_<KEY>}`, which the CI job exports.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from obs.alertmanager.secrets import fill as fill_yaml_text
from obs.logs.secrets import placeholders, substitute, url_part

MASK = "<secret>"
#: keys whose values are secrets wherever they appear in a server's object
_SECRETISH = re.compile(r"(url|key|secret|token|password|passwd|auth|credential|routing|webhook|host|path|params)",
                        re.IGNORECASE)
_MIN_SCRUB = 4  # shorter values are not scrubbed from text (they would mangle ordinary words)
_MIN_FRAGMENT = 8  # path segments and query values this long are scrubbed on their own too


class Secrets:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ
        self._values: dict[str, str] = {}

    def lookup(self, var: str) -> str | None:
        """The value of a variable; an empty one counts as unset (what CI gives for a withheld secret)."""
        value = self.environ.get(var) or None
        if value is None and "__" in var:
            base, part = var.rsplit("__", 1)
            raw = self.environ.get(base) or None
            if raw is not None:
                self._values[base] = raw
                value = url_part(raw, part.lower()) or None
        if value is not None:
            self._values[var] = value
        return value

    def _fragments(self) -> set[str]:
        """The values and the parts of them a server might echo alone: a URL's path, its long path
        segments and query values, its password."""
        out = set(self._values.values())
        for value in self._values.values():
            try:
                parts = urlsplit(value)
            except ValueError:
                continue
            if not parts.scheme or not parts.netloc:
                continue
            out.add(parts.path)
            out.update(seg for seg in parts.path.split("/") if _tokenish(seg))
            out.update(v for vs in parse_qs(parts.query).values() for v in vs if _tokenish(v))
            if parts.password:
                out.add(parts.password)
        return {f for f in out if len(f) >= _MIN_SCRUB and f != "/"}

    def fill_yaml(self, text: str) -> tuple[str, list[str]]:
        """obs's YAML (Alertmanager config): values JSON-escaped into obs's quoted strings."""
        return fill_yaml_text(text, self.lookup)

    def fill_json(self, doc: Any) -> tuple[Any, list[str]]:
        """A JSON document with placeholders in its strings, filled string by string (no escaping to get wrong)."""
        missing: set[str] = set()

        def walk(v: Any) -> Any:
            if isinstance(v, dict):
                return {k: walk(x) for k, x in v.items()}
            if isinstance(v, list):
                return [walk(x) for x in v]
            if isinstance(v, str) and "${" in v:
                env = {n: val for n in placeholders(v) if (val := self.lookup(n)) is not None}
                text, gone = substitute(v, env)
                missing.update(gone)
                return text
            return v
        return walk(doc), sorted(missing)

    def scrub(self, text: str) -> str:
        """Every value filled so far, replaced by <secret> (longest first, so a URL goes before its token)."""
        for value in sorted(self._fragments(), key=len, reverse=True):
            text = text.replace(value, MASK)
            escaped = json.dumps(value)[1:-1]
            if escaped != value:
                text = text.replace(escaped, MASK)
        return text

    def mask(self, remote: Any, template: Any) -> Any:
        """A server's object for display: where the template has a placeholder, the placeholder
        (if the server holds what it would be filled with) or <secret>; secret-ish keys that the
        template does not explain are <secret> too; then every known value is scrubbed."""
        return _mask(remote, template, self, None)


def _tokenish(text: str) -> bool:
    """Long enough and mixed enough to be a token rather than a word such as `services`."""
    return len(text) >= 16 or (len(text) >= _MIN_FRAGMENT and any(c.isdigit() for c in text)
                               and any(c.isalpha() for c in text))


def _mask(remote: Any, template: Any, secrets: Secrets, key: str | None) -> Any:
    if isinstance(remote, dict):
        t = template if isinstance(template, dict) else {}
        return {k: _mask(v, t.get(k), secrets, k) for k, v in remote.items()}
    if isinstance(remote, list):
        t = template if isinstance(template, list) else []
        return [_mask(v, t[i] if i < len(t) else None, secrets, key) for i, v in enumerate(remote)]
    if not isinstance(remote, str):
        return remote
    if isinstance(template, str) and "${" in template:
        env = {n: v for n in placeholders(template) if (v := secrets.lookup(n)) is not None}
        filled, _ = substitute(template, env)
        return template if filled == remote else MASK
    if template == remote:
        return remote
    if key is not None and _SECRETISH.search(key):
        return MASK
    return secrets.scrub(remote)
