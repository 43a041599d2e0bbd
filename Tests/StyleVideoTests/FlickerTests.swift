import ImageCodecs
import XCTest
@testable import StyleVideo

/// The flicker figures on frames whose values are known exactly.
final class FlickerTests: XCTestCase {
    /// A w x h frame filled with one colour.
    func flat(_ r: UInt8, _ g: UInt8, _ b: UInt8, width: Int = 4, height: Int = 3) -> Image {
        Image(width: width, height: height, rgb: (0..<(width * height)).flatMap { _ in [r, g, b] })
    }

    func testMeanColourAndDifference() {
        var image = flat(0, 0, 0, width: 2, height: 1)
        image.rgb = [255, 0, 51, 0, 0, 51]   // R mean 127.5, G 0, B 51
        XCTAssertEqual(FlickerMeter.meanColour(image)[0], 0.5, accuracy: 1e-12)
        XCTAssertEqual(FlickerMeter.meanColour(image)[1], 0)
        XCTAssertEqual(FlickerMeter.meanColour(image)[2], 0.2, accuracy: 1e-12)
        let other = Image(width: 2, height: 1, rgb: [0, 0, 51, 0, 255, 51])
        // |255| + |-255| over 6 values = 510 / 6 / 255 = 1/3
        XCTAssertEqual(FlickerMeter.meanAbsoluteDifference(image, other), 1.0 / 3, accuracy: 1e-12)
    }

    /// An input that never changes and an output that alternates between two greys: the
    /// input's figures are 0 (ratios n/a), the output's are the alternation's size.
    func testAlternatingOutputOnStillInput() {
        var meter = FlickerMeter()
        let still = flat(100, 100, 100)
        for t in 0..<5 { meter.add(input: still, output: t % 2 == 0 ? flat(0, 0, 0) : flat(51, 51, 51)) }
        let f = meter.figures
        XCTAssertEqual(f.frames, 5)
        XCTAssertEqual(f.colourChangeInput, 0)
        XCTAssertEqual(f.differenceInput, 0)
        XCTAssertNil(f.colourRatio)
        XCTAssertEqual(f.colourChangeOutput, 0.2, accuracy: 1e-12)      // 51/255 every pair
        XCTAssertEqual(f.differenceOutput, 0.2, accuracy: 1e-12)
        XCTAssertEqual(f.jitterOutput, 0.4, accuracy: 1e-12)            // |0.2 - 0 + 0.2| (second difference of 0, .2, 0)
    }

    /// A steady ramp has colour change but no jitter; an output that follows the input
    /// exactly has every ratio 1.
    func testRampHasNoJitterAndIdentityRatiosAreOne() {
        var meter = FlickerMeter()
        for t in 0..<6 {
            let v = UInt8(40 + 10 * t)
            let frame = flat(v, v &+ 5, v &+ 20)
            meter.add(input: frame, output: frame)
        }
        let f = meter.figures
        XCTAssertEqual(f.colourChangeInput, 10.0 / 255, accuracy: 1e-12)
        XCTAssertEqual(f.jitterInput, 0, accuracy: 1e-12)
        XCTAssertEqual(f.colourRatio!, 1, accuracy: 1e-12)
        XCTAssertEqual(f.differenceRatio!, 1, accuracy: 1e-12)
        XCTAssertNil(f.jitterRatio)
    }

    func testJSONCarriesTheRatios() throws {
        let f = FlickerFigures(frames: 3, colourChangeOutput: 0.2, colourChangeInput: 0.1, differenceOutput: 0.3,
                               differenceInput: 0.1, jitterOutput: 0.05, jitterInput: 0.1)
        let json = String(decoding: try JSONEncoder().encode(f), as: UTF8.self)
        XCTAssertTrue(json.contains("\"colour_ratio\":2"), json)
        XCTAssertTrue(json.contains("\"jitter_ratio\":0.5"), json)
        let back = try JSONDecoder().decode(FlickerFigures.self, from: Data(json.utf8))
        XCTAssertEqual(back, f)
        XCTAssertTrue(f.summary.contains("x2.00"), f.summary)
    }
}
