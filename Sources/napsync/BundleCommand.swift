import ArgumentParser
import Foundation
import SyncCore

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Carry changes by hand: export them to a file, import a file from another node.",
        discussion: """
            For air-gapped networks. On the receiving side, `napsync status --json > clock.json` records what it
            holds; carry clock.json over, and the sender exports only what is missing:
              napsync bundle export --out defence.napb --for clock.json
              napsync bundle import defence.napb
            Without --for, the bundle holds everything this node has. Importing twice is harmless.
            """,
        subcommands: [BundleExportCommand.self, BundleImportCommand.self])
}

/// Progress on a terminal; silence when stderr is a file or a pipe.
struct Progress {
    let enabled = isatty(STDERR_FILENO) == 1

    func update(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(message)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
