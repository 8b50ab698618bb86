"""Speed of the matching keys on generated German lists: µs per value, with and without worker
processes, next to the per-value library calls the fast paths avoid.

Run from the repository root: .venv/bin/python -m bench.normalise_bench [ROWS ...]
(default: 100000 1000000). "Hard" values, which the fast paths leave to the libraries, are
measured on at most 200,000 rows.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

import pandas as pd
import phonenumbers

from lib import normalise, normalise_pool

HARD_ROWS = 200_000

AREAS = ["30", "40", "89", "221", "69", "711", "211", "351", "341", "511", "911", "228", "6221"]
MOBILES = ["151", "152", "160", "162", "170", "171", "172", "175", "176", "177", "178", "179"]
FIRST = ["Max", "Anna", "Jürgen", "Lena", "Lukas", "Sophie", "Özlem", "Jörg", "Marie", "Paul"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf"]
SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ö": "Oe", "ß": "ss"})
FORMS = ["GmbH", "GmbH & Co. KG", "AG", "e.K.", "UG (haftungsbeschränkt)", "KG", ""]


def german_phone(rnd: random.Random) -> str:
    """A realistic German number in one of the formats seen in lists (mostly unique)."""
    mobile = rnd.random() < 0.4
    code = rnd.choice(MOBILES if mobile else AREAS)
    sub = str(rnd.randint(1_000_000, 99_999_999) if mobile else rnd.randint(10_000, 9_999_999))
    return rnd.choice([
        f"0{code} {sub}", f"+49 {code} {sub}", f"0{code}/{sub}", f"+49 (0){code} {sub}",
        f"(0{code}) {sub[:3]}-{sub[3:]}", f"0049{code}{sub}", f"0{code}-{sub}", f"{code}{sub}",
    ])


def german_email(rnd: random.Random, i: int) -> str:
    """A realistic address: umlauts spelled out as people do in addresses, mixed case, spaces."""
    first, last = (rnd.choice(names).translate(SPELLED) for names in (FIRST, LAST))
    local = rnd.choice([f"{first}.{last}", f"{first[0]}.{last}", f"{last}{i % 97}", "info"])
    domain = rnd.choice([f"{last}-{rnd.randint(1, 99_999)}.de", "gmail.com", "web.de"])
    address = f"{local}{i}@{domain}" if local != "info" else f"info@{last}{i}.de"
    return rnd.choice([address, address.lower(), f" {address} ", address.upper()])


def hard_phone(rnd: random.Random) -> str:
    """A number the fast path leaves to phonenumbers.parse (extension, another country's rules)."""
    return rnd.choice([f"{german_phone(rnd)} x{rnd.randint(1, 999)}",
                       f"+1 212 {rnd.randint(200, 999)} {rnd.randint(1000, 9999)}"])


def hard_email(rnd: random.Random, i: int) -> str:
    """An address the fast path leaves to email-validator (umlauts, Punycode)."""
    return rnd.choice([f"jürgen{i}@müller-{i % 5000}.de", f"o'brien{i}@xn--mller-kva.de"])


def timed(label: str, rows: int, run: Callable[[], object]) -> None:
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:7.2f} s {seconds / rows * 1e6:7.2f} µs/value")


def per_value_baselines(phones: list[str]) -> None:
    """What the fast paths avoid, measured on a sample and shown per value."""
    sample = phones[:20_000]
    start = time.perf_counter()
    normalise_pool.phones_parsed(sample, "DE")
    parsed = (time.perf_counter() - start) / len(sample) * 1e6
    shapes = normalise.phone_shapes(pd.Series(sample), "DE").dropna()
    numbers = [
        phonenumbers.PhoneNumber(country_code=int(cc), national_number=int(nsn.lstrip("0")))
        for cc, nsn in zip(shapes["cc"], shapes["nsn"], strict=True)
    ]
    start = time.perf_counter()
    for number in numbers:
        phonenumbers.is_valid_number(number)
    built = (time.perf_counter() - start) / len(numbers) * 1e6
    print(f"  per value: parse+is_valid {parsed:.1f} µs, PhoneNumber+is_valid {built:.1f} µs")


def bench(rows: int) -> None:
    rnd = random.Random(rows)
    phones = pd.Series([german_phone(rnd) for _ in range(rows)])
    emails = pd.Series([german_email(rnd, i) for i in range(rows)])
    first = pd.Series([rnd.choice(FIRST) for _ in range(rows)])
    last = pd.Series([rnd.choice(LAST) for _ in range(rows)])
    company = pd.Series([f"{rnd.choice(LAST)} {i % 20_000} {rnd.choice(FORMS)}"
                         for i in range(rows)])
    hard = min(rows, HARD_ROWS)
    hard_phones = pd.Series([hard_phone(rnd) for _ in range(hard)])
    hard_emails = pd.Series([hard_email(rnd, i) for i in range(hard)])
    print(f"{rows:,} rows: {phones.nunique():,} unique phones, {emails.nunique():,} e-mails")
    timed("email_keys, in process", rows, lambda: normalise.email_keys(emails, workers=1))
    timed("email_keys, pool allowed", rows, lambda: normalise.email_keys(emails))
    timed("phone_keys DE, in process", rows, lambda: normalise.phone_keys(phones, "DE", workers=1))
    timed("phone_keys DE, pool allowed", rows, lambda: normalise.phone_keys(phones, "DE"))
    timed("name_key (first, last, company)", rows, lambda: normalise.name_key(first, last, company))
    timed("similarity_key", rows, lambda: normalise.similarity_key(first, last, company))
    timed(f"{hard:,} hard phones (all parsed), in process", hard,
          lambda: normalise.phone_keys(hard_phones, "DE", workers=1))
    timed(f"{hard:,} hard phones (all parsed), pool", hard,
          lambda: normalise.phone_keys(hard_phones, "DE"))
    timed(f"{hard:,} hard e-mails (all validated), in process", hard,
          lambda: normalise.email_keys(hard_emails, workers=1))
    timed(f"{hard:,} hard e-mails (all validated), pool", hard,
          lambda: normalise.email_keys(hard_emails))
    per_value_baselines(phones.tolist())


if __name__ == "__main__":
    for size in [int(arg) for arg in sys.argv[1:]] or [100_000, 1_000_000]:
        bench(size)
