import Foundation
import XCTest
@testable import StyleWeights
import StylizeTestSupport

/// PyTorch checkpoints in both containers, decoded without PyTorch, compared with the
/// values make_fixtures.py stored through the reference safetensors package.
final class TorchCheckpointTests: XCTestCase {
    let dir = Fixture.scratchDirectory()

    func assertStateDict(_ fileName: String, equals expectedName: String, line: UInt = #line) throws {
        let loaded = try TorchCheckpoint.loadStateDict(path: Fixture.path(fileName))
        let expected = try SafeTensorsFile(path: Fixture.path(expectedName))
        XCTAssertEqual(loaded.keys.sorted(), expected.names, fileName, line: line)
        for name in expected.names {
            XCTAssertEqual(loaded[name]?.shape, expected.info(name)?.shape, "\(fileName) \(name)", line: line)
            XCTAssertBitsEqual(loaded[name]?.values ?? [], try expected.floats(name), "\(fileName) \(name)", line: line)
        }
    }

    func testFormatDetection() throws {
        XCTAssertEqual(try TorchCheckpoint.format(of: Fixture.path("adain_vgg_legacy.pth")), .legacy)
        XCTAssertEqual(try TorchCheckpoint.format(of: Fixture.path("adain_vgg_zip.pth")), .zip)
        let error = expectWeightsError { try TorchCheckpoint.format(of: Fixture.path("st_f32.safetensors")) }
        if case .invalidCheckpoint? = error {} else { XCTFail("\(String(describing: error))") }
        // The official files start with these bytes (docs/architecture.md).
        XCTAssertEqual(Array(Fixture.bytes("adain_vgg_legacy.pth").prefix(14)),
                       [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19])
    }

    /// Views: storage offsets, transposes, step slices, stride-0 expansion, shared storages,
    /// float16, float64, a 0-d scalar, an nn.Parameter, nested under 'state_dict'.
    func testViewsLegacy() throws { try assertStateDict("views_legacy.pth", equals: "views_expected.safetensors") }
    func testViewsZip() throws { try assertStateDict("views_zip.pth", equals: "views_expected.safetensors") }
    /// Pickle protocol 4: FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE.
    func testViewsProtocol4() throws {
        try assertStateDict("views_legacy_p4.pth", equals: "views_expected.safetensors")
        try assertStateDict("views_zip_p4.pth", equals: "views_expected.safetensors")
    }

    func testAdaINFilesBothFormats() throws {
        for name in ["adain_vgg", "adain_decoder"] {
            let legacy = try TorchCheckpoint.loadStateDict(path: Fixture.path(name + "_legacy.pth"))
            let zip = try TorchCheckpoint.loadStateDict(path: Fixture.path(name + "_zip.pth"))
            XCTAssertEqual(legacy, zip, name)
        }
        let vgg = try TorchCheckpoint.loadStateDict(path: Fixture.path("adain_vgg_legacy.pth"))
        // Every conv of pytorch-AdaIN's vgg is there, deeper ones included.
        let convs = [0, 2, 5, 9, 12, 16, 19, 22, 25, 29, 32, 35, 38, 42, 45, 48, 51]
        XCTAssertEqual(Set(vgg.keys), Set(convs.flatMap { ["\($0).weight", "\($0).bias"] }))
        XCTAssertEqual(vgg["29.weight"]?.shape, [16, 8, 3, 3])
        XCTAssertEqual(vgg["0.weight"]?.shape, [3, 3, 1, 1])
    }

    // MARK: - Hand-built legacy streams

    /// magic number, protocol version and sys_info pickles, copied from a real file.
    lazy var legacyPrefix: [UInt8] = Array(Fixture.bytes("views_legacy.pth")[0 ..< 137])

    func legacyFile(main: PickleBuilder, keys: [String], storages: [[Float]], counts: [Int]? = nil) -> String {
        var bytes = legacyPrefix + main.bytes
        var list = PickleBuilder()
        list.op("]"); list.mark(); keys.forEach { list.string($0) }; list.op("e"); list.stop()
        bytes += list.bytes
        for (i, values) in storages.enumerated() {
            withUnsafeBytes(of: UInt64(counts?[i] ?? values.count).littleEndian) { bytes += $0 }
            values.withUnsafeBytes { bytes += $0 }
        }
        let path = dir + "/crafted-\(UUID().uuidString).pth"
        Fixture.write(bytes, to: path)
        return path
    }

    func singleTensor(numel: Int, offset: Int, size: [Int], stride: [Int]) -> PickleBuilder {
        var p = PickleBuilder()
        p.op("}"); p.mark(); p.string("w"); p.tensor(key: "0", numel: numel, offset: offset, size: size, stride: stride); p.op("u"); p.stop()
        return p
    }

