"""A real PostgreSQL server for the tests, from the machine's server binaries.

Started in a temporary directory on a free loopback port and stopped afterwards. ``initdb``
and ``postgres`` refuse to run as root, so as root they run as the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Unavailable(RuntimeError):
    """No PostgreSQL can be started on this machine (why, in one sentence)."""


def server_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise Unavailable("PostgreSQL's server binaries are not installed "
                      "(Debian: apt-get install postgresql)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser") is None:
        raise Unavailable("running as root without runuser to start PostgreSQL as 'postgres'")
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def running() -> Iterator[str]:
    """A fresh cluster with an empty database ``leadladder``; yields its URL."""
    bin_dir = server_binaries()
    home = Path(tempfile.mkdtemp(prefix="leadladder-pg-"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
    data, port = home / "data", free_port()
    pg_ctl = str(bin_dir / "pg_ctl")

    def run(*command: str) -> None:
        done = subprocess.run(_as_server_user(list(command)), capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode:
            raise Unavailable(f"{Path(command[0]).name} failed: {done.stderr.strip()[-500:]}")

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--no-sync")
        run(pg_ctl, "-D", str(data), "-w", "-l", str(home / "log"), "-o",
            f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        try:
            run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                "leadladder")
            yield f"postgresql://postgres@127.0.0.1:{port}/leadladder"
        finally:
            run(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(home, ignore_errors=True)
