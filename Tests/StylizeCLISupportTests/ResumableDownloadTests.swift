import Foundation
import XCTest
import StyleWeights
@testable import StylizeCLISupport
import StylizeTestSupport

/// Downloads from a server on 127.0.0.1 started by the test; never the internet.
final class ResumableDownloadTests: XCTestCase {
    var server: LoopbackHTTPServer!
    let body = Fixture.bytes("adain_vgg_legacy.pth")
    let dir = Fixture.scratchDirectory()

    override func setUpWithError() throws {
        server = try LoopbackHTTPServer(files: ["/vgg_normalised.pth": body, "/decoder.pth": Fixture.bytes("adain_decoder_legacy.pth")])
    }

    override func tearDown() { server.stop() }

    func testFullDownloadWithProgress() throws {
        let dest = dir + "/vgg.pth"
        var reports: [(Int64, Int64?)] = []
        let result = try ResumableDownload.download(from: server.url("/vgg_normalised.pth"), to: dest) { reports.append(($0, $1)) }
        XCTAssertEqual([UInt8](FileManager.default.contents(atPath: dest)!), body)
        XCTAssertEqual(result, .init(path: dest, size: body.count, sha256: SHA256.hex(body), resumedFrom: 0))
        XCTAssertFalse(FileManager.default.fileExists(atPath: ResumableDownload.partPath(for: dest)))
        XCTAssertEqual(reports.first?.0, 0)
        XCTAssertEqual(reports.last?.0, Int64(body.count))
        XCTAssertTrue(reports.allSatisfy { $0.1 == Int64(body.count) })
        XCTAssertEqual(reports.map(\.0), reports.map(\.0).sorted())
        XCTAssertFalse(server.requests[0].lowercased().contains("range:"))
    }

    func testInterruptedDownloadResumes() throws {
        let dest = dir + "/vgg.pth"
        server.behaviour.cutAfter = 30_000
        guard case .downloadFailed(_, let detail)? = expectWeightsError({
            try ResumableDownload.download(from: self.server.url("/vgg_normalised.pth"), to: dest)
        }) else { return XCTFail() }
        XCTAssertTrue(detail.contains("resume"), detail)
        let part = [UInt8](FileManager.default.contents(atPath: ResumableDownload.partPath(for: dest)) ?? Data())
        XCTAssertGreaterThan(part.count, 0)
        XCTAssertLessThanOrEqual(part.count, 30_000)
        XCTAssertEqual(part, Array(body.prefix(part.count)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dest))

        server.behaviour.cutAfter = nil
        var first: Int64?
        let result = try ResumableDownload.download(from: server.url("/vgg_normalised.pth"), to: dest, expectedSHA256: SHA256.hex(body)) {
            received, _ in if first == nil { first = received }
        }
        XCTAssertEqual(result.resumedFrom, part.count)
        XCTAssertEqual(first, Int64(part.count))
        XCTAssertTrue(server.requests.last!.contains("Range: bytes=\(part.count)-"), server.requests.last!)
        XCTAssertEqual([UInt8](FileManager.default.contents(atPath: dest)!), body)
        // The downloaded file is a checkpoint the importer reads.
        XCTAssertEqual(try TorchCheckpoint.loadStateDict(path: dest).count, 34)
    }

    func testServerIgnoringRangeRestarts() throws {
        let dest = dir + "/vgg.pth"
        Fixture.write(Array(repeating: 0xAB, count: 1000), to: ResumableDownload.partPath(for: dest)) // stale garbage
        server.behaviour.honourRange = false
        let result = try ResumableDownload.download(from: server.url("/vgg_normalised.pth"), to: dest)
        XCTAssertEqual(result.resumedFrom, 0)
        XCTAssertEqual([UInt8](FileManager.default.contents(atPath: dest)!), body)
        XCTAssertTrue(server.requests.last!.contains("Range: bytes=1000-"))
    }

    func testCompletePartIsAccepted() throws {
        let dest = dir + "/vgg.pth"
        Fixture.write(body, to: ResumableDownload.partPath(for: dest))
        let result = try ResumableDownload.download(from: server.url("/vgg_normalised.pth"), to: dest)
        XCTAssertEqual(result.resumedFrom, body.count)
        XCTAssertEqual(result.sha256, SHA256.hex(body))
    }

