/// 3x3 stride-1 convolution of an already padded NHWC image by Winograd's minimal
/// filtering F(4x4, 3x3) (Lavin & Gray 2016), with bias and a fused activation.
///
/// For every 4x4 output tile with 6x6 input patch d (per input channel) and 3x3
/// filter g (per channel pair):  Y = Aᵀ [ Σ_ci (G g Gᵀ) ⊙ (Bᵀ d B) ] A, where
///   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
///   G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1],
///   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
/// The sum over ci is 36 independent GEMMs (one per patch position ξ): tiles x Cin
/// times Cin x Cout, run by the 6x16 register-blocked micro-kernel of the direct
/// convolution. 36 multiplies per 16 outputs per channel pair instead of 144: 4x
/// fewer FLOPs (F(2x2,3x3): 2.25x). The transforms grow values by up to ~100x, so
/// float32 rounding is larger than the direct sum's; the tests bound it at
/// 1e-4 x Σ|terms|. Output is (inH - 2) x (inW - 2); partial tiles read zeros past
/// the input and drop their extra outputs. Cin and Cout must be multiples of 8.
///
/// Pieces: runs of `tilesPerPiece` consecutive tiles of the flat (sample, tile row,
/// tile column) order, independent of the thread count. A piece streams all 36
/// transformed weight matrices once, so pieces are made as long as the per-ξ
/// slices of transformed input and products stay within `sliceBytes` (L2): 9.4 MB of
/// weights of a 256->256 layer are then reused over 126 tiles. Scratch
/// (caller-provided): `scratchCount` floats per worker.
public enum Winograd4x4ConvKernel {
    /// Target bytes of one ξ slice of transformed input plus products (tuning knob).
    nonisolated(unsafe) public static var sliceBytes = 256 * 1024

    public static func isApplicable(inChannels: Int, outChannels: Int) -> Bool {
        inChannels % 8 == 0 && outChannels % 8 == 0 && inChannels >= 16
    }

