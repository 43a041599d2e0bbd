import Foundation
import ImageCodecs
import StyleTensor

/// A change of the content image for the contrast sweep, applied to RGB values in [0, 1]
/// and clamped to [0, 1]:  contrast k: x' = 0.5 + k (x - 0.5);  brightness b: x' = x + b.
public enum ContentAdjustment: Sendable, Equatable, CustomStringConvertible {
    case contrast(Float)
    case brightness(Float)

    /// The sweep `stylize compare --contrast-sweep` adds below the x1 row.
    public static let sweep: [ContentAdjustment] = [.contrast(0.5), .contrast(1.5), .brightness(-0.2), .brightness(0.2)]

    public func apply(_ x: Tensor) -> Tensor {
        var y = x
        for i in y.data.indices {
            let v: Float
            switch self {
            case .contrast(let k): v = 0.5 + k * (y.data[i] - 0.5)
            case .brightness(let b): v = y.data[i] + b
            }
            y.data[i] = min(max(v, 0), 1)
        }
        return y
    }

    /// Checks the values of the compare view's sliders: contrast 0...4, brightness -1...1.
    public static func validate(contrast: Float, brightness: Float) throws {
        guard contrast.isFinite, (0...4).contains(contrast) else {
            throw OptionError(.contrast, "\(option: .contrast) must be from 0 to 4, got \(contrast)")
        }
        guard brightness.isFinite, (-1...1).contains(brightness) else {
            throw OptionError(.brightness, "\(option: .brightness) must be from -1 to 1, got \(brightness)")
        }
    }

    /// The image with the adjustment applied (alpha kept).
    public func apply(_ image: Image) -> Image {
        Image(tensor: apply(Tensor(image: image)), alpha: image.alpha)
    }

    /// "contrast x0.5", "brightness -0.2", ...
    public var description: String {
        switch self {
        case .contrast(let k): return "contrast x\(Self.short(k))"
        case .brightness(let b): return "brightness \(b >= 0 ? "+" : "")\(Self.short(b))"
        }
    }

    static func short(_ v: Float) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%g", Double(v))
    }
}
