import Foundation
import ImageCodecs
import StyleModels
import StyleKernels
import StyleNN
import StyleTensor

/// Runs Magenta's transformer on an 8-bit image within a memory budget: untiled when the
/// footprint's estimate fits, else the layer-by-layer band sweep
/// (`MagentaTransformer.sweep`), whose statistics at every norm are those of the whole image.
///
/// The sweep's memory: the weights, the content and output pixels (8-bit), one band's
/// working tensors (`bandBytes`, a sixteenth of the budget, 4-64 MB) and the stored layer
/// outputs, kept in memory up to what the budget leaves (`SpillPolicy`) and written to
/// unlinked temporary files beyond that.
enum MagentaSweep {
    static func untiledPeak(_ transformer: MagentaTransformer, width: Int, height: Int) -> Int {
        let fp = transformer.footprint
        let frame = transformer.layout.frameSize(contentHeight: height, contentWidth: width)
        return MemoryBudget.processOverhead + fp.weightBytes + frame.height * frame.width * MemoryBudget.bytesPerFramePixel(fp)
            + 6 * width * height
    }

    static func bandBytes(budget: Int) -> Int { min(max(budget / 16, 4_000_000), 64_000_000) }

    /// `bandRows` > 0 forces the sweep with bands of about that many output rows (`--tile`).
    /// `heldBytes`: what stays resident beside the run within `budget` (the other loaded
    /// networks' weights, `MagentaFamily.heldWeightBytes`).
    static func run(_ transformer: MagentaTransformer, content: Image, style: [Float], norm: NormKind,
                    budget: Int, heldBytes: Int = 0, bandRows: Int, policy: StatisticsPolicy?, control: RunControl) throws -> Image {
        let h = content.height, w = content.width
        let small = min(h, w) < MagentaTransformer.minimumSide
        if bandRows == 0 && !small && untiledPeak(transformer, width: w, height: h) + heldBytes <= budget {
            let tensor = Tensor(image: content)
            let out: Tensor
            if let policy {
                out = try transformer(tensor, style: style, norm: norm) { try policy.moments($0, $1) }
            } else {
                out = try transformer(tensor, style: style, norm: norm)
            }
            return Image(tensor: out, alpha: content.alpha)
        }
        // The frame: the content reflected at its bottom and right edges to a multiple of 4
        // (as the untiled run pads it), and to at least 8 pixels for very thin images.
        let multiple = transformer.layout.frameSize(contentHeight: h, contentWidth: w)
        let frame = NetworkFrame(contentHeight: h, contentWidth: w, top: 0, left: 0,
                                 height: max(multiple.height, MagentaTransformer.minimumSide),
                                 width: max(multiple.width, MagentaTransformer.minimumSide), stride: transformer.layout.stride)
        let band = bandRows > 0 ? max(bandRows, 4) * frame.width * 4 * 64 : bandBytes(budget: budget - heldBytes)
        try checkBand(transformer, width: w, height: h, band: band, budget: budget, held: heldBytes)
        let fixed = sweepFixedBytes(transformer, width: w, height: h, band: band) + heldBytes
        let spill = SpillPolicy(memoryBytes: budget - fixed)
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        try transformer.sweep(
            height: frame.height, width: frame.width,
            input: { rows in TiledStylizer.frameCrop(content, frame: frame, rows: rows, columns: 0..<frame.width) },
            style: style, kind: norm, statistics: policy.map { p in { try p.moments($0, $1) } },
            bandBytes: band, spill: spill,
            check: { try control.check() },
            progress: { control.progress?(EngineProgress(phase: "layers", done: $0, total: $1)) },
            output: { rows, t in
                // The content's rows and columns of the frame, rounded to 8 bits.
                t.data.withUnsafeBufferPointer { src in
                    for (i, y) in rows.enumerated() where y < h {
                        let from = i * frame.width * 3, to = y * w * 3
                        for k in 0..<(3 * w) { rgb[to + k] = quantized8(src[from + k]) }
                    }
                }
            })
        if spill.spilledBytes > 0 {
            control.note?("Magenta: \(MemoryBudget.format(spill.spilledBytes)) of activations kept in temporary files to stay within the memory budget (\(MemoryBudget.format(budget)))")
        }
        return Image(width: w, height: h, rgb: rgb, alpha: content.alpha)
    }

