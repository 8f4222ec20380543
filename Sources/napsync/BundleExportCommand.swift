import ArgumentParser
import Foundation
import SyncCore

struct BundleExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a bundle of changes to a file.")

    @OptionGroup var options: ReplicaOptions
    @Option(help: "The bundle file to write.") var out: String
    @Option(name: .customLong("for"), help: "A clock file (`napsync status --json` of the receiver): export only what it lacks.")
    var clockFile: String?
    @Option(help: "Changes per change set in the bundle.") var chunkSize = Replica.defaultChunkSize

    func run() throws {
        let replica = try options.openReplica()
        var clock = VectorClock()
        if let clockFile { clock = try Self.readClock(clockFile) }
        let progress = Progress()
        let written = try ChangeBundle.write(
            from: replica, for: clock, to: URL(fileURLWithPath: out), chunkSize: chunkSize,
            emptySet: { try replica.emptyChangeSet() }, progress: { progress.update("exported \($0) changes") })
        progress.finish()
        print("wrote \(out): \(written.changes) changes in \(written.changeSets) change set(s)")
    }

    /// Reads a clock from `napsync status --json` output, or from a bare `{node: seq}` object.
    static func readClock(_ path: String) throws -> VectorClock {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CommandFailure("cannot read clock file \(path): \(error.localizedDescription)")
        }
        struct StatusFile: Decodable { var clock: VectorClock }
        if let status = try? JSONDecoder().decode(StatusFile.self, from: data) { return status.clock }
        if let clock = try? JSONDecoder().decode(VectorClock.self, from: data) { return clock }
        throw CommandFailure("\(path) holds no clock: give the output of `napsync status --json` on the receiving node")
    }
}
