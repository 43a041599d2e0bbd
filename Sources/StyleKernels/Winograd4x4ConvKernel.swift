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
/// 1e-4 x Σ|terms|. Output is (inH - 2) x (inW - 2) of the padded input; partial tiles
/// read zeros past it and drop their extra outputs. Cin and Cout must be multiples of 8.
///
/// The padded input need not exist: `InputMap` says where each of its rows and columns comes
/// from in the unpadded (and, for a layer after nearest x2 upsampling, not yet upsampled)
/// input, so the 6x6 patches are read from it directly, with the same values, and no padded
/// or upsampled copy is made.
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

    /// Transformed input (36 x tiles x Cin) and products (36 x tiles x Cout rounded up
    /// to 16); the transforms keep their temporaries on the stack.
    public static func scratchCount(inChannels: Int, outChannels: Int) -> Int {
        let coutPad = ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1) * 16
        return 36 * tilesPerPiece(inChannels: inChannels, outChannels: outChannels) * (inChannels + coutPad)
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

    /// Where the rows and columns of the padded input of a 3x3 convolution come from: the
    /// padded input is `pad(upsample(x))`, x of `height` x `width` x `channels` per sample,
    /// `upsample` 1 or 2 (nearest), padded by `top`/`left`/`bottom`/`right` with `mode`:
    ///
    ///     rowOffsets[r] = src(r - top, upsample * height) * width * channels, or -1 (zeros),
    ///     columnOffsets[k] = src(k - left, upsample * width) * channels, or -1,
    ///
    /// src(i, n) = (i in 0..<n ? i : reflectIndex(i, n) with `.reflect`, none with `.zero`) / upsample;
    /// -1 also past the padded size (the zeros that partial tiles read). The arrays cover
    /// every position the tiles read: 4 * ceil((padded - 2) / 4) + 2.
    public struct InputMap: Sendable {
        /// The padded input's size (rows x columns); the output is 2 smaller each way.
        public let paddedH: Int, paddedW: Int
        /// Floats per sample of the unpadded input.
        public let sampleStride: Int
        public let rowOffsets: [Int], columnOffsets: [Int]

        public init(height: Int, width: Int, channels: Int, upsample: Int = 1,
                    top: Int, left: Int, bottom: Int, right: Int, mode: PadMode) {
            precondition(upsample == 1 || upsample == 2, "Winograd input map: upsampling by 1 or 2")
            precondition(height >= 1 && width >= 1 && channels >= 1 && min(top, left, bottom, right) >= 0,
                         "Winograd input map: bad sizes")
            func offsets(before: Int, size: Int, after: Int, stride: Int) -> [Int] {
                let padded = before + size + after
                let count = 4 * ((max(padded - 2, 0) + 3) / 4) + 2
                return (0..<count).map { r in
                    let i = r - before
                    if r >= padded { return -1 }
                    if i >= 0 && i < size { return i / upsample * stride }
                    return mode == .reflect ? reflectIndex(i, size) / upsample * stride : -1
                }
            }
            paddedH = upsample * height + top + bottom
            paddedW = upsample * width + left + right
            sampleStride = height * width * channels
            rowOffsets = offsets(before: top, size: upsample * height, after: bottom, stride: width * channels)
            columnOffsets = offsets(before: left, size: upsample * width, after: right, stride: channels)
        }
    }

    /// Checked once per call (live preconditions): channel counts (multiples of 8, see
    /// `isApplicable`) and a worker count of at least 1. The C transforms and GEMM trust the
    /// pointers: `input` holds `batch * map.sampleStride` floats of `inC` channels (the map's),
    /// `scratch` `workers * scratchCount`.
    public static func run(
        input: UnsafePointer<Float>, batch: Int, map: InputMap, inC: Int,
        packedWeights: UnsafePointer<Float>, bias: UnsafePointer<Float>, outC: Int,
        activation: FusedActivation, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, workers: Int
    ) {
        let kernels = activeKernels
        let inputTile = kernels.winograd_input_tile!
        let gemmTiles = kernels.conv_tiles_6x16!, gemmPixels = kernels.conv_pixels_1x16!
        let inC32 = Int32(inC)
        let tpp = tilesPerPiece(inChannels: inC, outChannels: outC)
        let nb = ConvPacking.blocksPerGroup(outChannels: outC, groups: 1), coutPad = nb * 16
        walkTiles(input: input, batch: batch, map: map, inC: inC, outC: outC, bias: bias, activation: activation, output: output,
                  scratch: scratch, perWorker: scratchCount(inChannels: inC, outChannels: outC), workers: workers,
                  products: { $0 + 36 * tpp * inC }) { scratch, first, count, transform in
            let v = scratch                                      // [ξ][tile][ci]
            let m = v + 36 * tpp * inC                           // [ξ][tile][co]
            for j in 0..<count {
                transform(first + j) { image, rows, columns in inputTile(image, rows, columns, inC32, v + j * inC, tpp * inC) }
            }
            // 36 GEMMs (tiles x Cin) x (Cin x 16-channel block): the direct kernel's micro-tile
            // with one "tap" and the tiles as pixels; the last 6-tile group may overlap.
            for xi in 0..<36 {
                let vx = v + xi * tpp * inC
                let mx = m + xi * tpp * coutPad
                for b in 0..<nb {
                    let w = packedWeights + (xi * nb + b) * inC * 16
                    if count >= 6 {
                        gemmTiles(vx, 0, inC, 0, 1, 1, inC32, w, zero16, mx + b * 16, coutPad, 16, 0,
                                  Int32(count), 0, Int32((count + 5) / 6))
                    } else {
                        gemmPixels(vx, 0, inC, 0, 1, 1, inC32, w, zero16, mx + b * 16, coutPad, 16, 0, Int32(count))
                    }
                }
            }
        }
    }

    /// The tile walk `run` and `runBF16` share: the checks, the pieces of `tilesPerPiece`
    /// consecutive tiles of the flat (sample, tile row, tile column) order on the workers, and
    /// after each piece's `body` (input transforms and GEMMs, given the worker's scratch, the
    /// piece's first tile and tile count, and `transform(t) { image, rows, columns in }`, which
    /// hands tile t's sample and index-map rows and columns), the output transform of its
    /// tiles from the products at `products(scratch)` ([ξ][tile][co], Cout rounded up to 16),
    /// with bias and activation.
    static func walkTiles(
        input: UnsafePointer<Float>, batch: Int, map: InputMap, inC: Int, outC: Int, bias: UnsafePointer<Float>, activation: FusedActivation,
        output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, perWorker: Int, workers: Int,
        products: (UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float>,
        body: (_ scratch: UnsafeMutablePointer<Float>, _ first: Int, _ count: Int,
               _ transform: (Int, (UnsafePointer<Float>, UnsafePointer<Int>, UnsafePointer<Int>) -> Void) -> Void) -> Void
    ) {
        precondition(isApplicable(inChannels: inC, outChannels: outC), "Winograd kernel needs channel counts that are multiples of 8")
        precondition(batch >= 0 && workers >= 1, "Winograd kernel: bad sizes")
        let outH = map.paddedH - 2, outW = map.paddedW - 2
        guard batch > 0, outH > 0, outW > 0, outC > 0 else { return }
        let coutPad = ConvPacking.blocksPerGroup(outChannels: outC, groups: 1) * 16
        let tilesY = (outH + 3) / 4, tilesX = (outW + 3) / 4
        let totalTiles = batch * tilesY * tilesX
        let tpp = tilesPerPiece(inChannels: inC, outChannels: outC)
        let pieces = (totalTiles + tpp - 1) / tpp
        let outputTile = activeKernels.winograd_output_tile!
        let act = activation.code
        let outC32 = Int32(outC), outH32 = Int32(outH), outW32 = Int32(outW)
        map.rowOffsets.withUnsafeBufferPointer { rowBuffer in
        map.columnOffsets.withUnsafeBufferPointer { columnBuffer in
        let rows = rowBuffer.baseAddress!, columns = columnBuffer.baseAddress!
        Parallel.forEach(pieces, workers: workers) { piece, worker in
            let first = piece * tpp
            let count = min(tpp, totalTiles - first)
            let mine = scratch + worker * perWorker
            body(mine, first, count) { t, use in
                let n = t / (tilesY * tilesX), ty = (t / tilesX) % tilesY, tx = t % tilesX
                use(input + n * map.sampleStride, rows + 4 * ty, columns + 4 * tx)
            }
            let m = products(mine)
            for j in 0..<count {
                let t = first + j
                let n = t / (tilesY * tilesX), ty = (t / tilesX) % tilesY, tx = t % tilesX
                outputTile(m + j * coutPad, tpp * coutPad, outC32, bias, act, output + n * outH * outW * outC,
                           outH32, outW32, Int32(4 * ty), Int32(4 * tx))
            }
        }
        }
        }
    }
}

/// Sixteen zeros: the "bias" of the Winograd GEMMs (the real bias is added after the output transform).
nonisolated(unsafe) let zero16: UnsafePointer<Float> = {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: 16)
    p.initialize(repeating: 0, count: 16)
    return UnsafePointer(p)
}()
