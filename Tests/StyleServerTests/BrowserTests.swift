import Foundation
import XCTest
@testable import StyleServer
import StylizeTestSupport

/// The page in a real browser: Debian's chromium and chromium-driver driven by Selenium
/// (`Tests/Browser/serve_page.py`, which says what it checks) against a server started here
/// with the default weights and the sample images. Skipped, with the reason, when chromium,
/// chromedriver or Selenium is missing, unless STYLIZE_REQUIRE_BROWSER=1 (as `.ci/run`
/// sets), which makes a missing piece a failure.
///
/// Environment: STYLIZE_CHROMIUM, STYLIZE_CHROMEDRIVER, STYLIZE_TEST_PYTHON (a Python with
/// selenium), STYLIZE_SCREENSHOTS (folder for the screenshots, e.g. `docs` to refresh the
/// README's; default a temporary folder).
final class BrowserTests: XCTestCase {
    func testPageInChromium() async throws {
        guard let tools = try Self.browserTools() else { return }
        let (chromium, driver, python, required) = tools
        let screenshots = Self.screenshotFolder()
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let s = try await TestServer { $0.stylesFolder = Fixtures.images.path }
        let script = packageRoot + "/Tests/Browser/serve_page.py"
        var arguments = [python, script, "--url", "http://127.0.0.1:\(s.port)/",
                         "--content", Fixtures.images.appendingPathComponent("chelsea.jpg").path,
                         "--style", Fixtures.images.appendingPathComponent("autumn.jpg").path,
                         "--screenshots", screenshots, "--chromium", chromium, "--chromedriver", driver]
        if required { arguments.append("--require-validator") }
        let command = arguments
        let result = await Task.detached { BrowserTests.run(command, timeout: 900) }.value
        print(result.output)
        XCTAssertEqual(result.status, 0, "browser test failed:\n\(result.output)")
        for name in ["serve-stylize.png", "serve-compare.png"] {
            let path = screenshots + "/" + name
            XCTAssertGreaterThan((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0, 10_000, "\(path) missing")
        }
        XCTAssertGreaterThanOrEqual(s.server.queueSnapshot.completed, 4, "two transfers and two comparisons ran")
        try await s.stop()
    }

    /// The live view with Chromium's fake camera (`Tests/Browser/live_view.py`, which says
    /// what it checks): frames arrive stylized, a norm switch mid-stream, a second client, a
    /// third refused until the second goes, denied camera permission. The server takes two
    /// live clients.
    func testLiveViewInChromium() async throws {
        guard let tools = try Self.browserTools() else { return }
        let (chromium, driver, python, _) = tools
        if Self.run(["ffmpeg", "-version"], timeout: 60).status != 0 {
            let message = "the live view's browser test needs ffmpeg (its fake camera clip): apt-get install ffmpeg"
            if ProcessInfo.processInfo.environment["STYLIZE_REQUIRE_BROWSER"] == "1" { return XCTFail(message) }
            throw XCTSkip(message)
        }
        let screenshots = Self.screenshotFolder()
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let s = try await TestServer { $0.stylesFolder = Fixtures.images.path; $0.liveClients = 2 }
        let command = [python, packageRoot + "/Tests/Browser/live_view.py", "--url", "http://127.0.0.1:\(s.port)/",
                       "--picture", Fixtures.images.appendingPathComponent("chelsea.jpg").path,
                       "--screenshots", screenshots, "--chromium", chromium, "--chromedriver", driver]
        let result = await Task.detached { BrowserTests.run(command, timeout: 900) }.value
        print(result.output)
        XCTAssertEqual(result.status, 0, "live view browser test failed:\n\(result.output)")
        let path = screenshots + "/serve-live.png"
        XCTAssertGreaterThan((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0, 10_000, "\(path) missing")
        XCTAssertGreaterThan(s.server.queueSnapshot.liveFrames, 10, "live frames ran on the server")
        try await s.stop()
    }

    /// chromium, chromedriver, a Python with Selenium and whether they are required; nil
    /// after a failure, a skip (thrown) when missing and not required.
    static func browserTools() throws -> (chromium: String, driver: String, python: String, required: Bool)? {
        let env = ProcessInfo.processInfo.environment
        let required = env["STYLIZE_REQUIRE_BROWSER"] == "1"
        let chromium = env["STYLIZE_CHROMIUM"] ?? "/usr/bin/chromium"
        let driver = env["STYLIZE_CHROMEDRIVER"] ?? "/usr/bin/chromedriver"
        let python = env["STYLIZE_TEST_PYTHON"] ?? "python3"
        var missing: [String] = []
        if !FileManager.default.isExecutableFile(atPath: chromium) { missing.append("chromium (\(chromium))") }
        if !FileManager.default.isExecutableFile(atPath: driver) { missing.append("chromedriver (\(driver))") }
        if run([python, "-c", "import selenium"], timeout: 60).status != 0 { missing.append("selenium for \(python)") }
        if !missing.isEmpty {
            let message = "browser test needs \(missing.joined(separator: ", ")): apt-get install chromium chromium-driver; pip install selenium"
            if required { XCTFail(message); return nil }
            throw XCTSkip(message)
        }
        return (chromium, driver, python, required)
    }

    /// STYLIZE_SCREENSHOTS relative to the package, or a temporary folder.
    static func screenshotFolder() -> String {
        ProcessInfo.processInfo.environment["STYLIZE_SCREENSHOTS"]
            .map { URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: packageRoot, isDirectory: true)).path }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("serve-screens-\(UUID().uuidString)").path
    }

    /// Runs a command (found on PATH), returns its status and output (standard output, then
    /// standard error); stopped after `timeout` seconds.
    nonisolated static func run(_ arguments: [String], timeout: Double) -> (status: Int32, output: String) {
        do {
            let r = try runProgram("/usr/bin/env", arguments, timeout: timeout)
            return (r.status, r.stdout + r.stderr + (r.timedOut ? "\n(stopped after \(timeout) s)" : ""))
        } catch {
            return (-1, "\(error)")
        }
    }
}
