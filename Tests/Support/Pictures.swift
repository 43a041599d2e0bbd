import Foundation
import ImageCodecs

/// Seeded test pictures, generated inside the tests (nothing committed). Each is a pure
/// function of its size and seed, drawn with `SeededRandom`.
public enum Pictures {
    /// Smooth colour gradients plus a seeded pattern of 6 x 6 blocks (8 x 8 of them, tiled):
    /// photo-like enough for the tiny networks, with structure in every channel.
    public static func blocks(width: Int, height: Int, seed: UInt64) -> Image {
        var rng = SeededRandom(seed: seed)
        let blocks = rng.floats(64)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let b = blocks[(y / 6 % 8) * 8 + x / 6 % 8]
                let r = Float(x) / Float(width), g = Float(y) / Float(height)
                let values = [0.2 + 0.6 * r + 0.15 * b, 0.2 + 0.6 * g - 0.15 * b, 0.5 + 0.3 * b * (r - g)]
                for k in 0..<3 { rgb[(y * width + x) * 3 + k] = UInt8(max(0, min(255, (values[k] * 255).rounded()))) }
            }
        }
        return Image(width: width, height: height, rgb: rgb)
    }

    /// Gradients, five seeded discs that invert a channel, a diagonal sine texture and
    /// seeded noise: features vary in every channel at every scale (the tiling tests).
    public static func discs(width: Int, height: Int, seed: UInt64 = 7) -> Image {
        var rng = SeededRandom(seed: seed)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let discs = (0..<5).map { _ in (Float(width) * (0.5 + 0.5 * rng.float()), Float(height) * (0.5 + 0.5 * rng.float()),
                                        Float(min(width, height)) * (0.15 + 0.15 * abs(rng.float()))) }
        for y in 0..<height {
            for x in 0..<width {
                var v: [Float] = [Float(x) / Float(width), Float(y) / Float(height),
                                  0.5 + 0.4 * sin(Float(x + 2 * y) * 0.07)]
                for (k, d) in discs.enumerated() where (Float(x) - d.0) * (Float(x) - d.0) + (Float(y) - d.1) * (Float(y) - d.1) < d.2 * d.2 {
                    v[k % 3] = 1 - v[k % 3]
                }
                for c in 0..<3 {
                    let noise = 0.08 * rng.float()
                    rgb[3 * (y * width + x) + c] = UInt8(max(0, min(255, ((v[c] + noise) * 255).rounded())))
                }
            }
        }
        return Image(width: width, height: height, rgb: rgb)
    }

    /// Every byte seeded noise (RGB, then alpha if asked): the worst case for the codecs.
    public static func noise(width: Int, height: Int, seed: UInt64, alpha: Bool = false) -> Image {
        var rng = SeededRandom(seed: seed)
        let rgb = (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let a = alpha ? (0..<(width * height)).map { _ in UInt8.random(in: 0...255, using: &rng) } : nil
        return Image(width: width, height: height, rgb: rgb, alpha: a)
    }

    /// Red ramps left to right, green top to bottom, blue seeded noise (alpha, if asked, a
    /// fixed pattern): compresses like a photo and decodes to known sizes.
    public static func ramps(width: Int, height: Int, seed: UInt64, alpha: Bool = false) -> Image {
        var rng = SeededRandom(seed: seed)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                rgb[i] = UInt8(truncatingIfNeeded: x * 255 / max(1, width - 1))
                rgb[i + 1] = UInt8(truncatingIfNeeded: y * 255 / max(1, height - 1))
                rgb[i + 2] = UInt8.random(in: 0...255, using: &rng)
            }
        }
        let a: [UInt8]? = alpha ? (0..<(width * height)).map { UInt8(truncatingIfNeeded: $0 * 7) } : nil
        return Image(width: width, height: height, rgb: rgb, alpha: a)
    }

    /// Writes `count` pictures (`blocks`, seeds `seed`, `seed + 1`, ...) named c0.png, c1.jpg,
    /// ... (alternating formats) into `folder`, creating it; returns their paths.
    @discardableResult
    public static func write(into folder: String, count: Int, prefix: String = "c", width: Int = 40, height: Int = 32,
                             seed: UInt64 = 1) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return try (0..<count).map { i in
            let path = "\(folder)/\(prefix)\(i).\(i % 2 == 0 ? "png" : "jpg")"
            try ImageIO.write(blocks(width: width, height: height, seed: seed + UInt64(i)), to: path)
            return path
        }
    }
}
