import Foundation
import ImageCodecs
import StyleKernels
import StyleModels
import StyleNN
import StyleTensor

/// Two-pass tiled style transfer with global content statistics, for images whose
/// untiled activations would not fit in memory, for every statistic match (`FeatureMatcher`):
///
///     pass 0 (distribution only): range = merge over tiles k of range( E(crop_k)[owned cells of k] )
///     pass 1:  stats = merge over tiles k of stats( E(crop_k)[owned cells of k] )
///     once:    plan = matcher.plan(stats, styles, alpha)     (eigendecompositions, quantile maps)
///     pass 2:  out(p) = sum_k w_k(p) * D( plan( E(crop'_k)[decode cells of k] ) )(p)
///
/// E is the encoder, D the decoder, crop_k a window of the network frame (`NetworkFrame`:
/// the content with the model's reflection padding), w_k the feathered blend weights of
/// `TileBlend` (sum exactly 1 at every pixel). stats are a mean and variance per slot
/// (moments), a mean and channel co-moments (covariance) or a histogram per channel over
/// the whole image's range (distribution); each merges exactly (Chan et al.'s pairwise
/// update in Double; counts of the same bins), so the plan is the untiled run's.
///
/// Why the result equals the untiled one (up to float rounding): a feature cell depends on
/// the frame pixels within the encoder's receptive field, and a tile's crop reaches
/// `margins.encoderPixels` past the cells it uses, so those cells see the same pixels as
/// in the untiled run: real neighbouring pixels inside the image, the same reflected
/// pixels at the true border, and the same zero padding of the encoder at the frame's
/// edge. Crops start at multiples of the stride, so the stride-2 convs' "SAME" padding
/// (0 before, 1 after for even sizes) and the 2x2 pools fall on the same grid. The owned
/// cells of the tiles partition the feature grid, so the merged statistics count every
/// cell of the untiled grid exactly once. The plan maps each cell on its own given the
/// statistics, and a decoded pixel depends only on cells within `margins.decoderCells` of
/// it, which every tile decodes beyond its blend range.
///
/// The margins come from the model (`NetworkLayout`), e.g. for `adain-mobilenet-s8` (cell i,
/// pixels [8i, 8i+8)): ec5 and ec4 depthwise (stride 1, pad 1) need /8 cells i-2..i+2; ec3
/// (stride 2, pad 0 before, 1 after) /4 cells 2i-4..2i+6; ec2: 2i-5..2i+7; ec1 (stride 2):
/// /2 cells 4i-10..4i+16; ec0: 4i-11..4i+17; conv0 (stride 2): pixels 8i-22..8i+36.
///
/// Memory: the RGB8 content (3 bytes per pixel) and the RGB8 output stay whole; floats
/// exist only for one tile's crop and activations and for a band of output rows being
/// blended (rows of one tile row plus the seam), see `MemoryBudget`; the statistics and the
/// plan are a few MB whatever the image's size (`MemoryBudget.matchBytes`).
public struct TiledStylizer: Sendable {
    public let model: any AdaINNetwork
    public let matcher: FeatureMatcher

    public init(model: any AdaINNetwork, matcher: FeatureMatcher) {
        self.model = model
        self.matcher = matcher
    }

    /// The moments match of `stylizer` (its norm and population statistics).
    public init(stylizer: Stylizer) throws {
        let swap = stylizer.swap
        self.init(model: stylizer.model,
                  matcher: try FeatureMatcher(match: .moments, norm: swap.kind, populationMean: swap.populationMean,
                                              populationVariance: swap.populationVariance))
    }

    /// The plan for `image` with tiles of about `tilePixels`, margins from the model's layout.
    public func plan(for image: Image, tilePixels: Int) throws -> TilePlan {
        let layout = model.layout
        return try TilePlan(frame: NetworkFrame(layout: layout, contentHeight: image.height, contentWidth: image.width),
                            tilePixels: tilePixels, margins: TileMargins(layout: layout))
    }

    /// Passes 0 and 1: the content statistics of the whole frame under the matcher's match
    /// and norm, merged over the tiles' owned cells (for `.batch` the image's own, not the
    /// population's).
    public func matchStatistics(of image: Image, plan: TilePlan, control: RunControl = .init()) throws -> ContentMatchStatistics {
        try matchStatistics(of: image, plan: plan, gatherer: StatisticsGatherer(matcher), control: control)
    }

