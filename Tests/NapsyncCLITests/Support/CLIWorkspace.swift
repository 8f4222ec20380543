import Foundation
import TestSupport

/// A temp directory holding the nodes and bundle files of one test, and the `napsync` executable they run.
/// Everything happens through the command line, as staff would do it; the directory goes when the test ends.
struct CLIWorkspace {
    let directory: TemporaryDirectory
    let napsync: NapsyncProcess

    init() throws {
        directory = try TemporaryDirectory(prefix: "napsync-cli")
        napsync = try NapsyncProcess()
    }

    /// A path in the workspace for a bundle, clock or other file.
    func file(_ name: String) -> URL { directory.appending(name) }

    /// `napsync init --department NAME` in a fresh directory.
    func department(_ department: String, name: String? = nil) async throws -> CLINode {
        try await node(name ?? department, initArguments: ["--department", department])
    }

    /// `napsync init --coordinator` in a fresh directory.
    func coordinator(name: String = "coordinator") async throws -> CLINode {
        try await node(name, initArguments: ["--coordinator"])
    }

    private func node(_ name: String, initArguments: [String]) async throws -> CLINode {
        let node = CLINode(name: name, directory: directory.appending(name), workspace: self)
        try await node.succeed(["init"] + initArguments)
        return node
    }

    /// A node whose directory holds no replica (yet).
    func emptyNode(_ name: String) -> CLINode {
        CLINode(name: name, directory: directory.appending(name), workspace: self)
    }

    /// Carries what `receiver` lacks from `sender` by hand: the receiver's `status --json` becomes the clock file,
    /// the sender exports `--for` it, the receiver imports the bundle.
    @discardableResult
    func carry(from sender: CLINode, to receiver: CLINode) async throws -> ImportReport {
        let clock = file("\(receiver.name)-clock-\(UUID().uuidString.prefix(6)).json")
        try await receiver.saveStatus(to: clock)
        let bundle = try await sender.exportBundle(named: "\(sender.name)-to-\(receiver.name)", for: clock)
        return try await receiver.importBundle(bundle)
    }
}

/// One node, driven only through `napsync … --data-dir DIR`.
struct CLINode {
    let name: String
    let directory: URL
    let workspace: CLIWorkspace

    /// Runs a command against this node, whatever its exit status.
    func run(_ arguments: [String]) async throws -> NapsyncResult {
        try await workspace.napsync.run(arguments + ["--data-dir", directory.path])
    }

    /// Runs a command that must succeed.
    @discardableResult
    func succeed(_ arguments: [String]) async throws -> NapsyncResult {
        try await workspace.napsync.succeed(arguments + ["--data-dir", directory.path])
    }

    /// `napsync record KIND ARGS…`, which must succeed.
    @discardableResult
    func record(_ kind: String, _ arguments: String...) async throws -> NapsyncResult {
        try await succeed(["record", kind] + arguments)
    }

    func status() async throws -> NodeStatus {
        try await succeed(["status", "--json"]).json()
    }

    /// Writes `status --json` to a file, as a receiving node does before a bundle is made for it.
    func saveStatus(to url: URL) async throws {
        try await succeed(["status", "--json"]).stdout.write(to: url)
    }

    /// `bundle export --out FILE [--for CLOCK]`; returns the bundle file.
    func exportBundle(named name: String, for clock: URL? = nil) async throws -> URL {
        let bundle = workspace.file("\(name).napb")
        try await succeed(["bundle", "export", "--out", bundle.path] + (clock.map { ["--for", $0.path] } ?? []))
        return bundle
    }

    func importBundle(_ bundle: URL) async throws -> ImportReport {
        try await succeed(["bundle", "import", bundle.path, "--json"]).json()
    }

    func conflicts() async throws -> [OpenConflict] {
        try await succeed(["conflicts", "list", "--json"]).json()
    }

    /// The canonical export, as bytes.
    func export() async throws -> Data {
        try await succeed(["export"]).stdout
    }

    /// `show --year YEAR --json`: the entries this node shows.
    func entries(year: Int) async throws -> [ShownEntry] {
        try await succeed(["show", "--year", "\(year)", "--json"]).json(Listing.self).entries
    }
}

/// `napsync status --json`.
struct NodeStatus: Decodable, Equatable {
    var node: String
    var department: String
    var clock: [String: UInt64]
    var digest: String
    var records: Int
    var conflicts: Int
}

/// `napsync bundle import --json`.
struct ImportReport: Decodable, Equatable {
    var applied: Int
    var alreadyKnown: Int
    var conflictsOpened: Int
    var clock: [String: UInt64]
}

/// One row of `napsync conflicts list --json`, for conflicts on text fields such as an entry's status.
struct OpenConflict: Decodable, Equatable {
    struct Version: Decodable, Equatable {
        var origin: String
        var seq: UInt64
        var value: String
    }
    var record: String
    var field: String
    var kind: String
    var winner: Version
    var others: [Version]

    /// The values in the order `conflicts list` numbers them (1 is the one every replica shows).
    var numberedValues: [String] { ([winner] + others).map(\.value) }
}

/// `napsync show --json`, the part the tests read.
struct Listing: Decodable {
    var entries: [ShownEntry]
}

struct ShownEntry: Decodable, Equatable {
    var department: String
    var line: String
    var year: Int
    var status: String
}
