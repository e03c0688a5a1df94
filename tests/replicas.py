"""A throwaway primary, its streaming replica and a PgBouncer in front of both, in a temporary folder.

`Replicated(ports)` starts a PostgreSQL cluster of its own (initdb), a standby of it made with
`pg_basebackup -R` (hot standby, streaming), and, when Debian's `pgbouncer` is installed, a PgBouncer in
transaction pooling mode that serves the primary as database `prov` and the replica as `prov_replica`.
Both servers log every statement with the client's application_name in front (`%a|`), so a test can tell
which server ran what. `stop()` tears everything down and removes the folder.

The servers run as the `postgres` account when this process is root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

DATABASE = "prov"


def binaries() -> Path | None:
    """The newest PostgreSQL server binaries Debian installed, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _as_postgres(command: list[str], **options) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120, **options)


class Replicated:
    def __init__(self, primary_port: int, replica_port: int, bouncer_port: int):
        self.bin = binaries()
        self.ports = {"primary": primary_port, "replica": replica_port, "bouncer": bouncer_port}
        self.folder = Path(tempfile.mkdtemp(prefix="prov-replica-"))
        self.bouncer: subprocess.Popen | None = None
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")

    def path(self, name: str) -> Path:
        return self.folder / name

    def log(self, server: str) -> Path:
        return self.path(f"{server}.log")

    # ---- starting ----------------------------------------------------------------------------------

    def start(self) -> Replicated:
        primary, replica = self.path("primary"), self.path("replica")
        _as_postgres([str(self.bin / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        self._configure(primary, self.ports["primary"])
        self._ctl("start", primary, "primary")
        _as_postgres([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U",
                      "postgres", DATABASE])  # fmt: skip
        _as_postgres([str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U",
                      "postgres", "-D", str(replica), "-R", "-X", "stream", "-c", "fast", "--no-sync"])  # fmt: skip
        self._configure(replica, self.ports["replica"])
        self._ctl("start", replica, "replica")
        if shutil.which("pgbouncer"):
            self._start_bouncer()
        return self

    def _configure(self, data: Path, port: int) -> None:
        settings = {
            "port": port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.folder}'",
            "wal_level": "replica",
            "max_wal_senders": 4,
            "hot_standby": "on",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "'32MB'",
            "log_statement": "'all'",
            "log_line_prefix": "'%a|'",
            "logging_collector": "off",
        }
        with (data / "postgresql.conf").open("a") as conf:  # later lines win over the copied primary's
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _ctl(self, action: str, data: Path, name: str, *extra: str) -> None:
        log = ["-l", str(self.log(name))] if action == "start" else []
        _as_postgres([str(self.bin / "pg_ctl"), action, "-D", str(data), "-w", *log, *extra])

    def _start_bouncer(self) -> None:
        ini, users = self.path("pgbouncer.ini"), self.path("userlist.txt")
        users.write_text('"postgres" ""\n')
        ini.write_text(
            "[databases]\n"
            f"{DATABASE} = host=127.0.0.1 port={self.ports['primary']} dbname={DATABASE}\n"
            f"{DATABASE}_replica = host=127.0.0.1 port={self.ports['replica']} dbname={DATABASE}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.ports['bouncer']}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\npool_mode = transaction\n"
            f"logfile = {self.path('pgbouncer.log')}\nmax_client_conn = 50\ndefault_pool_size = 5\n"
            "server_reset_query =\nignore_startup_parameters = extra_float_digits\n"
            # A server that is down fails a query in 2 s instead of queueing it for 2 minutes (PgBouncer 1.18).
            "query_wait_timeout = 2\n"
        )
        command = ["pgbouncer", str(ini)]
        if os.geteuid() == 0:
            shutil.chown(ini, "postgres", "postgres")
            shutil.chown(users, "postgres", "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.bouncer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if self.bouncer.poll() is not None:
                raise RuntimeError(f"pgbouncer exited: {self.path('pgbouncer.log').read_text()}")
            if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(self.ports["bouncer"])]).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("pgbouncer did not start")

    # ---- using -------------------------------------------------------------------------------------

    def urls(self) -> tuple[str, str]:
        """(DATABASE_URL, DATABASE_REPLICA_URL): through PgBouncer when it runs, else to the servers."""
        if self.bouncer is not None:
            port = self.ports["bouncer"]
            return (
                f"postgres://postgres@127.0.0.1:{port}/{DATABASE}",
                f"postgres://postgres@127.0.0.1:{port}/{DATABASE}_replica",
            )
        return tuple(f"postgres://postgres@127.0.0.1:{self.ports[s]}/{DATABASE}" for s in ("primary", "replica"))

    def stop_replica(self) -> None:
        self._ctl("stop", self.path("replica"), "replica", "-m", "immediate")

    def stop(self) -> None:
        if self.bouncer is not None and self.bouncer.poll() is None:
            self.bouncer.terminate()
            self.bouncer.wait(timeout=10)
        for name in ("replica", "primary"):
            if (self.path(name) / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.CalledProcessError):
                    self._ctl("stop", self.path(name), name, "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
