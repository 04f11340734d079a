"""Strings that YAML readers misread when a writer picks the wrong style: hand-picked edges plus a
seeded random corpus (the same strings every run), for tests/unit/test_yamlout_styles.py."""

from __future__ import annotations

import random

WORDS = [  # YAML 1.1 / 1.2 / Go resolvers: booleans, nulls, numbers, timestamps, merge, value
    "yes", "Yes", "YES", "no", "No", "NO", "y", "Y", "n", "N", "on", "On", "ON", "off", "Off", "OFF",
    "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~", "", "<<", "=",
    "1", "-1", "+1", "0", "01", "0o17", "0x1f", "0X1F", "0b101", "1_000", "1__0", "1e3", "1E3", "1.5", "-1.5",
    "+.5", ".5", "1.", "1.0e+3", "6.8523015e+5", "685_230.15", ".inf", "-.Inf", "+.INF", ".nan", ".NaN",
    "190:20:30", "12:30", "1:20", "-1:20", "2026-01-01", "2026-1-1", "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5", "2026-01-01T00:00:00Z", "5m", "1h30m", "10d", "2w", "100ms", "1y",
    "0.999", "99.9%", "5xx", "inf", "nan", "Infinity", "yesterday", "none", "None", "nil",
]
INDICATORS = [c + rest for c in "-?:,[]{}#&*!|>'\"%@`" for rest in ("", "x", " x", "x y")]
MARKERS = ["--- x", "---", "...", "... x", "- x", "? x", ": x", "x:", "x: y", "x :y", "x #y", "x#y", "#x",
           "a: b: c", "http://x:80/y", "k=v", "a,b", "[a, b]", "{a: b}", "a[0]", "x{y}", "&a", "*a", "!!str x",
           "!t", "%TAG", "@x", "`x`", "|", ">", "|-", ">-", "'", "''", '"', '""', "'q'", '"q"', "it's", 'say "hi"',
           "back\\slash", "\\n", "\\", "C:\\dir\\", "$x", "${VAR}", "https://obs.invalid/${HOOK}", "${lower_1}",
           "${ not}", "a " * 80, "word " * 30 + "x" * 150 + " tail", "{{ $labels.pod }}", "{{ $value | humanizePercentage }}", "{{ .Labels.x }}", "{{", "}}"]
SPACES = [" lead", "trail ", "  both  ", " ", "  ", "a  b", "a\tb", "\t", "\tlead", "trail\t", "a\u00a0b",
          "\u00a0lead", "trail\u00a0", "\u3000", "a\u2000b", "\u200bzero", "a\u00adb"]
BREAKS = ["a\nb", "a\n", "a\n\n", "a\n\n\n", "\n", "\n\n", "\na", "\n\na", " a\nb", "  a\n b", "a\n b", "\n  a",
          "a\n\n\nb", "a \nb", "a\n  \nb", "a\n  ", "a\n\t b", "\ta\nb", "# c\nx", "---\nx", "x\n---\ny",
          "- a\n- b", "k: v\nl: w\n", "a\r\nb", "a\rb", "a\r", "a\x85b", "a\u2028b", "a\u2029b", "line\n  {{ $x }}",
          "sum(rate(x[5m]))\n/\nsum(rate(y[5m]))", "  indented\nblock\n", "x\n\n", "a\n'b'\n\"c\""]
CONTROL = ["\x00", "a\x00b", "\x07", "\x1b[31m", "\x7f", "\x80", "\x9f", "\ufeff", "a\ufeffb", "\ufffe", "\uffff",
           "\ufffd", "\U0001f680", "é中文", "Ω≈ç√", "e\u0301", "\u202e", "\U00010000", "\ue000"]
PROMQL = [
    'sum(rate(x{a="b"}[5m]))',
    'up{job="a:b"} == 0',
    '{__name__=~"http_.*"}',
    '1 - (sum(rate(errors[5m])) / sum(rate(total[5m])))',
    '-sum(x)',
    'x # not a comment',
    'label_replace(up, "dst", "$1", "src", "(.*): (.*)")',
    'sum by (le) (rate(http_server_requests_seconds_bucket{application="checkout", uri!~"/actuator.*"}[5m]))',
    '(slo:sli_error:ratio_rate1h{service="checkout", slo="availability"} > (14.4 * 0.001) and '
    'slo:sli_error:ratio_rate5m{service="checkout", slo="availability"} > (14.4 * 0.001)) or '
    '(slo:sli_error:ratio_rate6h{service="checkout", slo="availability"} > (6 * 0.001) and '
    'slo:sli_error:ratio_rate30m{service="checkout", slo="availability"} > (6 * 0.001))',
    'histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket{application="svc-1", '
    'uri="/api/1 with spaces and \\"quotes\\" inside"}[5m]))) > 1',
    'sum(rate(x{msg="a  b: c #d"}[5m])) / sum(rate(x{msg=\'e f\'}[5m])) / sum(rate(x{msg=`g h`}[5m])) + ' * 2 + "1",
    'absent_over_time(' + "x" * 120 + '[5m])',
    "sum(\n  rate(x[5m])\n)\n",
    "  sum(x)\n  / sum(y)",
]


def random_strings(n: int = 2000, seed: int = 14) -> list[str]:
    """Random strings over YAML's troublesome characters, short ones and long ones (for folding)."""
    rng = random.Random(seed)
    alphabet = list("aZ09_/.:#'\"\\-?{}[],&*!|>%@`~+=<$ ") + ["  ", " ", " ", " ", "\t", "\n", "\r", "\x85",
                                                             "\u2028", "\u00a0", "é", "中", "\U0001f680",
                                                             "\x00", "\x7f", "\ufeff", "yes", "1e3", "0x1",
                                                             "${V}", "{{ $labels.x }}", ": ", " #", " and "]
    printable = [c for c in alphabet if c.isprintable() and c not in ("\t", "${V}")] + ["sum(", "rate(x[5m])", ") ", " / "]
    out = []
    for i in range(n):
        length = rng.randint(90, 260) if i % 5 < 2 else rng.randint(0, 14)
        chars = printable if i % 5 == 1 else alphabet  # long printable ones are folded
        parts: list[str] = []
        while sum(map(len, parts)) < length:
            parts.append(rng.choice(chars) if rng.random() < 0.6 else rng.choice("abcdefgh ()"))
        out.append("".join(parts))
    return out


def fixed() -> list[str]:
    chosen = WORDS + INDICATORS + MARKERS + SPACES + BREAKS + CONTROL + PROMQL
    return chosen + [w + suffix for w in ("yes", "1", "x", "a b") for suffix in (" ", ":", " #", "\n")]


def corpus() -> list[str]:
    return list(dict.fromkeys(fixed() + random_strings()))
