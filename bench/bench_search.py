"""Benchmark the search service: python bench/bench_search.py [--sizes 10000,100000] [--old DIR] [--json out.json]

For the real catalog and for synthetic catalogs of 10k and 100k codes (real entries mutated), each
in its own process so memory figures are clean, it measures:

- index build time (fresh directory) and index size on disk;
- in-process query latency over the relevance suite (tests/relevance_queries.toml): the first pass
  (cold: nothing cached, mecab not loaded) and then warm passes, p50 / p99 / max, wall clock;
- the same queries answered by a naive baseline in the same run: a substring scan that scores each
  document by how many of the query's words it contains anywhere in its text;
- relevance (top-1, top-3, MRR) of both on the real catalog, so the ratio is quality as well as time;
- peak RSS of the process after building and querying.

With --old DIR (a checkout of an earlier commit, e.g. `git worktree add /tmp/old <commit>`), the
same measurements run on that checkout's code and data in the same run, each size alternating old
and new, and a side-by-side table of CPU p50/p99 per query follows.

Not a test: numbers depend on the machine. Targets: p99 < 5 ms on the real catalog, build < 1 s.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the checkout whose code is measured (--old runs this script again with an earlier checkout here)
CODE_ROOT = Path(os.environ.get("LSE_BENCH_CODE_ROOT") or ROOT)
sys.path.insert(0, str(CODE_ROOT))

from catalog import Catalog, Localized, load_catalog  # noqa: E402

QUERIES = [q for name in ("relevance_queries.toml", "relevance/tuning.toml")  # never the held-out part
           for q in tomllib.loads((ROOT / "tests" / name).read_text("utf-8"))["query"]]
WARM_PASSES = 5


# ------------------------------------------------------------------------- synthetic catalogs

def synthetic(real: Catalog, size: int, seed: int = 2026) -> Catalog:
    """size codes: the real ones, then mutated copies (new code, name suffix, words swapped for
    other catalog words in every text), so vocabulary, lengths and Korean stay realistic."""
    rng = random.Random(seed)
    words_en = sorted({w for c in real.codes for w in f"{c.message} {c.explanation.en}".split() if w.isalpha()})
    words_ko = sorted({w for c in real.codes for w in c.explanation.ko.split() if w})

    def mutate(text: str, vocab: list[str]) -> str:
        parts = text.split(" ")
        for _ in range(max(1, len(parts) // 8)):
            parts[rng.randrange(len(parts))] = rng.choice(vocab)
        return " ".join(parts)

    codes = list(real.codes)
    for i in range(size - len(codes)):
        base = real.codes[i % len(real.codes)]
        suffix = rng.choice(words_en).upper()
        codes.append(dataclasses.replace(
            base, code=str(3_000_000 + i), name=f"{base.name or 'CODE'}_{suffix}_{i}", name_aliases=(),
            message=mutate(base.message, words_en),
            description_ko=mutate(base.description_ko, words_ko) if base.description_ko else "",
            summary=Localized(mutate(base.summary.en, words_en), mutate(base.summary.ko, words_ko)),
            explanation=Localized(mutate(base.explanation.en, words_en), mutate(base.explanation.ko, words_ko)),
            fix=Localized(mutate(base.fix.en, words_en), mutate(base.fix.ko, words_ko)), related=()))
    return Catalog(real.categories, tuple(codes), (), f"synthetic-{size}-{seed}")


# ------------------------------------------------------------------------------ the baseline

class SubstringBaseline:
    """The obvious approach: casefold every document's text once, then for each query count how
    many of its words occur in each document (an exact code or name first), best count first."""

    def __init__(self, catalog: Catalog):
        self.docs = []
        for c in catalog.codes:
            text = " ".join([c.code, c.name, *c.name_aliases, c.message, c.description_ko, c.summary.en, c.summary.ko,
                             c.explanation.en, c.explanation.ko, c.fix.en, c.fix.ko]).casefold()
            self.docs.append((c.code, (c.name or "").casefold(), text))

    def search(self, query: str, limit: int = 10) -> list[str]:
        q = query.casefold().strip()
        words = [w for w in q.replace("_", " ").split() if w]
        scored = []
        for code, name, text in self.docs:
            if q == code or q == name:
                scored.append((1e9, code))
                continue
            hits = sum(1 for w in words if w in text)
            if hits:
                scored.append((hits, code))
        scored.sort(key=lambda x: -x[0])
        return [code for _, code in scored[:limit]]


# ------------------------------------------------------------------------------- measuring

def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def relevance(search_fn) -> dict:
    ranks = []
    for q in QUERIES:
        got = search_fn(q["q"])
        ranks.append(next((i + 1 for i, c in enumerate(got) if c in q["codes"]), None))
    n = len(ranks)
    return {"top1": sum(r == 1 for r in ranks) / n, "top3": sum(1 for r in ranks if r and r <= 3) / n,
            "mrr": sum(1 / r for r in ranks if r) / n}


def latencies(search_fn, passes: int) -> tuple[list[float], list[float]]:
    """Milliseconds per query: wall clock, and CPU time of this thread (which other processes
    competing for the machine do not inflate)."""
    wall, cpu = [], []
    for _ in range(passes):
        for q in QUERIES:
            t, c = time.perf_counter(), time.thread_time()
            search_fn(q["q"])
            cpu.append((time.thread_time() - c) * 1000)
            wall.append((time.perf_counter() - t) * 1000)
    return wall, cpu


def rss_mb() -> float:
    """Resident memory now, in MiB (the unit of ru_maxrss / 1024 below)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())  # bytes


