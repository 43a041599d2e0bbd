import StyleKernels
import StyleModels
import StyleNN
import StyleTensor

/// Exact global normalization statistics under a memory budget: Magenta's transformer run
/// layer by layer over bands of rows.
///
///     for each layer l:  for each band of output rows b:  y_l[b] = conv_l(pad(up(x_{l-1}))[rows of b])
///                        stats_l = merge over b of stats(y_l[b])        (Chan et al., in Double)
///                        x_l = act(norm(y_l; stats_l, gamma, beta))     (applied when x_l is read)
///
/// Every conditional instance norm needs the statistics of its whole input, which depend on
/// every earlier norm; sweeping the network layer by layer over full-width bands of rows
/// computes each layer's output once (no recomputation), gathers its statistics over the
/// whole image, and stores the pre-norm output (`ActivationStore`: in memory while the
/// `SpillPolicy` allows, else in an unlinked temporary file). The next layer reads the rows
/// it needs, applying the norm and activation then. Padding rows and columns are the same
/// reflected pixels the untiled run pads with, and band boundaries fall on multiples of 4
/// output rows (the Winograd kernel's tile), so each output value is computed exactly as in
/// the untiled run; only the statistics' summation order differs (Double, merged per band).
///
/// Cost: one forward pass of arithmetic, plus writing and reading each stored activation
/// once per reader (residual inputs are read twice) when it spills.
extension MagentaTransformer {
    /// Runs the network on a frame of `height x width` pixels (multiples of 4; see
    /// `callAsFunction` for the padding), reading input rows from `input` (a 1 x rows x width
    /// x 3 tensor for a row range) and giving the output rows, in order, to `output`.
    /// `statistics` chooses each norm's statistics from its input's own (as in
    /// `callAsFunction(_:style:norm:statistics:)`). `bandBytes` bounds the floats of one band's
    /// input, padded copy and output. `check` is called between bands (throw to stop);
    /// `progress(done, total)` counts passes over the image.
    func sweep(height: Int, width: Int, input: @escaping (Range<Int>) throws -> Tensor, style: [Float], kind: NormKind,
                      statistics: ((Int, FeatureStatistics) throws -> FeatureStatistics)?, bandBytes: Int,
                      spill: SpillPolicy, check: () throws -> Void, progress: (Int, Int) -> Void,
                      output: (Range<Int>, Tensor) throws -> Void) throws {
        try sweep(images: 1, height: height, width: width, input: { _, rows in try input(rows) }, style: style, kind: kind,
                  statistics: statistics, bandBytes: bandBytes, spill: spill, check: check, progress: progress,
                  output: { _, rows, t in try output(rows, t) })
    }

