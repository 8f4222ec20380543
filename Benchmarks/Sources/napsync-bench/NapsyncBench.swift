import ArgumentParser
import Foundation
import NapsyncBenchKit

/// Runs the suite and prints every figure next to its baseline from the same run, with the target and a
/// plain verdict. `Benchmarks/run` builds it in release mode and runs it.
@main
struct NapsyncBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "napsync-bench",
        abstract: "Measure napsync's tracked writes, change-set apply, change-set size and up-to-date export against plain baselines.")

    enum Group: String, CaseIterable, ExpressibleByArgument {
        case write, apply, size, export, sync
    }

    @Flag(help: "Small data sets and few rounds: a smoke run, not figures to report.")
    var quick = false

    @Option(parsing: .upToNextOption, help: "Run only these groups (write, apply, size, export, sync).")
    var only: [Group] = Group.allCases

    @Option(help: "Rounds of each paired comparison.")
    var rounds: Int?

    @Option(help: "Directory for the databases (default: a new temporary directory, removed afterwards).")
    var directory: String?

    @Flag(help: "Print the table as Markdown.")
    var markdown = false

    @Flag(help: "Exit with status 1 if any target is missed.")
    var strict = false

    @Option(help: "Run only napsync's side of one workload (write, batch, edits, apply, serve) for --seconds, for a profiler; print no table.")
    var profile: ProfileLoop.Subject?

    @Option(help: "How long --profile runs.")
    var seconds: Double = 20

    @Option(help: "Most changes per change set in the sync group's sessions (default: napsync's own, \(SuiteOptions.defaultSyncChunkSize)).")
    var chunkSize: Int?

    @Option(help: .hidden)
    var serveNode: String?

    @Option(help: .hidden)
    var serveChunkSize: Int = SuiteOptions.defaultSyncChunkSize

    func validate() throws {
        if let rounds, rounds < 1 { throw ValidationError("--rounds must be at least 1") }
        if let chunkSize, chunkSize < 1 { throw ValidationError("--chunk-size must be at least 1") }
    }

    func run() throws {
        if let serveNode {
            // The child side of a node served in its own process (ChildNode), until SIGTERM.
            try ChildNode.serve(directory: URL(fileURLWithPath: serveNode), chunkSize: serveChunkSize)
            return
        }
        #if DEBUG
        log("warning: this is a debug build; run Benchmarks/run (release) for figures worth reading")
        #endif
        let folder = directory.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("napsync-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(at: folder) } }
        var options = quick ? SuiteOptions.quick(directory: folder) : SuiteOptions(directory: folder)
        if let chunkSize { options.syncChunkSize = chunkSize }
        if let rounds {
            options.rounds = rounds
            options.applyRounds = min(rounds, options.applyRounds)
        }

        if let profile {
            try ProfileLoop.run(profile, seconds: seconds, options: options, log: log)
            return
        }

        let started = Date()
        let loadAtStart = Self.loadAverage()
        let plainSettings = try PlainStore(at: folder.appendingPathComponent("settings-plain")).writerSettings()
        let replicaSettings = try WriterSettings(BenchReplicas.make(at: folder.appendingPathComponent("settings-replica")))
        guard plainSettings == replicaSettings else {
            throw BenchError("the baseline's writer settings (\(plainSettings)) differ from the replica's (\(replicaSettings))")
        }
        var rows: [ReportRow] = []
        if only.contains(.write) { rows += try LocalWriteBenchmark.run(options, log: log) }
        if only.contains(.apply) || only.contains(.size) {
            log("building the change set of \(options.fieldChanges.formatted()) field changes")
            let workload = try ChangeWorkload.build(
                fieldChanges: options.fieldChanges, seed: options.seed &+ 2, in: folder.appendingPathComponent("workload"))
            if only.contains(.apply) { rows += try ApplyBenchmark.run(options, workload: workload, log: log) }
            if only.contains(.size) { rows += try ChangeSetSizeBenchmark.run(workload: workload, log: log) }
        }
        if only.contains(.export) { rows += try UpToDateExportBenchmark.run(options, log: log) }
        if only.contains(.sync) { rows += try SyncBenchmarks.run(options, quick: quick, log: log) }

        print(Self.header(started: started, options: options, quick: quick))
        print("load average (1 min) at start \(loadAtStart), at end \(Self.loadAverage()): other work on the machine adds noise")
        print("writer connection, read back on both sides (the same): \(replicaSettings)")
        print("")
        print(markdown ? ReportTable.markdown(rows) : ReportTable.text(rows))
        let missed = rows.filter { $0.verdict == .missed }
        print("")
        if missed.isEmpty {
            print("All targets met.")
        } else {
            print("Targets MISSED (\(missed.count)): " + missed.map { "\($0.id) \($0.name.trimmingCharacters(in: .whitespaces))" }.joined(separator: "; "))
        }
        print("Wall time of the run: \(Format.duration(Date().timeIntervalSince(started)))")
        if strict && !missed.isEmpty { throw ExitCode(1) }
    }

    static func header(started: Date, options: SuiteOptions, quick: Bool) -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let date = ISO8601DateFormatter().string(from: started)
        return """
            napsync-bench \(quick ? "(quick smoke run) " : "")\(date)
            machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu); databases in \(options.directory.path)
            SQLite: both sides open a GRDB DatabasePool with the replica's configuration; seed \(String(options.seed, radix: 16)); \(options.rounds) rounds (apply: \(options.applyRounds)), napsync and baseline alternating
            ratio: napsync/baseline for times and sizes; napsync/baseline throughput for 2a; largest/smallest replica for 4
            """
    }
}

extension ProfileLoop.Subject: ExpressibleByArgument {}

extension NapsyncBench {
    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("[napsync-bench] \(message)\n".utf8))
}
