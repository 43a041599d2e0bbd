// libFuzzer target: the PyTorch checkpoint importer, both containers (legacy
// pickle stream and zip), through the restricted pickle machine, down to
// materialised tensors. Compiled into one module with Sources/StyleWeights.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTorch(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    writeScratch(data, size)
    do {
        let tensors = try TorchCheckpoint.loadStateDict(path: fuzzScratchPath)
        for (name, tensor) in tensors where tensor.values.count != tensor.shape.reduce(1, *) {
            fuzzFail("\(name): \(tensor.values.count) values for shape \(tensor.shape)")
        }
    } catch {
        checkWeightsError(error)
    }
    return 0
}