    func testHandBuiltStreamDecodes() throws {
        // A 2x2 view at offset 1 with strides (1, 2) of a 6-element storage.
        let path = legacyFile(main: singleTensor(numel: 6, offset: 1, size: [2, 2], stride: [1, 2]), keys: ["0"], storages: [[0, 1, 2, 3, 4, 5]])
        XCTAssertEqual(try TorchCheckpoint.loadStateDict(path: path), ["w": WeightTensor(shape: [2, 2], values: [1, 3, 2, 4])])
    }

    /// Python 2 (as old torch.save files may be): str keys as SHORT_BINSTRING, and the
    /// OrderedDict built from a list of [key, value] pairs passed to its constructor.
    func testPython2StyleOrderedDict() throws {
        var p = PickleBuilder()
        p.global("collections", "OrderedDict")
        p.mark(); p.op("]"); p.mark()
        p.op("]"); p.mark(); p.op("U"); p.bytes += [1, UInt8(ascii: "w")]
        p.tensor(key: "0", numel: 3, offset: 0, size: [3], stride: [1]); p.op("e")
        p.op("e"); p.op("t"); p.op("R"); p.stop()
        let path = legacyFile(main: p, keys: ["0"], storages: [[1, 2, 3]])
        XCTAssertEqual(try TorchCheckpoint.loadStateDict(path: path), ["w": WeightTensor(shape: [3], values: [1, 2, 3])])
    }

    /// Old torch versions could save a storage that is itself a view into a larger root storage.
    func testLegacyStorageView() throws {
        var p = PickleBuilder()
        p.op("}"); p.mark(); p.string("w")
        p.tensor(key: "0", numel: 6, offset: 1, size: [2], stride: [1], view: (offset: 2, count: 3))
        p.op("u"); p.stop()
        let path = legacyFile(main: p, keys: ["0"], storages: [[0, 1, 2, 3, 4, 5]])
        XCTAssertEqual(try TorchCheckpoint.loadStateDict(path: path), ["w": WeightTensor(shape: [2], values: [3, 4])])
        var q = PickleBuilder()
        q.op("}"); q.mark(); q.string("w")
        q.tensor(key: "0", numel: 6, offset: 0, size: [1], stride: [1], view: (offset: 4, count: 3))
        q.op("u"); q.stop()
        guard case .invalidCheckpoint(_, let detail)? = expectWeightsError({ try TorchCheckpoint.loadStateDict(path: self.legacyFile(main: q, keys: ["0"], storages: [[0, 1, 2, 3, 4, 5]])) }) else { return XCTFail() }
        XCTAssertTrue(detail.contains("out of range"), detail)
    }

    func testViewOutOfRangeIsAnError() {
        let path = legacyFile(main: singleTensor(numel: 2, offset: 0, size: [5], stride: [1]), keys: ["0"], storages: [[0, 1]])
        let error = expectWeightsError { try TorchCheckpoint.loadStateDict(path: path) }
        guard case .invalidPickle(path, _, let detail)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(detail.contains("reaches element 4 of a storage of 2"), detail)
        let expand = legacyFile(main: singleTensor(numel: 2, offset: 0, size: [1 << 30, 1 << 10], stride: [0, 0]), keys: ["0"], storages: [[0, 1]])
        guard case .invalidPickle? = expectWeightsError({ try TorchCheckpoint.loadStateDict(path: expand) }) else { return XCTFail() }
    }

    /// Many stride-0 views of one element: refused before anything is allocated.
    func testExpansionBudget() {
        var p = PickleBuilder()
        p.op("}"); p.mark()
        for i in 0 ..< 8 { p.string("t\(i)"); p.tensor(key: "0", numel: 1, offset: 0, size: [1 << 23], stride: [0]) }
        p.op("u"); p.stop()
        let path = legacyFile(main: p, keys: ["0"], storages: [[7]])
        guard case .invalidCheckpoint(_, let detail)? = expectWeightsError({ try TorchCheckpoint.loadStateDict(path: path) }) else { return XCTFail() }
        XCTAssertTrue(detail.contains("expand"), detail)
        // An empty view may have any offset.
        let empty = legacyFile(main: singleTensor(numel: 1, offset: 99, size: [0, 3], stride: [3, 1]), keys: ["0"], storages: [[7]])
        XCTAssertEqual(try TorchCheckpoint.loadStateDict(path: empty)["w"], WeightTensor(shape: [0, 3], values: []))
        // One modest expansion is a legitimate view.
        let ok = legacyFile(main: singleTensor(numel: 1, offset: 0, size: [2, 3], stride: [0, 0]), keys: ["0"], storages: [[7]])
        XCTAssertEqual(try TorchCheckpoint.loadStateDict(path: ok)["w"], WeightTensor(shape: [2, 3], values: [7, 7, 7, 7, 7, 7]))
    }

