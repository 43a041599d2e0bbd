import Foundation
import ImageCodecs
import XCTest
import StylizeTestSupport

/// `-` as the content (standard input) and `-o -` (standard output) through the built binary,
/// with the shipped weights, an empty HOME and no network: the piped image equals the file
/// run's, nothing but the image reaches standard output, and bad input names "standard input".
final class PipeTests: XCTestCase {
    var root = ""
    var env: (set: [String: String], unset: [String]) = ([:], [])
    let photo = packageRoot + "/Images/chelsea.jpg"
    let painting = packageRoot + "/Images/autumn.jpg"
    var photoBytes = Data()

    override func setUpWithError() throws {
        root = try makeTemporaryFolder(self)
        env = try freshCloneEnvironment(root)
        try FileManager.default.createDirectory(atPath: root + "/work", withIntermediateDirectories: true)
        photoBytes = try Data(contentsOf: URL(fileURLWithPath: photo))
    }

    func run(_ arguments: [String], stdin: Data? = nil) throws -> ProcessRun {
        try runStylize(arguments, stdin: stdin, in: root + "/work", environment: env.set, unsetting: env.unset)
    }

    static let pngEnd: [UInt8] = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]   // IEND chunk type and CRC

    func testStandardInputToStandardOutputIsTheFileRunAsPNGAndNothingElse() throws {
        let piped = try run(["-", painting, "-o", "-", "--content-size", "64"], stdin: photoBytes)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        let bytes = [UInt8](piped.output)
        XCTAssertEqual(Array(bytes.prefix(8)), pngSignature, "PNG by default")
        XCTAssertEqual(Array(bytes.suffix(8)), Self.pngEnd, "standard output ends with the image's last chunk: nothing follows it")
        XCTAssertTrue(piped.stderr.contains("wrote standard output (96x64)"), "messages go to standard error: \(piped.stderr)")

        let file = try run([photo, painting, "-o", root + "/file.png", "--content-size", "64"])
        XCTAssertEqual(file.status, 0, file.stderr)
        XCTAssertEqual(try ImageIO.decode(bytes: bytes, name: "stdout").rgb, try ImageIO.decode(file: root + "/file.png").rgb)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/work"), [], "no file was written")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/home"), [], "nothing was written to HOME")
    }

    func testPresetToStandardOutputAsJPEGIsByteIdenticalToTheFile() throws {
        let piped = try run(["-", "--preset", "19", "-o", "-", "--format", "jpeg", "--content-size", "64", "--quiet"], stdin: photoBytes)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stderr, "", "--quiet: nothing on standard error either")
        XCTAssertEqual(Array(piped.output.prefix(3)), [0xFF, 0xD8, 0xFF])
        XCTAssertEqual(Array(piped.output.suffix(2)), [0xFF, 0xD9], "ends with the JPEG's EOI marker")
        let file = try run([photo, "--preset", "19", "-o", root + "/p.jpg", "--content-size", "64"])
        XCTAssertEqual(file.status, 0, file.stderr)
        XCTAssertEqual(piped.output, try Data(contentsOf: URL(fileURLWithPath: root + "/p.jpg")))
    }

    func testStandardInputToAFileAndFileToStandardOutput() throws {
        let toFile = try run(["-", painting, "--model", "magenta", "-o", "out.jpg", "--content-size", "48"], stdin: photoBytes)
        XCTAssertEqual(toFile.status, 0, toFile.stderr)
        XCTAssertTrue(toFile.output.isEmpty == false && toFile.stdout.contains("wrote out.jpg (72x48)"), toFile.stdout)
        XCTAssertEqual(try ImageIO.decode(file: root + "/work/out.jpg").width, 72)

        let fromFile = try run([photo, painting, "-o", "-", "--content-size", "48"])
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        XCTAssertEqual(try ImageIO.decode(bytes: [UInt8](fromFile.output), name: "stdout").width, 72)
    }

    func testEmptyOrBrokenStandardInputIsAnErrorNamingIt() throws {
        let cases: [(Data, String)] = [
            (Data(), "standard input: nothing was read (0 bytes)"),
            (Data("hello, not an image\n".utf8), "standard input: not a JPEG or PNG file (starts with 'hell')"),
            (photoBytes.prefix(2000), "standard input:"),
        ]
        for (input, message) in cases {
            let r = try run(["-", painting, "-o", "-", "--content-size", "32"], stdin: input)
            XCTAssertEqual(r.status, 1, "an error exit, not a crash: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(message) in: \(r.stderr)")
            XCTAssertTrue(r.output.isEmpty, "nothing on standard output after an error")
        }
    }

    func testCombinationsThatCannotWorkAreRefusedClearly() throws {
        let cases: [([String], String)] = [
            (["-", painting, "-o", "-", "--json"], "--json prints a JSON object on standard output, which -o - uses for the image"),
            (["-", painting], "the content comes from standard input (-): say where the result goes"),
            ([photo, "-", "-o", "x.png"], "only the content can be read from standard input"),
            ([photo, painting, "-o", "x.png", "--format", "jpeg"], "--format jpeg does not match the output file x.png"),
            (["batch", "--content", "-", "--style", painting, "-o", "out"], "batch: '--content -' (standard input or output) is not supported"),
            (["batch", "--content", root, "--style", painting, "-o", "-"], "batch: '-o -' (standard input or output) is not supported"),
            (["compare", "-", painting, "-o", "grid.png"], "compare: 'CONTENT -' (standard input or output) is not supported"),
            (["compare", photo, painting, "-o", "-"], "compare: '-o -' (standard input or output) is not supported"),
            (["gallery", "-", "--style", painting, "-o", "g.jpg"], "gallery: 'PHOTO -' (standard input or output) is not supported"),
        ]
        for (arguments, message) in cases {
            // No input is piped: a program that refuses before reading would leave the writer
            // a closed pipe.
            let r = try run(arguments)
            XCTAssertNotEqual(r.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(r.stderr.contains(message), "\(arguments.joined(separator: " ")): expected '\(message)' in \(r.stderr)")
            XCTAssertTrue(r.output.isEmpty, "nothing on standard output: \(r.stdout)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/work"), [], "no file was written")
    }

    func testPresetSheetThroughPipes() throws {
        let r = try run(["presets", "-", "-o", "-", "--size", "24", "--columns", "9"], stdin: photoBytes)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(Array(r.output.prefix(8)), pngSignature)
        XCTAssertTrue(r.stderr.contains("wrote standard output"), r.stderr)
        let sheet = try ImageIO.decode(bytes: [UInt8](r.output), name: "stdout")
        XCTAssertEqual(sheet.width, 6 + 9 * (24 + 6))
    }
}
