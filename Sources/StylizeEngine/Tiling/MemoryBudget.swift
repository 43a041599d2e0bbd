import StyleKernels
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import StyleModels
import StyleNN
import StyleWeights

/// Memory budget (`--max-memory`) and the estimates of `MemoryFootprint`.
public enum MemoryBudget {
    /// Default budget: 1.5 GB.
    public static let defaultBytes = 1_500_000_000
    /// Tile sizes tried by `chooseTile`, largest first.
    public static let candidateTiles = [2048, 1536, 1024, 768, 512, 384, 256, 192, 128]

    /// Memory of the process besides the network's tensors and the images: the Swift
    /// runtime, code, the codecs' buffers (measured: 40-55 MB for a run at 1 megapixel
    /// beside the weights and style, see `Benchmarks/memory.sh`).
    public static let processOverhead = 40_000_000

    /// What this process holds now beyond `processOverhead` and `accountedBytes` (what the
    /// caller counts itself: its images, weights): its resident size, measured after the
    /// heap's free pages are handed back (`MemoryPolicy.releaseFreedMemory`), less both;
    /// 0 when within them. A command that keeps several networks and images before its runs
    /// (`stylize compare`: two networks, the decoded inputs, the codecs' and the runtime's
    /// memory) holds more than `processOverhead` and passes this to its runs as held bytes.
    public static func residentBeyondOverhead(accountedBytes: Int) -> Int {
        MemoryPolicy.releaseFreedMemory()
        return max(0, ProcessMemory.residentBytes - processOverhead - accountedBytes)
    }

    /// Bytes per frame pixel of a forward pass: the footprint's floats, 12 bytes for the
    /// float input, and 10% for what the layer walk does not count (padded input copies,
    /// the decoder's cropped output, allocator rounding). Covers the measured bytes per
    /// pixel of the shipped networks (`FootprintTests`).
    public static func bytesPerFramePixel(_ footprint: MemoryFootprint) -> Int {
        (4 * footprint.floatsPerPixel + 12) * 11 / 10
    }

    /// Estimated peak bytes of an untiled run:
    ///
    ///     overhead + weights + style pixels * 4 * styleFloatsPerPixel
    ///              + frame pixels * bytesPerFramePixel + 6 * content pixels (8-bit input and output)
    ///              + extra (the statistic match's working memory, `matchBytes`)
    public static func untiledPeak(_ footprint: MemoryFootprint, frame: NetworkFrame, stylePixels: Int, extraBytes: Int = 0) -> Int {
        let content = frame.contentHeight * frame.contentWidth
        return processOverhead + footprint.weightBytes + stylePixels * 4 * footprint.styleFloatsPerPixel
            + frame.height * frame.width * bytesPerFramePixel(footprint) + 6 * content + extraBytes
    }

    /// The working memory of a statistic match beyond the feature maps, whatever the image's
    /// size, with C feature channels (8-byte Doubles; bounds of what `FeatureMatcher` holds
    /// at once):
    ///
    /// - moments: none worth counting (a mean and variance per slot);
    /// - covariance: 24 C x C: the gather's 16 chunk co-moment blocks and a block per thread,
    ///   the style targets and the eigendecompositions (4.7 MB + 2.4 MB at C = 192);
    /// - distribution: 8 C x 1024: the sketch and its merged copy, the quantile map's
    ///   cumulative table (2x) and the style tables of a two-style mix (12.6 MB at C = 192).
    public static func matchBytes(_ match: StatisticMatch, channels c: Int) -> Int {
        switch match {
        case .moments: return 0
        case .covariance: return 24 * c * c * 8
        case .distribution: return 8 * c * DistributionSketch.defaultBins * 8
        }
    }

