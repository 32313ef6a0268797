"""The catalog data: verbatim against NCP's published tables, and validation that fails loudly."""
import random
import re
import tomllib
import unicodedata
from pathlib import Path

import pytest
import tomli_w

from catalog import CatalogError, load_catalog
from support import ROOT, remove_code

UPSTREAM = ROOT / "data" / "upstream"

# Rows whose published text is ambiguous; each decision is recorded as a note in the data.
READ_AS = {
    "250015": ("OPEN_API_UNAUTHORIZED ACCESS_DENIED Access denied", "OPEN_API_UNAUTHORIZED Access denied"),
    "250120": ('is supported. - 지원하지', "is supported. 지원하지"),
}


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def published_rows() -> dict[str, str]:
    """Every row of the published Live Station table, continuation lines joined, keyed by code."""
    rows: dict[str, list[str]] = {}
    current = None
    for line in (UPSTREAM / "livestation-error-codes.txt").read_text("utf-8").splitlines():
        match = re.match(r"^(25\d{4}) ", line)
        if match:
            current = match.group(1)
            rows[current] = [line]
        elif current and line.strip():
            rows[current].append(line)
    return {code: squash(" ".join(lines)) for code, lines in rows.items()}


def published_gateway_rows() -> dict[str, tuple[int, str, str]]:
    rows = {}
    for line in (UPSTREAM / "api-gateway-error-codes.md").read_text("utf-8").splitlines():
        m = re.match(r"^\| (\d{3}) \| (\d{3}) \| ([^|]+?) \| ([^|]+?) \|$", line.strip())
        if m:
            rows[m.group(2)] = (int(m.group(1)), m.group(3), m.group(4))
    return rows


def test_every_published_code_is_in_the_catalog_once(catalog):
    published = set(published_rows()) | set(published_gateway_rows())
    assert len(published_rows()) == 211 and len(published_gateway_rows()) == 11
    assert {c.code for c in catalog.codes} == published
    assert len(catalog.codes) == 222


def test_official_fields_are_verbatim(catalog):
    rows = published_rows()
    for entry in catalog.codes:
        if entry.source != "common":
            continue
        ours = squash(" ".join(filter(None, [entry.code, entry.name, entry.message, entry.description_ko])))
        published = rows[entry.code]
        if entry.code in READ_AS:
            before, after = READ_AS[entry.code]
            assert before in published
            published = published.replace(before, after)
        assert ours == published, f"{entry.code} differs from the published row"


def test_gateway_codes_are_verbatim_with_their_status(catalog):
    for code, (status, message, description) in published_gateway_rows().items():
        entry = catalog.get(code)
        assert (entry.http_status, entry.message, entry.description_ko) == (status, message, description)
        assert entry.source == "api-gateway"


def test_ambiguous_rows_carry_a_transcription_note(catalog):
    for code in ("250015", "250120", "250321", "250010", "250144", "250145", "250146", "250147"):
        assert any(n.kind == "transcription" for n in catalog.get(code).notes), code


def test_required_anomaly_notes(catalog):
    expected = {"250109": "typo", "250157": "typo", "250135": "typo", "250128": "typo",
                "250015": "shared-name", "250017": "shared-name", "250136": "shared-message",
                "250144": "shared-message", "250147": "shared-message", "250148": "shared-message",
                "250117": "untranslated-key", "250154": "mismatch", "250013": "not-an-error"}
    for code, kind in expected.items():
        assert kind in {n.kind for n in catalog.get(code).notes}, f"{code} lacks a {kind} note"


def test_every_code_has_our_explanations_in_both_languages(catalog):
    hangul = re.compile(r"[\uac00-\ud7a3]")
    for entry in catalog.codes:
        for lang in ("en", "ko"):
            assert entry.summary.get(lang) and entry.explanation.get(lang) and entry.fix.get(lang), entry.code
        assert hangul.search(entry.explanation.ko) and hangul.search(entry.fix.ko), entry.code
        for p in entry.placeholders:
            assert p.meaning.en and p.meaning.ko and p.example, (entry.code, p.index)


def test_all_text_is_nfc(catalog):
    for entry in catalog.codes:
        for value in entry.as_dict().values():
            if isinstance(value, str):
                assert unicodedata.is_normalized("NFC", value), entry.code


