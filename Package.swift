// swift-tools-version: 6.0
// Tenure uses the Swift toolchain only: no third-party packages.
//
// Layers (an arrow points to what a module may import). Only TenurePOSIX imports Glibc, so this
// file shows which code may touch the system:
//
//   tenure, tenure-lab (executables) -> TenureCommandLine -> TenurePOSIX
//   tenure -> TenureNodeCommandLine -> TenureCommandLine, TenureNode
//   tenure, tenure-lab -> TenureSimulateCommand -> TenureCommandLine, TenureSimulation (pure)
//   tenure, Swift applications -> TenureClient -> TenureAPI, TenureHTTP, TenureJSON
//   TenureNode -> TenureAPI (pure), TenureCore (pure), TenureWire (pure), TenureEvents (pure),
//                 TenureJSON (pure), TenureCrypto (pure), TenureHTTP, TenurePOSIX
//   TenureHTTP (blocking client) -> TenureHTTPCodec (pure: parser, responses, SSE), TenurePOSIX
//   tenure-lab -> TenureHistory -> TenureEvents, TenureJSON, TenurePOSIX
//   TenureWire -> TenureCore, TenureCrypto; TenureSimulation -> TenureCore, TenureEvents
//   TenureEvents -> TenureCore, TenureJSON; TenurePOSIX -> TenureCore (for its time types)
//   TenureAPI (pure: the client API's documents) -> TenureJSON
//   TenureCore, TenureJSON, TenureCrypto (pure: SHA-256, HMAC, HKDF): no dependencies
//   TenureRelease (pure: release, commit, cluster version), stamped by the TenureReleaseStamp plugin
//   TenureSupervision (pure: the node's decisions besides the core) -> TenureCore, TenureAPI, TenureWire
import PackageDescription

