import ArgumentParser
import Foundation
import ImageCodecs
#if canImport(Glibc)
import Glibc
#endif

/// `-` as an image path: the content read from standard input, or the result written to
/// standard output (PNG unless `--format jpeg`), so the tool fits into pipelines:
///
///     curl -s https://example.org/photo.jpg | stylize - painting.jpg -o - | convert - -resize 50% small.jpg
///
/// In that mode the image is the only thing on standard output; messages go to standard error.
enum StandardStreams {
    static let dash = "-"
    static let inputName = "standard input"
    static let outputName = "standard output"

    /// The image piped into standard input (format sniffed from its bytes); errors name
    /// "standard input".
    static func readImage() throws -> Image {
        if isatty(0) == 1 {
            throw ValidationError("\(inputName) is a terminal: pipe a JPEG or PNG image into it (e.g. 'cat photo.jpg | stylize - painting.jpg -o out.jpg')")
        }
        let bytes: [UInt8]
        do { bytes = [UInt8](try FileHandle.standardInput.readToEnd() ?? Data()) } catch {
            throw CodecError(file: inputName, kind: .io, detail: "read failed (\(error.localizedDescription))")
        }
        if bytes.isEmpty {
            throw CodecError(file: inputName, kind: .empty, detail: "nothing was read (0 bytes); pipe a JPEG or PNG image into it")
        }
        return try ImageIO.decode(bytes: bytes, name: inputName)
    }

    /// Encodes `image` and writes it to standard output; refuses a terminal (image bytes
    /// would garble it).
    static func write(_ image: Image, format: ImageFormat, quality: Int) throws {
        if isatty(1) == 1 {
            throw ValidationError("\(outputName) is a terminal: redirect it to a file or a pipe (or give -o FILE)")
        }
        let bytes = try ImageIO.encode(image, as: format, quality: quality, name: outputName)
        do { try FileHandle.standardOutput.write(contentsOf: Data(bytes)) } catch {
            throw CodecError(file: outputName, kind: .io, detail: "write failed (\(error.localizedDescription))")
        }
    }

    /// Refuses `-` in the named arguments of `command`, saying why and what to do instead.
    static func refuse(_ arguments: [(name: String, value: String?)], command: String, because reason: String) throws {
        for (name, value) in arguments where value == dash {
            throw ValidationError("\(command): '\(name) -' (standard input or output) is not supported: \(reason)")
        }
    }

    /// Writes a line to standard error (the channel for messages when standard output
    /// carries an image or JSON).
    static func message(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// `--format`: the image format written to standard output.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case png, jpeg, jpg

    var imageFormat: ImageFormat { self == .png ? .png : .jpeg }

    /// The format of the output `path` (`-`: `format`, default PNG; a file: its extension,
    /// which `format`, when given, must agree with).
    static func resolve(_ format: OutputFormat?, for path: String) throws -> ImageFormat {
        if path == StandardStreams.dash { return format?.imageFormat ?? .png }
        guard let format else { return try ImageIO.checkOutput(path) }
        let fromName = ImageFormat(pathExtension: (path as NSString).pathExtension)
        guard fromName == format.imageFormat else {
            throw ValidationError("--format \(format.rawValue) does not match the output file \(path): a file's format follows its extension (.jpg, .jpeg, .png); --format is for -o - (standard output)")
        }
        return format.imageFormat
    }
}
