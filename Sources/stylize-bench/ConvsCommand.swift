import ArgumentParser
import StyleKernels
import StyleModels
import StyleNN
import StyleTensor

struct Convs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Each convolution of a shipped network alone (its padding, stride and fused activation) at the input shape it gets in a transfer of --size, on random input, with GFLOP/s and % of the FMA peak. AdaIN networks: the content encoder and the decoder.")
    @OptionGroup var common: Common
    @Option(help: "default, magenta or vgg (seeded weights unless --weights).")
    var network: NetworkName = .vgg
    @Option(help: "Weights file (default: the shipped file of the network).")
    var weights: String?
    @Option(help: "Content size, WxH or N.")
    var size: String = "512"
    @Option(help: "Timed runs per layer (best is reported), after one warm-up.")
    var repeats: Int = 3
    @Option(help: "Peak GFLOP/s for the percentage (default: measured now with the same threads).")
    var peak: Double?
    @Option(help: "Only layers whose name (or pytorch-AdaIN key, vgg) starts with this text (e.g. vgg.5, encoder.ec3).")
    var only: String?
    @Option(help: "Only convolutions with this kernel size (e.g. 3).")
    var kernel: Int?
    @Option(help: "Tuning: KiB of input rows per chunk of output tiles in the direct kernel.")
    var chunkKib: Int?
    @Option(help: "Tuning: KiB of one ξ slice (transformed input + products) per piece in the Winograd kernel.")
    var winogradSliceKib: Int?
    @Flag(help: "Direct convolution only (no Winograd), for comparison.")
    var direct = false

    func run() throws {
        common.apply()
        if let chunkKib { Conv2DKernel.chunkInputBytes = chunkKib * 1024 }
        if let winogradSliceKib { Winograd4x4ConvKernel.sliceBytes = winogradSliceKib * 1024 }
        let threads = Parallel.threadCount
        let peakG = peak ?? measurePeak(threads: threads)
        // One observed transfer gives every conv and the input it gets.
        let steps = LayerTimer()
        let net = try ShippedNetwork(network, weights: weights, seed: common.seed, precision: common.precision, observer: steps)
        let (content, style, vector) = try NetworkInputs.load(for: net, size: try parseSize(size))
        if case .adain(let stylizer) = net.body {
            steps.pass = "style"
            let statistics = try stylizer.styleStatistics(of: style!)
            // the encoder's convs one by one (featureTaps; the transfer runs its expand / depthwise /
            // project blocks as one banded InvertedResidual each, which the timer sees as one step)
            steps.pass = "content"
            _ = stylizer.model.featureTaps(content)
            steps.pass = "content (blocks)"
            let (fc, geometry) = stylizer.model.encodeContent(content)
            steps.pass = "content"
            _ = stylizer.model.decode(try stylizer.swap.apply(content: fc, styles: [WeightedStyle(statistics)]), geometry: geometry)
        } else {
            _ = try net.transfer(content: content, style: style, styleVector: vector)
        }
        print("machine: \(cpuModel()); threads \(threads); peak \(fmt(peakG)) GFLOP/s")
        var rng = SplitMix(seed: 7)
        var total = 0.0, totalFlops = 0.0
        for r in steps.current where r.pass == "content" {
            guard let conv = r.step.conv else { continue }
            let key = network == .vgg ? SeededVGG.pytorchKey(conv.name) ?? conv.name : conv.name
            if let only, !key.hasPrefix(only) && !conv.name.hasPrefix(only) { continue }
            if let kernel, conv.weights.kernelH != kernel { continue }
            let s = r.step.input
            let x = Tensor(shape: s, data: (0..<s.count).map { _ in rng.uniform() })
            let pixelLanes = r.step.kind.hasSuffix("pixel-lanes")
            let t = bestTime(repeats: repeats) {
                if pixelLanes {
                    _ = conv2dPixelLanes(x, conv.weights, padding: conv.padding, activation: conv.activation,
                                          upsampleFirst: r.step.kind.contains("up2x"))
                } else {
                    _ = conv2d(x, conv.weights, stride: conv.stride, padding: conv.padding, activation: conv.activation,
                               algorithm: direct ? .direct : .auto)
                }
            }
            let flops = r.flops ?? 0
            total += t; totalFlops += flops
            let g = flops / t / 1e9
            print("RESULT layer \(key) name=\(conv.name) kind=\(r.step.kind) res=\(s.h) width=\(s.w) cin=\(conv.weights.totalInChannels) cout=\(conv.outChannels) ms=\(fmt(t * 1000, 2)) gflops=\(fmt(g)) pct=\(fmt(100 * g / peakG))")
        }
        print("RESULT layers_total ms=\(fmt(total * 1000)) gflops=\(fmt(totalFlops / total / 1e9)) pct=\(fmt(100 * totalFlops / total / 1e9 / peakG))")
    }
}
