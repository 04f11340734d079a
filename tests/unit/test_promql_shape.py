"""The PromQL validity memo (obs.checks.promql.parse_error) against promql-parser itself: a
query whose label values differ from a valid one's must never be taken as valid unless it is,
and a failing query's message is always its own text's."""

from __future__ import annotations

import itertools
import random

import promql_parser
import pytest

from obs.checks import promql


def direct(expr: str) -> str | None:
    """What promql-parser says, with no memo."""
    try:
        promql_parser.parse(expr)
    except (ValueError, TypeError) as e:
        return str(e) or "invalid PromQL"
    return None


@pytest.fixture(autouse=True)
def fresh_memo():
    promql._exact.clear()
    promql._valid_shapes.clear()
    yield
    promql._exact.clear()
    promql._valid_shapes.clear()


VALID = 'sum(rate(http_requests_total{job="api",code=~"5xx"}[5m]))'
#: each of these is invalid, and differs from VALID (or a valid sibling) only inside a string literal
INVALID_SIBLINGS = [
    ('foo{job="api"}', 'foo{job="a\\q"}'),             # unknown escape
    ('foo{job="api"}', 'foo{job="a\\"}'),              # escaped closing quote: unterminated
    ('foo{job="api"}', 'foo{job="a'),                  # unterminated
    ('foo{job="api"}', 'foo{job="a\nb"}'),             # newline inside the string
    ('foo{job="api"}', "foo{job=\"it\\'s\"}"),         # \' is no escape of a double-quoted string
    ("foo{job='api'}", "foo{job='a\\\"b'}"),           # \" is no escape of a single-quoted string
    ('foo{job="api"}', 'foo{job=`a\\q`}'),             # promql-parser reads escapes in backticks too
    ('foo{job="api"}', 'foo{job="\ud800"}'),           # not encodable as UTF-8
    ('foo{job="api"}', 'foo{job="a"b"}'),              # a quote inside the value
    ('foo{job="api"}', 'foo{job="a\'"}b"}'),           # quotes of both kinds inside
    ('foo{job="api"}', 'foo{job="a"}"}'),              # a closing brace after a quote inside
    ('{job="api"}', '{job=""}'),                       # no matcher that excludes ""
    ('{job!=""}', '{job!="api"}'),
    ('{job=~"api"}', '{job=~".*"}'),
    ('{job=~"api"}', '{job=~"a|"}'),
    ('{job=~"api"}', '{job=~"("}'),                    # illegal regex
    ('foo{job=~"api"}', 'foo{job=~"["}'),
    ('foo{job=~"api"}', 'foo{job=~"a{2,1}"}'),
    ('foo{job=~"api"}', 'foo{job=~"\\\\"}'),
    ('{__name__="foo",job="x"}', '{__name__="",job=""}'),
    ('{__name__=~"foo.+"}', '{__name__=~".*"}'),
    ('{"foo"}', '{""}'),
    ('{"foo", job=""}', '{"", job=""}'),
    ('foo{job="api"}', 'foo{__name__="api"}'),         # the metric named twice
    ('foo{job="api"} + bar{job="api"}', 'foo{job="api"} + bar{job="a\\z"}'),
]


#: siblings promql-parser accepts, though Prometheus would refuse some when it evaluates them:
#: the memo must give the parser's answer, whatever it is
OTHER_SIBLINGS = [
    ('foo{job="api"} # a "comment', 'foo{job="a"} # "'),
    ('foo{job="api"}', 'foo{job="a" # "\n}'),
    ('label_replace(up, "dst", "$1", "job", "(.*)")', 'label_replace(up, "dst", "$1", "job", "(")'),
    ('count_values("value", up)', 'count_values("", up)'),
    ('count_values("value", up)', 'count_values("1 bad", up)'),
]


@pytest.mark.parametrize("valid, other", OTHER_SIBLINGS)
def test_the_memo_gives_the_parsers_answer(valid, other):
    assert promql.parse_error(valid) == direct(valid)
    assert promql.parse_error(other) == direct(other)


