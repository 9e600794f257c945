"""Pages per second and latency under load: wrk, in a process of its own, keeps 16 connections
busy for a bounded time against the search page (thousands of distinct everyday queries: common
2-3 word phrases of the corpus's titles), then against the browse pages (/, /articles/,
/provinces/, article pages, served whole from the pages cache after their first request), then
a wide browse run (thousands of list and article pages, from a new generation of the pages
cache, as after a save, so they are rendered: not kept from an earlier run). wrk asks for the
paths in one shuffled order, none twice before all have been (it says when a run asked for more
than there are: the wide run then served some whole from the cache). It reports 2xx
pages/s, p50/p99 latency, errors and timeouts, every non-2xx status, and (for a server it started)
the CPU time its processes used per 2xx page, which the other work on a shared machine disturbs
far less than pages/s. The issue-11 targets:
>= 20 search pages/s, >= 200 browse pages/s (both browse runs), p99 < 1 s, at 35.5k articles.

    python bench/load.py                           # the seed articles, in a temporary folder
    python bench/load.py --limit 3000              # the corpus's first 3,000 articles (imported, indexed)
    python bench/load.py --data-dir DIR            # reused as it is; built there first when empty
    python bench/load.py --url http://127.0.0.1:8000   # a server already running

Without --url it starts `make serve` (gunicorn, --serve-workers of them, debugging off, the index
worker beside it) on a free loopback port with SEARCH_RATE=off: the per-reader rate limit would
otherwise answer most of one client's searches with 429. The bound on searches at once stays as
deployed (SEARCH_CONCURRENCY, SEARCH_WAIT from the environment): its 503s are counted, not hidden.
A server given with --url must run with SEARCH_RATE=off too; any 429 is reported as distortion.
Needs wrk (apt-get install wrk). Exits 1 when a target is missed.
"""

import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote_plus

import common

LUA = Path(__file__).with_name("load.lua")
TARGETS = {"search": 20, "browse": 200}  # 2xx pages per second
P99_TARGET_MS = 1000
RUNS = ("search", "browse", "wide")
# Syllables that do not begin or end an everyday query ("của Đảng", "đại hội và").
EDGE_WORDS = {
    "và",
    "của",
    "các",
    "là",
    "với",
    "cho",
    "trong",
    "để",
    "được",
    "có",
    "những",
    "tại",
    "về",
    "từ",
    "một",
    "này",
    "khi",
    "đã",
    "sẽ",
    "đang",
    "thì",
    "mà",
    "nên",
    "cũng",
    "như",
    "theo",
    "bị",
    "do",
    "vào",
    "ra",
    "lên",
    "đến",
    "sau",
    "trước",
    "nhiều",
    "không",
    "người",
    "năm",
    "ngày",
    "lần",
    "thứ",
}


def options(parser):
    parser.add_argument("--url", help="measure a server already running there instead of starting one")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load for each kind of page")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load first (workers load)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--timeout", type=int, default=5, help="seconds before wrk counts a request as timed out")
    parser.add_argument("--lists", type=int, default=400, help="list pages (and articles) of the wide run")
    parser.add_argument("--serve-workers", type=int, default=3, help="gunicorn workers (make serve WORKERS=)")
    parser.add_argument(
        "--runs", nargs="+", choices=RUNS, default=list(RUNS), help="which runs, in this order (default: all three)"
    )


def everyday_queries(corpus, count):
    """The `count` commonest 2- and 3-syllable phrases of the corpus's titles (by how many titles
    have them), lowercased, none beginning or ending with a function word."""
    titles: Counter[str] = Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            words = [w.strip(".,;:!?\"“”‘’'()[]…-–").lower() for w in (json.loads(line).get("title") or "").split()]
            phrases = {
                " ".join(words[i : i + n])
                for n in (2, 3)
                for i in range(len(words) - n + 1)
                if all(w.isalpha() for w in words[i : i + n])
                and words[i] not in EDGE_WORDS
                and words[i + n - 1] not in EDGE_WORDS
            }
            titles.update(phrases)
    return [phrase for phrase, _ in titles.most_common(count)]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