    func testChecksumMismatchRemovesTheFile() {
        let dest = dir + "/vgg.pth"
        guard case .downloadFailed(_, let detail)? = expectWeightsError({
            try ResumableDownload.download(from: self.server.url("/vgg_normalised.pth"), to: dest, expectedSHA256: String(repeating: "0", count: 64))
        }) else { return XCTFail() }
        XCTAssertTrue(detail.contains("sha256"), detail)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dest))
        XCTAssertFalse(FileManager.default.fileExists(atPath: ResumableDownload.partPath(for: dest)))
    }

    func testHTTPErrorIsReported() {
        guard case .downloadFailed(let url, let detail)? = expectWeightsError({
            try ResumableDownload.download(from: self.server.url("/missing.pth"), to: self.dir + "/x")
        }) else { return XCTFail() }
        XCTAssertTrue(url.hasSuffix("/missing.pth"))
        XCTAssertTrue(detail.contains("404"), detail)
    }
}

/// `stylize weights fetch` end to end against the loopback server serving the fixtures.
final class OfficialFetchTests: XCTestCase {
    func testFetchChecksAndImports() throws {
        let vgg = Fixture.bytes("adain_vgg_legacy.pth"), decoder = Fixture.bytes("adain_decoder_legacy.pth")
        let server = try LoopbackHTTPServer(files: ["/v/vgg_normalised.pth": vgg, "/v/decoder.pth": decoder, "/v/bad.pth": Array(vgg.prefix(5000))])
        defer { server.stop() }
        let dir = Fixture.scratchDirectory()
        var progressed = Set<String>()
        let outcome = try AdaINOfficialRelease.fetchAndImport(vggURL: server.url("/v/vgg_normalised.pth"), decoderURL: server.url("/v/decoder.pth"),
                                                              directory: dir + "/downloads", output: dir + "/adain.safetensors") { name, _, _ in progressed.insert(name) }
        XCTAssertEqual(outcome.downloaded, ["vgg_normalised.pth", "decoder.pth"])
        XCTAssertEqual(progressed, ["vgg_normalised.pth", "decoder.pth"])
        XCTAssertEqual(outcome.vgg.sha256, SHA256.hex(vgg))
        XCTAssertEqual(try WeightsManifest.read(from: dir + "/downloads/decoder.manifest.json").sha256, SHA256.hex(decoder))
        let file = try SafeTensorsFile(path: dir + "/adain.safetensors")
        let expected = try SafeTensorsFile(path: Fixture.path("adain_expected.safetensors"))
        XCTAssertEqual(file.names, expected.names)
        for name in expected.names { XCTAssertBitsEqual(try file.floats(name), try expected.floats(name), name) }
        XCTAssertEqual(file.metadata["vgg_sha256"], SHA256.hex(vgg))
        XCTAssertEqual(file.metadata["architecture"], "adain-vgg19")
        XCTAssertNoThrow(try WeightsManifest.verify(file: dir + "/adain.safetensors"))

        // A second fetch reuses the verified downloads: no new requests.
        let requests = server.requests.count
        let again = try AdaINOfficialRelease.fetchAndImport(vggURL: server.url("/v/vgg_normalised.pth"), decoderURL: server.url("/v/decoder.pth"),
                                                            directory: dir + "/downloads", output: dir + "/adain.safetensors")
        XCTAssertEqual(again.downloaded, [])
        XCTAssertEqual(server.requests.count, requests)

        // A server handing out a broken file: the import check fails with a clear error.
        let error = expectWeightsError {
            try AdaINOfficialRelease.fetchAndImport(vggURL: server.url("/v/bad.pth"), decoderURL: server.url("/v/decoder.pth"),
                                                    directory: dir + "/bad", output: dir + "/bad.safetensors")
        }
        XCTAssertTrue(error?.description.contains("vgg_normalised.pth") ?? false, "\(String(describing: error))")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/bad.safetensors"))
    }
}
