/// Builds pickle byte streams by hand for the hostile-input tests.
struct PickleBuilder {
    var bytes: [UInt8] = [0x80, 0x02] // PROTO 2

    mutating func op(_ code: UInt8) { bytes.append(code) }
    mutating func op(_ code: Character) { bytes.append(code.asciiValue!) }
    mutating func mark() { op("(") }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        op("X")
        withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { bytes += $0 }
        bytes += utf8
    }
    mutating func int(_ i: Int) {
        if (0 ..< 256).contains(i) { op("K"); bytes.append(UInt8(i)) } else {
            op("J"); withUnsafeBytes(of: Int32(i).littleEndian) { bytes += $0 }
        }
    }
    mutating func global(_ module: String, _ name: String) {
        op("c"); bytes += Array("\(module)\n\(name)\n".utf8)
    }
    mutating func stop() { op(".") }

    /// `_rebuild_tensor_v2(storage(key, FloatStorage, numel), offset, size, stride, False, OrderedDict())`
    /// `view` is a legacy storage view (element offset, element count) into the root storage.
    mutating func tensor(key: String, storageType: String = "FloatStorage", numel: Int, offset: Int, size: [Int], stride: [Int],
                         view: (offset: Int, count: Int)? = nil) {
        global("torch._utils", "_rebuild_tensor_v2")
        mark()
        mark(); string("storage"); global("torch", storageType); string(key); string("cpu"); int(numel)
        if let view { mark(); string("view"); int(view.offset); int(view.count); op("t") } else { op("N") }
        op("t")
        op("Q")
        int(offset)
        mark(); size.forEach { int($0) }; op("t")
        mark(); stride.forEach { int($0) }; op("t")
        op(0x89)
        global("collections", "OrderedDict"); op(")"); op("R")
        op("t")
        op("R")
    }
}
