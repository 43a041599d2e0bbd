import StyleModels

/// The image the network actually sees for a content of `contentHeight x contentWidth`:
/// the content placed at (`top`, `left`) inside a frame of `height x width` pixels whose
/// other pixels are the content reflected at its true border (the model's `NetworkLayout`
/// says by how much). Frame pixel (y, x) is content pixel (reflect(y - top), reflect(x - left)).
///
/// The encoder maps frame pixels [s*i, s*i + s) to feature cell i (s = `stride`), so a
/// tile whose crop of the frame starts at a multiple of s has its feature grid aligned
/// with the untiled one.
public struct NetworkFrame: Equatable, Sendable {
    public let contentHeight: Int
    public let contentWidth: Int
    public let top: Int
    public let left: Int
    public let height: Int
    public let width: Int
    public let stride: Int

    public init(contentHeight: Int, contentWidth: Int, top: Int, left: Int, height: Int, width: Int, stride: Int) {
        self.contentHeight = contentHeight; self.contentWidth = contentWidth
        self.top = top; self.left = left; self.height = height; self.width = width; self.stride = stride
    }

    /// The frame a network with `layout` sees for a content of this size.
    public init(layout: NetworkLayout, contentHeight h: Int, contentWidth w: Int) {
        let size = layout.frameSize(contentHeight: h, contentWidth: w)
        self.init(contentHeight: h, contentWidth: w, top: layout.contentPad, left: layout.contentPad,
                  height: size.height, width: size.width, stride: layout.stride)
    }

    /// Feature cells along each side: ceil(frame / stride).
    public var featureHeight: Int { (height + stride - 1) / stride }
    public var featureWidth: Int { (width + stride - 1) / stride }
}

/// How far a tile must look past the region it is responsible for so that its results
/// there equal the untiled ones.
///
/// - `encoderPixels`: the encoder's receptive-field half-width in input pixels, rounded
///   up to a multiple of the stride (`NetworkLayout.encoderMarginPixels`).
/// - `decoderCells`: the decoder's receptive-field half-width in feature cells
///   (`NetworkLayout.decoderMarginCells`).
/// - `blendCells`: half-width of the feathered seam in cells (the raised-cosine ramp
///   spans 2 * blendCells * stride pixels across each tile boundary).
public struct TileMargins: Equatable, Sendable {
    public var encoderPixels: Int
    public var decoderCells: Int
    public var blendCells: Int

    public init(encoderPixels: Int = 32, decoderCells: Int = 4, blendCells: Int = 2) {
        self.encoderPixels = encoderPixels; self.decoderCells = decoderCells; self.blendCells = blendCells
    }

    /// The margins a network with `layout` needs, with seams of `blendCells` cells.
    public init(layout: NetworkLayout, blendCells: Int = 2) {
        self.init(encoderPixels: layout.encoderMarginPixels, decoderCells: layout.decoderMarginCells, blendCells: blendCells)
    }
}

/// One tile's ranges along one axis. Cells are feature-grid indices, pixels are frame
/// coordinates; every upper bound is exclusive.
public struct TileSpan: Equatable, Sendable {
    /// Cells this tile is responsible for (the spans of one axis partition the grid);
    /// pass 1 counts exactly these cells in the global statistics.
    public let owned: Range<Int>
    /// Frame pixels where this tile's blend weight is non-zero.
    public let blend: Range<Int>
    /// Cells this tile decodes (blend region plus the decoder margin).
    public let decode: Range<Int>
    /// Frame pixels encoded to obtain the `decode` cells (plus the encoder margin).
    public let decodeInput: Range<Int>
    /// Frame pixels encoded to obtain the `owned` cells in pass 1.
    public let ownedInput: Range<Int>
}

/// The tiles along one axis of a frame: `count` spans with owned cells as equal as
/// possible (boundaries at floor(k * cells / count)), so tile origins sit on multiples of
/// the stride and the feature grids of all tiles align with the untiled grid.
///
/// The regions a tile encodes and decodes start on multiples of `alignCells` cells (and of
/// `alignCells` strides of pixels): every Winograd F(4x4,3x3) layer of the encoder (at /1 to
/// /8) and of the decoder then places its 4x4 output tiles where the untiled run places them,
/// so the outputs a tile keeps are the untiled run's bits, with bf16 operands (whose rounding
/// depends on an output's place in its 4x4 tile) as with float32 ones.
public struct TileAxis: Equatable, Sendable {
    public let spans: [TileSpan]
    /// Boundaries between owned ranges, in cells (count + 1 values, 0 ... cells).
    public let boundaries: [Int]
    public let stride: Int
    public let blendPixels: Int
    public let length: Int

