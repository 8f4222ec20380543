import AsyncHTTPClient
import Foundation
import Logging
import NAPModel
import NIOCore
import NIOPosix
import SyncCore
import SyncServer
import Synchronization

/// The `sync` group: sync sessions over HTTP on 127.0.0.1 between replicas of this process, one of them served by
/// the daemon's own services (``NapsyncDaemon``), as `napsync demo` does.
public enum SyncBenchmarks {
    /// Runs 5 (a sync round between converged nodes) and 6 (ten department nodes converging through the coordinator).
    public static func run(_ options: SuiteOptions, quick: Bool, log: @escaping @Sendable (String) -> Void) throws
        -> [ReportRow]
    {
        let sync = SyncBenchOptions(options, quick: quick)
        return try blocking {
            var rows = try await SyncRoundBenchmark.run(sync, log: log)
            rows += try await ConvergenceBenchmark.run(sync, log: log)
            return rows
        }
    }

    /// Runs `body` on the cooperative pool and waits for it: the suite's entry point is synchronous.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = BlockingResult<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            box.result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try box.result.withLock { $0! }.get()
    }
}

/// Where ``SyncBenchmarks/blocking(_:)`` leaves the outcome of its task.
final class BlockingResult<T: Sendable>: Sendable {
    let result = Mutex<Result<T, any Error>?>(nil)
}

/// Sizes of the `sync` group, from the suite's options.
public struct SyncBenchOptions: Sendable {
    public var suite: SuiteOptions
    /// Records both converged nodes hold in 5; the smallest is the baseline of the others.
    public var roundSizes = [1_000, 100_000]
    /// Rounds of 5 (each measures many sessions).
    public var rounds: Int
    /// Department nodes in 6, one per department.
    public var departments = Department.allCases.count
    /// Offline changes each department node makes in 6 before it syncs.
    public var editsPerNode = 10_000
    /// Rounds of 6: each builds ten new nodes and converges them.
    public var convergenceRounds = 2

    public init(_ suite: SuiteOptions, quick: Bool) {
        self.suite = suite
        rounds = suite.rounds
        if quick {
            roundSizes = [1_000, 10_000]
            editsPerNode = 1_000
            convergenceRounds = 1
        }
    }

    var directory: URL { suite.directory.appendingPathComponent("sync") }
}

/// A coordinator that founded a network and department nodes it admitted (`createNetwork`, `joinRequest`,
/// `admit`, `install`, as `napsync join` does): every request and answer between them is signed and checked.
struct JoinedNetwork {
    let coordinator: Replica
    let departments: [Replica]

    /// With `joined` false, no network is founded: the nodes talk without authentication (development mode).
    static func make(in directory: URL, departments owners: [Department], joined: Bool = true) throws -> JoinedNetwork {
        let coordinator = try BenchReplicas.make(at: directory.appendingPathComponent("coordinator"), owner: .coordinator)
        if joined { try coordinator.createNetwork() }
        let departments = try owners.enumerated().map { offset, department in
            try join(
                coordinator, at: directory.appendingPathComponent("node-\(offset)-\(department.rawValue)"), department,
                joined: joined)
        }
        return JoinedNetwork(coordinator: coordinator, departments: departments)
    }

    /// A new node of `department`, admitted by `coordinator` (unless `joined` is false).
    static func join(_ coordinator: Replica, at directory: URL, _ department: Department, joined: Bool = true) throws
        -> Replica
    {
        let replica = try BenchReplicas.make(at: directory, owner: .department(department))
        if joined { try replica.install(try coordinator.admit(try replica.joinRequest())) }
        return replica
    }
}

/// Brings `target` up to date with `source` without HTTP (setup only): change sets of up to 50,000 changes.
func copyMissing(from source: Replica, to target: Replica) throws {
    while let outgoing = try source.changeSet(missingFrom: target.clock(), maxChanges: 50_000) {
        _ = try target.apply(changeSet: outgoing.data, from: "setup")
        if !outgoing.hasMore { break }
    }
}

