"""Workbooks are read in a child process with a memory limit.

A hostile workbook can make the reader (python-calamine, Rust) allocate without bound or abort
the whole process; in the child that costs the child, and the upload becomes a refusal. Why not
multiprocessing: in the app Streamlit installs the page script as ``__main__``, which spawn and
forkserver workers re-run (see lib/normalise_pool.py); fork is unsafe in the threaded server. So
the child is ``python -m lib.workbook_worker``: the arguments pickled on stdin, the parts of the
table pickled on stdout. It imports no pandas, and one spare child waits ready for the next read.
The caller's language goes along with the arguments, so a refusal reads as the caller reads.
"""

from __future__ import annotations

import logging
import os
import pickle
import resource
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from lib import i18n
from lib.errors import FileRefused
from lib.i18n import N_, _

ROOT = Path(__file__).resolve().parent.parent
MEMORY_MB = int(os.environ.get("LEADLADDER_READ_MEMORY_MB", "3072"))  # above the child's start
SECONDS = int(os.environ.get("LEADLADDER_READ_SECONDS", "600"))
CRASHED = N_(
    "Reading this workbook needed more memory than the server allows or broke the reader; "
    "open it in Excel, delete what lies beyond the list, save it again and upload the new file."
)

log = logging.getLogger("leadladder")


def read_isolated(data: bytes, file_format: str, options: Any, max_rows: int) -> tuple:
    """``reading.workbook_parts(...)``, computed in a memory-limited child process.

    Raises:
        FileRefused: the child's own refusal, or CRASHED when the child died or ran too long.
    """
    worker = _warm_worker()
    try:
        out, err = worker.communicate(
            pickle.dumps((data, file_format, options, max_rows, i18n.language()), protocol=5),
            timeout=SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        raise FileRefused(_("Reading this workbook took longer than {seconds} s; it was "
                            "stopped. Save it as CSV and upload that.").format(
            seconds=SECONDS)) from None
    if worker.returncode != 0 or not out:
        log.warning("workbook reader exited with %s: %s", worker.returncode,
                    err.decode(errors="replace")[-2000:])
        raise FileRefused(_(CRASHED))
    kind, value = pickle.loads(out)
    if kind == "refused":
        raise value
    return value


_spare: subprocess.Popen | None = None
_spare_lock = threading.Lock()


def _warm_worker() -> subprocess.Popen:
    """A child that has already imported the reader (that takes longer than most reads), and a
    fresh spare started for the next read. A spare waits on stdin and ends with its parent."""
    global _spare
    with _spare_lock:
        worker, _spare = _spare, _start()
    return worker if worker is not None and worker.poll() is None else _start()


def _start() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lib.workbook_worker", str(MEMORY_MB)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at what it uses now plus ``megabytes``."""
    used = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            used = int(line.split()[1]) * 1024
    cap = used + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _serve() -> None:
    """The child: one pickled read in on stdin, ("parts", …) or ("refused", FileRefused) out."""
    import pyarrow as pa

    from lib import reading

    pa.set_memory_pool(pa.system_memory_pool())  # allocation failures surface as MemoryError
    try:
        data, file_format, options, max_rows, language = pickle.load(sys.stdin.buffer)
    except EOFError:  # a spare whose parent ended without needing it
        return
    i18n.set_language(language)
    limit_memory(int(sys.argv[1]))
    try:
        result: tuple = ("parts", reading.workbook_parts(data, file_format, options, max_rows))
    except FileRefused as refused:  # a LimitExceeded stays one: the caller names the setting
        result = ("refused", refused)
    except MemoryError:
        result = ("refused", FileRefused(_(CRASHED)))
    del data
    pickle.dump(result, sys.stdout.buffer, protocol=5)


if __name__ == "__main__":
    _serve()
