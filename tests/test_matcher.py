"""Tests for the paste matcher: every template round-trips, JSON bodies, conflicts, hostile input."""
import json
import re
import time

import pytest
from hypothesis import example, HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import PLACEHOLDER_RE, load_catalog
from matcher import NOTE_KINDS, Match, MessageMatcher, Note, PasteAnalysis
from support import DATA_DIR, ROOT

# Loaded at collection so that tests can be parametrised per code.
CATALOG = load_catalog(DATA_DIR)
SAMPLE_VALUES = ("channel", "42", "/a/b c.mp4", "my channel", "ls-2026-AbC")
CATCH_ALL = "250001"
WITH_VALUES = [e for e in CATALOG.codes if e.placeholder_indexes]
WITHOUT_VALUES = [e for e in CATALOG.codes if not e.placeholder_indexes]


def identical_groups() -> list[tuple[str, ...]]:
    """Codes whose published messages are equal, found from the data rather than hard-coded."""
    groups: dict[str, list[str]] = {}
    for entry in CATALOG.codes:
        groups.setdefault(" ".join(entry.message.split()), []).append(entry.code)
    return [tuple(codes) for codes in groups.values() if len(codes) > 1]


GROUP_OF = {code: group for group in identical_groups() for code in group}
# Messages equal but for a trailing period (250121, 250133): a paste that drops or adds it may pick the twin.
PERIOD_TWINS = {a.code: b.code for a in CATALOG.codes for b in CATALOG.codes
                if a is not b and a.message.rstrip(".") == b.message.rstrip(".") and a.message != b.message}


def render(message: str, values: dict[int, str]) -> str:
    return PLACEHOLDER_RE.sub(lambda m: values[int(m.group(1))], message)


def sample_values(entry, rotation: int) -> dict[int, str]:
    return {index: SAMPLE_VALUES[(rotation + k) % len(SAMPLE_VALUES)]
            for k, index in enumerate(entry.placeholder_indexes)}


def assert_on_top(analysis: PasteAnalysis, code: str, twins_allowed: bool = False) -> Match:
    """The code is first, or shares an identical template with the first; return its match."""
    assert analysis.matches, f"nothing matched {analysis.text!r}"
    found = {m.code: m for m in analysis.matches}
    assert code in found, f"{code} not among {[m.code for m in analysis.matches]} for {analysis.text!r}"
    top = analysis.matches[0].code
    allowed = {code, *GROUP_OF.get(code, ()), *([PERIOD_TWINS.get(code)] if twins_allowed else [])}
    assert top in allowed, f"{top} outranks {code} for {analysis.text!r}"
    return found[code]


def test_groups_found_in_data_include_the_known_ones():
    groups = set(identical_groups())
    for expected in [("250135", "250136"), ("250144", "250145"), ("250146", "250147"), ("250148", "250149")]:
        assert expected in groups


# ---------------------------------------------------------------------------- every template

@pytest.mark.parametrize("rotation", range(len(SAMPLE_VALUES)))
@pytest.mark.parametrize("entry", WITH_VALUES, ids=lambda e: e.code)
def test_rendered_template_matches_back_with_its_values(matcher, entry, rotation):
    values = sample_values(entry, rotation)
    text = render(entry.message, values)
    analysis = matcher.analyse(text)
    expected = {str(i): v for i, v in values.items()}
    if entry.code == CATCH_ALL:
        if matcher.looks_like_paste(text):
            assert [(m.code, m.params, m.exact) for m in analysis.matches] == [(CATCH_ALL, expected, False)]
        else:
            assert analysis.matches == ()
        return
    match = assert_on_top(analysis, entry.code)
    assert match.params == expected
    assert match.exact is True and match.source == "message"
    assert analysis.matches[0].code != CATCH_ALL


@pytest.mark.parametrize("entry", WITH_VALUES, ids=lambda e: e.code)
def test_rendered_template_in_json_body_is_identified_by_error_code(matcher, entry):
    values = sample_values(entry, 3)
    body = {"error": {"errorCode": int(entry.code), "message": render(entry.message, values),
                      "errorName": entry.name}}
    analysis = matcher.analyse("2026-11-25 10:00:01 ERROR api call failed: " + json.dumps(body))
    first = analysis.matches[0]
    assert (first.code, first.source, first.exact) == (entry.code, "errorCode", True)
    assert first.params == {str(i): v for i, v in values.items()}
    assert analysis.conflicts == ()
    assert "".join(piece for piece, _ in analysis.segments) == body["error"]["message"]


