// swift-tools-version:5.9
import PackageDescription

/// No compiler flags: the hot loops of the kernels live in the C target `CStyleKernels`,
/// compiled once per instruction set through per-function target attributes (portable,
/// AVX2+FMA and AVX-512F on x86-64, NEON on aarch64) and chosen once at start-up from the running CPU,
/// so one binary runs on every CPU of its architecture. `STYLIZE_ISA=generic` forces the
/// portable kernels at run time.
let package = Package(
    name: "stylize",
    products: [
        .library(name: "StylizeKit", targets: [
            "StylizeKit", "ImageCodecs", "StyleKernels", "StyleTensor", "StyleNN",
            "StyleWeights", "StyleModels", "StylePipeline", "StyleVideo",
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
        .target(name: "StyleWeights", dependencies: ["StyleTensor"]),
        .target(name: "StyleModels", dependencies: ["StyleKernels", "StyleTensor", "StyleNN", "StyleWeights"]),
        .target(name: "StylePipeline", dependencies: [
            "ImageCodecs", "StyleKernels", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels",
        ]),
        // Video through the ffmpeg/ffprobe programs (spawned, raw frames on pipes).
        .target(name: "StyleVideo", dependencies: ["ImageCodecs", "StyleNN", "StylePipeline"]),
        // `import StylizeKit`: every library module at once, and the DocC catalog.
        .target(name: "StylizeKit", dependencies: [
            "ImageCodecs", "StyleKernels", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels", "StylePipeline",
            "StyleVideo",
        ]),
        .target(name: "StyleServer", dependencies: [
            "StylePipeline",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        // What only the command-line tool needs: the terminal progress bar, signal handling,
        // downloads and the XDG cache folder (kept out of StylizeKit).
        .target(name: "StylizeCLISupport", dependencies: ["StylePipeline", "StyleWeights"]),
        .executableTarget(name: "stylize", dependencies: [
            "ImageCodecs", "StyleKernels", "StyleModels", "StyleNN", "StyleWeights", "StylePipeline",
            "StyleServer", "StyleVideo", "StylizeCLISupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Times the shipped networks as StyleModels builds them (see Benchmarks/).
        .executableTarget(name: "stylize-bench", dependencies: [
            "ImageCodecs", "StyleKernels", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels", "StylePipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // What the test targets share (Tests/Support): the seeded generator, seeded pictures, the
        // tiny-model writers, the process runner, temporary folders, PNG/JPEG byte helpers and
        // the StyleWeights fixtures. A plain target that imports XCTest (fine on Linux).
        .target(name: "StylizeTestSupport", dependencies: [
            "ImageCodecs", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels", "StylePipeline",
        ], path: "Tests/Support"),

        .testTarget(name: "ImageCodecsTests", dependencies: ["ImageCodecs", "StylizeTestSupport"]),
        .testTarget(name: "StyleKernelsTests", dependencies: ["StyleKernels", "StyleTensor", "StylizeTestSupport"]),
        .testTarget(name: "StyleNNTests", dependencies: ["StyleKernels", "StyleTensor", "StyleNN", "StylizeTestSupport"],
                    resources: [.copy("Golden")]),
        .testTarget(name: "StyleWeightsTests", dependencies: ["StyleWeights", "StylizeTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "StyleModelsTests", dependencies: [
            "StyleModels", "StyleWeights", "StyleNN", "StyleTensor", "StylizeTestSupport",
        ], resources: [.copy("Reference"), .copy("MagentaReference")]),
        .testTarget(name: "StylizeCLITests", dependencies: [
            "ImageCodecs", "StyleTensor", "StyleNN", "StyleWeights", "StyleModels", "StylePipeline", "StyleVideo",
            "StylizeTestSupport",
        ]),
        .testTarget(name: "StyleVideoTests", dependencies: [
            "StyleVideo", "StylePipeline", "StyleNN", "StyleTensor", "ImageCodecs", "StylizeTestSupport",
        ]),
        .testTarget(name: "StylizeCLISupportTests", dependencies: [
            "StyleWeights", "StylePipeline", "StylizeCLISupport", "StylizeTestSupport",
        ]),
        .testTarget(name: "StyleServerTests", dependencies: ["StyleServer", "StylePipeline", "ImageCodecs", "StylizeTestSupport"]),
        .testTarget(name: "HardeningTests", dependencies: [
            "CCodecShim", "ImageCodecs", "StylePipeline", "stylize", "StylizeTestSupport",
        ]),
    ]
)
