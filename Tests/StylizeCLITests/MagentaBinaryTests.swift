import Foundation
import ImageCodecs
import StyleWeights
import XCTest
@testable import StylizeEngine
import StylizeTestSupport

/// The built binary with the Magenta weights shipped in `Weights/`: `--model magenta` and
/// `--preset` work with an empty HOME, no XDG variables and no cache (as on a fresh clone with
/// no network), and `weights fetch magenta` checks what it re-derives against the shipped files.
final class MagentaBinaryTests: XCTestCase {
    static let shippedFolder = packageRoot + "/Weights"

    /// HOME is an empty folder; every XDG_* variable and the weights variables are unset.
    func emptyHomeEnvironment(_ root: String) throws -> (set: [String: String], unset: [String]) {
        let home = root + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let unset = ProcessInfo.processInfo.environment.keys.filter { $0.hasPrefix("XDG_") }
            + ["STYLIZE_MAGENTA_WEIGHTS", "STYLIZE_WEIGHTS"]
        return (["HOME": home], unset)
    }

    /// The same transfer in this process, with the shipped file named explicitly.
    func expected(_ request: TransferRequest, weights: String) throws -> Image {
        let session = try TransferSession(family: .magenta, weights: Self.shippedFolder + "/" + weights)
        _ = try session.run(request)
        return try ImageIO.decode(file: request.output!)
    }

    func testModelMagentaAndPreset19RunWithAnEmptyHomeFromTheShippedWeights() throws {
        let root = try makeTemporaryFolder(self)
        let work = root + "/work"   // not the package root: the binary finds Weights/ from its own location
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let env = try emptyHomeEnvironment(root)
        let content = packageRoot + "/Images/chelsea.jpg", style = packageRoot + "/Images/autumn.jpg"
        var options = TransferOptions()
        options.contentSize = 96

        let arbitrary = try runStylize([content, style, "--model", "magenta", "--content-size", "96", "-o", "magenta.png"],
                                       in: work, environment: env.set, unsetting: env.unset)
        XCTAssertEqual(arbitrary.status, 0, arbitrary.stderr)
        XCTAssertTrue(arbitrary.stdout.contains("wrote magenta.png (144x96)"), arbitrary.stdout)
        let a = try ImageIO.decode(file: work + "/magenta.png")
        XCTAssertEqual(a.rgb, try expected(TransferRequest(content: content, styles: [style], output: root + "/a.png", options: options),
                                           weights: WeightsLocator.magentaArbitraryFile).rgb)

        let preset = try runStylize([content, "--preset", "19", "--content-size", "96", "-o", "preset19.png"],
                                    in: work, environment: env.set, unsetting: env.unset)
        XCTAssertEqual(preset.status, 0, preset.stderr)
        XCTAssertTrue(preset.stdout.contains("wrote preset19.png (144x96)"), preset.stdout)
        let p = try ImageIO.decode(file: work + "/preset19.png")
        XCTAssertEqual(p.rgb, try expected(TransferRequest(content: content, styles: [], preset: "19", output: root + "/p.png",
                                                           options: options),
                                           weights: WeightsLocator.magentaMultistyleFile).rgb)
        XCTAssertNotEqual(a.rgb, p.rgb)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/home"), [], "nothing was written to HOME")
    }

