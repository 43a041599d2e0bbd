import ArgumentParser
import StyleKernels
import StyleModels
import StyleTensor

struct Network: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One whole transfer of a shipped network, in-process: for the AdaIN networks both encoders, the swap and the decoder; for magenta the transformer with a given style vector. Best of --repeats after a warm-up.")
    @OptionGroup var common: Common
    @Option(help: "default, magenta or vgg (seeded weights unless --weights).")
    var network: NetworkName = .default
    @Option(help: "Weights file (default: the shipped file of the network).")
    var weights: String?
    @OptionGroup var inputs: NetworkInputs
    @Option(help: "Comma-separated content sizes (N or WxH) of synthetic images, when --content is not given; the style is --style-size square (or, with --style-size 0, the content's size).")
    var sizes: String = "512"
    @Option(help: "Timed runs per size (best is reported), after one warm-up.")
    var repeats: Int = 5
    @Option(help: "Keep timing past --repeats until the timed runs add up to this many seconds (at most 200 runs).")
    var minSeconds: Double = 0
    @Option(help: "Write the output of the first size as raw float32 NHWC to this path.")
    var writeOutput: String?
    @Flag(help: "Skip the warm-up run (single run; for peak-memory figures of one transfer).")
    var noWarmup = false
    @Flag(help: "Also count the convolutions' FLOPs (one more, observed pass) and print GFLOP/s.")
    var flops = false

    func run() throws {
        common.apply()
        let net = try ShippedNetwork(network, weights: weights, seed: common.seed, precision: common.precision)
        print("machine: \(cpuModel()); threads \(Parallel.threadCount); network \(network.rawValue) (\(net.weightsPath))")
        let sizeList: [(height: Int, width: Int)?] = inputs.content != nil ? [nil]
            : try sizes.split(separator: ",").map { try parseSize(String($0)) }
        for (i, size) in sizeList.enumerated() {
            let styleSide = inputs.styleSize == 0 ? size?.width ?? 512 : inputs.styleSize
            let (content, style, vector) = try NetworkInputs.load(for: net, size: size, content: inputs.content, style: inputs.style,
                                                                  styleVector: inputs.styleVector, styleSize: styleSide)
            var out = Tensor(shape: Shape(h: 0, w: 0, c: 0))
            var cpu = 0.0
            let t = try bestTime(repeats: noWarmup ? 1 : repeats, warmup: !noWarmup, minSeconds: noWarmup ? 0 : minSeconds,
                                 cpu: &cpu) {
                out = try net.transfer(content: content, style: style, styleVector: vector)
            }
            var mean = 0.0
            for v in out.data { mean += Double(v) }
            mean /= Double(max(out.data.count, 1))
            var line = "RESULT network name=\(network.rawValue) size=\(content.shape.w)x\(content.shape.h)"
            if let style { line += " style=\(style.shape.w)x\(style.shape.h)" }
            line += " threads=\(Parallel.threadCount) seconds=\(fmt(t, 4)) cpu_seconds=\(fmt(cpu, 3))"
            if flops {
                let counter = LayerTimer()
                let observed = try ShippedNetwork(network, weights: weights, seed: common.seed, precision: common.precision, observer: counter)
                _ = try observed.transfer(content: content, style: style, styleVector: vector)
                let total = counter.current.compactMap(\.flops).reduce(0, +)
                line += " gflops=\(fmt(total / t / 1e9))"
            }
            print(line + " out_mean=\(mean) rss_mib=\(fmt(peakRSSMiB()))")
            if i == 0, let path = writeOutput { try writeFloats(out.data, to: path) }
        }
    }
}
