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
