/// 3x3 stride-1 convolution of an already padded NHWC image by Winograd's minimal
/// filtering F(2x2, 3x3) (Lavin & Gray 2016), with bias and a fused activation.
///
/// For every 2x2 output tile with 4x4 input patch d (per input channel) and 3x3
/// filter g (per channel pair):  Y = Aᵀ [ Σ_ci (G g Gᵀ) ⊙ (Bᵀ d B) ] A, where
///   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
///   Aᵀ = [1 1 1 0; 0 1 -1 -1].
/// The sum over ci is 16 independent GEMMs (one per patch position ξ): tiles x Cin
/// times Cin x Cout, run by the same 6x16 register-blocked micro-kernel as the direct
/// convolution. 16 multiplies per 2x2 outputs per channel pair instead of 36: 2.25x
/// fewer FLOPs. Output is (inH - 2) x (inW - 2); odd sizes read zeros past the input
/// and drop the tile's extra outputs. Cin and Cout must be multiples of 8
/// (`isApplicable`); other layers use `Conv2DKernel`.
///
/// Pieces: (sample, tile row, chunk of at most `maxTilesPerPiece` tiles; a row is
/// split into equal chunks), independent of the thread count; every value is
/// computed the same way whatever thread computes it. Longer chunks reuse each
/// transformed weight matrix over more tiles. Scratch (caller-provided):
/// `scratchCount(...)` floats per worker.
public enum WinogradConvKernel {
    /// Upper bound on the 2x2 tiles of one piece.
    nonisolated(unsafe) public static var maxTilesPerPiece = 32

    /// Tiles per piece for an output `outW` wide: the row's tiles in equal chunks.
    public static func tilesPerPiece(outW: Int) -> Int {
        let tilesX = (outW + 1) / 2
        let chunks = (tilesX + maxTilesPerPiece - 1) / maxTilesPerPiece
        return max(1, (tilesX + chunks - 1) / max(chunks, 1))
    }

    /// Number of pieces `run` splits the work into.
    public static func pieceCount(batch: Int, outH: Int, outW: Int) -> Int {
        let tilesX = (outW + 1) / 2
        let t = tilesPerPiece(outW: outW)
        return batch * ((outH + 1) / 2) * ((tilesX + t - 1) / t)
    }

    /// Whether this kernel handles a 3x3 stride-1 convolution with these channel counts.
    public static func isApplicable(inChannels: Int, outChannels: Int) -> Bool {
        inChannels % 8 == 0 && outChannels % 8 == 0 && inChannels >= 16
    }

