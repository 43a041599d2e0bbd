import Foundation
import ImageCodecs
import StyleNN
import StyleVideo
import StylizeEngine
import XCTest
@testable import StyleServer
import StylizeTestSupport

/// The live view's WebSocket (`/v1/live`) without a browser, through `RawWebSocket` against a
/// live server: every stylized frame is compared with what the engine itself gives for the
/// same frame and controls (bit for bit for RGBA), so a control that did not reach the next
/// frame, or reached the wrong one, fails.
final class LiveEndpointTests: XCTestCase {
    typealias F = TestServer

    let frameA = Pictures.blocks(width: 64, height: 48, seed: 21)
    let frameB = Pictures.discs(width: 64, height: 48, seed: 22)

    // MARK: - Helpers

    /// Opens a live connection and reads its hello.
    func open(_ s: TestServer, file: StaticString = #filePath, line: UInt = #line) throws -> RawWebSocket {
        let (socket, refusal) = try RawWebSocket.open(s.client)
        guard let socket else { throw RawHTTPClient.Failure(description: "upgrade refused: \(refusal?.status ?? 0) \(refusal?.text ?? "")") }
        let hello = try socket.receiveJSON()
        XCTAssertEqual(hello["type"] as? String, "hello", file: file, line: line)
        return socket
    }

    func frameMessage(_ image: Image, number: UInt32, format: LiveFrame.Format = .rgba) throws -> [UInt8] {
        let payload: [UInt8]
        switch format {
        case .rgba:
            var rgba = [UInt8](repeating: 255, count: 4 * image.pixelCount)
            for p in 0..<image.pixelCount {
                for k in 0..<3 { rgba[4 * p + k] = image.rgb[3 * p + k] }
            }
            payload = rgba
        case .jpeg: payload = try ImageIO.encode(image, as: .jpeg, quality: 95, name: "frame")
        }
        return LiveFrame(number: number, width: image.width, height: image.height, format: format, payload: payload).bytes
    }

    /// The next binary message as a frame: its header and its pixels.
    func receiveFrame(_ socket: RawWebSocket) throws -> (frame: LiveFrame, image: Image) {
        let m = try socket.receive()
        guard case .binary(let bytes) = m else { throw RawHTTPClient.Failure(description: "expected a frame, got \(RawWebSocket.describe(m))") }
        XCTAssertEqual(Array(bytes[0..<4]), LiveFrame.magic)
        var frame = LiveFrame(number: LiveFrame.u32(bytes, 4), width: Int(LiveFrame.u16(bytes, 8)), height: Int(LiveFrame.u16(bytes, 10)),
                              format: LiveFrame.Format(rawValue: bytes[12])!, payload: Array(bytes[LiveFrame.headerBytes...]))
        frame.version = LiveFrame.u32(bytes, 16)
        frame.microseconds = LiveFrame.u32(bytes, 20)
        if frame.format == .rgba {
            XCTAssertEqual(frame.payload.count, 4 * frame.width * frame.height)
            XCTAssertTrue(stride(from: 3, to: frame.payload.count, by: 4).allSatisfy { frame.payload[$0] == 255 }, "alpha is 255")
        }
        return (frame, try frame.image())
    }

    /// What the engine gives for `image` (the reference the server must match).
    func expected(_ image: Image, style: StyleRef, norm: NormKind = .instance, alpha: Float = 1, match: StatisticMatch? = nil,
                  schedule: StatisticsSchedule? = nil, server: StyleServer, family: ModelFamily = .adain) throws -> Image {
        var o = TransferOptions()
        o.norm = norm
        o.match = match
        o.alpha = alpha
        o.maxMemoryBytes = server.settings.jobMemoryBytes
        var isPreset = false
        if case .preset = style { isPreset = true }
        let engine = try server.models.engine(family, presets: isPreset)
        return try engine.stylize(image, styles: [style], options: o, statistics: (schedule ?? StatisticsSchedule(mode: .frame)).policy())
    }