    /// Re-nesting one big memoized tuple many times stays linear (its depth is not recomputed).
    func testRepeatedNestingOfALargeTupleIsCheap() {
        var p = PickleBuilder()
        p.mark(); for _ in 0 ..< 20_000 { p.op("N") }; p.op("t"); p.op("q"); p.bytes.append(0)
        for _ in 0 ..< 20_000 { p.op("h"); p.bytes.append(0); p.op(0x85); p.op("0") }
        p.op("0"); p.op("}"); p.stop()
        let path = legacyFile(main: p, keys: [], storages: [])
        XCTAssertEqual(try TorchCheckpoint.loadStateDict(path: path), [:])
    }

    func testStorageCountMismatchAndTruncatedData() {
        let main = singleTensor(numel: 2, offset: 0, size: [2], stride: [1])
        let mismatch = legacyFile(main: main, keys: ["0"], storages: [[0, 1]], counts: [3])
        guard case .invalidCheckpoint(_, let detail)? = expectWeightsError({ try TorchCheckpoint.loadStateDict(path: mismatch) }) else { return XCTFail() }
        XCTAssertTrue(detail.contains("holds 3 elements"), detail)
        let short = legacyFile(main: main, keys: ["0"], storages: [[0]], counts: [2])
        guard case .truncated(short, _)? = expectWeightsError({ try TorchCheckpoint.loadStateDict(path: short) }) else { return XCTFail() }
        let unknownKey = legacyFile(main: main, keys: ["0", "9"], storages: [[0, 1]])
        guard case .invalidCheckpoint? = expectWeightsError({ try TorchCheckpoint.loadStateDict(path: unknownKey) }) else { return XCTFail() }
    }

    func testForbiddenGlobalsAreNeverCalled() {
        var p = PickleBuilder()
        p.global("os", "system"); p.mark(); p.string("touch /tmp/pwned"); p.op("t"); p.op("R"); p.stop()
        let path = legacyFile(main: p, keys: [], storages: [])
        XCTAssertEqual(expectWeightsError { try TorchCheckpoint.loadStateDict(path: path) }, .forbiddenGlobal(file: path, name: "os.system"))
        var q = PickleBuilder() // protocol-4 style STACK_GLOBAL
        q.string("builtins"); q.string("eval"); q.op(0x93); q.stop()
        let path2 = legacyFile(main: q, keys: [], storages: [])
        XCTAssertEqual(expectWeightsError { try TorchCheckpoint.loadStateDict(path: path2) }, .forbiddenGlobal(file: path2, name: "builtins.eval"))
        // An allowlisted global that is not a callable in this reader.
        var r = PickleBuilder()
        r.global("torch", "FloatStorage"); r.op(")"); r.op("R"); r.stop()
        guard case .invalidPickle? = expectWeightsError({ try TorchCheckpoint.loadStateDict(path: self.legacyFile(main: r, keys: [], storages: [])) }) else { return XCTFail() }
    }

    func testMalformedPickles() {
        func check(_ body: (inout PickleBuilder) -> Void, _ contains: String, line: UInt = #line) {
            var p = PickleBuilder()
            body(&p)
            let path = legacyFile(main: p, keys: [], storages: [])
            let error = expectWeightsError(contains, line: line) { try TorchCheckpoint.loadStateDict(path: path) }
            guard case .invalidPickle(path, _, let detail)? = error else { return XCTFail("\(String(describing: error))", line: line) }
            XCTAssertTrue(detail.contains(contains), "\(detail) should say \(contains)", line: line)
        }
        check({ $0.op(0xFF) }, "unsupported opcode 0xff")
        check({ $0.op("h"); $0.bytes.append(5) }, "memo entry 5")
        check({ $0.op("t") }, "no MARK")
        check({ $0.op("a") }, "empty stack")
        check({ $0.int(1); $0.int(2); $0.stop() }, "STOP with 2")
        check({ p in p.op(")"); for _ in 0 ..< 100 { p.op(0x85) }; p.stop() }, "nested deeper")
        check({ p in for _ in 0 ..< 100 { p.op("]") }; for _ in 0 ..< 99 { p.op("a") }; p.stop() }, "nested deeper")
        check({ p in p.op("]"); p.op("q"); p.bytes.append(0); p.op("]"); p.op("h"); p.bytes.append(0); p.op("a"); p.op("a"); p.op("h"); p.bytes.append(0); p.op("a") }, "recursive")
        check({ $0.op("X"); $0.bytes += [0xFF, 0xFF, 0xFF, 0x7F, 0x41] }, "needs 2147483647 bytes")
        check({ $0.op("X"); $0.bytes += [2, 0, 0, 0, 0xC3, 0x28]; $0.stop() }, "UTF-8")
        check({ $0.op(0x8B); $0.bytes += [0xFF, 0xFF, 0xFF, 0x7F] }, "needs 2147483647 bytes")
        check({ $0.bytes = [0x80, 0x09] }, "protocol 9")
        check({ $0.op("}"); $0.int(1); $0.op("u"); $0.stop() }, "no MARK")
        check({ $0.op("}"); $0.mark(); $0.int(1); $0.op("u"); $0.stop() }, "odd number")
    }

