import Foundation
import ImageCodecs
import StyleModels
import StyleNN
import StyleTensor

/// The distances of outputs to one content and one style (`FeatureDistance.style` and
/// `.content`), in the feature space of an AdaIN-family network's encoder taps: what every
/// comparison reports under each variant, for both model families alike.
///
/// Memory: the meter keeps only what the distances need, the style's per-channel means and
/// deviations at each tap and the content's deepest tap, and encodes each image untiled
/// when the estimated peak fits `maxMemoryBytes` beside `heldBytes` (what the caller keeps
/// meanwhile), else tile by tile (`TilePlan`, `MemoryBudget.chooseTile`):
///
///     moments_l = merge over tiles k of moments( taps_l(crop_k)[owned cells of k] )     (Chan, in Double)
///     content   = sum over tiles k of sum (f(o) - f(c))^2 over the owned deep cells of k / elements
///
/// Crops are cut where every tap's grid aligns with the untiled one (`TapGrid`) and reach
/// the network's encoder margin past the cells they own, so each owned cell is the untiled
/// encoder's value (up to float rounding of the kernels) and the owned cells partition each
/// tap. Untiled, the distances are exactly those of `FeatureDistance.style(output:style:)` and
/// `.content` on whole tap maps; tiled, they differ from them only by the order of the
/// Double sums and the kernels' rounding (`DistanceMeterTests`).
public struct DistanceMeter {
    let network: any AdaINNetwork
    let maxMemoryBytes: Int
    let heldBytes: Int
    /// Per-channel mean and deviation of the style at each tap (`FeatureDistance.meanStd`).
    let styleMoments: [(mean: [Double], std: [Double])]
    /// The content's deepest tap, whole.
    let contentDeep: Tensor

    /// `content` is the image the outputs were stylized from (the same size as them).
    /// `maxMemoryBytes` is the budget of the whole process, `heldBytes` what the caller keeps
    /// in memory while the meter runs (outputs, images); throws when even the smallest tiles
    /// would not fit.
    public init(network: any AdaINNetwork, content: Image, style: Image,
                maxMemoryBytes: Int = MemoryBudget.defaultBytes, heldBytes: Int = 0) throws {
        self.network = network
        self.maxMemoryBytes = maxMemoryBytes
        self.heldBytes = heldBytes
        styleMoments = try Self.measure(network, style, budget: maxMemoryBytes, held: heldBytes, keepDeep: false).moments
        contentDeep = try Self.measure(network, content, budget: maxMemoryBytes, held: heldBytes, keepDeep: true).deep!
    }

    /// (style distance, content distance) of one output.
    public func distances(of output: Image) throws -> (style: Double, content: Double) {
        let m = try Self.measure(network, output, budget: maxMemoryBytes, held: heldBytes + 4 * contentDeep.data.count,
                                 keepDeep: false, against: contentDeep)
        return (FeatureDistance.style(output: m.moments, style: styleMoments), m.content!)
    }

    /// Throws, before anything is measured, when a meter for a `content` of `width x height`
    /// and `style` of `styleWidth x styleHeight` could not run within `budget` beside `held`
    /// bytes (the error `init` or `distances(of:)` would throw).
    public static func check(_ network: any AdaINNetwork, width: Int, height: Int, styleWidth: Int, styleHeight: Int,
                             budget: Int, held: Int) throws {
        let deep = network.tapGrids(length: height).last!.count * network.tapGrids(length: width).last!.count
            * network.tapGrids(length: height).last!.channels
        _ = try plan(network, width: styleWidth, height: styleHeight, budget: budget, held: held)
        _ = try plan(network, width: width, height: height, budget: budget, held: held + 4 * deep)
    }

