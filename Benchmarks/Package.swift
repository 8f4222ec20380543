// swift-tools-version:6.1
import Foundation
import PackageDescription

// The benchmark suite lives in its own package so that the main package's `swift test` never builds the
// benchmark framework. It depends on the main package by path; SwiftPM names a path dependency after its
// directory, which differs between clones (`main`, `napsync`, a CI checkout), so the identity is derived.
let mainPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "napsync-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // ordo-one/benchmark needs the MallocInterposer trait named explicitly on Linux with Swift 6.3: the
        // default traits also pull swift-runtime-interposer, which is not available here.
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Workloads and their baselines: deterministic data sets, the tracked and the plain paths, measurement.
        .target(
            name: "NapsyncBenchKit",
            dependencies: [
                .product(name: "SyncCore", package: mainPackage),
                .product(name: "NAPModel", package: mainPackage),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                // The sync group: a node served in-process (NapsyncDaemon), sessions over HTTP on 127.0.0.1.
                .product(name: "SyncServer", package: mainPackage),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The report: every figure next to its baseline from the same run, the ratio, the target, the verdict.
        .executableTarget(
            name: "napsync-bench",
            dependencies: ["NapsyncBenchKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // The same workloads under ordo-one/benchmark: percentiles, mallocs, peak RSS, saved baselines.
        .executableTarget(
            name: "SyncCoreBenchmarks",
            dependencies: [
                "NapsyncBenchKit",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SyncCoreBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
