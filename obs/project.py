"""obs.yaml: the Project — sources, targets, defaults and the environments of live servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from obs.durations import seconds
from obs.model.apm import InjectionMode
from obs.model.base import Duration, Labels, LabelValue, Name, Spec, invalid
from obs.model.logs import LogTarget
from obs.model.secrets import Reference, Value
from obs.model.slo import BurnWindow

PROJECT_FILE = "obs.yaml"
TargetName = Literal["prometheus", "prometheus-operator", "kubesphere", "grafana", "elastalert", "watcher",
                     "opensearch-monitor", "skywalking", "alertmanager", "notification-manager"]
ALL_TARGETS: tuple[str, ...] = TargetName.__args__  # type: ignore[attr-defined]


class SLODefaults(Spec):
    window: Duration = "30d"
    #: windows for a 30d period, scaled to each SLO's window (SPEC §2.2); None: the default policy
    policy: list[BurnWindow] | None = None
    #: evaluation interval of SLO rule groups; None: 1m, longer for windows past 30d (obs.slo)
    interval: Duration | None = None
    #: the rate() window over raw series; None: the policy's shortest scaled window (obs.slo)
    baseWindow: Duration | None = None
    #: also label recorded series with Sloth's sloth_id/sloth_service/sloth_slo, and record the metadata
    #: series Sloth's dashboards read (docs/foreign.md, "Migration aid")
    slothLabels: bool = False


class PrometheusDefaults(Spec):
    #: how often Prometheus scrapes the series rules read (KubeSphere 1m, kube-prometheus 30s):
    #: every rate window obs writes holds at least 4 scrapes (obs.slo.SCRAPES_PER_RATE)
    scrapeInterval: Duration = "1m"

    @field_validator("scrapeInterval")
    @classmethod
    def _positive(cls, value: str) -> str:
        if seconds(value) <= 0:
            raise invalid("range", "the scrape interval must be longer than 0", hint="KubeSphere scrapes every 1m, "
                          "kube-prometheus every 30s")
        return value


class RealertDefaults(Spec):
    """How long a log alert stays quiet after it notified, by severity (ElastAlert `realert`, watch
    `throttle_period`, monitor action `throttle`); without it ElastAlert repeats every minute."""

    critical: Duration = "15m"
    warning: Duration = "1h"
    info: Duration = "4h"


class LogDefaults(Spec):
    index: str = "ks-logstash-log-*"
    timestampField: str = "@timestamp"
    targets: list[LogTarget] = Field(default_factory=lambda: ["elastalert"])
    #: how often watches and monitors run
    schedule: Duration = "1m"
    #: Alertmanager URLs: when set, log alerts go there (API v2) and its routes reach the channels
    alertmanager: list[str] = Field(default_factory=list)
    #: unset: obs writes each email channel's SMTP login file beside the rules (password as ${VAR});
    #: set: the ElastAlert pod mounts `<channel>.yaml` files (user, password) there itself
    smtpAuthDir: str | None = None
    #: realert per severity for alerts that notify channels (an alert's own `realert:` wins); in
    #: Alertmanager mode alerts are re-sent every run and Alertmanager's repeat intervals decide
    realert: RealertDefaults = Field(default_factory=RealertDefaults)


class SkyWalkingDefaults(Spec):
    backend: str = "skywalking-oap.skywalking.svc:11800"
    agentVersion: str = "9.3.0"
    mode: InjectionMode = "init-container"
    image: str | None = None
    pythonAgentVersion: str | None = None


class KubernetesDefaults(Spec):
    namespace: str = "monitoring"
    ruleLabels: dict[str, LabelValue] = Field(default_factory=dict)
    labels: dict[str, LabelValue] = Field(default_factory=dict)
    #: who evaluates alerts when both prometheus-operator and kubesphere are targets (docs/kubernetes.md)
    alertsIn: Literal["prometheusrule", "kubesphere"] = "prometheusrule"


class REDConvention(Spec):
    """Which series the `red` dashboard reads; unset fields keep the runtime's convention."""

    requests: str | None = None  # request counter (or a histogram's _count)
    duration: str | None = None  # histogram buckets of request duration
    status: str | None = None  # label holding the HTTP status code
    route: str | None = None  # label holding the route
    errors: str | None = None  # regex of status values that are errors
    selector: str | None = None  # label matchers; {service} and {namespace} are filled in


