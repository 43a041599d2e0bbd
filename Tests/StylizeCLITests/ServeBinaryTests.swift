import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import StylizeTestSupport

/// `stylize serve` as a user starts it: the binary prints its URL and what it offers, answers
/// on that port, and stops cleanly on SIGINT; bad options are usage errors.
final class ServeBinaryTests: XCTestCase {
    func testServeStartsAnswersAndStopsOnSIGINT() throws {
        let root = try makeTemporaryFolder(self, prefix: "serve-bin")
        var stopped = false
        let run = try runStylize(["serve", "--port", "0", "--threads", "1", "--queue", "2", "--styles", packageRoot + "/Images",
                                  "--weights", packageRoot + "/Weights/default.safetensors"],
                                 // Nothing from the user's cache: the Magenta weights shipped in Weights/.
                                 environment: ["HOME": root], unsetting: ["XDG_CACHE_HOME", "STYLIZE_MAGENTA_WEIGHTS"],
                                 timeout: 120) { server in
            // The first line is the URL (port 0: the one the system picked).
            server.wait(seconds: 60) { String(decoding: server.outputSoFar, as: UTF8.self).contains("limits:") }
            let printed = String(decoding: server.outputSoFar, as: UTF8.self)
            let firstLine = printed.split(separator: "\n").first.map(String.init) ?? ""
            XCTAssertTrue(firstLine.hasPrefix("stylize serve: http://127.0.0.1:"), printed)
            XCTAssertTrue(printed.contains("adain: default.safetensors"), printed)
            XCTAssertTrue(printed.contains("magenta: style images and presets"), printed)
            XCTAssertTrue(printed.contains("(6 images)"), printed)
            XCTAssertTrue(printed.contains("1 threads, 1 job at a time + 2 waiting"), printed)
            let base = String(firstLine.dropFirst("stylize serve: ".count))

            let health = try fetch(base + "healthz")
            XCTAssertEqual(health.status, 200)
            let json = try JSONSerialization.jsonObject(with: health.body) as? [String: Any]
            XCTAssertEqual(json?["threads"] as? Int, 1)
            XCTAssertEqual(try fetch(base + "v1/styles/chelsea.jpg").body, try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/Images/chelsea.jpg")))

            server.signal(SIGINT)
            stopped = server.waitForExit(seconds: 30)
        }
        XCTAssertTrue(stopped, "serve must stop on SIGINT")
        XCTAssertEqual(run.status, 0)
        XCTAssertFalse(run.signalled)
        XCTAssertTrue(run.stderr.contains("GET /healthz 200"), run.stderr)
        XCTAssertTrue(run.stderr.contains("SIGINT received: stopping"), run.stderr)
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
        // written by the callback before `done` is signalled, read after the wait
        nonisolated(unsafe) var result: (Int, Data)?
        nonisolated(unsafe) var failure: (any Error)?
        URLSession.shared.dataTask(with: URL(string: url)!) { data, response, error in
            if let error { failure = error } else { result = ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()) }
            done.signal()
        }.resume()
        done.wait()
        if let failure { throw failure }
        return result!
    }
}
