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

        _ = FileManager.default.createFile(atPath: service.appending(Replica.databaseFileName).path, contents: Data())
        #expect(DataDirectory.resolve(nil, environment: Self.home, serviceDirectory: service.url, userID: getuid()) == service.url)
        #expect(DataDirectory.resolve(nil, environment: Self.home, serviceDirectory: service.url, userID: getuid() &+ 1) == own)
        #expect(DataDirectory.resolve(nil, environment: ["NAPSYNC_DATA_DIR": "/e"], serviceDirectory: service.url).path == "/e")
    }

    /// Someone who finds no replica of their own on a host running the service is told where its replicas are:
    /// `napsync.service`'s, or `napsync@INSTANCE.service`'s.
    @Test func theServiceReplicasArePointedOut() throws {
        let service = try TemporaryDirectory()
        #expect(DataDirectory.serviceReplicas(serviceDirectory: service.url).isEmpty)
        #expect(DataDirectory.serviceHint(missing: "/home/alice/n", replicas: []) == nil)

        _ = FileManager.default.createFile(atPath: service.appending(Replica.databaseFileName).path, contents: Data())
        let other = DataDirectory.serviceReplicas(userID: getuid() &+ 1, serviceDirectory: service.url)
        #expect(other == [.init(directory: service.url, isOwnedByCaller: false)])
        let hint = try #require(DataDirectory.serviceHint(missing: "/home/alice/n", replicas: other))
        #expect(hint.contains("no replica in /home/alice/n") && hint.contains(service.url.path) && hint.contains("sudo -u napsync napsync ...`"))
    }

    /// A directory the user named is where they meant to look: no hint.
    @Test func aNamedDirectoryGetsNoHint() throws {
        let service = try TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: service.appending(Replica.databaseFileName).path, contents: Data())
        let other = getuid() &+ 1
        #expect(DataDirectory.hintForMissingReplica(in: "/x", flag: "/x", environment: [:], serviceDirectory: service.url, userID: other) == nil)
        #expect(DataDirectory.hintForMissingReplica(in: "/e", flag: nil, environment: ["NAPSYNC_DATA_DIR": "/e"], serviceDirectory: service.url, userID: other) == nil)
        #expect(DataDirectory.hintForMissingReplica(in: "/h", flag: nil, environment: Self.home, serviceDirectory: service.url, userID: other) != nil)
    }

    @Test func theInstancesOfTheTemplateUnitArePointedOut() throws {
        let service = try TemporaryDirectory()
        for instance in ["defence", "coordinator"] {
            try FileManager.default.createDirectory(at: service.appending(instance), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: service.appending("\(instance)/\(Replica.databaseFileName)").path, contents: Data())
        }
        try FileManager.default.createDirectory(at: service.appending("empty"), withIntermediateDirectories: true)
        let mine = DataDirectory.serviceReplicas(userID: getuid(), serviceDirectory: service.url)
        #expect(mine.map(\.directory.lastPathComponent) == ["coordinator", "defence"] && mine.allSatisfy(\.isOwnedByCaller))
        #expect(DataDirectory.serviceHint(missing: "/x", replicas: mine)?.contains("name one with --data-dir") == true)
        let others = DataDirectory.serviceReplicas(userID: getuid() &+ 1, serviceDirectory: service.url)
        #expect(DataDirectory.serviceHint(missing: "/x", replicas: others)?.contains("sudo -u napsync napsync ... --data-dir DIR") == true)
    }
}
