import Foundation
import ImageCodecs
import StylizeEngine
import StyleBatch
import StyleNN
import XCTest
import StylizeTestSupport

/// End-to-end batch runs through the library with tiny seeded weights and generated images.
final class BatchTests: XCTestCase {
    var root = ""
    var weights = ""

    override func setUpWithError() throws {
        root = try makeTemporaryFolder(self)
        weights = root + "/tiny.safetensors"
        try TinyModels.vgg(to: weights)
    }

    override func tearDown() { ThreadBudget.threads = ProcessInfo.processInfo.activeProcessorCount }

    func options(size: Int = 32) -> BatchOptions {
        var o = BatchOptions()
        o.transfer.contentSize = size
        o.transfer.styleSize = size
        return o
    }

    func runBatch(content: String, styles: [String], out: String, threads: Int = 2, overwrite: Bool = false,
                  shard: BatchShard? = nil, match: StatisticMatch? = nil, afterItem: (@Sendable (Int) -> Void)? = nil,
                  cancellation: Cancellation = .init()) throws -> BatchSummary {
        ThreadBudget.threads = threads
        let plan = try BatchPlan.make(contentFolder: content, styles: styles, outputFolder: out, recursive: true)
        var o = options()
        o.overwrite = overwrite
        o.transfer.match = match
        let runner = BatchRunner(engine: try StyleEngine(weights: weights), options: o, outputFolder: out,
                                 cancellation: cancellation)
        runner.afterItem = afterItem
        return try runner.run(shard?.select(plan.items) ?? plan.items, shard: shard, skippedFiles: plan.skippedFiles)
    }

