/// Reading and writing JPEG and PNG files.
///
/// Input formats are detected from the bytes, never from the name; output
/// formats come from the output path's extension. Every failure is a
/// `CodecError` naming the file.
public enum ImageIO {
    /// Detects the format and reads the size from the headers without decoding
    /// pixels. The size is the upright size (EXIF orientation applied), i.e.
    /// the size `decode` returns.
    public static func probe(file: String) throws -> (format: ImageFormat, width: Int, height: Int) {
        try probe(bytes: try FileAccess.read(file), name: file)
    }

    /// `probe` on bytes in memory (e.g. an upload); `name` is used in error messages.
    public static func probe(bytes: [UInt8], name: String) throws -> (format: ImageFormat, width: Int, height: Int) {
        let format = try sniff(bytes, name: name)
        switch format {
        case .jpeg:
            let header = try JPEGDecoder.readHeader(bytes, file: name)
            let swapped = header.orientation?.swapsDimensions ?? false
            return (format, swapped ? header.height : header.width, swapped ? header.width : header.height)
        case .png:
            let info = try PNGDecoder.readHeader(bytes, file: name)
            return (format, Int(info.width), Int(info.height))
        }
    }

    /// Reads and decodes an image file (format detected from its bytes).
    public static func decode(file: String, options: DecodeOptions = .init()) throws -> Image {
        try decode(bytes: try FileAccess.read(file), name: file, options: options)
    }

    /// Decodes JPEG or PNG bytes; `name` is used in error messages.
    ///
    /// JPEG: baseline, progressive, grayscale, CMYK/YCCK (Adobe-marked CMYK is
    /// taken as inverted, as Photoshop writes it), EXIF orientation applied.
    /// PNG: every colour type and bit depth, tRNS, Adam7; 16-bit samples are
    /// rounded to 8 bits; no gamma correction; the EXIF orientation of PNG
    /// (eXIf chunk) is not applied. A bad CRC on any chunk, critical or
    /// ancillary, is an error, and so is a file without IEND.
    /// JPEG corrupt-data warnings (premature end, bad Huffman code, ...) are
    /// errors; only stray bytes between marker segments, an unknown JFIF
    /// version, an unknown Adobe transform or a bad ICC marker are tolerated.
    /// The pixel limit (`options.maxPixels`) is checked from the header before
    /// pixels are allocated.
    public static func decode(bytes: [UInt8], name: String, options: DecodeOptions = .init()) throws -> Image {
        switch try sniff(bytes, name: name) {
        case .jpeg: return try JPEGDecoder.decode(bytes, file: name, options: options)
        case .png: return try PNGDecoder.decode(bytes, file: name, options: options)
        }
    }

    /// Encodes an image. JPEG: `quality` 1...100, optimised Huffman tables,
    /// 4:4:4 chroma at quality >= 90 (4:2:0 below), alpha dropped. PNG: 8-bit
    /// RGB, or RGBA when the image has alpha (`quality` unused). `name` is used
    /// in error messages.
    public static func encode(_ image: Image, as format: ImageFormat, quality: Int = 95, name: String) throws -> [UInt8] {
        try checkEncodable(image, as: format, quality: quality, name: name)
        switch format {
        case .jpeg:
            return try JPEGEncoder.encode(pixels: image.rgb, width: image.width, height: image.height,
                                          options: JPEGEncoder.standardOptions(quality: quality), file: name)
        case .png:
            return try PNGEncoder.encode(image, file: name)
        }
    }

    /// Throws when `image` cannot be encoded as `format` (inconsistent sizes, a JPEG quality
    /// outside 1...100).
    static func checkEncodable(_ image: Image, as format: ImageFormat, quality: Int, name: String) throws {
        guard image.isConsistent else {
            throw CodecError(file: name, kind: .invalidImage,
                             detail: "cannot encode a \(image.width)x\(image.height) image with \(image.rgb.count) RGB bytes and \(image.alpha.map { "\($0.count)" } ?? "no") alpha bytes")
        }
        if format == .jpeg, !(1...100).contains(quality) {
            throw CodecError(file: name, kind: .invalidImage, detail: "JPEG quality must be 1...100, not \(quality)")
        }
    }

    /// Encodes `image` in the format named by `path`'s extension (`.jpg`,
    /// `.jpeg`, `.png`, case-insensitive) and writes it atomically: the bytes go
    /// to a temporary file in the same directory which is then renamed over
    /// `path`, so the output appears whole or not at all; the temporary file is
    /// removed on any failure. The encoder streams into that file as it compresses, so
    /// no encoded copy of the image is held in memory. Refuses to write when `path` is the same file
    /// (same device and inode, links followed) as an existing path in `inputs`.
    /// `tracking(temp, true)` is called before the temporary file is created and
    /// `tracking(temp, false)` once it is gone (renamed or removed), so a caller can
    /// remove it if the process must exit in between.
    public static func write(_ image: Image, to path: String, quality: Int = 95, protecting inputs: [String] = [],
                             tracking: ((String, Bool) -> Void)? = nil) throws {
        let format = try checkOutput(path, protecting: inputs)
        try checkEncodable(image, as: format, quality: quality, name: path)
        try FileAccess.writeAtomically(to: path, tracking: tracking) { fd in
            switch format {
            case .jpeg:
                try JPEGEncoder.write(pixels: image.rgb, width: image.width, height: image.height,
                                      options: JPEGEncoder.standardOptions(quality: quality), to: fd, file: path)
            case .png:
                try PNGEncoder.write(image, to: fd, file: path)
            }
        }
    }

    /// The checks `write` makes before encoding, for callers that want to fail before
    /// doing the work: the output format from `path`'s extension (`.jpg`, `.jpeg`, `.png`),
    /// and `path` is not the same file (same device and inode, links followed) as an
    /// existing path in `inputs`.
    @discardableResult
    public static func checkOutput(_ path: String, protecting inputs: [String] = []) throws -> ImageFormat {
        guard let format = ImageFormat.forPath(path) else {
            throw CodecError(file: path, kind: .unsupportedOutputFormat,
                             detail: "cannot tell the output format from the file name (use .jpg, .jpeg or .png)")
        }
        if let target = FileAccess.identity(path) {
            for input in inputs {
                if let source = FileAccess.identity(input), source == target {
                    throw CodecError(file: path, kind: .wouldOverwriteInput,
                                     detail: "refusing to overwrite the input file \(input)")
                }
            }
        }
        return format
    }

    /// The image format of a file from its first bytes (nil: not JPEG or PNG); throws a
    /// `CodecError` naming the file when it cannot be opened or read.
    public static func format(ofFile path: String) throws -> ImageFormat? {
        try ImageFormat(sniffing: FileAccess.readHead(path, count: 8))
    }

    /// The format of `bytes`, or an error saying what the bytes look like.
    static func sniff(_ bytes: [UInt8], name: String) throws -> ImageFormat {
        if bytes.isEmpty { throw CodecError(file: name, kind: .empty, detail: "file is empty (0 bytes)") }
        if let format = ImageFormat(sniffing: bytes) { return format }
        throw CodecError(file: name, kind: .unknownFormat, detail: "not a JPEG or PNG file (starts with \(describeStart(bytes)))")
    }

    /// `'hell'` for printable text, `bytes 00 01 02 03` otherwise.
    static func describeStart(_ bytes: [UInt8]) -> String {
        let head = Array(bytes.prefix(4))
        if head.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return "'" + String(decoding: head, as: UTF8.self) + "'"
        }
        return "bytes " + head.map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: " ")
    }
}