    func styleRef(_ s: TestServer, _ name: String) -> StyleRef { .file(s.server.styles!.entry(named: name)!.path) }

    /// Sends controls and returns the accepted answer's version (fails on an error answer).
    @discardableResult
    func set(_ socket: RawWebSocket, _ controls: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        try socket.send(controls: controls)
        let answer = try socket.receiveJSON()
        XCTAssertEqual(answer["type"] as? String, "controls", "\(answer)", file: file, line: line)
        return answer["version"] as? Int ?? -1
    }

    func expectError(_ socket: RawWebSocket, code: String, field: String? = nil, containing text: String? = nil,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let e = try socket.receiveJSON()
        XCTAssertEqual(e["type"] as? String, "error", "\(e)", file: file, line: line)
        XCTAssertEqual(e["code"] as? String, code, "\(e)", file: file, line: line)
        if let field { XCTAssertEqual(e["field"] as? String, field, "\(e)", file: file, line: line) }
        if let text { XCTAssertTrue((e["message"] as? String ?? "").contains(text), "\(e)", file: file, line: line) }
    }

    // MARK: - Frames and controls

    func testFramesComeBackStylizedAndControlsActOnTheNextFrame() async throws {
        let s = try await TestServer()
        let ws = try open(s)
        XCTAssertEqual(try set(ws, ["style_name": "waves.png"]), 1)
        try ws.send(binary: frameMessage(frameA, number: 7))
        let (first, instance) = try receiveFrame(ws)
        XCTAssertEqual(first.number, 7)
        XCTAssertEqual(first.version, 1)
        XCTAssertEqual([first.width, first.height], [64, 48])
        XCTAssertGreaterThan(first.microseconds, 0)
        XCTAssertEqual(instance, try expected(frameA, style: styleRef(s, "waves.png"), server: s.server), "the engine's AdaIN output")
        XCTAssertGreaterThan(FlickerMeter.meanAbsoluteDifference(instance, frameA), 0.05, "stylized, not the camera's picture")

        // A norm switch takes effect on the next frame, on the same connection.
        XCTAssertEqual(try set(ws, ["norm": "layer"]), 2)
        try ws.send(binary: frameMessage(frameA, number: 8))
        let (second, layer) = try receiveFrame(ws)
        XCTAssertEqual([Int(second.number), Int(second.version)], [8, 2])
        XCTAssertEqual(layer, try expected(frameA, style: styleRef(s, "waves.png"), norm: .layer, server: s.server))
        XCTAssertNotEqual(layer, instance)

        // Group with G, alpha and another style in one message.
        XCTAssertEqual(try set(ws, ["norm": "group", "groups": "4", "alpha": 0.5, "style_name": "blocks.jpg"]), 3)
        try ws.send(binary: frameMessage(frameA, number: 9))
        let (_, group) = try receiveFrame(ws)
        XCTAssertEqual(group, try expected(frameA, style: styleRef(s, "blocks.jpg"), norm: .group(groups: 4), alpha: 0.5, server: s.server))

        // The statistic match: the covariance (WCT) swap on the next frame, and the controls say so.
        try ws.send(controls: ["norm": "instance", "alpha": 1, "match": "covariance"])
        let answer = try ws.receiveJSON()
        XCTAssertEqual((answer["controls"] as? [String: Any])?["match"] as? String, "covariance", "\(answer)")
        try ws.send(binary: frameMessage(frameA, number: 10))
        let (_, wct) = try receiveFrame(ws)
        XCTAssertEqual(wct, try expected(frameA, style: styleRef(s, "blocks.jpg"), match: .covariance, server: s.server))
        XCTAssertNotEqual(wct, try expected(frameA, style: styleRef(s, "blocks.jpg"), server: s.server))
        ws.close()
        XCTAssertEqual(s.server.queueSnapshot.completed, 0, "live frames are not counted as API jobs")
        XCTAssertEqual(s.server.queueSnapshot.liveFrames, 4)
        try await s.stop()
    }

