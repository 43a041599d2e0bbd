import Foundation
import StyleBatch
import StylizeEngine
import StylizeCLISupport
import XCTest

/// What the progress reporter writes on a terminal (bar) and elsewhere (log lines).
final class BatchProgressTests: XCTestCase {
    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private var parts: [String] = []
        func append(_ s: String) { lock.lock(); parts.append(s); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return parts.joined() }
    }

    func results() -> [BatchItemResult] {
        [BatchItemResult(input: "in/a.jpg", style: "s.png", output: "out/a_stylized_s.jpg", status: .ok, seconds: 0.5),
         BatchItemResult(input: "in/b.jpg", style: "s.png", output: "out/b_stylized_s.jpg", status: .failed,
                         error: "in/b.jpg: invalid JPEG", seconds: 0.1)]
    }

    func testBarShowsCountsRateETAAndCurrentFile() {
        let sink = Sink()
        let progress = BatchProgress(style: .bar, write: { sink.append($0) })
        progress.begin(total: 4, alreadyDone: 1)
        for r in results() { progress.finished(r) }
        progress.end()
        let text = sink.text
        XCTAssertTrue(text.contains("\r\u{1B}[2K["), "redrawn in place")
        XCTAssertTrue(text.contains("] 3/4 "), text)
        XCTAssertTrue(text.contains(" img/s"), text)
        XCTAssertTrue(text.contains("ETA "), text)
        XCTAssertTrue(text.contains("a.jpg"), text)
        XCTAssertTrue(text.contains("failed: in/b.jpg + s.png: in/b.jpg: invalid JPEG\n"), text)
        XCTAssertTrue(text.hasSuffix("\n"))
    }

    func testLinesWhenNotATerminal() {
        let sink = Sink()
        let progress = BatchProgress(style: .lines, write: { sink.append($0) })
        progress.begin(total: 2, alreadyDone: 0)
        for r in results() { progress.finished(r) }
        progress.end()
        XCTAssertEqual(sink.text, """
            batch: 2 pairs, 2 to run
            [1/2] ok out/a_stylized_s.jpg (0.50 s)
            [2/2] FAILED in/b.jpg + s.png: in/b.jpg: invalid JPEG (0.10 s)

            """)
    }

    func testClock() {
        XCTAssertEqual(BatchProgress.clock(65), "1:05")
        XCTAssertEqual(BatchProgress.clock(3725), "1:02:05")
    }
}

/// The cache folder follows the XDG Base Directory variables.
final class CacheFolderTests: XCTestCase {
    func testXDGCacheHomeThenHome() {
        XCTAssertEqual(CacheFolder.path(environment: ["HOME": "/h", "XDG_CACHE_HOME": "/x"]), "/x/stylize")
        XCTAssertEqual(CacheFolder.path(environment: ["HOME": "/h", "XDG_CACHE_HOME": ""]), "/h/.cache/stylize")
        XCTAssertEqual(CacheFolder.path(environment: ["HOME": "/h"]), "/h/.cache/stylize")
    }
}
