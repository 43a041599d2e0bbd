import ArgumentParser
import StyleKernels
import StyleTensor

/// Benchmarks of the compute engine. Not a test: figures depend on the machine and
/// its load. See BENCHMARKS.md for the method and Benchmarks/run.sh for the
/// comparison with PyTorch.
struct StylizeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stylize-bench",
        abstract: "Time the convolution engine (FMA peak, single layers, full AdaIN transfer).",
        subcommands: [Peak.self, Layers.self, Mobile.self, Network.self, ExportWeights.self])
}

struct Common: ParsableArguments {
    @Option(help: "Threads for the kernels (default: all cores).")
    var threads: Int?
    @Option(help: "Seed of the random weights.")
    var seed: UInt64 = 1
    @Flag(help: "Time with the calling thread's CPU clock (only meaningful with --threads 1; for tuning on a loaded machine).")
    var cpuTime = false

    @Flag(help: "Leave malloc's defaults (by default the benchmark calls MemoryPolicy.reuseFreedMemory(), as the CLI does).")
    var defaultMalloc = false

    func apply() {
        if !defaultMalloc { MemoryPolicy.reuseFreedMemory() }
        if let threads { Parallel.threadCount = threads }
        if cpuTime {
            precondition(Parallel.threadCount == 1, "--cpu-time needs --threads 1")
            useThreadCPUTime = true
        }
    }
}

/// GFLOP/s of a tight FMA loop, used as the machine's peak.
func measurePeak(threads: Int, seconds: Double = 0.5) -> Double {
    let saved = Parallel.threadCount
    Parallel.threadCount = threads
    defer { Parallel.threadCount = saved }
    _ = FMAPeak.run(pieces: threads, iterations: 1_000_000)
    // calibrate: ~1.7 ns per iteration on a 3.7 GHz core with 2 FMA pipes
    let iterations = Int(seconds / 1.7e-9)
    let clock = useThreadCPUTime ? threadCPUTime : now
    let t0 = clock()
    let r = FMAPeak.run(pieces: threads, iterations: iterations)
    let dt = clock() - t0
    if r.checksum.isNaN { print("(checksum NaN)") }
    return r.flops / dt / 1e9
}

struct Peak: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Peak float32 FMA throughput per thread count (12 independent 8-wide FMA chains per thread).")
    @Option(help: "Comma-separated thread counts.")
    var threads: String = "1,2"
    @Flag(help: "Time with the calling thread's CPU clock (only meaningful with --threads 1).")
    var cpuTime = false
    func run() throws {
        useThreadCPUTime = cpuTime
        print("machine: \(cpuModel())")
        for t in threads.split(separator: ",").compactMap({ Int($0) }) {
            let g = measurePeak(threads: t, seconds: 1)
            print("RESULT peak threads=\(t) gflops=\(fmt(g))")
        }
    }
}

struct Layers: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Each 3x3 conv of the VGG encoder (to relu4_1) and decoder alone, at the resolution it runs at for a --size image, with reflection padding and fused ReLU.")
    @OptionGroup var common: Common
    @Option(help: "Image size (the first layer's resolution).")
    var size: Int = 512
    @Option(help: "Timed runs per layer (best is reported), after one warm-up.")
    var repeats: Int = 3
    @Option(help: "Peak GFLOP/s for the percentage (default: measured now with the same threads).")
    var peak: Double?
    @Option(help: "Only layers whose key contains this text (e.g. vgg.5).")
    var only: String?
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
        let net = BenchNetwork(seed: common.seed)
        print("machine: \(cpuModel()); threads \(threads); peak \(fmt(peakG)) GFLOP/s")
        print("layer        size      cin->cout    ms      GFLOP/s  % peak")
        var rng = SplitMix(seed: 7)
        let encRes = [0, size, size, size / 2, size / 2, size / 4, size / 4, size / 4, size / 4, size / 8]
        let decRes = [size / 8, size / 4, size / 4, size / 4, size / 4, size / 2, size / 2, size, size]
        var total = 0.0, totalFlops = 0.0
        for (layers, res) in [(net.encoder, encRes), (net.decoder, decRes)] {
            for (i, l) in layers.enumerated() where l.k == 3 && (only.map { l.key.hasPrefix($0) } ?? true) {
                let r = res[i]
                let x = Tensor(shape: Shape(h: r, w: r, c: l.cin), data: (0..<(r * r * l.cin)).map { _ in rng.uniform() })
                let t = bestTime(repeats: repeats) {
                    _ = conv2d(x, l.weights, padding: .reflect(1), activation: .relu, algorithm: direct ? .direct : .auto)
                }
                let padTime = bestTime(repeats: repeats) { _ = reflectionPad(x, 1) }
                let flops = 2.0 * 9 * Double(l.cin * l.cout * r * r)
                total += t; totalFlops += flops
                let g = flops / t / 1e9
                print("RESULT layer \(l.key) res=\(r) cin=\(l.cin) cout=\(l.cout) ms=\(fmt(t * 1000, 2)) gflops=\(fmt(g)) pct=\(fmt(100 * g / peakG)) pad_ms=\(fmt(padTime * 1000, 2))")
            }
        }
        print("RESULT layers_total ms=\(fmt(total * 1000)) gflops=\(fmt(totalFlops / total / 1e9)) pct=\(fmt(100 * totalFlops / total / 1e9 / peakG))")
    }
}

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

