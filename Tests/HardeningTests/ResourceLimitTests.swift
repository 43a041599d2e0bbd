import Foundation
import XCTest
@testable import ImageCodecs
import StylizeEngine
import StylizeTestSupport

/// Resource limits and tiny images through the real `stylize` binary.
final class ResourceLimitTests: XCTestCase {
    var dir = ""
    var model = ""

    override func setUpWithError() throws {
        dir = try makeTemporaryFolder(self)
        model = dir + "/tiny.safetensors"
        try writeTinyModel(to: model)
    }

    /// A 60000 x 60000 header is refused in well under a second, the message names
    /// the file, its size and the limit, and nothing is written.
    func testPixelLimitIsReportedByTheCLI() throws {
        let huge = try XCTUnwrap(MalformedCorpus.bombs().first { $0.name == "bomb-60000x60000.png" })
        try writeFile(dir + "/huge.png", huge.bytes)
        try ImageIO.write(Pictures.ramps(width: 8, height: 8, seed: 1), to: dir + "/style.png")
        for args in [["huge.png", "style.png"], ["style.png", "huge.png", "--style-size", "0"]] {
            let result = try runStylize(args + ["--weights", model, "-o", "out.png"], in: dir)
            XCTAssertNotEqual(result.status, 0)
            XCTAssert(result.stderr.contains("huge.png: PNG image is 60000x60000 pixels, over the limit of 178956970 pixels"),
                      result.stderr)
            XCTAssertLessThan(result.seconds, 5, "refused from the header (the process start dominates)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.png"))
    }

    /// 1x1 style and content images work through the CLI, at their own size and
    /// resized, with the result's size matching the content.
    func testOnePixelImagesWork() throws {
        try ImageIO.write(Pictures.ramps(width: 1, height: 1, seed: 2), to: dir + "/dot.png")
        try ImageIO.write(Pictures.ramps(width: 1, height: 1, seed: 3), to: dir + "/dot.jpg")
        try ImageIO.write(Pictures.ramps(width: 30, height: 20, seed: 4), to: dir + "/photo.png")
        let cases: [([String], (Int, Int))] = [
            (["photo.png", "dot.png", "--content-size", "0", "--style-size", "0"], (30, 20)),
            (["photo.png", "dot.jpg", "--content-size", "0"], (30, 20)),           // style resized up to 512
            (["dot.png", "photo.png", "--content-size", "0", "--style-size", "0"], (1, 1)),
            (["dot.jpg", "dot.png", "--content-size", "0", "--style-size", "0"], (1, 1)),
            (["dot.png", "photo.png", "--content-size", "16", "--style-size", "0"], (16, 16)),
        ]
        for (index, (args, size)) in cases.enumerated() {
            let output = "out\(index).png"
            let result = try runStylize(args + ["--weights", model, "-o", output, "--threads", "1"], in: dir)
            XCTAssertEqual(result.status, 0, "\(args): \(result.stderr)")
            let image = try ImageIO.decode(file: dir + "/" + output)
            XCTAssertEqual([image.width, image.height], [size.0, size.1], "\(args)")
        }
    }

    /// Very thin images (1 x 300 and 300 x 1) as content and style.
    func testThinImagesWork() throws {
        try ImageIO.write(Pictures.ramps(width: 1, height: 300, seed: 5), to: dir + "/tall.png")
        try ImageIO.write(Pictures.ramps(width: 300, height: 1, seed: 6), to: dir + "/wide.jpg")
        for (content, style, size) in [("tall.png", "wide.jpg", [1, 300]), ("wide.jpg", "tall.png", [300, 1])] {
            let result = try runStylize([content, style, "--weights", model, "-o", "out.png", "--content-size", "0",
                                            "--style-size", "0", "--threads", "1"], in: dir)
            XCTAssertEqual(result.status, 0, result.stderr)
            let image = try ImageIO.decode(file: dir + "/out.png")
            XCTAssertEqual([image.width, image.height], size)
        }
    }

    /// Damaged inputs through the CLI: an error naming the file, exit status 1, no output.
    func testDamagedInputsThroughTheCLI() throws {
        try ImageIO.write(Pictures.ramps(width: 8, height: 8, seed: 7), to: dir + "/style.png")
        let jpeg = try ImageIO.encode(Pictures.ramps(width: 40, height: 30, seed: 8), as: .jpeg, name: "x")
        let files: [(String, [UInt8])] = [("empty.jpg", []), ("text.png", Array("hello".utf8)),
                                           ("cut.jpg", Array(jpeg.prefix(jpeg.count / 2)))]
        for (name, bytes) in files {
            try writeFile(dir + "/" + name, bytes)
            let result = try runStylize([name, "style.png", "--weights", model, "-o", "out.png"], in: dir)
            XCTAssertEqual(result.status, 1, "\(name): \(result.stderr)")
            XCTAssert(result.stderr.contains(name + ": "), "\(name): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.png"))
    }
}
