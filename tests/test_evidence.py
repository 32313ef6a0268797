"""Evidence beyond the words: everyday Korean for the catalog's states, numbers with their units,
and what a number in a query is (an error code, an HTTP status, an amount)."""
from fractions import Fraction

import pytest

import search
from quantities import quantities


def codes(service, query, limit=10):
    return [h.code for h in service.search(query, limit=limit).hits]


def stated_units(entry) -> set[str]:
    """The units of the limits a code's texts (official and ours) state."""
    text = " ".join([entry.message, entry.description_ko, entry.summary.en, entry.summary.ko,
                     entry.explanation.en, entry.explanation.ko, entry.fix.en, entry.fix.ko])
    return {q.unit for q in quantities(text)}


@pytest.mark.parametrize("query,code", [
    ("오디오 샘플링 레이트 값을 안 넣었어요", "250327"),  # 안 넣었 → missing, required
    ("스케줄 수정할 항목을 하나도 안 넣었어요", "250215"),
    ("녹화 안 할 때는 즉시 온에어 꺼 주세요", "250139"),  # 꺼 → off, false
    ("스냅샷 다 만들어졌어요", "250169"),  # 다 만들어 → created, completed
    ("숏클립 다 만들어졌대요", "250165"),  # the phrase is done (COMPLETED), more than 만들 (create)
    ("숏클립 아직 만드는 중", "250164"),
])
def test_everyday_korean_for_a_state_finds_its_code(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query,unit", [
    ("21자", "char"),  # no code says 21 characters: the ones with a character limit come first
    ("글자 수 35자", "char"),
    ("200개 초과", "count"),
])
def test_a_number_with_a_unit_finds_the_codes_that_state_a_limit_in_that_unit(search_service, catalog, query, unit):
    top = codes(search_service, query)
    assert top and unit in stated_units(catalog.get(top[0])), top[:3]


@pytest.mark.parametrize("query,code", [
    ("6시간", "250122"),  # its texts say 360분 and 360 (minutes): one quantity, another unit
    ("360 minutes", "250122"),
])
def test_a_limit_written_in_another_unit_finds_the_code_that_states_it(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query,number,unit", [
    ("curtain insert for 15 seconds", "15", "second"),
    ("segment duration 5 minutes", "5", "minut"),
    ("채널명 25자", "25", "자"),
])
def test_a_number_and_its_unit_word_are_one_word_of_the_query(search_service, query, number, unit):
    """The unit's own word ("seconds") counts in the concept of its number, not once more beside it."""
    import korean
    import search

    plan = search.make_plan(korean.normalize(query), search_service._loaded.vocab, search_service.glossary,
                            search_service.thesaurus)
    with_unit = [c for c in plan.concepts if any(isinstance(t, str) and t.startswith(unit) for _, t in c)]
    assert with_unit and all(any(t == number for _, t in c) for c in with_unit), with_unit


def test_a_number_with_a_unit_is_not_an_error_code(search_service):
    assert "200" not in codes(search_service, "200개")[:3]  # API Gateway code 200 is no count


@pytest.mark.parametrize("query,code,k", [
    ("twelve videos in the curtain", "250417", 1),  # the video input count limit is 10
    ("page size 500", "250024", 1),  # valid range 1~100
    ("화질 세트에 화질을 다섯 개 넣었어요", "250313", 1),  # 최대 4개, stated once among several limits
    ("five renditions in one quality set", "250313", 1),  # max:4; "one" counts as a number, not as the word
    ("professional plan with more than 5 restream targets", "250126", 1),  # can not exceed 5 (standard: 3)
    ("eleven videos in one curtain", "250417", 1),  # "one" is no value below the least video width
])
def test_a_value_beyond_a_stated_limit_finds_the_code_that_states_it(search_service, query, code, k):
    assert code in codes(search_service, query)[:k]


