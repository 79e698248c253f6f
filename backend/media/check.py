"""`dossier check-media`: does the store still hold every original the database records,
byte for byte? Each original is read again and its SHA-256 compared with its name (the
hash its blob row records). Files whose hash no blob records are reported too, as
unreferenced (harmless: a failed upload's leftovers, say). Documents' PDFs are the
documents' own and are not looked at here.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

import anyio

from backend.media.store import VARIANTS, MediaStore, key, parse_key
from backend.media.tables import Blob

READ = 8 * 2**20  # bytes read at once: one ranged GET from the object store
READERS = 8  # originals read at once (an object store answers each read after a round trip)
BATCH = 1000


def sha256_of(source: BinaryIO, copy_to: BinaryIO | None = None) -> tuple[str, int]:
    """The SHA-256 and the size of what ``source`` holds from where it stands, also
    written to ``copy_to`` on the way when given."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(READ):
        digest.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.hexdigest(), size


@dataclass
class Report:
    originals: int  # recorded in the database
    stored: int  # files in the store
    missing: list[str]  # keys of recorded originals the store lacks
    corrupt: list[str]  # keys of originals whose bytes no longer hash to their name
    unreferenced: list[str]  # keys of files no blob row accounts for

    @property
    def ok(self) -> bool:
        return not self.missing and not self.corrupt


async def check(store: MediaStore) -> Report:
    """Compare the store with the blob table (the database must be bound)."""
    recorded = {row["sha256"] for row in await Blob.select(Blob.sha256)}
    return await anyio.to_thread.run_sync(_compare, store, recorded)


def _compare(store: MediaStore, recorded: set[str]) -> Report:
    names = list(store.keys())
    stored, unreferenced = set(), []
    for name in names:
        parsed = parse_key(name)
        if parsed is not None and parsed[1] == "original":
            stored.add(parsed[0])
        if parsed is None or (parsed[1] in VARIANTS and parsed[0] not in recorded):
            unreferenced.append(name)
    present, corrupt = sorted(recorded & stored), []
    with ThreadPoolExecutor(READERS) as pool:
        for start in range(0, len(present), BATCH):  # a batch at a time: not a future for each of millions
            batch = present[start:start + BATCH]
            corrupt += [key(sha256, "original") for sha256, ok in zip(batch, pool.map(partial(_intact, store), batch))
                        if not ok]
    return Report(originals=len(recorded), stored=len(names),
                  missing=[key(sha256, "original") for sha256 in sorted(recorded - stored)],
                  corrupt=corrupt, unreferenced=sorted(unreferenced))


def _intact(store: MediaStore, sha256: str) -> bool:
    with store.open(sha256, "original") as f:
        return sha256_of(f)[0] == sha256
