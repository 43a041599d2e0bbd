import CCodecShim

/// JPEG encoding through libjpeg-turbo: baseline, optimised Huffman tables,
/// 4:4:4 chroma at quality 90 and above (4:2:0 below). Alpha is dropped.
enum JPEGEncoder {
    /// Encodes interleaved pixels of the given layout (SC_JPEG_IN_GRAY / RGB / CMYK).
    static func encode(pixels: [UInt8], width: Int, height: Int, options: sc_jpeg_encode_options, file: String) throws -> [UInt8] {
        var options = options
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        try pixels.withUnsafeBufferPointer { data in
            try callShim(file: file, what: "cannot encode JPEG") { msg, cap in
                sc_jpeg_encode(data.baseAddress, Int32(clamping: width), Int32(clamping: height),
                               &options, &out, &size, msg, cap)
            }
        }
        return takeBuffer(out, size)
    }

    /// The options `ImageIO.encode` uses for RGB output at `quality`.
    static func standardOptions(quality: Int) -> sc_jpeg_encode_options {
        var o = sc_jpeg_encode_options()
        o.quality = Int32(quality)
        o.input = Int32(SC_JPEG_IN_RGB)
        o.store = Int32(SC_JPEG_STORE_DEFAULT)
        o.progressive = 0
        o.optimize = 1
        o.full_chroma = quality >= 90 ? 1 : 0
        o.adobe_marker = -1
        return o
    }
}

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

    /// Encodes rows packed as PNG stores them (see `sc_png_encode`).
    static func encode(packed: [UInt8], width: Int, height: Int, bitDepth: Int, colorType: ColorType,
                       interlaced: Bool = false, palette: [UInt8] = [], paletteAlpha: [UInt8] = [],
                       transparentColor: [UInt16]? = nil, compressionLevel: Int = 6, file: String) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
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
                        sc_png_encode(data.baseAddress, data.count, &o, &out, &size, msg, cap)
                    }
                }
            }
        }
        return takeBuffer(out, size)
    }

    /// 8-bit RGB, or RGBA when the image has alpha.
    static func encode(_ image: Image, file: String) throws -> [UInt8] {
        guard let alpha = image.alpha else {
            return try encode(packed: image.rgb, width: image.width, height: image.height, bitDepth: 8,
                              colorType: .rgb, file: file)
        }
        let pixels = image.width * image.height
        var rgba = [UInt8](repeating: 0, count: pixels * 4)
        for i in 0..<pixels {
            rgba[4 * i] = image.rgb[3 * i]
            rgba[4 * i + 1] = image.rgb[3 * i + 1]
            rgba[4 * i + 2] = image.rgb[3 * i + 2]
            rgba[4 * i + 3] = alpha[i]
        }
        return try encode(packed: rgba, width: image.width, height: image.height, bitDepth: 8,
                          colorType: .rgba, file: file)
    }
}

extension JPEGEncoder {
    /// Sample layouts the encoder accepts.
    enum Layout { case gray, rgb, cmyk }

    /// Encodes with explicit libjpeg settings; used by the tests to produce
    /// grayscale, progressive, CMYK and YCCK files with the real library.
    static func encode(pixels: [UInt8], width: Int, height: Int, layout: Layout, quality: Int,
                       progressive: Bool = false, storeYCCK: Bool = false, adobeMarker: Bool = true,
                       fullChroma: Bool = true, file: String) throws -> [UInt8] {
        var o = standardOptions(quality: quality)
        switch layout {
        case .gray: o.input = Int32(SC_JPEG_IN_GRAY)
        case .rgb: o.input = Int32(SC_JPEG_IN_RGB)
        case .cmyk: o.input = Int32(SC_JPEG_IN_CMYK)
        }
        o.store = Int32(storeYCCK ? SC_JPEG_STORE_YCCK : SC_JPEG_STORE_DEFAULT)
        o.progressive = progressive ? 1 : 0
        o.adobe_marker = adobeMarker ? -1 : 0
        o.full_chroma = fullChroma ? 1 : 0
        return try encode(pixels: pixels, width: width, height: height, options: o, file: file)
    }
}