@pytest.mark.parametrize("query,number,offset", [
    ("more than 5 restream targets", "5", Fraction(1, 2)),
    ("over 20 characters", "20", Fraction(1, 2)),
    ("화질을 4개 넘게 넣었어요", "4", Fraction(1, 2)),
    ("3자 미만", "3", Fraction(-1, 2)),
    ("fewer than three letters", "three", Fraction(-1, 2)),
    ("5 restream targets", "5", Fraction(0)),
])
def test_more_than_a_number_is_past_it_and_less_than_short_of_it(query, number, offset):
    assert search.beyond(query, number) == offset


def test_a_phrase_with_one_content_word_means_what_it_says_only_as_written(search_service):
    assert codes(search_service, "channel name too short")[0] == "250104"  # a minimum of 3 characters
    vocab = search_service._loaded.vocab
    plan = search.make_plan("short clip not found", vocab, search_service.glossary, search_service.thesaurus)
    assert not any(str(term).startswith("min") for terms in plan.concepts for _, term in terms)  # "short" alone is no "too short"


@pytest.mark.parametrize("query", ["페이지 사이즈를 200으로 줬더니 에러", "page size set to 200 and it fails"])
def test_a_number_given_as_a_value_is_not_an_error_code(search_service, query):
    assert codes(search_service, query)[0] == "250024"  # the page size limit, not API Gateway code 200


@pytest.mark.parametrize("query,code", [
    ("HTTP 400", "100"),  # the status of code 100, not API Gateway code 400 (a 429)
    ("HTTP 500", "900"),  # not code 500 (a 503), nor a code whose name says HTTP
    ("errorCode 400", "400"),
    ("400", "400"),
])
def test_a_number_after_http_is_a_status_and_after_code_a_code(search_service, query, code):
    assert codes(search_service, query)[0] == code


def test_a_status_no_code_has_finds_the_codes_that_answer_it(search_service):
    assert set(codes(search_service, "status 401")[:2]) == {"200", "210"}  # both API Gateway 401s


@pytest.mark.parametrize("unlisted,listed", [
    ("타임아우트", "타임아웃"),  # spellings nobody listed, more than one jamo off and split by mecab
    ("비트래이트", "비트레이트"),
    ("스토리쥐 버킷", "스토리지 버킷"),
])
def test_an_unlisted_hangul_spelling_finds_what_the_listed_one_finds(search_service, unlisted, listed):
    assert codes(search_service, unlisted)[:1] == codes(search_service, listed)[:1]


def test_a_word_that_is_both_a_slip_and_an_unlisted_spelling_is_read_both_ways(search_service):
    """"오쓰" is one jamo from 오프 (off) and an unlisted spelling of auth: the oAuth code is reached too."""
    assert "250505" in codes(search_service, "오브젝트 스토리지 오쓰")[:3]


def test_a_native_korean_word_is_not_read_as_english(search_service):
    # "사라짐" is near no English word's spelling: it must not bring in an API Gateway code
    assert codes(search_service, "예약 잡아둔 게 사라짐")[0] == codes(search_service, "예약")[0]


@pytest.mark.parametrize("query,code", [
    ("denied permission", "210"),  # API Gateway codes have no name: their short message serves as one
    ("failed authentication", "200"),
    ("exceeded quota", "400"),
])
def test_a_gateway_codes_message_words_in_any_order_find_it(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query,code", [
    ("205104", "250104"),  # two digits swapped
    ("err 25104", "250104"),  # a digit missing
    ("errorCode 2550104", "250104"),  # a digit doubled
])
def test_a_mistyped_code_number_finds_the_code_it_could_be(search_service, query, code):
    results = search_service.search(query)
    assert [h.code for h in results.hits][:1] == [code]
    assert code in (results.did_you_mean or "")


@pytest.mark.parametrize("query", ["250 104", "250-104", "250.104", "2501O4", "25O1O4", "E250104", "code250104",
                                   "채널 이름 250 104"])
def test_a_code_written_loosely_finds_the_code(search_service, query):
    # digits in groups, a letter O for a zero, letters glued in front: as copied from a screenshot
    results = search_service.search(query)
    assert [h.code for h in results.hits][:1] == ["250104"]
    assert "250104" in (results.did_you_mean or "")


