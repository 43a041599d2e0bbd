import Foundation
import Hummingbird
import HummingbirdWebSocket
import ImageCodecs
import Logging
import ServiceLifecycle
import StyleModels
import StyleNN
import StylizeEngine

/// `stylize serve`: a local web app for stylizing and for comparing the normalizations side
/// by side, and its JSON API, on Hummingbird 2, on top of the one `StyleEngine`.
///
///     GET  /                  the page (HTML, CSS, JS embedded in the binary); /live opens its live view
///     GET  /v1/live           WebSocket: the live view's camera frames, stylized (`live(inbound:outbound:)`)
///     POST /v1/stylize        multipart: content + style file | style_name | preset, options -> the image
///     POST /v1/compare        multipart: content + style, contrast/brightness -> JSON, images as data URLs
///     GET  /v1/models         the model families and whether each can run here
///     GET  /v1/styles         the styles folder's images; /v1/styles/{name} one of them
///     GET  /healthz           liveness and the job queue
///     GET  /openapi.yaml      the API's description
///
/// Limits: uploads over `maxUploadBytes` 413; the codecs' pixel limit (413); one job at a
/// time with `queueCapacity` waiting, then 429 + Retry-After; a per-request time limit and
/// cancellation when the client goes away (both through the job's `Cancellation`); no CORS
/// headers, cross-origin POSTs refused; uploads stay in memory; files are read only from the
/// styles folder's listing and the weights.
public final class StyleServer: @unchecked Sendable {
    public let settings: ServerSettings
    let queue: JobQueue
    let models: ModelCatalog
    let styles: StyleFolder?
    let baselines: BaselineCache
    let liveClients: LiveClients
    private let lock = NSLock()
    private var group: ServiceGroup?
    private var stopRequested = false

    public init(settings: ServerSettings) throws {
        try settings.validate()
        self.settings = settings
        queue = JobQueue(capacity: settings.queueCapacity)
        models = ModelCatalog(settings: settings)
        liveClients = LiveClients(limit: settings.liveClients)
        baselines = BaselineCache(capacityBytes: settings.baselineCacheBytes)
        styles = try settings.stylesFolder.map { try StyleFolder(path: $0) }
    }

    // MARK: - Running

    /// Serves until `stop()` (or an error binding the address). `onRunning` receives the
    /// bound port once connections are accepted (useful with port 0).
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var logger = Logger(label: "stylize.serve")
        logger.logLevel = .critical
        let app = Application(
            router: makeRouter(),
            server: .http1WebSocketUpgrade(webSocketRouter: makeWebSocketRouter(),
                                           configuration: .init(http1: .init(idleTimeout: .seconds(60)), ws: webSocketConfiguration)),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let stopEarly = lock.withLock { () -> Bool in
            self.group = group
            return stopRequested
        }
        if stopEarly { return }
        defer { queue.shutdown() }
        try await group.run()
    }

    /// Stops gracefully: the job queue stops (waiting jobs are answered 503, the running
    /// one stops at its next check), live clients are told and their connections closed,
    /// open requests are answered, then `run` returns.
    public func stop() async {
        queue.shutdown()
        await liveClients.closeAll()
        let group = lock.withLock { () -> ServiceGroup? in
            stopRequested = true
            return self.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// What the server offers, one line each (for the command's start-up message).
    public var summary: [String] {
        var lines: [String] = []
        lines.append("adain: " + (models.adainWeightsName ?? "unavailable (\(models.adainProblem ?? ""))"))
        switch (models.magentaArbitraryProblem, models.magentaPresetsProblem) {
        case (nil, nil): lines.append("magenta: style images and presets")
        case (nil, _?): lines.append("magenta: style images (presets unavailable)")
        case (_?, nil): lines.append("magenta: presets (style images unavailable)")
        case (let p?, _?): lines.append("magenta: unavailable (\(p))")
        }
        if let styles { lines.append("styles: \(styles.path) (\(styles.entries().count) images)") } else { lines.append("styles: none (give --styles DIR)") }
        lines.append("limits: \(ThreadBudget.threads) threads, 1 job at a time + \(settings.queueCapacity) waiting, uploads up to "
            + "\(MemoryBudget.format(settings.maxUploadBytes)), \(MemoryBudget.format(settings.jobMemoryBytes)) per job of \(MemoryBudget.format(settings.maxMemoryBytes)), "
            + "\(Self.seconds(settings.timeoutSeconds)) s per request")
        lines.append(settings.liveClients == 0 ? "live view: off (--live-clients 0)"
            : "live view: /live, up to \(settings.liveClients) clients, frames up to \(settings.liveMaxPixels) pixels, "
              + "closed after \(Self.seconds(settings.liveIdleSeconds)) s idle")
        return lines
    }

    /// The job queue's state (for `/healthz` and tests).
    public var queueSnapshot: JobQueue.Snapshot { queue.snapshot }

    // MARK: - Routes

    /// One endpoint: documented in `/openapi.yaml` (the tests check both ways).
    struct Route {
        let method: HTTPRequest.Method
        let path: String
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response
    }

    var routes: [Route] {
        [
            Route(method: .get, path: "/", handler: { _, _ in Assets.response(.page) }),
            Route(method: .get, path: "/live", handler: { _, _ in Assets.response(.page) }),
            Route(method: .get, path: "/app.js", handler: { _, _ in Assets.response(.script) }),
            Route(method: .get, path: "/live.js", handler: { _, _ in Assets.response(.liveScript) }),
            Route(method: .get, path: "/v1/live", handler: { [self] _, _ in try liveWithoutUpgrade() }),
            Route(method: .get, path: "/app.css", handler: { _, _ in Assets.response(.style) }),
            Route(method: .get, path: "/openapi.yaml", handler: { _, _ in Assets.response(.openAPI) }),
            Route(method: .get, path: "/healthz", handler: { [self] _, _ in health() }),
            Route(method: .get, path: "/v1/models", handler: { [self] _, _ in json(models.json) }),
            Route(method: .get, path: "/v1/styles", handler: { [self] _, _ in styleList() }),
            Route(method: .get, path: "/v1/styles/{name}", handler: { [self] _, context in try styleFile(context.parameters.get("name") ?? "") }),
            Route(method: .post, path: "/v1/stylize", handler: { [self] request, _ in try await stylize(request) }),
            Route(method: .post, path: "/v1/compare", handler: { [self] request, _ in try await compare(request) }),
        ]
    }

    /// The router with every route behind the guard middleware (errors as JSON, 405,
    /// security headers, host and origin checks, access log).
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let table = routes
        router.add(middleware: GuardMiddleware(settings: settings, known: Dictionary(grouping: table, by: \.path).mapValues { $0.map(\.method.rawValue) }))
        for route in table {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try await route.handler(request, context)
            }
        }
        return router
    }