@pytest.mark.parametrize("entry", [e for e in WITH_VALUES if e.code != CATCH_ALL], ids=lambda e: e.code)
def test_rendered_template_tolerates_case_spacing_and_a_missing_period(matcher, entry):
    values = sample_values(entry, 1)
    text = render(entry.message, values)
    variant = "  " + re.sub(r"\s+", "   ", text.upper()).rstrip(".") + " \n"
    match = assert_on_top(matcher.analyse(variant), entry.code)
    assert match.exact is True
    # values come back in the user's characters (case and spacing), not the folded ones used for matching
    assert match.params == {str(i): re.sub(r"\s+", "   ", v.upper()) for i, v in values.items()}


def message_variants(message: str) -> dict[str, str]:
    joined = message.replace("\n", " ")
    return {
        "as published": message,
        "lowercase": message.lower(),
        "uppercase": message.upper(),
        "no trailing period": message[:-1] if message.endswith(".") else message,
        "extra trailing period": message if message.endswith(".") else message + ".",
        "lines joined by spaces": joined,
        "lines joined by escaped \\n": message.replace("\n", "\\n"),
        "lines joined directly": message.replace("\n", ""),
        "surrounded by blanks": "\n\t " + message + "  \r\n",
        "in quotes": f'"{message}"',
    }


@pytest.mark.parametrize("variant", list(message_variants("x")))
@pytest.mark.parametrize("entry", WITHOUT_VALUES, ids=lambda e: e.code)
def test_fixed_message_matches_itself_exactly(matcher, entry, variant):
    text = message_variants(entry.message)[variant]
    match = assert_on_top(matcher.analyse(text), entry.code, twins_allowed="period" in variant)
    assert match.exact is True and match.params == {}


def test_multiline_template_with_values_joined_every_way(matcher):
    entry = CATALOG.get("250146")
    values = {0: "channel", 1: "PROFESSIONAL", 2: "5", 3: "5"}
    text = render(entry.message, values)
    for joined in (text, text.replace("\n", " "), text.replace("\n", "\\n"), text.replace("\n", "\r\n")):
        match = assert_on_top(matcher.analyse(joined), "250146")
        assert match.params == {"0": "channel", "1": "PROFESSIONAL", "2": "5", "3": "5"}
        assert match.exact is True


# ---------------------------------------------------------------------------- examples from the issue

def test_examples_from_the_issue(matcher):
    first = matcher.analyse("CH-1234 not found.").matches[0]
    assert (first.code, first.params, first.exact) == ("250004", {"0": "CH-1234"}, True)
    first = matcher.analyse("Invalid parameter type.pageNo can not convert to type Integer.").matches[0]
    assert (first.code, first.params) == ("250021", {"0": "pageNo", "1": "Integer"})


def test_unexpected_error_is_250000_not_the_gateway_900_or_the_catch_all(matcher):
    analysis = matcher.analyse("Unexpected error occurred.")
    assert analysis.matches[0].code == "250000" and analysis.matches[0].exact
    assert CATCH_ALL not in [m.code for m in analysis.matches]


def test_catch_all_is_never_first_when_another_template_matches(matcher):
    for text in ["CH-1 not found.", "Unauthorized channel.", "Quality is not found.", "Snapshot ID: 12 created."]:
        analysis = matcher.analyse(text)
        assert analysis.matches and analysis.matches[0].code != CATCH_ALL
        assert CATCH_ALL not in [m.code for m in analysis.matches]


def test_catch_all_is_the_last_resort_for_an_unknown_sentence(matcher):
    analysis = matcher.analyse("Quota for my channel exceeded.")
    assert [(m.code, m.params, m.exact) for m in analysis.matches] == [
        (CATCH_ALL, {"0": "Quota for my channel exceeded"}, False)]


