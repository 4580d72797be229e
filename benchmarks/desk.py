"""Time the desk's pages on a large store, served as `make run` serves it, and load it with concurrent clients.

    python -m benchmarks.desk --db /work/data/1m/articles.db --paragraphs 1000000

Builds the store from the generated corpus (benchmarks/corpus.py) with `ingest add` when
the file is missing; name it articles.db so that metadata.json's facets and queries apply.
Then serves it with `datasette serve` on loopback, times every page the issue budgets
(median of several warm requests), requests every table, view and canned query the
database page lists, and runs a bounded load test: CLIENTS threads on keep-alive
connections mixing searches, table searches, row pages and actor pages for a fixed
number of requests, printing p50/p95, throughput and errors.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus import write_corpus

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
FACETS = ("actor", "type", "topic", "source", "section", "month")
# Words of the generated corpus by the share of paragraphs they are in (printed as measured).
WORDS = {"rare": "deception", "1%": "abroad", "10%": "iran", "50%": "a"}
# Example values for the canned queries' parameters.
QUERY_PARAMS = {
    "actor": "Iran",
    "other_actor": "Kataib Hezbollah",
    "name": "Portal",
    "paragraph_id": "1",
    "q": "withdrawal",
    "topic": "us-troop-presence",
}


@dataclass
class Timed:
    status: int
    milliseconds: float
    body: bytes


class Client:
    """One keep-alive connection to the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str) -> Timed:
        start = time.perf_counter()
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            body, status = b"", 0
        return Timed(status, (time.perf_counter() - start) * 1000, body)


