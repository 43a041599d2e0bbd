import Foundation
import XCTest
import ImageCodecs
import StyleModels
import StyleTensor
@testable import StylizeEngine
import StylizeTestSupport

/// The Magenta family through `TransferSession` end to end on files, with the tiny random networks committed for the
/// model tests (Tests/StyleModelsTests/MagentaReference): decoding, style preparation,
/// presets, output naming, errors. The numbers themselves are checked in StyleModelsTests.
final class MagentaPipelineTests: XCTestCase {
    static let referenceFolder = URL(fileURLWithPath: packageRoot + "/Tests/StyleModelsTests/MagentaReference")

    var tmp: URL!

    override func setUpWithError() throws {
        tmp = URL(fileURLWithPath: try makeTemporaryFolder(self, prefix: "magenta-pipeline"))
    }

    func writeImage(_ name: String, width: Int, height: Int, seed: UInt64) throws -> String {
        let path = tmp.appendingPathComponent(name).path
        try ImageIO.write(Pictures.blocks(width: width, height: height, seed: seed), to: path)
        return path
    }

    func testPresetRunWritesImageOfContentSize() throws {
        let session = try TransferSession(family: .magenta,
                                          weights: Self.referenceFolder.appendingPathComponent("tiny-multistyle26.safetensors").path)
        let content = try writeImage("c.png", width: 30, height: 21, seed: 1)
        var options = TransferOptions()
        options.contentSize = 0
        let out = tmp.appendingPathComponent("out.png").path
        let result = try session.run(TransferRequest(content: content, styles: [], preset: "3:0.5,12:0.5", output: out, options: options))
        XCTAssertEqual(result.width, 30); XCTAssertEqual(result.height, 21)
        let image = try ImageIO.decode(file: out)
        // the same numbers as the model run on the decoded content
        guard case .multistyle(let m) = try MagentaModel.load(path: Self.referenceFolder.appendingPathComponent("tiny-multistyle26.safetensors").path) else {
            return XCTFail("not multistyle")
        }
        let expected = Image(tensor: try m.stylize(Tensor(image: try ImageIO.decode(file: content)), weights: m.presetWeights("3,12")))
        XCTAssertEqual(image.rgb, expected.rgb)
        XCTAssertThrowsError(try session.run(TransferRequest(content: content, styles: [], preset: "99", output: out, options: options))) {
            XCTAssertEqual($0 as? MagentaError, .badPreset("99"))
        }
    }

    func testArbitraryRunUsesStyleVector() throws {
        let session = try TransferSession(family: .magenta,
                                          weights: Self.referenceFolder.appendingPathComponent("tiny-arbitrary.safetensors").path)
        let content = try writeImage("photo.png", width: 20, height: 16, seed: 2)
        let style = try writeImage("paint.png", width: 50, height: 40, seed: 3)
        var options = TransferOptions()
        options.contentSize = 0
        let out = tmp.appendingPathComponent("photo_stylized_paint.jpg").path
        let result = try session.run(TransferRequest(content: content, styles: [style], output: out, options: options))
        XCTAssertEqual(result.width, 20); XCTAssertEqual(result.height, 16)
        XCTAssertEqual(try ImageIO.decode(file: out).width, 20)
        // refuses to overwrite an input
        XCTAssertThrowsError(try session.run(TransferRequest(content: content, styles: [style], output: style, options: options)))
        // the style vector comes from the centred square crop at the model's style size
        guard case .magenta(let family) = session.engine.loaded else { return XCTFail("not a Magenta engine") }
        let v = try family.styleVector(.file(style))
        guard case .arbitrary(let m) = try MagentaModel.load(path: Self.referenceFolder.appendingPathComponent("tiny-arbitrary.safetensors").path) else {
            return XCTFail("not arbitrary")
        }
        XCTAssertEqual(v, try m.styleVector(MagentaFamily.predictorInput(try ImageIO.decode(file: style), size: m.styleSize)))
        XCTAssertThrowsError(try session.run(TransferRequest(content: content, styles: [], options: options)))
    }

