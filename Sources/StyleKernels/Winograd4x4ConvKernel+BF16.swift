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
        let bf = sk_bf16_active().pointee
        let inputTile = bf.winograd_input_tile!, gemmTiles = bf.gemm_tiles!, gemmPixels = bf.gemm_pixels!
        let inC32 = Int32(inC), pairs = Int32(inC / 2)
        let tpp = tilesPerPiece(inChannels: inC, outChannels: outC)
        let nb = ConvPacking.blocksPerGroup(outChannels: outC, groups: 1), coutPad = nb * 16
        let zeroBias = [Float](repeating: 0, count: coutPad)   // the bias is added after the output transform
        zeroBias.withUnsafeBufferPointer { zeroBuffer in
            let zeros = zeroBuffer.baseAddress!
            walkTiles(input: input, batch: batch, map: map, inC: inC, outC: outC, bias: bias, activation: activation,
                      output: output, scratch: scratch, perWorker: scratchCountBF16(inChannels: inC, outChannels: outC),
                      workers: workers, products: { $0 }) { scratch, first, count, transform in
                let m = scratch                                      // [ξ][tile][co] float32
                let vb = UnsafeMutableRawPointer(m + 36 * tpp * coutPad)
                    .bindMemory(to: UInt16.self, capacity: 36 * tpp * inC)   // [ξ][tile][ci] bf16
                for j in 0..<count {
                    transform(first + j) { image, rows, columns in inputTile(image, rows, columns, inC32, vb + j * inC, tpp * inC) }
                }
                for xi in 0..<36 {
                    let w = packedWeights + xi * nb * inC * 16
                    let vx = vb + xi * tpp * inC, mx = m + xi * tpp * coutPad
                    if count >= 6 {
                        gemmTiles(vx, 0, inC, 1, pairs, w, inC * 16, Int32(nb), zeros, mx, coutPad, 16, 0,
                                  Int32(count), 0, Int32((count + 5) / 6))
                    } else {
                        gemmPixels(vx, 0, inC, 1, pairs, w, inC * 16, Int32(nb), zeros, mx, coutPad, 16, 0, Int32(count))
                    }
                }
            }
        }
    }
}
