import Foundation
import StylizeEngine
import XCTest
@testable import StyleServer

final class JobQueueTests: XCTestCase {
    /// Waits (polling) until `condition` holds.
    func eventually(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(20)
        while !condition() {
            if Date() > deadline { XCTFail("timed out: \(what)"); return }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    func testOneJobAtATimeInOrderThenFullQueueIsRefused() async throws {
        let queue = JobQueue(capacity: 2)
        let release = DispatchSemaphore(value: 0)
        let log = Log()
        let first = Task { try await queue.submit(cancellation: Cancellation()) { release.wait(); log.add("a"); return 1 } }
        try await eventually("first running") { queue.snapshot.running }
        let second = Task { try await queue.submit(cancellation: Cancellation()) { log.add("b"); return 2 } }
        try await eventually("second waiting") { queue.snapshot.waiting == 1 }
        let third = Task { try await queue.submit(cancellation: Cancellation()) { log.add("c"); return 3 } }
        try await eventually("third waiting") { queue.snapshot.waiting == 2 }
        do {
            _ = try await queue.submit(cancellation: Cancellation()) { 4 }
            XCTFail("a fourth job must be refused")
        } catch let full as JobQueue.QueueFull {
            XCTAssertGreaterThanOrEqual(full.retryAfter, 1)
        }
        XCTAssertEqual(queue.snapshot.rejected, 1)
        release.signal()
        let results = try await [first.value, second.value, third.value]
        XCTAssertEqual(results, [1, 2, 3])
        XCTAssertEqual(log.items, ["a", "b", "c"], "jobs run one at a time, in arrival order")
        XCTAssertEqual(queue.snapshot.completed, 3)
        queue.shutdown()
    }

    func testWithdrawnWaitingJobLeavesAtOnceAndNeverRuns() async throws {
        let queue = JobQueue(capacity: 1)
        let release = DispatchSemaphore(value: 0)
        let blocker = Task { try await queue.submit(cancellation: Cancellation()) { release.wait(); return 0 } }
        try await eventually("blocker running") { queue.snapshot.running }
        let cancellation = Cancellation()
        let ran = Log()
        let waiting = Task { try await queue.submit(cancellation: cancellation) { ran.add("ran"); return 1 } }
        try await eventually("job waiting") { queue.snapshot.waiting == 1 }
        queue.withdraw(cancellation, reason: "the client went away")
        do {
            _ = try await waiting.value
            XCTFail("the withdrawn job must throw")
        } catch let e as EngineError {
            XCTAssertEqual(e, .cancelled("the client went away"))
        }
        XCTAssertEqual(queue.snapshot.waiting, 0)
        XCTAssertEqual(queue.snapshot.withdrawn, 1)
        XCTAssertTrue(cancellation.isCancelled)
        release.signal()
        _ = try await blocker.value
        XCTAssertEqual(ran.items, [])
        queue.shutdown()
    }

    func testWithdrawingTheRunningJobCancelsItsControl() async throws {
        let queue = JobQueue(capacity: 0)
        let cancellation = Cancellation()
        let started = DispatchSemaphore(value: 0)
        let job = Task {
            try await queue.submit(cancellation: cancellation) { () throws -> Int in
                started.signal()
                // Like the engine between tiles: check until told to stop.
                while true { try cancellation.check(); usleep(1000) }
            }
        }
        started.wait()
        queue.withdraw(cancellation, reason: "time limit")
        do { _ = try await job.value; XCTFail("must stop") } catch let e as EngineError {
            XCTAssertEqual(e, .cancelled("time limit"))
        }
        queue.shutdown()
    }

    func testShutdownFailsWaitingJobsAndRefusesNewOnes() async throws {
        let queue = JobQueue(capacity: 3)
        let release = DispatchSemaphore(value: 0)
        let blocker = Task { try await queue.submit(cancellation: Cancellation()) { release.wait(); return 0 } }
        try await eventually("blocker running") { queue.snapshot.running }
        let waiting = Task { try await queue.submit(cancellation: Cancellation()) { 1 } }
        try await eventually("waiting") { queue.snapshot.waiting == 1 }
        queue.shutdown()
        do { _ = try await waiting.value; XCTFail("must fail") } catch let e as EngineError {
            XCTAssertEqual(e, .cancelled("the server is shutting down"))
        }
        do { _ = try await queue.submit(cancellation: Cancellation()) { 2 }; XCTFail("must refuse") } catch let e as EngineError {
            XCTAssertEqual(e, .cancelled("the server is shutting down"))
        }
        release.signal()
        _ = try await blocker.value
    }
}

final class Log: @unchecked Sendable {
    private let lock = NSLock()
    private var _items: [String] = []
    func add(_ s: String) { lock.lock(); _items.append(s); lock.unlock() }
    var items: [String] { lock.lock(); defer { lock.unlock() }; return _items }
}
