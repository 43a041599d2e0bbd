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
        let pixels = width * height
        var failure: Error?
        let rgba = [UInt8](unsafeUninitializedCapacity: pixels * 4) { buffer, initialized in
            do {
                try bytes.withUnsafeBufferPointer { data in
                    try callShim(file: file, what: "invalid PNG") { msg, cap in
                        sc_png_decode_rgba8(data.baseAddress, data.count, buffer.baseAddress, pixels * 4, msg, cap)
                    }
                }
            } catch {
                failure = error
            }
            initialized = pixels * 4
        }
        if let failure { throw failure }
        return split(rgba: rgba, width: width, height: height,
                     mayHaveAlpha: info.has_trns != 0 || (info.color_type & 4) != 0)
    }

    /// Separates interleaved RGBA into `rgb` and `alpha` (nil when all 255 or
    /// when the file has no alpha at all).
    static func split(rgba: [UInt8], width: Int, height: Int, mayHaveAlpha: Bool) -> Image {
        let pixels = width * height
        var rgb = [UInt8](repeating: 0, count: pixels * 3)
        var alpha = [UInt8](repeating: 255, count: mayHaveAlpha ? pixels : 0)
        var opaque = true
        rgba.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<pixels {
                    dst[3 * i] = src[4 * i]
                    dst[3 * i + 1] = src[4 * i + 1]
                    dst[3 * i + 2] = src[4 * i + 2]
                }
            }
            if mayHaveAlpha {
                alpha.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<pixels {
                        let a = src[4 * i + 3]
                        dst[i] = a
                        if a != 255 { opaque = false }
                    }
                }
            }
        }
        return Image(width: width, height: height, rgb: rgb, alpha: (mayHaveAlpha && !opaque) ? alpha : nil)
    }
}
