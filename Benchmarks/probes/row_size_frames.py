#!/usr/bin/env python3
"""How many write-ahead log frames 1,000 random-key inserts commit, as the rows grow.

A probe behind docs/benchmarks.md ("Where a batch's pages go"), not part of the suite: a WITHOUT ROWID table
keyed like the record table (`intervention/<department>/<uuid>`, 57 bytes) with one blob column of each size,
15,000 rows first, then three batches of 1,000 new rows, each in one transaction, checkpointed between batches
as the suite does. Python's sqlite3 module, WAL, 64 MiB cache, fixed seed.

    python3 Benchmarks/probes/row_size_frames.py
"""
import os
import random
import sqlite3
import tempfile
import uuid


def frames_per_batch(payload, prefill=15_000, batches=3):
    directory = tempfile.mkdtemp(prefix="row-size-")
    path = os.path.join(directory, "probe.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = wal")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("PRAGMA cache_size = -65536")
    db.execute("CREATE TABLE t (key TEXT PRIMARY KEY NOT NULL, v BLOB) WITHOUT ROWID")
    rng = random.Random(1)

    def insert(count):
        db.execute("BEGIN")
        for _ in range(count):
            key = "intervention/defence/" + str(uuid.UUID(int=rng.getrandbits(128)))
            db.execute("INSERT INTO t VALUES (?, ?)", (key, rng.randbytes(payload)))
        db.execute("COMMIT")

    insert(prefill)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    frames = []
    for _ in range(batches):
        insert(1_000)
        frames.append(db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for name in os.listdir(directory):
        os.remove(os.path.join(directory, name))
    os.rmdir(directory)
    return frames


if __name__ == "__main__":
    print("blob bytes per row: log frames of each batch of 1,000 inserts")
    for payload in (160, 200, 250, 300, 350):
        print(f"{payload}: {frames_per_batch(payload)}")
