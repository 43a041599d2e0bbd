import Foundation
import XCTest
@testable import ImageCodecs
import StyleWeights
#if canImport(Glibc)
import Glibc
#endif

/// Deterministic generator (SplitMix64) for reproducible corpora.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A smooth image with seeded noise (compresses like a photo, decodes to known sizes).
func testImage(width: Int, height: Int, seed: UInt64, alpha: Bool = false) -> Image {
    var rng = SeededRNG(seed: seed)
    var rgb = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let i = (y * width + x) * 3
            rgb[i] = UInt8(truncatingIfNeeded: x * 255 / max(1, width - 1))
            rgb[i + 1] = UInt8(truncatingIfNeeded: y * 255 / max(1, height - 1))
            rgb[i + 2] = UInt8.random(in: 0...255, using: &rng)
        }
    }
    let a: [UInt8]? = alpha ? (0..<(width * height)).map { UInt8(truncatingIfNeeded: $0 * 7) } : nil
    return Image(width: width, height: height, rgb: rgb, alpha: a)
}

func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
}

func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

/// A PNG chunk with its length and CRC.
func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeBytes = Array(type.utf8)
    return be32(UInt32(data.count)) + typeBytes + data + be32(crc32(typeBytes + data))
}

let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

/// Offsets, types and data lengths of the chunks of a PNG.
func pngChunks(_ png: [UInt8]) -> [(offset: Int, type: String, length: Int)] {
    var result: [(Int, String, Int)] = []
    var at = 8
    while at + 8 <= png.count {
        let length = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
        result.append((at, String(decoding: png[(at + 4)..<(at + 8)], as: UTF8.self), length))
        at += 12 + length
    }
    return result
}

/// JPEG marker segments in file order up to the first SOS: (offset of the FF, marker code).
func jpegSegments(_ jpeg: [UInt8]) -> [(offset: Int, marker: UInt8)] {
    var result: [(Int, UInt8)] = [(0, 0xD8)]
    var at = 2
    while at + 4 <= jpeg.count, jpeg[at] == 0xFF {
        let marker = jpeg[at + 1]
        result.append((at, marker))
        if marker == 0xDA { break }
        at += 2 + (Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3]))
    }
    return result
}

/// zlib stream of `bytes` at the best compression, through the real libpng/zlib
/// path: a PNG of one row is encoded and its IDAT payload returned.
func deflateThroughPNG(rows: Int, rowBytes: Int) throws -> [UInt8] {
    // A gray 8-bit image of `rows` x `rowBytes` zeros: IDAT = zlib(filter byte + zeros per row).
    let png = try PNGEncoder.encode(packed: [UInt8](repeating: 0, count: rows * rowBytes), width: rowBytes, height: rows,
                                    bitDepth: 8, colorType: .gray, compressionLevel: 9, file: "zeros.png")
    var idat: [UInt8] = []
    for chunk in pngChunks(png) where chunk.type == "IDAT" {
        idat += png[(chunk.offset + 8)..<(chunk.offset + 8 + chunk.length)]
    }
    return idat
}

/// A fresh directory under the system temporary directory.
func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "hardening-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Files in `dir`, sorted (hidden temporary files included).
func listing(_ dir: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
}

/// Peak resident set size of this process so far, in bytes.
func maxRSSBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss * 1024
}

/// Current resident set size, in bytes (from /proc/self/statm).
func currentRSSBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// A tiny `adain-vgg19` model with seeded random weights (widths 4 and 6 instead of
/// 64...512, same layer names and layout as Weights/README.md and
/// make_vgg_reference.py), written with SafeTensorsWriter.
func writeTinyModel(to path: String) throws {
    var rng = SeededRNG(seed: 1234)
    func random(_ count: Int, scale: Float) -> [Float] {
        (0..<count).map { _ in Float.random(in: -scale...scale, using: &rng) }
    }
    var tensors: [String: WeightTensor] = [:]
    func conv(_ name: String, _ out: Int, _ inC: Int, _ k: Int) {
        tensors[name + ".weight"] = WeightTensor(shape: [out, inC, k, k], values: random(out * inC * k * k, scale: (2 / Float(inC * k * k)).squareRoot()))
        tensors[name + ".bias"] = WeightTensor(shape: [out], values: random(out, scale: 0.1))
    }
    conv("encoder.conv0", 3, 3, 1)
    let encoder: [(String, Int)] = [("conv1_1", 4), ("conv1_2", 4), ("conv2_1", 6), ("conv2_2", 6), ("conv3_1", 6),
                                    ("conv3_2", 6), ("conv3_3", 6), ("conv3_4", 6), ("conv4_1", 8)]
    var channels = 3
    for (name, width) in encoder { conv("encoder." + name, width, channels, 3); channels = width }
    for (i, width) in [6, 6, 6, 6, 6, 4, 4, 4, 3].enumerated() { conv("decoder.conv\(i)", width, channels, 3); channels = width }
    try SafeTensorsWriter.write(tensors: tensors, metadata: ["architecture": "adain-vgg19", "format_version": "1",
                                                             "source": "HardeningTests (random, seed 1234)"], to: path)
}

/// The `stylize` binary built beside this test bundle (.build/<config>/stylize).
func stylizeBinary() throws -> String {
    // The test runner is .build/<triple>/<config>/<package>PackageTests.xctest on Linux.
    let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: runner).deletingLastPathComponent()
    for _ in 0..<3 {
        let candidate = dir.appendingPathComponent("stylize").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    throw XCTSkip("stylize binary not found beside the test bundle (run `swift build` first)")
}

/// Runs the real CLI and collects its exit status and output.
final class CLIRunner {
    struct Result { var status: Int32; var stdout: String; var stderr: String; var seconds: Double }

    static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try stylizeBinary())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let start = Date()
        try process.run()
        // Read both pipes before waiting, so a chatty child cannot block on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), seconds: Date().timeIntervalSince(start))
    }
}

/// A small tmpfs mounted for one test (needs root / CAP_SYS_ADMIN; skips otherwise).
final class ScratchMount {
    let path: String
    private var mounted = false

    init(sizeKiB: Int, readOnly: Bool = false) throws {
        guard geteuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
        path = try makeTemporaryDirectory()
        let options = "size=\(sizeKiB)k"
        let flags: UInt = readOnly ? UInt(MS_RDONLY) : 0
        guard mount("tmpfs", path, "tmpfs", flags, options) == 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(path)
            throw XCTSkip("cannot mount a tmpfs here: \(reason)")
        }
        mounted = true
    }

    func unmount() {
        if mounted { umount(path); mounted = false }
        rmdir(path)
    }

    deinit { unmount() }
}