    /// Floats of transformed weights: 16 x blocks x Cin x 16.
    public static func packedCount(outChannels: Int, inChannels: Int) -> Int {
        16 * ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1) * inChannels * 16
    }

    /// Scratch floats per worker: transformed input (16 x tiles x Cin) and products
    /// (16 x tiles x Cout rounded up to 16).
    public static func scratchCount(inChannels: Int, outChannels: Int, outW: Int) -> Int {
        let coutPad = ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1) * 16
        return 16 * tilesPerPiece(outW: outW) * (inChannels + coutPad)
    }

    /// U = G g Gᵀ for each (co, ci), stored `[ξ][co block][ci][16]` (zero past Cout).
    public static func pack(oihw: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                            output: UnsafeMutablePointer<Float>) {
        let nb = ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1)
        output.update(repeating: 0, count: packedCount(outChannels: outChannels, inChannels: inChannels))
        for co in 0..<outChannels {
            for ci in 0..<inChannels {
                let g = oihw + (co * inChannels + ci) * 9
                // rows of G g (4x3)
                for r in 0..<4 {
                    // row r of G g, then that row times Gᵀ
                    func ggAt(_ c: Int) -> Float {
                        let g0 = g[c], g1 = g[3 + c], g2 = g[6 + c]
                        switch r {
                        case 0: return g0
                        case 1: return 0.5 * (g0 + g1 + g2)
                        case 2: return 0.5 * (g0 - g1 + g2)
                        default: return g2
                        }
                    }
                    let a = ggAt(0), b = ggAt(1), c = ggAt(2)
                    let u0 = a, u1 = 0.5 * (a + b + c), u2 = 0.5 * (a - b + c), u3 = c
                    let base = output + co % 16
                    let stride = (nb * inChannels) * 16   // distance between consecutive ξ
                    let at = ((r * 4) * nb + co / 16) * inChannels * 16 + ci * 16
                    base[at] = u0
                    base[at + stride] = u1
                    base[at + 2 * stride] = u2
                    base[at + 3 * stride] = u3
                }
            }
        }
    }

    public static func run(
        input: UnsafePointer<Float>, batch: Int, inH: Int, inW: Int, inC: Int,
        packedWeights: UnsafePointer<Float>, bias: UnsafePointer<Float>, outC: Int,
        activation: FusedActivation, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, workers: Int
    ) {
        precondition(isApplicable(inChannels: inC, outChannels: outC), "Winograd kernel needs channel counts that are multiples of 8")
        let outH = inH - 2, outW = inW - 2
        guard batch > 0, outH > 0, outW > 0, outC > 0 else { return }
        let nb = ConvPacking.blocksPerGroup(outChannels: outC, groups: 1)
        let coutPad = nb * 16
        let tilesY = (outH + 1) / 2, tilesX = (outW + 1) / 2
        let tilesPerPiece = tilesPerPiece(outW: outW)
        let chunks = (tilesX + tilesPerPiece - 1) / tilesPerPiece
        let perWorker = scratchCount(inChannels: inC, outChannels: outC, outW: outW)
        Parallel.forEach(batch * tilesY * chunks, workers: workers) { piece, worker in
            let n = piece / (tilesY * chunks)
            let ty = (piece / chunks) % tilesY
            let t0 = (piece % chunks) * tilesPerPiece
            let count = min(tilesPerPiece, tilesX - t0)
            let v = scratch + worker * perWorker                 // [ξ][tile][ci]
            let m = v + 16 * tilesPerPiece * inC                 // [ξ][tile][co]
            let image = input + n * inH * inW * inC
            for j in 0..<count {
                transformInput(image, inH: inH, inW: inW, c: inC, y0: 2 * ty, x0: 2 * (t0 + j),
                               out: v + j * inC, xiStride: tilesPerPiece * inC)
            }
            for xi in 0..<16 {
                let vx = v + xi * tilesPerPiece * inC
                let mx = m + xi * tilesPerPiece * coutPad
                for b in 0..<nb {
                    let w = packedWeights + (xi * nb + b) * inC * 16
                    if count >= 6 {
                        var j = 0
                        while true {
                            if j + 6 > count { j = count - 6 }    // overlapping last tile
                            Conv2DKernel.tile6x16(vx + j * inC, rowStride: 0, pixelStride: inC, tapStride: 0,
                                                  kh: 1, kw: 1, cin: inC, weights: w, bias: zero16,
                                                  out: mx + j * coutPad + b * 16, outPixelStride: coutPad,
                                                  valid: 16, activation: .none)
                            if j + 6 >= count { break }
                            j += 6
                        }
                    } else {
                        for j in 0..<count {
                            Conv2DKernel.tile1x16(vx + j * inC, rowStride: 0, tapStride: 0, kh: 1, kw: 1,
                                                  cin: inC, weights: w, bias: zero16,
                                                  out: mx + j * coutPad + b * 16, valid: 16, activation: .none)
                        }
                    }
                }
            }
            let outImage = output + n * outH * outW * outC
            for j in 0..<count {
                transformOutput(m + j * coutPad, xiStride: tilesPerPiece * coutPad, outC: outC,
                                bias: bias, activation: activation,
                                out: outImage, outH: outH, outW: outW, y0: 2 * ty, x0: 2 * (t0 + j))
            }
        }
    }

    /// V = Bᵀ d B for the 4x4 patch at (y0, x0) of every channel; zeros outside the image.
    @inline(__always)
    static func transformInput(_ image: UnsafePointer<Float>, inH: Int, inW: Int, c: Int, y0: Int, x0: Int,
                               out: UnsafeMutablePointer<Float>, xiStride: Int) {
        let inside = y0 + 4 <= inH && x0 + 4 <= inW
        var ch = 0
        while ch + 8 <= c {
            // load the 4x4 patch
            var p00 = SIMD8<Float>(), p01 = p00, p02 = p00, p03 = p00
            var p10 = p00, p11 = p00, p12 = p00, p13 = p00
            var p20 = p00, p21 = p00, p22 = p00, p23 = p00
            var p30 = p00, p31 = p00, p32 = p00, p33 = p00
            @inline(__always) func at(_ r: Int, _ k: Int) -> SIMD8<Float> {
                let y = y0 + r, x = x0 + k
                if inside || (y < inH && x < inW) { return load8(image + (y * inW + x) * c + ch) }
                return .zero
            }
            p00 = at(0, 0); p01 = at(0, 1); p02 = at(0, 2); p03 = at(0, 3)
            p10 = at(1, 0); p11 = at(1, 1); p12 = at(1, 2); p13 = at(1, 3)
            p20 = at(2, 0); p21 = at(2, 1); p22 = at(2, 2); p23 = at(2, 3)
            p30 = at(3, 0); p31 = at(3, 1); p32 = at(3, 2); p33 = at(3, 3)
            // rows: Bᵀ d
            let r00 = p00 - p20, r01 = p01 - p21, r02 = p02 - p22, r03 = p03 - p23
            let r10 = p10 + p20, r11 = p11 + p21, r12 = p12 + p22, r13 = p13 + p23
            let r20 = p20 - p10, r21 = p21 - p11, r22 = p22 - p12, r23 = p23 - p13
            let r30 = p10 - p30, r31 = p11 - p31, r32 = p12 - p32, r33 = p13 - p33
            // columns: (Bᵀ d) B
            let o = out + ch
            store8(r00 - r02, o); store8(r01 + r02, o + xiStride)
            store8(r02 - r01, o + 2 * xiStride); store8(r01 - r03, o + 3 * xiStride)
            store8(r10 - r12, o + 4 * xiStride); store8(r11 + r12, o + 5 * xiStride)
            store8(r12 - r11, o + 6 * xiStride); store8(r11 - r13, o + 7 * xiStride)
            store8(r20 - r22, o + 8 * xiStride); store8(r21 + r22, o + 9 * xiStride)
            store8(r22 - r21, o + 10 * xiStride); store8(r21 - r23, o + 11 * xiStride)
            store8(r30 - r32, o + 12 * xiStride); store8(r31 + r32, o + 13 * xiStride)
            store8(r32 - r31, o + 14 * xiStride); store8(r31 - r33, o + 15 * xiStride)
            ch += 8
        }
    }

    /// Y = Aᵀ M A + bias, activation, stored for the outputs of the tile inside the image.
    @inline(__always)
    static func transformOutput(_ m: UnsafePointer<Float>, xiStride s: Int, outC: Int,
                                bias: UnsafePointer<Float>, activation: FusedActivation,
                                out: UnsafeMutablePointer<Float>, outH: Int, outW: Int, y0: Int, x0: Int) {
        let hasRow1 = y0 + 1 < outH, hasCol1 = x0 + 1 < outW
        let o00 = out + (y0 * outW + x0) * outC
        let o01 = o00 + outC, o10 = o00 + outW * outC, o11 = o10 + outC
        var co = 0
        while co + 8 <= outC {
            @inline(__always) func mm(_ xi: Int) -> SIMD8<Float> { load8(m + xi * s + co) }
            // columns: M A  (per row r: t_r0 = m_r0 + m_r1 + m_r2, t_r1 = m_r1 - m_r2 - m_r3)
            let a0 = mm(0) + mm(1) + mm(2), a1 = mm(1) - mm(2) - mm(3)
            let b0 = mm(4) + mm(5) + mm(6), b1 = mm(5) - mm(6) - mm(7)
            let c0 = mm(8) + mm(9) + mm(10), c1 = mm(9) - mm(10) - mm(11)
            let d0 = mm(12) + mm(13) + mm(14), d1 = mm(13) - mm(14) - mm(15)
            let bv = load8(bias + co)
            // rows: Aᵀ (M A)
            store8(activation.apply(a0 + b0 + c0 + bv), o00 + co)
            if hasCol1 { store8(activation.apply(a1 + b1 + c1 + bv), o01 + co) }
            if hasRow1 {
                store8(activation.apply(b0 - c0 - d0 + bv), o10 + co)
                if hasCol1 { store8(activation.apply(b1 - c1 - d1 + bv), o11 + co) }
            }
            co += 8
        }
    }
}

/// Sixteen zeros: the "bias" of the Winograd GEMMs (the real bias is added after the output transform).
let zero16: UnsafePointer<Float> = {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: 16)
    p.initialize(repeating: 0, count: 16)
    return UnsafePointer(p)
}()
