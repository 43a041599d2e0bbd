import Foundation
import XCTest
@testable import StyleWeights
import StylizeTestSupport

/// The official-weights importer on reduced-width pytorch-AdaIN networks (widths / 32)
/// saved by PyTorch in both formats; expected native tensors were mapped independently in
/// make_fixtures.py and stored with the reference safetensors package.
final class AdaINImporterTests: XCTestCase {
    let vggFile = "vgg_normalised.pth", decoderFile = "decoder.pth"

    func assertMatchesExpected(_ result: (tensors: [String: WeightTensor], metadata: [String: String]), line: UInt = #line) throws {
        let expected = try SafeTensorsFile(path: Fixture.path("adain_expected.safetensors"))
        XCTAssertEqual(result.tensors.keys.sorted(), expected.names, line: line)
        XCTAssertEqual(expected.names.count, 38, line: line) // 10 encoder + 9 decoder convs
        for name in expected.names {
            XCTAssertEqual(result.tensors[name]?.shape, expected.info(name)?.shape, name, line: line)
            XCTAssertBitsEqual(result.tensors[name]?.values ?? [], try expected.floats(name), name, line: line)
        }
        for (key, value) in expected.metadata {
            XCTAssertEqual(result.metadata[key], value, key, line: line)
        }
        XCTAssertEqual(result.metadata["encoder_widths"], "2,2,4,4,8,8,8,8,16", line: line)
        XCTAssertEqual(result.metadata["decoder_widths"], "8,8,8,8,4,4,2,2,3", line: line)
    }

    func testImportsLegacyFormat() throws {
        let result = try AdaINImporter.importOfficial(vggPath: Fixture.path("adain_vgg_legacy.pth"),
                                                      decoderPath: Fixture.path("adain_decoder_legacy.pth"))
        try assertMatchesExpected(result)
        XCTAssertEqual(result.metadata["source"], "pytorch-AdaIN: adain_vgg_legacy.pth + adain_decoder_legacy.pth")
    }

    func testImportsZipFormat() throws {
        try assertMatchesExpected(AdaINImporter.importOfficial(vggPath: Fixture.path("adain_vgg_zip.pth"),
                                                               decoderPath: Fixture.path("adain_decoder_zip.pth")))
    }

    func testImportWritesWeightsAndManifest() throws {
        let out = Fixture.scratchDirectory() + "/adain.safetensors"
        let manifest = try AdaINImporter.importOfficial(vggPath: Fixture.path("adain_vgg_legacy.pth"),
                                                        decoderPath: Fixture.path("adain_decoder_zip.pth"), to: out)
        let file = try SafeTensorsFile(path: out)
        try assertMatchesExpected((try file.allTensors(), file.metadata))
        XCTAssertEqual(file.metadata["format_version"], "1")
        XCTAssertEqual(manifest.tensors.count, 38)
        XCTAssertEqual(try WeightsManifest.read(from: WeightsManifest.defaultPath(forWeights: out)), manifest)
        XCTAssertNoThrow(try WeightsManifest.verify(file: out))
        // Half precision output reads back as the float16 rounding of each weight.
        let half = out.replacingOccurrences(of: ".safetensors", with: "-f16.safetensors")
        try AdaINImporter.importOfficial(vggPath: Fixture.path("adain_vgg_zip.pth"), decoderPath: Fixture.path("adain_decoder_zip.pth"), to: half, dtype: .f16)
        let h = try SafeTensorsFile(path: half)
        XCTAssertEqual(h.info("decoder.conv8.weight")?.dtype, "F16")
        XCTAssertBitsEqual(try h.floats("encoder.conv2_1.weight"), try file.floats("encoder.conv2_1.weight").map { Float(Float16($0)) })
    }

    // MARK: - Error cases, on the real state dicts with one change each

    func loaded() throws -> (vgg: [String: WeightTensor], decoder: [String: WeightTensor]) {
        (try TorchCheckpoint.loadStateDict(path: Fixture.path("adain_vgg_legacy.pth")),
         try TorchCheckpoint.loadStateDict(path: Fixture.path("adain_decoder_legacy.pth")))
    }

    func mapError(_ vgg: [String: WeightTensor], _ decoder: [String: WeightTensor], line: UInt = #line) -> WeightsError? {
        expectWeightsError(line: line) { try AdaINImporter.map(vgg: vgg, vggFile: vggFile, decoder: decoder, decoderFile: decoderFile) }
    }

