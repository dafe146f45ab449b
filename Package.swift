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

        // The one layer over system calls: typed Errno, EINTR retry, a failure seam for tests.
        .target(name: "Posix", dependencies: ["CRingside"]),
        .target(name: "ShmRing", dependencies: ["Posix", "CRingside"]),
        .target(name: "Frames"),
        // CRingside: prefetch hints for batches (a compiler builtin Swift does not expose).
        .target(name: "LWWSet", dependencies: ["CRingside"]),
        .target(name: "DrainLoop", dependencies: ["CRingside"]),
        // RSocket sessions over two carriers (shared memory, TCP) and the connection API.
        .target(name: "Transport", dependencies: ["Posix", "ShmRing", "Frames", "DrainLoop"]),
        // The seeded generator that property tests and lab workloads share.
        .target(name: "SeededRandom"),

        .executableTarget(
            name: "ringside",
            dependencies: ["ShmRing", "Frames", "LWWSet", "DrainLoop"],
            path: "Tools/ringside"
        ),
        .executableTarget(
            name: "lab",
            dependencies: ["ShmRing", "Frames", "LWWSet", "DrainLoop", "CRingside", "CAllocCounter", "SeededRandom"],
            path: "Benchmarks/lab"
        ),

        // The helper process ShmRingTests spawns for its cross-process tests.
        .executableTarget(name: "ring-peer", dependencies: ["ShmRing"], path: "Tests/RingPeer"),
        .testTarget(name: "ShmRingTests", dependencies: ["ShmRing", "ring-peer", "CAllocCounter", "SeededRandom"]),
        .testTarget(name: "FramesTests", dependencies: ["Frames", "CAllocCounter", "SeededRandom"]),
        .testTarget(
            name: "LWWSetTests",
            // ringside: the op-script tests run the built `ringside lww` on Scripts/*.ops.
            dependencies: ["LWWSet", "CAllocCounter", "SeededRandom", "ringside"],
            exclude: ["Scripts"]
        ),
        .testTarget(name: "DrainLoopTests", dependencies: ["DrainLoop", "SeededRandom"]),
        // The helper process TransportTests spawns: a shared-memory client or server to kill.
        .executableTarget(name: "transport-peer", dependencies: ["Transport", "ShmRing"], path: "Tests/TransportPeer"),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "ShmRing", "Posix", "transport-peer", "CAllocCounter"]),
    ],
    swiftLanguageModes: [.v6]
)