# ------------------------------------------------------------------- broken data fails fast


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), "utf-8")


@pytest.mark.parametrize("file, old, new, expected", [
    ("channel.toml", 'code = "250101"', 'code = "250100"', r"channel\.toml \[code 250100\]: duplicate code"),
    ("channel.toml", 'slug = "channel"', 'slug = "channels"', r"channel\.toml: category slug 'channels' must match"),
    ("common.toml", 'source = "common"', 'source = "elsewhere"', r"common\.toml: unknown source 'elsewhere'"),
    ("common.toml", 'message = "{0} not found."', 'message = "{0} not found in {1}."',
     r"common\.toml \[code 250004\]: placeholders used in the message but not explained: \{1\}"),
    ("common.toml", 'message = "{0} not found."', 'message = "not found."',
     r"common\.toml \[code 250004\]: placeholder \{0\} is explained but not used"),
    ("recording.toml", 'name = "BUCKET_NOT_FOUND"\n', '', r"recording\.toml \[code 250705\]: missing required field 'name'"),
    ("recording.toml", 'message = "Could not find object bucket."', 'message = ""',
     r"recording\.toml \[code 250707\]: missing required field 'message'"),
    ("quality.toml", 'code = "250300"', 'code = 250300', r"quality\.toml \[code 250300\]: bad or missing code"),
    ("api-gateway.toml", "http_status = 429\n", "", r"api-gateway\.toml \[code 400\]: API Gateway codes need their published http_status"),
    ("schedule.toml", "[[codes]]", "[[codes]\n", r"schedule\.toml: not valid TOML"),
])
def test_broken_data_names_file_and_code(data_copy, file, old, new, expected):
    edit(data_copy / file, old, new)
    with pytest.raises(CatalogError, match=expected):
        load_catalog(data_copy)


def test_explanations_are_required(data_copy):
    text = (data_copy / "live-curtain.toml").read_text("utf-8")
    text = re.sub(r'fix_ko = (""".*?"""|".*?")', 'fix_ko = ""', text, count=1, flags=re.S)
    (data_copy / "live-curtain.toml").write_text(text, "utf-8")
    with pytest.raises(CatalogError, match=r"live-curtain\.toml \[code 250400\]: missing required field 'fix_ko'"):
        load_catalog(data_copy)


def test_removed_code_without_retirement_fails(data_copy):
    remove_code(data_copy, "recording.toml", "250707")
    with pytest.raises(CatalogError, match=r"published-codes\.txt: codes removed from the data .*250707"):
        load_catalog(data_copy)


def test_related_codes_must_exist(data_copy):
    edit(data_copy / "schedule.toml", "related = [", 'related = ["259999", ')
    with pytest.raises(CatalogError, match=r"schedule\.toml \[code 2502\d\d\]: related code 259999 does not exist"):
        load_catalog(data_copy)


# ----------------------------------------------------- every problem reported, never a traceback

@pytest.mark.parametrize("file, old, new, expected", [
    ("channel.toml", "order = 2", 'order = "two"', r"channel\.toml: 'order' must be an integer, not a string"),
    ("channel.toml", 'related = ["250123", "250004", "250506"]', 'related = "250123"',
     r"channel\.toml \[code 250100\]: 'related' must be a list of strings"),
    ("channel.toml", 'related = ["250123", "250004", "250506"]', 'related = ["250123", 4]',
     r"channel\.toml \[code 250100\]: 'related' must be a list of strings"),
    ("common.toml", '[[codes.notes]]\nkind = "not-an-error"', 'notes = ["x"]\n[[codes.notes_bad]]\nkind = "not-an-error"',
     r"common\.toml \[code 250013\]: each 'notes' entry must be a table"),
    ("common.toml", 'name = "OPEN_API_OK"', 'name = "OPEN_API_OK"\nname_aliases = "X"',
     r"common\.toml \[code 250013\]: 'name_aliases' must be a list of strings"),
    ("common.toml", 'message = "{0} not found."', 'message = 404',
     r"common\.toml \[code 250004\]: 'message' must be a string, not an integer"),
    ("api-gateway.toml", "http_status = 429", 'http_status = "429"',
     r"api-gateway\.toml \[code 400\]: 'http_status' must be an integer"),
    ("channel.toml", 'code = "250100"', 'code = "250100"\ncolour = "red"', r"channel\.toml \[code 250100\]: unknown keys: colour"),
    ("recording.toml", "[[codes.placeholders]]\nindex = 0", "[[codes.placeholders]]\nindex = \"0\"",
     r"recording\.toml \[code \d+\]: placeholder: each placeholder needs an integer 'index'"),
])
def test_malformed_values_are_friendly_problems(data_copy, file, old, new, expected):
    edit(data_copy / file, old, new)
    with pytest.raises(CatalogError, match=expected) as info:
        load_catalog(data_copy)
    assert all(p.path.endswith(".toml") or p.path.endswith(".txt") for p in info.value.problems)