def test_search_words_and_nonsense_match_nothing(matcher):
    for text in ["", "   ", "channel", "zzzz qqqq", "채널", "CHANNEL_NOT_FOUND", "\x00\x01\x02"]:
        analysis = matcher.analyse(text)
        assert analysis.matches == () and analysis.segments == () and analysis.notes == ()


def test_curly_and_straight_quotes_are_the_same(matcher):
    message = CATALOG.get("250104").message
    assert "\u201c_\u201d" in message
    for text in (message, message.replace("\u201c", '"').replace("\u201d", '"'),
                 message.replace("\u201c", "'").replace("\u201d", "'")):
        match = assert_on_top(matcher.analyse(text), "250104")
        assert match.exact
    straight = CATALOG.get("250420").message.replace("\u2019", "'")
    assert assert_on_top(matcher.analyse(straight), "250420").exact


def test_nbsp_and_plain_space_are_the_same(matcher):
    message = CATALOG.get("250365").message
    assert "\u00a0" in message
    for text in (message, message.replace("\u00a0", ""), message.replace("\u00a0", " ")):
        assert assert_on_top(matcher.analyse(text), "250365").exact
    body = json.dumps({"error": {"errorCode": "250365", "message": message}})  # NBSP sent as \u00a0
    assert matcher.analyse(body).matches[0].exact


def test_values_keep_the_users_characters(matcher):
    for value in ["\u201cmy\u201d channel", "\uff23\uff28-1", "Stra\u00dfe  2", "CH\u00a01"]:
        match = matcher.analyse(f"{value} not found.").matches[0]
        assert (match.code, match.params) == ("250004", {"0": value})


def test_trailing_period_decides_between_twins(matcher):
    assert PERIOD_TWINS == {"250121": "250133", "250133": "250121"}
    assert [m.code for m in matcher.analyse("The request channel did not set useDvr.").matches] == ["250121", "250133"]
    assert [m.code for m in matcher.analyse("The request channel did not set useDvr").matches] == ["250133", "250121"]


def test_ordering_exact_before_partial_then_most_specific(matcher):
    analysis = matcher.analyse("Quality is not found.")
    assert [m.code for m in analysis.matches] == ["250154", "250300", "250004"]
    assert [m.specificity for m in analysis.matches] == sorted((m.specificity for m in analysis.matches), reverse=True)
    # the shorter template inside a longer exact one is not reported on its own
    analysis = matcher.analyse(CATALOG.get("250155").message)
    assert analysis.matches[0].code == "250155" and "250300" not in [m.code for m in analysis.matches]


# ---------------------------------------------------------------------------- partial matches

def test_log_prefix_is_ignored_and_marks_the_match_partial(matcher):
    text = "2026-11-25 10:00:01 ERROR api call failed: CH-1234 not found."
    analysis = matcher.analyse(text)
    first = analysis.matches[0]
    assert (first.code, first.params, first.exact) == ("250004", {"0": "CH-1234"}, False)
    assert analysis.segments == (("2026-11-25 10:00:01 ERROR api call failed: ", None), ("CH-1234", 0),
                                 (" not found.", None))


def test_text_around_a_template_with_inner_values(matcher):
    text = "[main] WARN c.e.Client - Invalid parameter type.pageNo can not convert to type Integer. (took 3ms)"
    first = matcher.analyse(text).matches[0]
    assert (first.code, first.params, first.exact) == ("250021", {"0": "pageNo", "1": "Integer"}, False)
    first = matcher.analyse("ERROR: pageNo: invalid value.").matches[0]
    assert (first.code, first.params, first.exact) == ("250002", {"0": "pageNo"}, False)


def test_short_template_is_not_found_inside_a_word(matcher):
    assert "250013" not in [m.code for m in matcher.analyse("it took 3 seconds to load the page.").matches]


# ---------------------------------------------------------------------------- JSON bodies

LS_BODY = {"error": {"errorCode": 250004, "message": "CH-1234 not found.", "errorName": "NOT_FOUND"}}
GW_BODY = {"error": {"errorCode": "210", "message": "Permission Denied",
                     "details": "A subscription to the API is required."}}