    /// Tiles per piece: a multiple of 6 (the micro-kernel's width) between 6 and 126
    /// (measured best for 64 to 512 channels on Zen 4).
    public static func tilesPerPiece(inChannels: Int, outChannels: Int) -> Int {
        let coutPad = ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1) * 16
        let t = sliceBytes / (4 * (inChannels + coutPad))
        return max(6, min(126, t / 6 * 6))
    }

    /// Number of pieces `run` splits the work into.
    public static func pieceCount(batch: Int, outH: Int, outW: Int, inChannels: Int, outChannels: Int) -> Int {
        let tiles = batch * ((outH + 3) / 4) * ((outW + 3) / 4)
        let t = tilesPerPiece(inChannels: inChannels, outChannels: outChannels)
        return (tiles + t - 1) / t
    }

    public static func packedCount(outChannels: Int, inChannels: Int) -> Int {
        36 * ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1) * inChannels * 16
    }

    /// Transformed input (36 x tiles x Cin), products (36 x tiles x Cout rounded up
    /// to 16) and 36 vectors of transform temporaries.
    public static func scratchCount(inChannels: Int, outChannels: Int) -> Int {
        let coutPad = ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1) * 16
        return 36 * tilesPerPiece(inChannels: inChannels, outChannels: outChannels) * (inChannels + coutPad) + 36 * 8
    }

    /// U = G g Gᵀ (computed in Double) for each (co, ci), stored `[ξ][co block][ci][16]`.
    public static func pack(oihw: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                            output: UnsafeMutablePointer<Float>) {
        let nb = ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1)
        output.update(repeating: 0, count: packedCount(outChannels: outChannels, inChannels: inChannels))
        func gRow(_ a: Double, _ b: Double, _ c: Double) -> (Double, Double, Double, Double, Double, Double) {
            (a / 4, -(a + b + c) / 6, -(a - b + c) / 6, a / 24 + b / 12 + c / 6, a / 24 - b / 12 + c / 6, c)
        }
        let xiStride = nb * inChannels * 16
        for co in 0..<outChannels {
            for ci in 0..<inChannels {
                let g = oihw + (co * inChannels + ci) * 9
                // columns of G g (6x3): apply G down each kernel column
                let c0 = gRow(Double(g[0]), Double(g[3]), Double(g[6]))
                let c1 = gRow(Double(g[1]), Double(g[4]), Double(g[7]))
                let c2 = gRow(Double(g[2]), Double(g[5]), Double(g[8]))
                let rows = [(c0.0, c1.0, c2.0), (c0.1, c1.1, c2.1), (c0.2, c1.2, c2.2),
                            (c0.3, c1.3, c2.3), (c0.4, c1.4, c2.4), (c0.5, c1.5, c2.5)]
                let base = output + (co / 16) * inChannels * 16 + ci * 16 + co % 16
                for r in 0..<6 {
                    let u = gRow(rows[r].0, rows[r].1, rows[r].2)
                    let vals = [u.0, u.1, u.2, u.3, u.4, u.5]
                    for k in 0..<6 { base[(r * 6 + k) * xiStride] = Float(vals[k]) }
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
        let tilesY = (outH + 3) / 4, tilesX = (outW + 3) / 4
        let totalTiles = batch * tilesY * tilesX
        let tpp = tilesPerPiece(inChannels: inC, outChannels: outC)
        let pieces = (totalTiles + tpp - 1) / tpp
        let perWorker = scratchCount(inChannels: inC, outChannels: outC)
        Parallel.forEach(pieces, workers: workers) { piece, worker in
            let first = piece * tpp
            let count = min(tpp, totalTiles - first)
            let v = scratch + worker * perWorker                 // [ξ][tile][ci]
            let m = v + 36 * tpp * inC                           // [ξ][tile][co]
            let temp = m + 36 * tpp * coutPad                    // 36 vectors
            for j in 0..<count {
                let t = first + j
                let n = t / (tilesY * tilesX), ty = (t / tilesX) % tilesY, tx = t % tilesX
                transformInput(input + n * inH * inW * inC, inH: inH, inW: inW, c: inC, y0: 4 * ty, x0: 4 * tx,
                               out: v + j * inC, xiStride: tpp * inC, temp: temp)
            }
            for xi in 0..<36 {
                let vx = v + xi * tpp * inC
                let mx = m + xi * tpp * coutPad
                for b in 0..<nb {
                    let w = packedWeights + (xi * nb + b) * inC * 16
                    if count >= 6 {
                        var j = 0
                        while true {
                            if j + 6 > count { j = count - 6 }    // overlapping last micro-tile
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
            for j in 0..<count {
                let t = first + j
                let n = t / (tilesY * tilesX), ty = (t / tilesX) % tilesY, tx = t % tilesX
                transformOutput(m + j * coutPad, xiStride: tpp * coutPad, outC: outC, bias: bias,
                                activation: activation, out: output + n * outH * outW * outC,
                                outH: outH, outW: outW, y0: 4 * ty, x0: 4 * tx, temp: temp)
            }
        }
    }

    /// Bᵀ applied to six vectors.
    @inline(__always)
    static func bt(_ d0: SIMD8<Float>, _ d1: SIMD8<Float>, _ d2: SIMD8<Float>, _ d3: SIMD8<Float>,
                   _ d4: SIMD8<Float>, _ d5: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    {
        let four = SIMD8<Float>(repeating: 4), five = SIMD8<Float>(repeating: 5), two = SIMD8<Float>(repeating: 2)
        let a = d4 - four * d2          // d4 - 4 d2
        let b = d3 - four * d1          // d3 - 4 d1
        let c = d4 - d2
        let e = two * (d3 - d1)
        return (four * d0 - five * d2 + d4,
                a + b,                  // -4d1 - 4d2 + d3 + d4
                a - b,                  //  4d1 - 4d2 - d3 + d4
                c + e,                  // -2d1 - d2 + 2d3 + d4
                c - e,                  //  2d1 - d2 - 2d3 + d4
                four * d1 - five * d3 + d5)
    }

    /// V = Bᵀ d B for the 6x6 patch at (y0, x0) of every channel; zeros outside the image.
    @inline(__always)
    static func transformInput(_ image: UnsafePointer<Float>, inH: Int, inW: Int, c: Int, y0: Int, x0: Int,
                               out: UnsafeMutablePointer<Float>, xiStride: Int, temp: UnsafeMutablePointer<Float>) {
        let inside = y0 + 6 <= inH && x0 + 6 <= inW
        var ch = 0
        while ch < c {
            @inline(__always) func at(_ r: Int, _ k: Int) -> SIMD8<Float> {
                let y = y0 + r, x = x0 + k
                if inside || (y < inH && x < inW) { return load8(image + (y * inW + x) * c + ch) }
                return .zero
            }
            // columns: t[.][k] = Bᵀ d[.][k]
            for k in 0..<6 {
                let t = bt(at(0, k), at(1, k), at(2, k), at(3, k), at(4, k), at(5, k))
                store8(t.0, temp + (0 * 6 + k) * 8); store8(t.1, temp + (1 * 6 + k) * 8)
                store8(t.2, temp + (2 * 6 + k) * 8); store8(t.3, temp + (3 * 6 + k) * 8)
                store8(t.4, temp + (4 * 6 + k) * 8); store8(t.5, temp + (5 * 6 + k) * 8)
            }
            // rows: V[r][.] = t[r][.] B
            for r in 0..<6 {
                let row = temp + r * 48
                let u = bt(load8(row), load8(row + 8), load8(row + 16), load8(row + 24), load8(row + 32), load8(row + 40))
                let o = out + ch + (r * 6) * xiStride
                store8(u.0, o); store8(u.1, o + xiStride); store8(u.2, o + 2 * xiStride)
                store8(u.3, o + 3 * xiStride); store8(u.4, o + 4 * xiStride); store8(u.5, o + 5 * xiStride)
            }
            ch += 8
        }
    }

    /// Aᵀ applied to six vectors.
    @inline(__always)
    static func at4(_ m0: SIMD8<Float>, _ m1: SIMD8<Float>, _ m2: SIMD8<Float>, _ m3: SIMD8<Float>,
                    _ m4: SIMD8<Float>, _ m5: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
        let two = SIMD8<Float>(repeating: 2), four = SIMD8<Float>(repeating: 4), eight = SIMD8<Float>(repeating: 8)
        return (m0 + s12 + s34, d12 + two * d34, s12 + four * s34, d12 + eight * d34 + m5)
    }

    /// Y = Aᵀ M A + bias, activation, stored for the outputs of the tile inside the image.
    @inline(__always)
    static func transformOutput(_ m: UnsafePointer<Float>, xiStride s: Int, outC: Int,
                                bias: UnsafePointer<Float>, activation: FusedActivation,
                                out: UnsafeMutablePointer<Float>, outH: Int, outW: Int, y0: Int, x0: Int,
                                temp: UnsafeMutablePointer<Float>) {
        let rows = min(4, outH - y0), cols = min(4, outW - x0)
        var co = 0
        while co < outC {
            // columns: t[.][k] = Aᵀ M[.][k]  (4 x 6)
            for k in 0..<6 {
                let t = at4(load8(m + (0 * 6 + k) * s + co), load8(m + (1 * 6 + k) * s + co),
                            load8(m + (2 * 6 + k) * s + co), load8(m + (3 * 6 + k) * s + co),
                            load8(m + (4 * 6 + k) * s + co), load8(m + (5 * 6 + k) * s + co))
                store8(t.0, temp + (0 * 6 + k) * 8); store8(t.1, temp + (1 * 6 + k) * 8)
                store8(t.2, temp + (2 * 6 + k) * 8); store8(t.3, temp + (3 * 6 + k) * 8)
            }
            let bv = load8(bias + co)
            for r in 0..<rows {
                let row = temp + r * 48
                let y = at4(load8(row), load8(row + 8), load8(row + 16), load8(row + 24), load8(row + 32), load8(row + 40))
                let o = out + ((y0 + r) * outW + x0) * outC + co
                store8(activation.apply(y.0 + bv), o)
                if cols > 1 { store8(activation.apply(y.1 + bv), o + outC) }
                if cols > 2 { store8(activation.apply(y.2 + bv), o + 2 * outC) }
                if cols > 3 { store8(activation.apply(y.3 + bv), o + 3 * outC) }
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