    /// How `image` would be measured: nil untiled, else the tiles.
    public static func plan(_ network: any AdaINNetwork, width: Int, height: Int, budget: Int, held: Int) throws -> TilePlan? {
        let frame = alignedFrame(network, width: width, height: height)
        let fp = network.footprint
        let taps = network.tapGrids(length: 1)
        let tapFloats = taps.map { ($0.channels + $0.stride * $0.stride - 1) / ($0.stride * $0.stride) }.reduce(0, +)
        let meterFootprint = MemoryFootprint(floatsPerPixel: fp.styleFloatsPerPixel + tapFloats, styleFloatsPerPixel: 0,
                                             weightBytes: fp.weightBytes)
        let margins = TileMargins(layout: network.layout)
        guard let tile = try MemoryBudget.chooseTile(meterFootprint, frame: frame, stylePixels: 0, budget: budget,
                                                     margins: margins, extraBytes: held) else { return nil }
        let plan = try TilePlan(frame: frame, tilePixels: tile, margins: margins)
        return plan.count > 1 ? plan : nil
    }

    /// The image placed in a frame whose stride multiples fall where the deepest tap's grid
    /// of the whole image aligns with that of a crop of a stride multiple (the phase `p` of
    /// each axis: frame pixel y is image row y - p). The frame's pixels before the image are
    /// never read: crops are clipped to the image.
    static func alignedFrame(_ network: any AdaINNetwork, width: Int, height: Int) -> NetworkFrame {
        let s = network.layout.stride
        let py = phase(network, length: height), px = phase(network, length: width)
        return NetworkFrame(contentHeight: height, contentWidth: width, top: py, left: px,
                            height: height + py, width: width + px, stride: s)
    }

    /// (offset(whole) - offset(stride multiple)) mod stride of the deepest tap.
    static func phase(_ network: any AdaINNetwork, length: Int) -> Int {
        let s = network.layout.stride
        let whole = network.tapGrids(length: length).last!, reference = network.tapGrids(length: 4 * s).last!
        precondition(whole.stride == s, "the deepest tap's stride \(whole.stride) is not the layout's \(s)")
        return ((whole.offset - reference.offset) % s + s) % s
    }

    struct Measurement {
        var moments: [(mean: [Double], std: [Double])]
        var deep: Tensor?
        var content: Double?
    }

    /// Per-tap moments of `image` (and its whole deepest tap, or its content distance to `against`).
    static func measure(_ network: any AdaINNetwork, _ image: Image, budget: Int, held: Int,
                        keepDeep: Bool, against content: Tensor? = nil) throws -> Measurement {
        guard let plan = try plan(network, width: image.width, height: image.height, budget: budget, held: held) else {
            let taps = network.featureTaps(Tensor(image: image))
            return Measurement(moments: taps.map(FeatureDistance.meanStd), deep: keepDeep ? taps.last! : nil,
                               content: content.map { FeatureDistance.content(output: taps.last!, content: $0) })
        }
        let rows = network.tapGrids(length: image.height), columns = network.tapGrids(length: image.width)
        var totals = [FeatureStatistics?](repeating: nil, count: rows.count)
        let deepGrid = (rows.last!, columns.last!)
        var deep = keepDeep ? Tensor(shape: Shape(n: 1, h: deepGrid.0.count, w: deepGrid.1.count, c: deepGrid.0.channels)) : nil
        if let content {
            precondition(content.shape == Shape(n: 1, h: deepGrid.0.count, w: deepGrid.1.count, c: deepGrid.0.channels),
                         "content distance needs equal shapes, got \(content.shape)")
        }
        var squares = 0.0
        let whole = NetworkFrame(contentHeight: image.height, contentWidth: image.width, top: 0, left: 0,
                                 height: image.height, width: image.width, stride: plan.frame.stride)
        for row in plan.rows.spans {
            let r = TapCut(network, span: row, phase: plan.frame.top, length: image.height)
            for column in plan.columns.spans {
                let c = TapCut(network, span: column, phase: plan.frame.left, length: image.width)
                let taps = network.featureTaps(TiledStylizer.frameCrop(image, frame: whole, rows: r.input, columns: c.input))
                for (l, tap) in taps.enumerated() {
                    let (ry, ly) = r.owned(tap: l), (rx, lx) = c.owned(tap: l)
                    let owned = crop(tap, top: ly.lowerBound, left: lx.lowerBound, height: ly.count, width: lx.count)
                    guard owned.shape.pixels > 0 else { continue }
                    let stats = try FeatureStatistics(of: owned, kind: .instance)
                    totals[l] = try totals[l].map { try $0.merged(with: stats) } ?? stats
                    guard l == taps.count - 1 else { continue }
                    if deep != nil { paste(owned, into: &deep!, top: ry.lowerBound, left: rx.lowerBound) }
                    if let content { squares += squaredDifference(owned, content, top: ry.lowerBound, left: rx.lowerBound) }
                }
            }
        }
        let moments = totals.map { t -> (mean: [Double], std: [Double]) in
            let t = t!
            return (t.mean, t.variance(.unbiased).map { ($0 + 1e-5).squareRoot() })
        }
        return Measurement(moments: moments, deep: deep, content: content.map { squares / Double(max(1, $0.data.count)) })
    }