@pytest.mark.parametrize("wrap", [
    lambda b: b,
    lambda b: json.dumps(json.loads(b), indent=2),
    lambda b: "2026-11-25 10:00:01 ERROR api call failed: " + b,
    lambda b: "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n" + b,
    lambda b: ("HTTP/2 401 \r\ndate: Tue, 25 Nov 2026 10:00:01 GMT\r\ncontent-type: application/json;charset=UTF-8"
               "\r\nx-ncp-apigw-response-origin: APIGW\r\n\r\n" + b),
], ids=["alone", "pretty", "log line", "http dump", "curl -i"])
@pytest.mark.parametrize("body,code,params", [
    (LS_BODY, "250004", {"0": "CH-1234"}),
    ({"error": {**LS_BODY["error"], "errorCode": "250004"}}, "250004", {"0": "CH-1234"}),
    (GW_BODY, "210", {}),
], ids=["code as number", "code as string", "api gateway"])
def test_json_body_in_any_wrapping(matcher, wrap, body, code, params):
    text = wrap(json.dumps(body))
    analysis = matcher.analyse(text)
    first = analysis.matches[0]
    assert (first.code, first.source, first.params, first.exact) == (code, "errorCode", params, True)
    assert analysis.body == body
    assert analysis.conflicts == ()
    assert matcher.looks_like_paste(text)


def test_json_escaped_line_breaks_in_multiline_message(matcher):
    entry = CATALOG.get("250147")
    message = render(entry.message, {0: "channel", 1: "STANDARD", 2: "3", 3: "3"})
    raw = json.dumps({"error": {"errorCode": 250147, "message": message, "errorName": entry.name}})
    assert "\\n" in raw
    analysis = matcher.analyse(raw)
    assert [m.code for m in analysis.matches[:2]] == ["250147", "250146"]
    assert analysis.matches[0].params == {"0": "channel", "1": "STANDARD", "2": "3", "3": "3"}
    # the same message logged as an escaped string, without any JSON around it
    logged = "WARN create failed msg=" + message.replace("\n", "\\n")
    match = assert_on_top(matcher.analyse(logged), "250146")
    assert match.params["1"] == "STANDARD" and match.exact is False


def test_slightly_broken_json_is_salvaged(matcher):
    text = 'ERROR {"error":{"errorCode":250004,"message":"CH-1 not found.","errorName":"NOT_FOUND"'
    analysis = matcher.analyse(text)
    assert analysis.body == {"error": {"errorCode": "250004", "errorName": "NOT_FOUND", "message": "CH-1 not found."}}
    first = analysis.matches[0]
    assert (first.code, first.source, first.params) == ("250004", "errorCode", {"0": "CH-1"})


def test_body_logged_as_an_escaped_json_string(matcher):
    inner = json.dumps({"error": {"errorCode": 250004, "message": "x y not found."}})
    analysis = matcher.analyse("log: " + json.dumps({"status": 404, "body": inner}))
    assert (analysis.matches[0].code, analysis.matches[0].params) == ("250004", {"0": "x y"})


def test_error_code_and_message_disagree(matcher):
    body = {"error": {"errorCode": 250104, "message": "CH-1 not found.", "errorName": "CHANNEL_NAME_IS_WRONG"}}
    analysis = matcher.analyse(json.dumps(body))
    assert [(m.code, m.source) for m in analysis.matches[:2]] == [("250104", "errorCode"), ("250004", "message")]
    assert analysis.matches[1].params == {"0": "CH-1"}
    assert analysis.conflicts == (Note("message_conflict", ("250004",),
                                       {"field": "errorCode", "said": "250104", "picked": ("250104",)}),)
    assert analysis.conflicts[0] in analysis.matches[1].notes


def test_error_code_and_error_name_disagree(matcher):
    body = {"error": {"errorCode": 250100, "message": "Channel is not found", "errorName": "NOT_FOUND"}}
    analysis = matcher.analyse(json.dumps(body))
    assert [(m.code, m.source) for m in analysis.matches[:2]] == [("250100", "errorCode"), ("250004", "errorName")]
    assert analysis.conflicts == (Note("name_conflict", ("250004",), {"name": "NOT_FOUND", "code": "250100"}),)