    func matchStatistics(of image: Image, plan: TilePlan, gatherer: StatisticsGatherer,
                         control: RunControl) throws -> ContentMatchStatistics {
        var range: DistributionRange?
        if gatherer.needsRangePass {
            try forEachOwnedWindow(of: image, plan: plan, control: control, phase: "range tiles") { owned, _, _ in
                let r = try gatherer.range(of: owned)!
                range = try range.map { try $0.merged(with: r) } ?? r
            }
        }
        var total: ContentMatchStatistics?
        try forEachOwnedWindow(of: image, plan: plan, control: control) { owned, _, _ in
            let stats = try gatherer.statistics(of: owned, range: range)
            total = try total.map { try $0.merged(with: stats) } ?? stats
        }
        return total!
    }

    /// Pass 1 of the moments match: the statistics of `kind` (default: the matcher's norm).
    public func contentStatistics(of image: Image, plan: TilePlan, kind: NormKind? = nil,
                                  control: RunControl = .init()) throws -> FeatureStatistics {
        let stats = try matchStatistics(of: image, plan: plan, gatherer: StatisticsGatherer(match: .moments, norm: kind ?? matcher.norm),
                                        control: control)
        return stats.moments!
    }

    /// All passes: `image` stylized with the mix of `styles` (statistics of the matcher's
    /// match, each with its weight), the same size as `image` (its alpha, if any, is kept).
    public func stylize(_ image: Image, plan: TilePlan, styles: [(StyleMatchStatistics, Float)], alpha: Float = 1,
                        control: RunControl = .init()) throws -> Image {
        let stats = matcher.usesContentStatistics ? try matchStatistics(of: image, plan: plan, control: control) : nil
        return try stylize(image, plan: plan, matchPlan: matcher.plan(content: stats, styles: styles, alpha: alpha), control: control)
    }

    /// Pass 2: every tile through `matchPlan` (made from the whole image's statistics).
    public func stylize(_ image: Image, plan: TilePlan, matchPlan: MatchPlan, control: RunControl = .init()) throws -> Image {
        try decodeTiles(of: image, plan: plan, control: control) { window, _, _ in try matchPlan.apply(to: window) }
    }

    /// The moments match: both passes with a mix of `styles`.
    public func stylize(_ image: Image, plan: TilePlan, styles: [WeightedStyle], alpha: Float = 1,
                        control: RunControl = .init()) throws -> Image {
        try stylize(image, plan: plan, styles: styles.map { (.moments($0.statistics), $0.weight) }, alpha: alpha, control: control)
    }

    /// The moments match, pass 2 with given content statistics (nil for `.batch`: the population's).
    public func stylize(_ image: Image, plan: TilePlan, styles: [WeightedStyle], alpha: Float,
                        contentStatistics: FeatureStatistics?, control: RunControl = .init()) throws -> Image {
        let matchPlan = try matcher.plan(content: contentStatistics.map { .moments($0) },
                                         styles: styles.map { (.moments($0.statistics), $0.weight) }, alpha: alpha)
        return try stylize(image, plan: plan, matchPlan: matchPlan, control: control)
    }

    /// Spatial control, tiled: `featureMask` (1 x featureHeight x featureWidth x 1 over the
    /// frame's feature grid, see `featureMask(_:frame:)`) splits the content in two regions;
    /// passes 0 and 1 gather each region's statistics over the whole image, pass 2 matches
    /// each tile's cells with its region's statistics and style mix, as the untiled masked run does.
    public func stylize(_ image: Image, plan: TilePlan, masked featureMask: Tensor, foreground: [(StyleMatchStatistics, Float)],
                        background: [(StyleMatchStatistics, Float)], alpha: Float, control: RunControl = .init()) throws -> Image {
        func maskOf(_ rows: Range<Int>, _ columns: Range<Int>) -> Tensor {
            crop(featureMask, top: rows.lowerBound, left: columns.lowerBound, height: rows.count, width: columns.count)
        }
        var ranges: (foreground: DistributionRange, background: DistributionRange)?
        if matcher.needsRangePass {
            try forEachOwnedWindow(of: image, plan: plan, control: control, phase: "range tiles") { owned, rows, columns in
                let r = try matcher.regionRanges(of: owned, mask: maskOf(rows, columns))!
                ranges = try ranges.map { (try $0.foreground.merged(with: r.foreground), try $0.background.merged(with: r.background)) } ?? r
            }
        }
        var regions: (foreground: ContentMatchStatistics, background: ContentMatchStatistics)?
        if matcher.usesContentStatistics {
            try forEachOwnedWindow(of: image, plan: plan, control: control) { owned, rows, columns in
                let r = try matcher.regionStatistics(of: owned, mask: maskOf(rows, columns), ranges: ranges)
                regions = try regions.map { (try $0.foreground.merged(with: r.foreground), try $0.background.merged(with: r.background)) } ?? r
            }
        }
        let matchPlan = try matcher.plan(regions: regions, foreground: foreground, background: background, alpha: alpha)
        return try decodeTiles(of: image, plan: plan, control: control) { window, rows, columns in
            try matchPlan.apply(to: window, mask: maskOf(rows, columns))
        }
    }

