import Foundation
import Hummingbird
import HummingbirdWebSocket
import StylizeEngine

/// `GET /v1/live`, upgraded to a WebSocket (Hummingbird's WebSocket package): the live view's
/// connection. What travels on it:
///
///     server -> client  text   {"type": "hello", "limits": {...}, "controls": {...}, "version": 0}
///     client -> server  text   {"type": "controls", "norm": "layer", ...}   (`LiveControls`)
///     server -> client  text   {"type": "controls", "version": 3, "controls": {...}}  (accepted)
///     client -> server  binary a frame (`LiveFrame`), only when the previous one came back
///     server -> client  binary the stylized frame, same number, with the controls' version
///     client -> server  binary "SLS1" + a JPEG or PNG file: a style upload (then "controls")
///     server -> client  text   {"type": "error", "code": ..., "message": ..., "field": ...}  (`LiveError`)
///
/// Controls act on the next frame, without reconnecting. A frame sent while the previous one
/// is still in flight is refused (`busy`): one frame in flight per client. Limits, each
/// refused with an error message: `--live-clients` connections (the next one is told and
/// closed), frames of `liveMaxPixels`, messages of `liveMessageBytes`, and `--live-idle`
/// seconds without a message (closed). Upgrades are checked as every request is (a loopback
/// Host, and an Origin that is this server: another site's page cannot open one).
extension StyleServer {
    /// The router that decides WebSocket upgrades: only `/v1/live`, behind the same host and
    /// origin checks as every HTTP request. A refused upgrade goes on as a plain HTTP request,
    /// which the main router answers (403 for a foreign Origin, 426 without an upgrade).
    func makeWebSocketRouter() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        let settings = self.settings
        router.ws("/v1/live", shouldUpgrade: { request, _ in
            guard settings.liveClients > 0, (try? GuardMiddleware.check(request, settings: settings)) != nil else { return .dontUpgrade }
            return .upgrade([:])
        }, onUpgrade: { [self] inbound, outbound, _ in
            await live(inbound: inbound, outbound: outbound)
        })
        return router
    }

    /// The WebSocket settings: frames up to twice the message limit reach the handler, which
    /// refuses those over the limit with a message (beyond that the connection closes with
    /// 1009); a ping every 15 s finds vanished clients; a client that does not answer the
    /// server's close within 5 s is cut off.
    var webSocketConfiguration: WebSocketServerConfiguration {
        WebSocketServerConfiguration(maxFrameSize: 2 * settings.liveMessageBytes, autoPing: .enabled(timePeriod: .seconds(15)),
                                     closeTimeout: .seconds(5))
    }

    /// `GET /v1/live` without an upgrade (or with one that was refused).
    func liveWithoutUpgrade() throws -> Response {
        guard settings.liveClients > 0 else {
            throw APIError(503, "live_off", "the live view is turned off on this server (--live-clients 0)")
        }
        throw APIError(426, "upgrade_required", "/v1/live is a WebSocket: open it with new WebSocket('ws://HOST/v1/live') (see /openapi.yaml)")
    }

    /// One live connection, from the upgrade to its end.
    func live(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let send = LiveSender(outbound)
        guard liveClients.join(send) else {
            await send.fail(queue.isStopped ? .shuttingDown : .tooManyClients(liveClients.limit))
            return
        }
        defer { liveClients.leave(send) }
        let session = LiveSession(server: self)
        let limits: [String: Any] = ["max_pixels": settings.liveMaxPixels, "max_message_bytes": settings.liveMessageBytes,
                                     "max_style_bytes": settings.liveStyleBytes, "idle_seconds": settings.liveIdleSeconds,
                                     "clients": liveClients.limit]
        await send.text(LiveSession.json(["type": "hello", "limits": limits, "version": 0, "controls": session.current.controls.summary]))

        let activity = Activity()
        let idle = settings.liveIdleSeconds
        let messageLimit = settings.liveMessageBytes
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 200_000_000)
                // Idle: nothing from the client, and no frame of its own on the server.
                if activity.secondsSinceLast > idle, !session.busy, !Task.isCancelled {
                    await send.fail(.idle(idle))
                    return
                }
            }
        }
        // The reader runs in its own task, so that closing the connection from this side (idle,
        // too large, the server stopping) ends it even when the client goes silent.
        let reader = Task { () -> Task<Void, Never>? in
            var processing: Task<Void, Never>? = nil
            do {
                for try await message in inbound.messages(maxSize: 2 * messageLimit) {
                    activity.touch()
                    switch message {
                    case .text(let text):
                        guard text.utf8.count <= 65536 else { await send.error(.badMessage("a control message is at most 64 KiB")); continue }
                        do { await send.text(try session.apply(ControlValue.message(text))) }
                        catch { await send.error(.from(error)) }
                    case .binary(let buffer):
                        let bytes = Array(buffer.readableBytesView)
                        guard bytes.count <= messageLimit else {
                            await send.fail(.messageTooLarge(bytes.count, limit: messageLimit))
                            break
                        }
                        if bytes.starts(with: LiveFrame.styleMagic) {
                            let file = Array(bytes.dropFirst(LiveFrame.styleMagic.count))
                            guard file.count <= settings.liveStyleBytes else {
                                await send.error(LiveError(code: "too_large", message: "the style upload of \(file.count) bytes is more than this server's live limit of \(settings.liveStyleBytes) bytes"))
                                continue
                            }
                            do { await send.text(try await session.uploadStyle(file)) }
                            catch { await send.error(.from(error)) }
                            continue
                        }
                        let received = Date()
                        let frame: LiveFrame
                        do { frame = try LiveFrame.parse(bytes, maxPixels: settings.liveMaxPixels) }
                        catch {
                            await send.error(LiveError.from(error).about(frame: bytes.count >= 8 ? LiveFrame.u32(bytes, 4) : nil))
                            continue
                        }
                        let cancellation = Cancellation()
                        guard session.begin(cancellation) else {
                            await send.error(LiveError(code: "busy", message: "frame \(frame.number) refused: the previous frame has not come back yet "
                                + "(send a frame only after the last one returned)", frame: frame.number))
                            continue
                        }
                        processing = Task {
                            do {
                                let answer = try await session.stylize(frame, received: received, cancellation: cancellation)
                                activity.touch()
                                session.end()
                                await send.binary(answer.bytes)
                            } catch {
                                activity.touch()
                                session.end()
                                if !cancellation.isCancelled { await send.error(LiveError.from(error).about(frame: frame.number)) }
                            }
                        }
                    }
                    if send.closed || Task.isCancelled { break }
                }
            } catch {
                // the connection failed (a protocol error or the peer vanished): nothing to tell
            }
            return processing
        }
        send.whenClosed { reader.cancel() }
        let processing = await reader.value
        watchdog.cancel()
        session.cancel(reason: "the live client went away")
        await processing?.value
    }
}

