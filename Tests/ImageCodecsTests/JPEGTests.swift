import XCTest
@testable import ImageCodecs
import StylizeTestSupport

/// JPEG decode and encode through libjpeg-turbo: known values, encoder
/// settings, grayscale, progressive, CMYK and YCCK files.
final class JPEGTests: XCTestCase {
    /// Twelve clearly different colours on 8x8 cells (one JPEG block each).
    static let palette: [[[UInt8]]] = [
        [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]],
        [[0, 0, 0], [255, 255, 0], [0, 255, 255], [255, 0, 255]],
        [[128, 128, 128], [200, 100, 50], [30, 60, 90], [90, 200, 160]],
    ]

    /// Sampling factors (h, v) of each component in the SOF segment.
    func samplingFactors(_ jpeg: [UInt8]) -> [(Int, Int)] {
        guard let sof = jpegSegmentOffset(jpeg, marker: 0xC0) ?? jpegSegmentOffset(jpeg, marker: 0xC2) else { return [] }
        let components = Int(jpeg[sof + 9])
        return (0..<components).map { i in
            let byte = Int(jpeg[sof + 10 + 3 * i + 1])
            return (byte >> 4, byte & 15)
        }
    }

    /// Solid 8x8 blocks at quality 100 (4:4:4, all quantisers 1) decode to the
    /// values written, within the rounding of the YCbCr conversion.
    func testKnownValuesAtQuality100() throws {
        let image = cellImage(Self.palette, cellSize: 8)
        let jpeg = try ImageIO.encode(image, as: .jpeg, quality: 100, name: "known.jpg")
        XCTAssertEqual(ImageFormat(sniffing: jpeg), .jpeg)
        let decoded = try ImageIO.decode(bytes: jpeg, name: "known.jpg")
        XCTAssertEqual(decoded.width, 32)
        XCTAssertEqual(decoded.height, 24)
        XCTAssertNil(decoded.alpha)
        XCTAssertLessThanOrEqual(maxDifference(decoded.rgb, image.rgb), 2)
        for (got, want) in zip(pixel(decoded, 12, 20), [200, 100, 50] as [UInt8]) { // row 2, column 1
            XCTAssertEqual(Int(got), Int(want), accuracy: 2)
        }
    }

    /// Noise at quality 100 stays close; at the default quality 95 it stays
    /// recognisably close on average.
    func testNoiseFidelity() throws {
        let image = Pictures.noise(width: 40, height: 24, seed: 3)
        let q100 = try ImageIO.decode(bytes: ImageIO.encode(image, as: .jpeg, quality: 100, name: "n.jpg"), name: "n.jpg")
        XCTAssertLessThanOrEqual(maxDifference(q100.rgb, image.rgb), 6)
        let mean100 = zip(q100.rgb, image.rgb).map { abs(Int($0) - Int($1)) }.reduce(0, +) / image.rgb.count
        XCTAssertLessThanOrEqual(mean100, 1)
        var gradientRGB: [UInt8] = []
        for y in 0..<32 {
            for x in 0..<64 { gradientRGB += [UInt8(x * 4), UInt8(y * 8), UInt8(255 - x * 2)] }
        }
        let gradient = Image(width: 64, height: 32, rgb: gradientRGB)
        let q95 = try ImageIO.decode(bytes: ImageIO.encode(gradient, as: .jpeg, name: "g.jpg"), name: "g.jpg")
        let mean95 = Double(zip(q95.rgb, gradient.rgb).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(gradient.rgb.count)
        XCTAssertLessThan(mean95, 2.0)
    }

    /// 4:4:4 chroma at quality >= 90, libjpeg's 4:2:0 below.
    func testChromaSubsamplingFollowsQuality() throws {
        let image = Pictures.noise(width: 16, height: 16, seed: 4)
        let high = samplingFactors(try ImageIO.encode(image, as: .jpeg, quality: 90, name: "h.jpg"))
        XCTAssertEqual(high.map { $0.0 }, [1, 1, 1])
        XCTAssertEqual(high.map { $0.1 }, [1, 1, 1])
        let low = samplingFactors(try ImageIO.encode(image, as: .jpeg, quality: 89, name: "l.jpg"))
        XCTAssertEqual(low.map { $0.0 }, [2, 1, 1])
        XCTAssertEqual(low.map { $0.1 }, [2, 1, 1])
    }

    /// Alpha is dropped on JPEG output.
    func testJPEGDropsAlpha() throws {
        let image = Pictures.noise(width: 8, height: 8, seed: 5, alpha: true)
        let decoded = try ImageIO.decode(bytes: ImageIO.encode(image, as: .jpeg, quality: 100, name: "a.jpg"), name: "a.jpg")
        XCTAssertNil(decoded.alpha)
        XCTAssertLessThanOrEqual(maxDifference(decoded.rgb, image.rgb), 6)
    }

    /// A one-component file decodes to R = G = B = the stored gray.
    func testGrayscale() throws {
        let gray: [UInt8] = (0..<(24 * 16)).map { (i: Int) -> UInt8 in
            let column = (i % 24) / 8, row = (i / 24) / 8
            return UInt8(column * 100 + row * 20)
        }
        let jpeg = try JPEGEncoder.encode(pixels: gray, width: 24, height: 16, layout: .gray, quality: 100, file: "gray.jpg")
        XCTAssertEqual(samplingFactors(jpeg).count, 1, "one component stored")
        let decoded = try ImageIO.decode(bytes: jpeg, name: "gray.jpg")
        XCTAssertEqual(decoded.width, 24)
        XCTAssertEqual(decoded.height, 16)
        for i in 0..<gray.count {
            XCTAssertEqual(decoded.rgb[3 * i], decoded.rgb[3 * i + 1])
            XCTAssertEqual(decoded.rgb[3 * i], decoded.rgb[3 * i + 2])
            XCTAssertEqual(Int(decoded.rgb[3 * i]), Int(gray[i]), accuracy: 1)
        }
    }

    /// A progressive file (SOF2) decodes to exactly the pixels of the baseline
    /// file with the same tables: progression changes the order of the
    /// coefficients, not their values.
    func testProgressiveMatchesBaseline() throws {
        let image = Pictures.noise(width: 45, height: 29, seed: 6)
        let baseline = try JPEGEncoder.encode(pixels: image.rgb, width: 45, height: 29, layout: .rgb, quality: 85, file: "b.jpg")
        let progressive = try JPEGEncoder.encode(pixels: image.rgb, width: 45, height: 29, layout: .rgb, quality: 85,
                                                 progressive: true, file: "p.jpg")
        XCTAssertNotNil(jpegSegmentOffset(progressive, marker: 0xC2), "progressive files have an SOF2 marker")
        XCTAssertNil(jpegSegmentOffset(baseline, marker: 0xC2))
        let a = try ImageIO.decode(bytes: baseline, name: "b.jpg")
        let b = try ImageIO.decode(bytes: progressive, name: "p.jpg")
        XCTAssertEqual(a, b)
        XCTAssertLessThan(maxDifference(a.rgb, image.rgb), 120) // sanity: it is the same picture
    }

    /// CMYK cells, each C, M, Y, K value written by libjpeg unchanged.
    static let cmykCells: [[UInt8]] = [
        [255, 255, 255, 255], [0, 255, 255, 255], [255, 0, 255, 255], [255, 255, 0, 255],
        [255, 255, 255, 0], [200, 100, 50, 128], [10, 250, 130, 200], [128, 128, 128, 128],
    ]

    func cmykPixels() -> [UInt8] {
        // 4 x 2 cells of 8x8 pixels.
        var out = [UInt8](repeating: 0, count: 32 * 16 * 4)
        for y in 0..<16 {
            for x in 0..<32 {
                let cell = Self.cmykCells[(y / 8) * 4 + x / 8]
                out.replaceSubrange(((y * 32 + x) * 4)..<((y * 32 + x) * 4 + 4), with: cell)
            }
        }
        return out
    }

    func checkCMYK(_ jpeg: [UInt8], inverted: Bool, tolerance: Int, line: UInt = #line) throws {
        let decoded = try ImageIO.decode(bytes: jpeg, name: "cmyk.jpg")
        XCTAssertEqual(decoded.width, 32, line: line)
        XCTAssertEqual(decoded.height, 16, line: line)
        for (index, cell) in Self.cmykCells.enumerated() {
            let (c, m, y, k) = inverted
                ? (Double(cell[0]), Double(cell[1]), Double(cell[2]), Double(cell[3]))
                : (255 - Double(cell[0]), 255 - Double(cell[1]), 255 - Double(cell[2]), 255 - Double(cell[3]))
            let expected = [c * k / 255, m * k / 255, y * k / 255].map { Int($0.rounded()) }
            let got = pixel(decoded, (index % 4) * 8 + 4, (index / 4) * 8 + 4).map(Int.init)
            for ch in 0..<3 {
                XCTAssertEqual(got[ch], expected[ch], accuracy: tolerance, "cell \(index) channel \(ch)", line: line)
            }
        }
    }

    /// Adobe-marked CMYK (how Photoshop writes it) stores inverted values:
    /// R = C*K/255 with 255 meaning no ink.
    func testAdobeCMYKIsTakenAsInverted() throws {
        let jpeg = try JPEGEncoder.encode(pixels: cmykPixels(), width: 32, height: 16, layout: .cmyk, quality: 100, file: "cmyk.jpg")
        XCTAssertNotNil(jpegSegmentOffset(jpeg, marker: 0xEE), "libjpeg writes an Adobe APP14 marker for CMYK")
        XCTAssertEqual(samplingFactors(jpeg).count, 4)
        try checkCMYK(jpeg, inverted: true, tolerance: 2)
    }

    /// CMYK without an Adobe marker is plain: R = (255-C)(255-K)/255.
    func testPlainCMYK() throws {
        let jpeg = try JPEGEncoder.encode(pixels: cmykPixels(), width: 32, height: 16, layout: .cmyk, quality: 100,
                                          adobeMarker: false, file: "cmyk.jpg")
        XCTAssertNil(jpegSegmentOffset(jpeg, marker: 0xEE))
        try checkCMYK(jpeg, inverted: false, tolerance: 2)
    }

    /// YCCK (CMYK with the colour part in YCbCr, always Adobe-marked) converts
    /// back to the same colours as inverted CMYK.
    func testYCCK() throws {
        let jpeg = try JPEGEncoder.encode(pixels: cmykPixels(), width: 32, height: 16, layout: .cmyk, quality: 100,
                                          storeYCCK: true, file: "ycck.jpg")
        let adobe = try XCTUnwrap(jpegSegmentOffset(jpeg, marker: 0xEE))
        XCTAssertEqual(jpeg[adobe + 15], 2, "Adobe transform 2 = YCCK")
        try checkCMYK(jpeg, inverted: true, tolerance: 3)
    }

    /// probe reads the size without decoding.
    func testProbe() throws {
        let dir = try makeTemporaryFolder(self)
        let path = dir + "/probe.jpeg"
        try ImageIO.write(Pictures.noise(width: 19, height: 11, seed: 9), to: path)
        let info = try ImageIO.probe(file: path)
        XCTAssertEqual(info.format, .jpeg)
        XCTAssertEqual(info.width, 19)
        XCTAssertEqual(info.height, 11)
    }
}