    /// A 768x384 Magenta transfer at --max-memory 88M stays within it: the style predictor's
    /// weights, loaded with the network and held for the run, are counted in the plan, which
    /// then sweeps in bands. Before they were counted the run went untiled (estimated 81 MB)
    /// and peaked at 92.5 MB.
    func testMagentaTransferCountsItsNetworksInTheBudget() throws {
        let root = try makeTemporaryFolder(self)
        try ImageIO.write(Pictures.blocks(width: 768, height: 384, seed: 61), to: root + "/content.png")
        let run = try runStylize([root + "/content.png", packageRoot + "/Images/autumn.jpg", "--model", "magenta",
                                  "--weights", Self.shippedFolder, "--content-size", "0", "--max-memory", "88M",
                                  "--json", "-o", root + "/out.png", "--threads", "2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let peak = try XCTUnwrap(report["peak_memory_bytes"] as? Int)
        XCTAssertGreaterThan(peak, 40_000_000)
        XCTAssertLessThanOrEqual(peak, 88_000_000, "peak \(peak) bytes")
        XCTAssertEqual((report["plan"] as? [String: Any])?["tiled"] as? Bool, true)
    }

    func testMissingMagentaWeightsNameTheFolderGiven() throws {
        let root = try makeTemporaryFolder(self)
        let run = try runStylize([packageRoot + "/Images/chelsea.jpg", "--preset", "19", "--weights", root, "-o", root + "/x.png"],
                                 in: root)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("\(root) (from --weights): neither a weights file nor a folder holding "
                                          + "magenta-multistyle26.safetensors"), run.stderr)
    }

    // MARK: weights fetch magenta, with a stand-in for the Python converter

    /// A folder `work` whose `Weights/` holds small "shipped" files, a stand-in converter
    /// (given as --python) that records its arguments and copies the files of `converted` into
    /// its -o folder, and those converted files (equal to the shipped ones unless changed).
    struct FetchSetup {
        let root: String, work: String, converted: String, fakePython: String
        let tensors: [String: [String: WeightTensor]]
    }

    func makeFetchSetup() throws -> FetchSetup {
        let root = try makeTemporaryFolder(self)
        let work = root + "/work", converted = root + "/converted"
        for dir in [work + "/Weights", converted, root + "/onnx"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let tensors: [String: [String: WeightTensor]] = [
            WeightsLocator.magentaArbitraryFile: [
                "predictor.Conv.weight": WeightTensor(shape: [2, 3], values: [0.5, -1, 2, 0.25, 3, -0.125]),
                "transformer.expand.conv3.norm.eps": WeightTensor(shape: [1], values: [1e-5]),
            ],
            WeightsLocator.magentaMultistyleFile: [
                "transformer.contract.0.weight": WeightTensor(shape: [4], values: [1, 2, 3, 4]),
            ],
        ]
        for (name, t) in tensors {
            try SafeTensorsWriter.write(tensors: t, metadata: ["source": "shipped"], dtype: .f16, to: work + "/Weights/" + name)
            try SafeTensorsWriter.write(tensors: t, metadata: ["source": "re-derived"], dtype: .f16, to: converted + "/" + name)
        }
        let fakePython = root + "/fake-python"
        let script = """
            #!/bin/sh
            # Stands in for `python3 convert_magenta.py ARGS`: records ARGS, copies the prepared files to the -o folder.
            out=""; prev=""
            for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
            mkdir -p "$out" && echo "$@" > "\(root)/converter-args" && cp "\(converted)"/*.safetensors "$out"/
            """
        try script.write(toFile: fakePython, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fakePython)
        return FetchSetup(root: root, work: work, converted: converted, fakePython: fakePython, tensors: tensors)
    }

    func fetch(_ s: FetchSetup, output: String) throws -> ProcessRun {
        try runStylize(["weights", "fetch", "magenta", "--onnx-dir", s.root + "/onnx", "--python", s.fakePython, "-o", output],
                       in: s.work)
    }

    func testFetchReportsTheShippedTensorsReproduced() throws {
        let s = try makeFetchSetup()
        let run = try fetch(s, output: s.root + "/out")
        XCTAssertEqual(run.status, 0, run.stderr)
        let args = try String(contentsOfFile: s.root + "/converter-args", encoding: .utf8)
        XCTAssertTrue(args.hasSuffix("convert_magenta.py --onnx-dir \(s.root)/onnx -o \(s.root)/out\n"), args)
        XCTAssertTrue(run.stdout.contains("\(s.root)/out/magenta-arbitrary.safetensors: reproduces the shipped "
                                          + "\(s.work)/Weights/magenta-arbitrary.safetensors: all 2 tensors bit-identical"), run.stdout)
        XCTAssertTrue(run.stdout.contains("magenta-multistyle26.safetensors: all 1 tensors bit-identical"), run.stdout)
    }

    func testFetchFailsAndNamesEveryDifference() throws {
        let s = try makeFetchSetup()
        var changed = s.tensors[WeightsLocator.magentaMultistyleFile]!
        changed["transformer.contract.0.weight"]!.values[2] = 3.5
        changed["transformer.extra"] = WeightTensor(shape: [1], values: [0])
        try SafeTensorsWriter.write(tensors: changed, dtype: .f16, to: s.converted + "/" + WeightsLocator.magentaMultistyleFile)
        let run = try fetch(s, output: s.root + "/out")
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stdout.contains("magenta-arbitrary.safetensors: all 2 tensors bit-identical"), run.stdout)
        XCTAssertTrue(run.stderr.contains("\(s.root)/out/magenta-multistyle26.safetensors differs from the shipped "
                                          + "\(s.work)/Weights/magenta-multistyle26.safetensors in 2 tensor(s)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("transformer.contract.0.weight: 1 of 4 values differ, max |diff| 0.5 at index 2 "
                                          + "(3.5, the reference has 3.0)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("transformer.extra: not in the reference"), run.stderr)
    }

    func testFetchRefusesToWriteOverTheShippedFiles() throws {
        let s = try makeFetchSetup()
        let before = try Data(contentsOf: URL(fileURLWithPath: s.work + "/Weights/" + WeightsLocator.magentaMultistyleFile))
        let run = try fetch(s, output: "Weights")
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("holds the shipped"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.root + "/converter-args"), "the converter did not run")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: s.work + "/Weights/" + WeightsLocator.magentaMultistyleFile)), before)
    }
}
