"""Load benchmark: the site under its own Procfile command against the framework floor, with wrk.

    python bench/load.py                      # 60 s per run, 64 connections, 2 wrk threads
    python bench/load.py --duration 10        # a quicker look
    python bench/load.py --only code,search   # some targets only

It starts, side by side on loopback ports (18000-18039):
  * the site:   the Procfile's command (gunicorn -c gunicorn.conf.py wsgi:app), BIND=127.0.0.1:<port>,
                LSE_SITE_URL=http://127.0.0.1:<port> (so every permalink is pre-rendered at start);
  * the floor:  bench/floor_app.py under the same command and gunicorn.conf.py, rendering per request
                a Jinja page (or jsonify-ing a dict) of the same byte size as each target;
  * (unless --no-baseline) the site again with LSE_PRERENDER=false, to show what pre-rendering buys.
Each target is driven in turn (never two servers at once, they share the cores) by wrk with
--latency, after a warm-up. The "unique" targets send two catalog words per request, a different
pair every time (wrk's request() hook walks the pairs), so no kept answer helps; the floor is
measured at the byte size of a typical answer. Last, a flood of made-up Host headers on /api/codes
(answered 400) and the workers' RSS after everything. Recorded: requests/s, p50/p99 latency, non-2xx/3xx answers and socket
errors from wrk, and the peak VmRSS of every gunicorn worker (sampled from /proc during the run).
A table with the ratios to the floor is printed and the raw numbers are written to bench/results/.
This is not a test: nothing here runs in `make test`. It sends traffic to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

# name: (path on the site, floor kind, target ratio to the floor or None)
TARGETS = {
    "code": ("/codes/250104", "html", 1.5),
    "category": ("/categories/channel", "html", 1.5),
    "api-code": ("/api/codes/250104", "json", None),  # no goal set: reported beside a bare jsonify
    "search": ("/search?q=channel", "html", None),  # one popular query: the answer cache
    "api-search": ("/api/search?q=" + quote("채널"), "json", None),
    "search-unique": ("/search?q=", "html", 0.5),
    "api-search-unique": ("/api/search?q=", "json", 0.7),
}
UNIQUE = {"search-unique", "api-search-unique"}
PORTS = range(18000, 18040)
MAX_RSS_MB = 100

WRK_REPORT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass
class Run:
    server: str
    target: str
    url: str
    size: int
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    non_2xx: int = 0
    socket_errors: int = 0
    worker_rss_mb: dict = field(default_factory=dict)
    max_pss_mb: float = 0.0
    max_uss_mb: float = 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors

    @property
    def max_rss_mb(self) -> float:
        return max(self.worker_rss_mb.values(), default=0.0)


# ------------------------------------------------------------------------------ servers

def procfile_command() -> list[str]:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return shlex.split(line.split(":", 1)[1].strip())
    raise SystemExit("Procfile has no web: line")


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in _TAKEN:
            _TAKEN.add(port)
            return port
    raise SystemExit("no free port in 18000-18039")


_TAKEN: set[int] = set()


def catalog_words() -> list[str]:
    """Words of the catalog's names, messages and Korean descriptions (what people search with)."""
    sys.path.insert(0, str(ROOT))
    from catalog import load_catalog
    words = set()
    for entry in load_catalog(ROOT / "data").codes:
        for text in (entry.name or "", entry.message or "", entry.description_ko or ""):
            for word in re.split(r"[\s_{}().,:;'\"/\[\]<>=-]+", text):
                if len(word) >= 3 and not word.isdigit():
                    words.add(word.lower())
    return sorted(words)


def unique_query_script(path: str, words: list[str]) -> str:
    """A wrk script sending path + two catalog words, a different pair on every request."""
    quoted = ",".join('"%s"' % quote(w) for w in words)
    return WRK_REPORT + f"""
local words = {{{quoted}}}
local n = 0
local id = 0
setup = function(thread) thread:set("id", id); id = id + 1 end
init = function(args) n = (tonumber(id) or 0) * 7919 end
request = function()
  n = n + 1
  local a = words[(n % #words) + 1]
  local b = words[(math.floor(n / #words) * 31 + n * 7) % #words + 1]
  return wrk.format("GET", "{path}" .. a .. "+" .. b)
end
"""