    /// `stats running`: the second frame is normalised with the running average of both
    /// frames' statistics, as `stylize video --stats running` does.
    func testRunningStatisticsAcrossFrames() async throws {
        let s = try await TestServer()
        let ws = try open(s)
        try set(ws, ["style_name": "waves.png", "stats": "running"])
        let schedule = StatisticsSchedule(mode: .running(momentum: VideoStatisticsMode.defaultMomentum))
        let style = styleRef(s, "waves.png")
        try ws.send(binary: frameMessage(frameA, number: 1))
        XCTAssertEqual(try receiveFrame(ws).image, try expected(frameA, style: style, schedule: schedule, server: s.server))
        try ws.send(binary: frameMessage(frameB, number: 2))
        let running = try receiveFrame(ws).image
        XCTAssertEqual(running, try expected(frameB, style: style, schedule: schedule, server: s.server))
        XCTAssertNotEqual(running, try expected(frameB, style: style, server: s.server), "differs from frame B's own statistics")
        ws.close()
        try await s.stop()
    }

    func testJPEGFramesAndAStyleUpload() async throws {
        let s = try await TestServer()
        let ws = try open(s)
        let painting = Pictures.ramps(width: 80, height: 60, seed: 5)
        try ws.send(binary: LiveFrame.styleMagic + Fixtures.png(painting))
        let answer = try ws.receiveJSON()
        XCTAssertEqual((answer["controls"] as? [String: Any])?["style_upload"] as? String, "uploaded style", "\(answer)")
        try ws.send(binary: frameMessage(frameA, number: 3, format: .jpeg))
        let (frame, image) = try receiveFrame(ws)
        XCTAssertEqual(frame.format, .jpeg)
        let sent = try ImageIO.decode(bytes: ImageIO.encode(frameA, as: .jpeg, quality: 95, name: "f"), name: "f")
        let reference = try expected(sent, style: .image(painting, name: "uploaded style"), server: s.server)
        XCTAssertLessThan(FlickerMeter.meanAbsoluteDifference(image, reference), 0.02, "the engine's output, JPEG-coded at 85")
        ws.close()
        try await s.stop()
    }

    func testMagentaPresetsSwitchMidStream() async throws {
        let s = try await TestServer(magenta: true)
        let ws = try open(s)
        try set(ws, ["preset": "3"])       // model becomes magenta, as in POST /v1/stylize
        try ws.send(binary: frameMessage(frameA, number: 1))
        let three = try receiveFrame(ws).image
        XCTAssertEqual(three, try expected(frameA, style: .preset("3"), server: s.server, family: .magenta))
        try set(ws, ["preset": "5"])
        try ws.send(binary: frameMessage(frameA, number: 2))
        let five = try receiveFrame(ws).image
        XCTAssertEqual(five, try expected(frameA, style: .preset("5"), server: s.server, family: .magenta))
        XCTAssertNotEqual(three, five)
        ws.close()
        try await s.stop()
    }

    // MARK: - Refusals

