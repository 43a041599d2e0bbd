#if canImport(Glibc)
import Glibc
#endif

/// What the kernels were compiled for and what the running CPU offers.
///
/// Package.swift compiles the kernel target with `-target-cpu haswell` (AVX2 + FMA) when the
/// building machine has them. A binary copied to an older CPU would die with an illegal
/// instruction inside the first convolution; `check()` turns that into a clear message.
public enum CPUFeatures {
    /// True when the kernels use AVX2 and FMA instructions.
    public static var kernelsNeedAVX2FMA: Bool {
        #if STYLIZE_AVX2
        return true
        #else
        return false
        #endif
    }

    /// The CPU flags reported by /proc/cpuinfo (empty when it cannot be read).
    public static func hostFlags(cpuinfo path: String = "/proc/cpuinfo") -> Set<String> {
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            if text.hasPrefix("flags") {
                return Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == ":" }).map(String.init))
            }
        }
        return []
    }

    /// nil when the kernels can run here, else a message saying what is missing and how to rebuild.
    public static func problem(flags: Set<String> = hostFlags()) -> String? {
        guard kernelsNeedAVX2FMA, !flags.isEmpty else { return nil }
        let missing = ["avx2", "fma"].filter { !flags.contains($0) }
        guard !missing.isEmpty else { return nil }
        return "this stylize was built for CPUs with AVX2 and FMA, and this CPU lacks \(missing.joined(separator: ", ")); "
            + "rebuild it on this machine, or anywhere with STYLIZE_PORTABLE=1 swift build -c release"
    }
}