DEPLOYED = dict(os.environ)  # before common.prepare() sets the in-process benches' SEARCH_CONCURRENCY=0


def start_server(data_dir, port, workers, log):
    """`make serve` on the data folder, as deployed, but with the per-reader search rate off."""
    env = {**DEPLOYED, "ARCHIVE_DATA_DIR": str(data_dir), "SEARCH_RATE": "off", "ALLOWED_HOSTS": "127.0.0.1"}
    env.pop("DEBUG", None)
    server = subprocess.Popen(
        ["make", "-s", "serve", f"PORT={port}", f"WORKERS={workers}"],
        cwd=common.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 600
    while True:
        try:
            status, body = get(url + "/healthz")
            print(f"# server up at {url} (healthz {status}: {body})", flush=True)
            return server, url
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                stop_server(server)
                sys.exit("make serve did not start:\n" + "".join(Path(log.name).read_text().splitlines(True)[-30:]))
            time.sleep(1)


def session_cpu(session):
    """CPU seconds the processes of a session (the server started here: make, gunicorn's workers,
    the index worker) have used so far; None for a server measured by --url."""
    if session is None:
        return None
    used = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[3]) == session:  # after the name: state, ppid, pgrp, session, ..., utime, stime
            used += int(fields[11]) + int(fields[12])
    return used / os.sysconf("SC_CLK_TCK")


