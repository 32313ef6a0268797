"""Numbers with units, in English and Korean, as comparable quantities: a query that names a limit
("21자", "200개", "25 fps") carries the same terms as the code whose text states it."""
from fractions import Fraction

import pytest

from quantities import Bound, bounds, quantities


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


@pytest.mark.parametrize("text,expected", [
    ("Channel names can be entered with a minimum of 3 characters and a maximum of 20 characters",
     {"under:char:3", "over:char:20"}),
    ("quality size error (min:1, max:4)", {"under::1", "over::4"}),
    ("Quality 는 최소 1개, 최대 4개까지 설정 가능", {"under:count:1", "over:count:4"}),
    ("Your request not allowed: the video input count limit is 10.", {"over::10"}),
    ("WRONG_PAGE_SIZENO_PARAMETER (valid range 1~100)", {"under::1", "over::100"}),
    ("The input content file size is too big,The supported max size is 100MB.", {"over:byte:104857600"}),
    ("Snapshot can create since publishing minimum 1 second", {"under:s:1"}),
    ("the end time minus start time must bigger or equal to 100.", {"under::100"}),
    ("The total video duration over 24hours.", {"over:s:86400"}),
    ("The file path should be between 1 and 800 characters.", {"under:char:1", "over:char:800"}),
])
def test_the_limits_a_text_states_are_read_with_the_side_a_value_is_refused_on(text, expected):
    assert {b.term for b in bounds(text)} == expected


@pytest.mark.parametrize("text,allowed", [
    ("The audio channel value that you specified is not allowed: only audio channel value [0, 1, 2] are supported.",
     [0, 1, 2]),
    ('The timedmeta that you specified is not allowed: only integer "1000" is supported.', [1000]),
    ("only audio sampling rate value MP3:[8000,11025, 12000] are supported", [8000, 11025, 12000]),
    ("bFrames only 0,1,2 are available if resolution less than 921600 (1280*720)", [0, 1, 2]),
    ("The timemachineMin should be 360.", [360]),
    ("only frame rate value [10, 15, 23.97, 24] are supported", [10, 15, Fraction("23.97"), 24]),
])
def test_the_only_values_a_text_allows_refuse_every_other(text, allowed):
    (only,) = [b for b in bounds(text) if b.side == "only"]
    assert list(only.allowed) == allowed
    assert Bound.parse(only.term) == only
    assert not only.refuses(Fraction(allowed[-1])) and only.refuses(Fraction(allowed[-1]) + 7)
    assert not only.refuses(Fraction(allowed[-1]) + 7, "char")  # a value in another unit is another thing


@pytest.mark.parametrize("text", ["Snapshot ID: {0} created.", "error 250104", "channel should be ready.",
                                  "only profile value [BASELINE, MAIN, HIGH]", "Video codec must have a value"])
def test_a_text_that_states_no_limit_has_no_bound(text):
    assert bounds(text) == ()


def test_a_value_is_refused_only_on_the_stated_side_and_in_the_same_unit():
    at_most_4 = Bound("over", "count", Fraction(4))
    assert at_most_4.refuses(Fraction(5), "count") and not at_most_4.refuses(Fraction(4), "count")
    assert not at_most_4.refuses(Fraction(5), "char") and not at_most_4.refuses(Fraction(5), "")
    assert Bound("under", "char", Fraction(3)).refuses(Fraction(2), "char")
    assert Bound.parse(at_most_4.term) == at_most_4 and Bound.parse("amount:20") is None
