// swift-tools-version:6.1
// Benchmarks, in a package of their own: the benchmark plugin builds in release mode, and Ashar's tests
// should not pay for that. Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "AsharBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Ashar", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
    ],
    targets: [
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "AsharKit", package: "Ashar"), .product(name: "Vapor", package: "vapor")],
            path: "Benchmarks/BenchmarkSupport"
        ),
        .executableTarget(
            name: "Ledger",
            dependencies: [
                .product(name: "AsharKit", package: "Ashar"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Vapor", package: "vapor"),
                "BenchmarkSupport",
            ],
            path: "Benchmarks/Ledger",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ProducerRules",
            dependencies: [
                .product(name: "AsharKit", package: "Ashar"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ProducerRules",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Surveys",
            dependencies: [
                .product(name: "AsharKit", package: "Ashar"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Vapor", package: "vapor"),
                "BenchmarkSupport",
            ],
            path: "Benchmarks/Surveys",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Dashboard",
            dependencies: [
                .product(name: "AsharKit", package: "Ashar"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Vapor", package: "vapor"),
                "BenchmarkSupport",
            ],
            path: "Benchmarks/Dashboard",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
