// swift-tools-version:6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "backstop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "backstop", targets: ["backstop"]),
        .executable(name: "backstop-fuzz", targets: ["BackstopFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .target(
            name: "BackstopGeo",
            dependencies: ["CGEOS", "CPROJ"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BackstopCore",
            dependencies: [
                "BackstopGeo",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BackstopData",
            dependencies: ["BackstopCore"],
            resources: [.copy("Agreements"), .copy("Gazetteer"), .copy("Policies")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BackstopSimulation",
            dependencies: ["BackstopCore"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BackstopStore",
            dependencies: ["BackstopCore"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BackstopSQLite",
            dependencies: [
                "BackstopStore",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BackstopPostgres",
            dependencies: [
                "BackstopStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BackstopServer",
            dependencies: [
                "BackstopStore",
                "BackstopData",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/ogc-openapi.json"), .copy("Resources/Templates"), .copy("Resources/Console")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "backstop",
            dependencies: [
                "BackstopServer",
                "BackstopSQLite",
                "BackstopPostgres",
                "BackstopData",
                "BackstopSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings,
            // jemalloc instead of glibc's malloc (Debian's libjemalloc-dev, installed by
            // scripts/setup.sh): the intake allocates and frees small objects on several threads
            // at once, and with jemalloc batches of monitors' records went about 7 % faster and a
            // node's settled memory was lower (see README, Performance). The Swift server
            // templates link it the same way.
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),
        .target(
            name: "BackstopFuzzTargets",
            dependencies: ["BackstopCore"],
            swiftSettings: strictSettings
        ),
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "BackstopFuzz",
            dependencies: ["BackstopFuzzTargets", "CFuzzDriver"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "BackstopGeoTests", dependencies: ["BackstopGeo"], swiftSettings: strictSettings),
        .testTarget(name: "BackstopCoreTests", dependencies: ["BackstopCore", "BackstopData", "BackstopFuzzTargets"], swiftSettings: strictSettings),
        .testTarget(name: "BackstopSimulationTests", dependencies: ["BackstopSimulation", "BackstopData"], swiftSettings: strictSettings),
        .testTarget(
            name: "BackstopStoreTests",
            dependencies: ["BackstopStore", "BackstopSQLite", "BackstopPostgres"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BackstopServerTests",
            dependencies: [
                "BackstopServer",
                "BackstopStore",
                "BackstopData",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BackstopCLITests",
            dependencies: ["backstop", "BackstopCore", "BackstopStore", "BackstopSQLite", "BackstopPostgres"],
            swiftSettings: strictSettings
        ),
    ]
)
