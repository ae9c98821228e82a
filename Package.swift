// swift-tools-version:6.2
import PackageDescription

/// Settings shared by every target: Swift 6 language mode (complete strict concurrency is its default)
/// and explicit `any` for existentials.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

/// The targets show the architecture, and the compiler enforces it: every dependency points inward.
///
///     urlpoll (the command: parses, calls URLPollApp, maps the outcome to an exit status)
///       └─ URLPollApp (the composition root: wires and runs everything in one service group)
///            ├─ URLPollConfig (YAML config files, URL lists, layering)      ─┐
///            ├─ URLPollProbes (the Probe implementations: LeanHTTP, AHC)    ─┤
///            ├─ URLPollStorage (history and alert state: SQLite through GRDB, ─┤
///            │                  PostgreSQL through postgres-nio)            ─┤
///            ├─ URLPollAlerts (alert engine, delivery, receivers)           ─┼─▶ URLPollCore (the engine)
///            └─ URLPollWeb (status page, JSON API, Prometheus exposition)   ─┘
///       LeanHTTP (the lean HTTP/1.1 client on SwiftNIO; knows nothing of urlpoll) ◀─ URLPollProbes
let package = Package(
    name: "urlpoll",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "urlpoll", targets: ["urlpoll"]),
        .library(name: "URLPollCore", targets: ["URLPollCore"]),
        .library(name: "LeanHTTP", targets: ["LeanHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .target(
            name: "LeanHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "URLPollCore",
            dependencies: [
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "URLPollConfig",
            dependencies: [
                "URLPollChecks",
                "URLPollCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "URLPollProbes",
            dependencies: [
                "URLPollCore",
                "LeanHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),
        // The kinds of check besides HTTP (tcp, ...), a folder each; registered in CheckKinds.swift.
        .target(
            name: "URLPollChecks",
            dependencies: [
                "LeanHTTP",
                "URLPollCore",
                "URLPollProbes",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "URLPollWeb",
            dependencies: [
                "URLPollCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "URLPollStorage",
            dependencies: [
                "URLPollCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "URLPollAlerts",
            dependencies: [
                "URLPollCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CMallocTrim"),
        .target(
            name: "URLPollApp",
            dependencies: [
                "CMallocTrim",
                "URLPollAlerts",
                "URLPollCore",
                "URLPollConfig",
                "URLPollProbes",
                "URLPollStorage",
                "URLPollWeb",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "urlpoll",
            dependencies: [
                "URLPollApp",
                "URLPollCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Tests: one target per library target, as the modules are laid out; what several share (the
        // manual clock, fake targets and receivers, scripted probes, the PostgreSQL cluster, the binary as
        // a child process) is the support target.
        .target(
            name: "URLPollTestSupport",
            dependencies: [
                "LeanHTTP", "URLPollChecks", "URLPollCore", "URLPollConfig", "URLPollStorage", "URLPollApp",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            path: "Tests/URLPollTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "URLPollChecksTests",
            dependencies: [
                "LeanHTTP", "URLPollChecks", "URLPollCore", "URLPollTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LeanHTTPTests",
            dependencies: [
                "LeanHTTP", "URLPollCore", "URLPollTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "URLPollCoreTests",
            dependencies: ["URLPollCore", "URLPollTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "URLPollConfigTests",
            dependencies: ["URLPollChecks", "URLPollConfig", "URLPollCore", "URLPollTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "URLPollProbesTests",
            dependencies: [
                "URLPollProbes", "URLPollCore", "URLPollConfig", "URLPollApp", "URLPollWeb", "LeanHTTP", "URLPollTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "URLPollStorageTests",
            dependencies: [
                "URLPollStorage", "URLPollCore", "URLPollTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "URLPollAlertsTests",
            dependencies: ["URLPollAlerts", "URLPollCore", "URLPollConfig", "URLPollApp", "URLPollTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "URLPollWebTests",
            dependencies: [
                "URLPollWeb", "URLPollCore", "URLPollProbes", "URLPollTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "URLPollAppTests",
            dependencies: [
                "URLPollApp", "URLPollCore", "URLPollConfig", "URLPollStorage", "URLPollAlerts", "urlpoll", "URLPollTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