def test_error_name_alone_identifies_the_code(matcher):
    analysis = matcher.analyse('{"error": {"errorName": "NOT_FOUND", "message": "CH-7 not found."}}')
    first = analysis.matches[0]
    assert (first.code, first.source, first.params) == ("250004", "errorName", {"0": "CH-7"})
    # a name shared by two codes: the one whose message fits comes first
    analysis = matcher.analyse('{"error": {"errorName": "OPEN_API_UNAUTHORIZED", "message": "Unauthorized"}}')
    assert [m.code for m in analysis.matches[:2]] == ["250017", "250015"]


def test_unknown_error_code_falls_back_to_the_message(matcher):
    analysis = matcher.analyse('{"error": {"errorCode": 259999, "message": "CH-9 not found."}}')
    assert analysis.notes == (Note("unknown_code", (), {"code": "259999"}),)
    first = analysis.matches[0]
    assert (first.code, first.source, first.params) == ("250004", "message", {"0": "CH-9"})
    assert analysis.notes[0] in first.notes


def test_error_code_wins_for_a_custom_message(matcher):
    analysis = matcher.analyse('{"error": {"errorCode": 250001, "message": "Something custom happened"}}')
    first = analysis.matches[0]
    assert (first.code, first.source, first.params) == ("250001", "errorCode", {"0": "Something custom happened"})


# ---------------------------------------------------------------------------- identical templates

@pytest.mark.parametrize("group", identical_groups(), ids="-".join)
def test_identical_templates_return_every_code_with_a_note(matcher, group):
    entry = CATALOG.get(group[0])
    text = render(entry.message, sample_values(entry, 0))
    analysis = matcher.analyse(text)
    top = analysis.matches[: len(group)]
    assert sorted(m.code for m in top) == sorted(group)
    for match in top:
        assert Note("same_message", tuple(group)) in match.notes
    for chosen in group:  # the body's errorCode, or its errorName, picks one: it comes first
        picked = CATALOG.get(chosen)
        by_code = matcher.analyse(json.dumps({"error": {"errorCode": chosen, "message": text}}))
        assert (by_code.matches[0].code, by_code.matches[0].source) == (chosen, "errorCode")
        assert sorted(m.code for m in by_code.matches[: len(group)]) == sorted(group)
        assert by_code.conflicts == ()
        assert Note("picked_by_field", (chosen,), {"field": "errorCode"}) in by_code.matches[0].notes
        if picked.name and len(CATALOG.by_name(picked.name)) == 1:
            by_name = matcher.analyse(json.dumps({"error": {"errorName": picked.name, "message": text}}))
            assert (by_name.matches[0].code, by_name.matches[0].source) == (chosen, "errorName")


# ---------------------------------------------------------------------------- segments and JSON shape

def test_segments_rebuild_the_message_and_mark_each_value(matcher):
    text = "The short clip file /a/b c.mp4 is being created. (Snapshot ID: ls-2026-AbC)"
    analysis = matcher.analyse(text)
    assert "".join(piece for piece, _ in analysis.segments) == text
    marked = {index: piece for piece, index in analysis.segments if index is not None}
    assert marked == {0: "/a/b c.mp4", 1: "ls-2026-AbC"}
    assert {str(k): v for k, v in marked.items()} == analysis.matches[0].params


def test_match_as_json(matcher):
    match = matcher.analyse("CH-1 not found.").matches[0]
    assert match.as_json() == {"params": {"0": "CH-1"}, "exact": True, "source": "message"}
    json.dumps(match.as_json())


def test_templates_are_compiled_once(matcher, monkeypatch):
    """analyse() reuses the templates compiled at start-up: no template regex reaches re's compiler per call."""
    texts = ["CH-1 not found.", json.dumps(LS_BODY), "There is a restriction set on how many can be created. "
             "No more channels can be created.", "Invalid parameter type.pageNo can not convert to type Integer."]
    for text in texts:  # anything compiled lazily is compiled now
        assert matcher.analyse(text).matches
    seen = []
    real = re._compile  # every re.compile, re.search, re.fullmatch, re.sub... goes through it, cached or not

    def recording(pattern, flags):
        seen.append(getattr(pattern, "pattern", pattern))
        return real(pattern, flags)
    monkeypatch.setattr(re, "_compile", recording)
    for text in texts:
        assert matcher.analyse(text).matches
    # Template regexes are built from message text: named values (?P<p0>...) and spaces that may be line breaks.
    from_templates = [p for p in seen if isinstance(p, str) and ("(?P<p" in p or "[ \n]" in p)]
    assert from_templates == []