    /// The sweep over a batch of `images` frames of one size (`input(n, rows)` reads image
    /// n's rows): each layer runs band by band over every image, and each norm's statistics
    /// are merged over all of them, as the untiled network's batch statistics (`.batch`) are
    /// taken over the batch; with `.instance` and the other per-image kinds the images must
    /// be swept one at a time (a precondition). `output(n, rows, tensor)` gets image n's
    /// output rows, image by image.
    func sweep(images: Int, height: Int, width: Int, input: @escaping (Int, Range<Int>) throws -> Tensor, style: [Float],
               kind: NormKind, statistics: ((Int, FeatureStatistics) throws -> FeatureStatistics)?, bandBytes: Int,
               spill: SpillPolicy, check: () throws -> Void, progress: (Int, Int) -> Void,
               output: (Int, Range<Int>, Tensor) throws -> Void) throws {
        precondition(height % 4 == 0 && width % 4 == 0 && height >= Self.minimumSide && width >= Self.minimumSide,
                     "sweep: the frame must be at least \(Self.minimumSide) pixels and a multiple of 4, got \(height)x\(width)")
        precondition(images >= 1 && (images == 1 || kind == .batch), "sweep: several images share statistics only for batch norm")
        guard style.count == styleDimension else {
            throw ModelError.badShape(file: "style vector", name: "style", expected: "[\(styleDimension)]", got: [style.count])
        }
        let passes = steps.reduce(1) { n, step in if case .save = step { return n } else { return n + 1 } }
        var done = 0
        var x: [SweepSource] = (0..<images).map { n in
            .input(height: height, width: width, channels: 3, read: { try input(n, $0) })
        }
        var saved: [[SweepSource]] = []
        for step in steps {
            switch step {
            case .save:
                saved.append(x)
            case .add:
                let other = saved.removeLast()
                x = try zip(x, other).map { x, other in
                    let store = try ActivationStore(height: x.height, width: x.width, channels: x.channels, policy: spill)
                    let rows = Self.bandRows(rowBytes: 3 * x.width * x.channels * 4, bandBytes: bandBytes)
                    for r0 in stride(from: 0, to: x.height, by: rows) {
                        try check()
                        let r = r0..<min(r0 + rows, x.height)
                        try store.write(rows: r, add(try x.rows(r), try other.rows(r)).data)
                    }
                    return .stored(store, nil)
                }
            case .layer(let layer):
                var stores: [ActivationStore] = []
                var own: FeatureStatistics?
                for source in x {
                    let (store, stats) = try sweep(layer, input: source, kind: layer.norm.map { $0.effectiveKind(kind) },
                                                   bandBytes: bandBytes, spill: spill, check: check)
                    stores.append(store)
                    if let stats { own = try own.map { try $0.merged(with: stats) } ?? stats }
                }
                if let norm = layer.norm, let site = layer.normIndex, let own {
                    let used = try statistics?(site, own) ?? own
                    let (gamma, beta) = norm.affine(style: style)
                    guard used.channels == stores[0].channels, used.rows == 1 else {
                        throw SwapError.statisticsShape("\(norm.name): statistics for \(used.channels) channels and \(used.rows) rows, features have \(stores[0].channels) channels")
                    }
                    let (scale, shift) = norm.coefficients(gamma: gamma, beta: beta, statistics: used, samples: 1)
                    let pending = SweepNorm(scale: scale, shift: shift, activation: layer.output == .relu ? .relu : .none,
                                            sigmoid: layer.output == .sigmoid)
                    x = stores.map { .stored($0, pending) }
                } else {
                    x = stores.map { .stored($0, nil) }
                }
            }
            done += 1
            progress(done, passes)
        }
        for (n, source) in x.enumerated() {
            let rows = Self.bandRows(rowBytes: source.width * source.channels * 4, bandBytes: bandBytes)
            for r0 in stride(from: 0, to: source.height, by: rows) {
                try check()
                let r = r0..<min(r0 + rows, source.height)
                try output(n, r, try source.rows(r))
            }
        }
        progress(passes, passes)
    }

    /// Output rows per band: as many as `bandBytes` allows at `rowBytes` each, a multiple of 4, at least 4.
    static func bandRows(rowBytes: Int, bandBytes: Int) -> Int {
        max(4, bandBytes / max(rowBytes, 1) / 4 * 4)
    }

