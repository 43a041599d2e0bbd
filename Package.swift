// swift-tools-version:6.0
import PackageDescription

/// Swift 6 (language mode 6; `Synchronization`'s `Atomic`), Linux first: the Apple minimum
/// below is what `Synchronization` needs. Every module a target imports is declared here
/// (`Scripts/check-imports.py` checks it).
///
/// No compiler flags: the hot loops of the kernels live in the C target `CStyleKernels`,
/// compiled once per instruction set through per-function target attributes (portable,
/// AVX2+FMA and AVX-512F on x86-64, NEON on aarch64) and chosen once at start-up from the running CPU,
/// so one binary runs on every CPU of its architecture. `STYLIZE_ISA=generic` forces the
/// portable kernels at run time.
let package = Package(
    name: "stylize",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StylizeKit", targets: [
            "StylizeKit", "ImageCodecs", "StyleKernels", "StyleTensor", "StyleNN",
            "StyleWeights", "StyleModels", "StylizeEngine", "StyleBatch", "StyleSheets", "StyleVideo",
        ]),
        // The web app and HTTP API (`stylize serve`): a separate product, so a StylizeKit user
        // links no networking code.
        .library(name: "StylizeServer", targets: ["StyleServer"]),
        .executable(name: "stylize", targets: ["stylize"]),
        .executable(name: "stylize-bench", targets: ["stylize-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` (DocC); a command plugin, not linked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.3.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // The live view's WebSocket (`/v1/live`): Hummingbird's own upgrade and frame handling.
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        // C libraries, found through pkg-config; Debian package names for the hint.
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        // setjmp/longjmp error handling stays on the C side of this shim.
        .target(name: "CCodecShim", dependencies: ["CJPEG", "CPNG"]),

        .target(name: "ImageCodecs", dependencies: ["CCodecShim"]),
        // The kernels' inner loops, one variant per instruction set (see its header).
        .target(name: "CStyleKernels"),
        .target(name: "StyleKernels", dependencies: ["CStyleKernels"]),
        .target(name: "StyleTensor", dependencies: ["StyleKernels"]),
        .target(name: "StyleNN", dependencies: ["StyleTensor", "StyleKernels"]),
        .target(name: "StyleWeights"),
        .target(name: "StyleModels", dependencies: ["StyleKernels", "StyleTensor", "StyleNN", "StyleWeights"]),
        // The engine: both model families, tiling and the memory budget, options and their
        // validation, weights lookup, single transfers and the variant runner of comparisons.
        .target(name: "StylizeEngine", dependencies: [
            "ImageCodecs", "StyleKernels", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels",
        ]),
        // Folders: batches (resume, shards) and population-statistics calibration.
        .target(name: "StyleBatch", dependencies: [
            "ImageCodecs", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels", "StylizeEngine",
        ]),
        // Captioned contact sheets and reports: compare grids, the gallery, the preset sheet.
        .target(name: "StyleSheets", dependencies: ["ImageCodecs", "StyleTensor", "StyleNN", "StyleModels", "StylizeEngine"]),
        // Video through the ffmpeg/ffprobe programs (spawned, raw frames on pipes).
        .target(name: "StyleVideo", dependencies: ["ImageCodecs", "StyleNN", "StylizeEngine", "StyleSheets"]),
        // `import StylizeKit`: every library module at once, and the DocC catalog.
        .target(name: "StylizeKit", dependencies: [
            "ImageCodecs", "StyleKernels", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels", "StylizeEngine",
            "StyleBatch", "StyleSheets", "StyleVideo",
        ]),
        // The web app and API: on the engine alone (no batch or sheet code).
        .target(name: "StyleServer", dependencies: [
            "ImageCodecs", "StyleTensor", "StyleNN", "StyleModels", "StylizeEngine",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        // What only the command-line tool needs: the terminal progress bar, signal handling,
        // downloads and the XDG cache folder (kept out of StylizeKit).
        .target(name: "StylizeCLISupport", dependencies: ["StylizeEngine", "StyleBatch", "StyleWeights"]),
        .executableTarget(name: "stylize", dependencies: [
            "ImageCodecs", "StyleKernels", "StyleModels", "StyleNN", "StyleWeights", "StylizeEngine", "StyleBatch",
            "StyleSheets", "StyleServer", "StyleVideo", "StylizeCLISupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Times the shipped networks as StyleModels builds them (see Benchmarks/).
        .executableTarget(name: "stylize-bench", dependencies: [
            "ImageCodecs", "StyleKernels", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels", "StylizeEngine",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // What the test targets share (Tests/Support): the seeded generator, seeded pictures, the
        // tiny-model writers, the process runner, temporary folders, PNG/JPEG byte helpers and
        // the StyleWeights fixtures. A plain target that imports XCTest (fine on Linux).
        .target(name: "StylizeTestSupport", dependencies: [
            "ImageCodecs", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels", "StylizeEngine",
        ], path: "Tests/Support"),

        .testTarget(name: "ImageCodecsTests", dependencies: ["ImageCodecs", "StylizeTestSupport"]),
        .testTarget(name: "StyleKernelsTests", dependencies: ["CStyleKernels", "StyleKernels", "StyleTensor", "StylizeTestSupport"]),
        .testTarget(name: "StyleNNTests", dependencies: ["StyleKernels", "StyleTensor", "StyleNN", "StylizeTestSupport"],
                    resources: [.copy("Golden")]),
        .testTarget(name: "StyleWeightsTests", dependencies: ["StyleWeights", "StylizeTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "StyleModelsTests", dependencies: [
            "StyleKernels", "StyleModels", "StyleWeights", "StyleNN", "StyleTensor", "StylizeTestSupport",
        ], resources: [.copy("Reference"), .copy("MagentaReference")]),
        .testTarget(name: "StylizeCLITests", dependencies: [
            "ImageCodecs", "StyleKernels", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels", "StylizeEngine", "StyleBatch",
            "StyleSheets", "StyleVideo", "StylizeTestSupport",
        ]),
        .testTarget(name: "StyleVideoTests", dependencies: [
            "StyleVideo", "StylizeEngine", "StyleNN", "StyleTensor", "ImageCodecs", "StylizeTestSupport",
        ]),
        .testTarget(name: "StylizeCLISupportTests", dependencies: [
            "StyleWeights", "StylizeEngine", "StyleBatch", "StylizeCLISupport", "StylizeTestSupport",
        ]),
        .testTarget(name: "StyleServerTests", dependencies: [
            "StyleKernels", "StyleServer", "StylizeEngine", "StyleSheets", "StyleVideo", "StyleNN", "ImageCodecs", "StylizeTestSupport",
        ]),
        .testTarget(name: "HardeningTests", dependencies: [
            "CCodecShim", "ImageCodecs", "StylizeEngine", "StylizeTestSupport",
            "stylize",   // not imported: builds the binary the tests run
        ]),
    ]
)