    /// Creates an empty file (the locator only looks for files) and its folder.
    func touch(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()), path)
    }

    func testLocatorOrderExplicitThenVariableThenShippedThenCache() throws {
        let name = WeightsLocator.magentaMultistyleFile
        let root = tmp.path, wd = root + "/wd", exe = root + "/prefix/bin/stylize"
        let home = ["HOME": root + "/home"]
        // The command-line tool adds its cache folder ($XDG_CACHE_HOME/stylize, see CacheFolder).
        let saved = WeightsLocator.additionalFolders
        defer { WeightsLocator.additionalFolders = saved }
        WeightsLocator.additionalFolders = [root + "/home/.cache/stylize"]
        func resolve(_ explicit: String? = nil, _ environment: [String: String] = home) throws -> String {
            try WeightsLocator(environment: environment, workingDirectory: wd, executablePath: exe).magenta(name, explicit: explicit)
        }
        // nothing anywhere: every place is named, with what to do
        XCTAssertThrowsError(try resolve()) { error in
            let message = "\(error)"
            for place in [wd + "/Weights/" + name, root + "/prefix/share/stylize/" + name, root + "/home/.cache/stylize/" + name] {
                XCTAssertTrue(message.contains(place), "\(place) not in: \(message)")
            }
            XCTAssertTrue(message.contains("ship in the repository's Weights/ folder"), message)
            XCTAssertTrue(message.contains("stylize weights fetch magenta"), message)
        }
        // the cache ($XDG_CACHE_HOME first) is the last resort
        let cached = root + "/home/.cache/stylize/" + name, xdg = root + "/xdg/stylize/" + name
        try touch(cached); try touch(xdg)
        XCTAssertEqual(try resolve(), cached)
        WeightsLocator.additionalFolders = [root + "/xdg/stylize", root + "/home/.cache/stylize"]
        XCTAssertEqual(try resolve(), xdg)
        WeightsLocator.additionalFolders = [root + "/home/.cache/stylize"]
        // a shipped copy comes before the cache: installed (<prefix>/share/stylize), then the working directory's Weights/
        let installed = root + "/prefix/share/stylize/" + name, local = wd + "/Weights/" + name
        try touch(installed)
        XCTAssertEqual(try resolve(), installed)
        XCTAssertEqual(WeightsLocator(workingDirectory: wd, executablePath: exe).shippedMagenta(name), installed)
        try touch(local)
        XCTAssertEqual(try resolve(), local)
        // the variable, then an explicit file or folder, come first
        let chosen = root + "/chosen/" + name
        try touch(chosen)
        XCTAssertEqual(try resolve(nil, home.merging(["STYLIZE_MAGENTA_WEIGHTS": root + "/chosen"]) { $1 }), chosen)
        XCTAssertEqual(try resolve(nil, home.merging(["STYLIZE_MAGENTA_WEIGHTS": chosen]) { $1 }), chosen)
        XCTAssertEqual(try resolve(root + "/chosen", home.merging(["STYLIZE_MAGENTA_WEIGHTS": local]) { $1 }), chosen)
        XCTAssertEqual(try resolve(cached), cached, "an explicit file is used whatever its name")
        // a given place that lacks the file is an error, not a fallback to the shipped copy
        XCTAssertThrowsError(try resolve(root + "/home")) {
            XCTAssertTrue("\($0)".hasPrefix("Magenta weights not found (looked at: \(root)/home (from --weights): neither a weights file "
                           + "nor a folder holding \(name))."), "\($0)")
        }
        XCTAssertThrowsError(try resolve(nil, home.merging(["STYLIZE_MAGENTA_WEIGHTS": root + "/missing"]) { $1 })) {
            XCTAssertTrue("\($0)".contains("\(root)/missing (from STYLIZE_MAGENTA_WEIGHTS)"), "\($0)")
        }
    }

    func testShippedFilesAreFoundFromTheBuildFolder() {
        // .build/<config>/stylize inside the package: the package's Weights/ (what a fresh clone has)
        let package = packageRoot
        for name in [WeightsLocator.magentaArbitraryFile, WeightsLocator.magentaMultistyleFile] {
            XCTAssertEqual(WeightsLocator(workingDirectory: tmp.path, executablePath: package + "/.build/debug/stylize").shippedMagenta(name),
                           package + "/Weights/" + name)
        }
    }
}