    func testBadControlsNameTheFieldAndChangeNothing() async throws {
        let s = try await TestServer()
        let ws = try open(s)
        try set(ws, ["style_name": "waves.png"])
        try ws.send(controls: ["alpha": 3])
        try expectError(ws, code: "bad_option", field: "alpha", containing: "alpha must be between 0 and 1")
        try ws.send(controls: ["norm": "weird"])
        try expectError(ws, code: "bad_option", field: "norm", containing: "norm must be one of")
        try ws.send(controls: ["norm": "group", "groups": 0])
        try expectError(ws, code: "bad_option", field: "groups")
        try ws.send(controls: ["stats": "clip"])
        try expectError(ws, code: "bad_option", field: "stats", containing: "live stream")
        try ws.send(controls: ["match": "median"])
        try expectError(ws, code: "bad_request", containing: "match must be one of")
        try ws.send(controls: ["match": "covariance", "norm": "layer"])
        try expectError(ws, code: "bad_option", field: "match", containing: "does not combine with norm layer")
        try ws.send(controls: ["match": "distribution", "stats": "running"])
        try expectError(ws, code: "bad_option", field: "stats")
        try ws.send(controls: ["contrast": 2])
        try expectError(ws, code: "bad_message", containing: "unknown control 'contrast'")
        try ws.send(controls: ["style_name": "../secret.png"])
        try expectError(ws, code: "unknown_style")
        try ws.send(controls: ["preset": "3"])
        try expectError(ws, code: "model_unavailable", containing: "magenta")
        try ws.send(controls: ["alpha": true])
        try expectError(ws, code: "bad_request", containing: "alpha must be a number")
        try ws.send(text: "not json")
        try expectError(ws, code: "bad_message", containing: "JSON object")
        // Nothing changed: the next frame is version 1 (waves, instance, alpha 1).
        try ws.send(binary: frameMessage(frameA, number: 1))
        let (frame, image) = try receiveFrame(ws)
        XCTAssertEqual(frame.version, 1)
        XCTAssertEqual(image, try expected(frameA, style: styleRef(s, "waves.png"), server: s.server))
        ws.close()
        try await s.stop()
    }

    func testBadFramesAndFrameLimits() async throws {
        let s = try await TestServer { $0.liveMaxPixels = 64 * 64; $0.liveStyleBytes = 20_000 }
        let ws = try open(s)
        try ws.send(binary: frameMessage(frameA, number: 1))
        try expectError(ws, code: "missing_style", containing: "choose a style first")
        try set(ws, ["style_name": "waves.png"])
        try ws.send(binary: Array("JUNK".utf8) + [UInt8](repeating: 0, count: 40))
        try expectError(ws, code: "bad_frame", containing: "'JUNK'")
        var short = try frameMessage(frameA, number: 2)
        short.removeLast(4)
        try ws.send(binary: short)
        try expectError(ws, code: "bad_frame", containing: "needs 12288 bytes of pixels, got 12284")
        try ws.send(binary: frameMessage(Pictures.blocks(width: 80, height: 60, seed: 1), number: 3))
        try expectError(ws, code: "frame_too_large", containing: "80x60 = 4800 pixels, more than this server's live limit of 4096")
        var badFormat = try frameMessage(frameA, number: 4)
        badFormat[12] = 7
        try ws.send(binary: badFormat)
        try expectError(ws, code: "bad_frame", containing: "unknown format 7")
        try ws.send(binary: LiveFrame.styleMagic + Array("hello, not an image".utf8))
        try expectError(ws, code: "not_an_image")

        // One frame in flight: a second frame sent before the first came back is refused.
        try ws.send(binary: frameMessage(frameA, number: 5))
        try ws.send(binary: frameMessage(frameA, number: 6))
        var got: [String] = []
        for _ in 0..<2 {
            switch try ws.receive() {
            case .binary(let b): got.append("frame \(LiveFrame.u32(b, 4))")
            case .text(let t): got.append(t.contains("\"busy\"") && t.contains("frame 6 refused") ? "busy 6" : t)
            case .close(let c, let r): got.append("close \(c) \(r)")
            }
        }
        XCTAssertEqual(got.sorted(), ["busy 6", "frame 5"])

        // A message over the byte limit: said, then closed with 1009.
        try ws.send(binary: [UInt8](repeating: 1, count: s.server.settings.liveMessageBytes + 1))
        try expectError(ws, code: "message_too_large")
        XCTAssertEqual(try ws.receive(), .close(1009, "message_too_large: a message of \(s.server.settings.liveMessageBytes + 1) bytes is more than this server's live limit of \(s.server.settings.liveMessageBytes) bytes"))
        ws.vanish()
        try await s.stop()
    }

