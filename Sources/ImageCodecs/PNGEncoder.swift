import CCodecShim

/// PNG encoding through libpng.
enum PNGEncoder {
    /// PNG colour types (IHDR values).
    enum ColorType: Int32 {
        case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6
        /// Samples per pixel as stored.
        var channels: Int {
            switch self {
            case .gray, .palette: return 1
            case .grayAlpha: return 2
            case .rgb: return 3
            case .rgba: return 4
            }
        }
    }

    /// zlib level of every PNG stylize writes: level 4 is zlib's first lazy-matching level,
    /// and on photos and stylized pictures its files are within a few per cent of level 6's
    /// (0-6 % larger, some smaller) in half the time (a 512x512 output: 33 against 73 ms,
    /// a third of a whole `stylize` command's wall time at level 6).
    static let defaultCompressionLevel = 4

    /// Encodes rows packed as PNG stores them (see `sc_png_encode`).
    static func encode(packed: [UInt8], width: Int, height: Int, bitDepth: Int, colorType: ColorType,
                       interlaced: Bool = false, palette: [UInt8] = [], paletteAlpha: [UInt8] = [],
                       transparentColor: [UInt16]? = nil, compressionLevel: Int = defaultCompressionLevel, file: String) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        try encode(packed: packed, width: width, height: height, bitDepth: bitDepth, colorType: colorType, interlaced: interlaced,
                   palette: palette, paletteAlpha: paletteAlpha, transparentColor: transparentColor,
                   compressionLevel: compressionLevel, file: file) { data, count, options, msg, cap in
            sc_png_encode(data, count, options, &out, &size, msg, cap)
        }
        return takeBuffer(out, size)
    }

    /// 8-bit RGB (or RGBA when the image has alpha) written to the open file `fd` as it is
    /// compressed: no encoded copy of the file is held in memory (`sc_png_encode_to_fd`).
    static func write(_ image: Image, to fd: Int32, file: String) throws {
        let (packed, colorType) = layout(image)
        try encode(packed: packed, width: image.width, height: image.height, bitDepth: 8, colorType: colorType,
                   file: file) { data, count, options, msg, cap in
            sc_png_encode_to_fd(data, count, options, fd, msg, cap)
        }
    }

    /// Fills the shim's options and calls `call` with the packed rows, their byte count,
    /// the options and the message buffer.
    private static func encode(packed: [UInt8], width: Int, height: Int, bitDepth: Int, colorType: ColorType,
                               interlaced: Bool = false, palette: [UInt8] = [], paletteAlpha: [UInt8] = [],
                               transparentColor: [UInt16]? = nil, compressionLevel: Int = defaultCompressionLevel, file: String,
                               call: (UnsafePointer<UInt8>?, Int, UnsafePointer<sc_png_encode_options>,
                                      UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        try packed.withUnsafeBufferPointer { data in
            try palette.withUnsafeBufferPointer { pal in
                try paletteAlpha.withUnsafeBufferPointer { trns in
                    var o = sc_png_encode_options()
                    o.width = Int32(clamping: width)
                    o.height = Int32(clamping: height)
                    o.bit_depth = Int32(bitDepth)
                    o.color_type = colorType.rawValue
                    o.interlaced = interlaced ? 1 : 0
                    o.palette = pal.baseAddress
                    o.palette_count = Int32(palette.count / 3)
                    o.trns_alpha = trns.baseAddress
                    o.trns_alpha_count = Int32(paletteAlpha.count)
                    if let t = transparentColor, t.count == 3 {
                        o.has_trns_color = 1
                        o.trns_color = (t[0], t[1], t[2])
                    }
                    o.compression_level = Int32(compressionLevel)
                    try callShim(file: file, what: "cannot encode PNG") { msg, cap in
                        call(data.baseAddress, data.count, &o, msg, cap)
                    }
                }
            }
        }
    }

    /// 8-bit RGB, or RGBA when the image has alpha.
    static func encode(_ image: Image, file: String) throws -> [UInt8] {
        let (packed, colorType) = layout(image)
        return try encode(packed: packed, width: image.width, height: image.height, bitDepth: 8, colorType: colorType, file: file)
    }

    /// The rows of `image` as stored: its RGB bytes, or RGBA interleaved when it has alpha.
    static func layout(_ image: Image) -> (packed: [UInt8], colorType: ColorType) {
        guard let alpha = image.alpha else { return (image.rgb, .rgb) }
        let pixels = image.width * image.height
        var rgba = [UInt8](repeating: 0, count: pixels * 4)
        for i in 0..<pixels {
            rgba[4 * i] = image.rgb[3 * i]
            rgba[4 * i + 1] = image.rgb[3 * i + 1]
            rgba[4 * i + 2] = image.rgb[3 * i + 2]
            rgba[4 * i + 3] = alpha[i]
        }
        return (rgba, .rgba)
    }
}
