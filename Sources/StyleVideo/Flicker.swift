import Foundation
import ImageCodecs

/// Flicker figures of a stylized clip against its input (frames of one size, values on a
/// 0-1 scale, T frames, F_t(p, c) the value of channel c at pixel p of frame t):
///
/// - mean colour change: C(F) = mean over t = 2...T of (1/3) sum_c |mu_c(F_t) - mu_c(F_t-1)|,
///   where mu_c(F_t) is the mean of channel c over the frame. It measures how much the
///   overall colour and brightness of the frames jump from one frame to the next ("pumping").
/// - frame difference: D(F) = mean over t = 2...T of (1 / 3HW) sum_p,c |F_t(p, c) - F_t-1(p, c)|,
///   the mean absolute difference between consecutive frames. It includes real motion, so
///   it is compared with the input's: strokes and textures that change by themselves raise it.
///
/// - colour jitter: J(F) = mean over t = 3...T of (1/3) sum_c |mu_c(F_t) - 2 mu_c(F_t-1) + mu_c(F_t-2)|,
///   the second difference of the mean colour: a steady drift (a pan into a darker area)
///   has none, a colour that goes up and down from frame to frame (pumping) has much.
///
/// Each is reported for the output (Y), the input (X) and as the ratio output / input: 1
/// means the stylized clip changes from frame to frame exactly as much as the input does;
/// above 1 it flickers more. (The ratio is nil when the input does not change at all.)
public struct FlickerFigures: Sendable, Equatable, Codable {
    public var frames: Int
    public var colourChangeOutput: Double
    public var colourChangeInput: Double
    public var differenceOutput: Double
    public var differenceInput: Double
    public var jitterOutput: Double
    public var jitterInput: Double

    /// Ratios are nil when the input's figure is 0 (below 1e-12: rounding of exact zeros).
    public var jitterRatio: Double? { jitterInput > 1e-12 ? jitterOutput / jitterInput : nil }
    public var colourRatio: Double? { colourChangeInput > 1e-12 ? colourChangeOutput / colourChangeInput : nil }
    public var differenceRatio: Double? { differenceInput > 1e-12 ? differenceOutput / differenceInput : nil }

    enum CodingKeys: String, CodingKey {
        case frames
        case colourChangeOutput = "colour_change_output", colourChangeInput = "colour_change_input"
        case differenceOutput = "difference_output", differenceInput = "difference_input"
        case colourRatio = "colour_ratio", differenceRatio = "difference_ratio"
        case jitterOutput = "jitter_output", jitterInput = "jitter_input", jitterRatio = "jitter_ratio"
    }

    public init(frames: Int, colourChangeOutput: Double, colourChangeInput: Double, differenceOutput: Double, differenceInput: Double,
                jitterOutput: Double, jitterInput: Double) {
        self.frames = frames; self.colourChangeOutput = colourChangeOutput; self.colourChangeInput = colourChangeInput
        self.differenceOutput = differenceOutput; self.differenceInput = differenceInput
        self.jitterOutput = jitterOutput; self.jitterInput = jitterInput
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        frames = try c.decode(Int.self, forKey: .frames)
        colourChangeOutput = try c.decode(Double.self, forKey: .colourChangeOutput)
        colourChangeInput = try c.decode(Double.self, forKey: .colourChangeInput)
        differenceOutput = try c.decode(Double.self, forKey: .differenceOutput)
        differenceInput = try c.decode(Double.self, forKey: .differenceInput)
        jitterOutput = try c.decode(Double.self, forKey: .jitterOutput)
        jitterInput = try c.decode(Double.self, forKey: .jitterInput)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(frames, forKey: .frames)
        try c.encode(colourChangeOutput, forKey: .colourChangeOutput)
        try c.encode(colourChangeInput, forKey: .colourChangeInput)
        try c.encode(differenceOutput, forKey: .differenceOutput)
        try c.encode(differenceInput, forKey: .differenceInput)
        try c.encode(colourRatio, forKey: .colourRatio)
        try c.encode(differenceRatio, forKey: .differenceRatio)
        try c.encode(jitterOutput, forKey: .jitterOutput)
        try c.encode(jitterInput, forKey: .jitterInput)
        try c.encode(jitterRatio, forKey: .jitterRatio)
    }

