// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "estate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "estate", targets: ["estate"]),
        .library(name: "PQ", targets: ["PQ"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "PQ",
            dependencies: [
                "CLibPQ",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(name: "LibXML", dependencies: ["CLibXML2"], swiftSettings: strict),
        .target(name: "EstateLogic", swiftSettings: strict),
        // schemas/api (the XSDs generated from openapi/openapi.yaml) and schemas/integration (the
        // integration documents' XSDs) as a resource bundle; the examples are read by the tests.
        .target(name: "EstateSchemas", path: "schemas", exclude: ["README.md", "examples", "webhook-event.xsd"],
                sources: ["EstateSchemas.swift"], resources: [.copy("api"), .copy("integration")], swiftSettings: strict),
        .target(
            name: "EstateData",
            dependencies: [
                "PQ", "EstateLogic",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: strict
        ),
        .target(
            name: "EstateInterface",
            dependencies: [
                "EstateLogic", "EstateData", "LibXML", "EstateSchemas",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "estate",
            dependencies: [
                "EstateInterface", "EstateData", "EstateLogic", "PQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "EstateBench",
            dependencies: ["PQ", .product(name: "Logging", package: "swift-log")],
            path: "bench/Sources/EstateBench",
            swiftSettings: strict
        ),
        .target(
            name: "EstateTestSupport",
            dependencies: ["PQ", "EstateData", "LibXML"],
            path: "Tests/EstateTestSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "PQTests", dependencies: ["PQ", "EstateTestSupport"], swiftSettings: strict),
        .testTarget(name: "LibXMLTests", dependencies: ["LibXML", "EstateTestSupport"], swiftSettings: strict),
        .testTarget(name: "EstateLogicTests", dependencies: ["EstateLogic"], swiftSettings: strict),
        .testTarget(name: "EstateDataTests", dependencies: ["EstateData", "PQ", "EstateTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "EstateInterfaceTests",
            dependencies: [
                "EstateInterface", "EstateData", "EstateLogic", "LibXML", "PQ", "EstateTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "estateTests", dependencies: ["estate", "EstateLogic", "EstateTestSupport"], swiftSettings: strict),
    ]
)
