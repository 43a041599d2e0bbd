import Foundation
import ImageCodecs
import StylePipeline
import XCTest
@testable import StyleServer

/// Paths of the package the tests use: the shipped default AdaIN weights and the tiny
/// random Magenta networks committed for the model tests.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let defaultWeights = packageRoot.appendingPathComponent("Weights/default.safetensors").path
    static let magentaReference = packageRoot.appendingPathComponent("Tests/StyleModelsTests/MagentaReference")
    static let images = packageRoot.appendingPathComponent("Images")

    /// A w x h picture: gradients plus seeded blocks (deterministic).
    static func picture(width: Int, height: Int, seed: Int) -> Image {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        var state = UInt64(seed) &* 6364136223846793005 &+ 1442695040888963407
        var blocks: [Int] = []
        for _ in 0..<64 { state = state &* 6364136223846793005 &+ 1442695040888963407; blocks.append(Int(state >> 58)) }
        for y in 0..<height {
            for x in 0..<width {
                let b = blocks[(y / 8 % 8) * 8 + x / 8 % 8] * 4
                rgb[(y * width + x) * 3] = UInt8(min(255, x * 200 / max(1, width) + b))
                rgb[(y * width + x) * 3 + 1] = UInt8(min(255, y * 200 / max(1, height) + (seed * 37) % 50))
                rgb[(y * width + x) * 3 + 2] = UInt8(min(255, (x + y) * 100 / max(1, width + height) + b))
            }
        }
        return Image(width: width, height: height, rgb: rgb)
    }

    static func png(_ image: Image) throws -> [UInt8] { try ImageIO.encode(image, as: .png, name: "fixture") }
    static func jpeg(_ image: Image) throws -> [UInt8] { try ImageIO.encode(image, as: .jpeg, quality: 90, name: "fixture") }

    /// A valid PNG whose header claims `width` x `height` (IHDR rewritten, CRC fixed): the
    /// pixel limit must refuse it from the header, before any pixel is decoded.
    static func pngClaiming(width: Int, height: Int) throws -> [UInt8] {
        var bytes = try png(picture(width: 4, height: 4, seed: 1))
        // IHDR data starts at 16: width (4 bytes BE), height (4 bytes BE); CRC over type + data at 29.
        for (i, v) in [width, height].enumerated() {
            for k in 0..<4 { bytes[16 + 4 * i + k] = UInt8((v >> (24 - 8 * k)) & 0xFF) }
        }
        let crc = crc32(Array(bytes[12..<29]))
        for k in 0..<4 { bytes[29 + k] = UInt8((crc >> (24 - 8 * UInt32(k))) & 0xFF) }
        return bytes
    }

    /// CRC-32 (IEEE, reflected, as PNG uses).
    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
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
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-test-\(UUID().uuidString)")
        stylesFolder = folder.appendingPathComponent("styles")
        try FileManager.default.createDirectory(at: stylesFolder, withIntermediateDirectories: true)
        try Data(Fixtures.png(Fixtures.picture(width: 48, height: 40, seed: 11))).write(to: stylesFolder.appendingPathComponent("waves.png"))
        try Data(Fixtures.jpeg(Fixtures.picture(width: 40, height: 48, seed: 12))).write(to: stylesFolder.appendingPathComponent("blocks.jpg"))
        try Data("not an image".utf8).write(to: stylesFolder.appendingPathComponent("notes.txt"))
        try FileManager.default.createDirectory(at: stylesFolder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data(Fixtures.png(Fixtures.picture(width: 8, height: 8, seed: 13))).write(to: stylesFolder.appendingPathComponent("sub/inner.png"))
        secret = folder.appendingPathComponent("secret.png")
        try Data(Fixtures.png(Fixtures.picture(width: 9, height: 9, seed: 99))).write(to: secret)
        try FileManager.default.createSymbolicLink(at: stylesFolder.appendingPathComponent("outside.png"), withDestinationURL: secret)
        let magentaFolder = folder.appendingPathComponent("magenta")
        try FileManager.default.createDirectory(at: magentaFolder, withIntermediateDirectories: true)
        if magenta {
            try FileManager.default.copyItem(at: Fixtures.magentaReference.appendingPathComponent("tiny-arbitrary.safetensors"),
                                             to: magentaFolder.appendingPathComponent(MagentaWeightsLocator.arbitraryFile))
            try FileManager.default.copyItem(at: Fixtures.magentaReference.appendingPathComponent("tiny-multistyle26.safetensors"),
                                             to: magentaFolder.appendingPathComponent(MagentaWeightsLocator.multistyleFile))
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
