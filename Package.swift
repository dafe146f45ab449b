// swift-tools-version: 6.2
// Ringside: a low-latency shared-memory transport for timeline events, and the lab that
// measures it. No package dependencies: only what the Swift toolchain ships.
import PackageDescription

let package = Package(
    name: "Ringside",
    products: [
        .library(name: "Posix", targets: ["Posix"]),
        .library(name: "ShmRing", targets: ["ShmRing"]),
        .library(name: "Transport", targets: ["Transport"]),
        .library(name: "Frames", targets: ["Frames"]),
        .library(name: "LWWSet", targets: ["LWWSet"]),
        .library(name: "DrainLoop", targets: ["DrainLoop"]),
        .library(name: "Counting", targets: ["Counting"]),
        .library(name: "Journal", targets: ["Journal"]),
        .library(name: "Timeline", targets: ["Timeline"]),
        .executable(name: "ringside", targets: ["ringside"]),
        .executable(name: "lab", targets: ["lab"]),
    ],
    targets: [
        // libc symbols and compiler builtins that Swift does not reach (CPU affinity, an opaque
        // sink, prefetch hints).
        .target(name: "CRingside"),
        // A malloc interposer that counts allocations per thread; linked only into the
        // executables and tests that measure allocations.
        .target(name: "CAllocCounter"),
        // The lab's own probes of the hardware's limits (random-read latency), measured in
        // the same run as the cases held against them.
        .target(name: "CLabLimits", path: "Benchmarks/CLabLimits"),
        // What the lab's executable and its tests share: the latency histogram, summaries,
        // the report writers (CSV, Markdown, SVG) and the RESP client of the peers suite.
        .target(name: "LabKit", dependencies: ["Posix", "Harness"], path: "Benchmarks/LabKit"),

        // The one layer over system calls: typed Errno, EINTR retry, a failure seam for tests.
        .target(name: "Posix", dependencies: ["CRingside"]),
        .target(name: "ShmRing", dependencies: ["Posix", "CRingside"]),
        .target(name: "Frames"),
        // CRingside: prefetch hints for batches (a compiler builtin Swift does not expose).
        // LWWSET_INTERNAL_CHECKS: ScoredSet checks its invariants after every mutation (debug
        // builds, so every test run), as swift-collections' COLLECTIONS_INTERNAL_CHECKS.
        .target(
            name: "LWWSet", dependencies: ["CRingside"],
            swiftSettings: [.define("LWWSET_INTERNAL_CHECKS", .when(configuration: .debug))]
        ),
        .target(name: "DrainLoop", dependencies: ["Posix", "CRingside"]),
        // The counting kernels of the contention demo (`ringside contention`, lab suite
        // contention): a demo, kept out of the drain loop every server links.
        .target(name: "Counting", dependencies: ["DrainLoop", "CRingside"]),
        // RSocket sessions over two carriers (shared memory, TCP) and the connection API.
        .target(name: "Transport", dependencies: ["Posix", "ShmRing", "Frames", "DrainLoop"]),
        // The write-ahead log and snapshots of accepted writes (CRC32C records, group commit,
        // replay, compaction).
        .target(name: "Journal", dependencies: ["Posix"]),
        // The timeline server: the transport-neutral single-writer engine (Engine/), the server
        // over the transport's carriers (Server/), the journal glue (Durability/), the stat
        // segment (Stat/), and the client over the Transport connection API (Client/).
        .target(name: "Timeline", dependencies: ["Frames", "LWWSet", "Transport", "Journal", "Posix", "ShmRing", "DrainLoop"]),
        // The seeded generator that property tests and lab workloads share.
        .target(name: "SeededRandom"),
        // What tests and the lab share: helper processes that never outlive their deadline,
        // and allocation (and file descriptor) measurements.
        .target(name: "Harness", dependencies: ["Posix", "CAllocCounter"]),

        .executableTarget(
            name: "ringside",
            dependencies: ["Posix", "ShmRing", "Frames", "LWWSet", "DrainLoop", "Counting", "Transport", "Timeline", "Harness"],
            path: "Tools/ringside"
        ),
        .executableTarget(
            name: "lab",
            dependencies: [
                "Posix", "ShmRing", "Frames", "LWWSet", "DrainLoop", "Counting", "CRingside", "CLabLimits", "Harness",
                "SeededRandom", "LabKit", "Transport", "Timeline",
            ],
            path: "Benchmarks/lab"
        ),

        // The helper process ShmRingTests spawns for its cross-process tests.
        // The message layout the cross-process test peers write and the tests check.
        .target(name: "PeerSupport", path: "Tests/PeerSupport"),
        .executableTarget(name: "ring-peer", dependencies: ["Posix", "ShmRing", "PeerSupport"], path: "Tests/RingPeer"),
        .testTarget(name: "ShmRingTests", dependencies: ["ShmRing", "ring-peer", "Harness", "SeededRandom", "PeerSupport"]),
        .testTarget(name: "FramesTests", dependencies: ["Frames", "Harness", "SeededRandom"]),
        .testTarget(
            name: "LWWSetTests",
            // ringside: the op-script tests run the built `ringside lww` on Scripts/*.ops.
            dependencies: ["LWWSet", "Harness", "SeededRandom", "ringside"],
            exclude: ["Scripts"]
        ),
        .testTarget(name: "DrainLoopTests", dependencies: ["DrainLoop", "SeededRandom"]),
        .testTarget(name: "CountingTests", dependencies: ["Counting"]),
        // ring-peer: the child-process tests start it as a well-behaved (and a hanging) child.
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "ring-peer"]),
        .testTarget(name: "PosixTests", dependencies: ["Posix"]),
        .testTarget(name: "LabTests", dependencies: ["LabKit", "Posix", "SeededRandom"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "Posix", "Harness"]),
        .testTarget(
            name: "TimelineTests",
            // ringside: the server and end-to-end tests spawn the built `ringside` (serve, stat,
            // load and its producers, the client commands).
            dependencies: ["Timeline", "Frames", "LWWSet", "Transport", "Journal", "Posix", "ShmRing", "Harness", "SeededRandom", "ringside"]
        ),
        // The helper process TransportTests spawns: a shared-memory client or server to kill.
        .executableTarget(name: "transport-peer", dependencies: ["Transport", "ShmRing", "PeerSupport"], path: "Tests/TransportPeer"),
        // The session client TransportTests spawns (a Connection in a process of its own).
        .executableTarget(name: "session-peer", dependencies: ["Transport"], path: "Tests/SessionPeer"),
        .testTarget(
            name: "TransportTests",
            dependencies: ["Transport", "Frames", "ShmRing", "Posix", "Harness", "SeededRandom", "PeerSupport", "transport-peer", "session-peer"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
