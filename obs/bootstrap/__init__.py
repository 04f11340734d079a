"""`obs bootstrap`: manifests for the monitoring stack itself, from the jsonnet of manifests/.

Each profile is a folder manifests/<profile>/ with params.libsonnet (its parameters, defaulted
from the project) and main.jsonnet (the files); obs hands them what it compiled (facts.py), so
what the stack runs is wired to what obs writes. See docs/bootstrap.md.
"""

from __future__ import annotations

from obs import codes

UNKNOWN_PROFILE = codes.define("BS001", "bootstrap/unknown-profile", "`obs bootstrap` was given a profile that "
                               "manifests/ has no folder for.")
BAD_SET = codes.define("BS002", "bootstrap/bad-set", "A --set is not `key=value` with a dotted key.")
UNKNOWN_PARAMETER = codes.define("BS003", "bootstrap/unknown-parameter", "A parameter (obs.yaml spec.bootstrap or "
                                 "--set) that the profile does not have (often a typo).")
PARAMETER_TYPE = codes.define("BS004", "bootstrap/parameter-type", "A parameter value of another type than the "
                              "profile's default (a number for a text, a list for a mapping ...).")
EVALUATION = codes.define("BS005", "bootstrap/jsonnet", "A profile's jsonnet failed to evaluate (a bug in obs's "
                          "manifests, or a parameter value they cannot use).")
IMPORT_OUTSIDE = codes.define("BS006", "bootstrap/import-outside", "A profile's jsonnet imports a file outside "
                              "manifests/.")
SELECTION = codes.define("BS007", "bootstrap/selection", "What obs compiles is not what the profile's servers "
                         "select (rule labels, sidecar labels, Secret names): they would not load it.")
UNKNOWN_ENVIRONMENT = codes.define("BS008", "bootstrap/unknown-environment", "`--env` names an environment obs.yaml "
                                   "does not have.")
OUTPUT = codes.define("BS009", "bootstrap/output", "The output folder cannot be written (a file is in the way, "
                      "or it is the project's compile output).")
LEFT_OUT = codes.define("BS010", "bootstrap/left-out", "Compiled objects the profile leaves to `obs apply` (where "
                       "they are), or a file it leaves out because compile does not write it (target off).")
