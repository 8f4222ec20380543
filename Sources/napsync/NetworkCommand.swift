import ArgumentParser
import Foundation
import SyncCore

struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Found the network on the coordinator: its root key signs every membership.",
        discussion: """
            Run once, on the coordinator node. The root key stays in the coordinator's data directory
            (network-root.key, mode 0600): back it up offline. From then on the coordinator refuses changes
            from nodes it has not admitted. Then admit each department node:
              department$ napsync join request --out defence.request
              coordinator$ napsync admit defence.request --out defence.admission
              department$ napsync join install defence.admission
            """,
        subcommands: [NetworkCreateCommand.self])
}

struct NetworkCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create the network's root key (coordinator only).")

    @OptionGroup var options: ReplicaOptions

    func run() throws {
        let fingerprint = try options.openReplica().createNetwork()
        print("founded network \(fingerprint); admit nodes with `napsync admit REQUEST --out FILE`")
    }
}

struct JoinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join the network: write a request for the coordinator, then install its answer.",
        discussion: "Both steps work offline: the files can travel by hand. See `napsync network --help`.",
        subcommands: [JoinRequestCommand.self, JoinInstallCommand.self])
}

struct JoinRequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "request", abstract: "Write this node's join request (public key only).")

    @OptionGroup var options: ReplicaOptions
    @Option(help: "The request file to write.") var out: String

    func run() throws {
        let request = try options.openReplica().joinRequest()
        try writeJSON(request, to: out)
        print("wrote \(out) for node \(request.node) (\(request.owner)); give it to the coordinator")
    }
}

struct JoinInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "install", abstract: "Install the coordinator's admission: pins the network and this node's certificate.")

    @OptionGroup var options: ReplicaOptions
    @Argument(help: "The admission file from `napsync admit`.") var file: String

    func run() throws {
        let admission: Admission = try readJSON(file)
        let replica = try options.openReplica()
        try replica.install(admission)
        print("joined network \(admission.certificate.network) as \(admission.certificate.owner); changes from now on are signed and verified")
    }
}

struct AdmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admit", abstract: "Admit a node into the network (coordinator only): sign its membership certificate.")

    @OptionGroup var options: ReplicaOptions
    @Argument(help: "The join request file.") var request: String
    @Option(help: "The admission file to write, for the node.") var out: String
    @Option(help: "How long the membership is valid, in days.") var validDays = 1095

    func run() throws {
        let joinRequest: JoinRequest = try readJSON(request)
        let admission = try options.openReplica().admit(joinRequest, validForDays: validDays)
        try writeJSON(admission, to: out)
        print("admitted node \(joinRequest.node) as \(joinRequest.owner) for \(validDays) days; wrote \(out)")
    }
}

struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a node's membership (coordinator only); the revocation syncs to every replica.",
        discussion: "Example: napsync revoke 63dba77940a104031fe3d55ab1ff7b9a --reason \"laptop stolen\"")

    @OptionGroup var options: ReplicaOptions
    @Argument(help: "The node id to revoke.") var node: String
    @Option(help: "Why, for the record.") var reason: String

    func run() throws {
        guard let id = NodeID(hex: node) else { throw CommandFailure("'\(node)' is not a node id (32 hex digits)") }
        guard let change = try options.openReplica().revoke(id, reason: reason) else {
            print("node \(id) was already revoked, for this reason: nothing to do")
            return
        }
        print("revoked node \(id) (change \(change.dot)); replicas refuse its changes once this reaches them")
    }
}

func writeJSON(_ value: some Encodable, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    try encoder.encode(value).write(to: URL(fileURLWithPath: path), options: .atomic)
}

func readJSON<T: Decodable>(_ path: String) throws -> T {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw CommandFailure("cannot read \(path): \(error.localizedDescription)")
    }
    do { return try JSONDecoder().decode(T.self, from: data) } catch {
        throw CommandFailure("\(path) is not a valid \(T.self) file: \(error)")
    }
}
