import XCTest
import StyleModels
import StyleNN
import StyleTensor
import StyleWeights
import StylizeTestSupport

/// The per-layer hook (`LayerObserver`): an observed forward pass computes exactly what the
/// plain one computes (bit for bit) and reports every layer, in order, with its real shapes.
final class LayerObserverTests: XCTestCase {
    /// Calls each step and writes down what it saw.
    final class Recorder: LayerObserver, @unchecked Sendable {
        var steps: [(name: String, kind: String, input: Shape, output: Shape, hasConv: Bool)] = []
        func run(_ step: LayerStep, _ body: () throws -> Tensor) rethrows -> Tensor {
            let y = try body()
            steps.append((step.name, step.kind, step.input, y.shape, step.conv != nil))
            return y
        }
        var convs: [String] { steps.filter(\.hasConv).map(\.name) }
    }

    func assertBitIdentical(_ a: Tensor, _ b: Tensor, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, file: file, line: line)
        XCTAssertEqual(a.data.map(\.bitPattern), b.data.map(\.bitPattern), "observed pass differs", file: file, line: line)
    }

    func picture(height: Int, width: Int, seed: UInt64) -> Tensor {
        var rng = SeededRandom(seed: seed)
        return Tensor(shape: Shape(h: height, w: width, c: 3), data: (0..<(height * width * 3)).map { _ in (rng.float() + 1) / 2 })
    }

    func testDefaultModelObservedEqualsPlain() throws {
        let plain = try XCTUnwrap(AdaINLoader.load(path: packageRoot + "/Weights/default.safetensors") as? AdaINMobile)
        var observed = plain
        let recorder = Recorder()
        observed.observer = recorder
        let content = picture(height: 36, width: 52, seed: 1), style = picture(height: 40, width: 40, seed: 2)
        let a = try Stylizer(model: plain), b = try Stylizer(model: observed)
        let want = try a.stylize(content: content, styles: [WeightedStyle(a.styleStatistics(of: style))])
        let got = try b.stylize(content: content, styles: [WeightedStyle(b.styleStatistics(of: style))])
        assertBitIdentical(got, want)
        XCTAssertGreaterThan(want.data.map(abs).max()!, 0.1)

        // Style encoder, content margin + encoder (conv0, six expand / depthwise / project blocks
        // run as one banded step each, ec6_expand), decoder (4 convs, the last 3 reading their
        // input upsampled, output conv, sigmoid, crop).
        let encoderConvs = 2, blocks = 6
        XCTAssertEqual(recorder.convs.count, 2 * encoderConvs + 5)
        XCTAssertEqual(recorder.steps.count, 2 * (encoderConvs + blocks) + 1 + 5 + 2)
        XCTAssertEqual(recorder.steps.filter { $0.kind == "block" }.prefix(blocks).map(\.name),
                       (0..<blocks).map { "encoder.ec\($0)" })
        XCTAssertEqual(recorder.steps.filter { $0.kind == "conv3x3 up2x" }.map(\.name), ["decoder.conv1", "decoder.conv2", "decoder.conv3"])
        let first = recorder.steps[0]
        XCTAssertEqual(first.name, "encoder.conv0")
        XCTAssertEqual(first.kind, "conv3x3/s2")
        XCTAssertEqual(first.input, style.shape)
        XCTAssertEqual(first.output, Shape(h: 20, w: 20, c: 32))
        let margin = try XCTUnwrap(recorder.steps.first { $0.kind == "pad" })
        XCTAssertEqual(margin.input, content.shape)
        XCTAssertEqual(margin.output, Shape(h: 36 + 32 + 4, w: 52 + 32 + 4, c: 3))  // 16 px margin, then a multiple of 8
        XCTAssertEqual(recorder.steps.first { $0.name == "encoder.ec1" }?.output, Shape(h: 10, w: 10, c: 24))  // 40 px style, two stride-2 steps
        XCTAssertEqual(recorder.steps.first { $0.name == "encoder.ec6_expand" }?.kind, "conv1x1")
        XCTAssertEqual(recorder.steps.last?.kind, "crop")
        XCTAssertEqual(recorder.steps.last?.output, Shape(h: 36, w: 52, c: 3))
    }

    func testVGGObservedEqualsPlain() throws {
        let path = try XCTUnwrap(Bundle.module.path(forResource: "vgg_tiny", ofType: "safetensors", inDirectory: "Reference"))
        let plain = try XCTUnwrap(AdaINLoader.load(path: path) as? AdaINVGG)
        var observed = plain
        let recorder = Recorder()
        observed.observer = recorder
        let content = picture(height: 30, width: 42, seed: 3), style = picture(height: 24, width: 24, seed: 4)
        let a = try Stylizer(model: plain), b = try Stylizer(model: observed)
        let want = try a.stylize(content: content, styles: [WeightedStyle(a.styleStatistics(of: style))])
        let got = try b.stylize(content: content, styles: [WeightedStyle(b.styleStatistics(of: style))])
        assertBitIdentical(got, want)
        // Two encoder passes (10 convs, 3 pools each), the decoder (9 convs, 3 of them reading
        // their input upsampled) and the crop.
        XCTAssertEqual(recorder.convs.count, 2 * 10 + 9)
        XCTAssertEqual(recorder.steps.filter { $0.kind == "maxpool" }.count, 6)
        XCTAssertEqual(recorder.steps.filter { $0.kind.hasSuffix(" up2x") }.map(\.name), ["decoder.conv1", "decoder.conv5", "decoder.conv7"])
        XCTAssertEqual(recorder.steps.first?.kind, "conv1x1")
        XCTAssertEqual(Array(recorder.convs.suffix(9)), (0..<9).map { "decoder.conv\($0)" })
        XCTAssertEqual(recorder.steps.last?.output, Shape(h: 30, w: 42, c: 3))
    }

    func testMagentaObservedEqualsPlain() throws {
        guard case .arbitrary(let m) = try MagentaModel.load(path: MagentaReference.url("tiny-arbitrary.safetensors").path) else {
            return XCTFail("tiny-arbitrary is not an arbitrary model")
        }
        var observed = m.transformer
        let recorder = Recorder()
        observed.observer = recorder
        let v = try m.styleVector(MagentaReference.style(height: 40, width: 36))
        let content = MagentaReference.content(height: 22, width: 30)   // padded to 24 x 32, cropped back
        let want = try m.transformer(content, style: v)
        let got = try observed(content, style: v)
        assertBitIdentical(got, want)
        XCTAssertEqual(recorder.convs.count, 16)
        XCTAssertEqual(recorder.steps.filter { $0.kind == "norm" }.count, 13)
        XCTAssertEqual(recorder.steps.filter { $0.kind == "add" }.count, 5)
        XCTAssertEqual(recorder.steps.first?.kind, "pad")
        XCTAssertEqual(recorder.steps.first?.output, Shape(h: 24, w: 32, c: 3))
        // The tiny network's first conv has at most 8 outputs: the pixel-lanes kernel runs it.
        XCTAssertEqual(recorder.steps.first { $0.hasConv }?.kind, "conv9x9 pixel-lanes")
        XCTAssertEqual(recorder.steps.last?.kind, "crop")
        XCTAssertEqual(recorder.steps.last?.output, content.shape)
    }
}