def build_store(db: Path, paragraphs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp)
        files = write_corpus(corpus, paragraphs)
        print(f"building {db} from {files} generated articles", flush=True)
        start = time.perf_counter()
        subprocess.run([BIN / "ingest", "add", str(corpus), "--db", str(db), "--quiet"], check=True)
        print(f"ingest add: {time.perf_counter() - start:.0f} s", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(db: Path, port: int) -> subprocess.Popen:
    """`datasette serve` with the settings `make run` uses."""
    command = [
        BIN / "datasette", "serve", str(db), "--metadata", str(ROOT / "metadata.json"),
        "--host", "127.0.0.1", "--port", str(port),
        "--setting", "sql_time_limit_ms", "1000", "--setting", "suggest_facets", "off",
    ]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if Client(port).get("/-/versions.json").status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("datasette did not start within two minutes")


def shares(db: Path) -> dict[str, float]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    total = connection.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
    found = {}
    for word in WORDS.values():
        matches = connection.execute("SELECT count(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH ?", (f'"{word}"',)).fetchone()[0]
        found[word] = matches / total
    return found


def budgeted_pages(database: str) -> list[tuple[str, str, int]]:
    """(label, path, budget in ms) for every page the issue budgets."""
    pages = [
        ("paragraphs table page", f"/{database}/paragraphs", 100),
        ("paragraphs table JSON", f"/{database}/paragraphs.json", 100),
    ]
    for share, word in WORDS.items():
        budget = 50 if share in ("rare", "1%") else 150
        pages.append((f"table search, {share} word", f"/{database}/paragraphs?_search={word}", budget))
        pages.append((f"table search JSON, {share}", f"/{database}/paragraphs.json?_search={word}", budget))
        pages.append((f"search?q=, {share} word", f"/{database}/search?q={word}", budget))
        pages.append((f"search.json?q=, {share}", f"/{database}/search.json?q={word}", budget))
    pages += [
        ("search 10% + actor filter", f"/{database}/search?q=iran&_actor=kataib-hezbollah", 150),
        ("/actor/united-states", "/actor/united-states", 200),
        ("/actor/united-states.json", "/actor/united-states.json", 200),
        ("/topic/us-troop-presence", "/topic/us-troop-presence", 200),
        ("/topic/counter-isis.json", "/topic/counter-isis.json", 200),
        ("/-/cooccurrence", "/-/cooccurrence", 200),
        ("/-/map", "/-/map", 200),
        ("paragraph page", f"/{database}/paragraphs/500000", 100),
    ]
    return pages


def facets_missing(body: bytes) -> list[str]:
    data = json.loads(body)
    found = data.get("facet_results") or {}
    if isinstance(data.get("facets"), list):
        found = {facet["name"]: facet for facet in data["facets"]}
    return [facet for facet in FACETS if facet not in found]


PAGE_SIZES = itertools.cycle(range(20, 41))


def uncached(path: str) -> str:
    """The search with a page size not asked for just before, so that the desk's result cache cannot answer it."""
    if "search" not in path:
        return path
    return path + ("&" if "?" in path else "?") + f"_size={next(PAGE_SIZES)}"


def time_pages(client: Client, pages: Sequence[tuple[str, str, int]], repeat: int) -> bool:
    """Each page warmed once, then timed `repeat` times, every search with a page size of its own (no cache hits)."""
    print(f"\n{'page (uncached)':<32} {'status':>6} {'median ms':>10} {'max ms':>8} {'budget':>7}  notes")
    within = True
    for label, path, budget in pages:
        client.get(uncached(path))  # the page cache warm
        runs = [client.get(uncached(path)) for _ in range(repeat)]
        median = statistics.median(run.milliseconds for run in runs)
        notes = []
        if path.split("?")[0].endswith(".json") and ("paragraphs" in path or "search" in path):
            missing = facets_missing(runs[0].body)
            notes.append(f"facets missing: {', '.join(missing)}" if missing else "all facets")
            data = json.loads(runs[0].body)
            for key in ("count_exact", "ranking_bounded"):
                if key in data:
                    notes.append(f"{key}={data[key]}")
        ok = all(run.status == 200 for run in runs) and median <= budget
        within &= ok
        worst = max(run.milliseconds for run in runs)
        status = runs[0].status
        print(f"{label:<32} {status:>6} {median:>10.1f} {worst:>8.1f} {budget:>7}  {'ok' if ok else 'OVER'} {'; '.join(notes)}")
    return within


def listed_pages(client: Client, database: str) -> list[str]:
    """Every table, view and canned query on the database page, with example parameters."""
    data = json.loads(client.get(f"/{database}.json").body)
    paths = [f"/{database}/{urllib.parse.quote(table['name'])}" for table in data["tables"] if not table.get("hidden")]
    paths += [f"/{database}/{urllib.parse.quote(view['name'])}" for view in data.get("views", [])]
    for query in data.get("queries", []):
        names = query.get("params") or sorted(set(re.findall(r"(?<![:\w]):([a-zA-Z_]\w*)", query["sql"])))
        params = {name: QUERY_PARAMS.get(name, "") for name in names}
        paths.append(f"/{database}/{urllib.parse.quote(query['name'])}?{urllib.parse.urlencode(params)}")
    return paths


def check_listed(client: Client, database: str) -> bool:
    print(f"\n{'table, view or canned query':<60} {'status':>6} {'ms':>8}")
    answered = True
    for path in listed_pages(client, database):
        client.get(path)
        run = client.get(path)
        failed = run.status != 200 or b"took too long" in run.body or b"timed out" in run.body
        answered &= not failed
        print(f"{urllib.parse.unquote(path)[:60]:<60} {run.status:>6} {run.milliseconds:>8.1f}  {'FAILED' if failed else 'ok'}")
    return answered


ACTORS = ["united-states", "iran", "kataib-hezbollah", "iraq", "islamic-state", "houthis", "syria", "israel"]
COMMON_WORDS = ["withdrawal", "militia", "iran", "abroad", "drone", "coalition", "baghdad", "sovereignty", "houthi", "ceasefire"]


def corpus_words(db: Path, count: int) -> list[str]:
    """`count` words of the store's vocabulary, drawn at random from every word of four letters or more."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    connection.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, paragraphs_fts, row)")
    words = [row[0] for row in connection.execute("SELECT term FROM temp.vocabulary WHERE length(term) >= 4 AND term NOT GLOB '*[^a-z]*'")]
    return random.Random(17).sample(words, min(count, len(words)))


def load_mix(database: str, paragraphs: int, words: Sequence[str], varied: bool) -> list[str]:
    """Searches, table searches, row pages and actor pages in equal parts.

    `varied` adds an actor filter to a third of the searches and asks for a later page of a
    third, so that hardly any two searches are the same; otherwise the searches repeat.
    """
    rng = random.Random(13)
    mix = []
    for _ in range(2000):
        kind = rng.randrange(4)
        args = {"q" if kind == 0 else "_search": rng.choice(words)}
        if varied and rng.random() < 1 / 3:
            args["_actor"] = rng.choice(ACTORS)
        if varied and rng.random() < 1 / 3:
            args["_next"] = str(20 * rng.randrange(1, 5))
        if kind == 0:
            mix.append(f"/{database}/search?{urllib.parse.urlencode(args)}")
        elif kind == 1:
            mix.append(f"/{database}/paragraphs?{urllib.parse.urlencode(args)}")
        elif kind == 2:
            mix.append(f"/{database}/paragraphs/{rng.randrange(1, paragraphs)}")
        else:
            mix.append(f"/actor/{rng.choice(ACTORS)}")
    return mix


def load_test(label: str, port: int, mix: Sequence[str], clients: int, requests: int) -> bool:
    """`clients` threads share `requests` requests from the mix; each on its own keep-alive connection."""
    results: list[Timed] = []
    lock = threading.Lock()
    next_index = iter(range(requests))

    def work() -> None:
        client = Client(port)
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            run = client.get(mix[index % len(mix)])
            run.body = b""
            with lock:
                results.append(run)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    times = sorted(run.milliseconds for run in results)
    errors = sum(run.status != 200 for run in results)
    p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
    throughput = len(results) / seconds
    distinct = len(set(mix[index % len(mix)] for index in range(requests)))
    print(f"\nload test, {label}: {clients} clients, {len(results)} requests ({distinct} distinct URLs) in {seconds:.1f} s")
    print(f"throughput {throughput:.1f} requests/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms, errors {errors}")
    return throughput >= 50 and p95 <= 300 and errors == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "db" / "bench" / "articles.db")
    parser.add_argument("--paragraphs", type=int, default=1_000_000, help="size of the store to build when --db is missing")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        build_store(args.db, args.paragraphs)
    stored = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True).execute("SELECT count(*) FROM paragraphs").fetchone()[0]
    print(f"store: {args.db}, {stored:,} paragraphs")
    print("word shares: " + ", ".join(f"{word!r} {share:.1%}" for word, share in shares(args.db).items()))
    port = free_port()
    server = serve(args.db, port)
    try:
        client = Client(port)
        database = args.db.stem
        pages_ok = time_pages(client, budgeted_pages(database), args.repeat)
        listed_ok = check_listed(client, database)
        load_ok = load_test("repeated searches", port, load_mix(database, stored, COMMON_WORDS, False), args.clients, args.requests)
        varied = load_mix(database, stored, corpus_words(args.db, 400), True)
        load_ok &= load_test("varied searches", port, varied, args.clients, args.requests)
    finally:
        server.terminate()
        server.wait()
    print(f"\npages within budget: {pages_ok}; every listed page answers: {listed_ok}; load test within budget: {load_ok}")


if __name__ == "__main__":
    main()