/// Time of the last message of a connection.
final class Activity: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date()
    func touch() { lock.withLock { last = Date() } }
    var secondsSinceLast: Double { lock.withLock { Date().timeIntervalSince(last) } }
}

/// Writes to one connection from its reader, its frame task and its watchdog: each message is
/// one WebSocket frame, so writes never interleave inside a message. After `fail` (an error
/// that closes) nothing more is sent.
final class LiveSender: @unchecked Sendable {
    private let outbound: WebSocketOutboundWriter
    private let lock = NSLock()
    private var _closed = false
    private var onClose: (@Sendable () -> Void)?

    init(_ outbound: WebSocketOutboundWriter) { self.outbound = outbound }

    /// Runs `action` once the server has closed the connection (at once if it has).
    func whenClosed(_ action: @escaping @Sendable () -> Void) {
        let now = lock.withLock { () -> Bool in
            if _closed { return true }
            onClose = action
            return false
        }
        if now { action() }
    }

    var closed: Bool { lock.withLock { _closed } }

    func text(_ string: String) async {
        guard !closed else { return }
        try? await outbound.write(.text(string))
    }

    func binary(_ bytes: [UInt8]) async {
        guard !closed else { return }
        try? await outbound.write(.binary(ByteBuffer(bytes: bytes)))
    }

    func error(_ error: LiveError) async {
        if error.closes { return await fail(error) }
        await text(error.json)
    }

    /// Says `error`, then closes the connection with its code and message.
    func fail(_ error: LiveError) async {
        let first = lock.withLock { () -> Bool in
            defer { _closed = true }
            return !_closed
        }
        guard first else { return }
        try? await outbound.write(.text(error.json))
        // A close frame's reason is at most 123 bytes.
        var reason = error.code + ": " + error.message
        while reason.utf8.count > 123 { reason.removeLast() }
        switch error.closeCode {
        case 1000: try? await outbound.close(.normalClosure, reason: reason)
        case 1001: try? await outbound.close(.goingAway, reason: reason)
        case 1008: try? await outbound.close(.policyViolation, reason: reason)
        case 1009: try? await outbound.close(.messageTooLarge, reason: reason)
        default: try? await outbound.close(.unknown(error.closeCode), reason: reason)
        }
        lock.withLock { onClose }?()
    }
}