    /// "colour x1.23 (0.0012 / 0.0010), difference x1.45 (...)".
    public var summary: String {
        func ratio(_ r: Double?) -> String { r.map { String(format: "x%.2f", $0) } ?? "n/a" }
        return "colour change \(ratio(colourRatio)) (\(String(format: "%.5f", colourChangeOutput)) vs input \(String(format: "%.5f", colourChangeInput))), "
            + "frame difference \(ratio(differenceRatio)) (\(String(format: "%.4f", differenceOutput)) vs input \(String(format: "%.4f", differenceInput))), "
            + "colour jitter \(ratio(jitterRatio)) (\(String(format: "%.5f", jitterOutput)) vs input \(String(format: "%.5f", jitterInput)))"
    }
}

/// Accumulates `FlickerFigures` one frame pair at a time (only the previous pair is kept),
/// in integer sums, so the figures do not depend on how the frames were produced.
public struct FlickerMeter: Sendable {
    private var previousInput: Image?
    private var previousOutput: Image?
    private var previousInputMean: [Double] = []
    private var previousOutputMean: [Double] = []
    private var olderInputMean: [Double] = []
    private var olderOutputMean: [Double] = []
    private var jitterIn = 0.0, jitterOut = 0.0
    private var colourIn = 0.0, colourOut = 0.0
    private var differenceIn = 0.0, differenceOut = 0.0
    public private(set) var frames = 0
    /// Mean colour (R, G, B on 0-1) of every output frame, when `keepSeries`.
    public private(set) var outputMeans: [[Double]] = []
    public private(set) var inputMeans: [[Double]] = []
    let keepSeries: Bool

    public init(keepSeries: Bool = false) { self.keepSeries = keepSeries }

    /// Adds frame t: its input and its output (same size).
    public mutating func add(input: Image, output: Image) {
        precondition(input.width == output.width && input.height == output.height, "flicker: frames of different sizes")
        let mi = Self.meanColour(input), mo = Self.meanColour(output)
        if let pi = previousInput, let po = previousOutput {
            colourIn += zip(mi, previousInputMean).map { abs($0 - $1) }.reduce(0, +) / 3
            colourOut += zip(mo, previousOutputMean).map { abs($0 - $1) }.reduce(0, +) / 3
            differenceIn += Self.meanAbsoluteDifference(input, pi)
            differenceOut += Self.meanAbsoluteDifference(output, po)
        }
        if frames >= 2 {
            jitterIn += Self.secondDifference(mi, previousInputMean, olderInputMean)
            jitterOut += Self.secondDifference(mo, previousOutputMean, olderOutputMean)
        }
        if keepSeries { inputMeans.append(mi); outputMeans.append(mo) }
        previousInput = input; previousOutput = output
        olderInputMean = previousInputMean; olderOutputMean = previousOutputMean
        previousInputMean = mi; previousOutputMean = mo
        frames += 1
    }

    public var figures: FlickerFigures {
        let pairs = Double(max(frames - 1, 1)), triples = Double(max(frames - 2, 1))
        return FlickerFigures(frames: frames, colourChangeOutput: colourOut / pairs, colourChangeInput: colourIn / pairs,
                              differenceOutput: differenceOut / pairs, differenceInput: differenceIn / pairs,
                              jitterOutput: jitterOut / triples, jitterInput: jitterIn / triples)
    }

    /// (1/3) sum_c |a_c - 2 b_c + c_c|.
    static func secondDifference(_ a: [Double], _ b: [Double], _ c: [Double]) -> Double {
        var sum = 0.0
        for k in 0..<3 {
            let d: Double = a[k] - 2 * b[k] + c[k]
            sum += abs(d)
        }
        return sum / 3
    }

    /// Mean of each channel on the 0-1 scale (sums in integers).
    public static func meanColour(_ image: Image) -> [Double] {
        var sums = [Int](repeating: 0, count: 3)
        image.rgb.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count { sums[0] += Int(p[i]); sums[1] += Int(p[i + 1]); sums[2] += Int(p[i + 2]); i += 3 }
        }
        return sums.map { Double($0) / Double(max(image.pixelCount, 1)) / 255 }
    }

    /// Mean |a - b| over all pixels and channels, 0-1 scale.
    public static func meanAbsoluteDifference(_ a: Image, _ b: Image) -> Double {
        precondition(a.rgb.count == b.rgb.count, "frames of different sizes")
        var sum = 0
        a.rgb.withUnsafeBufferPointer { x in
            b.rgb.withUnsafeBufferPointer { y in
                for i in 0..<x.count { sum += abs(Int(x[i]) - Int(y[i])) }
            }
        }
        return Double(sum) / Double(max(a.rgb.count, 1)) / 255
    }
}
