import StyleKernels
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import StyleModels
import StyleWeights

/// Peak-memory estimates for a transfer, used to decide when and how finely to tile.
///
/// The activations dominate. A 3x3 convolution holds its input, a padded copy of the input
/// and its output at once, so a conv with `cin` inputs and `cout` outputs at full
/// resolution keeps `2 * cin + cout` floats per pixel alive. The largest such stage gives
/// `floatsPerPixel`:
///
/// - `adain-mobilenet-s8` (decoder widths d_0..d_m): the first full-resolution conv takes
///   the upsampled d_(m-1) channels to d_m, so 2 d_(m-1) + d_m (= 2*64 + 32 = 160 for the
///   default 128,96,64,32); the encoder's largest stage (ec1 depthwise, 96 channels at
///   half resolution: 2*96/4 + 96/16) is far smaller.
/// - `adain-vgg19`: conv1_2 and decoder conv7 (64 -> 64 at full resolution): 192.
///
/// Untiled peak over the network frame of P pixels (content plus its padding, see
/// `NetworkFrame`), for a content of C pixels:
///
///     peak = weights + style + P * (4 * floatsPerPixel + 12) + 3 C + 3 C
///
/// (12 bytes per pixel for the float content tensor that stays alive, 3 + 3 for the RGB8
/// input and output images). Tiled peak, for the largest tile's decode window of Pt
/// pixels, its encoder input window Pe, and a band of the output of `bandRows` rows:
///
///     peak = weights + style + Pt * 4 * floatsPerPixel + Pe * 12 + bandRows * W * 12 + 3 C + 3 C
///
/// `style` is the style's encoder peak (about 4 * 60 bytes per style pixel for the mobile
/// encoder, 4 * 192 for VGG at full resolution).
public struct MemoryProfile: Equatable, Sendable {
    /// Largest number of floats per full-resolution pixel alive at once in the network.
    public let floatsPerPixel: Int
    /// Floats per style pixel at the encoder's peak.
    public let styleFloatsPerPixel: Int
    /// Bytes of the loaded weights (float32 after widening).
    public let weightBytes: Int

    public init(floatsPerPixel: Int, styleFloatsPerPixel: Int, weightBytes: Int) {
        self.floatsPerPixel = floatsPerPixel; self.styleFloatsPerPixel = styleFloatsPerPixel
        self.weightBytes = weightBytes
    }

    /// The profile of the network stored in `path` (read from its header; conservative
    /// values for architectures this function does not know).
    public static func of(weightsFile path: String) -> MemoryProfile {
        guard let file = try? SafeTensorsFile(path: path) else {
            return MemoryProfile(floatsPerPixel: 192, styleFloatsPerPixel: 192, weightBytes: 0)
        }
        let weightBytes = file.names.compactMap { file.info($0)?.shape.reduce(1, *) }.reduce(0, +) * 4
        func outChannels(_ name: String) -> Int? { file.info(name + ".weight")?.shape.first }
        switch file.metadata["architecture"] {
        case "adain-mobilenet-s8":
            let widths = (file.metadata["decoder_widths"] ?? "").split(separator: ",")
                .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard widths.count >= 2 else {
                return MemoryProfile(floatsPerPixel: 192, styleFloatsPerPixel: 64, weightBytes: weightBytes)
            }
            let up = widths[widths.count - 2], last = widths[widths.count - 1]
            let expand = outChannels("encoder.ec1_expand") ?? 96
            let encoderPeak = (2 * expand) / 4 + expand / 16 + 1
            return MemoryProfile(floatsPerPixel: max(2 * up + last, 2 * last + 3, encoderPeak),
                                 styleFloatsPerPixel: encoderPeak + 8, weightBytes: weightBytes)
        case "adain-vgg19":
            let c12 = outChannels("encoder.conv1_2") ?? 64, c11 = outChannels("encoder.conv1_1") ?? 64
            let d6 = outChannels("decoder.conv6") ?? 64, d7 = outChannels("decoder.conv7") ?? 64
            let peak = max(2 * c11 + c12, 2 * d6 + d7)
            return MemoryProfile(floatsPerPixel: peak, styleFloatsPerPixel: 2 * c11 + c12, weightBytes: weightBytes)
        default:
            return MemoryProfile(floatsPerPixel: 192, styleFloatsPerPixel: 192, weightBytes: weightBytes)
        }
    }
}

