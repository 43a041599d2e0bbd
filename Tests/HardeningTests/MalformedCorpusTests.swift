import Foundation
import XCTest
@testable import ImageCodecs
import CCodecShim
import StylizeTestSupport

/// Runs every file of `MalformedCorpus` through the file-based decoder (the path the
/// CLI uses): each must decode to the right size (and pixels, where known) or fail with
/// a `CodecError` naming the file, within a time bound, without a memory blow-up.
final class MalformedCorpusTests: XCTestCase {
    func testEveryCorpusFileDecodesOrFailsClearly() throws {
        let dir = try makeTemporaryFolder(self)
        var paths: [(CorpusCase, String)] = []
        do {
            let corpus = try MalformedCorpus.all()
            let keep = ProcessInfo.processInfo.environment["STYLIZE_WRITE_CORPUS"]
            if let keep { try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true) }
            for (index, item) in corpus.enumerated() {
                let path = dir + "/\(index)-" + item.name
                try writeFile(path, item.bytes)
                if let keep { try writeFile(keep + "/" + item.name, item.bytes) }
                var light = item
                light.bytes = []
                paths.append((light, path))
            }
        }
        XCTAssertGreaterThan(paths.count, 250, "corpus size")
        let peakBefore = maxRSSBytes()
        var decoded = 0, refused = 0
        for (item, path) in paths {
            let start = Date()
            do {
                let image = try ImageIO.decode(file: path)
                decoded += 1
                XCTAssert(image.isConsistent, "\(item.name): inconsistent image")
                switch item.expect {
                case .decodes(let w, let h):
                    XCTAssertEqual(image.width, w, item.name)
                    XCTAssertEqual(image.height, h, item.name)
                    if let pixels = item.pixels { XCTAssertEqual(image, pixels, "\(item.name): pixels") }
                case .decodesOrFails:
                    break
                case .fails, .failsAs:
                    XCTFail("\(item.name): decoded to \(image.width)x\(image.height), expected an error")
                }
            } catch let error as CodecError {
                refused += 1
                XCTAssertEqual(error.file, path, "\(item.name): the error names the file")
                XCTAssert(error.description.hasPrefix(path + ": "), error.description)
                XCTAssertFalse(error.detail.isEmpty, item.name)
                switch item.expect {
                case .decodes: XCTFail("\(item.name): expected to decode, got \(error)")
                case .failsAs(let kind): XCTAssertEqual(error.kind, kind, "\(item.name): \(error)")
                case .fails, .decodesOrFails: break
                }
            } catch {
                XCTFail("\(item.name): not a CodecError: \(error)")
            }
            // Generous for a loaded 2-core machine in a debug build; a hang fails here.
            XCTAssertLessThan(Date().timeIntervalSince(start), 5, "\(item.name) took too long")
        }
        let growth = maxRSSBytes() - peakBefore
        XCTAssertLessThan(growth, 100 << 20, "peak memory grew by \(growth >> 20) MB while decoding the corpus")
        XCTAssertGreaterThan(decoded, 20)
        XCTAssertGreaterThan(refused, 200)
    }

    /// A 16000x10000 PNG (within the pixel limit) in a few dozen bytes is refused
    /// from the header: the pixel buffer (480 MB) is never reserved.
    func testPNGHeaderLargerThanTheFileCanHoldIsRefusedBeforeAllocation() throws {
        let bombs = try MalformedCorpus.bombs()
        let bomb = try XCTUnwrap(bombs.first { $0.name == "bomb-16000x10000-tiny.png" })
        let start = Date()
        XCTAssertThrowsError(try ImageIO.decode(bytes: bomb.bytes, name: "bomb.png")) { error in
            let e = error as? CodecError
            XCTAssertEqual(e?.kind, .truncated)
            XCTAssert(e?.description.hasPrefix("bomb.png: PNG header claims 16000x10000 pixels") ?? false, "\(error)")
            XCTAssert(e?.detail.contains("more than the \(bomb.bytes.count)-byte file can hold") ?? false, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        // Just above and at the deflate ceiling: a file of n bytes may claim up to 1032 n bytes.
        let n = bomb.bytes.count
        XCTAssertThrowsError(try PNGDecoder.checkPlausibleSize(info(width: 1032 * n + 1, height: 1, color: 0), fileBytes: n, file: "x"))
        XCTAssertNoThrow(try PNGDecoder.checkPlausibleSize(info(width: 1032 * n, height: 1, color: 0), fileBytes: n, file: "x"))
        XCTAssertNoThrow(try PNGDecoder.checkPlausibleSize(info(width: 8 * 1032 * n, height: 1, color: 0, depth: 1), fileBytes: n, file: "x"))
    }

    /// The deflate ceiling never refuses a real file: the most compressible
    /// images libpng writes (all zeros, 1-bit and 8-bit, large) decode.
    func testMostCompressibleRealFilesStillDecode() throws {
        for (w, h) in [(4000, 3000), (1, 20000)] {
            let zeros = try PNGEncoder.encode(packed: [UInt8](repeating: 0, count: ((w + 7) / 8) * h), width: w, height: h,
                                              bitDepth: 1, colorType: .gray, compressionLevel: 9, file: "z.png")
            let image = try ImageIO.decode(bytes: zeros, name: "z.png")
            XCTAssertEqual(image.width, w)
            XCTAssertEqual(image.rgb.max(), 0)
        }
    }

    private func info(width: Int, height: Int, color: Int32, depth: Int32 = 8) -> sc_png_info {
        var i = sc_png_info()
        i.width = Int32(width); i.height = Int32(height); i.color_type = color; i.bit_depth = depth
        return i
    }
}
