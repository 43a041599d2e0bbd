import StyleTensor
import StyleWeights
import XCTest

/// Bitwise equality of float arrays (so -0.0 and NaN payloads count).
public func XCTAssertBitsEqual(_ a: [Float], _ b: [Float], _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "count " + message, file: file, line: line)
    guard a.count == b.count else { return }
    for i in a.indices where a[i].bitPattern != b[i].bitPattern {
        XCTFail("value \(i) differs: \(a[i]) vs \(b[i]) " + message, file: file, line: line)
        return
    }
}

/// Runs `body`, expecting a `WeightsError`; returns it (fails the test otherwise).
@discardableResult
public func expectWeightsError<T>(_ what: String = "", file: StaticString = #filePath, line: UInt = #line,
                                  _ body: () throws -> T) -> WeightsError? {
    do {
        _ = try body()
        XCTFail("expected a WeightsError \(what)", file: file, line: line)
    } catch let error as WeightsError {
        return error
    } catch {
        XCTFail("expected a WeightsError, got \(error) \(what)", file: file, line: line)
    }
    return nil
}

@discardableResult
public func expectWeightsError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> WeightsError? {
    expectWeightsError("", file: file, line: line, body)
}

/// Largest |a - b| over two equally long arrays (0 for empty ones; NaN if any difference is
/// NaN, so a NaN output fails every bound).
public func maxDeviation(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "sizes \(a.count) and \(b.count) differ")
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        let d = abs(x - y)
        if d.isNaN { return .nan }
        worst = max(worst, d)
    }
    return worst
}

/// Largest |a - b| over two equally shaped tensors.
public func maxDeviation(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    return maxDeviation(a.data, b.data)
}
