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
        // Given a replica holding its own record and one received, with the record table as schema v3 left it
        let directory = fixture.directory.appending("defence")
        let exportBefore: String
        do {
            let defence = try Replica.create(at: directory, owner: .department(.defence), logger: Logger.silent)
            let justice = try fixture.make(.justice)
            try defence.set(own, fields: ["narrative": .text("trained 12 advisers")])
            try justice.set(received, fields: ["status": .text("done")])
            try justice.push(to: defence)
            exportBefore = try defence.canonicalExport().digest()
            try defence.database.write { db in
                try db.execute(
                    sql: """
                        ALTER TABLE record ADD COLUMN kind TEXT NOT NULL DEFAULT '';
                        ALTER TABLE record ADD COLUMN owner TEXT NOT NULL DEFAULT '';
                        UPDATE record SET kind = 'entry', owner = substr(key, 7, instr(substr(key, 7), '/') - 1);
                        DELETE FROM grdb_migrations WHERE identifier = 'v4-record-key-only';
                        """)
                #expect(try String.fetchAll(db, sql: "SELECT owner FROM record ORDER BY key") == ["defence", "justice"])
            }
        }
        // When it is opened again
        let reopened = try Replica.open(at: directory, logger: Logger.silent)
        // Then the columns are gone, the data is as it was, and the replica takes new writes
        let columns = try reopened.database.read { db in try db.columns(in: "record").map(\.name) }
        #expect(columns == ["key", "removed", "conflicts", "state"])
        #expect(try reopened.canonicalExport().digest() == exportBefore)
        try reopened.set(own, fields: ["narrative": .text("trained 14 advisers")])
        #expect(try reopened.state(of: own)?.values["narrative"] == .text("trained 14 advisers"))
        #expect(try reopened.state(of: received)?.values["status"] == .text("done"))
    }
}
