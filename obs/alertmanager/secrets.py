"""Secret references in the Alertmanager config, never their values.

Where Alertmanager 0.25 reads a secret from a file (`auth_password_file`, `api_url_file`,
`routing_key_file`), the config names a file mounted from a Kubernetes Secret: a
`{secret: {name, key}}` reference is that Secret's key; an `{env: NAME}` reference is a key of
the `<secretName>-env` Secret obs declares, whose value is the `${NAME}` placeholder `obs apply`
fills. Where 0.25 has no `*_file` (webhook `url`, wechat `api_secret`) the config itself holds
the placeholder; a URL-valued one is written `https://obs.invalid/${NAME}` so that amtool accepts
the file, and `fill` replaces the whole URL. Variable names are those of obs.logs.secrets, so a
reference has the same name for log and metric alerts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from obs.logs.secrets import EnvNeed, source_of, url_part, var_name
from obs.model.secrets import EnvRef, SecretRef, Value

URL_STUB = "https://obs.invalid/"
_URL_PLACEHOLDER = re.compile(re.escape(URL_STUB) + r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Secrets:
    """Collects what the config refers to: env variables to fill and Secrets to mount."""

    def __init__(self, secrets_dir: str, env_secret: str) -> None:
        self.dir, self.env_secret = secrets_dir.rstrip("/"), env_secret
        self.needs: set[EnvNeed] = set()
        self.file_vars: set[str] = set()
        self.mounted: set[str] = set()

    def file(self, ref: EnvRef | SecretRef) -> str:
        """The path of a file holding the reference's value, for a `*_file` field."""
        if isinstance(ref, SecretRef):
            self.mounted.add(ref.secret.name)
            return f"{self.dir}/{ref.secret.name}/{ref.secret.key}"
        self.needs.add(EnvNeed(var_name(ref), source_of(ref)))
        self.file_vars.add(var_name(ref))
        self.mounted.add(self.env_secret)
        return f"{self.dir}/{self.env_secret}/{var_name(ref)}"

    def inline(self, value: Value, url: bool = False) -> str:
        """A literal as is; a reference as a placeholder filled when the config is applied."""
        if isinstance(value, str):
            return value
        self.needs.add(EnvNeed(var_name(value), source_of(value)))
        text = "${" + var_name(value) + "}"
        return URL_STUB + text if url else text


def fill(text: str, lookup: Callable[[str], str | None]) -> tuple[str, list[str]]:
    """Replace placeholders in a YAML text with values; `lookup(var)` gives a value or None.

    Values are inserted JSON-escaped (obs's YAML writer quotes such strings with JSON rules).
    Returns the text and the variables that could not be filled.
    """
    missing: set[str] = set()

    def sub(m: re.Match) -> str:
        value = lookup(m.group(1))
        if value is None:
            missing.add(m.group(1))
            return m.group(0)
        return json.dumps(value)[1:-1]
    return _PLACEHOLDER.sub(sub, _URL_PLACEHOLDER.sub(sub, text)), sorted(missing)


__all__ = ["Secrets", "fill", "url_part", "URL_STUB"]
