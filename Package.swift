// swift-tools-version: 6.0
// Tenure uses the Swift toolchain only: no third-party packages.
import PackageDescription

let package = Package(
    name: "Tenure",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tenure", targets: ["tenure"]),
    ],
    targets: [
        // The pure election state machine: standard library only.
        .target(name: "TenureCore"),
        // The peer wire codec: standard library only.
        .target(name: "TenureWire", dependencies: ["TenureCore"]),
        // A small JSON reader and writer (numbers kept exact): standard library only.
        .target(name: "TenureJSON"),
        // Deterministic simulation of many cores over a faulty network, in virtual time.
        .target(name: "TenureSimulation", dependencies: ["TenureCore"]),
        // The I/O shell: sockets, disk, HTTP API, clocks, signals.
        .target(name: "TenureNode", dependencies: ["TenureCore", "TenureWire", "TenureJSON"]),
        // Offline checker of partition-test histories (event logs + probes): standard library only.
        .target(name: "TenureHistory", dependencies: ["TenureJSON"]),
        .executableTarget(name: "tenure", dependencies: ["TenureNode", "TenureSimulation", "TenureHistory", "TenureJSON"]),
        .testTarget(name: "TenureCoreTests", dependencies: ["TenureCore"]),
        .testTarget(name: "TenureWireTests", dependencies: ["TenureWire"]),
        .testTarget(name: "TenureSimulationTests", dependencies: ["TenureSimulation"]),
        .testTarget(name: "TenureNodeTests", dependencies: ["TenureNode", "TenureJSON"]),
        .testTarget(name: "TenureHistoryTests", dependencies: ["TenureHistory", "TenureJSON"]),
    ]
)
