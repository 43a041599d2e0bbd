import StyleTensor

/// Where the cells of one encoder tap (`AdaINNetwork.featureTaps`) sit along one axis of an
/// input `length` pixels long, as the untiled encoder computes them:
///
///     cell i of the tap is computed from input pixels starting at  stride * i - offset
///
/// `offset` collects, layer by layer, each conv's padding before the input (in input
/// pixels), so it depends on the length only through TensorFlow "SAME" padding, whose
/// amount before the input of a stride-2 conv is 0 or 1 with the parity of its input.
/// Two runs of the encoder on inputs that start at pixels a and 0 of the same image agree
/// on a cell (up to the crop's border) when their grids align:
/// `(a + offset(whole) - offset(crop)) % stride == 0`; the crop's cell j is then the
/// whole image's cell `(a + offset(whole) - offset(crop)) / stride + j`. Tiled distance
/// measurements (`DistanceMeter`) cut images where this holds for every tap.
public struct TapGrid: Equatable, Sendable {
    /// Channels of the tap.
    public let channels: Int
    /// Input pixels per cell.
    public let stride: Int
    /// Padding before the input, summed over the layers and scaled to input pixels.
    public let offset: Int
    /// Cells along the axis.
    public let count: Int

    public init(channels: Int, stride: Int, offset: Int, count: Int) {
        self.channels = channels; self.stride = stride; self.offset = offset; self.count = count
    }

    /// The grid after a conv of `layer` (kernel, stride and padding along one axis).
    func after(_ layer: ConvLayer) -> TapGrid {
        let k = layer.weights.kernelH, s = layer.stride
        let pad = layer.padding.resolve(height: count, width: count, kernelH: k, kernelW: k, stride: s)
        return TapGrid(channels: layer.outChannels, stride: stride * s, offset: offset + stride * pad.top,
                       count: (count + pad.top + pad.bottom - k) / s + 1)
    }

    /// The grid after a 2x2 max pool of stride 2 in ceil mode (`maxPool2x2`).
    func afterPool() -> TapGrid {
        TapGrid(channels: channels, stride: 2 * stride, offset: offset, count: (count + 1) / 2)
    }
}
