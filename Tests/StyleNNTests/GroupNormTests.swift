import XCTest
import StyleTensor
@testable import StyleNN

final class GroupNormTests: XCTestCase {
    func testMatchesPyTorch() throws {
        let golden = try Golden.load("groupnorm")
        for case let c as [String: Any] in golden["cases"] as! [Any] {
            let groups = (c["groups"] as! NSNumber).intValue, channels = (c["channels"] as! NSNumber).intValue
            let eps = (c["eps"] as! NSNumber).floatValue, affine = c["affine"] as! Bool
            var layer = try GroupNorm(groups: groups, channels: channels, eps: eps, affine: affine)
            if affine { try layer.setAffine(gamma: Golden.floats(c["gamma"]), beta: Golden.floats(c["beta"])) }
            let y = layer(Golden.tensor(c["input"]))
            reportDeviation("GroupNorm G=\(groups) C=\(channels) affine=\(affine)", maxDeviation(y, Golden.tensor(c["output"])), limit: 1e-5)
        }
    }

    /// The identities against PyTorch itself: GroupNorm(G = C) reproduces nn.InstanceNorm2d's
    /// golden outputs and GroupNorm(G = 1) reproduces nn.LayerNorm([C,H,W])'s.
    func testIdentitiesAgainstPyTorchGoldens() throws {
        for case let c as [String: Any] in try Golden.load("instancenorm")["cases"] as! [Any] {
            let channels = (c["channels"] as! NSNumber).intValue, eps = (c["eps"] as! NSNumber).floatValue
            var layer = try GroupNorm(groups: channels, channels: channels, eps: eps, affine: c["affine"] as! Bool)
            if c["affine"] as! Bool { try layer.setAffine(gamma: Golden.floats(c["gamma"]), beta: Golden.floats(c["beta"])) }
            reportDeviation("GroupNorm G=C=\(channels) vs nn.InstanceNorm2d", maxDeviation(layer(Golden.tensor(c["input"])), Golden.tensor(c["output"])), limit: 1e-5)
        }
        let l = try Golden.load("layernorm")
        let channels = (l["channels"] as! NSNumber).intValue
        let g1 = try GroupNorm(groups: 1, channels: channels, affine: false)
        reportDeviation("GroupNorm G=1 vs nn.LayerNorm([C,H,W])", maxDeviation(g1(Golden.tensor(l["input"])), Golden.tensor(l["layernorm_no_affine"])), limit: 1e-5)
    }

    /// Statistics per sample and group of C/G consecutive channels.
    func testAgainstNaiveFormula() throws {
        var rng = SeededRandom(state: 3)
        let x = rng.tensor(Shape(n: 2, h: 3, w: 3, c: 12), scale: 2, shift: 0.5)
        let y = try GroupNorm(groups: 4, channels: 12, affine: false)(x)
        for n in 0..<2 { for g in 0..<4 {
            let m = naiveMoments(x) { nn, _, _, c in nn == n && c / 3 == g }
            for yy in 0..<3 { for xx in 0..<3 { for c in (g * 3)..<(g * 3 + 3) {
                XCTAssertEqual(Double(y[n, yy, xx, c]), (Double(x[n, yy, xx, c]) - m.mean) / (m.variance + 1e-5).squareRoot(), accuracy: 1e-5)
            } } }
        } }
    }

    func testRefusesGroupsThatDoNotDivideChannels() {
        XCTAssertThrowsError(try GroupNorm(groups: 5, channels: 12)) { error in
            XCTAssertEqual(error as? NormError, .groupsDoNotDivideChannels(groups: 5, channels: 12))
            XCTAssertTrue("\(error)".contains("5 groups do not divide 12 channels"), "\(error)")
        }
        XCTAssertThrowsError(try GroupNorm(groups: 0, channels: 12)) { XCTAssertEqual($0 as? NormError, .invalidGroups(0)) }
    }
}
