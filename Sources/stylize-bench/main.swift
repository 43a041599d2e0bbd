import ArgumentParser
import StyleKernels

extension Precision: ExpressibleByArgument {}

/// Benchmarks of the engine on the networks stylize ships (loaded through StyleModels, as
/// the stylize command loads them). Not a test: figures depend on the machine and its load.
/// See BENCHMARKS.md for the method; Benchmarks/networks.sh compares them with onnxruntime
/// and OpenVINO, Benchmarks/run.sh and compare.sh the VGG network with PyTorch and the rest.
struct StylizeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stylize-bench",
        abstract: "Time stylize's networks: whole transfers, each layer in the forward pass, each convolution alone, FMA peak.",
        subcommands: [Network.self, Layers.self, Convs.self, Peak.self, Mobile.self, ExportWeights.self, StyleVector.self])
}

struct Common: ParsableArguments {
    @Option(help: "Threads for the kernels (default: all cores).")
    var threads: Int?
    @Option(help: "Seed of the VGG network's random weights (when --weights is not given).")
    var seed: UInt64 = 1
    @Option(help: "Arithmetic of the networks' convolutions: f32 or bf16 (see stylize --precision).")
    var precision: Precision = .f32
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

#if canImport(Glibc)
import Glibc
#endif

StylizeBench.main()
