/// 2x2 max-pooling with stride 2 in ceil mode (PyTorch `MaxPool2d(2, 2, ceil_mode=True)`).
///
/// out[n, y, x, c] = max_{iy in {2y, 2y+1}, ix in {2x, 2x+1}, inside the image} in[n, iy, ix, c]
///
/// outH = ceil(h/2), outW = ceil(w/2): for odd sizes the last window is partial
/// and takes the maximum of the values it covers.
public enum MaxPoolKernel {
    /// Fast version: 8 channels at a time, parallel over output rows.
    public static func run(input: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
                           channels c: Int, output: UnsafeMutablePointer<Float>) {
        let oh = (h + 1) / 2, ow = (w + 1) / 2
        guard batch > 0, oh > 0, ow > 0, c > 0 else { return }
        let vecEnd = c / 8 * 8
        Parallel.forEach(batch * oh) { piece in
            let n = piece / oh, y = piece % oh
            let r0 = input + ((n * h + 2 * y) * w) * c
            let r1 = (2 * y + 1 < h) ? r0 + w * c : r0   // partial window: reuse the row
            let out = output + ((n * oh + y) * ow) * c
            for x in 0..<ow {
                let p0 = 2 * x * c
                let p1 = (2 * x + 1 < w) ? p0 + c : p0     // partial window: reuse the column
                var ch = 0
                while ch < vecEnd {
                    let m = max8(max8(load8(r0 + p0 + ch), load8(r0 + p1 + ch)),
                                         max8(load8(r1 + p0 + ch), load8(r1 + p1 + ch)))
                    store8(m, out + x * c + ch)
                    ch += 8
                }
                while ch < c {
                    out[x * c + ch] = max(max(r0[p0 + ch], r0[p1 + ch]), max(r1[p0 + ch], r1[p1 + ch]))
                    ch += 1
                }
            }
        }
    }

    /// Naive twin: visits the window's positions that lie inside the image.
    @_spi(Testing) public static func naive(input: UnsafePointer<Float>, batch: Int, height h: Int, width w: Int,
                             channels c: Int, output: UnsafeMutablePointer<Float>) {
        let oh = (h + 1) / 2, ow = (w + 1) / 2
        for n in 0..<batch {
            for y in 0..<oh {
                for x in 0..<ow {
                    for ch in 0..<c {
                        var m = -Float.infinity
                        for iy in (2 * y)..<min(2 * y + 2, h) {
                            for ix in (2 * x)..<min(2 * x + 2, w) {
                                m = max(m, input[((n * h + iy) * w + ix) * c + ch])
                            }
                        }
                        output[((n * oh + y) * ow + x) * c + ch] = m
                    }
                }
            }
        }
    }
}
