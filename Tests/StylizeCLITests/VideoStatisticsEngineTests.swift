import ImageCodecs
import StyleNN
import StylizeEngine
import XCTest
@testable import StyleVideo
import StylizeTestSupport

/// The statistics schedules of `stylize video` through the real engine (tiny seeded networks of
/// both families): identities that must hold exactly.
final class VideoStatisticsEngineTests: XCTestCase {
    var root = ""
    override func setUpWithError() throws { root = try makeTemporaryFolder(self) }

    func adain() throws -> StyleEngine {
        try TinyModels.vgg(to: root + "/tiny.safetensors")
        return try StyleEngine(family: .adain, weights: root + "/tiny.safetensors")
    }

    func magenta() throws -> StyleEngine {
        let path = packageRoot + "/Tests/StyleModelsTests/MagentaReference/tiny-arbitrary.safetensors"
        return try StyleEngine(family: .magenta, weights: path)
    }

    let style = StyleRef.image(Pictures.blocks(width: 48, height: 40, seed: 99), name: "style")
    let frameA = Pictures.blocks(width: 40, height: 32, seed: 1)
    let frameB = Pictures.blocks(width: 40, height: 32, seed: 2)

    func options(_ norm: NormKind) -> TransferOptions {
        var o = TransferOptions()
        o.norm = norm
        o.contentSize = 0
        o.styleSize = 0
        return o
    }

    /// For every norm and both families: a clip of one frame, and a running average with
    /// momentum 1, give exactly the frame's own result; for instance norm that is also what
    /// an image gets.
    func testSchedulesReduceToTheFrameExactly() throws {
        for (engine, norms) in [(try adain(), [NormKind.instance, .batch, .layer, .group(groups: 4)]),
                                (try magenta(), [NormKind.instance, .batch, .layer, .group(groups: 4)])] {
            for norm in norms {
                let o = options(norm)
                let frame = try engine.stylize(frameA, styles: [style], options: o, statistics: StatisticsSchedule(mode: .frame).policy())
                var clip = ClipStatistics()
                try clip.add(engine.contentStatistics(frameA, styles: [style], options: o))
                let one = try engine.stylize(frameA, styles: [style], options: o,
                                             statistics: StatisticsSchedule(mode: .clip, clip: clip).policy())
                XCTAssertTrue(one == frame, "\(engine.family) \(norm): clip of one frame")
                let running = StatisticsSchedule(mode: .running(momentum: 1))
                _ = try engine.stylize(frameB, styles: [style], options: o, statistics: running.policy())
                XCTAssertTrue(try engine.stylize(frameA, styles: [style], options: o, statistics: running.policy()) == frame,
                              "\(engine.family) \(norm): momentum 1")
                if norm == .instance {
                    XCTAssertTrue(try engine.stylize(frameA, styles: [style], options: o) == frame, "\(engine.family): image path")
                }
            }
        }
    }

    /// With one frame, batch statistics (over N = 1, H, W) are instance statistics: AdaBN with
    /// the frame's own statistics is AdaIN. (Batch norm differs only once frames are pooled.)
    func testBatchOfOneFrameIsInstance() throws {
        let engine = try adain()
        let instance = try engine.stylize(frameA, styles: [style], options: options(.instance),
                                          statistics: StatisticsSchedule(mode: .frame).policy())
        let batch = try engine.stylize(frameA, styles: [style], options: options(.batch),
                                       statistics: StatisticsSchedule(mode: .frame).policy())
        XCTAssertTrue(batch == instance, "AdaBN of one frame differs from AdaIN")
    }

    /// Clip statistics over two different frames are not either frame's, change the result, and
    /// running statistics after frame B differ from frame B's own by the formula's weight.
    func testPooledStatisticsChangeTheResult() throws {
        for engine in [try adain(), try magenta()] {
            let o = options(.instance)
            var clip = ClipStatistics()
            let a = try engine.contentStatistics(frameA, styles: [style], options: o)
            let b = try engine.contentStatistics(frameB, styles: [style], options: o)
            try clip.add(a); try clip.add(b)
            XCTAssertEqual(clip.sites.count, engine.family == .adain ? 1 : a.count)
            XCTAssertNotEqual(clip.sites[0], a[0])
            let pooledStats = try XCTUnwrap(clip.sites[0].moments), am = try XCTUnwrap(a[0].moments), bm = try XCTUnwrap(b[0].moments)
            for c in 0..<pooledStats.mean.count {
                XCTAssertEqual(pooledStats.mean[c], (am.mean[c] + bm.mean[c]) / 2, accuracy: 1e-9)
            }
            let pooled = try engine.stylize(frameA, styles: [style], options: o, statistics: clip.policy)
            let own = try engine.stylize(frameA, styles: [style], options: o)
            // (The tiny Magenta network's output is nearly flat, so only the AdaIN output is compared.)
            if engine.family == .adain { XCTAssertTrue(pooled != own, "clip statistics did not change the result") }
            XCTAssertTrue(try engine.stylize(frameA, styles: [style], options: o, statistics: clip.policy) == pooled)

            let running = RunningStatistics(momentum: 0.25)
            _ = try engine.stylize(frameA, styles: [style], options: o, statistics: running.policy())
            _ = try engine.stylize(frameB, styles: [style], options: o, statistics: running.policy())
            // The first site sees the raw content, so its state is exactly the formula.
            let r = try XCTUnwrap(running.current[0]?.moments)
            for c in 0..<r.mean.count {
                XCTAssertEqual(r.mean[c], 0.75 * am.mean[c] + 0.25 * bm.mean[c], accuracy: 1e-9)
                XCTAssertEqual(r.variance[c], 0.75 * am.variance[c] + 0.25 * bm.variance[c], accuracy: 1e-9)
            }
        }
    }
}
