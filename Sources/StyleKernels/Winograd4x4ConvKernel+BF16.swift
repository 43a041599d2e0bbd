import CStyleKernels

extension Winograd4x4ConvKernel {
    /// Floats of scratch per worker for `runBF16`: the products (36 x tiles x Cout rounded up
    /// to 16) and the transformed input in bf16 (36 x tiles x Cin halves).
    public static func scratchCountBF16(inChannels: Int, outChannels: Int) -> Int {
        let coutPad = ConvPacking.blocksPerGroup(outChannels: outChannels, groups: 1) * 16
        return 36 * tilesPerPiece(inChannels: inChannels, outChannels: outChannels) * (coutPad + (inChannels + 1) / 2)
    }

    /// `run` with the 36 GEMMs in bf16 (`Precision.bf16`): V = Bᵀ d B is computed in float32
    /// as `run` computes it and stored rounded to bf16 (`sk_bf16.h`'s winograd_input_tile),
    /// then multiplied with the bf16 U of
    /// `BF16Packing.packWinograd` by `sk_bf16.h`'s gemm_tiles (float32 sums, pairs of input
    /// channels in order); the output transform, bias and activation are `run`'s.
    public static func runBF16(
        input: UnsafePointer<Float>, batch: Int, map: InputMap, inC: Int,
        packedWeights: UnsafePointer<UInt16>, bias: UnsafePointer<Float>, outC: Int,
        activation: FusedActivation, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, workers: Int
    ) {
        precondition(isApplicable(inChannels: inC, outChannels: outC), "Winograd kernel needs channel counts that are multiples of 8")
        precondition(batch >= 0 && workers >= 1, "Winograd kernel: bad sizes")
        let outH = map.paddedH - 2, outW = map.paddedW - 2
        guard batch > 0, outH > 0, outW > 0, outC > 0 else { return }
        let nb = ConvPacking.blocksPerGroup(outChannels: outC, groups: 1)
        let coutPad = nb * 16
        let tilesY = (outH + 3) / 4, tilesX = (outW + 3) / 4
        let totalTiles = batch * tilesY * tilesX
        let tpp = tilesPerPiece(inChannels: inC, outChannels: outC)
        let pieces = (totalTiles + tpp - 1) / tpp
        let perWorker = scratchCountBF16(inChannels: inC, outChannels: outC)
        let f32 = activeKernels, bf = sk_bf16_active().pointee
        let inputTile = bf.winograd_input_tile!, outputTile = f32.winograd_output_tile!
        let gemmTiles = bf.gemm_tiles!, gemmPixels = bf.gemm_pixels!
        let act = activation.code
        let inC32 = Int32(inC), outC32 = Int32(outC), pairs = Int32(inC / 2)
        let outH32 = Int32(outH), outW32 = Int32(outW)
        let zeroBias = [Float](repeating: 0, count: coutPad)   // the bias is added after the output transform
        zeroBias.withUnsafeBufferPointer { zeroBuffer in
        let zeros = zeroBuffer.baseAddress!
        map.rowOffsets.withUnsafeBufferPointer { rowBuffer in
        map.columnOffsets.withUnsafeBufferPointer { columnBuffer in
        let rows = rowBuffer.baseAddress!, columns = columnBuffer.baseAddress!
        Parallel.forEach(pieces, workers: workers) { piece, worker in
            let first = piece * tpp
            let count = min(tpp, totalTiles - first)
            let m = scratch + worker * perWorker                 // [ξ][tile][co] float32
            let vb = UnsafeMutableRawPointer(m + 36 * tpp * coutPad)
                .bindMemory(to: UInt16.self, capacity: 36 * tpp * inC)   // [ξ][tile][ci] bf16
            for j in 0..<count {
                let t = first + j
                let n = t / (tilesY * tilesX), ty = (t / tilesX) % tilesY, tx = t % tilesX
                inputTile(input + n * map.sampleStride, rows + 4 * ty, columns + 4 * tx, inC32, vb + j * inC, tpp * inC)
            }
            for xi in 0..<36 {
                let vx = vb + xi * tpp * inC
                let mx = m + xi * tpp * coutPad
                let w = packedWeights + xi * nb * inC * 16
                if count >= 6 {
                    gemmTiles(vx, 0, inC, 1, pairs, w, inC * 16, Int32(nb), zeros, mx, coutPad, 16, 0,
                              Int32(count), 0, Int32((count + 5) / 6))
                } else {
                    gemmPixels(vx, 0, inC, 1, pairs, w, inC * 16, Int32(nb), zeros, mx, coutPad, 16, 0, Int32(count))
                }
            }
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
}
