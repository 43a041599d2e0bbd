import Foundation
import StylizeEngine

/// The numbers of a comparison as a plain-text table (standard output), Markdown or JSON
/// (`--report FILE.md` / `FILE.json`).
public struct ComparisonReport: Report, Sendable, Codable {
    public var content: String
    public var style: String
    public var weights: String
    public var contentSize: Int
    public var variants: [VariantMeasurement]
    public var contrastSweep: [SweepRow]
    public var skipped: [SkippedVariant]
    /// Size every cell was stylized at, and why when it differs from the content size.
    public var cellSize: String
    public var note: String?
    /// Peak resident memory of the process that ran the comparison (`ProcessMemory`), when
    /// the caller sets it: `stylize compare` does, so a report shows the budget held.
    public var peakMemoryBytes: Int?

    enum CodingKeys: String, CodingKey {
        case content, style, weights, variants, skipped, note
        case peakMemoryBytes = "peak_memory_bytes"
        case cellSize = "cell_size"
        case contentSize = "content_size", contrastSweep = "contrast_sweep"
    }

    public init(content: String, style: String, weights: String, contentSize: Int, result: ComparisonResult) {
        self.content = content; self.style = style; self.weights = weights; self.contentSize = contentSize
        variants = result.variants; contrastSweep = result.sweep; skipped = result.skipped
        cellSize = "\(result.cellWidth)x\(result.cellHeight)"
        note = result.displayNote
    }

    static let legend = "style distance: sum over encoder taps of mean_c (mu_o - mu_s)^2 + mean_c (sigma_o - sigma_s)^2; "
        + "content distance: mean (f_o - f_c)^2 at the deepest tap; lower is closer."
    static let sweepLegend = "contrast sweep: mean |output(adjusted content) - output(x1 content)| per pixel and channel, 0-1 scale."

    /// Rows of the variants table: name, style distance, content distance, seconds.
    var variantRows: [[String]] {
        variants.map { [$0.name, String(format: "%.4g", $0.styleDistance), String(format: "%.4g", $0.contentDistance),
                        String(format: "%.2f", $0.seconds)] }
    }
    var sweepRows: [[String]] { contrastSweep.map { [$0.adjustment] + $0.changes.map { String(format: "%.4f", $0) } } }

    /// Aligned columns for a terminal.
    public func text() -> String {
        var out = "\(content) + \(style) (cells \(cellSize), weights \(weights))\n"
        if let note { out += note + "\n" }
        out += ReportTable.aligned([["variant", "style dist", "content dist", "seconds"]] + variantRows)
        if !contrastSweep.isEmpty {
            out += "\n" + ReportTable.aligned([["adjustment"] + variants.map(\.name)] + sweepRows)
        }
        for s in skipped { out += "skipped \(s.name): \(s.reason)\n" }
        return out + swapLegend.map { $0 + "\n" }.joined() + Self.legend + (contrastSweep.isEmpty ? "" : "\n" + Self.sweepLegend) + "\n"
    }

    /// One line per variant saying what its swap matches.
    var swapLegend: [String] { variants.map { $0.caption } }

    /// GitHub-flavoured Markdown tables.
    public func markdown() -> String {
        var out = "Comparison of `\(content)` with style `\(style)` (cells \(cellSize), weights `\(weights)`)\n\n"
        if let note { out += note + "\n\n" }
        out += ReportTable.markdown(["variant", "style distance", "content distance", "seconds"], variantRows)
        if !contrastSweep.isEmpty {
            out += "\n" + ReportTable.markdown(["content adjustment"] + variants.map(\.name), sweepRows)
        }
        for s in skipped { out += "\nSkipped \(s.name): \(s.reason)\n" }
        out += "\n" + swapLegend.map { "- " + $0 + "\n" }.joined()
        return out + "\n" + Self.legend + (contrastSweep.isEmpty ? "" : "\n" + Self.sweepLegend) + "\n"
    }
}
