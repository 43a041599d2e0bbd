import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// `stylize serve` as a user starts it: the binary prints its URL and what it offers, answers
/// on that port, and stops cleanly on SIGINT; bad options are usage errors.
final class ServeBinaryTests: XCTestCase {
    func testServeStartsAnswersAndStopsOnSIGINT() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("serve-bin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = try stylizeBinary()
        process.arguments = ["serve", "--port", "0", "--threads", "1", "--queue", "2",
                             "--styles", package.appendingPathComponent("Images").path,
                             "--weights", package.appendingPathComponent("Weights/default.safetensors").path]
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = root.path   // nothing from the user's cache: the Magenta weights shipped in Weights/
        env["XDG_CACHE_HOME"] = nil
        env["STYLIZE_MAGENTA_WEIGHTS"] = nil
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The first line is the URL (port 0: the one the system picked).
        var printed = Data()
        let deadline = Date().addingTimeInterval(60)
        while !String(decoding: printed, as: UTF8.self).contains("limits:"), Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += chunk
        }
        let text = String(decoding: printed, as: UTF8.self)
        let firstLine = text.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(firstLine.hasPrefix("stylize serve: http://127.0.0.1:"), text)
        XCTAssertTrue(text.contains("adain: default.safetensors"), text)
        XCTAssertTrue(text.contains("magenta: style images and presets"), text)
        XCTAssertTrue(text.contains("(6 images)"), text)
        XCTAssertTrue(text.contains("1 threads, 1 job at a time + 2 waiting"), text)
        let base = String(firstLine.dropFirst("stylize serve: ".count))

        let health = try fetch(base + "healthz")
        XCTAssertEqual(health.status, 200)
        let json = try JSONSerialization.jsonObject(with: health.body) as? [String: Any]
        XCTAssertEqual(json?["threads"] as? Int, 1)
        XCTAssertEqual(try fetch(base + "v1/styles/chelsea.jpg").body, try Data(contentsOf: package.appendingPathComponent("Images/chelsea.jpg")))

        kill(process.processIdentifier, SIGINT)
        let stopDeadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < stopDeadline { usleep(50_000) }
        XCTAssertFalse(process.isRunning, "serve must stop on SIGINT")
        XCTAssertEqual(process.terminationStatus, 0)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(log.contains("GET /healthz 200"), log)
        XCTAssertTrue(log.contains("SIGINT received: stopping"), log)
    }

    func testBadServeOptionsAreUsageErrors() throws {
        let port = try runStylize(["serve", "--port", "70000"])
        XCTAssertNotEqual(port.status, 0)
        XCTAssertTrue(port.stderr.contains("--port must be 0...65535"), port.stderr)
        let upload = try runStylize(["serve", "--max-upload", "lots"])
        XCTAssertNotEqual(upload.status, 0)
        XCTAssertTrue(upload.stderr.contains("--max-upload: 'lots' is not a size"), upload.stderr)
        let help = try runStylize(["serve", "--help"])
        for option in ["--host", "--port", "--max-upload", "--queue", "--threads", "--styles", "--max-memory", "--timeout"] {
            XCTAssertTrue(help.stdout.contains(option), "help lacks \(option)")
        }
    }

    func fetch(_ url: String) throws -> (status: Int, body: Data) {
        let done = DispatchSemaphore(value: 0)
        var result: (Int, Data)?
        var failure: (any Error)?
        URLSession.shared.dataTask(with: URL(string: url)!) { data, response, error in
            if let error { failure = error } else { result = ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()) }
            done.signal()
        }.resume()
        done.wait()
        if let failure { throw failure }
        return result!
    }
}
