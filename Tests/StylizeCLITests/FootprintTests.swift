import Foundation
import StyleModels
import StylizeEngine
import StyleWeights
import XCTest

/// The memory each shipped network reports covers what it was measured to use.
///
/// Measured by `Benchmarks/memory.sh` (peak RSS of untiled whole-process runs at 1, 2 and
/// 4 megapixels; bytes per pixel = slope of peak RSS over pixels), on the machine and build
/// recorded in BENCHMARKS.md. The budget's estimate per frame pixel is
/// 4 * floatsPerPixel + 12 (`MemoryBudget.untiledPeak`).
final class FootprintTests: XCTestCase {
    static let weights = EngineBudgetTests.weights

    /// Bytes per pixel measured by `Benchmarks/memory.sh` (2026-12-06, release build, 2 threads;
    /// the upsampling convolutions read their input at the low resolution, without an
    /// upsampled or padded copy: default 694 -> 375, Magenta 143 -> 107; then the default
    /// model's output conv reads its padding in place: 375 -> 257; the same with --precision bf16).
    static let measured = ["default": 257, "magenta-arbitrary": 107]

    func testShippedNetworksCoverTheirMeasuredBytesPerPixel() throws {
        let adain = try AdaINLoader.load(path: Self.weights + "/default.safetensors")
        guard case .arbitrary(let magenta) = try MagentaModel.load(path: Self.weights + "/magenta-arbitrary.safetensors") else {
            return XCTFail("not the arbitrary network")
        }
        for (name, footprint) in [("default", adain.footprint), ("magenta-arbitrary", magenta.transformer.footprint)] {
            let estimate = MemoryBudget.bytesPerFramePixel(footprint)
            XCTAssertGreaterThanOrEqual(estimate, Self.measured[name]!, name)
            XCTAssertLessThan(estimate, Self.measured[name]! * 13 / 10, "\(name): the estimate should stay close to the measurement")
        }
        // The weights are counted with their packed copies: more than 4 bytes per parameter.
        let file = try SafeTensorsFile(path: Self.weights + "/default.safetensors")
        let parameters: Int = file.names.filter { !$0.hasPrefix("stats.") }.map { (file.info($0)?.shape ?? []).reduce(1, *) }.reduce(0, +)
        XCTAssertGreaterThan(adain.footprint.weightBytes, 4 * parameters)
    }
}
