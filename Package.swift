// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Ashar",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ashar", targets: ["ashar"]),
        // For the benchmarks, which live in their own package under Benchmarks/.
        .library(name: "AsharKit", targets: ["App", "TimeBank", "Producers", "Needs", "Partnerships", "Referrals", "Certification", "Training", "Reporting", "AsharNetwork", "Kernel", "DemoData"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/swift-openapi-vapor.git", from: "1.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/CoreOffice/XMLCoder.git", from: "0.18.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Shared value types: no Fluent, no Vapor.
        .target(name: "Kernel", swiftSettings: strict),
        // Catalogues and CLDR plural rules for ky, ru, en.
        .target(name: "Localization", dependencies: ["Kernel"], resources: [.copy("Resources")], swiftSettings: strict),
        // Geography, organisations, people, users, roles, audit log.
        // Named AsharNetwork because a module called Network makes `#if canImport(Network)` true
        // in our dependencies (Apple's framework), which breaks their Linux builds.
        .target(name: "AsharNetwork", dependencies: [
            "Kernel",
            .product(name: "FluentKit", package: "fluent-kit"),
            .product(name: "SQLKit", package: "sql-kit"),
        ], path: "Sources/Network", swiftSettings: strict),
        // Time banks: memberships, service categories, the append-only ledger, statements.
        .target(name: "TimeBank", dependencies: [
            "Kernel", "AsharNetwork",
            .product(name: "FluentKit", package: "fluent-kit"),
            .product(name: "SQLKit", package: "sql-kit"),
        ], swiftSettings: strict),
        // The demo network, shared by `ashar demo` and the tests.
        // Groups of solidary producers: joint purchases, pooled sales, shared equipment, the group fund.
        .target(name: "Producers", dependencies: [
            "Kernel", "AsharNetwork",
            .product(name: "FluentKit", package: "fluent-kit"),
            .product(name: "SQLKit", package: "sql-kit"),
        ], swiftSettings: strict),
        // Needs analysis: survey forms (XLSForm), submissions and their imports, analysis.
        .target(name: "Needs", dependencies: [
            "Kernel", "AsharNetwork",
            .product(name: "FluentKit", package: "fluent-kit"),
            .product(name: "SQLKit", package: "sql-kit"),
            .product(name: "SwiftCSV", package: "SwiftCSV"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "XMLCoder", package: "XMLCoder"),
        ], resources: [.copy("Resources")], swiftSettings: strict),
        // Partnerships: the stakeholder map, framework agreements, obligations, the services partners deliver where.
        .target(name: "Partnerships", dependencies: [
            "Kernel", "AsharNetwork",
            .product(name: "FluentKit", package: "fluent-kit"),
        ], swiftSettings: strict),
        // Referrals: the service directory, help requests, consent, referrals and follow-up; notes sealed with AES-GCM.
        .target(name: "Referrals", dependencies: [
            "Kernel", "AsharNetwork",
            .product(name: "FluentKit", package: "fluent-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // Certification: products, the regulations that apply, conformity documents, brands, labels, batches and their codes.
        .target(name: "Certification", dependencies: [
            "Kernel", "AsharNetwork",
            .product(name: "FluentKit", package: "fluent-kit"),
        ], swiftSettings: strict),
        // Training: the Centre for Entrepreneurship Support's sessions, attendance and consultations with their follow-up.
        .target(name: "Training", dependencies: [
            "Kernel", "AsharNetwork",
            .product(name: "FluentKit", package: "fluent-kit"),
        ], swiftSettings: strict),
        // Reporting: the network's indicators, read across every context (read-only).
        .target(name: "Reporting", dependencies: [
            "Kernel", "AsharNetwork", "TimeBank", "Producers", "Needs", "Partnerships", "Referrals", "Certification", "Training",
            .product(name: "FluentKit", package: "fluent-kit"),
        ], swiftSettings: strict),
        .target(name: "DemoData", dependencies: [
            "Kernel", "AsharNetwork", "TimeBank", "Producers", "Needs", "Partnerships", "Referrals", "Certification", "Training", .product(name: "FluentKit", package: "fluent-kit"), .product(name: "SQLKit", package: "sql-kit"),
        ], swiftSettings: strict),
        // The web layer: routes, pages, API, commands.
        // glibc's malloc.h, for the bulk load's memory tuning (`keepingFreedMemory`).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // glibc's sched.h, to keep the SQLite writer's two threads on one core (`SQLiteLedgerWriter`).
        .systemLibrary(name: "CAffinity", path: "Sources/CAffinity"),
        .target(name: "App", dependencies: [
            "Kernel", "Localization", "AsharNetwork", "TimeBank", "Producers", "Needs", "Partnerships", "Referrals", "Certification", "Training", "Reporting", "DemoData",
            .target(name: "CMalloc", condition: .when(platforms: [.linux])),
            .target(name: "CAffinity", condition: .when(platforms: [.linux])),
            .product(name: "Vapor", package: "vapor"),
            .product(name: "Fluent", package: "fluent"),
            .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
            .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            .product(name: "Leaf", package: "leaf"),
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "OpenAPIVapor", package: "swift-openapi-vapor"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "SwiftCSV", package: "SwiftCSV"),
        ], exclude: ["API/openapi-generator-config.yaml"], resources: [
            .copy("Resources/Views"),
            .copy("Resources/Public"),
            .copy("API/openapi.yaml"),
        ], swiftSettings: strict),
        .executableTarget(name: "ashar", dependencies: ["App"], swiftSettings: strict),
        .testTarget(name: "KernelTests", dependencies: ["Kernel"], swiftSettings: strict),
        .testTarget(name: "LocalizationTests", dependencies: ["Localization"], swiftSettings: strict),
        // A fresh database per test: in-memory SQLite, or a new schema on DATABASE_URL's PostgreSQL.
        .target(name: "TestSupport", dependencies: [
            "AsharNetwork", "TimeBank", "Producers", "Needs", "Partnerships", "Referrals", "Certification", "Training", "Reporting",
            .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
            .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
        ], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "NetworkTests", dependencies: ["AsharNetwork", "DemoData", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "PartnershipsTests", dependencies: ["Partnerships", "AsharNetwork", "DemoData", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CertificationTests", dependencies: ["Certification", "AsharNetwork", "DemoData", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ReportingTests", dependencies: [
            "Reporting", "AsharNetwork", "TimeBank", "Producers", "Partnerships", "Training", "Certification", "DemoData", "TestSupport",
            .product(name: "SQLKit", package: "sql-kit"),
        ], swiftSettings: strict),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "AsharNetwork", "DemoData", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ReferralsTests", dependencies: ["Referrals", "AsharNetwork", "DemoData", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "NeedsTests", dependencies: ["Needs", "AsharNetwork", "DemoData", "TestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "TimeBankTests", dependencies: ["TimeBank", "AsharNetwork", "DemoData", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ProducersTests", dependencies: [
            "Producers", "AsharNetwork", "DemoData", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
        ], swiftSettings: strict),
        .testTarget(name: "AppTests", dependencies: [
            "App", "DemoData", "TestSupport",
            .product(name: "VaporTesting", package: "vapor"), .product(name: "Yams", package: "Yams"),
            .product(name: "PropertyBased", package: "swift-property-based"),
        ], swiftSettings: strict),
    ]
)
