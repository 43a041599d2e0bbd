import CCodecShim

/// JPEG decoding through libjpeg-turbo (see jpeg_shim.c).
enum JPEGDecoder {
    /// What the headers say, before any pixel is decoded.
    struct Header {
        var width: Int
        var height: Int
        var color: Int32
        var progressive: Bool
        var orientation: ExifOrientation?
    }

    /// Reads the frame header and the EXIF orientation.
    static func readHeader(_ bytes: [UInt8], file: String) throws -> Header {
        var info = sc_jpeg_info()
        var exif = [UInt8](repeating: 0, count: 65536)
        try bytes.withUnsafeBufferPointer { data in
            try exif.withUnsafeMutableBufferPointer { exifBuffer in
                try callShim(file: file, what: "invalid JPEG") { msg, cap in
                    sc_jpeg_read_info(data.baseAddress, data.count, &info,
                                      exifBuffer.baseAddress, exifBuffer.count, msg, cap)
                }
            }
        }
        let exifPayload = Array(exif.prefix(Int(info.exif_length)))
        return Header(width: Int(info.width), height: Int(info.height), color: info.color,
                      progressive: info.progressive != 0,
                      orientation: exifPayload.isEmpty ? nil : ExifOrientation.parse(app1: exifPayload))
    }

    /// Decodes to upright RGB (no alpha: JPEG has none).
    static func decode(_ bytes: [UInt8], file: String, options: DecodeOptions) throws -> Image {
        let header = try readHeader(bytes, file: file)
        try checkPixelLimit(width: header.width, height: header.height, options: options, file: file, format: "JPEG")
        if header.color == Int32(SC_JPEG_OTHER) {
            throw CodecError(file: file, kind: .unsupported, detail: "JPEG colour space is not grayscale, YCbCr/RGB, CMYK or YCCK")
        }
        let count = header.width * header.height * 3
        var failure: Error?
        let rgb = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do {
                try bytes.withUnsafeBufferPointer { data in
                    try callShim(file: file, what: "invalid JPEG") { msg, cap in
                        sc_jpeg_decode_rgb(data.baseAddress, data.count, Int32(clamping: options.maxJPEGScans),
                                           buffer.baseAddress, count, msg, cap)
                    }
                }
            } catch {
                failure = error
            }
            initialized = count
        }
        if let failure { throw failure }
        let image = Image(width: header.width, height: header.height, rgb: rgb)
        if options.appliesEXIFOrientation, let orientation = header.orientation {
            return image.applying(orientation)
        }
        return image
    }
}
