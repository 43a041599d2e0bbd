import Foundation
import ImageCodecs
import StylizeEngine
import StyleTensor

/// Deterministic test images, computed the same way by Benchmarks/bench_pytorch.py:
/// content[y, x, c] = 0.5 + 0.5 sin(0.05 x + 0.07 y + c), style = 0.5 + 0.5 cos(0.03 x - 0.05 y + 2c).
func benchImage(height: Int, width: Int, style: Bool) -> Tensor {
    var t = Tensor(shape: Shape(h: height, w: width, c: 3))
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<3 {
                let v = style ? 0.5 + 0.5 * cos(0.03 * Double(x) - 0.05 * Double(y) + 2 * Double(c))
                              : 0.5 + 0.5 * sin(0.05 * Double(x) + 0.07 * Double(y) + Double(c))
                t[0, y, x, c] = Float(v)
            }
        }
    }
    return t
}

/// An image file as the stylize command feeds it to a network: decoded 8-bit RGB, x / 255
/// (`Tensor(image:)` of StylizeEngine).
func loadImageTensor(_ path: String) throws -> Tensor {
    Tensor(image: try ImageIO.decode(file: path))
}

/// "WxH" or "N" (square) -> (height, width).
func parseSize(_ text: String) throws -> (height: Int, width: Int) {
    let parts = text.lowercased().split(separator: "x").map { Int($0) }
    if parts.count == 1, let n = parts[0], n > 0 { return (n, n) }
    if parts.count == 2, let w = parts[0], let h = parts[1], w > 0, h > 0 { return (h, w) }
    throw BenchError("bad size '\(text)': use WxH (e.g. 640x480) or N for N x N")
}

/// Raw little-endian float32 values (e.g. a style vector written by Benchmarks/bench_networks.py).
func readFloats(_ path: String) throws -> [Float] {
    guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
    guard data.count % 4 == 0, !data.isEmpty else {
        throw BenchError("\(path): \(data.count) bytes is not a whole number of float32 values")
    }
    return data.withUnsafeBytes { raw in
        (0..<data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
    }
}

/// Writes `values` as raw little-endian float32.
func writeFloats(_ values: [Float], to path: String) throws {
    var data = Data(capacity: values.count * 4)
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    guard FileManager.default.createFile(atPath: path, contents: data) else { throw BenchError("cannot write \(path)") }
}

/// SplitMix64 for seeded weights and inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ s: String) { description = s }
}
