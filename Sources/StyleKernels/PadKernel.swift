/// Spatial padding of an NHWC image.
///
/// out[n, y, x, c] = in[n, src(y - top, h), src(x - left, w), c], where `src` is
/// `reflectIndex` for `.reflect`, and positions outside the image read 0 for `.zero`.
/// Output is `batch x (h+top+bottom) x (w+left+right) x channels`.
public enum PadKernel {
    /// Fast version: each output row is one bulk copy of the interior plus
    /// per-pixel copies of the borders. Parallel over output rows.
    public static func run(
        input: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int, channels c: Int,
        top: Int, left: Int, bottom: Int, right: Int, mode: PadMode,
        output: UnsafeMutablePointer<Float>
    ) {
        let oh = h + top + bottom, ow = w + left + right
        precondition(h > 0 && w > 0 || (top == 0 && left == 0 && bottom == 0 && right == 0),
                     "cannot pad an empty image")
        let rows = batch * oh
        Parallel.forEach(rows) { r in
            let n = r / oh, y = r % oh
            let dst = output + r * ow * c
            let sy = y - top
            if mode == .zero && (sy < 0 || sy >= h) {
                dst.update(repeating: 0, count: ow * c)
                return
            }
            let srcRow = input + (n * h + (mode == .zero ? sy : reflectIndex(sy, h))) * w * c
            // interior
            (dst + left * c).update(from: srcRow, count: w * c)
            // borders
            for x in 0..<left {
                copyPixel(srcRow, x - left, w, c, mode, dst + x * c)
            }
            for x in (left + w)..<ow {
                copyPixel(srcRow, x - left, w, c, mode, dst + x * c)
            }
        }
    }

    @inline(__always)
    private static func copyPixel(_ srcRow: UnsafePointer<Float>, _ sx: Int, _ w: Int, _ c: Int,
                                  _ mode: PadMode, _ dst: UnsafeMutablePointer<Float>) {
        if mode == .zero {
            dst.update(repeating: 0, count: c)
        } else {
            dst.update(from: srcRow + reflectIndex(sx, w) * c, count: c)
        }
    }

    /// Naive twin: one value at a time, straight from the formula.
    @_spi(Testing) public static func naive(
        input: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int, channels c: Int,
        top: Int, left: Int, bottom: Int, right: Int, mode: PadMode,
        output: UnsafeMutablePointer<Float>
    ) {
        let oh = h + top + bottom, ow = w + left + right
        for n in 0..<batch {
            for y in 0..<oh {
                for x in 0..<ow {
                    for ch in 0..<c {
                        let sy = y - top, sx = x - left
                        var v: Float = 0
                        switch mode {
                        case .zero:
                            if sy >= 0 && sy < h && sx >= 0 && sx < w {
                                v = input[((n * h + sy) * w + sx) * c + ch]
                            }
                        case .reflect:
                            v = input[((n * h + reflectIndex(sy, h)) * w + reflectIndex(sx, w)) * c + ch]
                        }
                        output[((n * oh + y) * ow + x) * c + ch] = v
                    }
                }
            }
        }
    }
}
