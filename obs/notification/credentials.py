"""Secret references as Kubernetes `secretKeyRef`s, never values.

`{secret: {name, key}}` points at the user's Secret in defaults.kubernetes.namespace; `{env: NAME}`
is a key of a Secret obs declares (`stringData: {VAR: "${VAR}"}`), whose placeholders `obs apply`
fills from the environment (obs.alertmanager.secrets.fill), as for the Alertmanager Secret.
Variable names are those of obs.logs.secrets, so a reference has one name in every target.
"""

from __future__ import annotations

from obs.logs.secrets import var_name
from obs.model.secrets import EnvRef, SecretRef


class SecretKeyRefs:
    """Collects the environment variables the obs-declared Secret must hold."""

    def __init__(self, env_secret: str, namespace: str) -> None:
        self.env_secret, self.namespace = env_secret, namespace
        self.vars: set[str] = set()

    def selector(self, ref: EnvRef | SecretRef) -> dict:
        """{name, key} of the Secret key holding the reference's value."""
        if isinstance(ref, SecretRef):
            return {"name": ref.secret.name, "key": ref.secret.key}
        self.vars.add(var_name(ref))
        return {"name": self.env_secret, "key": var_name(ref)}

    def credential(self, ref: EnvRef | SecretRef) -> dict:
        """notification-manager's credential: `valueFrom.secretKeyRef` with the namespace spelled out."""
        return {"valueFrom": {"secretKeyRef": {**self.selector(ref), "namespace": self.namespace}}}

    def env_data(self) -> dict[str, str]:
        return {v: "${" + v + "}" for v in sorted(self.vars)}

    def value(self, value: str | EnvRef | SecretRef) -> dict:
        """A credential from a Value: a literal the user wrote as `value`, a reference by Secret."""
        return {"value": value} if isinstance(value, str) else self.credential(value)
