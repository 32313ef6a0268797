"""Numbers with units, in English and Korean, as comparable quantities: a query that names a limit
("21자", "200개", "25 fps") carries the same terms as the code whose text states it."""
import pytest

from quantities import quantities


def terms(text):
    return [q.term for q in quantities(text)]


@pytest.mark.parametrize("query,message", [
    ("채널 이름 20자 넘으면 안 됨", "a maximum of 20 characters"),
    ("채널명 3자 미만", "Channel names can be entered with a minimum of 3 characters"),
    ("송출 시작하고 1초 만에 스냅샷", "Snapshot can create since publishing minimum 1 second"),
    ("vod 합쳐서 하루 넘음 1일", "The total video duration over 24hours."),
    ("content file 100 mb limit", "The supported max size is 100MB"),
    ("화질 4개 넘게 넣었어요", "Quality 는 최소 1개, 최대 4개까지 설정 가능"),
    ("timemachine 6시간", "timemachineMin 은 360분으로만 설정 가능"),
    ("short clip path 800 chars", "The file path should be between 1 and 800 characters."),
    ("bitrate 5000 kbps", "up to 5 Mbps"),
    ("interval 0.5 seconds", "an interval of 500ms"),
    ("playlist longer than a whole day", "The total video duration over 24hours."),  # a number as a word
    ("채널 이름 스무 글자", "a maximum of 20 characters"),
    ("화질을 네 개 넣었어요", "Quality 는 최소 1개, 최대 4개까지 설정 가능"),
    ("five items", "up to 5 items"),
])
def test_a_query_and_a_catalog_text_naming_one_limit_share_a_term(query, message):
    assert set(terms(query)) & set(terms(message))


@pytest.mark.parametrize("text,expected", [
    ("3자 이상 20자 이하", ["3char", "20char"]),
    ("between 1 and 800 characters", ["1char", "800char"]),
    ("3~20자", ["3char", "20char"]),
    ("from 10 to 20 minutes", ["600s", "1200s"]),
    ("up to 1,000 items", ["1000count"]),
    ("25fps, 30 fps", ["25fps", "30fps"]),
    ("20자를 넘으면", ["20char"]),  # a particle after the unit
    ("96000 Hz 48 kHz", ["96000hz", "48000hz"]),
    ("1080p and 720p", ["1080lines", "720lines"]),
])
def test_units_are_read_and_brought_to_one_base(text, expected):
    assert terms(text) == expected


@pytest.mark.parametrize("text", [
    "error 250104", "10초과",  # "10초과" is "over 10", not ten seconds
    "1일치", "5 bananas", "v2", "min:1, max:4", "http 400",
    "a b frame", "one bucket", "세 번",  # a word for a number before no unit, or "a" before no time
])
def test_numbers_without_a_unit_are_no_quantity(text):
    assert terms(text) == []


def test_a_code_before_a_range_is_not_its_start():
    assert terms("code 250104 and 20 characters") == ["20char"]
    assert terms("20자 20 characters") == ["20char"]  # one quantity, written twice
