import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One part of a `multipart/form-data` body (RFC 7578): a form field or an uploaded file.
public struct FormPart: Sendable, Equatable {
    /// The `name` of the Content-Disposition header.
    public var name: String
    /// The `filename` of the Content-Disposition header (uploads only).
    public var filename: String?
    /// The part's Content-Type header, if any.
    public var contentType: String?
    public var data: [UInt8]

    public init(name: String, filename: String? = nil, contentType: String? = nil, data: [UInt8]) {
        self.name = name; self.filename = filename; self.contentType = contentType; self.data = data
    }

    /// The data as UTF-8 text (form fields).
    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// A body that breaks the multipart rules; the message says where.
public struct MultipartError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ message: String) { description = message }
}

/// A `multipart/form-data` parser for bodies already held in memory (the upload cap bounds
/// them). Parts are delimited by CRLF "--" boundary; the body ends with "--" boundary "--".
/// Only the Content-Disposition and Content-Type headers of a part are read.
public enum Multipart {
    /// Most parts a body may have, and most bytes of one part's headers.
    public static let maxParts = 32
    public static let maxHeaderBytes = 8192

    /// The boundary of a `multipart/form-data; boundary=...` Content-Type, nil for any other type.
    public static func boundary(contentType: String) -> String? {
        let (kind, values) = parameters(contentType)
        guard kind.lowercased() == "multipart/form-data", let value = values["boundary"] else { return nil }
        // RFC 2046: 1 to 70 characters.
        guard (1...70).contains(value.utf8.count) else { return nil }
        return value
    }

    /// Splits `body` into its parts.
    public static func parse(_ body: [UInt8], boundary: String) throws -> [FormPart] {
        let delimiter = Array(("--" + boundary).utf8)
        let separator = Array(("\r\n--" + boundary).utf8)
        // The first delimiter may open the body or follow a preamble ending in CRLF.
        var position: Int
        if body.starts(with: delimiter) {
            position = delimiter.count
        } else if let found = find(separator, in: body, from: 0) {
            position = found + separator.count
        } else {
            throw MultipartError("the body has no part (boundary '\(boundary)' not found)")
        }
        var parts: [FormPart] = []
        while true {
            // After a delimiter: "--" ends the body, else optional blanks then CRLF.
            if position + 2 <= body.count, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") {
                return parts
            }
            while position < body.count, body[position] == UInt8(ascii: " ") || body[position] == UInt8(ascii: "\t") { position += 1 }
            guard position + 2 <= body.count, body[position] == 13, body[position + 1] == 10 else {
                throw MultipartError("the body ends inside a boundary line (is it truncated?)")
            }
            position += 2
            guard parts.count < maxParts else { throw MultipartError("more than \(maxParts) parts") }
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: body, from: position, limit: maxHeaderBytes) else {
                throw MultipartError("part \(parts.count + 1) has no end of headers within \(maxHeaderBytes) bytes")
            }
            var part = try headers(String(decoding: body[position..<headerEnd], as: UTF8.self), index: parts.count + 1)
            let dataStart = headerEnd + 4
            guard let next = find(separator, in: body, from: dataStart) else {
                throw MultipartError("part '\(part.name)' has no closing boundary (is the body truncated?)")
            }
            part.data = Array(body[dataStart..<next])
            parts.append(part)
            position = next + separator.count
        }
    }

    /// The name, filename and type of a part from its header lines.
    static func headers(_ text: String, index: Int) throws -> FormPart {
        var name: String?
        var filename: String?
        var type: String?
        for line in text.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else {
                throw MultipartError("part \(index): malformed header line '\(line.prefix(60))'")
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "content-disposition":
                let params = parameters(value)
                guard params.kind.lowercased() == "form-data" else {
                    throw MultipartError("part \(index): Content-Disposition must be form-data, not '\(params.kind)'")
                }
                name = params.values["name"]
                filename = params.values["filename"]
            case "content-type":
                type = value
            default:
                continue
            }
        }
        guard let name, !name.isEmpty else { throw MultipartError("part \(index) has no name (Content-Disposition: form-data; name=...)") }
        return FormPart(name: name, filename: filename, contentType: type, data: [])
    }

    /// `form-data; name="a"; filename="b.jpg"` as ("form-data", [name: a, filename: b.jpg]);
    /// quoted values may contain ';' and backslash-escaped quotes.
    static func parameters(_ value: String) -> (kind: String, values: [String: String]) {
        let chars = Array(value)
        var i = 0
        func skipBlanks() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }
        var kind = ""
        while i < chars.count, chars[i] != ";" { kind.append(chars[i]); i += 1 }
        var values: [String: String] = [:]
        while i < chars.count {
            i += 1   // ';'
            skipBlanks()
            var key = ""
            while i < chars.count, chars[i] != "=", chars[i] != ";" { key.append(chars[i]); i += 1 }
            guard i < chars.count, chars[i] == "=" else { continue }
            i += 1
            skipBlanks()
            var v = ""
            if i < chars.count, chars[i] == "\"" {
                i += 1
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                    v.append(chars[i]); i += 1
                }
                i += 1
                while i < chars.count, chars[i] != ";" { i += 1 }
            } else {
                while i < chars.count, chars[i] != ";" { v.append(chars[i]); i += 1 }
                v = v.trimmingCharacters(in: .whitespaces)
            }
            values[key.trimmingCharacters(in: .whitespaces).lowercased()] = v
        }
        return (kind.trimmingCharacters(in: .whitespaces), values)
    }

    /// The index of the first occurrence of `needle` in `haystack` at or after `from`
    /// (and starting before `from + limit` when a limit is given).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int, limit: Int? = nil) -> Int? {
        guard from <= haystack.count, !needle.isEmpty else { return nil }
        var end = haystack.count
        if let limit { end = min(end, from + limit + needle.count) }
        guard end - from >= needle.count else { return nil }
        return haystack.withUnsafeBytes { h -> Int? in
            needle.withUnsafeBytes { n -> Int? in
                let base = h.baseAddress!, first = Int32(needle[0])
                var i = from
                let last = end - needle.count
                while i <= last {
                    // memchr finds the next candidate first byte, memcmp checks the rest.
                    guard let hit = memchr(base + i, first, last - i + 1) else { return nil }
                    let at = UnsafeRawPointer(hit) - base
                    if memcmp(base + at, n.baseAddress!, n.count) == 0 { return at }
                    i = at + 1
                }
                return nil
            }
        }
    }

    /// Builds a body (for clients and tests): each part with its headers.
    public static func encode(_ parts: [FormPart], boundary: String) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type = part.contentType { head += "Content-Type: \(type)\r\n" }
            head += "\r\n"
            out += Array(head.utf8) + part.data + Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }
}
