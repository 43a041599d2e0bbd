#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Seconds of CPU time used by the calling thread (with one kernel thread, all
/// kernel work runs on the calling thread, so this ignores time lost to other
/// processes on a loaded machine).
func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Which clock `bestTime` and `LayerTimer` read.
nonisolated(unsafe) var useThreadCPUTime = false

/// The benchmark clock: the wall clock, or the calling thread's CPU clock with --cpu-time.
func clockNow() -> Double { useThreadCPUTime ? threadCPUTime() : now() }

/// Seconds of CPU time used by the whole process (all threads), user + system.
func processCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Best wall time of `repeats` runs of `body` (after one warm-up run when `warmup`).
func bestTime(repeats: Int, warmup: Bool = true, _ body: () throws -> Void) rethrows -> Double {
    var cpu = 0.0
    return try bestTime(repeats: repeats, warmup: warmup, cpu: &cpu, body)
}

/// The same; `cpu` gets the process CPU time of the best run. With `minSeconds`, runs go on
/// past `repeats` until the timed runs add up to that long (at most 200 runs): on a shared
/// machine the best of many short runs is the one least disturbed.
func bestTime(repeats: Int, warmup: Bool = true, minSeconds: Double = 0, cpu: inout Double,
              _ body: () throws -> Void) rethrows -> Double {
    if warmup { try body() }
    var best = Double.infinity, spent = 0.0, runs = 0
    while runs < max(1, repeats) || (spent < minSeconds && runs < 200) {
        let clock = useThreadCPUTime ? threadCPUTime : now
        let t0 = clock(), c0 = processCPUTime()
        try body()
        let t = clock() - t0
        if t < best { best = t; cpu = processCPUTime() - c0 }
        spent += t
        runs += 1
    }
    return best
}

/// Maximum resident set size of this process so far, in MiB (getrusage).
func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024   // Linux reports KiB
}

/// The CPU model from /proc/cpuinfo.
func cpuModel() -> String {
    guard let f = fopen("/proc/cpuinfo", "r") else { return "unknown" }
    defer { fclose(f) }
    var line: UnsafeMutablePointer<CChar>? = nil
    var cap = 0
    defer { free(line) }
    while getline(&line, &cap, f) > 0 {
        let s = String(cString: line!)
        if s.hasPrefix("model name") {
            return s.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters() } ?? "unknown"
        }
    }
    return "unknown"
}

extension Substring {
    func trimmingCharacters() -> String {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}

func fmt(_ x: Double, _ digits: Int = 1) -> String {
    var m = 1.0
    for _ in 0..<digits { m *= 10 }
    let r = (x * m).rounded() / m
    var s = "\(r)"
    if digits == 0, s.hasSuffix(".0") { s.removeLast(2) }
    return s
}

func pad(_ s: String, _ n: Int) -> String {
    s.count >= n ? s : String(repeating: " ", count: n - s.count) + s
}
