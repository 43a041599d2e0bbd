import Foundation
import XCTest
@testable import StyleWeights
import StylizeTestSupport

/// The reader against files written by the reference `safetensors` package, with the
/// expected values from st_expected.json (float32 bit patterns; make_fixtures.py).
final class SafeTensorsReaderTests: XCTestCase {
    struct Expected: Decodable {
        struct Entry: Decodable { let shape: [Int]; let f32: [UInt32]; let f16: [UInt32]; let bf16: [UInt32] }
        let metadata: [String: String]
        let tensors: [String: Entry]
    }

    let expected = try! JSONDecoder().decode(Expected.self, from: Data(Fixture.bytes("st_expected.json")))

    private func check(_ fileName: String, dtype: String, bits: (Expected.Entry) -> [UInt32]) throws {
        let file = try SafeTensorsFile(path: Fixture.path(fileName))
        XCTAssertEqual(file.names, expected.tensors.keys.sorted())
        for (name, entry) in expected.tensors {
            let info = try XCTUnwrap(file.info(name))
            XCTAssertEqual(info.dtype, dtype)
            XCTAssertEqual(info.shape, entry.shape, name)
            XCTAssertBitsEqual(try file.floats(name), bits(entry).map(Float.init(bitPattern:)), "\(fileName) \(name)")
        }
    }

    func testF32MatchesReference() throws {
        try check("st_f32.safetensors", dtype: "F32") { $0.f32 }
        let file = try SafeTensorsFile(path: Fixture.path("st_f32.safetensors"))
        XCTAssertEqual(file.metadata, expected.metadata)
        XCTAssertEqual(try file.tensor("scalar"), WeightTensor(shape: [], values: [-2.75]))
        XCTAssertEqual(try file.tensor("empty").values, [])
    }

    func testF16IsWidenedExactly() throws {
        try check("st_f16.safetensors", dtype: "F16") { $0.f16 }
        XCTAssertEqual(try SafeTensorsFile(path: Fixture.path("st_f16.safetensors")).metadata, [:])
    }

    func testBF16IsWidenedExactly() throws {
        try check("st_bf16.safetensors", dtype: "BF16") { $0.bf16 }
    }

    func testMissingTensorIsAnError() throws {
        let file = try SafeTensorsFile(path: Fixture.path("st_f32.safetensors"))
        XCTAssertNil(file.info("nope"))
        XCTAssertEqual(expectWeightsError { try file.floats("nope") },
                       .missingTensor(file: Fixture.path("st_f32.safetensors"), tensor: "nope"))
    }

    func testMissingFileNamesTheFile() {
        let error = expectWeightsError { try SafeTensorsFile(path: "/nonexistent/x.safetensors") }
        XCTAssertTrue(error?.description.contains("/nonexistent/x.safetensors") ?? false)
        if case .cannotOpen? = error {} else { XCTFail("\(String(describing: error))") }
        if case .cannotOpen? = expectWeightsError({ try SafeTensorsFile(path: Fixture.directory) }) {} else { XCTFail() }
    }
}
