"""The error-code catalog: data/*.toml loaded once into frozen objects and validated (no Flask).

`model` holds the plain objects (ErrorCode, Localized, Guidance, Catalog...), `loader` reads and
checks the data files, reporting every problem at once.
"""
from .loader import (GUIDANCE_KEYS, NOTE_KINDS, REGISTRY_FILE, RETIRED_FILE, SOURCES, CatalogError, Problem,
                     display_path, load_catalog, nfc)
from .model import (DOCS_BASE, LANGUAGES, PLACEHOLDER_RE, RETRY_VALUES, WHO_ACTS_VALUES, Catalog, Category,
                    DocLink, ErrorCode, Guidance, Localized, Note, Placeholder, RetiredCode)

__all__ = [
    "Catalog", "CatalogError", "Category", "DocLink", "ErrorCode", "Guidance", "Localized", "Note", "Placeholder",
    "Problem", "RetiredCode", "DOCS_BASE", "GUIDANCE_KEYS", "LANGUAGES", "NOTE_KINDS", "PLACEHOLDER_RE",
    "REGISTRY_FILE", "RETIRED_FILE", "RETRY_VALUES", "SOURCES", "WHO_ACTS_VALUES", "display_path", "load_catalog",
    "nfc",
]