def mixed_script() -> str:
    """Mixed traffic: every code page (some in Korean), categories, API permalinks, Markdown and
    twenty popular searches (HTML, JSON, suggestions), picked at random."""
    sys.path.insert(0, str(ROOT))
    from catalog import load_catalog
    cat = load_catalog(ROOT / "data")
    paths = [f"/codes/{c.code}" for c in cat.codes] + [f"/codes/{c.code}?lang=ko" for c in cat.codes[:50]]
    paths += [f"/categories/{c.slug}" for c in cat.categories] + ["/", "/codes", "/api/codes", "/sitemap.xml"]
    paths += [f"/api/codes/{c.code}" for c in cat.codes[:50]] + [f"/codes/{c.code}.md" for c in cat.codes[:30]]
    queries = ["channel", "채널", "녹화", "recording", "upload", "권한", "bucket", "quality set", "삭제", "timeout",
               "thumbnail", "채널 삭제", "녹화 중지", "invalid parameter", "signature", "429", "cdn", "encoder",
               "스트림 키", "업로드 실패"]
    for q in queries:
        paths += [f"/search?q={quote(q)}", f"/api/search?q={quote(q)}", f"/suggest?q={quote(q[:3])}"]
    listed = ",".join('"%s"' % p for p in paths)
    return WRK_REPORT + f"""
local paths = {{{listed}}}
request = function()
  return wrk.format("GET", paths[math.random(1, #paths)])
end
"""


HOST_FLOOD = WRK_REPORT + """
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/codes", {["Host"] = "h" .. n .. math.random(1, 1000000000) .. ".example"})
end
"""


