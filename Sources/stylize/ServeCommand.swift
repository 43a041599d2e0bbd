import ArgumentParser
import Dispatch
import Foundation
import StylizeEngine
import StylizeCLISupport
import StyleServer

/// `stylize serve`: the local web app and HTTP API (the server itself is the StyleServer module).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a local web app for stylizing and comparing the normalizations, and its JSON API.",
        discussion: """
        Open the printed URL in a browser; /live opens the live view (the browser's camera, stylized as you move; its controls also as query parameters, e.g. /live?style_name=autumn.jpg&norm=layer&size=360). The API (POST /v1/stylize, POST /v1/compare, the live view's WebSocket GET /v1/live, GET /v1/models, GET /v1/styles, GET /healthz) is described at /openapi.yaml. One job runs at a time on all --threads; up to --queue more wait, further requests get 429 with Retry-After. Ctrl-C stops gracefully (a second Ctrl-C at once).

        Examples:
          stylize serve                                   http://127.0.0.1:8080/, styles from Images/
          stylize serve --port 9000 --styles ~/paintings --max-upload 50M --timeout 300
        """)

    @Option(help: "Address to bind (default loopback only; 0.0.0.0 exposes the server to the network).")
    var host: String = "127.0.0.1"

    @Option(help: "TCP port (0: any free port).")
    var port: Int = 8080

    @Option(name: .customLong("max-upload"), help: "Largest request body (e.g. 25M); larger uploads get 413.")
    var maxUpload: String = "25M"

    @Option(help: "Jobs allowed to wait behind the running one; more get 429 with Retry-After.")
    var queue: Int = 4

    @Option(help: "Per-request time limit in seconds (queue wait included); then 503.")
    var timeout: Double = 120

    @Option(help: "Folder of style images offered by name. Default: Images/ of the package (or <prefix>/share/stylize/Images).")
    var styles: String?

    @Option(name: .customLong("max-memory"), help: "Memory budget of the whole server (e.g. 1.5G, 800M): each job gets it minus the uploads the server may hold (3 x (queue + 2) x --max-upload) and about 60 MB; larger images are tiled to stay within that.")
    var maxMemory: String = "1.5G"

    @Option(help: "AdaIN weights file (safetensors). Default: $STYLIZE_WEIGHTS, else the model shipped in Weights/.")
    var weights: String?

    @Option(name: .customLong("magenta-weights"), help: "Magenta weights file or folder. Default: $STYLIZE_MAGENTA_WEIGHTS, else ~/.cache/stylize.")
    var magentaWeights: String?

    @Option(name: .customLong("live-clients"), help: "Live view connections at once (0 turns the live view off); each takes about 17 MB of --max-memory.")
    var liveClients: Int = 4

    @Option(name: .customLong("live-idle"), help: "Seconds a live connection may send nothing before it is closed.")
    var liveIdle: Double = 30

    @Option(help: "Threads to use (default: all cores).")
    var threads: Int?

    @Option(help: precisionHelp)
    var precision: Precision = .f32

    @Flag(name: .shortAndLong, help: "Print only the URL (no line per request).")
    var quiet = false

    func run() throws {
        try CommandLineErrors.checked { try ThreadBudget.set(threads) }
        var settings = ServerSettings()
        settings.host = host
        settings.port = port
        settings.queueCapacity = queue
        settings.timeoutSeconds = timeout
        settings.liveClients = liveClients
        settings.liveIdleSeconds = liveIdle
        settings.maxMemoryBytes = try parseMemory(maxMemory)
        try CommandLineErrors.checked { settings.maxUploadBytes = try MemoryBudget.parse(maxUpload, option: .maxUpload) }
        settings.stylesFolder = styles ?? StyleFolder.defaultPath()
        settings.adainWeights = weights
        settings.magentaWeights = magentaWeights
        settings.precision = precision
        if !quiet { settings.accessLog = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) } }
        let server: StyleServer
        do { server = try StyleServer(settings: settings) } catch { throw CommandLineErrors.usage(error) }

        let cancellation = Cancellation()
        let trap = SignalTrap(cancellation: cancellation, temporaries: TemporaryFiles()) { sig in
            FileHandle.standardError.write(Data("\(SignalTrap.name(sig)) received: stopping (again to stop at once)\n".utf8))
            Task { await server.stop() }
        }
        defer { trap.uninstall() }
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        let host = self.host
        Task {
            do {
                try await server.run { port in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    // written unbuffered: a script reading the address from a pipe sees it at once
                    let lines = ["stylize serve: http://\(shown):\(port)/"] + server.summary.map { "  " + $0 }
                    FileHandle.standardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
                }
            } catch {
                failure.set(error)
            }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw ValidationError("cannot serve on \(host):\(port): \(error)") }
    }
}

/// The error that ended the server task, handed to the main thread.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _error: (any Error)?
    func set(_ e: any Error) { lock.lock(); _error = e; lock.unlock() }
    var error: (any Error)? { lock.lock(); defer { lock.unlock() }; return _error }
}