@pytest.mark.parametrize("query", ["200 400", "interval 500 timedmeta"])
def test_numbers_that_are_codes_or_amounts_are_not_joined_into_one(search_service, query):
    assert search_service.search(query).did_you_mean is None


def test_the_word_code_before_a_number_says_what_it_is_and_finds_nothing_itself(search_service):
    # "code" names the number, like "HTTP" before a status: codes whose text says "code" do not follow
    assert [h.code for h in search_service.search("code 250104").hits] == [
        h.code for h in search_service.search("250104").hits]


def test_a_number_far_from_every_code_finds_none(search_service):
    assert search_service.search("250999").total == 0  # no code is one digit away: nothing to guess


@pytest.mark.parametrize("query", ["b frame", "b-frame", "B 프레임 에러", "B프레임", "bframe"])
def test_a_letter_written_apart_from_its_word_is_the_catalogs_one_word(search_service, catalog, query):
    # the catalog writes bFrame; people write "b frame", "B-프레임": the B-frame codes come first
    b_frame = {c.code for c in catalog.codes if "BFRAME" in c.name.replace("_", "") or "bFrame" in c.message}
    assert len(b_frame) >= 4
    assert set(codes(search_service, query)[:4]) <= b_frame


@pytest.mark.parametrize("message,states", [
    ("Channel can be deleted only in 'READY' state.", ["creating", "publishing", "reserved"]),
    ("The content can't be deleted during CREATING.", ["creating"]),
    ("If CDN status is creating or changing, channel cannot be deleted.", ["changing", "creating"]),
    ("You can get url only cdn status is \"RUNNING\"", ["creating", "changing", "stopping", "stopped"]),
    ("you can create short clip when channel status READY or PUBLIHSING", ["creating", "reserved"]),  # NCP's typo
    ("You can get time machine url only recording status is TRUE.", []),  # whose status, not which
    ("Channel is not found", []),
])
def test_the_states_an_official_message_refuses_an_action_in(message, states):
    assert search.refused_states(message) == states


@pytest.mark.parametrize("query,words", [
    ("changing channel settings while streaming is refused", ["streaming"]),
    ("can't remove curtain content while it is still being made", ["made"]),
    ("송출 중인 채널은 설정 변경이 안 되나요", ["송출"]),
    ("스냅샷 만들수 없데요 녹화 중이 아니라고", []),  # not recording: no state it was refused in
    ("snapshot fails while not recording", []),
    ("update refused, the channel is publishing", ["publishing"]),  # the state said outright
    ("the cdn's still creating", ["creating"]),
    ("cant delete live channel", ["live"]),  # the state as the resource's adjective
    ("deleting a streaming channel", ["streaming"]),
    ("라이브 채널 삭제가 안 돼요", ["라이브"]),
    ("the channel is not found", []),
])
def test_a_query_names_the_state_an_action_was_refused_in(query, words):
    assert search.state_clause_words(query) == words


@pytest.mark.parametrize("query,code,k", [
    ("deleting the channel is refused while it's live", "250114", 1),  # deleted only in 'READY' state
    ("updating a channel during publishing", "250132", 1),  # updated only in 'READY' state
    ("송출 중에 스케줄 만들 수 없나요", "250213", 1),  # create schedule when channel status is READY
    ("curtain content can't be deleted while it is still being made", "250421", 3),  # during CREATING
    ("이미 송출 중인 채널이라서 안 된다고 하네요", "250102", 1),  # no action: the state itself is the answer
    ("update refused, the channel is publishing", "250132", 3),  # updated only in 'READY' state
    ("cant delete live channel", "250114", 1),  # not a live curtain code
    ("라이브 채널 삭제가 안 돼요", "250114", 3),  # above the live curtain codes but one (삭제 is remove too)
])
def test_a_state_an_action_was_refused_in_finds_the_codes_that_refuse_it_there(search_service, query, code, k):
    assert code in codes(search_service, query)[:k]


