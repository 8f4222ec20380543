// swift-tools-version:6.1
import PackageDescription

/// Settings every target shares: strict concurrency is the Swift 6 default; these keep imports honest.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "napsync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "napsync", targets: ["napsync"]),
        .library(name: "NAPModel", targets: ["NAPModel"]),
        .library(name: "SyncCore", targets: ["SyncCore"]),
        .library(name: "SyncServer", targets: ["SyncServer"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(
            url: "https://github.com/apple/swift-configuration.git",
            from: "1.4.0",
            traits: [.defaults, "YAML"]
        ),
    ],
    targets: [
        // The plan of action and the department records: pure values, no I/O beyond reading the bundled plan.
        .target(
            name: "NAPModel",
            resources: [.copy("Resources/plan.json")],
            swiftSettings: swiftSettings
        ),
        // Vector clocks, changes, the change-set codec, merge rules and the SQLite replica store.
        .target(
            name: "SyncCore",
            dependencies: [
                "NAPModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The system SQLite's C API, for the few hot statements bound directly (RawStatement).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The daemon: HTTP sync protocol, peer sync services, configuration, systemd integration.
        .target(
            name: "SyncServer",
            dependencies: [
                "SyncCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Parliament, EU and UN outputs: pure functions of a dataset snapshot.
        .target(
            name: "Reports",
            dependencies: ["NAPModel"],
            resources: [.copy("Resources/frameworks.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "napsync",
            dependencies: [
                "NAPModel", "SyncCore", "SyncServer", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // Temp replicas, scenario builders and process helpers shared by the test targets.
        .target(
            name: "TestSupport",
            dependencies: [
                "NAPModel", "SyncCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "NAPModelTests", dependencies: ["NAPModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SyncCoreTests",
            dependencies: [
                "SyncCore", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Golden")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SyncServerTests",
            dependencies: [
                "SyncServer", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "TestSupport"],
            resources: [.copy("Golden")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NapsyncCLITests",
            dependencies: ["TestSupport", "SyncCore", "NAPModel", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
    ]
)
