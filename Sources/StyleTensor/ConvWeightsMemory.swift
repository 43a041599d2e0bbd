extension ConvWeights {
    /// Bytes this layer's weights occupy in memory: the OIHW floats as loaded plus every
    /// prepacked copy the kernels read (blocked, Winograd-transformed, tap lanes, upsampling phases),
    /// which for a 3x3 layer is several times the parameter count.
    public var storedBytes: Int {
        let floats = oihw.count + (bias?.count ?? 0) + packed.count + packedBias.count
            + (winograd?.count ?? 0) + (tapLanes?.count ?? 0)
            + (pixelLanesUp2x?.count ?? 0)
        return floats * MemoryLayout<Float>.stride + (bf16?.storedBytes ?? 0)
    }
}