    func testNonStateDictObjects() {
        var list = PickleBuilder()
        list.op("]"); list.stop()
        guard case .invalidCheckpoint(_, let d1)? = expectWeightsError({ try TorchCheckpoint.loadStateDict(path: self.legacyFile(main: list, keys: [], storages: [])) }) else { return XCTFail() }
        XCTAssertTrue(d1.contains("list"), d1)
        var mixed = PickleBuilder()
        mixed.op("}"); mixed.mark(); mixed.string("epoch"); mixed.int(3); mixed.op("u"); mixed.stop()
        guard case .invalidCheckpoint(_, let d2)? = expectWeightsError({ try TorchCheckpoint.loadStateDict(path: self.legacyFile(main: mixed, keys: [], storages: [])) }) else { return XCTFail() }
        XCTAssertTrue(d2.contains("no state dict"), d2)
    }

    // MARK: - Zip containers

    /// Byte offset of the central directory entry for `name` in a zip file.
    func centralEntry(_ bytes: [UInt8], _ name: String) -> Int {
        let sig: [UInt8] = [0x50, 0x4B, 0x01, 0x02], target = Array(name.utf8)
        for i in 0 ..< bytes.count - 46 where Array(bytes[i ..< i + 4]) == sig {
            let n = Int(bytes[i + 28]) | Int(bytes[i + 29]) << 8
            if Array(bytes[i + 46 ..< i + 46 + n]) == target { return i }
        }
        fatalError("no entry \(name)")
    }

    func testCompressedZipEntryIsRejected() {
        var bytes = Fixture.bytes("views_zip.pth")
        bytes[centralEntry(bytes, "views_zip/data.pkl") + 10] = 8 // deflate
        let path = dir + "/compressed.pth"
        Fixture.write(bytes, to: path)
        XCTAssertEqual(expectWeightsError { try TorchCheckpoint.loadStateDict(path: path) },
                       .compressedEntry(file: path, entry: "views_zip/data.pkl", method: 8))
    }

    func testZipStorageBeyondFileIsAnError() {
        var bytes = Fixture.bytes("views_zip.pth")
        let at = centralEntry(bytes, "views_zip/data/3") // point its local header past the end
        bytes[at + 42] = 0xF0; bytes[at + 43] = 0xFF; bytes[at + 44] = 0x00; bytes[at + 45] = 0x00
        let path = dir + "/badoffset.pth"
        Fixture.write(bytes, to: path)
        guard case .truncated(path, _)? = expectWeightsError({ try TorchCheckpoint.loadStateDict(path: path) }) else { return XCTFail() }
    }

    // MARK: - Fuzz: truncations and corruptions never crash

    func testEveryTruncationIsAnError() {
        let path = dir + "/trunc.pth"
        for name in ["views_legacy.pth", "views_zip.pth"] {
            let bytes = Fixture.bytes(name)
            for n in 0 ..< bytes.count {
                Fixture.write(Array(bytes[0 ..< n]), to: path)
                _ = expectWeightsError("\(name) truncated to \(n)") { try TorchCheckpoint.loadStateDict(path: path) }
            }
        }
    }

    func testCorruptedBytesNeverCrash() {
        let path = dir + "/flip.pth"
        for name in ["views_legacy.pth", "views_zip.pth"] {
            let bytes = Fixture.bytes(name)
            var errors = 0
            for position in 0 ..< bytes.count {
                // One corruption per byte, cycling through whole-byte, low-bit and high-bit flips.
                for pattern: UInt8 in [[0xFF, 0x01, 0x80][position % 3]] {
                    var corrupted = bytes
                    corrupted[position] ^= pattern
                    Fixture.write(corrupted, to: path)
                    do { _ = try TorchCheckpoint.loadStateDict(path: path) } catch is WeightsError { errors += 1 } catch {
                        XCTFail("untyped error \(error)")
                    }
                }
            }
            XCTAssertGreaterThan(errors, bytes.count / 4, name)
        }
    }
}