class Server:
    def __init__(self, name: str, app_spec: str | None, extra_env: dict | None = None):
        self.name = name
        self.port = free_port()
        command = procfile_command()
        if app_spec:
            command = [app_spec if part == "wsgi:app" else part for part in command]
        gunicorn = shutil.which(command[0], path=str(Path(sys.executable).parent)) or shutil.which(command[0])
        command[0] = gunicorn
        env = dict(os.environ, BIND=f"127.0.0.1:{self.port}", LSE_SITE_URL=f"http://127.0.0.1:{self.port}",
                   **(extra_env or {}))
        env.pop("ACCESS_LOG", None)
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.command = command

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as r:
                    r.read()
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer on {self.base}{path}")

    def workers(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pss_uss_mb(pid: int) -> tuple[float, float]:
    """Proportional set size (shared pages split between the processes sharing them) and unique
    set size (pages this worker alone holds) from /proc/<pid>/smaps_rollup."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                values[parts[0][:-1]] = int(parts[1]) / 1024
    except OSError:
        return 0.0, 0.0
    return values.get("Pss", 0.0), values.get("Private_Clean", 0.0) + values.get("Private_Dirty", 0.0)


class RssSampler(threading.Thread):
    """Peak VmRSS per worker pid of one server while a run goes on."""

    def __init__(self, server: Server):
        super().__init__(daemon=True)
        self.server, self.peak, self.stop_event = server, {}, threading.Event()
        self.peak_pss, self.peak_uss = {}, {}

    def run(self) -> None:
        while not self.stop_event.is_set():
            for pid in self.server.workers():
                self.peak[pid] = max(self.peak.get(pid, 0.0), rss_mb(pid))
                pss, uss = pss_uss_mb(pid)
                self.peak_pss[pid] = max(self.peak_pss.get(pid, 0.0), pss)
                self.peak_uss[pid] = max(self.peak_uss.get(pid, 0.0), uss)
            self.stop_event.wait(0.5)

    def finish(self) -> dict:
        self.stop_event.set()
        self.join()
        return {str(pid): round(mb, 1) for pid, mb in sorted(self.peak.items())}


# ---------------------------------------------------------------------------------- wrk

def fetch_size(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200, (url, r.status)
        return len(r.read())


def wrk(url: str, duration: int, connections: int, threads: int, script: str) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
               "-s", script, url]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120).stdout
    match = re.search(r"^WRKJSON (.*)$", out, re.M)
    if not match:
        raise SystemExit(f"wrk gave no report for {url}:\n{out}")
    data = json.loads(match.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    data["non_2xx_3xx"] = int(non2xx.group(1)) if non2xx else 0
    return data


def measure(server: Server, target: str, path: str, size: int, args, script: str) -> Run:
    url = server.base + path
    if target in UNIQUE and server.name != "floor":
        unique = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        unique.write(unique_query_script(path, args.words))
        unique.close()
        script = unique.name
    wrk(url, max(2, min(5, args.duration // 6)), args.connections, args.threads, script)  # warm-up
    sampler = RssSampler(server)
    sampler.start()
    data = wrk(url, args.duration, args.connections, args.threads, script)
    run = Run(server=server.name, target=target, url=path, size=size)
    run.worker_rss_mb = sampler.finish()
    run.max_pss_mb = round(max(sampler.peak_pss.values(), default=0.0), 1)
    run.max_uss_mb = round(max(sampler.peak_uss.values(), default=0.0), 1)
    run.requests = data["requests"]
    run.rps = data["requests"] / (data["duration_us"] / 1e6)
    run.p50_ms, run.p99_ms = data["p50_us"] / 1000, data["p99_us"] / 1000
    run.non_2xx = max(data["status"], data["non_2xx_3xx"])
    run.socket_errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    print(f"  {server.name:10} {target:11} {run.rps:9.0f} req/s  p50 {run.p50_ms:6.1f} ms  p99 {run.p99_ms:6.1f} ms"
          f"  errors {run.errors}  rss {run.max_rss_mb:.0f} MB (pss {run.max_pss_mb:.0f}, uss {run.max_uss_mb:.0f})", flush=True)
    return run


# -------------------------------------------------------------------------------- report

def machine() -> dict:
    cpu = "unknown"
    try:
        cpu = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.M).group(1)
    except (OSError, AttributeError):
        pass
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0:1]
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "kernel": platform.release(),
            "wrk": wrk_version[0] if wrk_version else "wrk"}


def table(runs: list[Run], args) -> tuple[str, bool]:
    """One row per target: the floor, the site as deployed, the site with nothing kept in memory."""
    by = {(r.server, r.target): r for r in runs}
    lines = ["| target | bytes | floor req/s | site req/s (× floor) | site, nothing kept: req/s (× floor) | goal "
             "| p50 / p99 ms: floor · site · nothing kept | errors: floor · site · nothing kept "
             "| RSS / PSS / USS per worker MB | verdict: site · nothing kept |",
             "|" + "---|" * 10]
    verdicts = []

    def ms(run):
        return f"{run.p50_ms:.1f} / {run.p99_ms:.1f}" if run else "-"

    for name in [t for t in TARGETS if ("site", t) in by]:
        site, floor, plain = by[("site", name)], by.get(("floor", name)), by.get(("no-prerender", name))
        goal = TARGETS[name][2]
        ratio = site.rps / floor.rps if floor and floor.rps else 0.0
        plain_ratio = plain.rps / floor.rps if plain and floor and floor.rps else 0.0
        worst = max((r for r in (site, plain) if r), key=lambda r: r.max_rss_mb)
        ok = (goal is None or ratio >= goal) and site.errors == 0 and site.max_rss_mb <= MAX_RSS_MB
        plain_ok = (plain is not None and (goal is None or plain_ratio >= goal) and plain.errors == 0
                    and plain.max_rss_mb <= MAX_RSS_MB)
        verdicts.append(ok)
        lines.append(
            f"| {name} `{site.url}` | {site.size} | {floor.rps if floor else 0:.0f} | {site.rps:.0f} ({ratio:.2f}×) "
            f"| {f'{plain.rps:.0f} ({plain_ratio:.2f}×)' if plain else '-'} | {f'≥ {goal:.1f}×' if goal else '-'} "
            f"| {ms(floor)} · {ms(site)} · {ms(plain)} "
            f"| {floor.errors if floor else '-'} · {site.errors} · {plain.errors if plain else '-'} "
            f"| {worst.max_rss_mb:.0f} / {worst.max_pss_mb:.0f} / {worst.max_uss_mb:.0f} "
            f"| {'PASS' if ok else 'FAIL'} · {('PASS' if plain_ok else 'FAIL') if plain else '-'} |")
    return "\n".join(lines), all(verdicts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per wrk run (default 60)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated targets: " + ",".join(TARGETS))
    parser.add_argument("--no-baseline", action="store_true", help="skip the site with pre-rendering off")
    parser.add_argument("--flood", type=int, default=20, help="seconds of made-up Host headers (0: none)")
    parser.add_argument("--mixed", type=int, default=10, help="seconds of mixed traffic on a fresh site")
    args = parser.parse_args()
    args.words = catalog_words()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    targets = [t for t in TARGETS if not args.only or t in args.only.split(",")]

    info = machine()
    print(f"machine: {info['nproc']} cores, {info['cpu']}, {info['memory_gib']} GiB; python {info['python']}")
    print(f"wrk: {args.connections} connections, {args.threads} threads, {args.duration} s per run; "
          f"command: {' '.join(procfile_command())}")

    servers = {"site": Server("site", None), "floor": Server("floor", "bench.floor_app:app")}
    if not args.no_baseline:
        servers["no-prerender"] = Server("no-prerender", None, {"LSE_PRERENDER": "false"})
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(WRK_REPORT)
    script.close()
    runs: list[Run] = []
    try:
        servers["site"].wait_ready("/")
        servers["floor"].wait_ready("/floor/100")
        if "no-prerender" in servers:
            servers["no-prerender"].wait_ready("/")
        for name in targets:
            path, kind, _goal = TARGETS[name]
            sample = path + quote(args.words[1] + " " + args.words[len(args.words) // 2]) if name in UNIQUE else path
            size = fetch_size(servers["site"].base + sample)
            floor_path = f"/floor/{size}" if kind == "html" else f"/floor-json/{size}"
            print(f"{name}: {path} ({size} bytes)  vs floor {floor_path} ({fetch_size(servers['floor'].base + floor_path)} bytes)")
            runs.append(measure(servers["site"], name, path, size, args, script.name))
            runs.append(measure(servers["floor"], name, floor_path, size, args, script.name))
            if "no-prerender" in servers:
                runs.append(measure(servers["no-prerender"], name, path, size, args, script.name))
        mixed = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        mixed.write(mixed_script())
        mixed.close()
        flood_line = ""
        fresh = Server("site-fresh", None)  # a site that has seen nothing but mixed traffic, then a Host flood
        try:
            fresh.wait_ready("/robots.txt", timeout=180)
            data = wrk(fresh.base + "/", args.mixed, args.connections, args.threads, mixed.name)
            rss_mixed = {str(pid): round(rss_mb(pid), 1) for pid in fresh.workers()}
            mixed_line = (f"mixed traffic on a fresh site: {data['requests']} requests in {args.mixed} s "
                          f"({data['non_2xx_3xx']} non-2xx/3xx); worker RSS after: {rss_mixed} MB")
            print(mixed_line)
            if args.flood:
                flood = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
                flood.write(HOST_FLOOD)
                flood.close()
                sampler = RssSampler(fresh)
                sampler.start()
                data = wrk(fresh.base + "/api/codes", args.flood, args.connections, args.threads, flood.name)
                peak = sampler.finish()
                rss_mixed["flood peak"] = max(peak.values(), default=0.0)
                flood_line = (f"then a host flood: {data['requests']} requests with made-up Host headers in "
                              f"{args.flood} s, {data['non_2xx_3xx']} answered non-2xx (400 expected for all); "
                              f"peak worker RSS during it {rss_mixed['flood peak']:.0f} MB (gunicorn recycles a "
                              f"worker after ~100k requests)")
                print(flood_line)
        finally:
            fresh.stop()
        after = {str(pid): round(rss_mb(pid), 1) for pid in servers["site"].workers()}
        rss_line = f"site worker RSS after every run: {after} MB (goal ≤ {MAX_RSS_MB} MB)"
        print(rss_line)
    finally:
        for server in servers.values():
            server.stop()
        os.unlink(script.name)

    text, ok = table(runs, args)
    text += "\n\n" + mixed_line + "\n" + (flood_line + "\n" if flood_line else "") + rss_line
    ok = ok and all(v <= MAX_RSS_MB for v in list(after.values()) + list(rss_mixed.values()))
    print()
    print(text)
    print(f"\nall targets met: {'yes' if ok else 'NO'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / time.strftime("load-%Y%m%d-%H%M%S.json")
    out.write_text(json.dumps({"machine": info, "args": vars(args), "gunicorn_conf": (ROOT / "gunicorn.conf.py").read_text(),
                               "runs": [dict(asdict(r), errors=r.errors) for r in runs], "table": text}, indent=2,
                              ensure_ascii=False))
    print(f"raw numbers: {out.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
