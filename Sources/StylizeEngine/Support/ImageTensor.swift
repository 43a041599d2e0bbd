import ImageCodecs
import StyleTensor

extension Tensor {
    /// The image's RGB values as a 1 x h x w x 3 tensor scaled to [0, 1] (alpha is not included).
    public init(image: Image) {
        let count = image.width * image.height * 3
        self.init(shape: Shape(n: 1, h: image.height, w: image.width, c: 3)) { out in
            image.rgb.withUnsafeBufferPointer { rgb in
                for i in 0..<count { out[i] = Float(rgb[i]) * (1 / 255) }
            }
        }
    }
}

extension Image {
    /// Quantises sample `n` of an RGB tensor in [0, 1] to 8 bits: round(clamp(v, 0, 1) * 255).
    /// `alpha`, when given, must hold one value per pixel and is kept as is.
    public init(tensor: Tensor, sample n: Int = 0, alpha: [UInt8]? = nil) {
        precondition(tensor.shape.c == 3, "an image tensor has 3 channels, got \(tensor.shape)")
        let count = tensor.shape.pixels * 3
        let offset = n * count
        var rgb = [UInt8](repeating: 0, count: count)
        tensor.data.withUnsafeBufferPointer { src in
            for i in 0..<count { rgb[i] = quantized8(src[offset + i]) }
        }
        self.init(width: tensor.shape.w, height: tensor.shape.h, rgb: rgb, alpha: alpha)
    }
}

/// An RGB value on [0, 1] as 8 bits: round(clamp(v, 0, 1) * 255). Every path that turns a
/// network's output into pixels (untiled, tiled, band sweep) rounds with this.
@inline(__always)
func quantized8(_ v: Float) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }

/// Values clamped to [0, 1].
func clamp01(_ x: Tensor) -> Tensor {
    var y = x
    for i in y.data.indices { y.data[i] = min(max(y.data[i], 0), 1) }
    return y
}