    // MARK: - Small endpoints

    func json(_ value: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    func health() -> Response {
        let q = queue.snapshot
        let live = liveClients.snapshot
        return json([
            "status": "ok",
            "threads": ThreadBudget.threads,
            "precision": settings.precision.rawValue,
            "max_memory_bytes": settings.maxMemoryBytes,
            "job_memory_bytes": settings.jobMemoryBytes,
            "max_upload_bytes": settings.maxUploadBytes,
            "timeout_seconds": settings.timeoutSeconds,
            "server_overhead_bytes": settings.serverOverheadBytes,
            "live": ["clients": live.open, "capacity": settings.liveClients, "refused": live.refused, "frames": q.liveFrames,
                     "waiting": q.liveWaiting, "max_pixels": settings.liveMaxPixels, "idle_seconds": settings.liveIdleSeconds] as [String: Any],
            "queue": ["running": q.running, "waiting": q.waiting, "capacity": q.capacity, "completed": q.completed,
                      "rejected": q.rejected, "withdrawn": q.withdrawn, "mean_seconds": q.meanSeconds] as [String: Any],
        ])
    }

    func styleList() -> Response {
        let entries = styles?.entries() ?? []
        return json(["styles": entries.map { e -> [String: Any] in
            ["name": e.name, "format": e.format.rawValue, "bytes": e.bytes,
             "url": "/v1/styles/" + (e.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? e.name)]
        }])
    }

    /// One file of the styles folder, by its exact listed name (percent-decoded).
    func styleFile(_ raw: String) throws -> Response {
        let name = raw.removingPercentEncoding ?? raw
        guard let entry = styles?.entry(named: name) else {
            throw APIError(404, "unknown_style", "unknown style '\(name.prefix(80))': not an image of the styles folder (see GET /v1/styles)")
        }
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: entry.path))) }
        catch { throw APIError(404, "unknown_style", "style '\(entry.name)' can no longer be read") }
        var headers = HTTPFields()
        headers[.contentType] = entry.format == .png ? "image/png" : "image/jpeg"
        headers[.cacheControl] = "private, max-age=60"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    // MARK: - Uploads, time limit, disconnects

    /// Reads a multipart upload (413 over the cap, 415 if not multipart) and runs `handle`
    /// with a `Cancellation` that fires when the time limit passes or the client goes away.
    func withUpload(_ request: Request, _ handle: @escaping @Sendable ([FormPart], Cancellation) async throws -> Response) async throws -> Response {
        guard let type = request.headers[.contentType], let boundary = Multipart.boundary(contentType: type) else {
            throw APIError(415, "not_multipart", "the body must be multipart/form-data (an HTML form upload), got '\(request.headers[.contentType] ?? "no Content-Type")'")
        }
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > settings.maxUploadBytes {
            try await drain(request.body, declared: declared)
            throw tooLarge(declared)
        }
        let cancellation = Cancellation()
        let limit = settings.maxUploadBytes
        let queue = self.queue
        return try await request.body.consumeWithInboundCloseHandler({ body in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(min(declared ?? 65536, limit))
            var iterator = body.makeAsyncIterator()
            while let chunk = try await iterator.next() {
                guard bytes.count + chunk.readableBytes <= limit else {
                    // A body without Content-Length passed the cap: read the rest away, then refuse.
                    var seen = bytes.count + chunk.readableBytes
                    while seen <= Self.drainLimit, let more = try await iterator.next() { seen += more.readableBytes }
                    throw self.tooLarge(nil)
                }
                bytes += chunk.readableBytesView
            }
            let parts = try Multipart.parse(bytes, boundary: boundary)
            return try await self.withTimeLimit(cancellation) { try await handle(parts, cancellation) }
        }, onInboundClosed: {
            queue.withdraw(cancellation, reason: "the client went away")
        })
    }

    /// Bytes of an over-large upload read and discarded before the 413, so the client, still
    /// sending, receives the answer instead of a reset connection; beyond it the connection closes.
    static let drainLimit = 256_000_000

    /// Reads and discards a refused body (up to `drainLimit`).
    func drain(_ body: RequestBody, declared: Int) async throws {
        guard declared <= Self.drainLimit else { return }
        for try await _ in body {}
    }

    func tooLarge(_ length: Int?) -> APIError {
        APIError(413, "too_large", "upload too large: \(length.map { "\($0) bytes" } ?? "the body") exceeds the server's limit of "
            + "\(settings.maxUploadBytes) bytes (--max-upload)")
    }

    static let timeLimitReason = "time limit"

    func withTimeLimit(_ cancellation: Cancellation, _ work: @escaping @Sendable () async throws -> Response) async throws -> Response {
        let seconds = settings.timeoutSeconds
        let queue = self.queue
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            if !Task.isCancelled { queue.withdraw(cancellation, reason: Self.timeLimitReason) }
        }
        defer { timer.cancel() }
        do {
            return try await work()
        } catch EngineError.cancelled(let why) where why == Self.timeLimitReason {
            throw APIError(503, "time_limit", "the request took longer than the server's time limit of \(Self.seconds(seconds)) s (--timeout)")
        }
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? String(Int(s)) : String(format: "%.3g", s) }

    // MARK: - Inputs shared by stylize and compare

    /// A style as the request gives it: an upload, a name from the styles folder, or a preset.
    enum StyleInput {
        case upload(bytes: [UInt8], name: String)
        case named(StyleFolder.Entry)
        case preset(String)

        /// The style as the engine's request check sees it (only preset or not matters).
        var reference: StyleRef {
            switch self {
            case .upload(_, let name): return .file(name)
            case .named(let entry): return .file(entry.name)
            case .preset(let spec): return .preset(spec)
            }
        }
    }

    func styleInput(_ form: Form, allowPreset: Bool) throws -> StyleInput {
        let file = try form.file("style")
        let name = form.text("style_name")
        let preset = allowPreset ? form.text("preset") : nil
        let given = [file != nil, name != nil, preset != nil].filter { $0 }.count
        guard given == 1 else {
            let choices = allowPreset ? "a style file (style), a style_name from GET /v1/styles, or a preset" : "a style file (style) or a style_name from GET /v1/styles"
            throw APIError(400, given == 0 ? "missing_style" : "several_styles", given == 0 ? "give \(choices)" : "give only one of \(choices)")
        }
        if let file {
            try precheck(file.data, name: uploadName("style", file))
            return .upload(bytes: file.data, name: uploadName("style", file))
        }
        if let name {
            guard let entry = styles?.entry(named: name) else {
                throw APIError(400, "unknown_style", "unknown style '\(name.prefix(80))': not an image of the styles folder (see GET /v1/styles)")
            }
            return .named(entry)
        }
        try ModelCatalog.validatePreset(preset!)
        return .preset(preset!)
    }

    /// Before queueing: the bytes are JPEG or PNG (415), their header parses (422) and their
    /// pixel count is within the codecs' limit (413). Decoding happens in the job.
    func precheck(_ bytes: [UInt8], name: String) throws {
        do {
            let header = try ImageIO.probe(bytes: bytes, name: name)
            let limit = DecodeOptions().maxPixels
            if header.width * header.height > limit {
                throw APIError(413, "too_many_pixels", "\(name): image too large: \(header.width)x\(header.height) is more than the limit of \(limit) pixels")
            }
        } catch let e as CodecError {
            throw APIError.fromCodec(e)
        }
    }

    /// Decodes an upload or a styles-folder file (in the job).
    static func decodeStyle(_ input: StyleInput) throws -> (Image, String)? {
        switch input {
        case .upload(let bytes, let name): return (try ImageIO.decode(bytes: bytes, name: name), name)
        case .named(let entry):
            let name = "style '\(entry.name)'"
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: entry.path)) else {
                throw APIError(400, "unknown_style", "\(name) can no longer be read from the styles folder")
            }
            return (try ImageIO.decode(bytes: Array(data), name: name), name)
        case .preset: return nil
        }
    }
}