let package = Package(
    name: "Tenure",
    // Linux only, honestly: the POSIX layer is written against Glibc.
    products: [
        .executable(name: "tenure", targets: ["tenure"]),
        .executable(name: "tenure-lab", targets: ["tenure-lab"]),
        .library(name: "TenureClient", targets: ["TenureClient"]),
    ],
    targets: [
        // The release and the commit of this build (the commit stamped at build time by the
        // TenureReleaseStamp plugin, from git or an exported tree's COMMIT file), semantic
        // versions, the cluster version of a set of voters and the feature gate: standard library only.
        .target(name: "TenureRelease", plugins: ["TenureReleaseStamp"]),
        // Writes the commit into TenureRelease at build time, again after every new commit (Plugins/TenureReleaseStamp).
        .plugin(name: "TenureReleaseStamp", capability: .buildTool()),
        // The pure election state machine: standard library only.
        .target(name: "TenureCore"),
        // The peer wire codec and its authenticated handshake (HMAC from TenureCrypto): standard library only.
        .target(name: "TenureWire", dependencies: ["TenureCore", "TenureCrypto"]),
        // A small JSON reader and writer (numbers kept exact): standard library only.
        .target(name: "TenureJSON"),
        // The documents of the client API, typed once for the server, the client library, the CLI
        // and the lab tools: standard library only.
        .target(name: "TenureAPI", dependencies: ["TenureJSON"]),
        // The node's decisions outside the election core, as values that take events and time and
        // return what the shell must do (pending answers, the handover held for tenure run,
        // health and hooks, durability, shutdown, the status feed, gossip): pure, unit-tested
        // with manual time.
        .target(name: "TenureSupervision", dependencies: ["TenureCore", "TenureAPI", "TenureWire"]),
        // SHA-256, HMAC-SHA256, HKDF and constant-time comparison: standard library only.
        .target(name: "TenureCrypto"),
        // The event log's one schema (typed records, written by the node, read by every checker)
        // and the safety rules shared by the simulator and the history checker: standard library only.
        .target(name: "TenureEvents", dependencies: ["TenureCore", "TenureJSON"]),
        // The only module that imports Glibc: sockets, addresses, errors, clocks, files, signals, processes.
        .target(name: "TenurePOSIX", dependencies: ["TenureCore"]),
        // HTTP/1.1 as bytes: the request parser, responses (with server-sent events), the event-stream
        // and chunked-body decoders: standard library only.
        .target(name: "TenureHTTPCodec"),
        // The small blocking HTTP client (sockets, deadlines, event streams); re-exports TenureHTTPCodec.
        .target(name: "TenureHTTP", dependencies: ["TenureHTTPCodec", "TenurePOSIX"]),
        // The node's shell: runtime, peer transport, hard-state storage, client API, observability.
        .target(name: "TenureNode", dependencies: ["TenureRelease", "TenureAPI", "TenureSupervision", "TenureCore", "TenureWire", "TenureCrypto", "TenureJSON", "TenureEvents", "TenurePOSIX", "TenureHTTP"]),
        // Deterministic simulation of many cores over a faulty network, in virtual time.
        .target(name: "TenureSimulation", dependencies: ["TenureCore", "TenureEvents"]),
        // Offline checker of partition-test histories (event logs + probes), for tenure-lab.
        .target(name: "TenureHistory", dependencies: ["TenureJSON", "TenureEvents", "TenurePOSIX"]),
        // The library Swift applications import: leader, status, leadership changes, lease guard.
        .target(name: "TenureClient", dependencies: ["TenureAPI", "TenureCore", "TenureHTTP", "TenureJSON", "TenurePOSIX"]),
        // One argument parser, duration text and terminal helpers for both executables.
        .target(name: "TenureCommandLine", dependencies: ["TenureCore", "TenurePOSIX"]),
        // `tenure node`'s flags, parsed into NodeOptions: the one command-line file that needs the node.
        .target(name: "TenureNodeCommandLine", dependencies: ["TenureCommandLine", "TenureCore", "TenureNode", "TenurePOSIX"]),
        // `simulate` for both executables: one parser and one report; only tenure-lab's edition
        // takes the safety mutations.
        .target(name: "TenureSimulateCommand", dependencies: ["TenureCommandLine", "TenureCore", "TenurePOSIX", "TenureSimulation"]),
        // The product: node, client commands, simulate.
        .executableTarget(name: "tenure", dependencies: ["TenureAPI", "TenureRelease", "TenureCommandLine", "TenureNodeCommandLine", "TenureClient", "TenureNode", "TenureHTTP", "TenureSimulateCommand", "TenureJSON", "TenurePOSIX", "TenureWire"]),
        // The README's TenureClient example, built so that it cannot rot (cluster/e2e-app runs it).
        .executableTarget(name: "tenure-client-example", dependencies: ["TenureClient"]),
        // Test and benchmark tooling for cluster/ scripts: probes, history checker, bench helpers.
        .executableTarget(name: "tenure-lab", dependencies: ["TenureAPI", "TenureRelease", "TenureCommandLine", "TenureNode", "TenureWire", "TenureHTTP", "TenureHistory", "TenureEvents", "TenureJSON", "TenurePOSIX", "TenureSimulation", "TenureSimulateCommand"]),
        .testTarget(name: "TenureCoreTests", dependencies: ["TenureCore", "TenureSimulation"]),
        .testTarget(name: "TenureWireTests", dependencies: ["TenureWire", "TenureCrypto"]),
        .testTarget(name: "TenureCryptoTests", dependencies: ["TenureCrypto", "TenureCore"]),
        .testTarget(name: "TenureJSONTests", dependencies: ["TenureJSON", "TenureCore"]),
        .testTarget(name: "TenurePOSIXTests", dependencies: ["TenurePOSIX"]),
        .testTarget(name: "TenureHTTPCodecTests", dependencies: ["TenureHTTPCodec", "TenureCore"]),
        .testTarget(name: "TenureHTTPTests", dependencies: ["TenureHTTP", "TenureHTTPCodec", "TenurePOSIX"]),
        .testTarget(name: "TenureSimulationTests", dependencies: ["TenureSimulation"]),
        .testTarget(name: "TenureSimulateCommandTests", dependencies: ["TenureSimulateCommand", "TenureCommandLine", "TenureSimulation"]),
        .testTarget(name: "TenureNodeTests", dependencies: ["TenureNode", "TenureAPI", "TenureJSON", "TenurePOSIX", "TenureHTTP", "TenureRelease"],
                    // Golden state files of every format, read by HardStateGoldenTests through #filePath.
                    exclude: ["Golden"]),
        .testTarget(name: "TenureHistoryTests", dependencies: ["TenureHistory", "TenureJSON", "TenurePOSIX", "TenureEvents"]),
        .testTarget(name: "TenureCommandLineTests", dependencies: ["TenureCommandLine", "TenureCore"]),
        .testTarget(name: "TenureNodeCommandLineTests", dependencies: ["TenureNodeCommandLine", "TenureCommandLine", "TenureNode", "TenureCore"]),
        .testTarget(name: "TenureEventsTests", dependencies: ["TenureEvents", "TenureCore", "TenureJSON"]),
        .testTarget(name: "TenureSupervisionTests", dependencies: ["TenureSupervision", "TenureCore", "TenureAPI", "TenureWire"]),
        .testTarget(name: "TenureAPITests", dependencies: ["TenureAPI", "TenureJSON"]),
        .testTarget(name: "TenureClientTests", dependencies: ["TenureClient", "TenureAPI", "TenureCore", "TenureJSON"]),
        .testTarget(name: "TenureReleaseTests", dependencies: ["TenureRelease"]),
    ]
)
