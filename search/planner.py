"""The query plan: a pure function of the text, the index's vocabulary and the glossary."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from whoosh import query as Q

import korean
import lexicon
import transliterate
from quantities import numbers_with_units, quantities, spelled_values, units_written

from .analysis import BI, analyse, en_terms, english_pieces, loanword_spellings, split_compound
from .documents import (BI_FIELDS, BOOST, COMPOUND_BIGRAM_WEIGHT, CORRECTION_WEIGHT, EN_FIELDS, EXACT_CODE_BOOST,
                        EXACT_MESSAGE_BOOST, EXACT_NAME_BOOST, GENERIC_WEIGHT, GLOSSARY_WEIGHT, KO_FIELDS,
                        LOOSE_BIGRAM_WEIGHT, NEAR_NAME_BOOST, NUMBER_BOOST, PART_WEIGHT, QUANTITY_BOOST, QUERY_NOISE,
                        STATUS_BOOST, THESAURUS_WEIGHT, UNIT_BOOST, WEAK_WEIGHT)
from .readings import (REFUSABLE_STATES, beyond, cause_spans, context_spans, correct, follows_limited_word, limit_sides, held_for, is_value, loose_codes, max_typos,
                       message_runs, near_codes, near_name, number_role, required_state_words, singled_out,
                       state_clause_words, stated_bounds, unmet_state_words, written_apart, written_as)
from .scoring import Concept

BOUND_BOOST = 2.0  # a value on the refused side of a limit a code states
SIDE_BOOST = 1.0  # a side of a limit said without a value ("too many")
ONLY_WEIGHT = 0.5  # the side of a list of the only values allowed: it refuses almost every number
MESSAGE_RUN_BOOST = 2.0  # per word of the longest run, when it is the longest by two words
REFUSED_BOOST = 3.0  # a state the query says the action was refused in (below a state named in a name)
CONTEXT_WEIGHT = 0.5  # a word of what was being done when the error came ("when creating a clip")
CAUSE_WEIGHT = 1.5  # a word of the cause a query gives, against the action that failed
NEEDED_BOOST = 1.5  # a state the query says the resource was not in, where a code allows the action only in it
REQUIRED_STATE_WEIGHT = 1.0  # "must be idle" names the state READY as surely as typing it
MAX_READ = 120  # characters: a longer query is a paste or a sentence, read as written
SURE_STATUS_BOOST = 10.0
NEAR_CODE_BOOST = 15.0  # a code one digit from a number that is no code: below any exact code
AMBIGUOUS_CODE_BOOST = 8.0  # a number that is both a code and an HTTP status: the words around it decide
REAL_WORD_ZIPF = 4.0  # as common as "bucket" or "black" (wordfreq's Zipf scale): a word, not a typo
BACK_MIN_SCORE = 0.8  # jamo similarity to a reviewed spelling below which a guess is noise
LOANWORD_WEIGHT = 1.0  # a Hangul spelling of an English word (레코딩) counts as the word typed in English
TYPING_WEIGHT = 0.9  # a word 초성 or a prefix stands for counts a little less than one typed whole

@dataclass
class Plan:
    """A query taken apart: its concepts (each {(field, term or tuple of terms): boost}) and what
    is needed to highlight and correct."""

    text: str
    concepts: tuple = ()
    en: set = field(default_factory=set)
    ko: set = field(default_factory=set)
    bi: set = field(default_factory=set)
    corrections: dict = field(default_factory=dict)  # typed word -> corrected word
    digits_only: bool = False

    @functools.cached_property
    def query(self):
        """The same plan as a Whoosh query (an Or of concepts), or None; the service scores the
        concepts directly and never builds it."""
        subqueries = []
        for terms in self.concepts:
            qs = [Q.And([Q.Term(f, w) for w in t], boost=b) if isinstance(t, tuple) else Q.Term(f, t, boost=b)
                  for (f, t), b in terms.items()]
            subqueries.append(qs[0] if len(qs) == 1 else Concept(qs))
        return Q.Or(subqueries) if subqueries else None


def exact_codes(vocab, norm: str) -> list[str]:
    """Codes whose code or name (or alias, any case) is exactly the whole query."""
    candidate = norm.strip("\"'` ")
    if candidate.isdigit() and candidate.isascii():
        return [candidate] if candidate in vocab.doc_of else []
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", candidate) and vocab.has("name_exact", candidate.lower()):
        return sorted(vocab.by_name.get(candidate.lower(), ()), key=lambda c: (len(c), c))
    return []

_THESAURUS_GLOSSARIES: dict[int, tuple[lexicon.Thesaurus, tuple]] = {}


def thesaurus_glossary(thesaurus: lexicon.Thesaurus) -> tuple[korean.Glossary, dict, dict]:
    """The thesaurus matched like the glossary (Korean words, English phrases), each matched
    group's catalog words (the ones documents contain) and its English phrases by their terms
    ("doesn't work", "did not work": ("work",)), built once per thesaurus."""
    def build(t):
        groups = [(korean.GlossaryGroup(g.ko, g.english), g.catalog) for g in t.groups]
        phrases: dict[int, dict[tuple, list[str]]] = {}
        for g, _ in groups:
            for w in g.en:
                if " " in w.strip():
                    phrases.setdefault(id(g), {}).setdefault(tuple(en_terms(w)), []).append(w)
        return korean.Glossary([g for g, _ in groups], en_key=en_terms), {id(g): c for g, c in groups}, phrases
    return held_for(_THESAURUS_GLOSSARIES, thesaurus, build)


@functools.cache
def back_transliterator() -> transliterate.BackTransliterator:
    """The catalog's English words by their reviewed Hangul spellings (data/search/loanwords.toml)."""
    loanwords = transliterate.load_loanwords()
    return transliterate.BackTransliterator(sorted(loanwords), spellings=lambda w: loanwords[w].hangul)


