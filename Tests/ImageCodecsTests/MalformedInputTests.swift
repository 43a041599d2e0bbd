import XCTest
@testable import ImageCodecs
import StylizeTestSupport

/// Damaged and hostile input: every case must end in a `CodecError` (or, for
/// bit flips that leave a JPEG decodable, a consistent image), never a crash
/// or a hang.
final class MalformedInputTests: XCTestCase {
    static func samples() throws -> [(name: String, bytes: [UInt8])] {
        let rgb = Pictures.noise(width: 37, height: 21, seed: 11)
        let alpha = Pictures.noise(width: 23, height: 13, seed: 12, alpha: true)
        var rng = SeededRandom(seed: 13)
        let palette = (0..<48).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let indices = (0..<(20 * 10)).map { _ in UInt8.random(in: 0..<16, using: &rng) }
        return [
            ("baseline.jpg", try ImageIO.encode(rgb, as: .jpeg, quality: 80, name: "baseline.jpg")),
            ("progressive.jpg", try JPEGEncoder.encode(pixels: rgb.rgb, width: 37, height: 21, layout: .rgb, quality: 80,
                                                       progressive: true, file: "progressive.jpg")),
            ("rgb.png", try ImageIO.encode(rgb, as: .png, name: "rgb.png")),
            ("rgba.png", try ImageIO.encode(alpha, as: .png, name: "rgba.png")),
            ("palette-adam7.png", try PNGEncoder.encode(packed: indices, width: 20, height: 10, bitDepth: 8, colorType: .palette,
                                                        interlaced: true, palette: palette, paletteAlpha: [0, 128],
                                                        file: "palette-adam7.png")),
        ]
    }

    /// Every strict prefix of every sample is an error: JPEG needs its EOI,
    /// PNG its IEND.
    func testTruncationsAtEveryOffset() throws {
        for (name, bytes) in try Self.samples() {
            XCTAssertNoThrow(try ImageIO.decode(bytes: bytes, name: name))
            let step = bytes.count > 3000 ? 3 : 1
            for n in stride(from: 0, to: bytes.count, by: step) {
                let error = assertCodecError(nil, "\(name) cut to \(n) bytes") {
                    _ = try ImageIO.decode(bytes: Array(bytes.prefix(n)), name: name)
                }
                XCTAssertEqual(error?.file, name)
            }
        }
    }

    /// Truncation is reported as such, with the file named.
    func testTruncationMessage() throws {
        let (name, bytes) = try Self.samples()[0]
        let error = assertCodecError(.truncated) { _ = try ImageIO.decode(bytes: Array(bytes.prefix(bytes.count / 2)), name: name) }
        XCTAssert(error?.description.hasPrefix("baseline.jpg: ") ?? false, error?.description ?? "")
    }

    /// Single bit flips at seeded random positions. PNG: every flip is an
    /// error (CRCs cover every chunk; flips in a length field break the chunk
    /// walk). JPEG has no checksum, so a flip inside entropy-coded data may
    /// decode to different pixels: then the image must still be consistent.
    func testSingleBitFlips() throws {
        var rng = SeededRandom(seed: 2024)
        for (name, bytes) in try Self.samples() {
            let isPNG = name.hasSuffix(".png")
            for trial in 0..<300 {
                var damaged = bytes
                let bit = Int.random(in: 0..<(bytes.count * 8), using: &rng)
                damaged[bit / 8] ^= UInt8(1 << (bit % 8))
                do {
                    let image = try ImageIO.decode(bytes: damaged, name: name)
                    XCTAssertFalse(isPNG, "\(name): flip of bit \(bit) (trial \(trial)) went unnoticed")
                    XCTAssertEqual(image.rgb.count, image.width * image.height * 3)
                } catch let error as CodecError {
                    XCTAssertEqual(error.file, name)
                } catch {
                    XCTFail("\(name): unexpected error \(error)")
                }
            }
        }
    }

