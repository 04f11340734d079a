"""Secret references: a secret is named, never written. `{env: NAME}` or `{secret: {name, key}}`."""

from __future__ import annotations

import os
import re
from typing import Annotated, Union

from pydantic import AfterValidator

from obs.model.base import Spec, invalid


def _env_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise invalid("name", f"{value!r} is not an environment variable name")
    return value


class SecretKeyRef(Spec):
    name: str
    key: str


class EnvRef(Spec):
    """A value read from the environment when a command runs."""

    env: Annotated[str, AfterValidator(_env_name)]

    def resolve(self) -> str | None:
        return os.environ.get(self.env)

    def describe(self) -> str:
        return f"${{{self.env}}}"


class SecretRef(Spec):
    """A key of a Kubernetes Secret, mounted or read where the value is used."""

    secret: SecretKeyRef

    def resolve(self) -> str | None:
        return None

    def describe(self) -> str:
        return f"secret {self.secret.name}/{self.secret.key}"


Reference = Union[EnvRef, SecretRef]
#: A value that may be written as text or as a reference (only where a literal is not a secret).
Value = Union[str, EnvRef, SecretRef]
