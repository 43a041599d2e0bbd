/// Weights stored quantized, as the inputs of ONNX `DequantizeLinear`, and turned into
/// floats at load:
///
///     w[i] = Float(q[i] - zero_point[s(i)]) * scale[s(i)]        (Float32 product)
///
/// where s(i) is the element of the scale that element i of the codes broadcasts to. This is
/// the formula of ONNX DequantizeLinear as onnxruntime evaluates it (integer difference, then
/// one Float32 multiplication), so a network loaded from the codes computes with the very
/// weights of the float network (e.g. an int8 QDQ graph with its activation quantization
/// removed). A weight `name` is stored either as is, under `name` (any float dtype), or as:
///
/// - `name.q`: the integer codes (I8, U8, I16 or I32), in `name`'s shape;
/// - `name.scale`: F32, with the rank of the codes and each axis either 1 (broadcast) or the
///   codes' size: all 1 for one scale per tensor, `[O, 1, 1, 1]` for one per output channel
///   of an `[O, I, kh, kw]` conv weight, `[O]` for a bias;
/// - `name.zero_point` (optional, 0 when absent): the scale's shape, the codes' dtype.
public enum Dequantization {
    public static let codesSuffix = ".q"
    public static let scaleSuffix = ".scale"
    public static let zeroPointSuffix = ".zero_point"

    /// `scale * (codes - zeroPoint)` per element with broadcasting, as in the type's comment.
    /// `scaleShape` has the rank of `shape`, each axis 1 or equal; `zeroPoint` (nil: all 0)
    /// has `scale`'s element count. The caller has checked the shapes.
    public static func dequantize(codes: [Int64], shape: [Int], scale: [Float], scaleShape: [Int],
                                  zeroPoint: [Int64]?) -> [Float] {
        precondition(shape.count == scaleShape.count, "dequantize: scale rank \(scaleShape.count), codes rank \(shape.count)")
        // Trailing axes where the scale is broadcast form one contiguous run of `inner`
        // elements sharing a scale; the scale index of each run comes from its outer position.
        var split = shape.count
        while split > 0 && scaleShape[split - 1] == 1 { split -= 1 }
        let inner = shape[split...].reduce(1, *)
        let outer = shape[..<split].reduce(1, *)
        // Row-major strides of the scale, 0 where it is broadcast.
        var scaleStride = [Int](repeating: 0, count: shape.count)
        var step = 1
        for axis in (0..<shape.count).reversed() {
            scaleStride[axis] = scaleShape[axis] == 1 ? 0 : step
            step *= scaleShape[axis]
        }
        var out = [Float](repeating: 0, count: codes.count)
        for o in 0..<outer {
            var rest = o, s = 0
            for axis in (0..<split).reversed() {
                s += (rest % shape[axis]) * scaleStride[axis]
                rest /= shape[axis]
            }
            let sc = scale[s], zp = zeroPoint?[s] ?? 0
            for i in o * inner ..< (o + 1) * inner { out[i] = Float(codes[i] - zp) * sc }
        }
        return out
    }
}

extension SafeTensorsFile {
    /// Whether the weight `name` is in the file, stored as is or quantized (`name.q`).
    public func hasWeight(_ name: String) -> Bool {
        info(name) != nil || info(name + Dequantization.codesSuffix) != nil
    }

    /// The weight `name` as floats: the tensor `name` widened, or, when the file stores it
    /// quantized (`name.q`, `name.scale`, optional `name.zero_point`), dequantized by
    /// `Dequantization.dequantize`. Throws `missingTensor` when neither form is present and
    /// `invalidQuantization` when the parts do not fit together.
    public func weight(_ name: String) throws -> WeightTensor {
        let codesName = name + Dequantization.codesSuffix
        guard let codesInfo = info(codesName) else { return try tensor(name) }
        func bad(_ detail: String) -> WeightsError { .invalidQuantization(file: path, tensor: name, detail: detail) }
        if info(name) != nil { throw bad("stored both as is and as codes '\(codesName)'") }
        let scaleName = name + Dequantization.scaleSuffix
        let zeroName = name + Dequantization.zeroPointSuffix
        let codes = try integers(codesName, what: "codes", bad)
        guard let scaleInfo = info(scaleName) else { throw bad("no scale '\(scaleName)' for the codes '\(codesName)'") }
        guard scaleInfo.dtype == "F32" else { throw bad("scale '\(scaleName)' is \(scaleInfo.dtype), expected F32") }
        let shape = codesInfo.shape, scaleShape = scaleInfo.shape
        guard scaleShape.count == shape.count, zip(scaleShape, shape).allSatisfy({ $0 == 1 || $0 == $1 }) else {
            throw bad("scale shape \(shapeString(scaleShape)) does not broadcast to the codes' shape \(shapeString(shape)) "
                      + "(same rank, each axis 1 or equal)")
        }
        let scale = try floats(scaleName)
        if let i = scale.firstIndex(where: { !$0.isFinite }) { throw bad("scale \(i) is \(scale[i]), not finite") }
        var zeroPoint: [Int64]? = nil
        if let zeroInfo = info(zeroName) {
            guard zeroInfo.dtype == codesInfo.dtype, zeroInfo.shape == scaleShape else {
                throw bad("zero point '\(zeroName)' is \(zeroInfo.dtype) \(shapeString(zeroInfo.shape)), expected "
                          + "\(codesInfo.dtype) \(shapeString(scaleShape)) (the codes' dtype, the scale's shape)")
            }
            zeroPoint = try integers(zeroName, what: "zero point", bad)
        }
        return WeightTensor(shape: shape, values: Dequantization.dequantize(codes: codes, shape: shape, scale: scale,
                                                                            scaleShape: scaleShape, zeroPoint: zeroPoint))
    }

    /// The values of the integer tensor `name` (I8, U8, I16, I32), exactly.
    private func integers(_ name: String, what: String, _ bad: (String) -> WeightsError) throws -> [Int64] {
        let dtype = info(name)!.dtype
        let raw = try rawBytes(name)
        switch dtype {
        case "I8": return raw.map { Int64(Int8(bitPattern: $0)) }
        case "U8": return raw.map { Int64($0) }
        case "I16": return (0..<raw.count / 2).map { Int64(Int16(bitPattern: readLE(raw, at: $0 * 2, as: UInt16.self))) }
        case "I32": return (0..<raw.count / 4).map { Int64(Int32(bitPattern: readLE(raw, at: $0 * 4, as: UInt32.self))) }
        default: throw bad("\(what) '\(name)' is \(dtype), expected I8, U8, I16 or I32")
        }
    }
}