    /// The moments match with a mask.
    public func stylize(_ image: Image, plan: TilePlan, masked featureMask: Tensor, foreground: [WeightedStyle],
                        background: [WeightedStyle], alpha: Float, control: RunControl = .init()) throws -> Image {
        try stylize(image, plan: plan, masked: featureMask, foreground: foreground.map { (.moments($0.statistics), $0.weight) },
                    background: background.map { (.moments($0.statistics), $0.weight) }, alpha: alpha, control: control)
    }

    /// A mask image (white = foreground) sampled at the centre of each feature cell of the
    /// frame (nearest content pixel, clamped at the border for cells over the padding), as
    /// `Stylizer.featureMask` samples the untiled mask: 1 x featureHeight x featureWidth x 1,
    /// values the mean of R, G, B in [0, 1]. The mask is resized to the content's size first.
    public static func featureMask(_ mask: Image, frame: NetworkFrame) throws -> Tensor {
        let fh = frame.featureHeight, fw = frame.featureWidth, s = frame.stride
        let scaleY = Double(mask.height) / Double(frame.contentHeight), scaleX = Double(mask.width) / Double(frame.contentWidth)
        var out = Tensor(shape: Shape(n: 1, h: fh, w: fw, c: 1))
        for i in 0..<fh {
            let y = min(max(i * s + s / 2 - frame.top, 0), frame.contentHeight - 1)
            let my = min(Int((Double(y) + 0.5) * scaleY), mask.height - 1)
            for j in 0..<fw {
                let x = min(max(j * s + s / 2 - frame.left, 0), frame.contentWidth - 1)
                let mx = min(Int((Double(x) + 0.5) * scaleX), mask.width - 1)
                let p = 3 * (my * mask.width + mx)
                out.data[i * fw + j] = Float(Int(mask.rgb[p]) + Int(mask.rgb[p + 1]) + Int(mask.rgb[p + 2])) / (3 * 255)
            }
        }
        return out
    }

    /// Pass 1's walk: for each tile, the encoder features of its owned cells, with the
    /// owned cell ranges (rows, columns) of the frame's feature grid.
    func forEachOwnedWindow(of image: Image, plan: TilePlan, control: RunControl, phase: String = "statistics tiles",
                            _ body: (Tensor, Range<Int>, Range<Int>) throws -> Void) throws {
        let s = plan.frame.stride
        var done = 0
        for row in plan.rows.spans {
            for col in plan.columns.spans {
                try control.check()
                let input = Self.frameCrop(image, frame: plan.frame, rows: row.ownedInput, columns: col.ownedInput)
                let features = model.encodeStyle(input)
                let owned = crop(features, top: row.owned.lowerBound - row.ownedInput.lowerBound / s,
                                 left: col.owned.lowerBound - col.ownedInput.lowerBound / s,
                                 height: row.owned.count, width: col.owned.count)
                try body(owned, row.owned, col.owned)
                done += 1
                control.progress?(EngineProgress(phase: phase, done: done, total: plan.count))
            }
        }
    }

    /// Pass 2's walk: each tile's decode window of features goes through `swap` (given the
    /// window's cell ranges), is decoded, and blended into the output with the feathered weights.
    func decodeTiles(of image: Image, plan: TilePlan, control: RunControl,
                     swap: (Tensor, Range<Int>, Range<Int>) throws -> Tensor) throws -> Image {
        let frame = plan.frame, s = frame.stride
        let width = image.width, height = image.height
        precondition(frame.contentHeight == height && frame.contentWidth == width, "plan is for another image size")
        var output = [UInt8](repeating: 0, count: width * height * 3)
        var band = OutputBand(width: width)
        let columnWeights = plan.columns.spans.indices.map { TileBlend.weights(plan.columns, span: $0) }
        var done = 0

        for (r, row) in plan.rows.spans.enumerated() {
            let rowWeights = TileBlend.weights(plan.rows, span: r)
            // Content rows this tile row contributes to.
            let contentRows = max(row.blend.lowerBound - frame.top, 0)..<min(row.blend.upperBound - frame.top, height)
            band.extend(to: contentRows.upperBound)
            for (c, col) in plan.columns.spans.enumerated() {
                try control.check()
                let input = Self.frameCrop(image, frame: frame, rows: row.decodeInput, columns: col.decodeInput)
                let features = model.encodeStyle(input)
                let window = crop(features, top: row.decode.lowerBound - row.decodeInput.lowerBound / s,
                                  left: col.decode.lowerBound - col.decodeInput.lowerBound / s,
                                  height: row.decode.count, width: col.decode.count)
                let swapped = try swap(window, row.decode, col.decode)
                // Decoded pixels cover frame rows from decode.lowerBound * s (cut at the frame's end).
                let y0 = row.decode.lowerBound * s, x0 = col.decode.lowerBound * s
                let decoded = model.decode(swapped, geometry: ContentGeometry(
                    height: min(row.decode.upperBound * s, frame.height) - y0,
                    width: min(col.decode.upperBound * s, frame.width) - x0))
                let contentCols = max(col.blend.lowerBound - frame.left, 0)..<min(col.blend.upperBound - frame.left, width)
                band.add(decoded, originY: y0 - frame.top, originX: x0 - frame.left,
                         rows: contentRows, columns: contentCols,
                         rowWeights: rowWeights, rowWeightOrigin: row.blend.lowerBound - frame.top,
                         columnWeights: columnWeights[c], columnWeightOrigin: col.blend.lowerBound - frame.left)
                done += 1
                control.progress?(EngineProgress(phase: "tiles", done: done, total: plan.count))
            }
            let finished = r + 1 < plan.rows.spans.count
                ? min(max(plan.rows.spans[r + 1].blend.lowerBound - frame.top, 0), height) : height
            band.flush(upTo: finished, into: &output)
        }
        return Image(width: width, height: height, rgb: output, alpha: image.alpha)
    }

