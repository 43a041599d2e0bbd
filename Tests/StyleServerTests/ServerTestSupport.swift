import Foundation
import ImageCodecs
import StylizeEngine
import XCTest
@testable import StyleServer
import StylizeTestSupport

/// Paths of the package the tests use: the shipped default AdaIN weights and the tiny
/// random Magenta networks committed for the model tests.
enum Fixtures {
    static let defaultWeights = packageRoot + "/Weights/default.safetensors"
    static let magentaReference = URL(fileURLWithPath: packageRoot + "/Tests/StyleModelsTests/MagentaReference")
    static let images = URL(fileURLWithPath: packageRoot + "/Images")

    static func png(_ image: Image) throws -> [UInt8] { try ImageIO.encode(image, as: .png, name: "fixture") }
    static func jpeg(_ image: Image) throws -> [UInt8] { try ImageIO.encode(image, as: .jpeg, quality: 90, name: "fixture") }

    /// A valid PNG whose header claims `width` x `height` (IHDR rewritten, CRC fixed): the
    /// pixel limit must refuse it from the header, before any pixel is decoded.
    static func pngClaiming(width: Int, height: Int) throws -> [UInt8] {
        var bytes = try png(Pictures.blocks(width: 4, height: 4, seed: 1))
        // IHDR data starts at 16: width (4 bytes BE), height (4 bytes BE); CRC over type + data at 29.
        for (i, v) in [width, height].enumerated() {
            for k in 0..<4 { bytes[16 + 4 * i + k] = UInt8((v >> (24 - 8 * k)) & 0xFF) }
        }
        fixChunkCRC(&bytes, at: 8)
        return bytes
    }
}

/// A server on a free loopback port, with a private folder (styles, Magenta weights, a
/// "secret" file outside the styles folder for the traversal tests), stopped by `stop()`.
final class TestServer {
    let folder: URL
    let stylesFolder: URL
    let secret: URL
    let server: StyleServer
    let port: Int
    let client: RawHTTPClient
    private let task: Task<Void, any Error>

    /// `magenta`: copy the tiny networks in under the names the locator looks for.
    init(magenta: Bool = false, configure: (inout ServerSettings) -> Void = { _ in }) async throws {
        folder = URL(fileURLWithPath: try makeTemporaryFolder(prefix: "serve-test"))
        stylesFolder = folder.appendingPathComponent("styles")
        try FileManager.default.createDirectory(at: stylesFolder, withIntermediateDirectories: true)
        try Data(Fixtures.png(Pictures.blocks(width: 48, height: 40, seed: 11))).write(to: stylesFolder.appendingPathComponent("waves.png"))
        try Data(Fixtures.jpeg(Pictures.blocks(width: 40, height: 48, seed: 12))).write(to: stylesFolder.appendingPathComponent("blocks.jpg"))
        try Data("not an image".utf8).write(to: stylesFolder.appendingPathComponent("notes.txt"))
        try FileManager.default.createDirectory(at: stylesFolder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data(Fixtures.png(Pictures.blocks(width: 8, height: 8, seed: 13))).write(to: stylesFolder.appendingPathComponent("sub/inner.png"))
        secret = folder.appendingPathComponent("secret.png")
        try Data(Fixtures.png(Pictures.blocks(width: 9, height: 9, seed: 99))).write(to: secret)
        try FileManager.default.createSymbolicLink(at: stylesFolder.appendingPathComponent("outside.png"), withDestinationURL: secret)
        let magentaFolder = folder.appendingPathComponent("magenta")
        try FileManager.default.createDirectory(at: magentaFolder, withIntermediateDirectories: true)
        if magenta {
            try FileManager.default.copyItem(at: Fixtures.magentaReference.appendingPathComponent("tiny-arbitrary.safetensors"),
                                             to: magentaFolder.appendingPathComponent(WeightsLocator.magentaArbitraryFile))
            try FileManager.default.copyItem(at: Fixtures.magentaReference.appendingPathComponent("tiny-multistyle26.safetensors"),
                                             to: magentaFolder.appendingPathComponent(WeightsLocator.magentaMultistyleFile))
        }
        var settings = ServerSettings()
        settings.port = 0
        settings.stylesFolder = stylesFolder.path
        settings.adainWeights = Fixtures.defaultWeights
        settings.magentaWeights = magentaFolder.path   // an empty folder: Magenta unavailable
        settings.environment = ["HOME": folder.path]   // hermetic: no weights from the user's cache
        configure(&settings)
        let server = try StyleServer(settings: settings)
        self.server = server
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        task = Task {
            defer { continuation.finish() }
            try await server.run { port in continuation.yield(port) }
        }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw RawHTTPClient.Failure(description: "the server did not start")
        }
        self.port = port
        client = RawHTTPClient(port: port)
    }

    func stop() async throws {
        await server.stop()
        try await task.value
        try? FileManager.default.removeItem(at: folder)
    }

    /// Puts a job on the server's queue that runs until `release` is signalled; returns once
    /// the queue reports it running (or waiting, when `running` is false).
    func blockQueue(release: DispatchSemaphore, expectRunning: Bool = true) async throws {
        let before = server.queueSnapshot
        let queue = server.queue
        Task { _ = try? await queue.submit(cancellation: Cancellation()) { release.wait(); return 0 } }
        try await waitFor("the blocking job") {
            let s = queue.snapshot
            return expectRunning ? s.running && s.waiting == before.waiting : s.waiting == before.waiting + 1
        }
    }

    func waitFor(_ what: String, seconds: Double = 20, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw RawHTTPClient.Failure(description: "timed out waiting for \(what)") }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    // Form parts

    static func file(_ name: String, _ bytes: [UInt8], filename: String) -> FormPart {
        FormPart(name: name, filename: filename, contentType: "application/octet-stream", data: bytes)
    }

    static func field(_ name: String, _ value: String) -> FormPart {
        FormPart(name: name, data: Array(value.utf8))
    }
}
