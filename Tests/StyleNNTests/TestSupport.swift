import Foundation
import XCTest
import StyleTensor

/// Golden files written by Golden/make_golden.py (PyTorch), read through Bundle.module.
enum Golden {
    static func load(_ name: String) throws -> [String: Any] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Golden") else {
            throw NSError(domain: "Golden", code: 1, userInfo: [NSLocalizedDescriptionKey: "missing golden file \(name).json"])
        }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        guard let dict = object as? [String: Any] else {
            throw NSError(domain: "Golden", code: 2, userInfo: [NSLocalizedDescriptionKey: "\(name).json is not an object"])
        }
        return dict
    }

    static func floats(_ value: Any?) -> [Float] {
        (value as! [Any]).map { Float(($0 as! NSNumber).doubleValue) }
    }

    /// {"shape": [n,h,w,c], "data": [...]} as a Tensor.
    static func tensor(_ value: Any?) -> Tensor {
        let dict = value as! [String: Any]
        let s = (dict["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
        return Tensor(shape: Shape(n: s[0], h: s[1], w: s[2], c: s[3]), data: floats(dict["data"]))
    }
}

/// Largest |a - b| over two equally shaped tensors.
func maxDeviation(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    return zip(a.data, b.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

func maxDeviation(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Records and prints a deviation from a golden reference (PyTorch or numpy) (the closing note lists these lines).
func reportDeviation(_ what: String, _ deviation: Float, limit: Float, file: StaticString = #filePath, line: UInt = #line) {
    print("max deviation from reference, \(what): \(deviation)")
    XCTAssertLessThanOrEqual(deviation, limit, "\(what): deviation \(deviation) above \(limit)", file: file, line: line)
}

/// SplitMix64: seeded test data that never changes.
struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }

    mutating func tensor(_ shape: Shape, scale: Float = 1, shift: Float = 0) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.count).map { _ in float() * scale + shift })
    }
}

/// Naive oracle: mean and biased variance of the values selected by `include(n, y, x, c)`, in Double.
func naiveMoments(_ t: Tensor, _ include: (Int, Int, Int, Int) -> Bool) -> (mean: Double, variance: Double, count: Double) {
    var sum = 0.0, count = 0.0
    for n in 0..<t.shape.n { for y in 0..<t.shape.h { for x in 0..<t.shape.w { for c in 0..<t.shape.c where include(n, y, x, c) {
        sum += Double(t[n, y, x, c]); count += 1
    } } } }
    let mean = count > 0 ? sum / count : 0
    var squares = 0.0
    for n in 0..<t.shape.n { for y in 0..<t.shape.h { for x in 0..<t.shape.w { for c in 0..<t.shape.c where include(n, y, x, c) {
        let d = Double(t[n, y, x, c]) - mean; squares += d * d
    } } } }
    return (mean, count > 0 ? squares / count : 0, count)
}
