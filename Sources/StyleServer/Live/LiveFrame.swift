import ImageCodecs

/// A frame of the live view as it travels over the WebSocket (`/v1/live`), in a binary
/// message: a 24-byte header, then the pixels. The client sends camera frames; the server
/// answers each with the stylized frame, same number, size and format.
///
///     offset  size  field
///      0      4     magic "SLF1"
///      4      4     frame number (unsigned, little-endian; the client's, echoed back)
///      8      2     width  (pixels, little-endian)
///     10      2     height
///     12      1     format: 0 = RGBA, 4 bytes per pixel, rows top to bottom; 1 = JPEG file
///     13      3     0
///     16      4     server to client: the settings version the frame was stylized with
///                   (see `LiveSession`); client to server: 0
///     20      4     server to client: microseconds the server spent (queue wait, decode,
///                   stylize, encode); client to server: 0
///     24      ...   the pixels (RGBA: exactly 4 x width x height bytes) or the JPEG file
///
/// RGBA is the default on loopback: it costs the browser and the server no coding at all
/// (`getImageData` out, `putImageData` in), where JPEG costs an encode and a decode on each
/// side; JPEG (`transport=jpeg` on the page) is for slower links. The alpha channel is
/// ignored on the way in and 255 on the way out.
struct LiveFrame: Sendable, Equatable {
    enum Format: UInt8, Sendable {
        case rgba = 0
        case jpeg = 1
    }

    static let headerBytes = 24
    static let magic: [UInt8] = Array("SLF1".utf8)
    /// A style upload: these 4 bytes, then a JPEG or PNG file.
    static let styleMagic: [UInt8] = Array("SLS1".utf8)
    /// JPEG quality of stylized frames sent back as JPEG.
    static let jpegQuality = 85

    var number: UInt32
    var width: Int
    var height: Int
    var format: Format
    var version: UInt32 = 0
    var microseconds: UInt32 = 0
    var payload: [UInt8]

    /// Reads a client's frame; `maxPixels` is the server's limit. Errors are `LiveError`s
    /// that say what is wrong with the message.
    static func parse(_ bytes: [UInt8], maxPixels: Int) throws -> LiveFrame {
        guard bytes.count >= headerBytes, Array(bytes[0..<4]) == magic else {
            throw LiveError.badFrame("a frame starts with a \(headerBytes)-byte header beginning with 'SLF1' (got \(bytes.count) bytes"
                + (bytes.count >= 4 ? " starting with \(printable(bytes[0..<4])))" : ")"))
        }
        let number = u32(bytes, 4)
        let width = Int(u16(bytes, 8)), height = Int(u16(bytes, 10))
        guard let format = Format(rawValue: bytes[12]) else {
            throw LiveError.badFrame("frame \(number): unknown format \(bytes[12]) (0 = RGBA, 1 = JPEG)")
        }
        guard width > 0, height > 0 else { throw LiveError.badFrame("frame \(number): empty size \(width)x\(height)") }
        guard width * height <= maxPixels else {
            throw LiveError.frameTooLarge("frame \(number) is \(width)x\(height) = \(width * height) pixels, more than this server's live limit "
                + "of \(maxPixels) pixels (480p is 640x480 or 854x480): choose a smaller size")
        }
        let payload = Array(bytes[headerBytes...])
        switch format {
        case .rgba:
            guard payload.count == 4 * width * height else {
                throw LiveError.badFrame("frame \(number): RGBA \(width)x\(height) needs \(4 * width * height) bytes of pixels, got \(payload.count)")
            }
        case .jpeg:
            guard !payload.isEmpty else { throw LiveError.badFrame("frame \(number): the JPEG file is empty") }
        }
        return LiveFrame(number: number, width: width, height: height, format: format, payload: payload)
    }

    /// The frame's pixels (decoding a JPEG; its size must match the header's).
    func image() throws -> Image {
        switch format {
        case .rgba:
            var rgb = [UInt8](repeating: 0, count: 3 * width * height)
            payload.withUnsafeBufferPointer { src in
                rgb.withUnsafeMutableBufferPointer { dst in
                    for p in 0..<(width * height) {
                        dst[3 * p] = src[4 * p]; dst[3 * p + 1] = src[4 * p + 1]; dst[3 * p + 2] = src[4 * p + 2]
                    }
                }
            }
            return Image(width: width, height: height, rgb: rgb)
        case .jpeg:
            let name = "frame \(number)"
            let header = try ImageIO.probe(bytes: payload, name: name)
            guard header.format == .jpeg, header.width == width, header.height == height else {
                throw LiveError.badFrame("\(name): the header says a \(width)x\(height) JPEG, the file is a \(header.width)x\(header.height) \(header.format)")
            }
            var image = try ImageIO.decode(bytes: payload, name: name)
            image.alpha = nil
            return image
        }
    }

    /// The answer to this frame: `image` in the same format, with the settings version and
    /// the server's time.
    func answer(_ image: Image, version: UInt32, microseconds: UInt32) throws -> LiveFrame {
        let pixels: [UInt8]
        switch format {
        case .rgba:
            var rgba = [UInt8](repeating: 255, count: 4 * image.pixelCount)
            image.rgb.withUnsafeBufferPointer { src in
                rgba.withUnsafeMutableBufferPointer { dst in
                    for p in 0..<image.pixelCount {
                        dst[4 * p] = src[3 * p]; dst[4 * p + 1] = src[3 * p + 1]; dst[4 * p + 2] = src[3 * p + 2]
                    }
                }
            }
            pixels = rgba
        case .jpeg:
            pixels = try ImageIO.encode(Image(width: image.width, height: image.height, rgb: image.rgb), as: .jpeg,
                                        quality: Self.jpegQuality, name: "frame \(number)")
        }
        return LiveFrame(number: number, width: image.width, height: image.height, format: format, version: version,
                         microseconds: microseconds, payload: pixels)
    }

    /// The message bytes.
    var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.headerBytes + payload.count)
        out += Self.magic
        Self.put32(&out, number)
        Self.put16(&out, UInt16(width)); Self.put16(&out, UInt16(height))
        out += [format.rawValue, 0, 0, 0]
        Self.put32(&out, version)
        Self.put32(&out, microseconds)
        out += payload
        return out
    }

    static func u16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
    static func put16(_ out: inout [UInt8], _ v: UInt16) { out += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func put32(_ out: inout [UInt8], _ v: UInt32) { out += (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    static func printable(_ b: ArraySlice<UInt8>) -> String {
        "'" + String(b.map { $0 >= 32 && $0 < 127 ? Character(UnicodeScalar($0)) : "?" }) + "'"
    }
}