    /// Cells the start of a tile's encoded and decoded regions is a multiple of (Winograd's 4x4
    /// output tile).
    public static let alignCells = 4

    /// `tileCells`: wanted owned cells per tile (the last tiles may get fewer or a few more).
    public init(length: Int, stride: Int, tileCells: Int, margins: TileMargins) {
        let cells = (length + stride - 1) / stride
        let count = max(1, (cells + tileCells - 1) / max(tileCells, 1))
        let bounds = (0...count).map { $0 * cells / count }
        let o = margins.blendCells, d = margins.decoderCells, e = margins.encoderPixels
        let a = Self.alignCells
        func clampCells(_ a: Int, _ b: Int) -> Range<Int> { max(a, 0)..<min(b, cells) }
        func clampPixels(_ a: Int, _ b: Int) -> Range<Int> { max(a, 0)..<min(b, length) }
        /// x rounded down to a multiple of m (x < 0 gives 0 after clamping anyway).
        func down(_ x: Int, _ m: Int) -> Int { x <= 0 ? x : x / m * m }
        spans = (0..<count).map { k in
            let owned = bounds[k]..<bounds[k + 1]
            let lo = k == 0 ? 0 : (owned.lowerBound - o) * stride
            let hi = k == count - 1 ? length : (owned.upperBound + o) * stride
            let decode = clampCells(down(owned.lowerBound - o - d, a), owned.upperBound + o + d)
            return TileSpan(owned: owned, blend: clampPixels(lo, hi), decode: decode,
                            decodeInput: clampPixels(down(decode.lowerBound * stride - e, a * stride), decode.upperBound * stride + e),
                            ownedInput: clampPixels(down(owned.lowerBound * stride - e, a * stride), owned.upperBound * stride + e))
        }
        boundaries = bounds
        self.stride = stride
        self.blendPixels = o * stride
        self.length = length
    }

    /// The smallest owned range, in cells (the ramps of a tile's two sides must not overlap).
    public var smallestOwnedCells: Int { spans.map(\.owned.count).min() ?? 0 }
}

/// A two-pass tiling of one content image (see `TiledTransfer`).
public struct TilePlan: Equatable, Sendable {
    public let frame: NetworkFrame
    public let margins: TileMargins
    public let rows: TileAxis
    public let columns: TileAxis
    /// Requested tile size in content pixels (rounded down to a multiple of the stride).
    public let tilePixels: Int

    /// Tiles of about `tilePixels` (>= 8 stride multiples, rounded down to a multiple of
    /// the stride) over `frame`. Throws when the tiles would be too small for the seams.
    public init(frame: NetworkFrame, tilePixels: Int, margins: TileMargins = .init()) throws {
        let s = frame.stride
        let cells = tilePixels / s
        let minimum = 4 * margins.blendCells + 2
        guard cells >= minimum, cells >= 8 else {
            throw OptionError(.tile, "\(option: .tile) \(tilePixels) is too small: tiles need at least \(max(minimum, 8) * s) pixels")
        }
        self.frame = frame
        self.margins = margins
        self.tilePixels = cells * s
        rows = TileAxis(length: frame.height, stride: s, tileCells: cells, margins: margins)
        columns = TileAxis(length: frame.width, stride: s, tileCells: cells, margins: margins)
        guard rows.spans.count == 1 || rows.smallestOwnedCells >= 2 * margins.blendCells,
              columns.spans.count == 1 || columns.smallestOwnedCells >= 2 * margins.blendCells else {
            throw OptionError(.tile, "\(option: .tile) \(tilePixels): tiles too small for the \(2 * margins.blendCells * s)-pixel seams")
        }
    }

    /// Number of tiles.
    public var count: Int { rows.spans.count * columns.spans.count }
}
