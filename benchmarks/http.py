"""Pages under load: gunicorn as `make serve` runs it, driven by concurrent logged-in clients.

`http_load()` starts gunicorn (3 workers, production settings: DEBUG off, HTTPS
behind a proxy, whitenoise) on the benchmark database, logs a user in by
creating a session, and has N client threads fetch a list of pages in turn for
a fixed time, each over its own keep-alive connection. It reports requests per
second, p50 and p95 per page, and errors (any status but 200, or a failed
connection).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3


@dataclass
class PageFigures:
    name: str
    timings_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def quantile(self, share: float) -> float | None:
        if not self.timings_ms:
            return None
        ordered = sorted(self.timings_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class LoadRun:
    clients: int
    seconds: float
    pages: dict[str, PageFigures]

    @property
    def requests(self) -> int:
        return sum(len(page.timings_ms) + page.errors for page in self.pages.values())

    @property
    def errors(self) -> int:
        return sum(page.errors for page in self.pages.values())


def session_cookie(user) -> str:
    """A logged-in session for `user`, as the login page would leave it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["_seen_at"] = int(time.time())
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Server:
    """gunicorn on 127.0.0.1:port with the settings of `make serve`, stopped on exit."""

    def __init__(self, *, port: int, database_url: str, workers: int = WORKERS) -> None:
        from django.conf import settings

        self.port = port
        self.env = os.environ | {
            "DATABASE_URL": database_url,
            # This process signs the clients' session: the server must read it.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "false",
            "SECURE_PROXY_SSL_HEADER": "true",  # HTTPS ends at the proxy in front
        }
        self.env.pop("TESTING", None)
        # Served as `make serve` is by default: without the bench's replica.
        self.env.pop("DATABASE_REPLICA_URL", None)
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        if _port_open(self.port):
            raise RuntimeError(f"port {self.port} is already in use")
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        command = [python, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "--workers", str(self.workers), "--log-level", "warning"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while not _port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _client(port, cookie, pages, stop_at, figures, lock, offset) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie, "X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    mine: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    index = offset
    while time.monotonic() < stop_at:
        name, url = pages[index % len(pages)]
        index += 1
        started = time.perf_counter()
        try:
            connection.request("GET", url, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        if ok:
            mine[name].append((time.perf_counter() - started) * 1000)
        else:
            errors[name] += 1
    connection.close()
    with lock:
        for name, timings in mine.items():
            figures[name].timings_ms.extend(timings)
        for name, count in errors.items():
            figures[name].errors += count


def http_load(*, port: int, cookie: str, pages: list[tuple[str, str]], clients: int, seconds):
    """`clients` threads fetching `pages` in turn for `seconds`; figures per page."""
    figures = {name: PageFigures(name) for name, _url in pages}
    lock = threading.Lock()
    started = time.monotonic()
    stop_at = started + seconds
    threads = [
        threading.Thread(target=_client, args=(port, cookie, pages, stop_at, figures, lock, number))
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadRun(clients=clients, seconds=time.monotonic() - started, pages=figures)


def format_load(runs: list[LoadRun]) -> list[str]:
    lines = [
        f"{'http':<5}{'page':<13}{'clients':>8}{'req/s':>9}{'p50 ms':>10}{'p95 ms':>10}  errors"
    ]
    for run in runs:
        for page in run.pages.values():
            done = len(page.timings_ms)
            p50, p95 = page.quantile(0.5), page.quantile(0.95)
            lines.append(
                f"{'':<5}{page.name:<13}{run.clients:>8}{done / run.seconds:>9.1f}"
                f"{'n/a' if p50 is None else f'{p50:.0f}':>10}"
                f"{'n/a' if p95 is None else f'{p95:.0f}':>10}  {page.errors}"
            )
    return lines


def p95_ratio(runs: list[LoadRun]) -> float | None:
    """The worst page's p95 with the most clients over its p50 with one client."""
    single = min(runs, key=lambda run: run.clients)
    busy = max(runs, key=lambda run: run.clients)
    ratios = []
    for name, page in busy.pages.items():
        p95 = page.quantile(0.95)
        p50 = single.pages[name].quantile(0.5)
        if p95 is not None and p50:
            ratios.append(p95 / p50)
    return max(ratios) if ratios else None