struct Network: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Full AdaIN transfer (content encoder + style encoder + AdaIN + decoder) at each size, style image of the same size.")
    @OptionGroup var common: Common
    @Option(help: "Comma-separated image sizes.")
    var sizes: String = "256,512,1024"
    @Option(help: "Timed runs per size (best is reported), after one warm-up.")
    var repeats: Int = 2
    @Option(help: "Write the output of the first size as raw float32 NHWC to this path (for the PyTorch cross-check).")
    var writeOutput: String?
    @Flag(help: "Skip the warm-up run (single run; for peak-memory figures of one transfer).")
    var noWarmup = false

    func run() throws {
        common.apply()
        let net = BenchNetwork(seed: common.seed)
        print("machine: \(cpuModel()); threads \(Parallel.threadCount)")
        for (i, size) in sizes.split(separator: ",").compactMap({ Int($0) }).enumerated() {
            let content = benchImage(size: size, style: false), style = benchImage(size: size, style: true)
            var out = Tensor(shape: Shape(h: 0, w: 0, c: 0))
            let t = bestTime(repeats: noWarmup ? 1 : repeats, warmup: !noWarmup) {
                out = net.transfer(content: content, style: style)
            }
            // direct-convolution FLOPs of both encoders and the decoder
            var flops = 0.0
            var r = size
            for (j, l) in net.encoder.enumerated() {
                flops += 2.0 * 2 * Double(l.k * l.k * l.cin * l.cout * r * r)
                if j == 2 || j == 4 || j == 8 { r = (r + 1) / 2 }
            }
            for (j, l) in net.decoder.enumerated() {
                flops += 2.0 * Double(l.k * l.k * l.cin * l.cout * r * r)
                if j == 0 || j == 4 || j == 6 { r *= 2 }
            }
            var mean = 0.0
            for v in out.data { mean += Double(v) }
            mean /= Double(max(out.data.count, 1))
            print("RESULT network size=\(size) threads=\(Parallel.threadCount) seconds=\(fmt(t, 3)) gflops=\(fmt(flops / t / 1e9)) out_mean=\(mean) rss_mib=\(fmt(peakRSSMiB()))")
            if i == 0, let path = writeOutput {
                let f = fopen(path, "wb")
                out.data.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, f) }
                fclose(f)
            }
        }
    }
}

struct ExportWeights: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write the benchmark network's seeded weights as safetensors with pytorch-AdaIN keys (vgg.N.weight OIHW, vgg.N.bias, decoder.N.*).")
    @Option(help: "Seed of the random weights.")
    var seed: UInt64 = 1
    @Option(help: "Output file.")
    var path: String

    func run() throws {
        let net = BenchNetwork(seed: seed)
        var tensors: [(name: String, shape: [Int], values: [Float])] = []
        for l in net.encoder + net.decoder {
            tensors.append((l.key + ".weight", [l.cout, l.cin, l.k, l.k], l.weights.oihw))
            tensors.append((l.key + ".bias", [l.cout], l.weights.bias!))
        }
        try writeSafetensors(path: path, tensors: tensors)
        print("wrote \(path)")
    }
}

#if canImport(Glibc)
import Glibc
#endif

StylizeBench.main()
