#if canImport(Glibc)
import Glibc
#endif

/// The memory the whole process has used, as the budget (`--max-memory`) counts it.
public enum ProcessMemory {
    /// Peak resident set size of this process so far, in bytes (`getrusage(RUSAGE_SELF)`:
    /// `ru_maxrss`, which Linux reports in KiB) — the figure `/usr/bin/time -v` prints as
    /// "Maximum resident set size".
    public static var peakResidentBytes: Int {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024
    }
}