    /// Bursts of random bytes overwriting the data.
    func testRandomOverwrites() throws {
        var rng = SeededRandom(seed: 77)
        for (name, bytes) in try Self.samples() {
            for _ in 0..<150 {
                var damaged = bytes
                let start = Int.random(in: 2..<bytes.count, using: &rng)
                let length = Int.random(in: 1...32, using: &rng)
                for i in start..<min(bytes.count, start + length) { damaged[i] = UInt8.random(in: 0...255, using: &rng) }
                do {
                    let image = try ImageIO.decode(bytes: damaged, name: name)
                    XCTAssertEqual(image.rgb.count, image.width * image.height * 3)
                } catch is CodecError {
                } catch {
                    XCTFail("\(name): unexpected error \(error)")
                }
            }
        }
    }

    func testZeroBytes() {
        let error = assertCodecError(.empty) { _ = try ImageIO.decode(bytes: [], name: "empty.jpg") }
        XCTAssertEqual(error?.description, "empty.jpg: file is empty (0 bytes)")
    }

    func testTextNamedJPG() {
        let error = assertCodecError(.unknownFormat) { _ = try ImageIO.decode(bytes: Array("hello world\n".utf8), name: "photo.jpg") }
        XCTAssertEqual(error?.description, "photo.jpg: not a JPEG or PNG file (starts with 'hell')")
        let binary = assertCodecError(.unknownFormat) { _ = try ImageIO.decode(bytes: [0x47, 0x49, 0x46, 0x38, 0x39, 0x61], name: "x.png") }
        XCTAssertEqual(binary?.detail, "not a JPEG or PNG file (starts with 'GIF8')")
        let bytes = assertCodecError(.unknownFormat) { _ = try ImageIO.decode(bytes: [0, 1, 0xFE], name: "x") }
        XCTAssertEqual(bytes?.detail, "not a JPEG or PNG file (starts with bytes 00 01 FE)")
    }