def new_generation(data_dir):
    """What a save does to the pages cache (archive.cache.invalidate): nothing kept from before
    (an earlier run) is served, so the wide run measures pages rendered, as after a save."""
    code = "import django; django.setup(); from archive import cache; cache.invalidate()"
    env = {**DEPLOYED, "ARCHIVE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, "-c", code], cwd=common.ROOT, env=env, check=True, timeout=120)


def stop_server(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # make, gunicorn and the index worker: its own session
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def browse_paths(url):
    status, listing = get(url + "/articles/")
    articles = sorted(set(re.findall(r'href="(/articles/\d+/[^"/]+/)"', listing)))
    if status != 200 or not articles:
        sys.exit(f"{url}/articles/ lists no article (HTTP {status}): nothing to browse")
    return ["/", "/articles/", "/provinces/", *articles]


def wide_paths(url, lists):
    """The first `lists` pages of /articles/ and every article they list: thousands of addresses,
    so that most requests in a run are a page's first (rendered, not served whole from the cache)."""
    paths = []
    for number in range(1, lists + 1):
        path = f"/articles/?page={number}"
        status, listing = get(url + path)
        if status != 200:
            break
        paths += [path, *sorted(set(re.findall(r'href="(/articles/\d+/[^"/]+/)"', listing)))]
    return paths


def wrk(url, paths_file, seconds, args):
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        f"--timeout={args.timeout}s",
        "-s",
        str(LUA),
        url,
        "--",
        str(paths_file),
        str(args.threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    result = next((line for line in done.stdout.splitlines() if line.startswith("RESULT ")), None)
    if done.returncode or result is None:
        sys.exit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return json.loads(result.removeprefix("RESULT "))


def report(kind, what, result, cpu, paths):
    """Print one scenario's figures (and whether it asked for more than its `paths` distinct
    pages, unless None: the kept-browse run repeats its few on purpose); returns the targets it missed."""
    statuses = {int(code): n for code, n in result["statuses"].items()}
    ok = sum(n for code, n in statuses.items() if 200 <= code < 300)
    pages = ok / result["seconds"]
    latency = {name: us / 1000 for name, us in result["latency_us"].items()}
    errors = result["errors"]
    other = {code: n for code, n in sorted(statuses.items()) if not 200 <= code < 300}
    print(f"\n{kind}: {what}")
    print(f"  pages/s (2xx)   {pages:8.1f}    ({result['requests']:,} requests in {result['seconds']:.1f} s)")
    print(f"  latency         p50 {latency['p50']:.0f} ms, p90 {latency['p90']:.0f} ms, p99 {latency['p99']:.0f} ms")
    print(f"  errors          {sum(errors.values())} ({', '.join(f'{k} {v}' for k, v in errors.items())})")
    print(f"  non-2xx         {', '.join(f'HTTP {code}: {n:,}' for code, n in other.items()) or 'none'}")
    if cpu is not None and ok:
        print(f"  server CPU      {cpu * 1000 / ok:.1f} ms per 2xx page (all its processes, {cpu:.1f} s in all)")
    if paths is not None and result["requests"] > paths:
        print(f"  ! {result['requests'] - paths:,} of the requests asked again for one of the {paths:,} pages")
    if 429 in other:
        print("  ! HTTP 429: the server limits the search rate; run it with SEARCH_RATE=off to measure")
    missed = []
    if pages < TARGETS[kind]:
        missed.append(f"{kind} {pages:.1f} pages/s < {TARGETS[kind]}")
    if latency["p99"] >= P99_TARGET_MS or errors["timeout"]:
        missed.append(f"{kind} p99 {latency['p99']:.0f} ms (timeouts {errors['timeout']}), target < {P99_TARGET_MS}")
    return missed


def measure(url, args, work, session=None):
    queries = everyday_queries(args.corpus, args.queries)
    status, health = get(url + "/healthz")
    documents = json.loads(health)["checks"]["search_index"].get("documents") if status in (200, 503) else "?"
    print(f"# {documents} articles indexed; e.g. {', '.join(queries[:5])}", flush=True)
    missed = []
    for run in args.runs:
        paths_file = work / f"{run}-paths.txt"
        if run == "search":
            kind, paths = "search", [f"/search/?q={quote_plus(q)}" for q in queries]
            what = f"/search/?q= with {len(queries):,} distinct everyday queries"
        elif run == "browse":
            kind, paths = "browse", browse_paths(url)
            what = f"{len(paths)} pages: /, /articles/, /provinces/, {len(paths) - 3} articles"
        else:
            kind, paths = "browse", wide_paths(url, args.lists)
            lists = sum(path.startswith("/articles/?page=") for path in paths)
            what = f"{len(paths):,} pages: {lists} list pages and their articles, each rendered once"
        paths_file.write_text("".join(f"{path}\n" for path in paths), encoding="utf-8")
        if args.warmup:
            wrk(url, paths_file, args.warmup, args)
        if run == "wide" and session is not None:  # after the warm-up, which asked for the first paths
            new_generation(args.data_dir)
            # Related ids outlive a generation (a day): an article rendered earlier finds its own there.
            kept = len(list((Path(args.data_dir) / "cache" / "related").glob("*.djcache")))
            print(f"# related ids kept from earlier renders (cache/related/): {kept:,}", flush=True)
        before = session_cpu(session)
        result = wrk(url, paths_file, args.duration, args)
        cpu = None if before is None else session_cpu(session) - before
        distinct = None if run == "browse" else len(paths)
        missed += report(kind, f"{what}; {args.connections} connections, {args.duration} s", result, cpu, distinct)
    return missed


def main():
    args = common.arguments(__doc__, extend=options, queries=3000)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    work = Path(tempfile.mkdtemp(prefix="archive-load-"))
    try:
        if args.url:
            missed = measure(args.url.rstrip("/"), args, work)
        else:
            if args.data_dir or args.limit:  # import and index the corpus (or --limit of it) unless already there
                args.data_dir = args.data_dir or str(work / "data")
                common.prepare(args)
            else:  # make serve sets up the seed articles in an empty folder
                args.data_dir = str(work / "data")
            with (work / "serve.log").open("w") as log:
                server, url = start_server(args.data_dir, free_port(), args.serve_workers, log)
                try:
                    missed = measure(url, args, work, session=server.pid)
                finally:
                    stop_server(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\ntargets:", "all met" if not missed else "MISSED: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