    /// Estimated peak bytes of a tiled run with `plan`: as `untiledPeak` with the largest
    /// tile's decode window for the frame, plus its float input crop and the band of output
    /// rows being blended (3 floats per pixel of the band).
    public static func tiledPeak(_ footprint: MemoryFootprint, plan: TilePlan, stylePixels: Int, extraBytes: Int = 0) -> Int {
        let s = plan.frame.stride
        let decodeRows = plan.rows.spans.map { $0.decode.count * s }.max() ?? 0
        let decodeCols = plan.columns.spans.map { $0.decode.count * s }.max() ?? 0
        let inputRows = plan.rows.spans.map(\.decodeInput.count).max() ?? 0
        let inputCols = plan.columns.spans.map(\.decodeInput.count).max() ?? 0
        let bandRows = plan.rows.spans.map(\.blend.count).max() ?? 0
        let content = plan.frame.contentHeight * plan.frame.contentWidth
        return processOverhead + footprint.weightBytes + stylePixels * 4 * footprint.styleFloatsPerPixel
            + decodeRows * decodeCols * bytesPerFramePixel(footprint) + inputRows * inputCols * 12
            + bandRows * plan.frame.contentWidth * 12 + 6 * content + extraBytes
    }

    /// The tile size for a run: nil when the untiled run fits `budget`, otherwise the
    /// largest candidate tile whose tiled run fits. Throws when even the smallest does not.
    public static func chooseTile(_ footprint: MemoryFootprint, frame: NetworkFrame, stylePixels: Int,
                                  budget: Int, margins: TileMargins = .init(), extraBytes: Int = 0) throws -> Int? {
        if untiledPeak(footprint, frame: frame, stylePixels: stylePixels, extraBytes: extraBytes) <= budget { return nil }
        var smallest = Int.max
        for tile in candidateTiles where tile < max(frame.height, frame.width) {
            let plan = try TilePlan(frame: frame, tilePixels: tile, margins: margins)
            let peak = tiledPeak(footprint, plan: plan, stylePixels: stylePixels, extraBytes: extraBytes)
            if peak <= budget { return tile }
            smallest = min(smallest, peak)
        }
        throw OptionError(.maxMemory,
            "\(option: .maxMemory) \(format(budget)) is too small for this \(frame.contentWidth)x\(frame.contentHeight) image: "
            + "even the smallest tiles need about \(format(smallest == .max ? untiledPeak(footprint, frame: frame, stylePixels: stylePixels, extraBytes: extraBytes) : smallest))")
    }

    /// Lets glibc's malloc keep freed blocks of any size for reuse (`MemoryPolicy`) instead
    /// of returning each large activation to the kernel and faulting fresh zeroed pages in
    /// for the next layer. Measured on a 4 MP
    /// tiled run: system time 5.6 s -> 0.7 s, wall time about halved, peak RSS +9%.
    /// Process-wide, like `ThreadBudget`, so the CLI calls it once at start; no effect off glibc.
    public static func reuseFreedMemory() {
        _ = MemoryPolicy.reuseFreedMemory()
    }

    /// Parses a size such as `1500000000`, `1.5G`, `1.5GB`, `800M`, `800MB` or `512K`
    /// (decimal units: K = 1e3, M = 1e6, G = 1e9).
    /// `option` names the option in the error (e.g. `.maxMemory`).
    public static func parse(_ text: String, option: OptionName = .maxMemory) throws -> Int {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.hasSuffix("B") { t.removeLast() }
        var scale = 1.0
        if let unit = t.last, let s = ["K": 1e3, "M": 1e6, "G": 1e9][String(unit)] {
            scale = s
            t.removeLast()
        }
        guard let value = Double(t), value.isFinite, value > 0, value * scale < 1e18 else {
            throw OptionError(option, "\(option: option): '\(text)' is not a size (examples: 1.5G, 800M, 2000000000)")
        }
        return Int(value * scale)
    }

    /// A byte count as "1.50 GB" / "800 MB".
    public static func format(_ bytes: Int) -> String {
        bytes >= 1_000_000_000 ? String(format: "%.2f GB", Double(bytes) / 1e9) : String(format: "%.0f MB", Double(bytes) / 1e6)
    }
}
