import Foundation
import SyncCore
import TestSupport
import Testing

/// Where commands find the replica when no `--data-dir` is given.
@Suite struct DataDirectoryTests {
    static let home = ["HOME": "/home/alice"]

    @Test func theFlagThenTheEnvironmentThenSystemdDecide() {
        #expect(DataDirectory.resolve("/srv/n", environment: ["NAPSYNC_DATA_DIR": "/e"]).path == "/srv/n")
        #expect(DataDirectory.resolve(nil, environment: ["NAPSYNC_DATA_DIR": "/e", "STATE_DIRECTORY": "/s"]).path == "/e")
        #expect(DataDirectory.resolve(nil, environment: ["STATE_DIRECTORY": "/var/lib/napsync:/other"]).path == "/var/lib/napsync")
        #expect(DataDirectory.resolve(nil, environment: ["XDG_DATA_HOME": "/x"], serviceDirectory: URL(fileURLWithPath: "/nonexistent")).path == "/x/napsync")
    }

    /// The service user (`sudo -u napsync napsync record ...`) gets the service's replica; anyone else, root
    /// included, their own, so that nobody leaves files there the service cannot open.
    @Test func theServiceReplicaIsTheDefaultForItsOwnerOnly() throws {
        let service = try TemporaryDirectory()
        let own = DataDirectory.resolve(nil, environment: Self.home, serviceDirectory: service.url)
        #expect(own.path == "/home/alice/.local/share/napsync", "no replica in the service directory yet")

        FileManager.default.createFile(atPath: service.appending(Replica.databaseFileName).path, contents: Data())
        #expect(DataDirectory.resolve(nil, environment: Self.home, serviceDirectory: service.url, userID: getuid()) == service.url)
        #expect(DataDirectory.resolve(nil, environment: Self.home, serviceDirectory: service.url, userID: getuid() &+ 1) == own)
        #expect(DataDirectory.resolve(nil, environment: ["NAPSYNC_DATA_DIR": "/e"], serviceDirectory: service.url).path == "/e")
    }

    /// Someone else who finds no replica of their own is told where the service's is.
    @Test func theServiceReplicaIsPointedOutToOtherUsers() throws {
        let service = try TemporaryDirectory()
        #expect(DataDirectory.otherUsersServiceReplica(userID: getuid() &+ 1, serviceDirectory: service.url) == nil, "no replica there")
        FileManager.default.createFile(atPath: service.appending(Replica.databaseFileName).path, contents: Data())
        #expect(DataDirectory.otherUsersServiceReplica(userID: getuid() &+ 1, serviceDirectory: service.url) == service.url)
        #expect(DataDirectory.otherUsersServiceReplica(userID: getuid(), serviceDirectory: service.url) == nil, "its owner uses it")
    }
}
