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

    /// The same, written to the open file `fd` as it is compressed: no encoded copy of the
    /// file is held in memory (`sc_jpeg_encode_to_fd`).
    static func write(pixels: [UInt8], width: Int, height: Int, options: sc_jpeg_encode_options, to fd: Int32, file: String) throws {
        var options = options
        try pixels.withUnsafeBufferPointer { data in
            try callShim(file: file, what: "cannot encode JPEG") { msg, cap in
                sc_jpeg_encode_to_fd(data.baseAddress, Int32(clamping: width), Int32(clamping: height), &options, fd, msg, cap)
            }
        }
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
