import Foundation
import NAPModel
import Logging
import ServiceLifecycle
import SyncCore
import SyncServer
import TestSupport
import Testing

/// The daemon's checkpoint service copies the log into the database file on its schedule, and stops on graceful
/// shutdown.
@Suite struct WALCheckpointServiceTests {
    @Test func theServiceCheckpointsOnItsSchedule() async throws {
        let fixture = try ReplicaFixture()
        let replica = try fixture.make(.defence)
        let path = replica.directory.appendingPathComponent(Replica.databaseFileName).path
        func databaseBytes() throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1 }
        let before = try databaseBytes()
        for index in 0..<20 {
            try replica.set(.entry(.defence, year: 2013 + index % 4, line: "1.a"), fields: ["narrative": .text("draft \(index)")])
        }
        #expect(try databaseBytes() == before, "the writer checkpointed on its own")

        let clock = ManualClock()
        let service = WALCheckpointService(
            checkpointer: try replica.walCheckpointer(), interval: .seconds(1), clock: clock,
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        let group = ServiceGroup(services: [service], logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // When its interval passes
            let deadline = try await clock.nextSleep()
            #expect(clock.now.duration(to: deadline) == .seconds(1))
            clock.advance(to: deadline)
            // Then the log is copied into the database file (the service is asked to sleep again once it has)
            _ = try await clock.nextSleep()
            #expect(try databaseBytes() > before)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func theDaemonCheckpointsItsReplicasLogWhileItServes() async throws {
        // Given a daemon serving a replica, and writes past SQLite's automatic checkpoint threshold meanwhile
        let fixture = try ReplicaFixture()
        let replica = try fixture.make(.defence)
        let path = replica.directory.appendingPathComponent(Replica.databaseFileName).path
        @Sendable func databaseBytes() throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1 }
        let before = try databaseBytes()
        let grew = try await withTestNode(exchange: replica) { _, _ in
            for index in 0..<400 {
                try replica.set(.entry(.defence, year: 2013 + index % 4, line: "1.a"), fields: ["narrative": .text("draft \(index)")])
            }
            // Then the daemon copies the log into the database file within a few of its one-second rounds (the
            // bound only matters when it never does)
            for _ in 0..<100 where try databaseBytes() == before {
                try await Task.sleep(for: .milliseconds(100))
            }
            return try databaseBytes() > before
        }
        #expect(grew, "the database file did not grow while the daemon served: nothing checkpointed the log")
    }
}
