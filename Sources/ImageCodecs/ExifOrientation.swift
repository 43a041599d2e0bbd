/// The EXIF orientation tag (0x0112): how the stored pixels must be turned to
/// be seen upright. Raw values follow the TIFF/EXIF specification.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    /// Stored upright.
    case up = 1
    /// Mirrored left-right.
    case upMirrored = 2
    /// Rotated 180 degrees.
    case down = 3
    /// Mirrored top-bottom.
    case downMirrored = 4
    /// Transposed (mirrored across the main diagonal).
    case leftMirrored = 5
    /// Needs a 90 degree clockwise turn to be upright (typical portrait phone photo).
    case right = 6
    /// Transversed (mirrored across the anti-diagonal).
    case rightMirrored = 7
    /// Needs a 90 degree counter-clockwise turn to be upright.
    case left = 8

    /// Whether width and height swap when the orientation is applied.
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// Reads the orientation from an APP1 segment payload ("Exif\0\0" followed by
    /// a TIFF header, either byte order). Looks only at IFD0. Returns nil when the
    /// data is not EXIF, is damaged, or holds no valid orientation (1...8).
    ///
    /// Hostile data is expected: every offset is bounds-checked and the only loop
    /// runs over at most the entry count the data itself can hold.
    public static func parse(app1 payload: [UInt8]) -> ExifOrientation? {
        let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0] // "Exif\0\0"
        guard payload.count >= 6, Array(payload[0..<6]) == exifHeader else { return nil }
        let tiff = Array(payload[6...])
        return parse(tiff: tiff)
    }

    /// Reads the orientation from a TIFF structure (the part after "Exif\0\0").
    static func parse(tiff: [UInt8]) -> ExifOrientation? {
        guard tiff.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true   // "II"
        case (0x4D, 0x4D): littleEndian = false  // "MM"
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at <= tiff.count - 2 else { return nil }
            let a = Int(tiff[at]), b = Int(tiff[at + 1])
            return littleEndian ? a | b << 8 : a << 8 | b
        }
        func u32(_ at: Int) -> Int? {
            guard at >= 0, at <= tiff.count - 4 else { return nil }
            let bytes = (0..<4).map { Int(tiff[at + $0]) }
            return littleEndian
                ? bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24
                : bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]
        }
        guard u16(2) == 42, let ifd0 = u32(4), ifd0 >= 8, let count = u16(ifd0) else { return nil }
        let firstEntry = ifd0 + 2
        // Never trust the count beyond what the data can hold.
        let available = max(0, (tiff.count - firstEntry) / 12)
        for index in 0..<min(count, available) {
            let entry = firstEntry + index * 12
            guard let tag = u16(entry), tag == 0x0112 else { continue }
            guard let type = u16(entry + 2), let n = u32(entry + 4), n >= 1 else { return nil }
            let value: Int?
            switch type {
            case 3: value = u16(entry + 8)        // SHORT, the type the standard prescribes
            case 4: value = u32(entry + 8)        // LONG, seen in some writers
            case 1: value = Int(tiff[entry + 8])  // BYTE (entry is fully in bounds here)
            default: value = nil
            }
            return value.flatMap { ExifOrientation(rawValue: $0) }
        }
        return nil
    }

    /// The source pixel (x, y) shown at output position (ox, oy), for a source of
    /// size w x h.
    @inline(__always)
    func sourcePosition(ox: Int, oy: Int, w: Int, h: Int) -> (x: Int, y: Int) {
        switch self {
        case .up: return (ox, oy)
        case .upMirrored: return (w - 1 - ox, oy)
        case .down: return (w - 1 - ox, h - 1 - oy)
        case .downMirrored: return (ox, h - 1 - oy)
        case .leftMirrored: return (oy, ox)
        case .right: return (oy, h - 1 - ox)
        case .rightMirrored: return (w - 1 - oy, h - 1 - ox)
        case .left: return (w - 1 - oy, ox)
        }
    }
}

extension Image {
    /// The image turned upright according to `orientation` (rgb and alpha alike).
    public func applying(_ orientation: ExifOrientation) -> Image {
        if orientation == .up { return self }
        let (ow, oh) = orientation.swapsDimensions ? (height, width) : (width, height)
        var outRGB = [UInt8](repeating: 0, count: rgb.count)
        var outAlpha: [UInt8]? = alpha.map { [UInt8](repeating: 0, count: $0.count) }
        let w = width, h = height
        rgb.withUnsafeBufferPointer { src in
            outRGB.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let s = orientation.sourcePosition(ox: ox, oy: oy, w: w, h: h)
                        let si = (s.y * w + s.x) * 3, di = (oy * ow + ox) * 3
                        dst[di] = src[si]; dst[di + 1] = src[si + 1]; dst[di + 2] = src[si + 2]
                    }
                }
            }
        }
        if let alpha {
            alpha.withUnsafeBufferPointer { src in
                outAlpha!.withUnsafeMutableBufferPointer { dst in
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let s = orientation.sourcePosition(ox: ox, oy: oy, w: w, h: h)
                            dst[oy * ow + ox] = src[s.y * w + s.x]
                        }
                    }
                }
            }
        }
        return Image(width: ow, height: oh, rgb: outRGB, alpha: outAlpha)
    }
}
