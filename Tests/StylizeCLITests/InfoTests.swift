import Foundation
import ImageCodecs
import XCTest
import StylizeTestSupport

/// `stylize info [--json]` and `stylize CONTENT STYLE --json` through the built binary, with an
/// empty HOME, from a working directory outside the package.
final class InfoTests: XCTestCase {
    var root = ""
    var env: (set: [String: String], unset: [String]) = ([:], [])

    override func setUpWithError() throws {
        root = try makeTemporaryFolder(self)
        env = try freshCloneEnvironment(root)
    }

    func run(_ arguments: [String], extra: [String: String] = [:]) throws -> ProcessRun {
        try runStylize(arguments, in: root, environment: env.set.merging(extra) { $1 }, unsetting: env.unset)
    }

    func object(_ run: ProcessRun) throws -> [String: Any] {
        XCTAssertEqual(run.status, 0, run.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: run.output) as? [String: Any], run.stdout)
    }

    func testInfoJSONSaysWhereEachModelsWeightsWereFound() throws {
        let info = try object(try run(["info", "--json"]))
        XCTAssertFalse((info["version"] as? String ?? "").isEmpty)
        let kernels = try XCTUnwrap(info["kernels"] as? [String: Any])
        XCTAssertTrue(["avx512f", "avx2+fma", "generic"].contains(kernels["name"] as? String ?? ""), "\(kernels)")
        let cores = try XCTUnwrap(info["cores"] as? Int)
        XCTAssertEqual(info["threads"] as? Int, cores, "all cores by default")
        XCTAssertEqual(info["executable"] as? String,
                       try stylizeBinary().resolvingSymlinksInPath().path, "the program's own path, not argv[0]")
        let weights = try XCTUnwrap(info["weights"] as? [String: [String: Any]])
        let expected = ["adain": "default.safetensors", "magenta_arbitrary": "magenta-arbitrary.safetensors",
                        "magenta_multistyle": "magenta-multistyle26.safetensors"]
        XCTAssertEqual(Set(weights.keys), Set(expected.keys))
        for (key, file) in expected {
            let w = try XCTUnwrap(weights[key])
            XCTAssertEqual(w["found"] as? Bool, true, "\(key): \(w)")
            XCTAssertEqual(w["path"] as? String, packageRoot + "/Weights/" + file)
            XCTAssertEqual(w["source"] as? String, "Weights/ of the executable's package")
            XCTAssertEqual(w["bytes"] as? Int,
                           try FileManager.default.attributesOfItem(atPath: packageRoot + "/Weights/" + file)[.size] as? Int)
        }
        let cache = try XCTUnwrap(info["cache_folder"] as? [String: Any])
        XCTAssertEqual(cache["path"] as? String, env.set["HOME"]! + "/.cache/stylize")
        XCTAssertEqual(cache["exists"] as? Bool, false)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/home"), [], "info writes nothing")
    }

    func testInfoSaysWhyWeightsAreNotFoundAndFollowsXDG() throws {
        let info = try object(try run(["info", "--json"], extra: ["STYLIZE_MAGENTA_WEIGHTS": root + "/nowhere",
                                                                  "XDG_CACHE_HOME": root + "/xdg"]))
        let weights = try XCTUnwrap(info["weights"] as? [String: [String: Any]])
        XCTAssertEqual(weights["adain"]?["found"] as? Bool, true)
        for key in ["magenta_arbitrary", "magenta_multistyle"] {
            XCTAssertEqual(weights[key]?["found"] as? Bool, false)
            let reason = weights[key]?["reason"] as? String ?? ""
            XCTAssertTrue(reason.contains("\(root)/nowhere (from STYLIZE_MAGENTA_WEIGHTS)"), reason)
        }
        XCTAssertEqual((info["cache_folder"] as? [String: Any])?["path"] as? String, root + "/xdg/stylize")

        let text = try run(["info"], extra: ["STYLIZE_WEIGHTS": root + "/missing.safetensors"])
        XCTAssertEqual(text.status, 0, text.stderr)
        for line in ["stylize ", "kernels:", "threads:", "default model (AdaIN):", "Magenta arbitrary:",
                     "Magenta multistyle (presets):", "cache folder:", "not found:", root + "/missing.safetensors"] {
            XCTAssertTrue(text.stdout.contains(line), "'\(line)' in:\n\(text.stdout)")
        }
    }

    func testTransferJSONReportsTheRun() throws {
        let photo = packageRoot + "/Images/coffee.jpg", style = packageRoot + "/Images/autumn.jpg"
        let plain = try object(try run([photo, style, "-o", "a.jpg", "--content-size", "64", "--json"]))
        XCTAssertEqual(plain["output"] as? String, "a.jpg")
        XCTAssertEqual(plain["size"] as? [Int], [96, 64])
        XCTAssertEqual(plain["model"] as? String, "adain")
        XCTAssertEqual(plain["match"] as? String, "moments")
        XCTAssertEqual(plain["weights"] as? [String], [packageRoot + "/Weights/default.safetensors"])
        XCTAssertEqual(plain["styles"] as? [String], [style])
        XCTAssertTrue(plain["preset"] is NSNull)
        let peak = try XCTUnwrap(plain["peak_memory_bytes"] as? Int)
        XCTAssertGreaterThan(peak, 10_000_000)
        XCTAssertLessThan(peak, try XCTUnwrap(plain["max_memory_bytes"] as? Int))
        XCTAssertGreaterThan(try XCTUnwrap(plain["seconds"] as? Double), 0)
        let plan = try XCTUnwrap(plain["plan"] as? [String: Any])
        XCTAssertEqual(plan["pieces"] as? Int, 1)
        XCTAssertEqual(plan["tiled"] as? Bool, false)
        XCTAssertEqual(try ImageIO.decode(file: root + "/a.jpg").width, 96)
        let wct = try object(try run([photo, style, "-o", "w.jpg", "--content-size", "64", "--match", "covariance", "--json"]))
        XCTAssertEqual(wct["match"] as? String, "covariance")

        // A preset in bands under a small budget: the plan says so, and only the multistyle
        // network was loaded.
        let banded = try object(try run([photo, "--preset", "19", "-o", "b.png", "--content-size", "400",
                                         "--max-memory", "120M", "--json"]))
        XCTAssertEqual(banded["model"] as? String, "magenta")
        XCTAssertEqual(banded["preset"] as? String, "19")
        XCTAssertEqual(banded["weights"] as? [String], [packageRoot + "/Weights/magenta-multistyle26.safetensors"])
        let bands = try XCTUnwrap(banded["plan"] as? [String: Any])
        XCTAssertEqual(bands["unit"] as? String, "bands")
        XCTAssertEqual(bands["tiled"] as? Bool, true)
        XCTAssertGreaterThan(try XCTUnwrap(bands["pieces"] as? Int), 1)
        XCTAssertLessThan(try XCTUnwrap(banded["peak_memory_bytes"] as? Int), 120_000_000, "the budget held")
    }
}