def unknown_hangul_words(norm: str, pieces, function_spans, vocab, translated) -> list[tuple[str, str]]:
    """The Hangul words of a query (particles and endings left off) that no index field and no
    glossary word knows, each with the first content morpheme read in it (the concept it joins)."""
    out = []
    for m in re.finditer(r"[가-힣]{2,}", norm):
        inside = [p for p in pieces if m.start() <= p.start < m.end()]
        if not inside:
            continue
        end = m.end()
        for a, b in sorted(function_spans, reverse=True):
            if b == end and a > inside[0].start:
                end = a
        word = norm[inside[0].start:end]
        if len(word) < 2 or any(word in t for t in translated):  # the glossary knows all of it
            continue
        if any(vocab.has(f, word) for f in KO_FIELDS):
            continue
        if len(inside) == 1 and any(vocab.has(f, inside[0].text) for f in KO_FIELDS):
            continue  # a known word with its ending ("녹화했어요")
        out.append((word, inside[0].text))
    return out


_EXPANSIONS: dict[int, tuple[Any, dict]] = {}  # id(vocab) -> (vocab, {(kind, text): expansion})
_EXPANSIONS_MAX = 20_000  # words per index; cleared when full (every visitor's words would pile up)


def _expansions(vocab) -> dict:
    """The expansion cache of one loaded index."""
    cache = held_for(_EXPANSIONS, vocab, lambda _: {})
    if len(cache) >= _EXPANSIONS_MAX:
        cache.clear()
    return cache


def _field_entries(vocab, fields, found: tuple) -> list:
    """((field, term or terms), field boost, divisor or 0) for each field holding all of found."""
    entries = []
    for f in fields:
        if len(found) == 1:
            if vocab.has(f, found[0]):
                entries.append(((f, found[0]), BOOST[f], 0))
        elif found and all(vocab.has(f, w) for w in found):
            entries.append(((f, found), BOOST[f], len(found)))
    return entries


def en_expansion(vocab, text: str) -> tuple[tuple, tuple]:
    """An English word or phrase's terms, and where the index holds them (remembered per index:
    glossary and thesaurus words recur in almost every plan)."""
    cache = _expansions(vocab)
    held = cache.get(("en", text))
    if held is None:
        found = tuple(dict.fromkeys(en_terms(text)))
        held = cache[("en", text)] = (found, tuple(_field_entries(vocab, EN_FIELDS, found)))
    return held


