import ArgumentParser
import StyleKernels

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