def test_every_problem_is_listed_at_once(data_copy):
    edit(data_copy / "channel.toml", "order = 2", 'order = "two"')
    edit(data_copy / "quality.toml", 'code = "250300"', 'code = 250300')
    edit(data_copy / "schedule.toml", "related = [", 'related = ["259999", ')
    with pytest.raises(CatalogError) as info:
        load_catalog(data_copy)
    lines = str(info.value).splitlines()
    assert len(info.value.problems) == len(lines) >= 3
    assert any(line.startswith("data/channel.toml: 'order'") for line in lines), lines
    assert any(line.startswith("data/quality.toml [code 250300]: bad or missing code") for line in lines), lines
    assert any("related code 259999 does not exist" in line for line in lines), lines


def test_retired_replaced_by_must_exist(data_copy):
    remove_code(data_copy, "recording.toml", "250707")
    (data_copy / "retired.toml").write_text(
        '[[codes]]\ncode = "250707"\nname = "X"\nmessage = "Gone."\ncategory = "recording"\n'
        'retired_on = "2026-11-25"\nnote_en = "Gone."\nnote_ko = "없어짐."\nreplaced_by = ["259998"]\n', "utf-8")
    with pytest.raises(CatalogError, match=r"retired\.toml \[code 250707\]: replaced_by code 259998 does not exist"):
        load_catalog(data_copy)


GUIDANCE = '''retry = "after_wait"
retry_wait_en = "The channel must be READY."
retry_wait_ko = "채널이 READY 상태여야 합니다."
who_acts = "operator"
states = ["PUBLISHING", "READY"]
request_fields = ["channelId"]
guidance_inferred = true
next_steps_en = ["Stop the encoder.", "Retry."]
next_steps_ko = ["인코더를 중지해 주십시오.", "다시 요청해 주십시오."]
'''


def _with_guidance(data_copy, text: str) -> None:
    """Give 250102 exactly this guidance, replacing whatever guidance the data already has."""
    path, related = data_copy / "channel.toml", 'related = ["250101", "250114", "250132"]'
    src = path.read_text("utf-8")
    start = src.index('code = "250102"')
    end = src.index(related, start)
    ours = src.find("# ours: what to do next\n", start, end)
    if ours != -1:
        src = src[:ours] + src[end:]
    path.write_text(src, "utf-8")
    edit(path, related, text + related)


def test_guidance_is_loaded_as_structured_fields(data_copy):
    _with_guidance(data_copy, GUIDANCE)
    entry = load_catalog(data_copy).get("250102")
    g = entry.guidance
    assert (g.retry, g.who_acts, g.states, g.request_fields, g.inferred) == (
        "after_wait", "operator", ("PUBLISHING", "READY"), ("channelId",), True)
    assert g.retry_wait.get("ko") == "채널이 READY 상태여야 합니다." and g.next_steps[1].get("en") == "Retry."
    assert entry.as_dict()["guidance"]["next_steps_ko"] == ["인코더를 중지해 주십시오.", "다시 요청해 주십시오."]


@pytest.mark.parametrize("old, new, expected", [
    ('retry = "after_wait"', 'retry = "maybe"', r"unknown retry value 'maybe'; expected one of no, after_fix"),
    ('who_acts = "operator"', 'who_acts = "someone"', r"unknown who_acts value 'someone'"),
    ('retry = "after_wait"', 'retry = "after_fix"', r"retry_wait_en/retry_wait_ko are only for retry = \"after_wait\""),
    ('next_steps_ko = ["인코더를 중지해 주십시오.", "다시 요청해 주십시오."]', 'next_steps_ko = ["인코더를 중지해 주십시오."]',
     r"next_steps_en has 2 steps but next_steps_ko has 1"),
    ('states = ["PUBLISHING", "READY"]', 'states = ["publishing"]', r"state 'publishing' is not valid in 'states'"),
    ("guidance_inferred = true", 'guidance_inferred = "yes"', r"'guidance_inferred' must be true or false"),
])
def test_bad_guidance_is_rejected(data_copy, old, new, expected):
    _with_guidance(data_copy, GUIDANCE.replace(old, new))
    with pytest.raises(CatalogError, match=r"channel\.toml \[code 250102\]: " + expected):
        load_catalog(data_copy)


