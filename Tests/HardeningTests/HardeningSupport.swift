import Foundation
import XCTest
@testable import ImageCodecs
#if canImport(Glibc)
import Glibc
#endif
import StylizeTestSupport

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

/// A tiny `adain-vgg19` model with seeded random weights (widths 4 to 8 instead of 64 to 512,
/// the real layer names and layout), without population statistics.
func writeTinyModel(to path: String) throws {
    let he2 = Float(2).squareRoot()   // uniform in ±sqrt(2 / fan-in)
    try TinyModels.vgg(to: path, seed: 1234, encoderWidths: [4, 4, 6, 6, 6, 6, 6, 6, 8],
                       decoderWidths: [6, 6, 6, 6, 6, 4, 4, 4], gain: he2, decoderGain: he2, outputGain: he2,
                       outputBias: 0, biasSpread: 0.1, populationStatistics: false,
                       metadata: ["format_version": "1", "source": "HardeningTests (random, seed 1234)"])
}

/// A small tmpfs mounted for one test (needs root / CAP_SYS_ADMIN; skips otherwise).
final class ScratchMount {
    let path: String
    private var mounted = false

    init(sizeKiB: Int, readOnly: Bool = false) throws {
        guard geteuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
        path = try makeTemporaryFolder(prefix: "scratch-mount")
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