    /// `--live-clients 2`: a third client is told and closed (1013); a client that vanishes
    /// without a close frame frees its place; the API's jobs go on beside them.
    func testClientLimitAndAVanishedClientFreesItsSlot() async throws {
        let s = try await TestServer { $0.liveClients = 2 }
        let a = try open(s), b = try open(s)
        try set(a, ["style_name": "waves.png"])
        try set(b, ["style_name": "blocks.jpg", "norm": "batch"])
        try a.send(binary: frameMessage(frameA, number: 1))
        try b.send(binary: frameMessage(frameA, number: 1))
        XCTAssertEqual(try receiveFrame(a).image, try expected(frameA, style: styleRef(s, "waves.png"), server: s.server))
        XCTAssertEqual(try receiveFrame(b).image, try expected(frameA, style: styleRef(s, "blocks.jpg"), norm: .batch, server: s.server),
                       "the second client gets its own frames with its own controls")

        let (c, _) = try RawWebSocket.open(s.client)
        let refused = try XCTUnwrap(c)
        try expectError(refused, code: "too_many_clients", containing: "2 clients are connected")
        guard case .close(1013, let reason) = try refused.receive() else { return XCTFail("no close 1013") }
        XCTAssertTrue(reason.hasPrefix("too_many_clients"))
        refused.vanish()
        let live = try XCTUnwrap(s.client.get("/healthz").json["live"] as? [String: Any])
        XCTAssertEqual(live["clients"] as? Int, 2)
        XCTAssertEqual(live["refused"] as? Int, 1)

        a.vanish()
        try await s.waitFor("the vanished client's place") { s.server.liveClients.snapshot.open == 1 }
        let d = try open(s)
        try set(d, ["style_name": "waves.png"])
        try d.send(binary: frameMessage(frameB, number: 1))
        XCTAssertEqual(try receiveFrame(d).image, try expected(frameB, style: styleRef(s, "waves.png"), server: s.server))
        b.close(); d.close()
        try await s.stop()
    }

    /// Live frames wait their turn behind a running job, outside the API queue's capacity, so
    /// a live client never takes an API request's place (and gets its frame after the job).
    func testLiveFramesShareTheQueueWithJobs() async throws {
        let s = try await TestServer { $0.queueCapacity = 1 }
        let ws = try open(s)
        try set(ws, ["style_name": "waves.png"])
        let release = DispatchSemaphore(value: 0)
        try await s.blockQueue(release: release)
        try ws.send(binary: frameMessage(frameA, number: 1))
        try await s.waitFor("the frame waiting") { s.server.queueSnapshot.liveWaiting == 1 }
        XCTAssertEqual(s.server.queueSnapshot.waiting, 0, "a waiting frame does not count against --queue")
        let content = try Fixtures.png(frameB)
        let client = s.client
        let post = Task.detached { try client.post("/v1/stylize", parts: [F.file("content", content, filename: "c.png"), F.field("style_name", "waves.png")]) }
        try await s.waitFor("the job waiting") { s.server.queueSnapshot.waiting == 1 }
        release.signal()
        XCTAssertEqual(try receiveFrame(ws).image, try expected(frameA, style: styleRef(s, "waves.png"), server: s.server))
        let answer = try await post.value
        XCTAssertEqual(answer.status, 200, "the job was queued, not refused: \(answer.text)")
        ws.close()
        try await s.stop()
    }

    func testIdleConnectionsAreClosed() async throws {
        let s = try await TestServer { $0.liveIdleSeconds = 0.5 }
        let ws = try open(s)
        try expectError(ws, code: "idle", containing: "without a frame or a control")
        guard case .close(1000, _) = try ws.receive() else { return XCTFail("no close 1000") }
        ws.vanish()
        try await s.waitFor("the idle client's place") { s.server.liveClients.snapshot.open == 0 }
        try await s.stop()
    }

