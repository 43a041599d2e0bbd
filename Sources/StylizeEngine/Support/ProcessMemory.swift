#if canImport(Glibc)
import Glibc
#endif

/// The memory the whole process has used, as the budget (`--max-memory`) counts it.
public enum ProcessMemory {
    /// Peak resident set size of this program so far, in bytes: `VmHWM` of
    /// `/proc/self/status` (the high-water mark of this program's own address space), else
    /// `getrusage(RUSAGE_SELF).ru_maxrss` (KiB on Linux). `ru_maxrss` alone is not enough for a
    /// program started by a large one: Linux keeps the parent's resident size at the
    /// `posix_spawn`/`exec` in it (a `stylize` started from a test runner holding 270 MB
    /// reported 270 MB), while `VmHWM` starts again with the new program image. For a program
    /// started from a shell both give what `/usr/bin/time -v` prints as "Maximum resident
    /// set size".
    public static var peakResidentBytes: Int {
        if let kib = statusField("VmHWM:") { return kib * 1024 }
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024
    }

    /// Resident set size of this program now, in bytes (`VmRSS`; 0 where unknown).
    public static var residentBytes: Int { statusField("VmRSS:").map { $0 * 1024 } ?? 0 }

    /// The number of a `/proc/self/status` line such as "VmHWM:    123456 kB" (nil if absent).
    static func statusField(_ name: String) -> Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            guard text.hasPrefix(name) else { continue }
            let words = text.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            return words.first.flatMap { Int($0) }
        }
        return nil
    }
}
