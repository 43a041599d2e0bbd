import CCodecShim

/// PNG decoding through libpng (see png_shim.c).
enum PNGDecoder {
    /// Reads IHDR and the chunks before the image data.
    static func readHeader(_ bytes: [UInt8], file: String) throws -> sc_png_info {
        var info = sc_png_info()
        try bytes.withUnsafeBufferPointer { data in
            try callShim(file: file, what: "invalid PNG") { msg, cap in
                sc_png_read_info(data.baseAddress, data.count, &info, msg, cap)
            }
        }
        return info
    }

    /// Decodes any PNG layout to 8-bit RGB plus alpha. Alpha is kept only when
    /// the file can carry it (alpha colour type or tRNS) and some pixel is not
    /// fully opaque.
    static func decode(_ bytes: [UInt8], file: String, options: DecodeOptions) throws -> Image {
        let info = try readHeader(bytes, file: file)
        let width = Int(info.width), height = Int(info.height)
        try checkPixelLimit(width: width, height: height, options: options, file: file, format: "PNG")
        try checkPlausibleSize(info, fileBytes: bytes.count, file: file)
        let mayHaveAlpha = info.has_trns != 0 || (info.color_type & 4) != 0
        // Files that cannot carry alpha decode straight into the final RGB array.
        let channels = mayHaveAlpha ? 4 : 3
        let count = width * height * channels
        var failure: Error?
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do {
                try bytes.withUnsafeBufferPointer { data in
                    try callShim(file: file, what: "invalid PNG") { msg, cap in
                        sc_png_decode8(data.baseAddress, data.count, Int32(channels), buffer.baseAddress, count, msg, cap)
                    }
                }
            } catch {
                failure = error
            }
            initialized = count
        }
        if let failure { throw failure }
        if !mayHaveAlpha { return Image(width: width, height: height, rgb: pixels) }
        return split(rgba: pixels, width: width, height: height)
    }

    /// Deflate expands at most 1032:1 (a 258-byte match coded in two bits).
    static let maxInflateRatio = 1032

    /// Refuses a header asking for more scanline bytes than the whole file could
    /// inflate to, before the pixel buffer is allocated: a few hundred bytes
    /// claiming 16000 x 10000 pixels (within the pixel limit) are a lie, not a
    /// reason to reserve 480 MB. A valid file always passes (its image data,
    /// at least width x height x bits per pixel / 8 bytes once inflated, is held
    /// by IDAT chunks inside the file).
    static func checkPlausibleSize(_ info: sc_png_info, fileBytes: Int, file: String) throws {
        let samples: Int
        switch info.color_type {
        case 0, 3: samples = 1       // gray, palette
        case 4: samples = 2          // gray + alpha
        case 2: samples = 3          // RGB
        case 6: samples = 4          // RGBA
        default: return              // libpng has already refused other types
        }
        let width = Int(info.width), height = Int(info.height)
        let imageBytes = width * height * samples * Int(info.bit_depth) / 8
        let ceiling = fileBytes * maxInflateRatio
        if imageBytes > ceiling {
            throw CodecError(file: file, kind: .truncated,
                             detail: "PNG header claims \(width)x\(height) pixels (\(imageBytes) bytes of image data), more than the \(fileBytes)-byte file can hold even at deflate's highest ratio (1032:1)")
        }
    }

    /// Separates interleaved RGBA into `rgb` and `alpha` (nil when all 255).
    static func split(rgba: [UInt8], width: Int, height: Int) -> Image {
        let pixels = width * height
        var rgb = [UInt8](repeating: 0, count: pixels * 3)
        var alpha = [UInt8](repeating: 255, count: pixels)
        var opaque = true
        rgba.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<pixels {
                    dst[3 * i] = src[4 * i]
                    dst[3 * i + 1] = src[4 * i + 1]
                    dst[3 * i + 2] = src[4 * i + 2]
                }
            }
            alpha.withUnsafeMutableBufferPointer { dst in
                for i in 0..<pixels {
                    let a = src[4 * i + 3]
                    dst[i] = a
                    if a != 255 { opaque = false }
                }
            }
        }
        return Image(width: width, height: height, rgb: rgb, alpha: opaque ? nil : alpha)
    }
}
