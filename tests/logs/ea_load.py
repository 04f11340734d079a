"""Run inside ElastAlert 2's own venv: load rule files with its real loader and print what it built.

Usage: python ea_load.py ES_HOST ES_PORT RULE.yaml...  → JSON {file: {...}} on stdout; a rule the
loader rejects is reported as {"error": "..."} (ElastAlert's own message). With EA_MATCH (a JSON match)
each alerter's title for it is added; with EA_SEND too, webhook (post2) alerters send it for real.
"""

import datetime
import json
import os
import sys

from elastalert.elastalert import ElastAlerter
from elastalert.loaders import FileRulesLoader
from elastalert.util import dt_to_ts


def plain(value):
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def main():
    host, port, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    conf = {"es_host": host, "es_port": port, "rules_folder": ".", "writeback_index": "elastalert_status",
            "run_every": datetime.timedelta(minutes=1), "buffer_time": datetime.timedelta(minutes=15),
            "alert_time_limit": datetime.timedelta(days=2), "old_query_limit": datetime.timedelta(weeks=1),
            "max_query_size": 10000, "scroll_keepalive": "30s", "max_aggregation": 10000,
            "disable_rules_on_error": False, "scan_subdirectories": False}
    out = {}
    for path in files:
        try:
            loader = FileRulesLoader(conf)
            rule = loader.load_configuration(path, conf)
            end = datetime.datetime.now(datetime.UTC)
            start = end - rule.get("timeframe", rule.get("buffer_time", conf["buffer_time"]))
            query = ElastAlerter.get_query(rule.get("filter", []), start, end,
                                           timestamp_field=rule["timestamp_field"], to_ts_func=dt_to_ts)
            alerters = [{"class": type(a).__name__, "options": {k: plain(v) for k, v in a.rule.items()
                                                                 if k.split("_")[0] in ("dingtalk", "work", "slack",
                                                                 "http", "email", "smtp", "from", "pagerduty",
                                                                 "alertmanager")},
                          # what EmailAlerter read from its smtp_auth_file (get_account), when it has one
                          **({"account": {"user": a.user, "password": a.password}} if hasattr(a, "user") else {})}
                         for a in rule["alert"]]
            keep = {k: plain(v) for k, v in rule.items() if k not in ("type", "alert", "match_enhancements",
                                                                       "jinja_template")}
            out[path] = {"class": type(rule["type"]).__name__, "rule": keep, "alerters": alerters,
                         "query": query, "start": start.isoformat(), "end": end.isoformat(),
                         # the indices ElastAlert searches for this time range (use_strftime_index formats them)
                         "indices": ElastAlerter.get_index(rule, start, end)}
            if os.environ.get("EA_MATCH"):  # what the alerters say about one match: the title, and a real send
                match = json.loads(os.environ["EA_MATCH"])
                for summary, alerter in zip(alerters, rule["alert"], strict=True):
                    summary["title"] = alerter.create_title([match])
                    if os.environ.get("EA_SEND") and type(alerter).__name__ == "HTTPPost2Alerter":
                        alerter.alert([match])
        except Exception as e:  # the loader's own message is the result
            out[path] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout, default=repr)


main()
