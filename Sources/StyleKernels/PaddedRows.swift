/// How a row kernel reads the padding of an unpadded NHWC image without a padded copy.
///
/// A conv of kernel kh x kw and stride s over pad(x) (`top`/`left`/`bottom`/`right`, `mode`)
/// has output row y read padded rows y*s ..< y*s + kh and output column x read padded columns
/// x*s ..< x*s + kw. Output columns whose taps fall inside x (`interior`) read x itself; the
/// others, and every column of a row whose taps leave x, read a small padded copy of just
/// their taps (`staged`), made per call: the values the kernel sees are those of the padded
/// copy, so the results are the same bits.
public struct PaddedRows: Sendable {
    public let height: Int, width: Int, channels: Int
    public let top: Int, left: Int, bottom: Int, right: Int, mode: PadMode
    public let kernelH: Int, kernelW: Int, stride: Int

    public init(height: Int, width: Int, channels: Int, top: Int, left: Int, bottom: Int, right: Int, mode: PadMode,
                kernelH: Int, kernelW: Int, stride: Int) {
        precondition(height >= 1 && width >= 1 && channels >= 1 && min(top, left, bottom, right) >= 0
                     && kernelH >= 1 && kernelW >= 1 && stride >= 1, "PaddedRows: bad sizes")
        self.height = height; self.width = width; self.channels = channels
        self.top = top; self.left = left; self.bottom = bottom; self.right = right; self.mode = mode
        self.kernelH = kernelH; self.kernelW = kernelW; self.stride = stride
    }

    /// Output rows and columns (0 when the padded image is smaller than the kernel).
    public var outH: Int { height + top + bottom >= kernelH ? (height + top + bottom - kernelH) / stride + 1 : 0 }
    public var outW: Int { width + left + right >= kernelW ? (width + left + right - kernelW) / stride + 1 : 0 }

    /// Output columns xa..<xb read x directly (their taps are inside).
    var interior: (xa: Int, xb: Int) {
        let xa = min(outW, (left + stride - 1) / stride)
        let xb = max(xa, min(outW, width - kernelW + left >= 0 ? (width - kernelW + left) / stride + 1 : 0))
        return (xa, xb)
    }

    func source(_ i: Int, _ n: Int) -> Int { i >= 0 && i < n ? i : (mode == .reflect ? reflectIndex(i, n) : -1) }

    /// Calls `body(taps, rowPixels, x0, count)` for spans of output row `y` of the sample at
    /// `image` that cover columns 0..<outW once: `taps` points at the first tap (ky = kx = 0)
    /// of output column x0, rows `rowPixels` pixels apart, column x0 + i at `taps + i*stride*channels`.
    public func forEachSpan(of image: UnsafePointer<Float>, row y: Int,
                            _ body: (_ taps: UnsafePointer<Float>, _ rowPixels: Int, _ x0: Int, _ count: Int) -> Void) {
        let c = channels, s = stride, kh = kernelH, kw = kernelW
        let firstRow = y * s - top
        let (xa, xb) = interior
        func staged(_ x0: Int, _ x1: Int) {
            guard x1 > x0 else { return }
            let span = (x1 - x0 - 1) * s + kw
            withUnsafeTemporaryAllocation(of: Float.self, capacity: kh * span * c) { buffer in
                let stage = buffer.baseAddress!
                for ky in 0..<kh {
                    let sy = source(firstRow + ky, height)
                    for j in 0..<span {
                        let sx = source(x0 * s + j - left, width)
                        let dst = stage + (ky * span + j) * c
                        if sy < 0 || sx < 0 {
                            dst.update(repeating: 0, count: c)
                        } else {
                            dst.update(from: image + (sy * width + sx) * c, count: c)
                        }
                    }
                }
                body(stage, span, x0, x1 - x0)
            }
        }
        if firstRow >= 0 && firstRow + kh <= height && xb > xa {
            body(image + (firstRow * width + xa * s - left) * c, width, xa, xb - xa)
            staged(0, xa)
            staged(xb, outW)
        } else {
            staged(0, outW)
        }
    }
}