    /// One layer over `input`: the conv output (pre-norm when the layer has a norm, whose
    /// statistics of `kind` are returned; else with its activation applied) in a store.
    func sweep(_ layer: Layer, input x: SweepSource, kind: NormKind?, bandBytes: Int, spill: SpillPolicy,
               check: () throws -> Void) throws -> (ActivationStore, FeatureStatistics?) {
        let conv = layer.conv
        let up = layer.upsample ? 2 : 1
        let hu = x.height * up, wu = x.width * up
        let k = conv.weights.kernelH, p = k / 2, s = conv.stride
        let hOut = (hu + 2 * p - k) / s + 1, wOut = (wu + 2 * p - k) / s + 1
        let inC = x.channels, outC = conv.outChannels
        let store = try ActivationStore(height: hOut, width: wOut, channels: outC, policy: spill)
        let phases = layer.usesUpsamplePhases
        // The band the layer's kernel reads: the padded, upsampled input; for the phase convs
        // the input itself with a border of one pixel that repeats the edge.
        let paddedWidth = phases ? x.width + 2 : wu + 2 * p
        let rowBytes = 4 * (s * paddedWidth * inC * 2 + wOut * outC)
        let rows = Self.bandRows(rowBytes: rowBytes, bandBytes: bandBytes)
        let columnSource = phases ? (-1...x.width).map { min(max($0, 0), x.width - 1) }
            : (0..<paddedWidth).map { reflectIndex($0 - p, wu) / up }
        var total: FeatureStatistics?
        for r0 in stride(from: 0, to: hOut, by: rows) {
            try check()
            let r1 = min(r0 + rows, hOut)
            // Rows of the band, and where they come from (output rows r0..<r1 are even bounds:
            // phases of input rows r0/2..<r1/2, which read those rows and one more on each side).
            let sourceRows = phases ? ((r0 / 2 - 1)...(r1 / 2)).map { min(max($0, 0), x.height - 1) }
                : (r0 * s..<((r1 - 1) * s + k)).map { reflectIndex($0 - p, hu) / up }
            let lo = sourceRows.min()!, hi = sourceRows.max()! + 1
            let source = try x.rows(lo..<hi)
            let band = Tensor(shape: Shape(n: 1, h: sourceRows.count, w: paddedWidth, c: inC), unsafeUninitialized: { out in
                source.data.withUnsafeBufferPointer { src in
                    for (i, row) in sourceRows.enumerated() {
                        let from = (row - lo) * x.width * inC, to = i * paddedWidth * inC
                        for (j, column) in columnSource.enumerated() {
                            (out.baseAddress! + to + j * inC).update(from: src.baseAddress! + from + column * inC, count: inC)
                        }
                    }
                }
            })
            var y = layer.convolvePadded(band)
            precondition(y.shape.h == r1 - r0 && y.shape.w == wOut, "sweep: band output \(y.shape) for rows \(r0)..<\(r1) x \(wOut)")
            if let kind {
                let stats = try FeatureStatistics(of: y, kind: kind)
                total = try total.map { try $0.merged(with: stats) } ?? stats
            } else if layer.output == .sigmoid {
                y = sigmoid(y)
            }
            try store.write(rows: r0..<r1, y.data)
        }
        return (store, total)
    }
}

/// A norm applied when a stored pre-norm activation is read: x = act(scale * y + shift), then
/// the sigmoid for the output layer.
struct SweepNorm {
    let scale: [Float]
    let shift: [Float]
    let activation: Activation
    let sigmoid: Bool
}

/// An activation of the sweep, read in row ranges: the network's input, or a stored layer
/// output with its pending norm.
enum SweepSource {
    case input(height: Int, width: Int, channels: Int, read: (Range<Int>) throws -> Tensor)
    case stored(ActivationStore, SweepNorm?)

    var height: Int {
        switch self { case .input(let h, _, _, _): return h; case .stored(let s, _): return s.height }
    }
    var width: Int {
        switch self { case .input(_, let w, _, _): return w; case .stored(let s, _): return s.width }
    }
    var channels: Int {
        switch self { case .input(_, _, let c, _): return c; case .stored(let s, _): return s.channels }
    }

    func rows(_ r: Range<Int>) throws -> Tensor {
        switch self {
        case .input(_, let w, let c, let read):
            let t = try read(r)
            precondition(t.shape == Shape(n: 1, h: r.count, w: w, c: c), "sweep input: rows \(r) gave \(t.shape)")
            return t
        case .stored(let store, let norm):
            var t = try store.read(rows: r)
            if let norm {
                channelScaleShiftInPlace(&t, scale: norm.scale, shift: norm.shift, activation: norm.activation)
                if norm.sigmoid { t = sigmoid(t) }
            }
            return t
        }
    }
}
