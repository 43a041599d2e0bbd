import XCTest
@testable import ImageCodecs
import StylizeTestSupport

/// Resizing against naive references: a 2-D area integral for shrinking,
/// textbook bilinear interpolation for enlarging.
final class ResizeTests: XCTestCase {
    /// Naive area average: each output pixel is the mean of the source over its
    /// footprint, integrated cell by cell in both dimensions at once.
    static func naiveArea(_ src: [UInt8], w: Int, h: Int, ch: Int, tw: Int, th: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: tw * th * ch)
        let sx = Double(w) / Double(tw), sy = Double(h) / Double(th)
        for oy in 0..<th {
            for ox in 0..<tw {
                let x0 = Double(ox) * sx, x1 = Double(ox + 1) * sx, y0 = Double(oy) * sy, y1 = Double(oy + 1) * sy
                for c in 0..<ch {
                    var sum = 0.0
                    for y in 0..<h {
                        let cy = min(Double(y + 1), y1) - max(Double(y), y0)
                        if cy <= 0 { continue }
                        for x in 0..<w {
                            let cx = min(Double(x + 1), x1) - max(Double(x), x0)
                            if cx <= 0 { continue }
                            sum += cx * cy * Double(src[(y * w + x) * ch + c])
                        }
                    }
                    out[(oy * tw + ox) * ch + c] = UInt8((sum / (sx * sy)).rounded())
                }
            }
        }
        return out
    }

    /// Naive bilinear with aligned pixel centres and clamped edges.
    static func naiveBilinear(_ src: [UInt8], w: Int, h: Int, ch: Int, tw: Int, th: Int) -> [UInt8] {
        func coord(_ o: Int, _ n: Int, _ t: Int) -> (Int, Int, Double) {
            let x = min(max((Double(o) + 0.5) * Double(n) / Double(t) - 0.5, 0), Double(n - 1))
            let i = Int(x)
            return (i, min(i + 1, n - 1), x - Double(i))
        }
        var out = [UInt8](repeating: 0, count: tw * th * ch)
        for oy in 0..<th {
            let (y0, y1, fy) = coord(oy, h, th)
            for ox in 0..<tw {
                let (x0, x1, fx) = coord(ox, w, tw)
                for c in 0..<ch {
                    func s(_ x: Int, _ y: Int) -> Double { Double(src[(y * w + x) * ch + c]) }
                    let top = s(x0, y0) * (1 - fx) + s(x1, y0) * fx
                    let bottom = s(x0, y1) * (1 - fx) + s(x1, y1) * fx
                    out[(oy * tw + ox) * ch + c] = UInt8((top * (1 - fy) + bottom * fy).rounded())
                }
            }
        }
        return out
    }

    /// 4x4 to 2x2: each output is the exact mean of a 2x2 block.
    func testFourByFourToTwoByTwo() {
        let red: [UInt8] = [0, 10, 20, 30,
                            40, 50, 60, 70,
                            100, 100, 0, 0,
                            200, 200, 4, 8]
        let rgb: [UInt8] = red.flatMap { v -> [UInt8] in [v, 255 - v, 7] }
        let image = Image(width: 4, height: 4, rgb: rgb, alpha: red)
        let small = image.resized(width: 2, height: 2)
        XCTAssertEqual(small.width, 2)
        XCTAssertEqual(small.height, 2)
        // (0+10+40+50)/4 = 25, (20+30+60+70)/4 = 45, (100+100+200+200)/4 = 150, (0+0+4+8)/4 = 3
        XCTAssertEqual(small.rgb, [25, 230, 7, 45, 210, 7, 150, 105, 7, 3, 252, 7])
        XCTAssertEqual(small.alpha, [25, 45, 150, 3])
    }

    /// Fractional coverage: 3 pixels to 2, each output covers 1.5 inputs.
    func testFractionalCoverage() {
        let image = Image(width: 3, height: 1, rgb: [0, 0, 0, 90, 90, 90, 200, 200, 200])
        let out = image.resized(width: 2, height: 1)
        // (0 + 0.5*90)/1.5 = 30; (0.5*90 + 200)/1.5 = 163.33
        XCTAssertEqual(out.rgb, [30, 30, 30, 163, 163, 163])
    }

    func testShrinkMatchesNaiveAreaAverage() {
        var rng = SeededRandom(seed: 99)
        for _ in 0..<25 {
            let w = Int.random(in: 2...40, using: &rng), h = Int.random(in: 2...40, using: &rng)
            let tw = Int.random(in: 1...w, using: &rng), th = Int.random(in: 1...h, using: &rng)
            let image = Pictures.noise(width: w, height: h, seed: rng.next(), alpha: true)
            let fast = image.resized(width: tw, height: th)
            let want = Self.naiveArea(image.rgb, w: w, h: h, ch: 3, tw: tw, th: th)
            XCTAssertLessThanOrEqual(maxDifference(fast.rgb, want), 1, "\(w)x\(h) -> \(tw)x\(th)")
            XCTAssertLessThanOrEqual(maxDifference(fast.alpha!, Self.naiveArea(image.alpha!, w: w, h: h, ch: 1, tw: tw, th: th)), 1)
        }
    }

    func testEnlargeMatchesNaiveBilinear() {
        var rng = SeededRandom(seed: 98)
        for _ in 0..<25 {
            let w = Int.random(in: 1...20, using: &rng), h = Int.random(in: 1...20, using: &rng)
            let tw = Int.random(in: w...50, using: &rng), th = Int.random(in: h...50, using: &rng)
            let image = Pictures.noise(width: w, height: h, seed: rng.next())
            let fast = image.resized(width: tw, height: th)
            XCTAssertLessThanOrEqual(maxDifference(fast.rgb, Self.naiveBilinear(image.rgb, w: w, h: h, ch: 3, tw: tw, th: th)), 1,
                                     "\(w)x\(h) -> \(tw)x\(th)")
        }
    }

    /// A flat image stays flat, whatever the sizes.
    func testConstantImageStaysConstant() {
        let image = Image(width: 17, height: 13, rgb: [UInt8](repeating: 77, count: 17 * 13 * 3), alpha: [UInt8](repeating: 9, count: 17 * 13))
        for (tw, th) in [(5, 3), (40, 30), (17, 2), (1, 1), (3, 50)] {
            let out = image.resized(width: tw, height: th)
            XCTAssert(out.rgb.allSatisfy { $0 == 77 }, "\(tw)x\(th)")
            XCTAssert(out.alpha!.allSatisfy { $0 == 9 })
        }
    }

    func testShorterSideSizes() {
        func size(_ w: Int, _ h: Int, _ n: Int) -> [Int] {
            let s = Image(width: w, height: h, rgb: [UInt8](repeating: 0, count: w * h * 3)).sizeForShorterSide(n)
            return [s.width, s.height]
        }
        XCTAssertEqual(size(400, 300, 128), [171, 128])   // 170.67 rounds up
        XCTAssertEqual(size(300, 400, 128), [128, 171])
        XCTAssertEqual(size(100, 100, 50), [50, 50])
        XCTAssertEqual(size(3, 2, 1), [2, 1])            // 1.5: halves round up
        XCTAssertEqual(size(5, 3, 2), [3, 2])            // 3.33
        XCTAssertEqual(size(1000, 1, 1), [1000, 1])
        XCTAssertEqual(size(40, 30, 60), [80, 60])       // enlarging
        XCTAssertEqual(size(40, 30, 0), [40, 30])        // 0 = unchanged
        let image = Pictures.noise(width: 40, height: 30, seed: 1)
        XCTAssertEqual(image.resized(shorterSide: 0), image)
        XCTAssertEqual(image.resized(shorterSide: 30), image)
        let small = image.resized(shorterSide: 15)
        XCTAssertEqual([small.width, small.height], [20, 15])
        XCTAssertEqual(small, image.resized(width: 20, height: 15))
    }
}