def measure(size: int) -> dict:
    """Everything for one catalog size, in this process."""
    import search

    real = load_catalog(CODE_ROOT / "data")
    catalog = real if size <= len(real) else synthetic(real, size)
    out = {"size": len(catalog), "catalog_rss_mb": rss_mb()}
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        builds, build_cpu = [], []
        for i in range(3 if size <= 10_000 else 1):
            service = search.SearchService(catalog, Path(tmp) / f"idx{i}")
            t, c = time.perf_counter(), time.process_time()
            service.rebuild()
            builds.append(time.perf_counter() - t)
            build_cpu.append(time.process_time() - c)
        out["build_s"], out["build_cpu_s"] = statistics.median(builds), statistics.median(build_cpu)
        out["index_mb"] = dir_size(Path(tmp) / f"idx{len(builds) - 1}") / 1e6  # the one build in it
        t = time.perf_counter()
        service.search("warm up the searcher")  # this thread's searcher on the index in memory
        out["open_s"] = time.perf_counter() - t

        def ours(q):
            return [h.code for h in service.search(q, limit=10).hits]

        gc.collect()
        cold, cold_cpu = latencies(ours, 1)
        warm, warm_cpu = latencies(ours, WARM_PASSES)
        out.update(cold_p50=percentile(cold, 50), cold_p99=percentile(cold, 99),
                   p50=percentile(warm, 50), p99=percentile(warm, 99), max=max(warm),
                   cpu_p50=percentile(warm_cpu, 50), cpu_p99=percentile(warm_cpu, 99),
                   cold_cpu_p99=percentile(cold_cpu, 99))
        baseline = SubstringBaseline(catalog)
        base, base_cpu = latencies(baseline.search, 1 if size > 10_000 else WARM_PASSES)
        out.update(base_p50=percentile(base, 50), base_p99=percentile(base, 99),
                   base_cpu_p50=percentile(base_cpu, 50), base_cpu_p99=percentile(base_cpu, 99))
        if size <= len(real):
            out["relevance"] = relevance(ours)
            out["base_relevance"] = relevance(baseline.search)
        out["rss_mb"] = rss_mb()
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="synthetic catalog sizes (the real one is always run)")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--old", help="an earlier checkout measured side by side in the same run")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size, print JSON
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return
    sizes = [0] + [int(s) for s in args.sizes.split(",") if s.strip()]
    rows, old_rows = [], []

    def one(size: int, code_root: str | None) -> dict:
        env = {**os.environ, "LSE_BENCH_CODE_ROOT": code_root or ""}
        done = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, env=env)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(done.returncode)
        return json.loads(done.stdout.strip().splitlines()[-1])

    for size in sizes:
        print(f"measuring {size or 'real'} ...", file=sys.stderr, flush=True)
        if args.old:
            old_rows.append(one(size, args.old))
        rows.append(one(size, None))
    print(f"\nsearch benchmark: {len(QUERIES)} relevance-suite queries, {WARM_PASSES} warm passes, "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    header = ("codes", "build s", "build cpu", "index MB", "RSS MB", "peak RSS", "cold p99", "p50 ms", "p99 ms",
              "cpu p50", "cpu p99", "naive p50", "naive p99", "naive cpu50", "cpu ratio")
    print(" | ".join(f"{h:>10}" for h in header))
    print("-|-".join("-" * 10 for _ in header))
    for r in rows:
        cells = (r["size"], f"{r['build_s']:.2f}", f"{r['build_cpu_s']:.2f}", f"{r['index_mb']:.1f}",
                 f"{r['rss_mb']:.0f}", f"{r['peak_rss_mb']:.0f}", f"{r['cold_p99']:.2f}", f"{r['p50']:.2f}",
                 f"{r['p99']:.2f}", f"{r['cpu_p50']:.2f}", f"{r['cpu_p99']:.2f}", f"{r['base_p50']:.2f}",
                 f"{r['base_p99']:.2f}", f"{r['base_cpu_p50']:.2f}", f"{r['base_cpu_p50'] / r['cpu_p50']:.1f}x")
        print(" | ".join(f"{c:>10}" for c in cells))
    real = rows[0]
    if "relevance" in real:
        ours, base = real["relevance"], real["base_relevance"]
        print(f"\nrelevance on the real catalog ({len(QUERIES)} queries):"
              f"\n  search   top-1 {ours['top1']:.1%}  top-3 {ours['top3']:.1%}  MRR {ours['mrr']:.3f}"
              f"\n  baseline top-1 {base['top1']:.1%}  top-3 {base['top3']:.1%}  MRR {base['mrr']:.3f}")
    print("\nms per query. cold = the first pass in a fresh process (mecab loads, postings are read and"
          "\nscored once); p50/p99 = the warm passes, wall clock; cpu = this thread's CPU time for the same"
          "\nqueries (what a loaded machine does not inflate); naive = the substring baseline over the same"
          "\ndocuments; ratio = naive CPU p50 / ours. RSS (MiB) = resident memory after the queries"
          "\n(catalog, index caches and all; catalog alone: " + ", ".join(f"{r['size']}: {r['catalog_rss_mb']:.0f}" for r in rows)
          + "); peak RSS includes the build.")
    if old_rows:
        print(f"\nside by side with {args.old} (CPU ms per query, warm passes; same queries, same run):")
        print(f"{'codes':>8} | {'old p50':>8} | {'new p50':>8} | {'old p99':>8} | {'new p99':>8} | {'p50 new/old':>11}"
              f" | {'old RSS':>7} | {'new RSS':>7}")
        for old, new in zip(old_rows, rows):
            print(f"{new['size']:>8} | {old['cpu_p50']:8.2f} | {new['cpu_p50']:8.2f} | {old['cpu_p99']:8.2f} | "
                  f"{new['cpu_p99']:8.2f} | {new['cpu_p50'] / old['cpu_p50']:10.2f}x | {old['rss_mb']:7.0f} | {new['rss_mb']:7.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"new": rows, "old": old_rows}, indent=2), "utf-8")


if __name__ == "__main__":
    main()