@pytest.mark.parametrize("typed, first", [
    ("25010", ["250100", "250101", "250102"]),  # a digit short: the codes it starts
    ("E250109", ["250109"]), ("250,109", ["250109"]),  # the code itself, written oddly
    ("25104", ["250104"]),  # a digit dropped
    ("250401", ["250401"]),
])
def test_nearest_codes_by_prefix_and_edit_distance(catalog, typed, first):
    assert [c.code for c in catalog.nearest(typed)][:len(first)] == first


WRONG_VALUES = [7, -1, 2.5, True, "", "text", [], [1], ["x"], [{"a": 1}], {"a": 1}, {}]


def _mutations(seed: int, count: int):
    """(file, path into the parsed TOML, wrong value): every kind of key, given every wrong shape."""
    rng = random.Random(seed)
    files = sorted(p.name for p in (ROOT / "data").glob("*.toml") if p.name not in ("retired.toml", "changes.toml"))
    parsed = {f: tomllib.loads((ROOT / "data" / f).read_text("utf-8")) for f in files}
    slots = []
    for f, data in parsed.items():
        slots += [(f, ("category", key)) for key in data["category"]]
        for i, code in enumerate(data["codes"]):
            slots += [(f, ("codes", i, key)) for key in code]
            for sub in ("placeholders", "notes", "docs"):
                for j, item in enumerate(code.get(sub, [])):
                    slots += [(f, ("codes", i, sub, j, key)) for key in item]
        slots += [(f, ("codes", 0, "unexpected_key")), (f, ("codes",)), (f, ("category",))]
    for _ in range(count):
        yield rng.choice(slots) + (rng.choice(WRONG_VALUES),)


@pytest.mark.parametrize("seed", range(3))
def test_mutated_data_never_gives_a_traceback(tmp_path, seed):
    """Hundreds of wrong values in the real data: each load either succeeds or raises CatalogError
    whose every line names a data file; nothing else ever escapes."""
    failures = 0
    for n, (file, where, value) in enumerate(_mutations(seed, 60)):
        target = tmp_path / f"data{n}"
        target.mkdir()
        for other in (ROOT / "data").iterdir():
            if other.is_file() and other.name != file:
                (target / other.name).symlink_to(other)
        data = tomllib.loads((ROOT / "data" / file).read_text("utf-8"))
        node = data
        for step in where[:-1]:
            node = node[step]
        node[where[-1]] = value
        (target / file).write_text(tomli_w.dumps(data), "utf-8")
        try:
            load_catalog(target)
        except CatalogError as exc:
            failures += 1
            assert exc.problems and all(re.match(r"^data\d*/[\w.-]+( \[code [^\]]+\])?: ", line)
                                        for line in str(exc).splitlines()), (file, where, value, str(exc))
    assert failures > 30  # most wrong values are caught, not silently accepted


def test_every_code_carries_guidance(catalog):
    for entry in catalog.codes:
        g = entry.guidance
        assert g is not None, entry.code
        assert g.next_steps and all(s.en and s.ko for s in g.next_steps), entry.code
        assert all(re.search(r"[\uac00-\ud7a3]", s.ko) for s in g.next_steps), entry.code
        assert bool(g.retry_wait) == (g.retry == "after_wait"), entry.code


def test_guidance_is_required(data_copy):
    text = (data_copy / "recording.toml").read_text("utf-8")
    start = text.index("# ours: what to do next")
    end = text.index("related = ", start)
    (data_copy / "recording.toml").write_text(text[:start] + text[end:], "utf-8")
    with pytest.raises(CatalogError, match=r"recording\.toml \[code 250\d+\]: missing guidance"):
        load_catalog(data_copy)
