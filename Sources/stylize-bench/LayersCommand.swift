import ArgumentParser
import StyleKernels
import StyleModels
import StyleNN
import StyleTensor

struct Layers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Where a shipped network's time goes: every step of the forward pass (convs, depthwise, 1x1, upsampling, padding, norms, the swap) timed inside whole transfers, best of --repeats per step, as a Markdown table, then the totals per kind.")
    @OptionGroup var common: Common
    @Option(help: "default, magenta or vgg (seeded weights unless --weights).")
    var network: NetworkName = .default
    @Option(help: "Weights file (default: the shipped file of the network).")
    var weights: String?
    @Option(help: "Content size, WxH or N (synthetic image unless --content).")
    var size: String = "512x512"
    @OptionGroup var inputs: NetworkInputs
    @Option(help: "Observed transfers (the best time of each step is reported), after one warm-up.")
    var repeats: Int = 5
    @Option(help: "Keep observing past --repeats until the passes add up to this many seconds (at most 200 passes).")
    var minSeconds: Double = 0
    @Option(help: "Tuning: KiB of input rows per chunk of output tiles in the direct kernel.")
    var chunkKib: Int?
    @Option(help: "Tuning: KiB of one ξ slice (transformed input + products) per piece in the Winograd kernel.")
    var winogradSliceKib: Int?

    func run() throws {
        common.apply()
        if let chunkKib { Conv2DKernel.chunkInputBytes = chunkKib * 1024 }
        if let winogradSliceKib { Winograd4x4ConvKernel.sliceBytes = winogradSliceKib * 1024 }
        let timer = LayerTimer()
        let observed = try ShippedNetwork(network, weights: weights, seed: common.seed, precision: common.precision, observer: timer)
        let plain = try ShippedNetwork(network, weights: weights, seed: common.seed, precision: common.precision)
        let (content, style, vector) = try inputs.load(for: plain, size: try parseSize(size))

        func pass() throws {
            switch observed.body {
            case .adain(let stylizer):
                // Stylizer.styleStatistics + Stylizer.stylize, step by step.
                timer.pass = "style"
                let fs = stylizer.model.encodeStyle(style!)
                timer.pass = "swap"
                var t0 = clockNow()
                let statistics = try stylizer.swap.styleStatistics(of: fs)
                timer.record("style statistics", kind: "statistics", input: fs.shape, output: Shape(h: 1, w: 1, c: fs.shape.c),
                             seconds: clockNow() - t0)
                timer.pass = "content"
                let (fc, geometry) = stylizer.model.encodeContent(content)
                timer.pass = "swap"
                t0 = clockNow()
                let swapped = try stylizer.swap.apply(content: fc, styles: [WeightedStyle(statistics)])
                timer.record("AdaIN (content statistics, scale and shift)", kind: "swap", input: fc.shape,
                             output: swapped.shape, seconds: clockNow() - t0)
                timer.pass = "decoder"
                _ = stylizer.model.decode(swapped, geometry: geometry)
            case .magenta(_, let transformer):
                timer.pass = "transformer"
                _ = try transformer(content, style: vector!)
            }
            timer.finishPass()
        }
        try pass()
        timer.reset()
        var passes = 0
        let t0 = now()
        while passes < max(1, repeats) || (now() - t0 < minSeconds && passes < 200) {
            try pass()
            passes += 1
        }
        var cpu = 0.0
        let whole = try bestTime(repeats: repeats, minSeconds: minSeconds, cpu: &cpu) {
            _ = try plain.transfer(content: content, style: style, styleVector: vector)
        }

        let records = timer.best
        let total = records.map(\.seconds).reduce(0, +)
        func shape(_ s: Shape) -> String { "\(s.w)x\(s.h)x\(s.c)" }
        func ms(_ s: Double) -> String { fmt(s * 1000, 2) }
        func pct(_ s: Double) -> String { fmt(100 * s / total, 1) }
        var head = "\(network.rawValue) network, content \(content.shape.w)x\(content.shape.h)"
        if let style { head += ", style \(style.shape.w)x\(style.shape.h)" } else { head += ", style vector given" }
        print("machine: \(cpuModel()); threads \(Parallel.threadCount); kernels \(KernelISA.active.name)")
        print("\(head); best of \(passes) observed transfers per step (\(useThreadCPUTime ? "thread CPU time" : "wall clock")); shapes W x H x C")
        print()
        print("| # | pass | step | kind | input | output | ms | % | GFLOP/s |")
        print("|---|---|---|---|---|---|---|---|---|")
        for (i, r) in records.enumerated() {
            let g = r.flops.map { fmt($0 / r.seconds / 1e9) } ?? ""
            print("| \(i + 1) | \(r.pass) | \(r.step.name) | \(r.step.kind) | \(shape(r.step.input)) | \(shape(r.output)) | \(ms(r.seconds)) | \(pct(r.seconds)) | \(g) |")
        }
        print()
        // Totals per kind, slowest first.
        var byKind: [String: (count: Int, seconds: Double, flops: Double)] = [:]
        for r in records {
            var k = byKind[r.step.kind] ?? (0, 0, 0)
            k.count += 1; k.seconds += r.seconds; k.flops += r.flops ?? 0
            byKind[r.step.kind] = k
        }
        print("| kind | steps | ms | % | GFLOP/s |")
        print("|---|---|---|---|---|")
        for (kind, k) in byKind.sorted(by: { $0.value.seconds > $1.value.seconds }) {
            print("| \(kind) | \(k.count) | \(ms(k.seconds)) | \(pct(k.seconds)) | \(k.flops > 0 ? fmt(k.flops / k.seconds / 1e9) : "") |")
        }
        print()
        print("sum of the steps \(ms(total)) ms; the unobserved transfer \(ms(whole)) ms (best of at least \(repeats))")
        print("RESULT layers network=\(network.rawValue) size=\(content.shape.w)x\(content.shape.h) steps_ms=\(ms(total)) transfer_ms=\(ms(whole))")
    }
}