def ko_expansion(vocab, text: str) -> tuple[tuple, tuple, tuple]:
    """A Korean word's morphemes, its bigrams (a single morpheme's only), and where the index
    holds them, in the order they are added (remembered per index like en_expansion)."""
    cache = _expansions(vocab)
    held = cache.get(("ko", text))
    if held is None:
        found = tuple(dict.fromkeys(vocab.korean.terms(text)))
        entries = _field_entries(vocab, KO_FIELDS, found)
        grams = tuple(g for g in analyse(BI, text) if len(g) == 2) if len(found) == 1 else ()
        for g in grams:
            entries.extend(((f, g), BOOST[f], 0) for f in BI_FIELDS if vocab.has(f, g))
        held = cache[("ko", text)] = (found, grams, tuple(entries))
    return held


def ko_marked(vocab, text: str) -> tuple[tuple, tuple]:
    """A Korean word's morphemes and bigrams, the terms that mark it (remembered per index like ko_expansion)."""
    cache = _expansions(vocab)
    held = cache.get(("marked", text))
    if held is None:
        held = cache[("marked", text)] = (tuple(vocab.korean.terms(text)),
                                          tuple(g for g in analyse(BI, text) if len(g) == 2))
    return held


def make_plan(norm: str, vocab, glossary, thesaurus: lexicon.Thesaurus | None = None) -> Plan:
    """Take a normalised query apart into concepts, each an OR of boosted (field, term) pairs.

    A concept is a word of the query (English word, Korean morpheme, Hangul bigram outside
    any morpheme, code, name) with its stems, parts, spelling correction and glossary
    translations; only terms the index holds are kept, so Whoosh does no useless lookups.
    """
    plan = Plan(norm)
    plan.digits_only = norm.isdigit() and norm.isascii()
    # the query as meant: keyboard-mode words in Hangul, one-jamo slips fixed (both offered as
    # did-you-mean), 초성 and the last word being typed stand for the words they can be
    reading = vocab.typing.read(norm) if len(norm) <= MAX_READ else None
    if reading is not None:
        plan.corrections.update(reading.changes)
        norm = reading.text
    # concept -> {(field, term or tuple of terms that must all be there): boost}
    concepts: dict[str, dict[tuple[str, Any], float]] = {}

    fields_terms = vocab.terms
    no_terms: frozenset = frozenset()

    def put(concept, key, boost):
        terms = concepts.setdefault(concept, {})
        if terms.get(key, 0.0) < boost:
            terms[key] = boost

    def add(concept, fieldname, text, boost, highlight=None):
        known = fields_terms.get(fieldname, no_terms)
        if isinstance(text, tuple):
            if highlight is not None:
                highlight.update(text)
            if all(w in known for w in text):
                put(concept, (fieldname, text), boost)
            return
        if highlight is not None:
            highlight.add(text)
        if text in known:
            put(concept, (fieldname, text), boost)

    def add_en(concept, text, weight):
        """A word, or a phrase whose words must all be in one field ("channel name")."""
        found, entries = en_expansion(vocab, text)
        if found:
            plan.en.update(found)
        for key, base, n in entries:
            put(concept, key, base * weight / n if n else base * weight)

    def scale(concept, weight):
        """Every term of a concept counts weight times as much."""
        terms = concepts.get(concept, {})
        for t in terms:
            terms[t] *= weight

    def add_states(concept, fieldname, states, boost):
        """The catalog's words for states, as terms of one state field, in a concept."""
        for state in states:
            for term in en_terms(state):
                add(concept, fieldname, term, boost)

    def add_ko(concept, text, weight):
        found, grams, entries = ko_expansion(vocab, text)
        if found:
            plan.ko.update(found)
        if grams:
            plan.bi.update(grams)
        for key, base, n in entries:
            put(concept, key, base * weight / n if n else base * weight)

    # English words, each with its camelCase/digit parts and, if the index has never seen it,
    # the nearest word it does know
    with_units = numbers_with_units(norm)
    spelled = spelled_values(norm)
    stems: list[str] = []
    word_concept: dict[str, str] = {}
    concept_at: list[tuple[int, str]] = []  # (where a whole English word starts, its concept)
    current = None
    for piece in english_pieces(norm):
        low = piece.text.lower()
        if current is None or piece.start >= current[2]:  # a whole word
            current = (low, piece.start, piece.end)
            if low in QUERY_NOISE:
                continue
            key = f"num:{low}" if low.isdigit() else f"en:{low}"  # one concept for a number, however it matches
            weight = 1.0
            if low in spelled:  # "one quality set": a number, however written; as a word it is a determiner
                key, weight = f"num:{spelled[low]}", PART_WEIGHT
            concept_at.append((piece.start, key))
            word_stems = en_terms(low)
            stems.extend(word_stems)
            for st in word_stems:
                word_concept.setdefault(st, key)
            add_en(key, low, weight)
            for synonym in thesaurus.synonyms(low) if thesaurus else ():
                add_en(key, synonym, THESAURUS_WEIGHT)
            known = low in vocab.words or any(vocab.has(f, st) for st in word_stems for f in EN_FIELDS)
            parts = [] if known else split_compound(low, vocab.words)
            if known and not parts and len(low) >= 6 and not any(
                    vocab.has(f, st) for st in word_stems for f in ("name_words", "message")):
                # a compound of words the catalog writes apart ("shortclip": SHORT_CLIP_*) is those words
                whole = split_compound(low, vocab.words)
                parts = whole if written_apart(whole, vocab) else []
            for part in parts:  # "bucketname" is bucket and name
                stems.extend(en_terms(part))
                add_en(f"en:{part}", part, 1.0)
            # a common English word the catalog lacks ("black") is no typo of one it has ("back")
            if (word_stems and not known and not parts and low.isalpha() and max_typos(low)
                    and vocab.zipf(low) < REAL_WORD_ZIPF):
                fix = correct(low, vocab)
                if fix:
                    plan.corrections[piece.text] = fix
                    stems.extend(en_terms(fix))
                    add_en(key, fix, CORRECTION_WEIGHT)
        elif current[0] not in QUERY_NOISE:  # a part of the current word
            add_en(f"en:{current[0]}", low, PART_WEIGHT)

    # Korean morphemes (a compound's parts count for less), with the bigrams inside them.
    # A bigram across two content morphemes of one word ("채널|명") is compound evidence and
    # stands alone; one that touches a particle or ending ("널을") counts for little.
    morph_pieces, function_spans = vocab.korean.analyse(norm)
    morphs = [m.text for m in morph_pieces]
    heads: dict[tuple[int, int], str] = {}
    for m in morph_pieces:
        head = heads.setdefault((m.start, m.end), m.text)
        for f in KO_FIELDS:
            add(f"ko:{head}", f, m.text, BOOST[f] * (1.0 if head == m.text else PART_WEIGHT), plan.ko)
    grams = list(korean.bigrams(norm))
    if any(len(g.text) == 2 for g in grams):
        grams = [g for g in grams if len(g.text) == 2]  # a lone syllable only when nothing longer

    def owner(i):
        return next((h for (a, b), h in heads.items() if a <= i < b), None)

    for g in grams:
        first, last = owner(g.start), owner(g.end - 1)
        if first is not None and first == last:
            key, weight = f"ko:{first}", 1.0
        elif any(a < g.end and g.start < b for a, b in function_spans):
            key, weight = f"bi:{g.text}", LOOSE_BIGRAM_WEIGHT
        else:
            key, weight = f"bi:{g.text}", COMPOUND_BIGRAM_WEIGHT
        for f in BI_FIELDS:
            add(key, f, g.text, BOOST[f] * weight, plan.bi)

    # The glossary: a Korean word also searches its English (and Korean) synonyms, an English
    # word its English synonyms; each joins the concept of the word it came from
    translated: list[str] = []  # Korean words the glossary matched
    for exp in glossary.expand(norm, morphs, stems):
        matched = exp.matched.replace(" ", "")
        translated.append(matched)
        if korean.has_hangul(exp.matched):
            key = f"ko:{matched}" if matched in morphs else f"gl:{matched}"
            # a loanword is the English word in Hangul, as good as typed in English; a translation less
            weight = LOANWORD_WEIGHT if exp.group.spelled else GLOSSARY_WEIGHT
            for word in exp.add_en:
                add_en(key, word, weight)
            for word in exp.add_ko:
                add_ko(key, word, GLOSSARY_WEIGHT)
        else:
            matched_stems = en_terms(exp.matched)
            key = word_concept.get(matched_stems[0]) if matched_stems else None
            for word in exp.add_en:
                add_en(key or f"gl:{exp.matched}", word, GLOSSARY_WEIGHT)
            for word in exp.add_ko:  # not searched (every code has English text), but marked
                found, grams = ko_marked(vocab, word)
                plan.ko.update(found)
                plan.bi.update(grams)

    # A Hangul word neither the index nor the glossary knows may be an English word spelled a way
    # nobody listed ("레솔루션", "오쓰"): the catalog words whose reviewed spellings are nearest
    being_typed = {token for token, _ in (reading.alternatives if reading is not None else ())}
    for word, head in unknown_hangul_words(norm, morph_pieces, function_spans, vocab, translated):
        if word in being_typed:  # 오브 on its way to 오브젝트 is no loanword of its own (over)
            continue
        for english, score in back_transliterator()(word, limit=2, min_score=BACK_MIN_SCORE):
            add_en(f"ko:{head}" if head else f"gl:{word}", english, GLOSSARY_WEIGHT * score)
    # a word read as a one-jamo slip of a known one may as well be such a spelling ("오쓰": 오프 or auth):
    # both readings in the concept of the word typed
    for typed, meant in reading.changes if reading is not None else ():
        if korean.has_hangul(typed) and korean.has_hangul(meant) and " " not in typed:
            key = f"ko:{meant}" if f"ko:{meant}" in concepts else f"gl:{typed}"
            for english, score in back_transliterator()(typed, limit=2, min_score=BACK_MIN_SCORE):
                add_en(key, english, GLOSSARY_WEIGHT * score)

    # Everyday Korean for the catalog's verbs and states ("안 넣었어요" is missing, "꺼야" off): the
    # group's words at the thesaurus weight, in the concept of the morpheme they were said with
    if thesaurus:
        everyday, catalog_of, phrases_of = thesaurus_glossary(thesaurus)
        for exp in everyday.expand(norm, morphs, stems):
            catalog_words = catalog_of[id(exp.group)]
            if not korean.has_hangul(exp.matched):
                # an English phrase ("doesn't work", "not set", "took too long"): single words were
                # expanded above; the phrase means more than its words, so it is a concept of its own
                phrase = en_terms(exp.matched)
                if len(phrase) > 1:
                    key = f"th:{exp.matched}"
                elif phrase and any(written_as(norm, w) for w in  # "did not work" as much as "doesn't work"
                                    phrases_of.get(id(exp.group), {}).get(tuple(phrase), ())):
                    # "too short" as written: its one content word, with what it means here
                    key = word_concept.get(phrase[0]) or f"th:{exp.matched}"
                else:
                    continue
                for word in catalog_words:
                    add_en(key, word, THESAURUS_WEIGHT)
                continue
            matched = exp.matched.replace(" ", "")
            if matched in translated:
                continue  # the glossary's translation of the word is enough (권한: permission)
            if " " in exp.matched:  # a phrase ("다 만들어": completed) means more than its word (만들: create)
                key = f"th:{matched}"
            else:  # the glossary's key for the same word, so a word in both counts once
                inside = [m for m in morphs if m in matched]
                key = f"ko:{matched}" if matched in morphs else f"ko:{max(inside, key=len)}" if inside else f"gl:{matched}"
            for word in catalog_words:
                add_en(key, word, THESAURUS_WEIGHT)
            for word in exp.add_ko:
                add_ko(key, word, THESAURUS_WEIGHT)

    # States. One the query says the action was refused in ("while it's streaming", "송출 중인 채널") is
    # evidence for the codes that refuse it there, by naming it or by allowing the action only in other
    # states; one it says the resource was not in ("the channel is not live") is evidence for the codes
    # that allow the action only there; one it says an action needs ("must be idle") is the catalog's
    # word for it (READY), as if typed. All in the concept of the word that names the state.
    def states_of(forms):
        """The catalog's words for the states the thesaurus groups of these forms name."""
        return dict.fromkeys(c for f in forms for g in thesaurus.groups_of(f) for c in g.catalog if c in REFUSABLE_STATES)

    def english_concept(word):
        return word_concept.get(next(iter(en_terms(word)), ""), f"en:{word}")

    def named_states(word):
        """(the concept of a word naming a state, the catalog's words for the states it names)."""
        if korean.has_hangul(word):
            forms = vocab.korean.terms(word)
            return next((f"ko:{f}" for f in forms if f"ko:{f}" in concepts), f"state:{word}"), states_of(forms)
        word = word.lower()
        states = states_of([word])
        if word in REFUSABLE_STATES:
            states[word] = None
        return english_concept(word), states

    if thesaurus:
        for word in unmet_state_words(norm):
            key, states = named_states(word)
            add_states(f"need:{key}", "needed", states, NEEDED_BOOST)
        for word in state_clause_words(norm):
            key, states = named_states(word)
            add_states(key, "refused", states, REFUSED_BOOST)
        for word in required_state_words(norm):
            key, states = named_states(word)
            for state in states:
                if state != word:
                    add_en(key, state, REQUIRED_STATE_WEIGHT)
            add_states(f"need:{key}", "needed", states, NEEDED_BOOST)

    # 초성 and the word being typed: one concept per token, the best of the words it can be, each
    # with its glossary translations
    for token, words in (reading.alternatives if reading is not None else ()):
        key = f"typed:{token}"
        cut_short = word_concept.get(next(iter(en_terms(token.lower())), "")) if token.isascii() else None
        for word in words:
            if korean.has_hangul(word):
                add_ko(key, word, TYPING_WEIGHT)
                for exp in glossary.expand(word, [word]):
                    for other in exp.add_en:
                        add_en(key, other, TYPING_WEIGHT * GLOSSARY_WEIGHT)
            else:  # a whole word that may still be cut short ("ur": url) keeps one concept with them
                add_en(cut_short or key, word, TYPING_WEIGHT)

    # Codes, statuses and names written as such, and codes written loosely (offered as did-you-mean)
    for written, code in loose_codes(norm, vocab):
        add(f"num:{code}", "code", code, EXACT_CODE_BOOST)
        plan.corrections[written] = code
    tokens = re.findall(r"[A-Za-z0-9_]+", norm)
    # "200개", "200으로", "width 100": amounts, not code 200 or 100
    amounts_typed = {t for t in tokens if t.isdigit() and (t in with_units or is_value(norm, t)
                                                           or follows_limited_word(norm, t, vocab))}
    for token in dict.fromkeys(tokens):
        if token in amounts_typed:
            add(f"num:{token}", "amount", token, NUMBER_BOOST * PART_WEIGHT)  # "50 files": a unit we do not read
        elif token.isdigit():
            role, marker = number_role(norm, token, vocab, words=len(tokens) > 1 or korean.has_hangul(norm))
            for word in marker:  # "http" in "HTTP 500" says what the number is, not what went wrong
                concepts.pop(f"ko:{word}" if korean.has_hangul(word) else f"en:{word.lower()}", None)
            if role != "status":
                add(f"num:{token}", "code", token, EXACT_CODE_BOOST if role == "code" else AMBIGUOUS_CODE_BOOST)
            if role != "code":  # "HTTP 500", or a status no code has ("401"): surely the status
                sure = role == "status" or not vocab.has("code", token)
                add(f"num:{token}", "status", token, SURE_STATUS_BOOST if sure else STATUS_BOOST)
            add(f"num:{token}", "amount", token, NUMBER_BOOST)
            if role == "code" and len(token) >= 5 and token not in vocab.doc_of:
                near = near_codes(token, vocab)  # a code number mistyped: the codes it could be
                for code in near:
                    add(f"num:{token}", "code", code, NEAR_CODE_BOOST)
                if len(near) == 1:
                    plan.corrections[token] = near[0]
        elif re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", token):
            lower = token.lower()
            add(f"name:{lower}", "name_exact", lower, EXACT_NAME_BOOST)
            if "_" in lower.strip("_") and not vocab.has("name_exact", lower):
                near = near_name(lower, vocab)
                if near:
                    add(f"name:{lower}", "name_exact", near, NEAR_NAME_BOOST)
                    plan.corrections[token] = near.upper()
    named = [(found, f"num:{re.match(r'[0-9.]+', found.term).group()}") for found in quantities(norm)]
    for found, key in named:  # a limit the query names ("20자", "25 fps"): in the number's concept
        add(key, "amount", found.term, QUANTITY_BOOST)
        add(key, "amount", found.unit, UNIT_BOOST)
    # a value beyond a limit a code's official text states ("five qualities": at most 4; "두 글자": at
    # least 3; "twelve videos": the limit is 10) is evidence for that code, in the value's concept
    stated = stated_bounds(vocab)
    if stated:
        values = [(found.value, found.unit, key, key[4:]) for found, key in named]
        # "250999" looks like a code; "30000000" is longer than any code or a slip of one
        values += [(Fraction(t), "", f"num:{t}", t) for t in dict.fromkeys(tokens)
                   if t not in with_units and (t in amounts_typed or (
                       t.isdigit() and t not in vocab.doc_of and (len(t) <= 4 or len(t) > 7)))]
        # "one" standing alone is a determiner ("in one schedule"), no value a limit could refuse
        values += [(v, "", f"num:{v}", word) for word, v in spelled.items() if v != 1]
        for value, unit, key, written in values:
            value += beyond(norm, written)  # "more than 5" is refused where 5 is the most allowed
            for bound in stated:
                if bound.refuses(value, unit):
                    add(key, "bound", bound.term, BOUND_BOOST * (ONLY_WEIGHT if bound.side == "only" else 1.0))
    # a value said to be past a limit without the value ("too many b frames", "fps too low"): evidence for
    # the codes that state a limit on that side, less than a value would be
    for side in limit_sides(norm):
        for bound in stated:
            if bound.side == side:
                add(f"side:{side}", "bound", bound.term, SIDE_BOOST)
    for unit, number in units_written(norm).items():  # "15 seconds" is one word of the query, not two
        word = concepts.pop(f"ko:{unit}" if korean.has_hangul(unit) else f"en:{unit}", None)
        for key, boost in (word or {}).items():
            put(f"num:{number}", key, boost)
    # a letter written apart from its word ("b frame", "B-프레임"): the catalog writes them as one (bFrame)
    for letter, word, hangul_word in re.findall(
            r"(?<![A-Za-z0-9])([A-Za-z])(?:[ \-]([A-Za-z]{2,})|[ \-]?([가-힣]{2,}))", norm):
        for english in [word.lower()] if word else loanword_spellings(compact=True).get(hangul_word, ()):
            joined = (letter + english).lower()
            if any(vocab.has(f, st) for st in en_terms(joined) for f in EN_FIELDS):
                add_en(f"en:{joined}", joined, 1.0)
    latin = re.findall(r"[A-Za-z0-9]+", norm)
    typed = [w.lower() for w in latin]
    for i, first in enumerate(typed):  # a whole official message written out ranks its code first
        by_length = vocab.messages.get(first)
        if not by_length:
            continue
        found = sorted(hit for n, table in by_length.items() for hit in table.get(tuple(typed[i:i + n]), ()))
        for _, words, code in found:
            add(f"msg:{code}", "code", code, EXACT_MESSAGE_BOOST)
            for w in words:  # "Exception" inside "Bad Request Exception" is not the name EXCEPTION
                concepts.pop(f"name:{w}", None)
    # words copied from a log in a row: the longer the run of an official message's words, the surer
    runs = message_runs(typed, vocab)
    for code in singled_out(runs, len(typed)):
        add(f"msg:{code}", "code", code, MESSAGE_RUN_BOOST * runs[code])
    if len(latin) > 1 and not korean.has_hangul(norm):  # "channel not found" is CHANNEL_NOT_FOUND
        joined = "_".join(latin).lower()
        add(f"name:{joined}", "name_exact", joined, EXACT_NAME_BOOST)

    # what was being done when the error came ("when creating a clip") sets the scene: the rest of the
    # query says what went wrong
    inside = {k for start, end in context_spans(norm) for at, k in concept_at if start <= at < end}
    if inside and any(k not in inside for _, k in concept_at if k in concepts):
        for key in inside:
            scale(key, CONTEXT_WEIGHT)
    # the cause a query gives ("fails because it is in use") is what an official message states
    for start, end in cause_spans(norm):
        for key in dict.fromkeys(k for at, k in concept_at if start <= at < end):
            scale(key, CAUSE_WEIGHT)
    if thesaurus:  # a word that only says something went wrong never decides the order
        for key in concepts:
            word = key.partition(":")[2]
            if thesaurus.is_generic(word):
                scale(key, GENERIC_WEIGHT)
            elif thesaurus.is_weak(word):
                scale(key, WEAK_WEIGHT)
    # a word written twice ("qualities in one quality set") is one word of the query: it counts once
    unique = {frozenset(terms.items()): terms for terms in concepts.values() if terms}
    plan.concepts = tuple(unique.values())
    return plan

def did_you_mean(norm: str, plan: Plan) -> str | None:
    if not plan.corrections:
        return None
    out = norm
    for typed, fixed in plan.corrections.items():
        out = re.sub(rf"(?i)(?<![A-Za-z0-9_]){re.escape(typed)}(?![A-Za-z0-9_])", fixed, out)
    return out if out != norm else None

