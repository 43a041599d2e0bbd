// swift-tools-version:5.9
import PackageDescription
import Foundation

/// The kernels are compiled for the vector unit of the machine that builds them:
/// `-target-cpu haswell` (AVX2 + FMA) when /proc/cpuinfo reports both, plain x86-64
/// (SSE2) otherwise, so a build never contains instructions its CPU cannot run.
/// `STYLIZE_PORTABLE=1 swift build` forces the portable build (for binaries that
/// will be copied to other machines). `stylize` checks at start-up that the CPU it
/// runs on has what it was compiled for (see `CPUFeatures`).
let hostHasAVX2FMA: Bool = {
    if ProcessInfo.processInfo.environment["STYLIZE_PORTABLE"] == "1" { return false }
    #if arch(x86_64)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
    let flags = info.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
    let words = Set(flags.split(separator: " ").map(String.init))
    return words.contains("avx2") && words.contains("fma")
    #else
    return false
    #endif
}()

let vectorFlags: [String] = hostHasAVX2FMA ? ["-target-cpu", "haswell"] : []
let vectorDefines: [SwiftSetting] = hostHasAVX2FMA ? [.define("STYLIZE_AVX2")] : []

/// Kernels are always optimised, even in debug builds, so tests of real-sized
/// layers stay fast; bounds checks are off only inside the kernel target.
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"] + vectorFlags),
] + vectorDefines

/// Codecs and weight parsing stay bounds-checked but are optimised in debug builds too:
/// resizing photos and hashing weight files are too slow unoptimised for the tests.
let optimisedSettings: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "stylize",
    products: [
        .library(name: "StylizeKit", targets: [
            "ImageCodecs", "StyleKernels", "StyleTensor", "StyleNN",
            "StyleWeights", "StyleModels", "StylePipeline", "StyleVideo",
        ]),
        .executable(name: "stylize", targets: ["stylize"]),
        .executable(name: "stylize-bench", targets: ["stylize-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, found through pkg-config; Debian package names for the hint.
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        // setjmp/longjmp error handling stays on the C side of this shim.
        .target(name: "CCodecShim", dependencies: ["CJPEG", "CPNG"]),

        .target(name: "ImageCodecs", dependencies: ["CCodecShim"], swiftSettings: optimisedSettings),
        .target(name: "StyleKernels", swiftSettings: kernelSettings),
        .target(name: "StyleTensor", dependencies: ["StyleKernels"]),
        .target(name: "StyleNN", dependencies: ["StyleTensor", "StyleKernels"]),
        .target(name: "StyleWeights", dependencies: ["StyleTensor"], swiftSettings: optimisedSettings),
        .target(name: "StyleModels", dependencies: ["StyleNN", "StyleWeights", "StyleTensor"]),
        .target(name: "StylePipeline", dependencies: ["StyleModels", "ImageCodecs"]),
        // Video through the ffmpeg/ffprobe programs (spawned, raw frames on pipes).
        .target(name: "StyleVideo", dependencies: ["StylePipeline", "ImageCodecs", "StyleNN"], swiftSettings: optimisedSettings),
        .executableTarget(name: "stylize", dependencies: [
            "StylePipeline", "StyleKernels", "StyleVideo",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "stylize-bench", dependencies: [
            "StylePipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: [.unsafeFlags(["-O"])]),

        .testTarget(name: "ImageCodecsTests", dependencies: ["ImageCodecs"]),
        .testTarget(name: "StyleKernelsTests", dependencies: ["StyleKernels", "StyleTensor"]),
        .testTarget(name: "StyleNNTests", dependencies: ["StyleNN"],
                    resources: [.copy("Golden")]),
        .testTarget(name: "StyleWeightsTests", dependencies: ["StyleWeights"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "StyleModelsTests", dependencies: ["StyleModels", "StyleWeights", "StyleNN", "StyleTensor"],
                    resources: [.copy("Reference"), .copy("MagentaReference")]),
        .testTarget(name: "StylizeCLITests", dependencies: ["StylePipeline", "StyleVideo"]),
        .testTarget(name: "StyleVideoTests", dependencies: ["StyleVideo", "StylePipeline", "StyleNN", "StyleTensor", "ImageCodecs"]),
        .testTarget(name: "HardeningTests", dependencies: ["ImageCodecs", "StyleWeights", "StylePipeline", "stylize"]),
    ]
)