# ---------------------------------------------------------------------------- looks_like_paste

@pytest.mark.parametrize("text", ["", "  ", "channel", "채널", "채널을 찾을 수 없음", "채널 이름 오류", "250104",
                                  "CHANNEL_NOT_FOUND", "channel not found", "quality set", "not found"])
def test_search_words_do_not_look_like_a_paste(matcher, text):
    assert matcher.looks_like_paste(text) is False


@pytest.mark.parametrize("text", [
    "CH-1234 not found.", "CH-1234 not found", "Invalid parameter type.pageNo can not convert to type Integer.",
    json.dumps(LS_BODY), json.dumps(GW_BODY), "HTTP/1.1 401 Unauthorized\r\n\r\n",
    "Cannot create channel, reason: quota exceeded",
])
def test_messages_and_bodies_look_like_a_paste(matcher, text):
    assert matcher.looks_like_paste(text) is True


@pytest.mark.parametrize("entry", [e for e in WITH_VALUES if e.code != CATCH_ALL], ids=lambda e: e.code)
def test_every_rendered_template_with_values_looks_like_a_paste(matcher, entry):
    assert matcher.looks_like_paste(render(entry.message, sample_values(entry, 0)))


# ---------------------------------------------------------------------------- bounds and hostile input

def test_input_is_bounded_and_flagged(matcher):
    long = "CH-1 not found. " * 5000
    analysis = matcher.analyse(long)
    assert analysis.truncated is True and analysis.text == long[: MessageMatcher.MAX_INPUT]
    exact = "x" * MessageMatcher.MAX_INPUT
    assert matcher.analyse(exact).truncated is False


def fastest_ms(matcher, text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        matcher.analyse(text)
        best = min(best, time.perf_counter() - started)
    return best * 1000


HOSTILE = {
    "nested braces": "{" * 10_000 + "}" * 10_000,
    "nested error objects": '{"error":' * 2_000,
    "nested arrays": "[" * 10_000,
    "regex metacharacters": r"(.*)+$^\{0}[a-z]*?(?=x)|\\" * 500,
    "control characters": "".join(chr(i) for i in range(32)) * 200,
    "lone surrogates": "\ud800\udfff\udc00" * 3_000,
    "binary": bytes(range(256)).decode("latin-1") * 40,
    "repeated separators": "Invalid parameter type." + " can not convert to type " * 300,
    "repeated multiline fragments": ("You can no longer create x.\nProduct Type : " + " / Generation limit: "
                                     + " / Number of generations: ") * 60,
    "many leading-value literals": "a not found b: invalid value " * 200,
    "escapes": "\\n\\t\\\"\\" * 2_000,
    "broken json": '{"error":{"errorCode":"' + "9" * 5000,
    "only spaces": " \u00a0\u2028" * 3_000,
    "message key repeated": '"message":"' * 1_000,
    "huge": "CH-1 not found. {" * 500_000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_input_is_fast_and_safe(matcher, name):
    text = HOSTILE[name]
    assert isinstance(matcher.analyse(text), PasteAnalysis)
    assert isinstance(matcher.looks_like_paste(text), bool)
    # A generous bound: it catches runaway backtracking, not noise (speed is measured in bench/).
    assert fastest_ms(matcher, text) < 500, name


any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text, st.integers(min_value=1, max_value=60))
def test_any_text_never_raises_and_is_bounded(matcher, text, repeat):
    text = text * repeat  # up to ~18k characters: beyond the bound
    started = time.perf_counter()
    analysis = matcher.analyse(text)
    elapsed = time.perf_counter() - started
    assert analysis.truncated == (len(text) > MessageMatcher.MAX_INPUT)
    assert analysis.text == text[: MessageMatcher.MAX_INPUT]
    assert elapsed < 0.5
    matcher.looks_like_paste(text)
    check_invariants(matcher, text, analysis)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([e for e in WITH_VALUES if e.code != CATCH_ALL]),
       st.lists(st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=12),
                min_size=4, max_size=4))