/// Memory budget (`--max-memory`) and the estimates of `MemoryProfile`.
public enum MemoryBudget {
    /// Default budget: 1.5 GB.
    public static let defaultBytes = 1_500_000_000
    /// Tile sizes tried by `chooseTile`, largest first.
    public static let candidateTiles = [2048, 1536, 1024, 768, 512, 384, 256, 192, 128]

    /// Estimated peak bytes of an untiled run (formula in `MemoryProfile`).
    public static func untiledPeak(_ profile: MemoryProfile, frame: NetworkFrame, stylePixels: Int) -> Int {
        let content = frame.contentHeight * frame.contentWidth
        return profile.weightBytes + stylePixels * 4 * profile.styleFloatsPerPixel
            + frame.height * frame.width * (4 * profile.floatsPerPixel + 12) + 6 * content
    }

    /// Estimated peak bytes of a tiled run with `plan`.
    public static func tiledPeak(_ profile: MemoryProfile, plan: TilePlan, stylePixels: Int) -> Int {
        let s = plan.frame.stride
        let decodeRows = plan.rows.spans.map { $0.decode.count * s }.max() ?? 0
        let decodeCols = plan.columns.spans.map { $0.decode.count * s }.max() ?? 0
        let inputRows = plan.rows.spans.map(\.decodeInput.count).max() ?? 0
        let inputCols = plan.columns.spans.map(\.decodeInput.count).max() ?? 0
        let bandRows = plan.rows.spans.map(\.blend.count).max() ?? 0
        let content = plan.frame.contentHeight * plan.frame.contentWidth
        return profile.weightBytes + stylePixels * 4 * profile.styleFloatsPerPixel
            + decodeRows * decodeCols * 4 * profile.floatsPerPixel + inputRows * inputCols * 12
            + bandRows * plan.frame.contentWidth * 12 + 6 * content
    }

    /// The tile size for a run: nil when the untiled run fits `budget`, otherwise the
    /// largest candidate tile whose tiled run fits. Throws when even the smallest does not.
    public static func chooseTile(_ profile: MemoryProfile, frame: NetworkFrame, stylePixels: Int,
                                  budget: Int, margins: TileMargins = .init()) throws -> Int? {
        if untiledPeak(profile, frame: frame, stylePixels: stylePixels) <= budget { return nil }
        var smallest = Int.max
        for tile in candidateTiles where tile < max(frame.height, frame.width) {
            let plan = try TilePlan(frame: frame, tilePixels: tile, margins: margins)
            let peak = tiledPeak(profile, plan: plan, stylePixels: stylePixels)
            if peak <= budget { return tile }
            smallest = min(smallest, peak)
        }
        throw PipelineError.invalidOption(
            "--max-memory \(format(budget)) is too small for this \(frame.contentWidth)x\(frame.contentHeight) image: "
            + "even the smallest tiles need about \(format(smallest == .max ? untiledPeak(profile, frame: frame, stylePixels: stylePixels) : smallest))")
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
    public static func parse(_ text: String) throws -> Int {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.hasSuffix("B") { t.removeLast() }
        var scale = 1.0
        if let unit = t.last, let s = ["K": 1e3, "M": 1e6, "G": 1e9][String(unit)] {
            scale = s
            t.removeLast()
        }
        guard let value = Double(t), value.isFinite, value > 0, value * scale < 1e18 else {
            throw PipelineError.invalidOption("--max-memory: '\(text)' is not a size (examples: 1.5G, 800M, 2000000000)")
        }
        return Int(value * scale)
    }

    /// A byte count as "1.50 GB" / "800 MB".
    public static func format(_ bytes: Int) -> String {
        bytes >= 1_000_000_000 ? String(format: "%.2f GB", Double(bytes) / 1e9) : String(format: "%.0f MB", Double(bytes) / 1e6)
    }
}
