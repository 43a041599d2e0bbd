import ArgumentParser
import StyleKernels
import StyleTensor

struct Mobile: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "MobileNetV2-style layers (strided 3x3, depthwise 3x3 stride 1/2, 1x1) with TF SAME padding and ReLU6, as the Magenta style predictor runs them, for a --size input.")
    @OptionGroup var common: Common
    @Option(help: "Input image size.")
    var size: Int = 256
    @Option(help: "Timed runs per layer (best is reported), after one warm-up.")
    var repeats: Int = 3

    func run() throws {
        common.apply()
        print("machine: \(cpuModel()); threads \(Parallel.threadCount)")
        // (name, input resolution divisor, cin, cout, kernel, stride, depthwise)
        let layers: [(String, Int, Int, Int, Int, Int, Bool)] = [
            ("conv3x3_s2", 1, 3, 32, 3, 2, false), ("dw_s1", 2, 32, 32, 3, 1, true),
            ("pw_project", 2, 32, 16, 1, 1, false), ("pw_expand", 2, 16, 96, 1, 1, false),
            ("dw_s2", 2, 96, 96, 3, 2, true), ("pw_project", 4, 96, 24, 1, 1, false),
            ("pw_expand", 4, 24, 144, 1, 1, false), ("dw_s1", 4, 144, 144, 3, 1, true),
            ("dw_s2", 4, 144, 144, 3, 2, true), ("pw_project", 8, 144, 32, 1, 1, false),
            ("pw_expand", 8, 32, 192, 1, 1, false), ("dw_s1", 8, 192, 192, 3, 1, true),
        ]
        var rng = SplitMix(seed: common.seed)
        for (name, div, cin, cout, k, stride, dw) in layers {
            let r = size / div
            let x = Tensor(shape: Shape(h: r, w: r, c: cin), data: (0..<(r * r * cin)).map { _ in rng.uniform() })
            let w = ConvWeights(oihw: (0..<(cout * (dw ? 1 : cin) * k * k)).map { _ in rng.uniform() * 0.1 },
                                outChannels: cout, inChannels: dw ? 1 : cin, kernelH: k, kernelW: k,
                                bias: (0..<cout).map { _ in rng.uniform() }, groups: dw ? cin : 1)
            var out = x
            let t = bestTime(repeats: repeats) {
                out = conv2d(x, w, stride: stride, padding: .same, activation: .relu6)
            }
            let flops = 2.0 * Double(k * k * (dw ? 1 : cin) * cout * out.shape.h * out.shape.w)
            print("RESULT mobile \(name) res=\(r) cin=\(cin) cout=\(cout) k=\(k) stride=\(stride) ms=\(fmt(t * 1000, 3)) gflops=\(fmt(flops / t / 1e9)) gbytes_per_s=\(fmt(4.0 * Double(x.shape.count + out.shape.count) / t / 1e9))")
        }
    }
}