def test_any_letters_and_digits_round_trip(matcher, entry, words):
    values = {index: words[k] for k, index in enumerate(entry.placeholder_indexes)}
    match = assert_on_top(matcher.analyse(render(entry.message, values)), entry.code)
    assert match.params == {str(i): v for i, v in values.items()}


FRAGMENTS = sorted({piece for e in CATALOG.codes for piece in re.split(r"(\{\d+\}|\s+)", e.message) if piece}
                   | {'{"error":', "{", "}", '"errorCode":', "250004", "250144", '"210"', '"message":"', '",',
                      '"errorName":"', "NOT_FOUND", "\\n", '\\"', ": ", "\n", "\u00a0", "\u201c", "\u201d", "."})


def check_invariants(matcher, text: str, analysis: PasteAnalysis) -> None:
    """What must hold for any input: known codes, real placeholders, values taken from the text."""
    source = analysis.body["error"].get("message") if analysis.body else analysis.text
    for match in analysis.matches:
        entry = CATALOG.get(match.code)
        assert entry is not None
        assert set(match.params) <= {str(i) for i in entry.placeholder_indexes}
        assert all(isinstance(source, str) and value in source for value in match.params.values())
        json.dumps(match.as_json())
    if len(analysis.matches) > 1 and analysis.matches[0].code == CATCH_ALL:
        # the catch-all leads only when the body's errorCode named it; a message alone never puts it first
        assert analysis.matches[0].source == "errorCode"
    assert len({m.code for m in analysis.matches}) == len(analysis.matches)
    if analysis.segments:
        assert "".join(piece for piece, _ in analysis.segments) == source


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=600))
def test_template_fragments_and_json_pieces_never_break_it(matcher, parts):
    text = "".join(parts)
    started = time.perf_counter()
    analysis = matcher.analyse(text)
    assert time.perf_counter() - started < 0.5  # runaway backtracking, not speed (that is in bench/)
    assert analysis.truncated == (len(text) > MessageMatcher.MAX_INPUT)
    check_invariants(matcher, text, analysis)
    matcher.looks_like_paste(text)


@pytest.mark.parametrize("entry", [e for e in WITH_VALUES if len(e.placeholder_indexes) > 1], ids=lambda e: e.code)
def test_repeated_separators_of_multi_value_templates_stay_fast(matcher, entry):
    literals = [p for p in PLACEHOLDER_RE.split(entry.message)[0::2] if p]
    text = (literals[0] + "x" + "x".join(literals[1:]) * 200)[: MessageMatcher.MAX_INPUT]
    assert fastest_ms(matcher, text) < 500


error_codes = st.one_of(st.sampled_from([e.code for e in CATALOG.codes]).flatmap(lambda c: st.sampled_from([c, int(c)])),
                        st.integers(), st.text(max_size=8), st.none())
messages = st.one_of(st.sampled_from(WITH_VALUES + WITHOUT_VALUES).map(lambda e: render(e.message, sample_values(e, 2))),
                     st.text(max_size=200))
names = st.one_of(st.sampled_from(CATALOG.names()), st.text(max_size=20), st.none())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(error_codes, messages, names, st.text(max_size=40), st.integers(min_value=0, max_value=400))
@example("250001", "/a/b c.mp4", "EXCEPTION", "", 0)  # errorCode names the catch-all, errorName another code
def test_any_body_in_any_state(matcher, code, message, name, prefix, cut):
    fields = {k: v for k, v in (("errorCode", code), ("message", message), ("errorName", name)) if v is not None}
    raw = json.dumps({"error": fields})
    for text in (prefix + raw, prefix + raw[: len(raw) - cut]):  # whole, then broken at any point
        analysis = matcher.analyse(text)
        check_invariants(matcher, text, analysis)
    analysis = matcher.analyse(raw)
    if CATALOG.get(str(code)) is not None and not isinstance(code, bool):
        assert (analysis.matches[0].code, analysis.matches[0].source) == (str(code), "errorCode")
    if analysis.conflicts:
        assert len(analysis.matches) >= 2


