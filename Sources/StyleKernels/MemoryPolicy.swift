#if canImport(Glibc)
import Glibc
#endif

/// Process-wide malloc settings that keep big freed buffers for reuse.
///
/// Every layer allocates its output (64 MiB for a 512x512x64 map) and frees its
/// input. glibc serves blocks over 32 MiB with fresh `mmap`s and returns them on
/// free, so each layer pays a page fault per 4 KiB page on first touch (measured
/// here: ~45 ms to pad a 512x512x64 map, 8 ms once pages are reused). With
/// `M_MMAP_MAX = 0` big blocks come from the heap (a worker thread's request falls
/// back to the main arena) and `M_TRIM_THRESHOLD` keeps freed heap memory mapped,
/// so later layers reuse already-faulted pages. Peak resident memory is unchanged;
/// memory is simply not handed back to the OS between layers.
///
/// `M_ARENA_MAX = 1` keeps every thread on that one heap: a network run off the main
/// thread (the server's job worker) otherwise allocates its blocks under 64 MiB in a
/// thread arena, whose mmapped sub-heaps glibc shrinks with MADV_DONTNEED as they free,
/// so they fault in again on the next run. Measured on the server's live frames at
/// 640x480 with the default model: 95,000 page faults a frame (370 MB) before, none
/// after; CPU time a frame 224 -> 146 ms (Magenta 125 -> 115 ms).
public enum MemoryPolicy {
    /// Applies the settings; call once at start-up, before big allocations.
    /// Returns false where not supported (non-glibc systems).
    @discardableResult
    public static func reuseFreedMemory() -> Bool {
        #if canImport(Glibc)
        let a = glibcMallopt(glibcMMapMax, 0)
        let b = glibcMallopt(glibcTrimThreshold, Int32.max)
        let c = glibcMallopt(glibcArenaMax, 1)
        return a == 1 && b == 1 && c == 1
        #else
        return false
        #endif
    }

    /// Hands the heap's free pages back to the OS now (`malloc_trim(0)`), so that the
    /// resident size counts only what is in use, e.g. after decoding a large input that was
    /// then scaled down. Later allocations fault their pages in again. Returns false where
    /// not supported or nothing was released.
    @discardableResult
    public static func releaseFreedMemory() -> Bool {
        #if canImport(Glibc)
        return glibcMallocTrim(0) == 1
        #else
        return false
        #endif
    }
}

#if canImport(Glibc)
// <malloc.h> is not part of the Glibc module; its values are fixed by the glibc ABI.
private let glibcTrimThreshold: Int32 = -1   // M_TRIM_THRESHOLD
private let glibcMMapMax: Int32 = -4         // M_MMAP_MAX
private let glibcArenaMax: Int32 = -8        // M_ARENA_MAX
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
