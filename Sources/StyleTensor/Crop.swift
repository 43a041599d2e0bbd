/// Copies the window rows `top..<top+height`, columns `left..<left+width` of every sample:
/// y[n, i, j, c] = x[n, top + i, left + j, c].
public func crop(_ x: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor {
    let s = x.shape
    precondition(top >= 0 && left >= 0 && height >= 0 && width >= 0
                 && top + height <= s.h && left + width <= s.w, "crop: window outside \(s)")
    if top == 0 && left == 0 && height == s.h && width == s.w { return x }
    let out = Shape(n: s.n, h: height, w: width, c: s.c)
    return Tensor(shape: out, unsafeUninitialized: { dst in
        x.data.withUnsafeBufferPointer { src in
            let rowValues = width * s.c
            for n in 0..<s.n {
                for i in 0..<height {
                    let from = s.index(n: n, y: top + i, x: left, c: 0)
                    let to = out.index(n: n, y: i, x: 0, c: 0)
                    for k in 0..<rowValues { dst[to + k] = src[from + k] }
                }
            }
        }
    })
}