def test_notes_are_data_and_the_module_holds_no_prose(matcher):
    """Templates word the notes in both languages: the matcher says only what kind, which codes, which values."""
    source = (ROOT / "matcher.py").read_text("utf-8")
    assert not re.search(r"[\uac00-\ud7a3]", source)
    assert not re.search(r"""\bf["'][^"'\n]*[A-Za-z]+ [a-z]+ [a-z]+""", source), "a sentence built in the matcher"
    bodies = [json.dumps({"error": {"errorCode": 250104, "message": "CH-1 not found.", "errorName": "NOT_FOUND"}}),
              json.dumps({"error": {"errorCode": 259999, "errorName": "NOPE", "message": "x"}}),
              "There is a restriction set on how many can be created. No more channels can be created."]
    for text in bodies:
        for note in matcher.analyse(text).all_notes():
            assert note.kind in NOTE_KINDS
            assert all(isinstance(c, str) and CATALOG.get(c) for c in note.codes)
            json.dumps(note.as_json())


# ---------------------------------------------------------------------------- big pastes

CURL_HEADERS = "".join(f"< x-header-{i}: {'v' * 60}\r\n" for i in range(20))


def curl_dump(*bodies: str, size: int = 50_000) -> str:
    """A `curl -v` dump of about `size` characters: a long request, headers, then the bodies."""
    request = '> POST /api/v2/channels HTTP/1.1\r\n> Content-Type: application/json\r\n>\r\n'
    padding = '{"channelName": "' + "a" * (size - 2000) + '", "cdn": {"createCdn": true}}\r\n'
    return request + padding + "".join(f"< HTTP/1.1 400 Bad Request\r\n{CURL_HEADERS}<\r\n{b}\r\n" for b in bodies)


def test_body_at_the_end_of_a_50_kb_dump_is_found(matcher):
    body = json.dumps({"error": {"errorCode": 250021, "message": "Invalid parameter type.pageNo can not convert "
                                 "to type Integer.", "errorName": "OPEN_API_PARAM_TYPE_ERROR"}})
    text = curl_dump(body)
    assert 45_000 < len(text) <= MessageMatcher.MAX_INPUT
    analysis = matcher.analyse(text)
    first = analysis.matches[0]
    assert (first.code, first.source, first.params) == ("250021", "errorCode", {"0": "pageNo", "1": "Integer"})
    assert analysis.truncated is False


def test_last_body_comes_first_and_earlier_ones_are_listed(matcher):
    earlier = json.dumps({"error": {"errorCode": "200", "message": "Authentication Failed"}})
    last = json.dumps({"error": {"errorCode": 250100, "message": "Channel is not found.", "errorName": "CHANNEL_NOT_FOUND"}})
    analysis = matcher.analyse(curl_dump(earlier, last, size=8_000))
    assert [(m.code, m.source) for m in analysis.matches[:2]] == [("250100", "errorCode"), ("200", "errorCode")]
    assert analysis.matches[1].notes == (Note("earlier_body", ("200",)),)
    assert analysis.body == json.loads(last)


def test_error_code_outside_json_is_found_anywhere(matcher):
    log = "\n".join(["INFO started"] * 500 + ["WARN retrying errorCode=250100 channelId=ls-1"] + ["INFO done"] * 50)
    assert matcher.analyse(log).matches[0].code == "250100"
    broken = "x" * 30_000 + '{"error":{"errorCode":250004,"message":"CH-1 not found.","errorName":"NOT_FOUND"'
    first = matcher.analyse(broken).matches[0]
    assert (first.code, first.params) == ("250004", {"0": "CH-1"})


def test_nested_details_object_does_not_hide_the_body(matcher):
    text = 'log: {"error": {"details": {"hint": {"a": 1}}, "errorCode": "210", "message": "Permission Denied"}}'
    analysis = matcher.analyse(text)
    assert (analysis.matches[0].code, analysis.matches[0].source) == ("210", "errorCode")
    assert analysis.body["error"]["details"] == {"hint": {"a": 1}}