    /// Frame pixels rows x columns as a 1 x h x w x 3 tensor in [0, 1]: frame pixel (y, x)
    /// is content pixel (reflect(y - top), reflect(x - left)) (`reflectIndex`, as the
    /// untiled padding). Only this window is converted to floats.
    public static func frameCrop(_ image: Image, frame: NetworkFrame, rows: Range<Int>, columns: Range<Int>) -> Tensor {
        let h = rows.count, w = columns.count
        let sourceX = columns.map { reflectIndex($0 - frame.left, image.width) }
        return Tensor(shape: Shape(n: 1, h: h, w: w, c: 3), unsafeUninitialized: { out in
            image.rgb.withUnsafeBufferPointer { rgb in
                for i in 0..<h {
                    let line = reflectIndex(rows.lowerBound + i - frame.top, image.height) * image.width
                    for j in 0..<w {
                        let from = 3 * (line + sourceX[j]), to = 3 * (i * w + j)
                        out[to] = Float(rgb[from]) * (1 / 255)
                        out[to + 1] = Float(rgb[from + 1]) * (1 / 255)
                        out[to + 2] = Float(rgb[from + 2]) * (1 / 255)
                    }
                }
            }
        })
    }
}

/// Float accumulator for the output rows being blended: rows [first, first + count) of the
/// content, 3 values per pixel. Finished rows are quantised to 8 bits
/// (round(clamp(v, 0, 1) * 255), as `Image(tensor:)`) and dropped.
struct OutputBand {
    let width: Int
    private(set) var first = 0
    private(set) var values: [Float] = []

    init(width: Int) { self.width = width }

    var rowCount: Int { values.count / (3 * width) }

    /// Makes the band reach row `end` (new rows start at 0).
    mutating func extend(to end: Int) {
        let missing = end - (first + rowCount)
        if missing > 0 { values.append(contentsOf: repeatElement(0, count: missing * 3 * width)) }
    }

    /// band(y, x) += wr(y) * wc(x) * decoded(y - originY, x - originX) over rows x columns.
    mutating func add(_ decoded: Tensor, originY: Int, originX: Int, rows: Range<Int>, columns: Range<Int>,
                      rowWeights: [Float], rowWeightOrigin: Int, columnWeights: [Float], columnWeightOrigin: Int) {
        let dw = decoded.shape.w, width = self.width, first = self.first
        decoded.data.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { dst in
                for y in rows {
                    let wr = rowWeights[y - rowWeightOrigin]
                    if wr == 0 { continue }
                    let srcRow = (y - originY) * dw, dstRow = (y - first) * width
                    for x in columns {
                        let w = wr * columnWeights[x - columnWeightOrigin]
                        let from = 3 * (srcRow + x - originX), to = 3 * (dstRow + x)
                        dst[to] += w * src[from]
                        dst[to + 1] += w * src[from + 1]
                        dst[to + 2] += w * src[from + 2]
                    }
                }
            }
        }
    }

    /// Writes rows [first, end) to `rgb` (the whole content image) and drops them.
    mutating func flush(upTo end: Int, into rgb: inout [UInt8]) {
        let count = max(0, min(end, first + rowCount) - first)
        guard count > 0 else { return }
        let n = count * 3 * width, offset = first * 3 * width
        values.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n { dst[offset + i] = quantized8(src[i]) }
            }
        }
        values.removeFirst(n)
        first += count
    }
}
