import XCTest
@testable import ImageCodecs
import StylizeTestSupport

final class FormatTests: XCTestCase {
    func testSniffing() {
        XCTAssertEqual(ImageFormat(sniffing: [0xFF, 0xD8, 0xFF, 0xE0]), .jpeg)
        XCTAssertEqual(ImageFormat(sniffing: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]), .png)
        XCTAssertNil(ImageFormat(sniffing: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A]))
        XCTAssertNil(ImageFormat(sniffing: [0xFF, 0xD8]))
        XCTAssertNil(ImageFormat(sniffing: Array("hello".utf8)))
        XCTAssertNil(ImageFormat(sniffing: [UInt8]()))
    }

    /// The input format comes from the bytes: a PNG named .jpg decodes as PNG.
    func testNameDoesNotDecideTheInputFormat() throws {
        let image = Pictures.noise(width: 3, height: 2, seed: 1)
        let png = try ImageIO.encode(image, as: .png, name: "x")
        XCTAssertEqual(try ImageIO.decode(bytes: png, name: "really-a-png.jpg"), image)
    }

    func testPathExtensions() {
        XCTAssertEqual(ImageFormat(pathExtension: "jpg"), .jpeg)
        XCTAssertEqual(ImageFormat(pathExtension: "JPEG"), .jpeg)
        XCTAssertEqual(ImageFormat(pathExtension: ".Png"), .png)
        XCTAssertNil(ImageFormat(pathExtension: "gif"))
        XCTAssertNil(ImageFormat(pathExtension: ""))
        XCTAssertEqual(ImageFormat.forPath("/a.b/c.JPG"), .jpeg)
        XCTAssertNil(ImageFormat.forPath("/a.png/c"))
        XCTAssertNil(ImageFormat.forPath(".png"))
    }

    func testErrorDescription() {
        let error = CodecError(file: "photo.jpg", kind: .unknownFormat, detail: "not a JPEG or PNG file (starts with 'hell')")
        XCTAssertEqual(error.description, "photo.jpg: not a JPEG or PNG file (starts with 'hell')")
        XCTAssertEqual("\(error)", error.description)
    }
}
