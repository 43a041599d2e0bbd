import Foundation
import XCTest
@testable import StyleWeights
import StylizeTestSupport

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4 / NIST example vectors.
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding the same bytes in uneven pieces gives the same digest (lengths 0...200 cross
    /// the 55/56/64-byte padding boundaries).
    func testStreamingMatchesOneShot() {
        let data = (0 ..< 200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for length in 0 ... data.count {
            let message = Array(data[0 ..< length])
            var hasher = SHA256()
            var i = 0, step = 1
            while i < length {
                let end = min(length, i + step)
                hasher.update(message[i ..< end])
                i = end; step = step % 70 + 13
            }
            XCTAssertEqual(hasher.finalize().map { String(format: "%02x", $0) }.joined(), SHA256.hex(message), "length \(length)")
        }
    }
}

final class ManifestTests: XCTestCase {
    func makeWeights() throws -> (path: String, manifest: WeightsManifest) {
        let dir = Fixture.scratchDirectory()
        let path = dir + "/model.safetensors"
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixture.path("adain_expected.safetensors")))
        try data.write(to: URL(fileURLWithPath: path))
        let manifest = try WeightsManifest.make(forFile: path)
        try manifest.write(to: WeightsManifest.defaultPath(forWeights: path))
        return (path, manifest)
    }

    func testManifestDescribesTheFile() throws {
        let (path, manifest) = try makeWeights()
        XCTAssertEqual(WeightsManifest.defaultPath(forWeights: path), path.replacingOccurrences(of: ".safetensors", with: ".manifest.json"))
        XCTAssertEqual(manifest.name, "model.safetensors")
        XCTAssertEqual(manifest.size, Fixture.bytes("adain_expected.safetensors").count)
        XCTAssertEqual(manifest.sha256, SHA256.hex(Fixture.bytes("adain_expected.safetensors")))
        XCTAssertEqual(manifest.tensors.first, .init(name: "decoder.conv0.bias", dtype: "F32", shape: [8]))
        XCTAssertEqual(manifest.metadata["architecture"], "adain-vgg19")
        XCTAssertNoThrow(try WeightsManifest.verify(file: path))
    }

    /// Without NAME.manifest.json the file is checked against its entry in the folder's
    /// MANIFEST.json (as the shipped Weights/ folder records its files): size and SHA-256.
    func testFolderManifestEntry() throws {
        let (path, manifest) = try makeWeights()
        try FileManager.default.removeItem(atPath: WeightsManifest.defaultPath(forWeights: path))
        let folder = (path as NSString).deletingLastPathComponent + "/MANIFEST.json"
        XCTAssertThrowsError(try WeightsManifest.verify(file: path), "no manifest at all")
        let json = #"{"file": "other.safetensors", "sha256": "00", "bytes": 1, "magenta_files": [{"file": "model.safetensors", "sha256": "\#(manifest.sha256)", "bytes": \#(manifest.size)}]}"#
        try json.write(toFile: folder, atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try WeightsManifest.verify(file: path))
        var bytes = Fixture.bytes("adain_expected.safetensors")
        bytes[200] ^= 0x01
        Fixture.write(bytes, to: path)
        guard case .manifestMismatch(path, let detail)? = expectWeightsError({ try WeightsManifest.verify(file: path) }) else { return XCTFail() }
        XCTAssertTrue(detail.contains("sha256"), detail)
    }

    func testFlippedByteIsDetected() throws {
        let (path, manifest) = try makeWeights()
        var bytes = Fixture.bytes("adain_expected.safetensors")
        for position in [0, 100, bytes.count / 2, bytes.count - 1] {
            bytes[position] ^= 0x04
            Fixture.write(bytes, to: path)
            guard case .manifestMismatch(path, let detail)? = expectWeightsError({ try WeightsManifest.verify(file: path, manifest: manifest) }) else {
                return XCTFail("byte \(position)")
            }
            XCTAssertTrue(detail.contains("sha256"), detail)
            bytes[position] ^= 0x04
        }
    }

    func testTruncatedFileIsDetected() throws {
        let (path, manifest) = try makeWeights()
        let bytes = Fixture.bytes("adain_expected.safetensors")
        Fixture.write(Array(bytes.prefix(bytes.count - 10)), to: path)
        guard case .manifestMismatch(path, let detail)? = expectWeightsError({ try WeightsManifest.verify(file: path, manifest: manifest) }) else { return XCTFail() }
        XCTAssertTrue(detail.contains("truncated"), detail)
    }

    func testShapeAndNameDifferencesAreDetected() throws {
        let (path, manifest) = try makeWeights()
        var wrongShape = manifest
        wrongShape.tensors[0].shape = [9]
        guard case .manifestMismatch(_, let d1)? = expectWeightsError({ try WeightsManifest.verify(file: path, manifest: wrongShape) }) else { return XCTFail() }
        XCTAssertTrue(d1.contains("decoder.conv0.bias"), d1)
        var missing = manifest
        missing.tensors.removeLast()
        guard case .manifestMismatch(_, let d2)? = expectWeightsError({ try WeightsManifest.verify(file: path, manifest: missing) }) else { return XCTFail() }
        XCTAssertTrue(d2.contains("not in the manifest"), d2)
    }

    func testUnreadableManifest() throws {
        let (path, _) = try makeWeights()
        let manifestPath = WeightsManifest.defaultPath(forWeights: path)
        Fixture.write(Array("{\"name\": 3}".utf8), to: manifestPath)
        guard case .invalidManifest(manifestPath, _)? = expectWeightsError({ try WeightsManifest.verify(file: path) }) else { return XCTFail() }
    }
}