@pytest.mark.parametrize("valid, invalid", INVALID_SIBLINGS)
def test_an_invalid_sibling_of_a_valid_query_is_still_invalid(valid, invalid):
    expected = direct(invalid)
    if direct(valid) is not None:
        pytest.skip(f"promql-parser refuses {valid!r} too: no sibling to learn from")
    assert expected is not None, f"promql-parser accepts {invalid!r}: the case proves nothing"
    assert promql.parse_error(valid) is None   # its shape is now known to be valid
    assert promql.parse_error(invalid) == expected
    assert promql.parse_error(invalid) == expected  # and again, from the memo


def test_label_values_that_differ_share_one_parse(monkeypatch):
    calls = []
    real = promql_parser.parse
    monkeypatch.setattr(promql_parser, "parse", lambda text: calls.append(text) or real(text))
    for i in range(50):
        assert promql.parse_error(f'sum(rate(http_requests_total{{job="svc-{i}",code=~"5.."}}[5m]))') is None
        assert promql.parse_error(f'up{{namespace!="ns-{i}", job=~"svc-{i}"}}') is None
    assert len(calls) == 2


def test_what_cannot_be_lexed_plainly_has_no_shape():
    for text in ('foo{job="a\\"b"}', "foo{job=`x`}", 'foo # c', 'foo{job="a', 'foo{job="a\tb"}'):
        assert promql.shape(text) is None, text
    assert promql.shape('foo{job="svc-1", le=""}') == 'foo{job="x", le=""}'
    assert promql.shape('foo{__name__="a", "job"="b", job=~"a.b"}') == 'foo{__name__="a", "job"="b", job=~"a.b"}'


#: what label values are made of in the fuzz below: every character that has a meaning to the lexer
PIECES = ['a', 'svc-1', '', ' ', '"', "'", '`', '\\', '\\\\', '\\n', '\\x41', '\\u00e9', '\\q', '\n', '\t', '#',
          '{', '}', ',', '=', '.*', '.+', '|', '(', ')', '[', 'é', '$job', '__name__', 'x{2,1}']
TEMPLATES = [
    'foo{{job={q}{v}{q}}}', '{{job={q}{v}{q}}}', '{{job!={q}{v}{q}}}', '{{job=~{q}{v}{q}}}', 'foo{{job!~{q}{v}{q}}}',
    '{{__name__={q}{v}{q}, job={q}{w}{q}}}', 'sum by (job) (rate(foo{{job={q}{v}{q}, code=~{q}{w}{q}}}[5m]))',
    '{{{q}{v}{q}}}', 'foo{{{q}{v}{q}={q}{w}{q}}}', 'label_replace(up{{job={q}{v}{q}}}, "d", "$1", "job", {q}{w}{q})',
    'foo{{job={q}{v}{q}}} # {q}{w}', 'count_values({q}{v}{q}, up{{job={q}{w}{q}}})',
]


def test_memo_agrees_with_promql_parser_on_a_fuzz_of_label_values():
    rng = random.Random(18)
    values = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 3))) for _ in range(150)] + PIECES
    texts = [t.format(q=q, v=v, w=w) for t in TEMPLATES for q in ('"', "'", "`")
             for v, w in zip(values, reversed(values))]
    rng.shuffle(texts)
    by_shape: dict[str, set[bool]] = {}
    for text in texts:  # one memo for the whole run: valid shapes learnt first must not let invalid ones through
        expected = direct(text)
        assert promql.parse_error(text) == expected, text
        key = promql.shape(text)
        if key is not None:
            by_shape.setdefault(key, set()).add(expected is None)
    mixed = [k for k, seen in by_shape.items() if len(seen) > 1]
    assert not mixed, f"one shape, valid and invalid queries: {mixed[:3]}"
    assert sum(len(s) for s in by_shape.values()) > 100


def test_a_failure_reports_its_own_text_after_many_valid_siblings():
    for i, j in itertools.product(range(5), range(5)):
        assert promql.parse_error(f'foo{{job="svc-{i}", ns="n{j}"}}') is None
    bad = 'foo{job="svc-9", ns="n\\9"}'
    assert promql.parse_error(bad) == direct(bad) is not None
