import XCTest
import StyleTensor

final class TensorTests: XCTestCase {
    func testNHWCIndexing() {
        var t = Tensor(shape: Shape(n: 2, h: 3, w: 4, c: 5))
        t[1, 2, 3, 4] = 7
        XCTAssertEqual(t.data.last, 7)
        XCTAssertEqual(t.shape.index(n: 0, y: 1, x: 0, c: 0), 20)
    }
}
