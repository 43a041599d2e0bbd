import XCTest
@testable import StyleServer
import StylizeTestSupport

final class MultipartTests: XCTestCase {
    func testBoundaryFromContentType() {
        XCTAssertEqual(Multipart.boundary(contentType: "multipart/form-data; boundary=abc"), "abc")
        XCTAssertEqual(Multipart.boundary(contentType: "Multipart/Form-Data;boundary=\"a b;c\""), "a b;c")
        XCTAssertEqual(Multipart.boundary(contentType: "multipart/form-data; charset=utf-8; boundary=----WebKitFormBoundaryX1"), "----WebKitFormBoundaryX1")
        XCTAssertNil(Multipart.boundary(contentType: "application/json"))
        XCTAssertNil(Multipart.boundary(contentType: "multipart/form-data"))
        XCTAssertNil(Multipart.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)))
    }

    func testRoundTripWithBinaryDataThatLooksLikeABoundary() throws {
        // Data containing CRLF, "--", and the boundary without its leading CRLF must survive.
        // (A real delimiter, CRLF "--" boundary, cannot occur inside data: encoders choose the boundary so.)
        let tricky: [UInt8] = Array("line--b0undary\r\n\r\n--b0undar\r\n--b0undarY".utf8) + [0, 255, 13, 10, 45, 45]
        let parts = [FormPart(name: "content", filename: "a.png", contentType: "image/png", data: tricky),
                     FormPart(name: "alpha", data: Array("0.5".utf8)),
                     FormPart(name: "empty", data: [])]
        let body = Multipart.encode(parts, boundary: "b0undary")
        XCTAssertEqual(try Multipart.parse(body, boundary: "b0undary"), parts)
    }

    func testBrowserStyleBodyWithPreambleAndQuotedParameters() throws {
        let body = Array(("preamble to ignore\r\n--XyZ\r\n"
            + "Content-Disposition: form-data; name=\"style\"; filename=\"my \\\"best\\\"; painting.jpg\"\r\n"
            + "Content-Type: image/jpeg\r\n\r\nJPEGDATA\r\n"
            + "--XyZ\r\ncontent-disposition: form-data; name=norm\r\n\r\ngroup\r\n--XyZ--\r\nepilogue").utf8)
        let parts = try Multipart.parse(body, boundary: "XyZ")
        XCTAssertEqual(parts.count, 2)
        XCTAssertEqual(parts[0].name, "style")
        XCTAssertEqual(parts[0].filename, "my \"best\"; painting.jpg")
        XCTAssertEqual(parts[0].contentType, "image/jpeg")
        XCTAssertEqual(parts[0].text, "JPEGDATA")
        XCTAssertEqual(parts[1].name, "norm")
        XCTAssertEqual(parts[1].text, "group")
    }

    func testMalformedBodiesNameTheProblem() {
        func message(_ body: String, boundary: String = "B") -> String {
            do { _ = try Multipart.parse(Array(body.utf8), boundary: boundary); return "parsed" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("no boundary here").contains("not found"))
        XCTAssertTrue(message("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue").contains("no closing boundary"))
        XCTAssertTrue(message("--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--").contains("has no name"))
        XCTAssertTrue(message("--B\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--B--").contains("must be form-data"))
        XCTAssertTrue(message("--B\r\nbroken header line\r\n\r\nx\r\n--B--").contains("malformed header"))
        XCTAssertTrue(message("--B\r\nContent-Disposition: form-data; name=a").contains("no end of headers"))
        XCTAssertTrue(message("--B").contains("ends inside a boundary line"))
        let many = (0...Multipart.maxParts).map { "--B\r\nContent-Disposition: form-data; name=f\($0)\r\n\r\nx\r\n" }.joined() + "--B--"
        XCTAssertTrue(message(many).contains("more than \(Multipart.maxParts) parts"))
    }

    func testFindMatchesNaiveSearch() {
        var rng = SeededRandom(seed: 42)
        for _ in 0..<200 {
            // Bytes 0...3 only, so the needle often occurs (and partly occurs) in the haystack.
            let hay = (0..<rng.int(5...68)).map { _ in UInt8(rng.int(0...3)) }
            let needle = (0..<rng.int(1...4)).map { _ in UInt8(rng.int(0...3)) }
            let from = rng.int(0...7) % hay.count
            var naive: Int? = nil
            if hay.count >= needle.count, from <= hay.count - needle.count {
                for i in from...(hay.count - needle.count) where Array(hay[i..<i + needle.count]) == needle { naive = i; break }
            }
            XCTAssertEqual(Multipart.find(needle, in: hay, from: from), naive, "\(hay) \(needle) from \(from)")
        }
    }
}