/// Replicas served by ``NapsyncDaemon`` on 127.0.0.1 at free ports for the length of `body`; then every daemon is
/// shut down gracefully and awaited (``NapsyncDaemon/serving(configuration:exchange:logger:environment:_:)``, one
/// inside the other).
func withServed<T: Sendable>(
    _ replicas: [Replica], chunkSize: Int? = nil, _ body: @Sendable (_ urls: [String]) async throws -> T
) async throws -> T {
    func serve(_ remaining: ArraySlice<Replica>, urls: [String]) async throws -> T {
        guard let replica = remaining.first else { return try await body(urls) }
        var configuration = NapsyncConfiguration(dataDirectory: replica.directory)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        if let chunkSize { configuration.chunkSize = chunkSize }
        return try await NapsyncDaemon.serving(configuration: configuration, exchange: replica, logger: BenchReplicas.silent) {
            url, _ in try await serve(remaining.dropFirst(), urls: urls + [url])
        }
    }
    return try await serve(replicas[...], urls: [])
}

/// One session of `node` with `url`, as `napsync sync --direct` runs it (``SyncClient/syncDirectly``): signed once
/// the node has joined a network. Throws unless it completed.
@discardableResult
func session(
    _ node: Replica, with url: String, client: HTTPClient, chunkSize: Int = Replica.defaultChunkSize
) async throws -> SyncSummary {
    var configuration = NapsyncConfiguration(dataDirectory: node.directory)
    configuration.requestTimeout = .seconds(60)
    configuration.chunkSize = chunkSize
    let summaries = await SyncClient.syncDirectly(
        exchange: node, peers: [url], configuration: configuration, client: client, logger: BenchReplicas.silent)
    guard let summary = summaries.first, summary.outcome == .completed else {
        throw BenchError("a sync session with \(url) failed: \(summaries.first?.error ?? "no session ran")")
    }
    return summary
}

extension Measure {
    /// Seconds per call of the async `body`, repeated until `budget` seconds have passed (at least `minCalls` times).
    static func perAsyncCall(minCalls: Int = 5, budget: Double = 0.1, _ body: () async throws -> Void) async rethrows
        -> Double
    {
        let clock = ContinuousClock()
        let start = clock.now
        var calls = 0
        var elapsed = 0.0
        while calls < minCalls || elapsed < budget {
            try await body()
            calls += 1
            elapsed = (clock.now - start).seconds
        }
        return elapsed / Double(calls)
    }

    /// What the async `body` returns and the seconds it took.
    static func timed<T>(_ body: () async throws -> T) async rethrows -> (value: T, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let value = try await body()
        return (value, (clock.now - start).seconds)
    }
}

/// A TCP relay on 127.0.0.1 that counts the bytes passing each way: what an HTTP exchange puts on the wire above
/// TCP (request and status lines, headers, bodies; not TCP/IP headers or the handshake).
final class CountingRelay: Sendable {
    let port: Int
    private let channel: any Channel
    private let counts: Counts

    final class Counts: Sendable {
        let toServer = Atomic<Int>(0)
        let toClient = Atomic<Int>(0)
    }

    private init(port: Int, channel: any Channel, counts: Counts) {
        self.port = port
        self.channel = channel
        self.counts = counts
    }

    /// A relay to `127.0.0.1:target`.
    static func start(to target: Int) async throws -> CountingRelay {
        let counts = Counts()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Read nothing from the client until the connection to the server is up and the handler is in place.
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                let up = RelayHandler { counts.toServer.add($0, ordering: .relaxed) }
                let down = RelayHandler { counts.toClient.add($0, ordering: .relaxed) }
                return ClientBootstrap(group: inbound.eventLoop)
                    .channelInitializer { outbound in outbound.pipeline.addHandler(down) }
                    .connect(host: "127.0.0.1", port: target)
                    .flatMap { outbound in
                        up.partner = outbound
                        down.partner = inbound
                        return inbound.pipeline.addHandler(up).flatMap {
                            inbound.setOption(.autoRead, value: true)
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw BenchError("the relay did not bind") }
        return CountingRelay(port: port, channel: channel, counts: counts)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Bytes relayed so far: client to server, server to client.
    var bytes: (toServer: Int, toClient: Int) {
        (counts.toServer.load(ordering: .relaxed), counts.toClient.load(ordering: .relaxed))
    }

    func stop() async throws { try await channel.close() }

    /// Forwards what one side reads to the other side, counting it. Both channels share one event loop, so
    /// `partner` is only touched there.
    private final class RelayHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let count: @Sendable (Int) -> Void
        var partner: (any Channel)?

        init(count: @escaping @Sendable (Int) -> Void) { self.count = count }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            count(buffer.readableBytes)
            partner?.writeAndFlush(buffer, promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            partner?.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
