import XCTest
import StyleTensor
import StyleKernels
@testable import StyleNN

final class NormKindTests: XCTestCase {
    /// Group norm with G = 1 is layer norm; with G = C it is instance norm (not the other way round).
    func testGroupNormIdentities() throws {
        var rng = SeededRandom(state: 5)
        let x = rng.tensor(Shape(n: 2, h: 4, w: 5, c: 6), scale: 3, shift: 2)
        let gamma = (0..<6).map { 0.5 + Float($0) / 4 }, beta = (0..<6).map { Float($0) / 3 - 1 }
        var g1 = try GroupNorm(groups: 1, channels: 6), layer = try LayerNorm(channels: 6)
        var gC = try GroupNorm(groups: 6, channels: 6), instance = try InstanceNorm(channels: 6)
        for setter in [{ try g1.setAffine(gamma: gamma, beta: beta) }, { try layer.setAffine(gamma: gamma, beta: beta) },
                       { try gC.setAffine(gamma: gamma, beta: beta) }, { try instance.setAffine(gamma: gamma, beta: beta) }] {
            try setter()
        }
        XCTAssertEqual(g1(x), layer(x))
        XCTAssertEqual(gC(x), instance(x))
        // And the wrong way round really differs.
        XCTAssertGreaterThan(maxDeviation(g1(x), instance(x)), 0.1)
        XCTAssertGreaterThan(maxDeviation(gC(x), layer(x)), 0.1)
    }

    func testMakeLayerBuildsEachKind() throws {
        var rng = SeededRandom(state: 6)
        let x = rng.tensor(Shape(n: 2, h: 3, w: 3, c: 8), scale: 2, shift: 1)
        let kinds: [NormKind] = [.instance, .batch, .layer, .group(groups: 4)]
        for kind in kinds {
            let layer = try kind.makeLayer(channels: 8, eps: 1e-5, affine: true)
            XCTAssertEqual(layer.kind, kind)
            XCTAssertEqual(layer.channels, 8)
            let expected: Tensor
            switch kind {
            case .instance: expected = try InstanceNorm(channels: 8)(x)
            case .batch: expected = try BatchNorm(channels: 8)(x)
            case .layer: expected = try LayerNorm(channels: 8)(x)
            case .group(let g): expected = try GroupNorm(groups: g, channels: 8)(x)
            }
            XCTAssertEqual(layer(x), expected, "\(kind)")
        }
        // A fresh batch norm at inference: running mean 0, variance 1.
        let freshLayer = try NormKind.batch.makeLayer(channels: 8)
        let fresh = freshLayer(x)
        XCTAssertEqual(maxDeviation(fresh, Tensor(shape: x.shape, data: x.data.map { $0 / (1 + 1e-5).squareRoot() })), 0, accuracy: 1e-6)
        XCTAssertThrowsError(try NormKind.group(groups: 3).makeLayer(channels: 8)) {
            XCTAssertEqual($0 as? NormError, .groupsDoNotDivideChannels(groups: 3, channels: 8))
        }
    }

    func testParsesCLINames() throws {
        XCTAssertEqual(try NormKind(name: "instance"), .instance)
        XCTAssertEqual(try NormKind(name: "Batch"), .batch)
        XCTAssertEqual(try NormKind(name: "layer"), .layer)
        XCTAssertEqual(try NormKind(name: "group", groups: 8), .group(groups: 8))
        XCTAssertEqual(NormKind.group(groups: 8).description, "group(G=8)")
        XCTAssertThrowsError(try NormKind(name: "group")) { XCTAssertEqual($0 as? NormError, .invalidGroups(0)) }
        XCTAssertThrowsError(try NormKind(name: "weight")) { XCTAssertEqual($0 as? NormError, .unknownNorm("weight")) }
    }

    /// Layer outputs do not depend on the thread count.
    func testLayersBitIdenticalAcrossThreadCounts() throws {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        var rng = SeededRandom(state: 8)
        let x = rng.tensor(Shape(n: 2, h: 9, w: 7, c: 48), scale: 5, shift: 3)
        for kind in [NormKind.instance, .batch, .layer, .group(groups: 6)] {
            var outputs: [Tensor] = []
            for threads in [1, 2, 3] {
                Parallel.threadCount = threads
                var bn = try BatchNorm(channels: 48)
                let layer = try kind.makeLayer(channels: 48)
                outputs.append(kind == .batch ? bn.forwardTraining(x) : layer(x))
            }
            XCTAssertEqual(outputs[1].data.map(\.bitPattern), outputs[0].data.map(\.bitPattern), "\(kind)")
            XCTAssertEqual(outputs[2].data.map(\.bitPattern), outputs[0].data.map(\.bitPattern), "\(kind)")
        }
    }
}
