import XCTest
@testable import ImageCodecs
import StylizeTestSupport

/// The public PNG encoder: exact round trips and the layouts it chooses.
final class PNGRoundTripTests: XCTestCase {
    /// A 4x3 image with exact values survives encode + decode unchanged.
    func testKnownPixelValues() throws {
        let rgb: [UInt8] = [
            255, 0, 0,    0, 255, 0,    0, 0, 255,    255, 255, 255,
            0, 0, 0,      1, 2, 3,      128, 64, 32,  250, 251, 252,
            10, 20, 30,   40, 50, 60,   70, 80, 90,   100, 110, 120,
        ]
        let image = Image(width: 4, height: 3, rgb: rgb)
        let png = try ImageIO.encode(image, as: .png, name: "known.png")
        XCTAssertEqual(ImageFormat(sniffing: png), .png)
        XCTAssertEqual(png[25], 2, "opaque images are written as 8-bit RGB")
        let decoded = try ImageIO.decode(bytes: png, name: "known.png")
        XCTAssertEqual(decoded.width, 4)
        XCTAssertEqual(decoded.height, 3)
        XCTAssertEqual(pixel(decoded, 1, 1), [1, 2, 3])
        XCTAssertEqual(pixel(decoded, 2, 1), [128, 64, 32])
        XCTAssertEqual(pixel(decoded, 3, 2), [100, 110, 120])
        XCTAssertEqual(decoded.rgb, rgb)
        XCTAssertNil(decoded.alpha)
    }

    /// Alpha goes out as RGBA and comes back exactly.
    func testAlphaRoundTrip() throws {
        let image = Pictures.noise(width: 17, height: 9, seed: 7, alpha: true)
        let png = try ImageIO.encode(image, as: .png, name: "alpha.png")
        XCTAssertEqual(png[25], 6, "images with alpha are written as RGBA")
        XCTAssertEqual(try ImageIO.decode(bytes: png, name: "alpha.png"), image)
    }

    /// Alpha that is 255 everywhere is reported as no alpha.
    func testFullyOpaqueAlphaBecomesNil() throws {
        var image = Pictures.noise(width: 5, height: 4, seed: 8)
        image.alpha = [UInt8](repeating: 255, count: 20)
        let decoded = try ImageIO.decode(bytes: try ImageIO.encode(image, as: .png, name: "opaque.png"), name: "opaque.png")
        XCTAssertNil(decoded.alpha)
        XCTAssertEqual(decoded.rgb, image.rgb)
    }

    /// probe reads the PNG size; write + decode(file:) round-trips.
    func testProbeAndFileRoundTrip() throws {
        let dir = try makeTemporaryFolder(self)
        let image = Pictures.noise(width: 21, height: 34, seed: 10, alpha: true)
        try ImageIO.write(image, to: dir + "/x.png")
        let info = try ImageIO.probe(file: dir + "/x.png")
        XCTAssertEqual(info.format, .png)
        XCTAssertEqual(info.width, 21)
        XCTAssertEqual(info.height, 34)
        XCTAssertEqual(try ImageIO.decode(file: dir + "/x.png"), image)
    }

    /// A 1x1 image and a wide strip round-trip too.
    func testExtremeShapes() throws {
        for (w, h) in [(1, 1), (300, 1), (1, 200)] {
            let image = Pictures.noise(width: w, height: h, seed: UInt64(w * 1000 + h))
            XCTAssertEqual(try ImageIO.decode(bytes: ImageIO.encode(image, as: .png, name: "s.png"), name: "s.png"), image)
        }
    }
}
