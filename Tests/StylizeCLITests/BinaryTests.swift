import Foundation
import ImageCodecs
import XCTest
import StylizeTestSupport

/// Real runs of the built `stylize` executable (Foundation.Process): exit statuses,
/// JSON on standard output, signals, the comparison grid and help texts.
final class BinaryTests: XCTestCase {
    var root = ""
    var weights = ""

    override func setUpWithError() throws {
        root = try makeTemporaryFolder(self)
        weights = root + "/tiny.safetensors"
        try TinyModels.vgg(to: weights)
    }

    func stylize(_ arguments: [String], whileRunning: (RunningProcess) throws -> Void = { _ in }) throws -> ProcessRun {
        try runStylize(arguments, whileRunning: whileRunning)
    }

    func batchArguments(content: String, style: String, out: String) -> [String] {
        ["batch", "--content", content, "--style", style, "-o", out, "--weights", weights,
         "--content-size", "32", "--style-size", "32"]
    }

    func testBatchWithACorruptFileExitsNonZeroWithJSONAndReason() throws {
        let content = root + "/content", out = root + "/out"
        try Pictures.write(into: content, count: 2)
        _ = FileManager.default.createFile(atPath: content + "/broken.jpg", contents: Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2]))
        let style = try Pictures.write(into: root + "/s", count: 1, prefix: "s", seed: 50)[0]
        let run = try stylize(batchArguments(content: content, style: style, out: out) + ["--json", "--threads", "2"])
        XCTAssertEqual(run.status, 1, run.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["counts"] as? [String: Int], ["ok": 2, "failed": 1, "skipped": 0, "interrupted": 0])
        XCTAssertTrue(run.stderr.contains("broken.jpg"), run.stderr)
        XCTAssertTrue(run.stderr.contains("failures:"), run.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(),
                       ["c0_stylized_s0.png", "c1_stylized_s0.jpg"])

        // Rerun: the two outputs are skipped, the broken file fails again.
        let again = try stylize(batchArguments(content: content, style: style, out: out) + ["--json"])
        XCTAssertEqual(again.status, 1)
        let json2 = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json2["counts"] as? [String: Int], ["ok": 0, "failed": 1, "skipped": 2, "interrupted": 0])
    }

    /// SIGINT (or SIGTERM) during a batch: exit 130 (143), only whole outputs, no temporary
    /// files; rerunning completes the batch.
    func interrupt(with sig: Int32, expecting status: Int32) throws {
        let content = root + "/content", out = root + "/out"
        // Large enough that a batch outlasts the wait for its first output (about 0.1 s an
        // image at 1 thread; at 64x48 the whole batch once finished before the signal came).
        let count = 32
        try Pictures.write(into: content, count: count, width: 256, height: 192)
        let style = try Pictures.write(into: root + "/s", count: 1, prefix: "s", seed: 50)[0]
        let run = try stylize(batchArguments(content: content, style: style, out: out) + ["--threads", "1"]) { batch in
            // Wait for the first output, then signal.
            batch.wait(seconds: 60) {
                !((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).filter({ !$0.hasPrefix(".") }).isEmpty
            }
            batch.signal(sig)
        }
        XCTAssertEqual(run.status, status)
        XCTAssertFalse(run.signalled, "the signal is handled, not fatal")
        let written = try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix(".") }
        XCTAssertGreaterThanOrEqual(written.count, 1)
        XCTAssertLessThan(written.count, count, "the batch should have been stopped early")
        XCTAssertEqual(temporaryFiles(under: out), [])
        for name in written { XCTAssertNoThrow(try ImageIO.decode(file: out + "/" + name), name) }

        let resumed = try stylize(batchArguments(content: content, style: style, out: out) + ["--json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["counts"] as? [String: Int],
                       ["ok": count - written.count, "failed": 0, "skipped": written.count, "interrupted": 0])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix(".") }.count, count)
    }

    func testSIGINTStopsCleanlyAndTheBatchResumes() throws { try interrupt(with: SIGINT, expecting: 130) }

    func testSIGTERMStopsCleanly() throws { try interrupt(with: SIGTERM, expecting: 143) }

    /// SIGKILL at seeded random moments: whatever is in OUTDIR is whole (every visible file
    /// decodes), leftovers are only hidden temporary files, and rerunning completes the batch
    /// with byte-identical results to an uninterrupted run.
    func testSIGKILLAtRandomMomentsLeavesOnlyWholeOutputs() throws {
        let content = root + "/content", out = root + "/out", reference = root + "/reference"
        let count = 30
        try Pictures.write(into: content, count: count, width: 128, height: 96)
        func arguments(_ folder: String) -> [String] {
            ["batch", "--content", content, "--style", style, "-o", folder, "--weights", weights,
             "--content-size", "96", "--style-size", "32", "--threads", "1"]
        }
        let style = try Pictures.write(into: root + "/s", count: 1, prefix: "s", seed: 60)[0]
        var rng = SeededRandom(seed: 0x5EED)
        var killedMidBatch = 0
        for round in 0..<4 {
            // Kill once a seeded random number of further outputs exist, plus 0-20 ms, so the
            // kill lands at varied points of decoding, stylizing and writing.
            let further = rng.int(1...4), pause = rng.int(0...19_999)
            let run = try stylize(arguments(out)) { batch in
                let target = min(count - 1, existing(out) + further)
                batch.wait(seconds: 60, interval: 0.001) { existing(out) >= target }
                usleep(UInt32(pause))
                batch.signal(SIGKILL)
            }
            XCTAssertTrue(run.signalled || run.status == 0, "killed, or finished before the kill: \(run.status)")
            let visible = try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix(".") }
            for name in visible { XCTAssertNoThrow(try ImageIO.decode(file: out + "/" + name), "round \(round): \(name)") }
            if visible.count < count { killedMidBatch += 1 }
        }
        XCTAssertGreaterThanOrEqual(killedMidBatch, 2, "the kills should land before the batch ends")
        let resumed = try stylize(arguments(out))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try stylize(arguments(reference)).status, 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: reference).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertEqual(names.count, count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix(".") }.sorted(), names)
        for name in names {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/" + name)),
                           try Data(contentsOf: URL(fileURLWithPath: reference + "/" + name)), name)
        }
    }

    /// Visible (non-temporary) files in `folder`.
    func existing(_ folder: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.count
    }

    func testCompareWritesGridTableAndReport() throws {
        let content = root + "/content.png", style = root + "/style.jpg"
        try ImageIO.write(Pictures.blocks(width: 40, height: 32, seed: 3), to: content)
        try ImageIO.write(Pictures.blocks(width: 48, height: 48, seed: 77), to: style)
        let run = try stylize(["compare", content, style, "-o", root + "/grid.png", "--norms", "instance,batch,layer,group",
                               "--groups", "4,8", "--weights", weights, "--content-size", "32", "--style-size", "32",
                               "--contrast-sweep", "--report", root + "/table.md"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let grid = try ImageIO.decode(file: root + "/grid.png")
        // 11 columns (content, style, 5 norms with the moments match, WCT, WCT (G=4), WCT (G=8), EFDM; WCT-BN
        // skipped: the tiny weights store no population covariance) of 40 px + gaps; 5 rows of caption 21 + tile 32 + gap.
        XCTAssertEqual([grid.width, grid.height], [6 + 11 * 46, 6 + 5 * 59])
        for name in ["AdaIN", "AdaBN", "AdaLN", "AdaGN (G=4)", "AdaGN (G=8)", "WCT ", "WCT (G=4)", "WCT (G=8)", "EFDM",
                     "contrast x0.5", "brightness +0.2", "skipped WCT-BN: the batch-norm covariance match whitens with a population covariance"] {
            XCTAssertTrue(run.stdout.contains(name), name)
        }
        let md = try String(contentsOfFile: root + "/table.md", encoding: .utf8)
        XCTAssertTrue(md.contains("| AdaGN (G=8) | "))

        let bad = try stylize(["compare", content, style, "-o", root + "/g.png", "--weights", weights, "--report", root + "/t.txt"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--report"), bad.stderr)
    }

    func testHelpAndOptionErrors() throws {
        let help = try stylize(["batch", "--help"])
        XCTAssertEqual(help.status, 0)
        for option in ["--content", "--style", "--recursive", "--overwrite", "--shard", "--json", "--threads"] {
            XCTAssertTrue(help.stdout.contains(option), option)
        }
        let compareHelp = try stylize(["compare", "--help"])
        for option in ["--norms", "--groups", "--contrast-sweep", "--report"] {
            XCTAssertTrue(compareHelp.stdout.contains(option), option)
        }
        let badShard = try stylize(["batch", "--content", root, "--style", root, "-o", root + "/o", "--shard", "4/3"])
        XCTAssertNotEqual(badShard.status, 0)
        XCTAssertTrue(badShard.stderr.contains("--shard"), badShard.stderr)
    }
}
