import Foundation
import TestSupport
import Testing

/// A damaged, out-of-order or foreign file handed to `bundle import` is refused as a whole: the command exits
/// non-zero, says on stderr which file and what is wrong, and the replica keeps exactly the data and clock it had.
@Suite("Bundle import refusals through the CLI")
struct BundleRefusalTests {
    /// Ways a bundle file can be bad, each with a phrase the refusal must contain.
    enum BadBundle: CaseIterable, CustomTestStringConvertible {
        case truncatedToHalf
        case missingEndMarker
        case trailingBytes
        case flippedMagicByte
        case flippedVersionByte
        case flippedChangeSetByte
        case flippedMiddleByte
        case flippedLastPayloadByte
        case gap
        case randomBytes
        case emptyFile

        var testDescription: String { "\(self)" }

        var expectedMessage: String {
            switch self {
            case .truncatedToHalf, .missingEndMarker: "the bundle is truncated"
            case .trailingBytes: "trailing bytes after the end marker"
            case .flippedMagicByte, .randomBytes, .emptyFile: "not a napsync bundle"
            case .flippedVersionByte: "unknown bundle version 0"
            case .flippedChangeSetByte: "not a napsync change set"
            case .flippedMiddleByte, .flippedLastPayloadByte: "integrity check failed"
            case .gap: "skips changes of node"
            }
        }

        /// Writes the bad file into the workspace. `valid` is a full bundle of Defence's two changes.
        func write(in workspace: CLIWorkspace, valid: URL, defence: CLINode) async throws -> URL {
            let bytes = [UInt8](try Data(contentsOf: valid))
            let bad: [UInt8]
            switch self {
            case .truncatedToHalf: bad = Array(bytes.prefix(bytes.count / 2))
            case .missingEndMarker: bad = Array(bytes.dropLast())
            case .trailingBytes: bad = bytes + Array("x".utf8)
            // Layout: "NAPB", version, LEB128 length, change set, ..., end marker 0.
            case .flippedMagicByte: bad = Self.flip(bytes, at: 0)
            case .flippedVersionByte: bad = Self.flip(bytes, at: 4)
            case .flippedChangeSetByte: bad = Self.flip(bytes, at: Self.firstChangeSetOffset(bytes))
            case .flippedMiddleByte: bad = Self.flip(bytes, at: bytes.count / 2)
            case .flippedLastPayloadByte: bad = Self.flip(bytes, at: bytes.count - 2)
            case .gap: return try await Self.gapBundle(in: workspace, defence: defence)
            case .randomBytes:
                // Seeded, so a failure repeats; never starts with the magic "NAPB".
                var generator = SplitMix64(seed: 0x4E41_5053)
                bad = Array("random".utf8) + (0..<512).map { _ in UInt8.random(in: 0...255, using: &generator) }
            case .emptyFile: bad = []
            }
            let url = workspace.file("\(self).napb")
            try Data(bad).write(to: url)
            return url
        }

        /// Where the first change set starts: after the header and its LEB128 length.
        static func firstChangeSetOffset(_ bytes: [UInt8]) -> Int {
            var index = 5
            while bytes[index] & 0x80 != 0 { index += 1 }
            return index + 1
        }

        static func flip(_ bytes: [UInt8], at index: Int) -> [UInt8] {
            var flipped = bytes
            flipped[index] ^= 0x01
            return flipped
        }

        /// A bundle made `--for` the coordinator, which holds Defence's first change: it starts at Defence's
        /// second change, so a receiver that lacks the first has a gap.
        static func gapBundle(in workspace: CLIWorkspace, defence: CLINode) async throws -> URL {
            let coordinator = try await workspace.coordinator()
            let first = try await defence.exportBundle(named: "defence-first")
            try await defence.record("entry", "--line", "15", "--year", "2014", "--status", "planned")
            _ = try await coordinator.importBundle(first)
            let clock = workspace.file("coordinator-clock.json")
            try await coordinator.saveStatus(to: clock)
            return try await defence.exportBundle(named: "\(BadBundle.gap)", for: clock)
        }
    }

    @Test(arguments: BadBundle.allCases)
    func aBadBundleIsRefusedAndChangesNothing(_ bad: BadBundle) async throws {
        // Given a Justice replica with data of its own, and a bad file made from a Defence bundle
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        let justice = try await workspace.department("justice")
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        try await justice.record("entry", "--line", "3.a", "--year", "2014", "--status", "done")
        let valid = try await defence.exportBundle(named: "defence-valid")
        let file = try await bad.write(in: workspace, valid: valid, defence: defence)
        let before = try await justice.status()

        // When Justice imports it
        let result = try await justice.run(["bundle", "import", file.path, "--json"])

        // Then the import fails with a message naming the file and the problem, and nothing changed
        #expect(!result.succeeded, "\(result)")
        #expect(result.errorOutput.contains(file.lastPathComponent), "\(result)")
        #expect(result.errorOutput.contains(bad.expectedMessage), "\(result)")
        #expect(result.output.isEmpty, "\(result)")
        let after = try await justice.status()
        #expect(after.digest == before.digest)
        #expect(after.clock == before.clock)
        #expect(after == before)
    }

    @Test func theGapBundleIsAcceptedOnceTheMissingChangesArrive() async throws {
        // Given a Justice replica refused the gap bundle
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        let justice = try await workspace.department("justice")
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        let gap = try await BadBundle.gapBundle(in: workspace, defence: defence)
        #expect(try await !justice.run(["bundle", "import", gap.path]).succeeded)

        // When the bundle made for its own clock arrives first
        let caughtUp = try await workspace.carry(from: defence, to: justice)
        let replayed = try await justice.importBundle(gap)

        // Then the refused bundle now imports cleanly, as changes already known
        #expect(caughtUp.applied == 2)
        #expect(replayed.applied == 0)
        #expect(replayed.alreadyKnown == 1)
        #expect(try await justice.status().digest == defence.status().digest)
    }

    @Test func anExportIntoAMissingDirectoryNamesTheFileAndWritesNothing() async throws {
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        let target = workspace.file("no-such-directory/defence.napb")
        let result = try await defence.run(["bundle", "export", "--out", target.path])
        #expect(!result.succeeded, "\(result)")
        #expect(result.errorOutput.contains("cannot write \(target.path)"), "\(result)")
        #expect(result.errorOutput.contains("check that its directory exists"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: target.deletingLastPathComponent().path))
    }

    @Test func anExportOntoADirectoryLeavesTheDirectoryAsItWas() async throws {
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        let directory = workspace.file("exports")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let kept = directory.appendingPathComponent("earlier.napb")
        try Data("earlier".utf8).write(to: kept)
        let result = try await defence.run(["bundle", "export", "--out", directory.path])
        #expect(!result.succeeded, "\(result)")
        #expect(result.errorOutput.contains("it is a directory; name the bundle file"), "\(result)")
        #expect(try Data(contentsOf: kept) == Data("earlier".utf8))
    }

    @Test func anExportOverAnEarlierBundleReplacesIt() async throws {
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        let justice = try await workspace.department("justice")
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        let first = try await defence.exportBundle(named: "defence")
        try await defence.record("entry", "--line", "15", "--year", "2014", "--status", "planned")
        let second = try await defence.exportBundle(named: "defence")
        #expect(first == second)
        #expect(try await justice.importBundle(second).applied == 2)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: second.deletingLastPathComponent().path)
            .filter { $0.hasSuffix(".partial") }
        #expect(leftovers.isEmpty)
    }
}