@pytest.mark.parametrize("message,states", [
    ("Channel can be deleted only in 'READY' state.", ["ready"]),
    ("The request channel status is no \"PUBLISHING\"", ["publishing"]),
    ("you can create short clip when channel status READY or PUBLIHSING", ["ready", "publishing"]),  # NCP's typo
    ("Record status should be TRANSFER_READY or TRANSFER_FAIL when upload.", ["transfer ready", "transfer fail"]),
    ("The content can't be deleted during CREATING.", []),  # refused in one state, allowed in the rest
    ("Channel is not found", []),
])
def test_the_states_an_official_message_allows_an_action_only_in(message, states):
    assert search.needed_states(message) == states


@pytest.mark.parametrize("query,words", [
    ("record start fails because the channel isn't live", ["live"]),
    ("snapshot fails when not yet recording", ["recording"]),
    ("스냅샷이 안 만들어져요 녹화 중이 아니래요", ["녹화"]),
    ("채널이 레디 상태가 아니라서", ["레디"]),
    ("recording is already running", []),
])
def test_a_query_names_a_state_the_resource_was_not_in(query, words):
    assert search.unmet_state_words(query) == words


@pytest.mark.parametrize("query,code,k", [
    ("the record won't start because the channel is not live", "250134", 1),  # status is no PUBLISHING
    ("스냅샷 생성이 안 돼요 녹화 중이 아니라고 하네요", "250156", 1),  # create only in RECORDING, not 250169
    ("the channel is not publishing", "250101", 1),  # no action: the code that says so itself
])
def test_a_state_the_resource_was_not_in_finds_the_codes_that_need_it(search_service, query, code, k):
    assert code in codes(search_service, query)[:k]


def test_a_query_gives_its_cause_after_because():
    query = "cannot remove the profile because it is used by a channel. what now"
    (start, end), = search.cause_spans(query)
    assert query[start:end].strip() == "it is used by a channel"
    assert search.cause_spans("quality profile cannot be removed") == []


@pytest.mark.parametrize("query,code", [
    ("removing a quality profile fails because it is used by a channel", "250306"),  # Resource is in use
    ("deleting curtain content fails because a channel is using it", "250423"),  # content is in using
])
def test_the_cause_a_query_gives_outweighs_the_action_that_failed(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query", ["creating a snapshot didn't work", "the snapshot creation did not work",
                                   "snapshot creation doesn't work"])
def test_every_way_of_writing_a_phrase_means_what_the_phrase_means(search_service, query):
    assert codes(search_service, query)[0] == "250170"  # SNAPSHOT_CREATE_FAILED, not SNAPSHOT_CREATED


@pytest.mark.parametrize("query,code", [
    ("shortclip not found", "250168"),  # SHORT_CLIP_NOT_FOUND, the two words the catalog writes apart
    ("quality set with zero qualities", "250313"),  # at least 1 quality: zero is a number too
])
def test_words_run_together_and_numbers_spelled_out_are_read_as_meant(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query,sides", [
    ("too many qualities", ["over"]), ("bitrate exceeds the limit", ["over"]), ("파일이 너무 커요", ["over"]),
    ("fps too low", ["under"]), ("채널 이름이 너무 짧아요", ["under"]), ("bitrate 3000", []),
])
def test_a_query_says_which_side_of_a_limit_a_value_was_on(query, sides):
    assert search.limit_sides(query) == sides


@pytest.mark.parametrize("query,code", [
    ("too many qualities in one quality set", "250313"),  # at most 4, not "only one 1080p"
    ("bframes too many", "250324"),  # less than or equal to 4, not greater than or equal to 0
])
def test_a_side_of_a_limit_said_without_a_value_finds_the_codes_limiting_that_side(search_service, query, code):
    assert codes(search_service, query)[0] == code


