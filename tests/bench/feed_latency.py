"""How fast is the feed on a busy instance?

Seeds 10,000 users and 100,000 videos with ``kinema admin seed`` (follows, likes and
comments in proportion) and reports how long that took. Then runs ``kinema serve`` on
a free local port and, for warm users (people who follow others and whose feed was
opened once already), times ``GET /api/feed`` -- the first page and the next pages --
beside ``GET /healthz`` in the same run, over one keep-alive connection. Reopening the
feed within ``REUSE_SECONDS`` with nothing changed shows the ranking frozen then; the
warm-up pass, which ranks every user's feed afresh, is reported on its own line.

Run: ``python tests/bench/feed_latency.py [--database-url URL] [--users N] [--videos M]``
(or set ``KINEMA_TEST_DATABASE_URL`` for PostgreSQL; the database is emptied first).
Targets on SQLite: feed p99 <= 50 ms, feed p50 / healthz p50 <= 5.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

KINEMA = str(Path(sys.executable).with_name("kinema"))
SCROLLED_PAGES = 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _empty_postgres(url: str) -> None:
    from kinema.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _api_keys(env: dict[str, str], data_dir: Path, count: int) -> list[str]:
    """API keys for ``count`` warm users: people who follow at least five others."""
    from kinema.accounts import service
    from kinema.db import transaction
    from kinema.runtime import build_runtime
    from kinema.settings import load_settings
    from kinema.social.models import Follow

    settings = load_settings(data_dir=data_dir, **(
        {"database_url": env["KINEMA_DATABASE_URL"]} if "KINEMA_DATABASE_URL" in env else {}
    ))
    runtime = build_runtime(settings)
    keys = []
    with transaction(runtime.sessions) as session:
        followers = session.scalars(
            select(Follow.follower_id)
            .group_by(Follow.follower_id)
            .having(func.count() >= 5)
            .limit(count)
        ).all()
        for user_id in followers:
            _key, token = service.create_api_key(session, user_id=user_id, name="bench")
            keys.append(token)
    runtime.db.dispose()
    return keys


class Client:
    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, token: str | None = None) -> tuple[float, dict[str, object]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        started = time.perf_counter()
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
        return elapsed, json.loads(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--warm-users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--database-url", default=os.environ.get("KINEMA_TEST_DATABASE_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--reuse", type=Path, help="a data directory a --keep run left "
                        "(SQLite): skip seeding")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="kinema-feed-bench-"))
    data_dir = args.reuse or root / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINEMA_")}
    if args.database_url and not args.reuse:
        _empty_postgres(args.database_url)
        env["KINEMA_DATABASE_URL"] = args.database_url
    backend = "PostgreSQL" if args.database_url else "SQLite"
    try:
        started = time.perf_counter()
        if args.reuse is None:
            seeded = subprocess.run(
                [KINEMA, "admin", "seed", "--users", str(args.users), "--videos",
                 str(args.videos), "--data-dir", str(data_dir)],
                env=env, capture_output=True, text=True, check=True,
            )
            print(f"{backend}: {seeded.stdout.strip()}")
        seed_seconds = time.perf_counter() - started
        keys = _api_keys(env, data_dir, args.warm_users)

        port = _free_port()
        env["KINEMA_BASE_URL"] = f"http://127.0.0.1:{port}"
        log = (root / "serve.log").open("wb")
        server = subprocess.Popen(
            [KINEMA, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port),
             "--data-dir", str(data_dir)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    Client(port).get("/healthz")
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("kinema serve did not start") from None
                    time.sleep(0.3)
            client = Client(port)
            ranked = []
            for token in keys:  # warm: every user's feed opened once, freshly ranked
                ranked.append(client.get("/api/feed?limit=10", token)[0])
            for _ in range(50):
                client.get("/healthz")
            first, following, health, me = [], [], [], []
            rng = random.Random(1)
            for _ in range(args.rounds):
                order = list(keys)
                rng.shuffle(order)
                for token in order:  # a visit: open the feed, scroll three more pages
                    elapsed, page = client.get("/api/feed?limit=10", token)
                    first.append(elapsed)
                    health.append(client.get("/healthz")[0])
                    me.append(client.get("/api/me", token)[0])
                    for _ in range(SCROLLED_PAGES):
                        if not page.get("next_cursor"):
                            break
                        elapsed, page = client.get(
                            f"/api/feed?limit=10&cursor={page['next_cursor']}", token
                        )
                        following.append(elapsed)
                        health.append(client.get("/healthz")[0])
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()

        def line(name: str, values: list[float]) -> str:
            return (f"  {name:<24} n={len(values):<5} p50 {statistics.median(values):6.2f} ms"
                    f"   p99 {_percentile(values, 0.99):6.2f} ms")

        print(line("GET /healthz", health))
        print(line("GET /api/me (signed in)", me))
        print(line("GET /api/feed (page 1)", first))
        print(line("  freshly ranked (warm-up)", ranked))
        print(line("GET /api/feed (next page)", following))
        both = first + following
        print(line("GET /api/feed (all)", both))
        base = statistics.median(health)
        print(f"  feed p50 / healthz p50: page 1 {statistics.median(first) / base:.1f}, "
              f"next page {statistics.median(following) / base:.1f}, "
              f"all {statistics.median(both) / base:.1f}")
        if args.reuse is None:
            print(f"  seeding: {seed_seconds:.1f} s for {args.users} users and {args.videos} "
                  "videos")
    finally:
        if args.keep:
            print(f"data kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
