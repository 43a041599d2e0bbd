/// A failure to read, decode, encode or write an image.
///
/// Every error names the file it concerns and says what is wrong with it;
/// `description` reads like `photo.jpg: not a JPEG or PNG file (starts with 'hell')`.
public struct CodecError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, in categories a caller may want to tell apart.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be opened, read or written (missing, a directory, no permission, disk full).
        case io
        /// The file has zero bytes.
        case empty
        /// The bytes are neither JPEG nor PNG.
        case unknownFormat
        /// The data ends before the image does.
        case truncated
        /// The data breaks the format's rules (bad marker, bad CRC, bad Huffman code, ...).
        case corrupt
        /// A valid file of a kind this library does not decode.
        case unsupported
        /// The image exceeds the pixel limit of `DecodeOptions` (or another safety limit).
        case tooLarge
        /// The image handed to an encoder is inconsistent (zero size, wrong buffer lengths).
        case invalidImage
        /// The output path names a format this library cannot write.
        case unsupportedOutputFormat
        /// The output path is the same file as one of the inputs being protected.
        case wouldOverwriteInput
    }

    /// The file (or name) the error concerns.
    public let file: String
    /// The category of the failure.
    public let kind: Kind
    /// A human-readable explanation of the failure, without the file name.
    public let detail: String

    /// Creates an error for `file`.
    public init(file: String, kind: Kind, detail: String) {
        self.file = file
        self.kind = kind
        self.detail = detail
    }

    /// `"<file>: <detail>"`.
    public var description: String { "\(file): \(detail)" }
}
