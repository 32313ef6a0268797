"""Full-text search over the catalog: the one package that imports Whoosh (no Flask here).

Its modules follow the flow: ``analysis`` (tokenizers and filters used the same way at index and
query time) → ``documents`` (the schema, field weights, documents from a Catalog) → ``index``
(the index on disk and the vocabulary read from it) → ``planner`` (a pure function from text,
vocabulary and glossary to a plan) → ``scoring`` (scores over cached postings) → ``service``
(``SearchService``: build, open, search, suggest) and ``highlight`` (the spans of matched words:
data, never HTML; the web layer marks them up).

User text is never parsed as query syntax. Whoosh (whoosh-reloaded 2.7.5) is unmaintained:
everything it does is kept behind SearchService.
"""
from .analysis import BI, EN, KO, SPELL, analyse, en_terms, split_compound
from .documents import WEIGHTING, documents, make_schema, needed_states, refused_states
from .highlight import Marked, mark
from .index import (MANIFEST, SCHEMA_VERSION, SPELL_FILE, IndexDamaged, Vocab, index_key, load_verified,
                    release_build_memory, write_index)
from .planner import Plan, make_plan
from .readings import (beyond, cause_spans, context_spans, limit_sides, required_state_words, singled_out,
                       state_clause_words, unmet_state_words)
from .service import (GLOSSARY_PATH, LIVE, MAX_LIMIT, MAX_QUERY, SearchHit, SearchResults,
                      SearchService, Suggestion)

__all__ = ["BI", "EN", "KO", "SPELL", "analyse", "en_terms", "split_compound", "WEIGHTING", "beyond", "documents", "refused_states", "singled_out", "state_clause_words",
           "make_schema", "needed_states", "unmet_state_words", "cause_spans", "context_spans",
           "required_state_words", "limit_sides",
           "Marked", "mark", "MANIFEST", "SCHEMA_VERSION", "SPELL_FILE", "IndexDamaged", "Vocab", "index_key",
           "load_verified", "release_build_memory", "write_index", "Plan", "make_plan",
           "GLOSSARY_PATH", "LIVE", "MAX_LIMIT", "MAX_QUERY", "SearchHit", "SearchResults",
           "SearchService", "Suggestion"]
