import GRDB

/// The replica's SQLite schema. Shipped migrations never change; a new schema version is a new migration.
enum ReplicaSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // This node: id, owner, role, dataset. Node-local; never replicated.
            try db.execute(
                sql: """
                    CREATE TABLE node (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                    -- Every node whose changes this replica holds: the vector clock (seq) and the owner the node writes for.
                    -- idx is a local short name used inside stored blobs.
                    CREATE TABLE origin (
                        idx INTEGER PRIMARY KEY,
                        node_id TEXT NOT NULL UNIQUE,
                        owner TEXT NOT NULL,
                        seq INTEGER NOT NULL DEFAULT 0,
                        last_received REAL
                    );
                    -- The change log, in local apply order (id): a causal order, so it can be replayed to a peer as is.
                    CREATE TABLE change (
                        id INTEGER PRIMARY KEY,
                        origin INTEGER NOT NULL REFERENCES origin(idx),
                        seq INTEGER NOT NULL,
                        time INTEGER NOT NULL,
                        record TEXT NOT NULL,
                        body BLOB NOT NULL
                    );
                    CREATE UNIQUE INDEX change_origin_seq ON change(origin, seq);
                    -- Materialised state of each record: every live version of every field.
                    CREATE TABLE record (
                        key TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL,
                        owner TEXT NOT NULL,
                        removed INTEGER NOT NULL DEFAULT 0,
                        conflicts INTEGER NOT NULL DEFAULT 0,
                        state BLOB NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX record_conflicts ON record(conflicts) WHERE conflicts > 0;
                    """)
        }
        migrator.registerMigration("v2-trust") { db in
            try db.execute(
                sql: """
                    -- The hash chain per origin (see ChangeChain): the change's digest and the chain value after it.
                    ALTER TABLE change ADD COLUMN digest BLOB;
                    ALTER TABLE change ADD COLUMN chain BLOB;
                    -- Origins' signatures over their chain at a sequence number. tail holds the digests of changes
                    -- after tail_from up to seq that this replica does not hold yet (received with a chunk).
                    CREATE TABLE checkpoint (
                        origin INTEGER NOT NULL REFERENCES origin(idx),
                        seq INTEGER NOT NULL,
                        signature BLOB NOT NULL,
                        tail_from INTEGER NOT NULL,
                        tail BLOB NOT NULL,
                        PRIMARY KEY (origin, seq)
                    ) WITHOUT ROWID;
                    -- Membership certificates of the nodes whose changes this replica holds (relayed with them).
                    CREATE TABLE certificate (node_id TEXT PRIMARY KEY NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;
                    -- Refused change sets, kept for inspection.
                    CREATE TABLE quarantine (
                        id INTEGER PRIMARY KEY,
                        received REAL NOT NULL,
                        sender TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        data BLOB NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3-change-blocks") { db in try moveChangesIntoBlocks(db) }
        migrator.registerMigration("v4-record-key-only") { db in
            // The key names the record's kind and owner; the copies in their own columns were never read, and a
            // record row's size decides how many pages a batch of writes dirties (docs/benchmarks.md, "Where a
            // batch's pages go").
            try db.execute(sql: "ALTER TABLE record DROP COLUMN kind; ALTER TABLE record DROP COLUMN owner")
        }
        migrator.registerMigration("v5-field-name-numbers") { _ in
            // Nothing to rewrite: states stored before name their fields in full and still read. States stored
            // from here on name the model's fields by number (`StoredFieldName`), which an older napsync would
            // misread; this migration makes it refuse the replica instead.
        }
        return migrator
    }
}
