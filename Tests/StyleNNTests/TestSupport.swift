import Foundation
import XCTest
@_spi(Testing) import StyleTensor

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

/// Records and prints a deviation from a golden reference (PyTorch or numpy) (the closing note lists these lines).
func reportDeviation(_ what: String, _ deviation: Float, limit: Float, file: StaticString = #filePath, line: UInt = #line) {
    print("max deviation from reference, \(what): \(deviation)")
    XCTAssertLessThanOrEqual(deviation, limit, "\(what): deviation \(deviation) above \(limit)", file: file, line: line)
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
