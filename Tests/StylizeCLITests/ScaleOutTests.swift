import Foundation
import ImageCodecs
import XCTest
@testable import StylizeEngine
import StylizeTestSupport

/// The README's scale-out command lines (Slurm array, Kubernetes Indexed Job, GNU parallel),
/// read from README.md and run locally with the index variables each scheduler sets, one task
/// after the other, each in its own folder (so the test sees what each task wrote): together
/// they write every (content, style) pair exactly once. The command lines are the README's
/// unchanged; `STYLIZE_WEIGHTS` points them at tiny random weights, and the `stylize` they find
/// on PATH is a wrapper that appends `--content-size 0 --style-size 0` (the pictures keep their
/// 20x16 and 16x16 pixels instead of being enlarged to the default 512: which pairs each task
/// writes is what this test checks, not how large they are).
final class ScaleOutTests: XCTestCase {
    var readme = ""
    var root = ""
    var bin = ""
    var data = ""
    var expected: [String] = []
    var weights = ""

    override func setUpWithError() throws {
        readme = try String(contentsOfFile: packageRoot + "/README.md", encoding: .utf8)
        root = try makeTemporaryFolder(self)
        // `stylize` on PATH, as on the cluster's machines (the wrapper above).
        bin = root + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\nexec '\(try stylizeBinary().path)' \"$@\" --content-size 0 --style-size 0\n"
            .write(toFile: bin + "/stylize", atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(bin + "/stylize", 0o755), 0)
        // 5 photos x 4 styles = 20 pairs, so with 16 shards some tasks get two pairs and some one.
        weights = root + "/tiny.safetensors"
        try TinyModels.vgg(to: weights)
        data = root + "/data"
        let photos = try Pictures.write(into: data + "/photos", count: 5, width: 20, height: 16, seed: 11)
        let styles = try Pictures.write(into: data + "/styles", count: 4, prefix: "s", width: 16, height: 16, seed: 12)
        expected = photos.flatMap { p in styles.map { s in TransferRequest.defaultOutputName(content: p, styles: [s]) } }.sorted()
        XCTAssertEqual(Set(expected).count, 20)
    }

    /// The first capture group of `pattern` in the README.
    func fromReadme(_ pattern: String) throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        let range = NSRange(readme.startIndex..., in: readme)
        let match = try XCTUnwrap(regex.firstMatch(in: readme, range: range), "README.md has no line matching \(pattern)")
        return String(readme[Range(match.range(at: 1), in: readme)!])
    }

    /// Runs `command` once per task with `variables(task)`, each in a folder of its own that
    /// sees the shared photos and styles, and returns what each task wrote to `stylized/`.
    func runTasks(_ name: String, command: String, tasks: [[String: String]]) throws -> [[String]] {
        try tasks.enumerated().map { k, variables in
            let work = root + "/\(name)-\(k)"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            for folder in ["photos", "styles"] {
                try FileManager.default.createSymbolicLink(atPath: work + "/" + folder, withDestinationPath: data + "/" + folder)
            }
            let r = try runProgram("/bin/sh", ["-c", command], in: work,
                                   environment: variables.merging(["PATH": bin + ":/usr/bin:/bin", "STYLIZE_WEIGHTS": weights]) { $1 })
            XCTAssertEqual(r.status, 0, "\(name) task \(variables): \(r.stderr)\(r.stdout)")
            return regularFiles(under: work + "/stylized")
        }
    }

    func checkEveryPairOnce(_ written: [[String]], _ name: String) {
        let all = written.flatMap { $0 }
        XCTAssertEqual(all.sorted(), expected, "\(name): every pair exactly once")
        XCTAssertTrue(written.allSatisfy { !$0.isEmpty }, "\(name): every task had work (\(written.map(\.count)))")
    }

    func testSlurmArray() throws {
        let range = try fromReadme(#"sbatch --array=(\d+-\d+) --wrap"#).split(separator: "-").compactMap { Int($0) }
        let command = try fromReadme(#"sbatch --array=\d+-\d+ --wrap '([^']+)'"#)
        XCTAssertTrue(command.contains("--shard $SLURM_ARRAY_TASK_ID/\(range[1])"), command)
        let written = try runTasks("slurm", command: command,
                                   tasks: (range[0]...range[1]).map { ["SLURM_ARRAY_TASK_ID": String($0)] })
        checkEveryPairOnce(written, "Slurm")
    }

    func testKubernetesIndexedJob() throws {
        let completions = try XCTUnwrap(Int(try fromReadme(#"completionMode: Indexed\s+completions: (\d+)"#)))
        let command = try fromReadme(#"command: \["sh", "-c", "([^"]+)"\]"#)
        XCTAssertTrue(command.contains("--shard $((JOB_COMPLETION_INDEX+1))/\(completions)"), command)
        let written = try runTasks("k8s", command: command,
                                   tasks: (0..<completions).map { ["JOB_COMPLETION_INDEX": String($0)] })
        checkEveryPairOnce(written, "Kubernetes")
    }

    func testGNUParallel() throws {
        // parallel -jJ TEMPLATE ::: ARGS: one run of TEMPLATE per argument, {} replaced by it.
        let template = try fromReadme(#"parallel -j\d+ (stylize batch [^\n]*?) ::: "#)
        let arguments = try fromReadme(#"parallel -j\d+ stylize batch [^\n]*? ::: ([^\n]+)"#).split(separator: " ").map(String.init)
        var written: [[String]] = []
        for (k, argument) in arguments.enumerated() {
            written += try runTasks("parallel\(k)", command: template.replacingOccurrences(of: "{}", with: argument), tasks: [[:]])
        }
        checkEveryPairOnce(written, "GNU parallel")
    }
}
