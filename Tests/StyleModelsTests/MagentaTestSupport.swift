import Foundation
import StyleTensor

/// Reference files written by Training/magenta/make_magenta_reference.py.
enum MagentaReference {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "MagentaReference", withExtension: nil)!.appendingPathComponent(name)
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func floats(_ object: [String: Any], _ key: String) -> [Float] {
        (object[key] as! [NSNumber]).map { $0.floatValue }
    }

    /// content[y, x] = (0.5 + 0.4 sin(x/17 + y/29), 0.5 + 0.4 cos(y/13), 0.5 + 0.3 sin((x - y)/23))
    /// (the same formula as `magenta_content` in the script, evaluated in Float).
    static func content(height: Int, width: Int) -> Tensor {
        var t = Tensor(shape: Shape(n: 1, h: height, w: width, c: 3))
        for y in 0..<height {
            for x in 0..<width {
                let fx = Float(x), fy = Float(y)
                t[0, y, x, 0] = 0.5 + 0.4 * sin(fx / 17 + fy / 29)
                t[0, y, x, 1] = 0.5 + 0.4 * cos(fy / 13)
                t[0, y, x, 2] = 0.5 + 0.3 * sin((fx - fy) / 23)
            }
        }
        return t
    }

    /// style[y, x] = (0.5 + 0.45 sin(x/5) cos(y/7), 0.5 + 0.45 sin((x + y)/3), 0.3 + 0.2 cos(x/11))
    static func style(height: Int, width: Int) -> Tensor {
        var t = Tensor(shape: Shape(n: 1, h: height, w: width, c: 3))
        for y in 0..<height {
            for x in 0..<width {
                let fx = Float(x), fy = Float(y)
                t[0, y, x, 0] = 0.5 + 0.45 * sin(fx / 5) * cos(fy / 7)
                t[0, y, x, 1] = 0.5 + 0.45 * sin((fx + fy) / 3)
                t[0, y, x, 2] = 0.3 + 0.2 * cos(fx / 11)
            }
        }
        return t
    }

    /// f x f average pooling of an NHWC tensor (as `pooled` in the script).
    static func pooled(_ x: Tensor, _ f: Int) -> [Float] {
        let h = x.shape.h / f, w = x.shape.w / f, c = x.shape.c
        var out: [Float] = []
        for y in 0..<h {
            for xx in 0..<w {
                for ch in 0..<c {
                    var s = 0.0
                    for dy in 0..<f { for dx in 0..<f { s += Double(x[0, y * f + dy, xx * f + dx, ch]) } }
                    out.append(Float(s / Double(f * f)))
                }
            }
        }
        return out
    }

    static func meanAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        Float(zip(a, b).map { Double(abs($0 - $1)) }.reduce(0, +) / Double(max(a.count, 1)))
    }
}
