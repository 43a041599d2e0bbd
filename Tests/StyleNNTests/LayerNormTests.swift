import XCTest
import StyleTensor
@testable import StyleNN

final class LayerNormTests: XCTestCase {
    /// Without affine: nn.LayerNorm([C,H,W], elementwise_affine=False). With per-channel
    /// affine: nn.GroupNorm(1, C), and nn.LayerNorm whose elementwise weight/bias are
    /// constant over H and W.
    func testMatchesPyTorch() throws {
        let g = try Golden.load("layernorm")
        let channels = (g["channels"] as! NSNumber).intValue
        let x = Golden.tensor(g["input"])
        let plain = try LayerNorm(channels: channels, affine: false)
        reportDeviation("LayerNorm no affine vs nn.LayerNorm([C,H,W])", maxDeviation(plain(x), Golden.tensor(g["layernorm_no_affine"])), limit: 1e-5)
        var affine = try LayerNorm(channels: channels)
        try affine.setAffine(gamma: Golden.floats(g["gamma"]), beta: Golden.floats(g["beta"]))
        reportDeviation("LayerNorm per-channel affine vs nn.GroupNorm(1,C)", maxDeviation(affine(x), Golden.tensor(g["groupnorm_1"])), limit: 1e-5)
        reportDeviation("LayerNorm per-channel affine vs nn.LayerNorm broadcast affine", maxDeviation(affine(x), Golden.tensor(g["layernorm_channel_affine"])), limit: 1e-5)
    }

    /// One mean and variance per sample over C, H, W.
    func testAgainstNaiveFormula() throws {
        var rng = SeededRandom(state: 2)
        let x = rng.tensor(Shape(n: 3, h: 4, w: 2, c: 5), scale: 2, shift: -1)
        let y = try LayerNorm(channels: 5, eps: 1e-3, affine: false)(x)
        for n in 0..<3 {
            let m = naiveMoments(x) { nn, _, _, _ in nn == n }
            for yy in 0..<4 { for xx in 0..<2 { for c in 0..<5 {
                XCTAssertEqual(Double(y[n, yy, xx, c]), (Double(x[n, yy, xx, c]) - m.mean) / (m.variance + 1e-3).squareRoot(), accuracy: 1e-5)
            } } }
        }
    }
}