    func testDeeperVGGLayersAreOptional() throws {
        var (vgg, decoder) = try loaded()
        XCTAssertNotNil(vgg["51.weight"])
        for index in AdaINImporter.ignoredEncoderIndices { vgg["\(index).weight"] = nil; vgg["\(index).bias"] = nil }
        try assertMatchesExpected(try AdaINImporter.map(vgg: vgg, vggFile: vggFile, decoder: decoder, decoderFile: decoderFile))
        decoder["1.bias"] = nil
        XCTAssertEqual(mapError(vgg, decoder), .missingKey(file: decoderFile, key: "1.bias"))
    }

    func testMissingKeys() throws {
        let (vgg, decoder) = try loaded()
        for key in ["0.weight", "29.bias", "12.weight"] {
            var v = vgg; v[key] = nil
            XCTAssertEqual(mapError(v, decoder), .missingKey(file: vggFile, key: key))
        }
        for key in ["1.weight", "28.bias"] {
            var d = decoder; d[key] = nil
            XCTAssertEqual(mapError(vgg, d), .missingKey(file: decoderFile, key: key))
        }
    }

    func testUnknownKeys() throws {
        let (vgg, decoder) = try loaded()
        let extra = WeightTensor(shape: [1], values: [0])
        for key in ["3.weight", "1.bias", "30.weight", "60.weight", "02.weight", "features.0.weight", "2.running_mean", "-2.weight", "2.weight.x"] {
            var v = vgg; v[key] = extra
            XCTAssertEqual(mapError(v, decoder), .unknownKey(file: vggFile, key: key), key)
        }
        for key in ["0.weight", "32.weight", "2.bias"] {
            var d = decoder; d[key] = extra
            XCTAssertEqual(mapError(vgg, d), .unknownKey(file: decoderFile, key: key), key)
        }
    }

    func assertShapeError(_ error: WeightsError?, file: String, key: String, mentions: String, line: UInt = #line) {
        guard case let .shapeMismatch(f, k, detail)? = error else { return XCTFail("\(String(describing: error))", line: line) }
        XCTAssertEqual(f, file, line: line)
        XCTAssertEqual(k, key, line: line)
        XCTAssertTrue(detail.contains(mentions), "\(detail) should mention \(mentions)", line: line)
    }

    func testShapeMismatches() throws {
        let (vgg, decoder) = try loaded()
        func zeros(_ shape: [Int]) -> WeightTensor { WeightTensor(shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *))) }

        var v = vgg; v["5.bias"] = zeros([3])
        assertShapeError(mapError(v, decoder), file: vggFile, key: "5.bias", mentions: "expected [2]")
        v = vgg; v["9.weight"] = zeros([4, 3, 3, 3]) // conv2_1 fed 3 channels, conv1_2 gives 2
        assertShapeError(mapError(v, decoder), file: vggFile, key: "9.weight", mentions: "previous layer gives 2")
        v = vgg; v["0.weight"] = zeros([3, 3, 3, 3])
        assertShapeError(mapError(v, decoder), file: vggFile, key: "0.weight", mentions: "[out, in, 1, 1]")
        v = vgg; v["2.weight"] = zeros([2, 3, 1, 1])
        assertShapeError(mapError(v, decoder), file: vggFile, key: "2.weight", mentions: "[out, in, 3, 3]")
        v = vgg; v["2.weight"] = zeros([2, 3, 9])
        assertShapeError(mapError(v, decoder), file: vggFile, key: "2.weight", mentions: "found [2, 3, 9]")
        v = vgg; v["0.weight"] = zeros([4, 3, 1, 1]); v["0.bias"] = zeros([4])
        assertShapeError(mapError(v, decoder), file: vggFile, key: "0.weight", mentions: "3 channels to 3")

        var d = decoder; d["1.weight"] = zeros([8, 8, 3, 3]) // encoder gives 16
        assertShapeError(mapError(vgg, d), file: decoderFile, key: "1.weight", mentions: "previous layer gives 16")
        d = decoder; d["28.weight"] = zeros([4, 2, 3, 3]); d["28.bias"] = zeros([4])
        assertShapeError(mapError(vgg, d), file: decoderFile, key: "28.weight", mentions: "3 channels (RGB)")
    }

    func testCheckArchitectureOnNativeNames() throws {
        let expected = try SafeTensorsFile(path: Fixture.path("adain_expected.safetensors")).allTensors()
        let widths = try AdaINImporter.checkArchitecture(expected)
        XCTAssertEqual(widths.encoder, [2, 2, 4, 4, 8, 8, 8, 8, 16])
        XCTAssertEqual(widths.decoder, [8, 8, 8, 8, 4, 4, 2, 2, 3])
        var broken = expected; broken["decoder.conv3.bias"] = nil
        XCTAssertEqual(expectWeightsError { try AdaINImporter.checkArchitecture(broken) }, .missingKey(file: "", key: "decoder.conv3.bias"))
    }
}