class GrafanaDefaults(Spec):
    datasource: str = "prometheus"
    #: the Elasticsearch datasource uid of dashboards that show logs (the `logs` variable's default)
    logsDatasource: str = "elasticsearch"
    #: the label naming the cluster (`$cluster` filters it); null: no cluster variable
    clusterLabel: str | None = "cluster"
    #: Grafana folder of the dashboards; default: the project's name
    folder: str | None = None
    folderAnnotation: str = "grafana_folder"
    url: str | None = None
    #: `red` conventions per runtime (java, python, nodejs, go, other), over the built-in ones
    red: dict[str, REDConvention] = Field(default_factory=dict)
    #: label matchers per template ({service}, {namespace} filled in); a pack's `with.selector` wins
    selectors: dict[str, str] = Field(default_factory=dict)


class AlertmanagerDefaults(Spec):
    receiver: str | None = None
    groupBy: list[str] = Field(default_factory=lambda: ["alertname", "service", "slo"])
    groupWait: Duration = "30s"
    groupInterval: Duration = "5m"
    repeatInterval: Duration = "4h"
    #: who delivers to the channels (docs/alertmanager.md, "Modes"): `secret` (obs owns the whole config),
    #: `alertmanagerconfig` (AlertmanagerConfig objects per team), `notification-manager` (Alertmanager
    #: forwards to notification-manager); unset: notification-manager when kubesphere or
    #: notification-manager is a target, else secret
    mode: Literal["secret", "alertmanagerconfig", "notification-manager"] | None = None
    #: the DingTalk webhook relay (prometheus-webhook-dingtalk) base URL; required by dingtalk channels
    #: when Alertmanager itself delivers (obs cannot know where it runs)
    dingtalkRelay: str | None = None
    #: the WeCom group-robot relay (PrometheusAlert) base URL, required by wecom channels without corpId
    #: when Alertmanager itself delivers
    wecomRelay: str | None = None
    #: the Feishu robot relay (PrometheusAlert, `type=fs`) base URL, required by feishu channels when
    #: Alertmanager itself delivers
    feishuRelay: str | None = None
    #: the NotificationManager resource in defaults.kubernetes.namespace; its operator serves the
    #: webhook Alertmanager posts to as Service `<name>-svc`, port 19093
    notificationManager: str = "notification-manager"
    #: repeat interval per severity (the team's alerts of that severity); others use repeatInterval
    severityRepeatIntervals: dict[str, Duration] = Field(
        default_factory=lambda: {"critical": "1h", "warning": "4h", "info": "24h"})
    #: Secret (in defaults.kubernetes.namespace) holding alertmanager.yaml; kube-prometheus and
    #: KubeSphere name it alertmanager-<Alertmanager name>
    secretName: str = "alertmanager-main"
    #: where Alertmanager sees mounted Secrets (prometheus-operator mounts spec.secrets here)
    secretsDir: str = "/etc/alertmanager/secrets"
    #: email sender when a channel has no `from`
    smtpFrom: str | None = None


class Defaults(Spec):
    labels: Labels = Field(default_factory=dict)
    slo: SLODefaults = Field(default_factory=SLODefaults)
    prometheus: PrometheusDefaults = Field(default_factory=PrometheusDefaults)
    logs: LogDefaults = Field(default_factory=LogDefaults)
    skywalking: SkyWalkingDefaults = Field(default_factory=SkyWalkingDefaults)
    kubernetes: KubernetesDefaults = Field(default_factory=KubernetesDefaults)
    grafana: GrafanaDefaults = Field(default_factory=GrafanaDefaults)
    alertmanager: AlertmanagerDefaults = Field(default_factory=AlertmanagerDefaults)


