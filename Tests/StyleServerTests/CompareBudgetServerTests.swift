import Foundation
import ImageCodecs
import StyleKernels
import StylizeEngine
import XCTest
@testable import StyleServer
import StylizeTestSupport

/// `POST /v1/compare` within the server's memory budget, as `stylize compare` within
/// `--max-memory` (`CompareBudgetTests`): the engine's networks loaded before the process's
/// memory is measured, and a job that cannot fit refused up front with 413 `over_budget`
/// naming the budget; the cache of outputs between requests bounded and kept outside each
/// job's budget. Uses the weights shipped in Weights/.
final class CompareBudgetServerTests: XCTestCase {
    typealias F = TestServer

    /// At --max-memory 120M a job gets a quarter (30 MB, less than the program's own memory):
    /// the comparison is refused before anything runs, 413 with the budget named. Before the
    /// server's compare measured and checked its memory, the runner's refusal came back as
    /// 400 bad_option naming "max_memory", a field no request has.
    func testCompareOverTheBudgetIsRefusedWithTheBudgetNamed() async throws {
        let s = try await TestServer { $0.maxMemoryBytes = 120_000_000 }
        XCTAssertEqual(s.server.settings.jobMemoryBytes, 30_000_000)
        let answer = try s.client.post("/v1/compare", parts: [
            F.file("content", try Fixtures.png(Pictures.blocks(width: 72, height: 56, seed: 3)), filename: "c.png"),
            F.field("style_name", "waves.png"), F.field("content_size", "56"), F.field("style_size", "48")])
        XCTAssertEqual(answer.status, 413, answer.text)
        XCTAssertEqual(answer.errorCode, "over_budget", answer.text)
        let message = try XCTUnwrap(answer.errorMessage)
        XCTAssertTrue(message.contains("--max-memory") && message.contains("30 MB"), message)
        try await s.stop()
    }

    /// A compare of each family at a budget that holds it: the process's peak resident
    /// memory while the request runs (`VmHWM`, reset before it) stays within what the job may
    /// add: its budget beyond the program's own memory, over what the process held before or
    /// the server's reserve (`maxMemoryBytes - jobMemoryBytes`), whichever is larger.
    func testCompareWithinTheBudgetStaysWithinIt() async throws {
        let s = try await TestServer {
            $0.maxMemoryBytes = 260_000_000
            $0.maxUploadBytes = 1_000_000
            $0.queueCapacity = 0
            $0.liveClients = 0
            $0.magentaWeights = packageRoot + "/Weights"
        }
        let settings = s.server.settings
        let reserved = settings.maxMemoryBytes - settings.jobMemoryBytes
        let content = try Fixtures.png(Pictures.blocks(width: 400, height: 300, seed: 7))
        for model in ["adain", "magenta"] {
            MemoryPolicy.releaseFreedMemory()
            let before = ProcessMemory.residentBytes
            try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)   // resets VmHWM
            let answer = try s.client.post("/v1/compare", parts: [
                F.file("content", content, filename: "c.png"), F.field("style_name", "blocks.jpg"), F.field("model", model),
                F.field("content_size", "300"), F.field("style_size", "64"), F.field("contrast", "1.5")])
            let peak = ProcessMemory.peakResidentBytes
            XCTAssertEqual(answer.status, 200, "\(model): \(answer.text.prefix(300))")
            XCTAssertGreaterThan((answer.json["variants"] as? [Any])?.count ?? 0, 3, model)
            let allowed = max(before - MemoryBudget.processOverhead, reserved) + settings.jobMemoryBytes
            XCTAssertLessThanOrEqual(peak, allowed, "\(model): peak \(peak), before \(before), job budget \(settings.jobMemoryBytes)")
        }
        XCTAssertLessThanOrEqual(s.server.baselines.bytes, settings.baselineCacheBytes)
        try await s.stop()
    }

    /// The cache keeps at most `capacityBytes` of pixels, dropping the oldest runs, and does
    /// not keep a run larger than that.
    func testBaselineCacheIsBoundedInBytes() {
        let image = Pictures.blocks(width: 100, height: 100, seed: 1)   // 30,000 bytes
        let cache = BaselineCache(capacity: 4, capacityBytes: 100_000)
        cache.put("a", ["instance": image])
        cache.put("b", ["instance": image, "batch": image])
        XCTAssertEqual(cache.bytes, 90_000)
        cache.put("c", ["instance": image])
        XCTAssertNil(cache.get("a"), "the oldest run is dropped to stay within the bytes")
        XCTAssertNotNil(cache.get("b"))
        XCTAssertEqual(cache.bytes, 90_000)
        cache.put("d", ["1": image, "2": image, "3": image, "4": image])
        XCTAssertNil(cache.get("d"), "a run over the capacity is not kept")
        XCTAssertEqual(cache.bytes, 90_000)

    }
}
