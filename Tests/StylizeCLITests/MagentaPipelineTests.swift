import Foundation
import XCTest
import ImageCodecs
import StyleModels
import StyleTensor
@testable import StylePipeline

/// The Magenta family through `TransferSession` end to end on files, with the tiny random networks committed for the
/// model tests (Tests/StyleModelsTests/MagentaReference): decoding, style preparation,
/// presets, output naming, errors. The numbers themselves are checked in StyleModelsTests.
final class MagentaPipelineTests: XCTestCase {
    static let referenceFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("StyleModelsTests/MagentaReference")

    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("magenta-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func writeImage(_ name: String, width: Int, height: Int, seed: Int) throws -> String {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for i in rgb.indices { rgb[i] = UInt8((i * 37 + seed * 101 + (i / (width * 3)) * 13) % 256) }
        let path = tmp.appendingPathComponent(name).path
        try ImageIO.write(Image(width: width, height: height, rgb: rgb), to: path)
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
        let v = try session.engine.magenta!.styleVector(.file(style))
        guard case .arbitrary(let m) = try MagentaModel.load(path: Self.referenceFolder.appendingPathComponent("tiny-arbitrary.safetensors").path) else {
            return XCTFail("not arbitrary")
        }
        XCTAssertEqual(v, try m.styleVector(MagentaFamily.predictorInput(try ImageIO.decode(file: style), size: m.styleSize)))
        XCTAssertThrowsError(try session.run(TransferRequest(content: content, styles: [], options: options)))
    }

    func testMissingWeightsSayHowToFetch() {
        XCTAssertThrowsError(try MagentaWeightsLocator.resolve(explicit: tmp.path, fileName: MagentaWeightsLocator.arbitraryFile,
                                                               environment: ["HOME": tmp.path])) { error in
            XCTAssertTrue("\(error)".contains("stylize weights fetch magenta"), "\(error)")
        }
    }
}