class Server(Spec):
    """A live server of an environment; any value may be {env: NAME}."""

    url: Value
    token: Reference | None = None
    apiKey: Reference | None = None
    username: Value | None = None
    password: Reference | None = None
    headers: dict[str, Value] = Field(default_factory=dict)
    insecureSkipVerify: bool = False
    caFile: Value | None = None
    datasource: Value | None = None
    tenant: Value | None = None


class PrometheusServer(Server):
    """Prometheus; `rulesDir` is where `obs apply` writes rule files (the folder its rule_files glob reads)."""

    #: metric names (globs such as redis_*) this environment's Prometheus need not have: their
    #: absence is info in `obs validate`, not an error (docs/validate.md)
    optionalMetrics: list[str] = Field(default_factory=list)

    rulesDir: Value | None = None
    #: how long apply waits for the reloaded groups to be loaded and evaluated once
    confirmTimeout: Duration = "60s"


class AlertmanagerServer(Server):
    """Alertmanager; `configFile` is the file `obs apply` writes (its --config.file)."""

    configFile: Value | None = None
    confirmTimeout: Duration = "30s"


class GrafanaServer(Server):
    """Grafana; `obs apply` files the dashboards into `folder` (default: defaults.grafana.folder,
    else the project's name), created when missing (with `folderUid` when given)."""

    folder: Value | None = None
    folderUid: Value | None = None
    #: the organisation the token or user acts in (X-Grafana-Org-Id); default: theirs
    orgId: Value | int | None = None


class MimirServer(Server):
    """A Mimir (or Cortex) ruler: rule groups through its configuration API, for `tenant`."""

    #: the namespace obs's groups live in (default: the project's name); others are never touched
    namespace: Value | None = None
    #: the ruler's configuration API: Mimir <prometheus-http-prefix>/config/v1/rules, Cortex /api/v1/rules
    rulesPath: str = "/prometheus/config/v1/rules"


class ElastAlertEnv(Spec):
    """ElastAlert 2 reading its rules from a folder (`rules_folder`; it reloads changed files itself),
    or, in Kubernetes, from the ConfigMap its deployment mounts there (`configMap`, `namespace`)."""

    rulesDir: Value | None = None
    configMap: Value | None = None
    namespace: Value | None = None


class KubernetesEnv(Spec):
    context: Value | None = None
    kubeconfig: Value | None = None
    namespace: Value | None = None


class Environment(Spec):
    prometheus: PrometheusServer | None = None
    alertmanager: AlertmanagerServer | None = None
    elasticsearch: Server | None = None
    opensearch: Server | None = None
    grafana: GrafanaServer | None = None
    skywalking: Server | None = None
    mimir: MimirServer | None = None
    kubernetes: KubernetesEnv | None = None
    elastalert: ElastAlertEnv | None = None
    #: the targets `obs apply` pushes to in this environment (default: every one it configures)
    apply: list[str] | None = None


class ProjectSpec(Spec):
    sources: list[str] = Field(default_factory=lambda: ["**/*.yaml", "**/*.yml"])
    dashboards: list[str] = Field(default_factory=list)
    tests: list[str] = Field(default_factory=lambda: ["tests/*.yaml"])
    outputDir: str = "out"
    targets: list[TargetName] = Field(default_factory=lambda: list(ALL_TARGETS))
    defaults: Defaults = Field(default_factory=Defaults)
    environments: dict[str, Environment] = Field(default_factory=dict)
    #: `obs bootstrap` parameters per profile (manifests/README.md); --set overrides them
    bootstrap: dict[str, dict[str, Any]] = Field(default_factory=dict)


class ProjectMetadata(Spec):
    name: Name
    labels: Labels = Field(default_factory=dict)


class Project(Spec):
    apiVersion: Literal["obs/v1"]
    kind: Literal["Project"]
    metadata: ProjectMetadata
    spec: ProjectSpec = Field(default_factory=ProjectSpec)

    @property
    def name(self) -> str:
        return self.metadata.name


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding obs.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None
