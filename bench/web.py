"""The app under gunicorn, and a client for it: what load.py, review_queue.py and labelstudio.py share.

The client opens a new connection for every request and passes `X-Forwarded-Proto: https`, as the TLS
proxy in front of gunicorn would; a Browser keeps its cookies (they are `Secure` with DEBUG off, so they
are sent by hand) and signs in through the login page.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import common

HOST = "127.0.0.1"
HTTPS = {"X-Forwarded-Proto": "https"}
TIMEOUT = 1800  # seconds: a large export through a slow server


class Response:
    def __init__(self, status: int, headers, body: bytes | None, size: int, seconds: float):
        self.status, self.headers, self.body, self.size, self.seconds = status, headers, body, size, seconds

    def json(self):
        return json.loads(self.body)

    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


def fetch(port: int, method: str, path: str, headers=None, body: bytes | str | None = None, keep=True) -> Response:
    """One request on a new connection, timed from connecting to the last byte of the body.

    With keep=False the body is read in chunks and dropped (only its size is kept), so that a large export
    costs the client no memory.
    """
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data, size = None, 0
        if keep:
            data = response.read()
            size = len(data)
        else:
            while chunk := response.read(1 << 20):
                size += len(chunk)
    finally:
        connection.close()
    return Response(response.status, response.msg, data, size, time.perf_counter() - started)


def expect(response: Response, status: int, what: str) -> Response:
    if response.status != status:
        detail = (response.body or b"")[:500].decode("utf-8", errors="replace")
        raise RuntimeError(f"{what}: HTTP {response.status}, expected {status}: {detail}")
    return response


class Browser:
    """One person's browser without JavaScript (or with htmx): cookies kept, forms sent with the CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://{HOST}:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, *, htmx=False, keep=True) -> Response:
        headers = dict(HTTPS)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form})
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin}
            headers |= {"Referer": f"{self.origin}{path}", "X-CSRFToken": self.cookies.get("csrftoken", "")}
        if htmx:
            headers |= {"HX-Request": "true", "HX-Current-URL": f"{self.origin}{path}"}
        response = fetch(self.port, method, path, headers, body, keep)
        for name, value in response.cookies().items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response

    def sign_in(self, username: str, password: str = common.PASSWORD) -> Browser:
        """Through the login page: its CSRF cookie and form token, then the POST."""
        page = expect(self.request("GET", "/accounts/login/"), 200, "login page")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)[1].decode()
        self.cookies["csrftoken"] = self.cookies.get("csrftoken") or token
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/articles/"}
        expect(self.request("POST", "/accounts/login/", form), 302, f"signing in as {username}")
        if "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in as {username} set no session cookie")
        return self


def free_port() -> int:
    """A free port: any, or the first free one of BENCH_PORTS ("8170-8179") on a machine shared with others."""
    low, _, high = os.environ.get("BENCH_PORTS", "").partition("-")
    for port in range(int(low), int(high or low) + 1) if low else [0]:
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


class Server:
    """A server started in a session of its own, answering `health` before it is used; stopping it ends its
    whole process group."""

    name = "server"
    start_timeout = 60

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = workdir / f"{self.name}.log"

    def start(self, command: list[str], env: dict, cwd: Path, health: str) -> None:
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if fetch(self.port, "GET", health, HTTPS).status == 200:
                    return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {health} within {self.start_timeout} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(wait)
                break
        with contextlib.suppress(ProcessLookupError):  # a worker that outlived its master goes too
            os.killpg(self.process.pid, signal.SIGKILL)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def pids(self) -> list[int]:
        return tree_pids(self.process.pid)

    @property
    def rss(self) -> int:
        return tree_rss(self.process.pid)


class Gunicorn(Server):
    """The app under gunicorn (`config.wsgi`, sync workers) with production settings and its static files
    collected into the work folder, in the database of `url`."""

    name = "gunicorn"

    def __init__(self, workdir: Path, url: str, workers: int, timeout: int = 30, app: str = "config.wsgi"):
        super().__init__(workdir)
        self.env = common.app_env(url, workdir / "static")
        self.database = self.env["DATABASE_URL"].rsplit("/", 1)[1]
        if "django.db" in sys.modules:  # its workers open their own connections
            from django.db import connections

            connections.close_all()
        common.manage(self.env, "collectstatic", "--no-input", "--verbosity", "0")
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [gunicorn, app, "--bind", f"{HOST}:{self.port}", "--workers", str(workers)]
        self.start([*command, "--timeout", str(timeout)], self.env, common.ROOT, "/healthz")

    def browser(self, username: str) -> Browser:
        return Browser(self.port).sign_in(username)


# ---- processes, from /proc ----------------------------------------------------------------------------


def tree_pids(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with contextlib.suppress(OSError):
                    todo += [int(child) for child in Path(f"/proc/{current}/task/{task}/children").read_text().split()]
    return pids


def tree_rss(pid: int) -> int:
    """Bytes resident in `pid` and all its descendants (VmRSS)."""
    total = 0
    for each in tree_pids(pid):
        with contextlib.suppress(OSError, StopIteration):
            lines = Path(f"/proc/{each}/status").read_text().splitlines()
            total += int(next(line for line in lines if line.startswith("VmRSS:")).split()[1]) * 1024
    return total


def cpu_seconds(pid: int) -> float:
    """User and system CPU time `pid` has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
