import Foundation
import GRDB
import Logging
import NAPModel
@testable import SyncCore
import TestSupport
import Testing

/// Schema v4 drops the record table's `kind` and `owner` columns, which repeated what the key says: a replica
/// written before opens with its records whole and keeps working.
@Suite struct RecordTableMigrationTests {
    let fixture: ReplicaFixture
    let own = RecordKey.entry(.defence, year: 2014, line: "1.a")
    let received = RecordKey.entry(.justice, year: 2015, line: "3.d")

    init() throws { fixture = try ReplicaFixture() }

    @Test func aReplicaWithKindAndOwnerColumnsOpensWithItsRecordsWhole() throws {
        // Given a replica holding its own record (several fields, one edited since) and one received, with the
        // record table and the stored states as schema v3 left them
        let directory = fixture.directory.appending("defence")
        let exportBefore: String
        do {
            let defence = try Replica.create(at: directory, owner: .department(.defence), logger: Logger.silent)
            let justice = try fixture.make(.justice)
            try defence.set(own, fields: ["narrative": .text("trained 12 advisers"), "status": .text("ongoing")])
            try defence.set(own, fields: ["status": .text("done")])
            try justice.set(received, fields: ["status": .text("done"), "narrative": .text("n")])
            try justice.push(to: defence)
            exportBefore = try defence.canonicalExport().digest()
            try defence.database.write { db in try Self.rewriteAsSchemaV3(db) }
        }
        // When it is opened again
        let reopened = try Replica.open(at: directory, logger: Logger.silent)
        // Then the columns are gone, the data is as it was, and the replica takes new writes
        let columns = try reopened.database.read { db in try db.columns(in: "record").map(\.name) }
        #expect(columns == ["key", "removed", "conflicts", "state"])
        #expect(try reopened.canonicalExport().digest() == exportBefore)
        try reopened.set(own, fields: ["narrative": .text("trained 14 advisers")])
        #expect(try reopened.state(of: own)?.values == ["narrative": .text("trained 14 advisers"), "status": .text("done")])
        #expect(try reopened.state(of: received)?.values == ["narrative": .text("n"), "status": .text("done")])
    }

    /// Rebuilds the record table as schema v3 created it (kind and owner columns, NOT NULL, in their place) with
    /// every state in the form written before versions were shared (each version in full), and forgets the v4
    /// migration.
    static func rewriteAsSchemaV3(_ db: Database) throws {
        let origins = try OriginDirectory(db)
        let rows = try Row.fetchAll(db, sql: "SELECT key, removed, conflicts, state FROM record")
        var repeatedVersions = 0
        try db.execute(
            sql: """
                DROP TABLE record;
                CREATE TABLE record (
                    key TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    removed INTEGER NOT NULL DEFAULT 0,
                    conflicts INTEGER NOT NULL DEFAULT 0,
                    state BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX record_conflicts ON record(conflicts) WHERE conflicts > 0;
                DELETE FROM grdb_migrations WHERE identifier = 'v4-record-key-only';
                """)
        for row in rows {
            let key = try #require(RecordKey(row["key"] as String))
            let state = try StoredEncoding.decodeState([UInt8](row["state"] as Data), node: { origins.node(at: $0) })
            var full = BinaryWriter()
            full.varint(state.entries.count)
            for field in state.entries {
                full.string(field.name)
                full.varint(field.versions.count)
                for version in field.versions {
                    full.varint(UInt64(try #require(origins.index(of: version.dot.origin))))
                    full.varint(version.dot.seq)
                    full.signed(version.time)
                    full.value(version.value)
                    full.varint(version.observed.count)
                    for dot in version.observed {
                        full.varint(UInt64(try #require(origins.index(of: dot.origin))))
                        full.varint(dot.seq)
                    }
                }
            }
            if full.bytes.count > (row["state"] as Data).count { repeatedVersions += 1 }
            try db.execute(
                sql: "INSERT INTO record (key, kind, owner, removed, conflicts, state) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [key.description, key.kind.rawValue, key.owner.slug, row["removed"], row["conflicts"], Data(full.bytes)])
        }
        #expect(repeatedVersions > 0, "no state had a version shared by two fields to write out in full")
    }
}
