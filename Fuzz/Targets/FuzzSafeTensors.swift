// libFuzzer target: the safetensors reader (header JSON, offsets, dtypes) and
// reading every tensor it accepts. Compiled into one module with
// Sources/StyleWeights (see Fuzz/build.sh).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    writeScratch(data, size)
    do {
        let file = try SafeTensorsFile(path: fuzzScratchPath)
        for name in file.names {
            guard let info = file.info(name) else { fuzzFail("listed tensor \(name) has no info") }
            do {
                let values = try file.floats(name)
                let count = info.shape.reduce(1, *)
                if values.count != count { fuzzFail("\(name): \(values.count) values for shape \(info.shape)") }
            } catch {
                checkWeightsError(error)
            }
        }
    } catch {
        checkWeightsError(error)
    }
    return 0
}
