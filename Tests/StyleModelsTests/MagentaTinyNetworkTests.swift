import XCTest
import StyleNN
import StyleTensor
import StyleWeights
@testable import StyleModels
import StylizeTestSupport

/// The Magenta architectures on tiny random networks of the real topology (widths / 8 or
/// / 16, float16 weights), against float64 PyTorch passes written by
/// Training/magenta/make_magenta_reference.py (magenta_torch.py, which matches
/// onnxruntime on the float graph of the original ONNX files to 3e-5 at full width).
/// Content 22 x 30 (not a multiple of 4: exercises the pad-and-crop path), style 40 x 36.
final class MagentaTinyNetworkTests: XCTestCase {
    nonisolated(unsafe) static let reference = try! MagentaReference.json("tiny-reference.json")   // read-only after loading

    func arbitrary() throws -> MagentaArbitrary {
        guard case .arbitrary(let m) = try MagentaModel.load(path: MagentaReference.url("tiny-arbitrary.safetensors").path) else {
            XCTFail("tiny-arbitrary is not an arbitrary model"); throw XCTSkip()
        }
        return m
    }

    func multistyle() throws -> MagentaMultistyle {
        guard case .multistyle(let m) = try MagentaModel.load(path: MagentaReference.url("tiny-multistyle26.safetensors").path) else {
            XCTFail("tiny-multistyle26 is not a multistyle model"); throw XCTSkip()
        }
        return m
    }

    func testPredictorMatchesPyTorch() throws {
        let v = try arbitrary().styleVector(MagentaReference.style(height: 40, width: 36))
        let expected = MagentaReference.floats(Self.reference, "arbitrary_vector")
        XCTAssertEqual(v.count, 100)
        XCTAssertLessThan(maxDeviation(v, expected), 2e-4)
    }

    func testArbitraryPipelineMatchesPyTorch() throws {
        let m = try arbitrary()
        let v = try m.styleVector(MagentaReference.style(height: 40, width: 36))
        let out = try m.stylize(MagentaReference.content(height: 22, width: 30), style: v)
        XCTAssertEqual(out.shape, Shape(n: 1, h: 22, w: 30, c: 3))
        XCTAssertLessThan(maxDeviation(out.data, MagentaReference.floats(Self.reference, "arbitrary_output")), 1e-4)
    }

    func testTransformerWithGivenVectorMatchesPyTorch() throws {
        let v = MagentaReference.floats(Self.reference, "handmade_vector")
        let out = try arbitrary().stylize(MagentaReference.content(height: 22, width: 30), style: v)
        XCTAssertLessThan(maxDeviation(out.data, MagentaReference.floats(Self.reference, "handmade_output")), 1e-4)
    }

    func testMultistyleBlendMatchesPyTorch() throws {
        let m = try multistyle()
        let w = try m.presetWeights("3:1,12:3")
        XCTAssertEqual(w, MagentaReference.floats(Self.reference, "multistyle_weights"))
        let out = try m.stylize(MagentaReference.content(height: 22, width: 30), weights: w)
        XCTAssertLessThan(maxDeviation(out.data, MagentaReference.floats(Self.reference, "multistyle_output")), 1e-4)
    }

    func testStyleChangesOutputAndNormKindsDiffer() throws {
        let m = try multistyle()
        let c = MagentaReference.content(height: 16, width: 20)
        let a = try m.stylize(c, weights: m.presetWeights("0"))
        let b = try m.stylize(c, weights: m.presetWeights("1"))
        XCTAssertGreaterThan(maxDeviation(a.data, b.data), 1e-3, "different presets must give different images")
        let layer = try m.stylize(c, weights: m.presetWeights("0"), norm: .layer)
        XCTAssertGreaterThan(maxDeviation(a.data, layer.data), 1e-3, "layer statistics must change the output")
        // group norm with G = C in every layer is instance norm: gcd(24, C) = C for the widths 8, 2, 1, 3 here
        let g24 = try m.stylize(c, weights: m.presetWeights("0"), norm: .group(groups: 24))
        XCTAssertLessThan(maxDeviation(a.data, g24.data), 1e-5)
        // and G = 1 is layer norm
        let g1 = try m.stylize(c, weights: m.presetWeights("0"), norm: .group(groups: 1))
        XCTAssertLessThan(maxDeviation(layer.data, g1.data), 1e-5)
        // batch statistics of a batch of one equal instance statistics
        XCTAssertLessThan(maxDeviation(a.data, try m.stylize(c, weights: m.presetWeights("0"), norm: .batch).data), 1e-5)
    }

