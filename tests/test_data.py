"""The catalog data: verbatim against NCP's published tables, and validation that fails loudly."""
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from catalog import CatalogError, load_catalog
from helpers import remove_code

ROOT = Path(__file__).resolve().parent.parent
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
            assert entry.summary(lang) and entry.explanation(lang) and entry.fix(lang), entry.code
        assert hangul.search(entry.explanation_ko) and hangul.search(entry.fix_ko), entry.code
        for p in entry.placeholders:
            assert p.meaning_en and p.meaning_ko and p.example, (entry.code, p.index)


def test_all_text_is_nfc(catalog):
    for entry in catalog.codes:
        for value in entry.as_dict().values():
            if isinstance(value, str):
                assert unicodedata.is_normalized("NFC", value), entry.code


# ------------------------------------------------------------------- broken data fails fast

@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


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