    /// Batch norm's population statistics of every style norm over `contents` (one size),
    /// as `MagentaTransformer.collectPopulation` takes them from the contents as one batch:
    /// untiled when that batch's estimated peak fits `budget`, else the sweep over the batch
    /// (`sweep(images:...)`), whose statistics at every norm are merged over every band of
    /// every image (the same values up to the order of the Double sums), with one band's
    /// working tensors in memory and the stored layer outputs spilled beyond the budget.
    static func population(_ transformer: MagentaTransformer, contents: [Image], style: [Float], budget: Int,
                           heldBytes: Int = 0, control: RunControl) throws -> [FeatureStatistics] {
        let first = contents[0]
        let h = first.height, w = first.width
        let small = min(h, w) < MagentaTransformer.minimumSide
        let batchPeak = untiledPeak(transformer, width: w, height: h * contents.count) + heldBytes
        if small || batchPeak <= budget {
            let batch = Tensor(shape: Shape(n: contents.count, h: h, w: w, c: 3), data: contents.flatMap { Tensor(image: $0).data })
            return try transformer.collectPopulation(batch, style: style).statistics
        }
        let multiple = transformer.layout.frameSize(contentHeight: h, contentWidth: w)
        let frame = NetworkFrame(contentHeight: h, contentWidth: w, top: 0, left: 0, height: multiple.height, width: multiple.width,
                                 stride: transformer.layout.stride)
        let band = bandBytes(budget: budget - heldBytes)
        let fixed = transformer.footprint.weightBytes + 3 * w * h * contents.count + 4 * band + MemoryBudget.processOverhead + heldBytes
        guard fixed < budget else {
            throw OptionError(.maxMemory, "\(option: .maxMemory) \(MemoryBudget.format(budget)) is too small for batch norm's population "
                + "of \(contents.count) \(w)x\(h) images with the Magenta network: its weights, pixels and one band need about \(MemoryBudget.format(fixed))")
        }
        // Half of what is left: the batch's stores are freed and allocated layer by
        // layer in five sizes, and the heap (which keeps freed blocks, `MemoryPolicy`) grows
        // by the holes they leave (measured at 768x480 and 120M: all of it went 7 MB over the
        // budget, three quarters 2 MB; half stays 6 MB under).
        let spill = SpillPolicy(memoryBytes: (budget - fixed) / 2)
        var recorded: [FeatureStatistics] = []
        try transformer.sweep(
            images: contents.count, height: frame.height, width: frame.width,
            input: { n, rows in TiledStylizer.frameCrop(contents[n], frame: frame, rows: rows, columns: 0..<frame.width) },
            style: style, kind: .batch, statistics: { _, own in recorded.append(own); return own },
            bandBytes: band, spill: spill, check: { try control.check() },
            progress: { control.progress?(EngineProgress(phase: "population layers", done: $0, total: $1)) },
            output: { _, _, _ in })
        return recorded
    }

    /// What a band sweep holds besides its stored layer outputs: the weights, the content and
    /// output pixels (8-bit), one band's working tensors and the process's overhead.
    static func sweepFixedBytes(_ transformer: MagentaTransformer, width: Int, height: Int, band: Int) -> Int {
        transformer.footprint.weightBytes + 6 * width * height + 4 * band + MemoryBudget.processOverhead
    }

    /// Throws when a band sweep of `band` bytes cannot run within `budget` beside `held` bytes.
    static func checkBand(_ transformer: MagentaTransformer, width: Int, height: Int, band: Int, budget: Int, held: Int = 0) throws {
        let fixed = sweepFixedBytes(transformer, width: width, height: height, band: band) + held
        guard fixed < budget else {
            throw OptionError(.maxMemory, "\(option: .maxMemory) \(MemoryBudget.format(budget)) is too small for this \(width)x\(height) image "
                + "with the Magenta network: its weights, pixels and one band need about \(MemoryBudget.format(fixed))")
        }
    }

    /// How a run would go (see `StyleEngine.plan`); throws, as the run would, when even the
    /// band sweep does not fit `budget`.
    static func plan(_ transformer: MagentaTransformer, width: Int, height: Int, budget: Int, heldBytes: Int = 0,
                     bandRows: Int) throws -> RunPlan {
        let untiled = untiledPeak(transformer, width: width, height: height) + heldBytes
        if bandRows == 0 && untiled <= budget { return RunPlan(pieces: 1, unit: "bands", estimatedPeakBytes: untiled) }
        let frame = transformer.layout.frameSize(contentHeight: height, contentWidth: width)
        let band = bandRows > 0 ? max(bandRows, 4) * frame.width * 4 * 64 : bandBytes(budget: budget - heldBytes)
        try checkBand(transformer, width: width, height: height, band: band, budget: budget, held: heldBytes)
        let rowBytes = frame.width * 4 * transformer.footprint.floatsPerPixel
        return RunPlan(pieces: max(2, (frame.height * rowBytes + band - 1) / band), unit: "bands",
                       estimatedPeakBytes: min(untiled, budget))
    }
}