    /// target[top + i, left + j] = window[i, j].
    static func paste(_ window: Tensor, into target: inout Tensor, top: Int, left: Int) {
        let c = window.shape.c, w = window.shape.w, tw = target.shape.w
        for i in 0..<window.shape.h {
            let from = i * w * c, to = ((top + i) * tw + left) * c
            target.data.replaceSubrange(to..<(to + w * c), with: window.data[from..<(from + w * c)])
        }
    }

    /// sum (window[i, j] - whole[top + i, left + j])^2 in Double.
    static func squaredDifference(_ window: Tensor, _ whole: Tensor, top: Int, left: Int) -> Double {
        let c = window.shape.c, w = window.shape.w, tw = whole.shape.w
        var sum = 0.0
        for i in 0..<window.shape.h {
            let from = i * w * c, to = ((top + i) * tw + left) * c
            for k in 0..<(w * c) {
                let d = Double(window.data[from + k]) - Double(whole.data[to + k])
                sum += d * d
            }
        }
        return sum
    }
}

/// One tile's cut along one axis of an image, for every tap: the image pixels it encodes and,
/// per tap, the cells it owns (the whole image's indices and the crop's).
struct TapCut {
    /// Image pixels encoded.
    let input: Range<Int>
    /// Image pixels owned: the cells of each tap whose grid starts in them are this tile's.
    let ownedPixels: Range<Int>
    let whole: [TapGrid]
    let local: [TapGrid]
    let reference: [TapGrid]
    let length: Int

    init(_ network: any AdaINNetwork, span: TileSpan, phase: Int, length: Int) {
        let s = network.layout.stride
        func image(_ frame: Range<Int>) -> Range<Int> {
            min(max(frame.lowerBound - phase, 0), length)..<min(max(frame.upperBound - phase, 0), length)
        }
        input = image(span.ownedInput)
        ownedPixels = image(span.owned.lowerBound * s..<span.owned.upperBound * s)
        whole = network.tapGrids(length: length)
        local = network.tapGrids(length: input.count)
        reference = network.tapGrids(length: 4 * s)
        self.length = length
    }

    /// Tap `l`'s owned cells: (in the whole image's grid, in the crop's grid).
    func owned(tap l: Int) -> (Range<Int>, Range<Int>) {
        let g = whole[l]
        func cell(_ pixel: Int) -> Int {
            if pixel == 0 { return 0 }
            if pixel == length { return g.count }
            let shifted = pixel + g.offset - reference[l].offset
            precondition(shifted % g.stride == 0, "tap \(l): cut at pixel \(pixel) is off its grid")
            return shifted / g.stride
        }
        let global = cell(ownedPixels.lowerBound)..<cell(ownedPixels.upperBound)
        let shifted = input.lowerBound + g.offset - local[l].offset
        precondition(shifted % g.stride == 0, "tap \(l): crop at pixel \(input.lowerBound) is off its grid")
        let base = shifted / g.stride
        let inCrop = (global.lowerBound - base)..<(global.upperBound - base)
        precondition(inCrop.lowerBound >= 0 && inCrop.upperBound <= local[l].count,
                     "tap \(l): owned cells \(inCrop) outside the crop's \(local[l].count)")
        return (global, inCrop)
    }
}