def test_a_query_says_what_was_being_done_when_the_error_came():
    query = "snapshot id not found when creating a clip, help"
    (start, end), = search.context_spans(query)
    assert query[start:end] == "when creating a clip"
    assert search.context_spans("error when the channel is created") == []  # no action being done


@pytest.mark.parametrize("query,code", [
    ("snapshot id not found when creating a clip", "250159"),  # Requested snapshot not found, not a clip code
    ("bucket doesn't exist when uploading the recording", "250705"),  # not the record's own codes
])
def test_what_was_being_done_counts_for_less_than_what_went_wrong(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query,code", [
    ("snapshot request fails just after publishing started", "250157"),  # not START_TEST_PUBLISH_FAILED
    ("inserting the curtain again fails, it is already inserted", "250422"),  # not CURTAIN_INSERT_FAILED
    ("my short clip failed to upload", "250167"),  # a failure named by the code still counts
    ("can't find the record file for download", "250706"),  # not RECORD_FILE_CANNOT_DELETE
])
def test_failed_is_said_of_any_error_and_decides_only_with_other_words(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query,code", [
    ("video bitrate 25000000 rejected", "250322"),  # at most 20000000
    ("width 2560 too wide", "250366"),  # integer between 128 and 1920
])
def test_a_long_number_past_a_stated_limit_finds_the_code_stating_it(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query,code", [
    ("video width 100", "250366"),  # a width of 100 (at least 128), not API Gateway code 100
    ("timedmeta interval 500", "250351"),  # only 1000 is supported, not code 500
    ("bitrate error code 500", "500"),  # after "code" the number is the code
])
def test_a_number_after_a_word_the_catalog_limits_is_its_value(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query,code", [
    ("restream targetName value that you specified is not allowed", "250130"),  # not the channel value's
    ("the recording status is not", "250137"),
    ("bFrames only 0,1,2 are available if resolution", "250335"),
])
def test_words_copied_from_a_log_find_the_message_they_run_along(search_service, query, code):
    assert codes(search_service, query)[0] == code


def test_a_run_of_boilerplate_every_message_shares_singles_none_out():
    runs = dict.fromkeys(["250131", "250309", "250355", "250356", "250357"], 7)  # "value that you specified is not allowed"
    assert not search.singled_out(runs, 7)
    assert search.singled_out({**runs, "250130": 9}, 9) == ["250130"]
    assert not search.singled_out({**runs, "250130": 8}, 9)  # one word more is no fragment of its own
    assert search.singled_out({"250135": 6, "250136": 6}, 6) == ["250135", "250136"]  # one message, two codes
    assert not search.singled_out({"250130": 4}, 12)  # a few words of a long description


@pytest.mark.parametrize("query", ["레코드 아이디 존재하지 않음", "알림 타입이 잘못됨", "채널 꺼짐 설정이 안 돼요",
                                   "DVR 꺼져 있어서 스냅샷 못 만듦"])
def test_terse_korean_endings_are_no_typos(search_service, query):
    assert search_service.search(query).did_you_mean is None  # 않음, 잘못됨, 꺼짐, 만듦: grammar, not slips


def test_a_code_in_pasted_json_is_written_as_it_is(search_service):
    pasted = '{"error":{"errorCode":250104,"message":"Channel names can be entered with a minimum of 3 characters"}}'
    results = search_service.search(pasted)
    assert results.hits[0].code == "250104" and results.did_you_mean is None


@pytest.mark.parametrize("query,code", [
    ("channel must be idle before i can delete it", "250114"),  # idle: READY, named as the state it needs
    ("channel has to be idle to change its settings", "250132"),
])
def test_a_state_an_action_needs_counts_as_the_catalogs_word_for_it(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query,words", [
    ("the cdn must be running first", ["running"]),
    ("CDN이 동작중이어야 한다고 나와요", ["동작"]),
    ("채널이 레디 상태여야 하나요", ["레디"]),
    ("녹화 중이 아니라고", []),
])
def test_a_query_names_the_state_an_action_needs(query, words):
    assert search.required_state_words(query) == words
