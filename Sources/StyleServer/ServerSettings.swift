import Foundation
import StylizeEngine

/// How `stylize serve` runs (its command-line options).
public struct ServerSettings: Sendable {
    /// Address to bind; loopback by default, so nothing outside the machine can reach it.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (reported through `StyleServer.run(onRunning:)`).
    public var port = 8080
    /// Largest request body accepted (bytes); a larger upload is answered 413 unread.
    public var maxUploadBytes = 25_000_000
    /// Jobs allowed to wait behind the running one; one more is answered 429 with Retry-After.
    public var queueCapacity = 4
    /// Per-request time limit in seconds, from the moment the upload has arrived, queue
    /// wait included; a job still running then stops at its next check (503 time_limit).
    public var timeoutSeconds: Double = 120
    /// Folder of style images offered by name (nil: none).
    public var stylesFolder: String?
    /// Memory budget of the whole server process (`--max-memory`); each job runs within
    /// `jobMemoryBytes`, what is left after the uploads the server may hold at once.
    public var maxMemoryBytes = MemoryBudget.defaultBytes
    /// AdaIN weights file (nil: `WeightsLocator`'s default model).
    public var adainWeights: String?
    /// Magenta weights file or folder (nil: `WeightsLocator.magenta`'s places).
    public var magentaWeights: String?
    /// The arithmetic of every job's and live frame's networks (`--precision`); distances in
    /// the compare view are measured at float32 whatever it is.
    public var precision: Precision = .f32
    /// Largest `content_size` / `style_size` a request may ask for (shorter side, pixels);
    /// 0 ("keep the size") is allowed too and stays within the codecs' pixel limit and the budget.
    public var maxSide = 4096
    /// The environment the weights locators read (STYLIZE_WEIGHTS, STYLIZE_MAGENTA_WEIGHTS,
    /// HOME, XDG_CACHE_HOME).
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// Live view connections (`/v1/live`) open at once; one more is told the limit and closed.
    /// 0 turns the live view off.
    public var liveClients = 4
    /// Largest live frame, in pixels (854 x 480: 480p at 16:9, the largest size the page offers).
    public var liveMaxPixels = 854 * 480
    /// A live connection that sends nothing (no frame, no control) for this long is closed.
    public var liveIdleSeconds: Double = 30
    /// Largest style image a live client may upload over its connection (bytes).
    public var liveStyleBytes = 4_000_000
    /// Called with one line per answered request ("POST /v1/stylize 200 0.41 s"); nil: silent.
    public var accessLog: (@Sendable (String) -> Void)?

    public init() {}

    /// Memory the server needs besides the running job: its idle footprint (about 50 MB
    /// measured: runtime, HTTP stack, page assets), the allocator's slack, the live clients'
    /// buffers and the request bodies it may hold at once
    /// (the running job's, the waiting ones' and one being received, `maxUploadBytes` each,
    /// up to three copies of each while a multipart body is parsed).
    /// Each live client adds `liveClientBytes`, and a tenth of the budget is kept for the
    /// allocator (`allocatorSlackBytes`).
    /// The compare view's cache of outputs on unadjusted contents (`baselineCacheBytes`) is
    /// held between jobs, so it is kept here too.
    public var serverOverheadBytes: Int {
        60_000_000 + 3 * (queueCapacity + 2) * maxUploadBytes + liveClients * liveClientBytes + allocatorSlackBytes
            + baselineCacheBytes
    }

    /// The most the compare view's cache of outputs on unadjusted contents may hold (8-bit
    /// pixels): a fiftieth of `maxMemoryBytes` (30 MB at the default 1.5 GB: four runs of
    /// eight variants at 512x384).
    public var baselineCacheBytes: Int { maxMemoryBytes / 50 }

    /// A tenth of `maxMemoryBytes`: glibc's malloc keeps freed blocks for reuse (the server
    /// sets it so, `MemoryPolicy`), and work of different sizes one after the other (live
    /// frames of two clients with different models between /v1 jobs) leaves holes one size
    /// cannot fill: measured 512 MB peak at --max-memory 500M without this slack (two live
    /// clients at 480p, AdaIN and Magenta, and 1024 px jobs; Benchmarks/live/run.sh).
    public var allocatorSlackBytes: Int { maxMemoryBytes / 10 }

    /// The largest message a live client may send: a frame (a 20-byte header and 4 bytes per
    /// pixel) or a style upload.
    public var liveMessageBytes: Int { max(LiveFrame.headerBytes + 4 * liveMaxPixels, LiveFrame.headerBytes + liveStyleBytes) }

    /// Memory one live client may hold besides the running job: its largest message three
    /// times (received, gathered, copied out), a frame and its stylized copy (RGBA), and its
    /// uploaded style, kept at 512 px on the shorter side and at most 1024 on the longer
    /// (`LiveSession.styleSide`).
    public var liveClientBytes: Int { 3 * liveMessageBytes + 2 * 4 * liveMaxPixels + 3 * 1024 * 512 }

    /// The budget one job's engine run gets: `maxMemoryBytes` minus `serverOverheadBytes`
    /// (at least a quarter of the budget, so a small budget with a large queue still runs).
    public var jobMemoryBytes: Int { max(maxMemoryBytes - serverOverheadBytes, maxMemoryBytes / 4) }

    /// Checks the values (`OptionError`s naming the option).
    public func validate() throws {
        guard (0...65535).contains(port) else { throw OptionError(.port, "\(option: .port) must be 0...65535, got \(port)") }
        guard maxUploadBytes > 0 else { throw OptionError(.maxUpload, "\(option: .maxUpload) must be positive") }
        guard queueCapacity >= 0 else { throw OptionError(.queue, "\(option: .queue) must be 0 or more, got \(queueCapacity)") }
        guard timeoutSeconds > 0, timeoutSeconds.isFinite else {
            throw OptionError(.timeout, "\(option: .timeout) must be a positive number of seconds")
        }
        guard maxMemoryBytes > 0 else { throw OptionError(.maxMemory, "\(option: .maxMemory) must be positive") }
        guard !host.isEmpty else { throw OptionError(.host, "\(option: .host) must not be empty") }
        guard liveClients >= 0 else { throw OptionError(.liveClients, "\(option: .liveClients) must be 0 or more, got \(liveClients)") }
        guard liveIdleSeconds > 0, liveIdleSeconds.isFinite else {
            throw OptionError(.liveIdle, "\(option: .liveIdle) must be a positive number of seconds")
        }
        guard liveMaxPixels >= 16 * 16, liveStyleBytes > 0 else {
            throw OptionError(.liveClients, "the live frame and style limits must be positive")
        }
    }

    /// Whether `host` is a loopback address (then requests must name a loopback host too,
    /// which keeps DNS-rebinding pages out).
    var bindsLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

extension OptionName {
    public static let port = OptionName(field: "port")
    public static let host = OptionName(field: "host")
    public static let maxUpload = OptionName(field: "max_upload")
    public static let queue = OptionName(field: "queue")
    public static let timeout = OptionName(field: "timeout")
    public static let liveClients = OptionName(field: "live_clients")
    public static let liveIdle = OptionName(field: "live_idle")
}