    func testSignaturesOnly() {
        assertCodecError { _ = try ImageIO.decode(bytes: [0xFF, 0xD8, 0xFF], name: "sig.jpg") }
        assertCodecError { _ = try ImageIO.decode(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], name: "sig.png") }
    }

    /// A damaged IDAT CRC and a damaged CRC of an ancillary chunk are both errors.
    func testBadPNGCRCs() throws {
        let png = try ImageIO.encode(Pictures.noise(width: 8, height: 8, seed: 1), as: .png, name: "c.png")
        let idat = try XCTUnwrap(pngChunks(png).first { $0.type == "IDAT" })
        var badIDAT = png
        badIDAT[idat.offset + 8 + idat.length] ^= 0x01
        let e1 = assertCodecError(.corrupt) { _ = try ImageIO.decode(bytes: badIDAT, name: "c.png") }
        XCTAssert(e1?.detail.contains("CRC") ?? false, e1?.description ?? "")

        // A tEXt chunk (ancillary) before IDAT, and one after it, with a wrong CRC.
        var text = pngChunk("tEXt", Array("Comment\0hello".utf8))
        text[text.count - 1] ^= 0xFF
        var before = png
        before.insert(contentsOf: text, at: idat.offset)
        let e2 = assertCodecError(.corrupt) { _ = try ImageIO.decode(bytes: before, name: "c.png") }
        XCTAssert(e2?.detail.contains("CRC") ?? false, e2?.description ?? "")
        var after = png
        let iend = try XCTUnwrap(pngChunks(png).first { $0.type == "IEND" })
        after.insert(contentsOf: text, at: iend.offset)
        assertCodecError(.corrupt) { _ = try ImageIO.decode(bytes: after, name: "c.png") }

        // Sanity: the same chunk with a correct CRC is accepted.
        var good = png
        good.insert(contentsOf: pngChunk("tEXt", Array("Comment\0hello".utf8)), at: idat.offset)
        XCTAssertNoThrow(try ImageIO.decode(bytes: good, name: "c.png"))
    }

    /// IHDR values that lie (with CRCs fixed so only the lie is wrong).
    func testPNGHeaderLies() throws {
        let png = try ImageIO.encode(Pictures.noise(width: 16, height: 16, seed: 2), as: .png, name: "h.png")
        func edited(_ at: Int, _ bytes: [UInt8]) -> [UInt8] {
            var copy = png
            copy.replaceSubrange(at..<(at + bytes.count), with: bytes)
            fixChunkCRC(&copy, at: 8)
            return copy
        }
        // IHDR data starts at 16: width 16..19, height 20..23, depth 24, colour type 25, interlace 28.
        assertCodecError(nil, "taller than the data") { _ = try ImageIO.decode(bytes: edited(20, [0, 0, 1, 0]), name: "h.png") }
        assertCodecError(nil, "wider than the data") { _ = try ImageIO.decode(bytes: edited(16, [0, 0, 0, 64]), name: "h.png") }
        assertCodecError(nil, "zero width") { _ = try ImageIO.decode(bytes: edited(16, [0, 0, 0, 0]), name: "h.png") }
        assertCodecError(nil, "bit depth 3") { _ = try ImageIO.decode(bytes: edited(24, [3]), name: "h.png") }
        assertCodecError(nil, "colour type 7") { _ = try ImageIO.decode(bytes: edited(25, [7]), name: "h.png") }
        assertCodecError(nil, "RGBA claimed for RGB data") { _ = try ImageIO.decode(bytes: edited(25, [6]), name: "h.png") }
        assertCodecError(nil, "interlace 2") { _ = try ImageIO.decode(bytes: edited(28, [2]), name: "h.png") }
        assertCodecError(nil, "palette without PLTE") { _ = try ImageIO.decode(bytes: edited(25, [3]), name: "h.png") }
    }

    /// SOF values that lie.
    func testJPEGHeaderLies() throws {
        let jpeg = try ImageIO.encode(Pictures.noise(width: 16, height: 16, seed: 3), as: .jpeg, name: "h.jpg")
        let sof = try XCTUnwrap(jpegSegmentOffset(jpeg, marker: 0xC0))
        func edited(_ at: Int, _ bytes: [UInt8]) -> [UInt8] {
            var copy = jpeg
            copy.replaceSubrange((sof + at)..<(sof + at + bytes.count), with: bytes)
            return copy
        }
        // SOF: FF C0, length(2), precision(1), height(2) at +5, width(2) at +7, components at +9.
        assertCodecError(nil, "taller than the data") { _ = try ImageIO.decode(bytes: edited(5, [0x10, 0x00]), name: "h.jpg") }
        assertCodecError(nil, "wider than the data") { _ = try ImageIO.decode(bytes: edited(7, [0x10, 0x00]), name: "h.jpg") }
        assertCodecError(nil, "zero height") { _ = try ImageIO.decode(bytes: edited(5, [0, 0]), name: "h.jpg") }
        assertCodecError(.unsupported, "12-bit precision") { _ = try ImageIO.decode(bytes: edited(4, [12]), name: "h.jpg") }
        assertCodecError(nil, "segment length past the end") { _ = try ImageIO.decode(bytes: edited(2, [0xFF, 0xFF]), name: "h.jpg") }
    }

    /// Stray bytes between two marker segments (a common camera quirk) leave
    /// the entropy-coded data intact: tolerated, same pixels.
    func testExtraneousBytesBetweenMarkersAreTolerated() throws {
        let jpeg = try ImageIO.encode(Pictures.noise(width: 16, height: 16, seed: 9), as: .jpeg, name: "x.jpg")
        let sof = try XCTUnwrap(jpegSegmentOffset(jpeg, marker: 0xC0))
        var quirky = jpeg
        quirky.insert(contentsOf: [0x00, 0x11, 0x22], at: sof)
        XCTAssertEqual(try ImageIO.decode(bytes: quirky, name: "x.jpg"), try ImageIO.decode(bytes: jpeg, name: "x.jpg"))
    }

    /// Neither library prints anything, even for files that make them warn or fail.
    func testLibrariesNeverWriteToStderr() throws {
        let dir = try makeTemporaryFolder(self)
        let capture = dir + "/stderr.txt"
        let samples = try Self.samples()
        fflush(nil)   // every C stream (stderr among them)
        let saved = dup(2)
        let fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        dup2(fd, 2)
        for (name, bytes) in samples {
            for n in stride(from: 20, to: bytes.count, by: 97) { _ = try? ImageIO.decode(bytes: Array(bytes.prefix(n)), name: name) }
            var flipped = bytes
            flipped[bytes.count / 2] ^= 0x40
            _ = try? ImageIO.decode(bytes: flipped, name: name)
        }
        var quirky = samples[0].bytes
        quirky.insert(contentsOf: [0x00, 0x11], at: try XCTUnwrap(jpegSegmentOffset(quirky, marker: 0xC0)))
        _ = try? ImageIO.decode(bytes: quirky, name: "warns.jpg")
        fflush(nil)   // every C stream (stderr among them)
        dup2(saved, 2)
        close(saved)
        close(fd)
        XCTAssertEqual(try FileAccess.read(capture), [], "nothing printed to stderr")
    }

    /// A 60000 x 60000 header is refused from the header alone, before any
    /// pixel memory exists (a decode would need 10.8 GB).
    func testPixelLimitPNG() throws {
        var ihdr = bigEndian32(60000) + bigEndian32(60000)
        ihdr += [8, 2, 0, 0, 0]
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + pngChunk("IHDR", ihdr)
            + pngChunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + pngChunk("IEND", [])
        let start = Date()
        let error = assertCodecError(.tooLarge) { _ = try ImageIO.decode(bytes: png, name: "huge.png") }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
        XCTAssert(error?.detail.contains("60000x60000") ?? false, error?.description ?? "")
    }

    func testPixelLimitJPEG() throws {
        var jpeg = try ImageIO.encode(Pictures.noise(width: 16, height: 16, seed: 4), as: .jpeg, name: "huge.jpg")
        let sof = try XCTUnwrap(jpegSegmentOffset(jpeg, marker: 0xC0))
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xEA, 0x60, 0xEA, 0x60]) // 60000 x 60000
        let start = Date()
        let error = assertCodecError(.tooLarge) { _ = try ImageIO.decode(bytes: jpeg, name: "huge.jpg") }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
        XCTAssert(error?.description.hasPrefix("huge.jpg: JPEG image is 60000x60000") ?? false, error?.description ?? "")
    }

    /// The limit is configurable and applies exactly at width*height.
    func testPixelLimitIsConfigurable() throws {
        let image = Pictures.noise(width: 30, height: 20, seed: 5)
        for format in [ImageFormat.jpeg, .png] {
            let bytes = try ImageIO.encode(image, as: format, name: "x")
            assertCodecError(.tooLarge) { _ = try ImageIO.decode(bytes: bytes, name: "x", options: DecodeOptions(maxPixels: 599)) }
            XCTAssertNoThrow(try ImageIO.decode(bytes: bytes, name: "x", options: DecodeOptions(maxPixels: 600)))
        }
        XCTAssertGreaterThanOrEqual(DecodeOptions().maxPixels, 100_000_000)
    }

    /// Progressive files with more scans than allowed are refused.
    func testScanLimit() throws {
        let image = Pictures.noise(width: 16, height: 16, seed: 6)
        let jpeg = try JPEGEncoder.encode(pixels: image.rgb, width: 16, height: 16, layout: .rgb, quality: 80,
                                          progressive: true, file: "p.jpg")
        XCTAssertNoThrow(try ImageIO.decode(bytes: jpeg, name: "p.jpg"))
        let error = assertCodecError(.tooLarge) { _ = try ImageIO.decode(bytes: jpeg, name: "p.jpg", options: DecodeOptions(maxJPEGScans: 3)) }
        XCTAssert(error?.detail.contains("more than 3 scans") ?? false, error?.description ?? "")
    }

    /// Files that cannot be read are I/O errors naming the path.
    func testUnreadableFiles() throws {
        let missing = assertCodecError(.io) { _ = try ImageIO.decode(file: "/nonexistent/photo.jpg") }
        XCTAssertEqual(missing?.file, "/nonexistent/photo.jpg")
        let dir = try makeTemporaryFolder(self)
        assertCodecError(.io) { _ = try ImageIO.decode(file: dir) }
        let empty = dir + "/empty.png"
        XCTAssert(FileManager.default.createFile(atPath: empty, contents: Data()))
        assertCodecError(.empty) { _ = try ImageIO.decode(file: empty) }
        assertCodecError(.empty) { _ = try ImageIO.probe(file: empty) }
    }
}
