/// How a network's input pixels map to its features, for the pipeline's tiling: the
/// pipeline asks these questions and never looks at the architecture.
///
/// The network sees a *frame*: the content reflected outward by `contentPad` pixels on
/// every side and then up to a multiple of `frameMultiple` at the bottom and right (frame
/// pixel (y, x) is content pixel (reflect(y - contentPad), reflect(x - contentPad))).
/// Feature cell i covers frame pixels [stride * i, stride * (i + 1)), so a crop of the
/// frame that starts at a multiple of `stride` has its feature grid aligned with the
/// untiled one.
public struct NetworkLayout: Equatable, Sendable {
    /// Frame pixels per feature cell along each side; tile crops start at multiples of it.
    public let stride: Int
    /// Reflection padding the network adds around the content before encoding.
    public let contentPad: Int
    /// The frame is padded (by reflection) at the bottom and right to a multiple of this.
    public let frameMultiple: Int
    /// How far past a feature cell's own pixels its value depends on input pixels, rounded
    /// up to a multiple of `stride` (the encoder's receptive-field half-width).
    public let encoderMarginPixels: Int
    /// How many feature cells around an output pixel's own cell the decoder reads.
    public let decoderMarginCells: Int

    public init(stride: Int, contentPad: Int, frameMultiple: Int, encoderMarginPixels: Int, decoderMarginCells: Int) {
        precondition(stride >= 1 && frameMultiple >= 1 && contentPad >= 0, "invalid network layout")
        self.stride = stride; self.contentPad = contentPad; self.frameMultiple = frameMultiple
        self.encoderMarginPixels = encoderMarginPixels; self.decoderMarginCells = decoderMarginCells
    }
}

/// A network's memory cost, for the pipeline's budget (`--max-memory`).
///
///     peak bytes ~ weightBytes + 4 * floatsPerPixel * frame pixels          (content)
///     peak bytes ~ weightBytes + 4 * styleFloatsPerPixel * style pixels     (style)
///
/// `floatsPerPixel` is the largest number of floats per frame pixel alive at once in a
/// forward pass (inputs, outputs and copies such as padded or upsampled tensors, each
/// scaled by its resolution), derived from the layers the weights file describes; the
/// figures are checked against the measured peak RSS in `Benchmarks/memory.sh`.
/// `weightBytes` counts every copy of the weights the kernels keep (`ConvWeights.storedBytes`).
public struct MemoryFootprint: Equatable, Sendable {
    public let floatsPerPixel: Int
    public let styleFloatsPerPixel: Int
    public let weightBytes: Int

    public init(floatsPerPixel: Int, styleFloatsPerPixel: Int, weightBytes: Int) {
        self.floatsPerPixel = floatsPerPixel; self.styleFloatsPerPixel = styleFloatsPerPixel
        self.weightBytes = weightBytes
    }
}

/// What a network tells the pipeline about itself: its tiling geometry, its memory cost
/// and where its normalization statistics are taken.
public protocol DescribedNetwork: Sendable {
    var layout: NetworkLayout { get }
    var footprint: MemoryFootprint { get }
    /// The places whose content statistics the output depends on, in the order they are
    /// computed: one for an AdaIN model (its bottleneck), one per conditional instance
    /// norm for Magenta's transformer. Tiled runs gather each over the whole image.
    var statisticsSites: [String] { get }
}

extension NetworkLayout {
    /// Frame size for a content of `height x width`.
    public func frameSize(contentHeight h: Int, contentWidth w: Int) -> (height: Int, width: Int) {
        func up(_ n: Int) -> Int { (n + frameMultiple - 1) / frameMultiple * frameMultiple }
        return (up(h + 2 * contentPad), up(w + 2 * contentPad))
    }
}
