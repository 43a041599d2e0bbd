import Foundation
import ImageCodecs
import XCTest
import StylizeTestSupport

/// End-to-end runs of the single-image command `stylize CONTENT STYLE ...` through the
/// built binary, with tiny random weights written by the test.
final class TransferBinaryTests: XCTestCase {
    var root = ""
    var weights = ""
    var content = ""
    var style = ""

    override func setUpWithError() throws {
        root = try makeTemporaryFolder(self)
        weights = root + "/tiny.safetensors"
        try TinyModels.vgg(to: weights)
        content = root + "/photo.png"
        style = root + "/painting.jpg"
        var photo = Pictures.blocks(width: 48, height: 40, seed: 3)
        photo.alpha = (0..<(48 * 40)).map { UInt8($0 % 256) }
        try ImageIO.write(photo, to: content)
        try ImageIO.write(Pictures.blocks(width: 36, height: 44, seed: 4), to: style)
    }

    func testWritesTheDefaultOutputNameWithTheContentsSizeAndAlpha() throws {
        let run = try runStylize([content, style, "--weights", weights, "--content-size", "0"], in: root)
        XCTAssertEqual(run.status, 0, run.stderr)
        let output = root + "/photo_stylized_painting.png"
        XCTAssertTrue(run.stdout.contains("wrote photo_stylized_painting.png (48x40)"), run.stdout)
        let image = try ImageIO.decode(file: output)
        XCTAssertEqual(image.width, 48)
        XCTAssertEqual(image.height, 40)
        XCTAssertEqual(image.alpha, (0..<(48 * 40)).map { UInt8($0 % 256) }, "PNG output keeps the content's alpha")
        XCTAssertNotEqual(image.rgb, try ImageIO.decode(file: content).rgb, "the output is not the content")
    }

