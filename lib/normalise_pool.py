"""The per-value authorities (email-validator, phonenumbers.parse) and the processes that run
them when there are many values.

Why not multiprocessing: in the app, Streamlit installs the running page script as
``__main__``, and spawn/forkserver workers re-run ``__main__`` before they start (checked:
a page script ran once in every worker), which would open the database a second time and
call Streamlit outside the app. fork is unsafe in the multi-threaded server. So each worker
is a fresh ``python -m lib.normalise_pool`` that reads one pickled chunk on stdin and writes
its result on stdout. This module does not import pandas, so a worker starts in ~0.15 s.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from pathlib import Path

import phonenumbers
from email_validator import EmailNotValidError, validate_email

POOL_MIN = 50_000  # below this many values a worker's start-up costs more than it saves
ROOT = Path(__file__).resolve().parent.parent

Checked = tuple[list[str | None], list[bool]]

phonenumbers.enable_pattern_cache()  # parse recompiles metadata patterns on every call without


def emails_checked(addresses: Sequence[str]) -> Checked:
    """email-validator's verdict (no DNS) and the key: its normalised form, lower-cased."""
    keys: list[str | None] = []
    for address in addresses:
        try:
            keys.append(validate_email(address, check_deliverability=False).normalized.lower())
        except EmailNotValidError:
            keys.append(None)
    return keys, [key is not None for key in keys]


def phones_parsed(raw: Sequence[str], region: str) -> Checked:
    """phonenumbers.parse + is_valid_number per number: E.164, or None when invalid."""
    keys = [_parsed(value, region) for value in raw]
    return keys, [key is not None for key in keys]


def _parsed(value: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


WORK: dict[str, Callable[..., Checked]] = {
    "emails_checked": emails_checked,
    "phones_parsed": phones_parsed,
}


def spread(work: str, items: list[str], args: tuple = (), workers: int | None = None) -> Checked:
    """``WORK[work](items, *args)``, split over worker processes when there are many items."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(items) <= POOL_MIN:
        return WORK[work](items, *args)
    size = -(-len(items) // workers)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ThreadPoolExecutor(len(chunks)) as threads:
        parts = list(threads.map(lambda chunk: _in_worker(work, chunk, args), chunks))
    keys, valid = zip(*parts, strict=True)
    return list(chain.from_iterable(keys)), list(chain.from_iterable(valid))


def _in_worker(work: str, chunk: list[str], args: tuple) -> Checked:
    done = subprocess.run(
        [sys.executable, "-m", "lib.normalise_pool"],
        input=pickle.dumps((work, chunk, args)),
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"a worker failed: {done.stderr.decode(errors='replace')[-500:]}")
    return pickle.loads(done.stdout)


def _serve() -> None:
    """The worker: one pickled (work, chunk, args) in on stdin, its result out on stdout."""
    work, chunk, args = pickle.load(sys.stdin.buffer)
    pickle.dump(WORK[work](chunk, *args), sys.stdout.buffer)


if __name__ == "__main__":
    _serve()
