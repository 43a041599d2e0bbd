import Foundation
import ImageCodecs
import StylizeEngine

/// One live client's state: its controls (numbered: each accepted change is a new
/// `version`, and every stylized frame says the version it used), the statistics schedule of
/// its stream (`StatisticsSchedule`, as `stylize video` uses it; begun anew whenever the
/// controls or the frame size change, since a running average over different settings
/// means nothing), its uploaded style, and its frame in flight: at most one, so its latency
/// never grows behind a queue of its own frames.
///
/// Frames run on the server's one job queue (`JobQueue`, as live frames), with the job
/// budget of memory and all the threads, between the API's jobs.
final class LiveSession: @unchecked Sendable {
    /// An uploaded style is kept at this shorter side (the engine's default style size) and
    /// at most twice that on the longer side: the decoded upload is dropped.
    static let styleSide = 512

    private let lock = NSLock()
    private var controls = LiveControls()
    private(set) var version: UInt32 = 0
    private var schedule = StatisticsSchedule(mode: .frame)
    private var scheduleSize = (width: 0, height: 0)
    private var inFlight: Cancellation?

    let server: StyleServer

    init(server: StyleServer) { self.server = server }

    var current: (controls: LiveControls, version: UInt32) { lock.withLock { (controls, version) } }

    /// Applies a control message; returns the answer naming the controls now in force.
    func apply(_ message: [String: ControlValue]) throws -> String {
        let next = try lock.withLock { controls }.applying(message, styles: server.styles, models: server.models,
                                                           maxMemoryBytes: server.settings.jobMemoryBytes)
        return commit(next)
    }

    /// Decodes an uploaded style (on the job queue, so its memory is the job's), keeps it at
    /// `styleSide` and makes it the style.
    func uploadStyle(_ bytes: [UInt8]) async throws -> String {
        let name = "uploaded style"
        try server.precheck(bytes, name: name)
        let cancellation = Cancellation()
        let image = try await server.queue.submit(cancellation: cancellation, live: true) { () throws -> Image in
            let decoded = try ImageIO.decode(bytes: bytes, name: name)
            var small = decoded.resized(shorterSide: min(Self.styleSide, min(decoded.width, decoded.height)))
            if max(small.width, small.height) > 2 * Self.styleSide {   // a panorama: keep the longer side in bounds too
                let scale = Double(2 * Self.styleSide) / Double(max(small.width, small.height))
                small = small.resized(width: max(1, Int(Double(small.width) * scale)), height: max(1, Int(Double(small.height) * scale)))
            }
            small.alpha = nil
            return small
        }
        var next = lock.withLock { controls }
        next.style = .upload(image, name: name)
        try next.check(models: server.models, maxMemoryBytes: server.settings.jobMemoryBytes)
        return commit(next)
    }

    private func commit(_ next: LiveControls) -> String {
        let (summary, v) = lock.withLock { () -> ([String: Any], UInt32) in
            controls = next
            version &+= 1
            schedule = StatisticsSchedule(mode: next.stats)
            return (next.summary, version)
        }
        return Self.json(["type": "controls", "version": Int(v), "controls": summary])
    }

    /// Marks a frame in flight; false when one already is (the client must wait for it).
    func begin(_ cancellation: Cancellation) -> Bool {
        lock.withLock {
            guard inFlight == nil else { return false }
            inFlight = cancellation
            return true
        }
    }

    func end() { lock.withLock { inFlight = nil } }

    /// Whether a frame of this client is on the server (the client is waiting, not idle).
    var busy: Bool { lock.withLock { inFlight != nil } }

    /// Stops the frame in flight (the client went away).
    func cancel(reason: String) {
        if let c = lock.withLock({ inFlight }) { server.queue.withdraw(c, reason: reason) }
    }

    /// Stylizes `frame` with the controls in force now; the answer carries their version.
    func stylize(_ frame: LiveFrame, received: Date, cancellation: Cancellation) async throws -> LiveFrame {
        let (controls, version, frameSchedule) = lock.withLock { () -> (LiveControls, UInt32, StatisticsSchedule) in
            if scheduleSize != (frame.width, frame.height) {
                schedule = StatisticsSchedule(mode: self.controls.stats)
                scheduleSize = (frame.width, frame.height)
            }
            return (self.controls, self.version, self.schedule)
        }
        guard let style = controls.style else {
            throw LiveError(code: "missing_style", message: "choose a style first: a style_name from GET /v1/styles, a preset, or an upload")
        }
        let engine = try server.models.engine(controls.model, presets: style.isPreset)
        let options = try controls.options(maxMemoryBytes: server.settings.jobMemoryBytes)
        let reference = style.reference
        return try await server.queue.submit(cancellation: cancellation, live: true) { () throws -> LiveFrame in
            let image = try frame.image()
            let out = try engine.stylize(image, styles: [reference], options: options, statistics: frameSchedule.policy(),
                                         control: RunControl(cancellation: cancellation))
            let micros = UInt32(min(Date().timeIntervalSince(received) * 1e6, Double(UInt32.max)))
            return try frame.answer(out, version: version, microseconds: micros)
        }
    }

    static func json(_ value: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// The live connections open now, at most `limit` (`--live-clients`), so that the server can
/// close them all when it stops (a WebSocket would otherwise hold the graceful shutdown
/// open for as long as its client keeps sending).
final class LiveClients: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var senders: [ObjectIdentifier: LiveSender] = [:]
    private var refused = 0
    private var stopped = false

    init(limit: Int) { self.limit = limit }

    /// Takes a place for `sender`; false when all are taken or the server is stopping.
    func join(_ sender: LiveSender) -> Bool {
        lock.withLock {
            guard !stopped, senders.count < limit else { refused += 1; return false }
            senders[ObjectIdentifier(sender)] = sender
            return true
        }
    }

    func leave(_ sender: LiveSender) { lock.withLock { senders[ObjectIdentifier(sender)] = nil } }

    /// Tells every client the server is stopping and closes its connection.
    func closeAll() async {
        let all = lock.withLock { () -> [LiveSender] in
            stopped = true
            return Array(senders.values)
        }
        for sender in all { await sender.fail(.shuttingDown) }
    }

    private var open: Int { senders.count }

    var snapshot: (open: Int, refused: Int) { lock.withLock { (open, refused) } }
}