    func testBatchStatisticsMixTheBatch() throws {
        let m = try multistyle()
        let c1 = MagentaReference.content(height: 16, width: 16), c2 = MagentaReference.style(height: 16, width: 16)
        let both = Tensor(shape: Shape(n: 2, h: 16, w: 16, c: 3), data: c1.data + c2.data)
        let w = try m.presetWeights("5")
        let single = try m.stylize(c1, weights: w, norm: .batch)
        let batched = try m.stylize(both, weights: w, norm: .batch)
        let first = Array(batched.data[0..<single.data.count])
        XCTAssertGreaterThan(maxDeviation(single.data, first), 1e-4, "batch statistics must depend on the other sample")
        let inst = try m.stylize(both, weights: w, norm: .instance)
        XCTAssertLessThan(maxDeviation(Array(inst.data[0..<single.data.count]),
                                                      try m.stylize(c1, weights: w).data), 1e-5)
    }

    func testAnySizeWorksAndTooSmallIsAnError() throws {
        let m = try multistyle()
        let w = try m.presetWeights("2")
        for (h, wd) in [(8, 8), (9, 13), (31, 17)] {
            XCTAssertEqual(try m.stylize(MagentaReference.content(height: h, width: wd), weights: w).shape, Shape(n: 1, h: h, w: wd, c: 3))
        }
        XCTAssertThrowsError(try m.stylize(MagentaReference.content(height: 7, width: 20), weights: w)) { error in
            XCTAssertEqual(error as? ModelError, .imageTooSmall(width: 20, height: 7, minimum: 8))
        }
    }

    func testPresetParsing() throws {
        let m = try multistyle()
        XCTAssertEqual(try m.presetWeights("19")[19], 1)
        let w = try m.presetWeights("3:0.5, 12:0.5")
        XCTAssertEqual(w[3], 0.5); XCTAssertEqual(w[12], 0.5); XCTAssertEqual(w.reduce(0, +), 1)
        for bad in ["", "26", "-1", "a", "3:-1", "3:0", "3:x"] {
            XCTAssertThrowsError(try m.presetWeights(bad), bad) { XCTAssertEqual($0 as? MagentaError, .badPreset(bad)) }
        }
    }

    func testWrongShapesAreTypedErrors() throws {
        // a multistyle file is not an arbitrary model: the predictor's tensors are missing
        let file = try SafeTensorsFile(path: MagentaReference.url("tiny-multistyle26.safetensors").path)
        XCTAssertThrowsError(try MagentaArbitrary(file: file)) { error in
            XCTAssertEqual(error as? ModelError, .missingTensor(file: file.path, name: "predictor.Conv.weight"))
        }
        // the arbitrary transformer read with the multistyle plan: its first layer has no norm tensors under that name
        let arb = try SafeTensorsFile(path: MagentaReference.url("tiny-arbitrary.safetensors").path)
        XCTAssertThrowsError(try MagentaTransformer(file: arb, plan: MagentaTransformer.multistylePlan, styleDimension: 26))
        // a wrong style dimension is caught by the norm projection shapes
        XCTAssertThrowsError(try MagentaTransformer(file: arb, plan: MagentaTransformer.arbitraryPlan, styleDimension: 26)) { error in
            guard case .badShape(_, let name, _, _)? = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "transformer.residual.residual1.conv1.norm.gamma.weight")
        }
    }
}

/// Population (inference-mode batch norm) statistics.
final class MagentaPopulationTests: XCTestCase {
    func testPopulationOfABatchReproducesTheBatchRun() throws {
        guard case .multistyle(let m) = try MagentaModel.load(path: MagentaReference.url("tiny-multistyle26.safetensors").path) else {
            return XCTFail("not multistyle")
        }
        let c1 = MagentaReference.content(height: 16, width: 16), c2 = MagentaReference.style(height: 16, width: 16)
        let both = Tensor(shape: Shape(n: 2, h: 16, w: 16, c: 3), data: c1.data + c2.data)
        let w = try m.presetWeights("7")
        let population = try m.transformer.collectPopulation(both, style: w)
        XCTAssertEqual(population.statistics.count, m.transformer.norms.count)
        XCTAssertTrue(population.statistics.allSatisfy { $0.kind == .batch && $0.rows == 1 })
        // normalising the same batch with its own population statistics is the batch-statistics run
        let fixed = try m.transformer(both, style: w, population: population)
        let batch = try m.stylize(both, weights: w, norm: .batch)
        XCTAssertLessThan(maxDeviation(fixed.data, batch.data), 1e-6)
        // one image with the population's statistics differs from its own instance statistics
        let single = try m.transformer(c1, style: w, population: population)
        XCTAssertGreaterThan(maxDeviation(single.data, try m.stylize(c1, weights: w).data), 1e-3)
        XCTAssertThrowsError(try m.transformer(c1, style: w, population: MagentaPopulation(statistics: [])))
    }
}
