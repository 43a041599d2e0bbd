/// Nearest-neighbour upsampling by 2 (PyTorch `Upsample(scale_factor=2, mode='nearest')`).
///
/// out[n, y, x, c] = in[n, y/2, x/2, c]   (integer division), out size 2h x 2w.
public enum UpsampleKernel {
    /// Fast version: whole-pixel copies, parallel over output rows.
    public static func nearest2x(input: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
                                 channels c: Int, output: UnsafeMutablePointer<Float>) {
        let oh = 2 * h, ow = 2 * w
        guard batch > 0, h > 0, w > 0, c > 0 else { return }
        Parallel.forEach(batch * oh) { piece in
            let n = piece / oh, y = piece % oh
            let src = input + ((n * h + y / 2) * w) * c
            let dst = output + ((n * oh + y) * ow) * c
            for x in 0..<w {
                (dst + 2 * x * c).update(from: src + x * c, count: c)
                (dst + (2 * x + 1) * c).update(from: src + x * c, count: c)
            }
        }
    }

    /// Naive twin.
    @_spi(Testing) public static func nearest2xNaive(input: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
                                      channels c: Int, output: UnsafeMutablePointer<Float>) {
        for n in 0..<batch {
            for y in 0..<(2 * h) {
                for x in 0..<(2 * w) {
                    for ch in 0..<c {
                        output[((n * 2 * h + y) * 2 * w + x) * c + ch] = input[((n * h + y / 2) * w + x / 2) * c + ch]
                    }
                }
            }
        }
    }
}