    /// A client waiting for its frame is not idle, however long the frame waits.
    func testAClientWaitingForItsFrameIsNotIdle() async throws {
        let s = try await TestServer { $0.liveIdleSeconds = 0.5 }
        let ws = try open(s)
        try set(ws, ["style_name": "waves.png"])
        let release = DispatchSemaphore(value: 0)
        try await s.blockQueue(release: release)
        try ws.send(binary: frameMessage(frameA, number: 1))
        try await Task.sleep(nanoseconds: 1_500_000_000)
        release.signal()
        XCTAssertEqual(try receiveFrame(ws).frame.number, 1, "the frame, not an idle close")
        try expectError(ws, code: "idle")   // and idle after it
        ws.vanish()
        try await s.stop()
    }

    /// Stopping the server tells the live clients and closes their connections (1001), so a
    /// client that keeps its socket open and silent does not hold the shutdown.
    func testStoppingTheServerClosesLiveConnections() async throws {
        let s = try await TestServer()
        let ws = try open(s)
        try set(ws, ["style_name": "waves.png"])
        let server = s.server
        let started = Date()
        let stopping = Task { await server.stop() }
        try expectError(ws, code: "shutting_down")
        guard case .close(1001, _) = try ws.receive() else { return XCTFail("no close 1001") }
        // The client does not answer the close, nor hang up: the server cuts it off (5 s) and stops.
        await stopping.value
        try await s.stop()   // run has returned: this only waits for it and removes the folder
        XCTAssertLessThan(Date().timeIntervalSince(started), 15, "stopped although the client stayed silent")
        ws.vanish()
    }

    /// A foreign Origin or Host is refused at the handshake, before any WebSocket exists
    /// (Hummingbird answers a refused upgrade 400 with no body); the page's own origin is not.
    func testUpgradesAreCheckedAsRequestsAre() async throws {
        let s = try await TestServer()
        let (foreign, refusal) = try RawWebSocket.open(s.client, origin: "http://evil.example")
        XCTAssertNil(foreign)
        XCTAssertEqual(refusal?.status, 400)
        let (rebound, hostRefusal) = try RawWebSocket.open(s.client, host: "evil.example:\(s.port)")
        XCTAssertNil(rebound)
        XCTAssertEqual(hostRefusal?.status, 400)
        XCTAssertEqual(s.server.liveClients.snapshot.open, 0)
        let (same, _) = try RawWebSocket.open(s.client, origin: "http://127.0.0.1:\(s.port)")
        XCTAssertNotNil(same, "the page's own origin is accepted")
        same?.close()
        let plain = try s.client.get("/v1/live")
        XCTAssertEqual(plain.status, 426)
        XCTAssertEqual(plain.errorCode, "upgrade_required")
        XCTAssertEqual(try s.client.get("/live").status, 200)
        XCTAssertTrue(try s.client.get("/live.js").text.contains("stylizeLive"))
        try await s.stop()

        let off = try await TestServer { $0.liveClients = 0 }
        let (none, offRefusal) = try RawWebSocket.open(off.client)
        XCTAssertNil(none)
        XCTAssertEqual(offRefusal?.status, 400)
        XCTAssertEqual(try off.client.get("/v1/live").errorCode, "live_off")
        try await off.stop()
    }

    /// The live clients' memory is part of the server's overhead, so a job's budget shrinks
    /// with `--live-clients`.
    func testLiveClientsAreInTheMemoryBudget() {
        var settings = ServerSettings()
        settings.liveClients = 0
        let without = settings.jobMemoryBytes
        settings.liveClients = 4
        XCTAssertEqual(without - settings.jobMemoryBytes, 4 * settings.liveClientBytes)
        XCTAssertGreaterThan(settings.liveClientBytes, 3 * settings.liveMessageBytes)
    }
}