    func testOutputIsDeterministicAcrossThreadCounts() throws {
        let a = root + "/a.png", b = root + "/b.png"
        XCTAssertEqual(try runStylize([content, style, "--weights", weights, "-o", a, "--threads", "1", "-q"]).status, 0)
        XCTAssertEqual(try runStylize([content, style, "--weights", weights, "-o", b, "--threads", "3", "-q"]).status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
    }

    /// `--precision bf16`: the same bytes for 1 and 3 threads, not the float32 image, the same
    /// pixels from batch; a bad value is refused naming the option.
    func testBF16PrecisionOnTransferAndBatch() throws {
        let a = root + "/a.png", b = root + "/b.png", f = root + "/f.png"
        for (out, threads) in [(a, "1"), (b, "3")] {
            let run = try runStylize([content, style, "--weights", weights, "-o", out, "--threads", threads, "--precision", "bf16",
                                      "--content-size", "0", "-q"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
        XCTAssertEqual(try runStylize([content, style, "--weights", weights, "-o", f, "--content-size", "0", "-q"]).status, 0)
        XCTAssertNotEqual(try ImageIO.decode(file: a).rgb, try ImageIO.decode(file: f).rgb, "bf16 gave the float32 image")

        try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: content, toPath: root + "/in/photo.png")
        let batch = try runStylize(["batch", "--content", root + "/in", "--style", style, "-o", root + "/out",
                                    "--weights", weights, "--precision", "bf16", "--content-size", "0", "-q"])
        XCTAssertEqual(batch.status, 0, batch.stderr)
        XCTAssertEqual(try ImageIO.decode(file: root + "/out/photo_stylized_painting.png").rgb, try ImageIO.decode(file: a).rgb,
                       "batch and transfer give the same bf16 pixels")

        let bad = try runStylize([content, style, "--weights", weights, "-o", root + "/x.png", "--precision", "f16"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--precision"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/x.png"))
    }

    func testAlphaZeroDiffersFromFullStyleAndQuietPrintsNothing() throws {
        let full = root + "/full.jpg", none = root + "/none.jpg"
        let run = try runStylize([content, style, "--weights", weights, "-o", full, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(try runStylize([content, style, "--weights", weights, "-o", none, "--alpha", "0", "-q"]).status, 0)
        XCTAssertNotEqual(try ImageIO.decode(file: full).rgb, try ImageIO.decode(file: none).rgb)
        XCTAssertNil(try ImageIO.decode(file: full).alpha, "JPEG output drops alpha")
    }

    func testStyleMixMaskPreserveColorAndEveryNorm() throws {
        let mask = root + "/mask.png"
        let m = (0..<(48 * 40)).flatMap { p -> [UInt8] in let v: UInt8 = p % 48 < 24 ? 255 : 0; return [v, v, v] }
        try ImageIO.write(Image(width: 48, height: 40, rgb: m), to: mask)
        let cases: [[String]] = [
            [content, style, content, "--style-weights", "0.7,0.3"],
            [content, style, content, "--mask", mask],
            [content, style, "--preserve-color"],
            [content, style, "--norm", "batch"],
            [content, style, "--norm", "layer"],
            [content, style, "--norm", "group", "--groups", "4"],
            [content, style, "--match", "covariance"],
            [content, style, "--match", "covariance", "--norm", "group", "--groups", "4", "--preserve-color"],
            [content, style, content, "--match", "covariance", "--mask", mask, "--tile", "80"],
            [content, style, content, "--match", "distribution", "--style-weights", "0.7,0.3", "--alpha", "0.5"],
        ]
        for (i, args) in cases.enumerated() {
            let out = root + "/case\(i).png"
            let run = try runStylize(args + ["--weights", weights, "-o", out, "-q", "--content-size", "0", "--style-size", "0"])
            XCTAssertEqual(run.status, 0, "\(args): \(run.stderr)")
            XCTAssertEqual(try ImageIO.probe(file: out).width, 48, "\(args)")
        }
    }

    func testBadInputsAreClearErrorsAndLeaveNothingBehind() throws {
        let broken = root + "/broken.jpg"
        try Data("this is not a picture".utf8).write(to: URL(fileURLWithPath: broken))
        let contentBytes = try Data(contentsOf: URL(fileURLWithPath: content))
        let cases: [([String], String)] = [
            ([broken, style, "-o", root + "/x.png"], "broken.jpg: not a JPEG or PNG file"),
            ([content, root + "/missing.png", "-o", root + "/x.png"], "missing.png"),
            ([content, style, "-o", content], "refusing to overwrite the input file"),
            ([content, style, "-o", root + "/x.gif"], "(use .jpg, .jpeg or .png)"),
            ([content, style, "--alpha", "2", "-o", root + "/x.png"], "--alpha must be between 0 and 1"),
            ([content, style, "--norm", "group", "--groups", "5", "-o", root + "/x.png"], "5 groups do not divide"),
            ([content, style, "--mask", content, "-o", root + "/x.png"], "--mask needs exactly two styles"),
            ([content, style, "--style-weights", "1,2", "-o", root + "/x.png"], "--style-weights has 2 values for 1 styles"),
            ([content, style, "--match", "wct", "-o", root + "/x.png"], "--match must be one of moments, covariance, distribution"),
            ([content, style, "--match", "covariance", "--norm", "layer", "-o", root + "/x.png"],
             "--match covariance does not combine with --norm layer: layer norm takes one mean and variance over all channels"),
            ([content, style, "--match", "distribution", "--norm", "batch", "-o", root + "/x.png"], "it combines with --norm instance"),
            ([content, style, "--match", "covariance", "--model", "magenta", "-o", root + "/x.png"], "--match covariance is for the adain family"),
            ([content, style, "--match", "covariance", "--norm", "batch", "-o", root + "/x.png"],
             "population covariance of content features, which this adain-vgg19 weights file lacks"),
        ]
        for (args, message) in cases {
            let run = try runStylize(args + ["--weights", weights])
            XCTAssertNotEqual(run.status, 0, "\(args)")
            XCTAssertTrue(run.stderr.contains(message), "\(args): expected '\(message)' in: \(run.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/x.png"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: content)), contentBytes, "the input is untouched")
        XCTAssertEqual(temporaryFiles(under: root), [])
    }

    func testMissingWeightsSaysHowToGetThem() throws {
        let run = try runStylize([content, style, "-o", root + "/x.png"], in: root,
                                 environment: ["STYLIZE_WEIGHTS": root + "/nowhere.safetensors"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("nowhere.safetensors"), run.stderr)
        XCTAssertTrue(run.stderr.contains("--weights"), run.stderr)
    }

    /// `weights calibrate` stores statistics; `weights verify` needs the manifest and says so.
    func testCalibrateAndVerifyWithoutManifest() throws {
        let file = root + "/model.safetensors"
        try FileManager.default.copyItem(atPath: weights, toPath: file)
        let folder = root + "/calib"
        try Pictures.write(into: folder, count: 3)
        let calibrate = try runStylize(["weights", "calibrate", file, "--images", folder, "--content-size", "32"])
        XCTAssertEqual(calibrate.status, 0, calibrate.stderr)
        XCTAssertTrue(calibrate.stdout.contains("over 3 images"), calibrate.stdout)
        // The covariance it stores makes the batch covariance match usable.
        let wctbn = try runStylize([content, style, "--weights", file, "--norm", "batch", "--match", "covariance", "-o", root + "/bn.png", "-q"])
        XCTAssertEqual(wctbn.status, 0, wctbn.stderr)
        let noManifest = try runStylize(["weights", "verify", file])
        XCTAssertNotEqual(noManifest.status, 0)
        XCTAssertTrue(noManifest.stderr.contains("model.manifest.json"), noManifest.stderr)
    }
}

/// `stylize weights import` on pytorch-AdaIN files (the importer's fixtures: the real
/// network definitions at 1/32 width, saved by PyTorch in both formats).
final class ImportBinaryTests: XCTestCase {
    static let fixtures = Fixture.directory

    func testImportVerifyAndStylizeWithTheImportedModel() throws {
        let root = try makeTemporaryFolder(self)
        let model = root + "/adain.safetensors"
        let imported = try runStylize(["weights", "import", "--vgg", Self.fixtures + "/adain_vgg_legacy.pth",
                                       "--decoder", Self.fixtures + "/adain_decoder_zip.pth", "-o", model])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let verified = try runStylize(["weights", "verify", model])
        XCTAssertEqual(verified.status, 0, verified.stderr)
        XCTAssertTrue(verified.stdout.contains("adain-vgg19"), verified.stdout)
        try ImageIO.write(Pictures.blocks(width: 40, height: 32, seed: 1), to: root + "/c.png")
        try ImageIO.write(Pictures.blocks(width: 32, height: 32, seed: 2), to: root + "/s.png")
        let run = try runStylize([root + "/c.png", root + "/s.png", "--weights", model, "-o", root + "/o.png", "--content-size", "0"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try ImageIO.probe(file: root + "/o.png").width, 40)
    }

    func testImportErrorsNameTheFile() throws {
        let root = try makeTemporaryFolder(self)
        let swapped = try runStylize(["weights", "import", "--vgg", Self.fixtures + "/adain_decoder_legacy.pth",
                                      "--decoder", Self.fixtures + "/adain_vgg_legacy.pth", "-o", root + "/x.safetensors"])
        XCTAssertNotEqual(swapped.status, 0)
        XCTAssertTrue(swapped.stderr.contains("adain_decoder_legacy.pth"), swapped.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/x.safetensors"))
    }
}