    func testCorruptFileIsReportedAndTheOthersAreWritten() throws {
        let content = root + "/content", out = root + "/out"
        try Pictures.write(into: content, count: 3)
        try Pictures.write(into: root + "/styles", count: 1, prefix: "s", seed: 50)
        var corrupt = try ImageIO.encode(Pictures.blocks(width: 40, height: 32, seed: 9), as: .jpeg, name: "x")
        corrupt = Array(corrupt.prefix(corrupt.count / 3))          // truncated JPEG: real header, missing data
        _ = FileManager.default.createFile(atPath: content + "/broken.jpg", contents: Data(corrupt))
        _ = FileManager.default.createFile(atPath: content + "/notes.txt", contents: Data("not an image".utf8))

        let summary = try runBatch(content: content, styles: [root + "/styles/s0.png"], out: out)
        XCTAssertEqual(summary.counts, ["ok": 3, "failed": 1, "skipped": 0, "interrupted": 0])
        let failed = try XCTUnwrap(summary.failed.first)
        XCTAssertEqual(failed.input, content + "/broken.jpg")
        XCTAssertTrue(failed.error?.contains("broken.jpg") ?? false, failed.error ?? "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/broken_stylized_s0.jpg"))
        XCTAssertEqual(summary.skippedFiles.map(\.path), [content + "/notes.txt"])
        for i in 0..<3 {
            let output = out + "/c\(i)_stylized_s0.\(i % 2 == 0 ? "png" : "jpg")"
            let image = try ImageIO.decode(file: output)
            XCTAssertEqual([image.width, image.height], [40, 32])   // shorter side 32 keeps 40x32
        }
        XCTAssertEqual(temporaryFiles(under: out), [])
        XCTAssertTrue(summary.text().contains("broken.jpg"))
    }

    func testInterruptedBatchResumesAndMatchesAnUninterruptedRun() throws {
        let content = root + "/content", out = root + "/out"
        try Pictures.write(into: content, count: 6)
        let style = try Pictures.write(into: root + "/styles", count: 1, prefix: "s", seed: 50)[0]

        // Stop after the second pair: the pipeline finishes what it is writing, runs nothing new.
        let cancellation = Cancellation()
        let first = try runBatch(content: content, styles: [style], out: out,
                                 afterItem: { n in if n == 2 { cancellation.cancel() } }, cancellation: cancellation)
        let written = first.items.filter { $0.status == .ok }
        XCTAssertGreaterThanOrEqual(written.count, 2)
        XCTAssertLessThan(written.count, 6)
        XCTAssertEqual(first.counts["interrupted"], 6 - written.count)
        for item in first.items {
            XCTAssertEqual(FileManager.default.fileExists(atPath: item.output), item.status == .ok, item.output)
        }
        XCTAssertEqual(temporaryFiles(under: out), [])

        // A temporary file left by a killed run (other pid) must not count as an output.
        let missing = try XCTUnwrap(first.items.first { $0.status == .interrupted })
        let stale = out + "/." + (missing.output as NSString).lastPathComponent + ".stylize-tmp-999999"
        _ = FileManager.default.createFile(atPath: stale, contents: Data([0xFF, 0xD8, 0xFF, 0x00]))
        let before = try written.map { try Data(contentsOf: URL(fileURLWithPath: $0.output)) }

        let second = try runBatch(content: content, styles: [style], out: out, threads: 1)
        XCTAssertEqual(second.counts["skipped"], written.count)
        XCTAssertEqual(second.counts["ok"], 6 - written.count)
        XCTAssertEqual(second.counts["failed"], 0)
        XCTAssertEqual(Set(second.items.filter { $0.status == .skipped }.map(\.output)), Set(written.map(\.output)))
        XCTAssertEqual(try written.map { try Data(contentsOf: URL(fileURLWithPath: $0.output)) }, before)
        XCTAssertTrue(FileManager.default.fileExists(atPath: stale))   // ignored, not taken for an output

        // The resumed folder equals a fresh single-threaded run byte for byte (thread-count independence).
        let fresh = root + "/fresh"
        let full = try runBatch(content: content, styles: [style], out: fresh, threads: 1)
        XCTAssertEqual(full.counts["ok"], 6)
        for item in full.items {
            let resumed = out + "/" + (item.output as NSString).lastPathComponent
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: item.output)),
                           try Data(contentsOf: URL(fileURLWithPath: resumed)), item.output)
        }

        // --overwrite runs everything again.
        let third = try runBatch(content: content, styles: [style], out: out, overwrite: true)
        XCTAssertEqual(third.counts["ok"], 6)
    }

    func testShardsCoverEveryPairExactlyOnce() throws {
        let content = root + "/content", out = root + "/out"
        try Pictures.write(into: content, count: 4)
        try Pictures.write(into: content + "/sub", count: 1, prefix: "d", seed: 20)
        try Pictures.write(into: root + "/styles", count: 2, prefix: "s", seed: 50)
        let plan = try BatchPlan.make(contentFolder: content, styles: [root + "/styles"], outputFolder: out, recursive: true)
        XCTAssertEqual(plan.items.count, 10)
        // Sorted by relative content path, then style.
        XCTAssertEqual(plan.items.map(\.contentRelative), ["c0.png", "c0.png", "c1.jpg", "c1.jpg", "c2.png", "c2.png",
                                                           "c3.jpg", "c3.jpg", "sub/d0.png", "sub/d0.png"])
        XCTAssertEqual(plan.items[9].output, out + "/sub/d0_stylized_s1.png")

        var seen: [String] = []
        var okCount = 0
        for k in 1...3 {
            let shard = try BatchShard(index: k, count: 3)
            XCTAssertEqual(shard.select(plan.items).map(\.output),
                           plan.items.enumerated().filter { $0.offset % 3 == k - 1 }.map(\.element.output))
            let summary = try runBatch(content: content, styles: [root + "/styles"], out: out, shard: shard)
            XCTAssertEqual(summary.shard, "\(k)/3")
            seen += summary.items.map(\.output)
            okCount += summary.counts["ok"]!
        }
        XCTAssertEqual(seen.count, 10)
        XCTAssertEqual(Set(seen), Set(plan.items.map(\.output)))
        XCTAssertEqual(okCount, 10)   // each pair written by exactly one shard
        for item in plan.items { XCTAssertTrue(FileManager.default.fileExists(atPath: item.output)) }
    }

    func testCollidingOutputsAndMissingStyles() throws {
        let content = root + "/content", out = root + "/out"
        try Pictures.write(into: content, count: 1)
        try ImageIO.write(Pictures.blocks(width: 40, height: 32, seed: 5), to: content + "/c0.PNG")
        let style = try Pictures.write(into: root + "/styles", count: 1, prefix: "s", seed: 50)[0]
        XCTAssertThrowsError(try BatchPlan.make(contentFolder: content, styles: [root + "/nope.png"], outputFolder: out,
                                                recursive: false)) { XCTAssertTrue("\($0)".contains("nope.png")) }
        let summary = try runBatch(content: content, styles: [style], out: out)
        // c0.PNG and c0.png both map to c0_stylized_s0.png: the first (sorted) is written, the second refused.
        XCTAssertEqual(summary.items.map(\.status), [.ok, .failed])
        XCTAssertEqual(summary.items[0].input, content + "/c0.PNG")
        XCTAssertTrue(summary.items[1].error?.contains("two pairs would write") ?? false, summary.items[1].error ?? "")
    }

    func testUnusableOutputFolderFailsEveryPairWithTheReason() throws {
        let content = root + "/content"
        try Pictures.write(into: content, count: 2)
        let style = try Pictures.write(into: root + "/styles", count: 1, prefix: "s", seed: 50)[0]
        _ = FileManager.default.createFile(atPath: root + "/file", contents: Data("x".utf8))
        let summary = try runBatch(content: content, styles: [style], out: root + "/file/out")
        XCTAssertEqual(summary.counts["failed"], 2)
        for item in summary.items { XCTAssertTrue(item.error?.contains("/file exists and is not a folder") ?? false, item.error ?? "") }
    }

    func testShardParsing() throws {
        XCTAssertEqual(try BatchShard(parsing: "2/5"), try BatchShard(index: 2, count: 5))
        for bad in ["0/3", "4/3", "1/0", "a/b", "3", "1/2/3", ""] {
            XCTAssertThrowsError(try BatchShard(parsing: bad), bad)
        }
    }

    func testOutputsNeverEscapeTheFolderNorReplaceAnInput() throws {
        XCTAssertThrowsError(try BatchPlan.make(contentFolder: root, styles: [], outputFolder: root, recursive: false))
        let content = root + "/content", out = root + "/out"
        let pictures = try Pictures.write(into: content, count: 1)
        let style = try Pictures.write(into: root + "/styles", count: 1, prefix: "s", seed: 50)[0]
        // The output folder inside the content folder is never walked.
        try FileManager.default.createDirectory(atPath: content + "/out", withIntermediateDirectories: true)
        try Pictures.write(into: content + "/out", count: 1, prefix: "old")
        let nested = try BatchPlan.make(contentFolder: content, styles: [style], outputFolder: content + "/out", recursive: true)
        XCTAssertEqual(nested.items.map(\.contentRelative), ["c0.png"])
        try FileManager.default.removeItem(atPath: content + "/out")

        // An output name that is a link to the content image is refused, even with --overwrite.
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: out + "/c0_stylized_s0.png", withDestinationPath: pictures[0])
        let original = try Data(contentsOf: URL(fileURLWithPath: pictures[0]))
        let summary = try runBatch(content: content, styles: [style], out: out, overwrite: true)
        XCTAssertEqual(summary.counts["failed"], 1)
        XCTAssertTrue(summary.items[0].error?.contains("overwrite") ?? false, summary.items[0].error ?? "")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: pictures[0])), original)

        // A mirrored subfolder that is a link out of the output folder is refused at write time.
        let elsewhere = root + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try Pictures.write(into: content + "/sub", count: 1, prefix: "d")
        try FileManager.default.createSymbolicLink(atPath: out + "/sub", withDestinationPath: elsewhere)
        let escaped = try runBatch(content: content, styles: [style], out: out)
        let subItem = try XCTUnwrap(escaped.items.first { $0.input.hasSuffix("sub/d0.png") })
        XCTAssertEqual(subItem.status, .failed)
        XCTAssertTrue(subItem.error?.contains("leaves the output folder") ?? false, subItem.error ?? "")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere), [])
    }

    /// The statistic match reaches every item: each PNG output of a covariance batch is the
    /// engine's covariance transfer of that content, and not the moments one.
    func testStatisticMatchReachesEveryItem() throws {
        let content = root + "/content", out = root + "/out"
        try Pictures.write(into: content, count: 3)
        let style = try Pictures.write(into: root + "/styles", count: 1, prefix: "s", seed: 50)[0]
        let summary = try runBatch(content: content, styles: [style], out: out, match: .covariance)
        XCTAssertEqual(summary.counts["ok"], 3)
        let engine = try StyleEngine(weights: weights)
        var o = options().transfer
        for i in [0, 2] {   // the PNG outputs (c1 is a JPEG)
            let image = try StyleEngine.loadContent(content + "/c\(i).png", options: o)
            o.match = .covariance
            let expected = try engine.stylize(image, styles: [.file(style)], options: o)
            o.match = nil
            let moments = try engine.stylize(image, styles: [.file(style)], options: o)
            let written = try ImageIO.decode(file: out + "/c\(i)_stylized_s0.png")
            XCTAssertEqual(written.rgb, expected.rgb, "c\(i)")
            XCTAssertNotEqual(written.rgb, moments.rgb, "c\(i)")
        }
    }

    func testSummaryJSONStructure() throws {
        let content = root + "/content", out = root + "/out"
        try Pictures.write(into: content, count: 2)
        _ = FileManager.default.createFile(atPath: content + "/bad.png", contents: Data("garbage".utf8))
        let style = try Pictures.write(into: root + "/styles", count: 1, prefix: "s", seed: 50)[0]
        let summary = try runBatch(content: content, styles: [style], out: out, shard: try BatchShard(index: 1, count: 1))
        let object = try JSONSerialization.jsonObject(with: Data(try summary.json().utf8)) as? [String: Any]
        let json = try XCTUnwrap(object)
        XCTAssertEqual(Set(json.keys), ["shard", "threads", "seconds", "images_per_minute", "stopped_by", "counts",
                                        "items", "skipped_files", "peak_memory_bytes"])
        XCTAssertEqual(json["shard"] as? String, "1/1")
        XCTAssertTrue(json["stopped_by"] is NSNull)
        let items = try XCTUnwrap(json["items"] as? [[String: Any]])
        XCTAssertEqual(items.count, 3)
        for item in items {
            XCTAssertEqual(Set(item.keys), ["input", "style", "output", "status", "error", "seconds"])
        }
        XCTAssertEqual(items.map { $0["status"] as? String }, ["failed", "ok", "ok"])   // bad.png sorts first
        XCTAssertTrue((items[0]["error"] as? String)?.contains("bad.png") ?? false)
        XCTAssertTrue(items[1]["error"] is NSNull)
        XCTAssertEqual(try JSONDecoder().decode(BatchSummary.self, from: Data(try summary.json().utf8)), summary)
    }
}
