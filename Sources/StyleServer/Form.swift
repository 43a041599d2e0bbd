import Foundation
import ImageCodecs
import StyleNN
import StylizeEngine

/// The fields of a multipart request, read with checks whose messages name the field.
struct Form {
    let parts: [FormPart]

    /// Names the API knows; anything else is refused, so a typo is not silently ignored.
    let allowed: Set<String>

    init(_ parts: [FormPart], allowed: Set<String>) throws {
        self.parts = parts
        self.allowed = allowed
        for part in parts where !allowed.contains(part.name) {
            throw APIError.badRequest("unknown field '\(part.name.prefix(40))' (known: \(allowed.sorted().joined(separator: ", ")))")
        }
        var seen = Set<String>()
        for part in parts {
            guard seen.insert(part.name).inserted else { throw APIError.badRequest("field '\(part.name)' is given twice") }
        }
    }

    func part(_ name: String) -> FormPart? { parts.first { $0.name == name } }

    /// A text field, trimmed; nil when absent or empty.
    func text(_ name: String) -> String? {
        guard let p = part(name) else { return nil }
        let t = p.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }

    /// An uploaded file; nil when absent, 400 when present but empty.
    func file(_ name: String) throws -> FormPart? {
        guard let p = part(name) else { return nil }
        if p.data.isEmpty && (p.filename ?? "").isEmpty { return nil }   // an empty file input
        guard !p.data.isEmpty else { throw APIError(415, "not_an_image", "\(name): not an image: the upload is empty (0 bytes)") }
        return p
    }

    /// A number field; nil when absent. Only the syntax is checked here: the ranges of the
    /// engine's options are checked by the engine's one validator (`StyleEngine.validate`,
    /// `TransferOptions.validate`), whose `OptionError`s are answered with field names.
    func float(_ name: String) throws -> Float? {
        guard let t = text(name) else { return nil }
        guard let v = Float(t), v.isFinite else { throw APIError.badRequest("\(name) must be a number, got '\(t.prefix(40))'") }
        return v
    }

    /// A whole-number field; nil when absent (syntax only, as `float`).
    func int(_ name: String) throws -> Int? {
        guard let t = text(name) else { return nil }
        guard let v = Int(t) else { throw APIError.badRequest("\(name) must be a whole number, got '\(t.prefix(40))'") }
        return v
    }

    /// A whole-number field within a limit of the server itself (not an engine rule, e.g.
    /// the largest side it accepts); `value` when absent.
    func int(_ name: String, default value: Int, limit range: ClosedRange<Int>) throws -> Int {
        guard let v = try int(name) else { return value }
        guard range.contains(v) else {
            throw APIError.badRequest("\(name) must be from \(range.lowerBound) to \(range.upperBound) on this server, got \(v)")
        }
        return v
    }

    /// true/false, 1/0, on/off, yes/no (an HTML checkbox sends "on").
    func bool(_ name: String) throws -> Bool {
        guard let t = text(name)?.lowercased() else { return false }
        switch t {
        case "1", "true", "on", "yes": return true
        case "0", "false", "off", "no": return false
        default: throw APIError.badRequest("\(name) must be true or false, got '\(t.prefix(40))'")
        }
    }

    func model(default family: ModelFamily) throws -> ModelFamily {
        guard let t = text("model") else { return family }
        guard let f = ModelFamily(rawValue: t.lowercased()) else {
            throw APIError(400, "unknown_model", "unknown model '\(t.prefix(40))' (known: \(ModelFamily.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return f
    }

    /// `norm` and `groups` as a NormKind (instance when absent; groups default 32).
    func norm() throws -> NormKind {
        let name = text("norm") ?? "instance"
        return try NormKind.checked(name: name, groups: name.lowercased() == "group" ? (try int("groups") ?? 32) : nil)
    }

}

/// A decoded upload's name for messages ("content (photo.jpg)"), the file name stripped
/// of folders and odd characters.
func uploadName(_ field: String, _ part: FormPart) -> String {
    guard let f = part.filename, !f.isEmpty else { return field }
    return "\(field) (\(safeFileName(f)))"
}

/// The last path component of `name`, with anything but letters, digits, '.', '-' and '_'
/// replaced by '_' (for messages and Content-Disposition).
func safeFileName(_ name: String) -> String {
    let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? name
    let cleaned = String(last.prefix(80).map { c -> Character in
        c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_") ? c : "_"
    })
    return cleaned.isEmpty ? "upload" : cleaned
}

/// The file name without its extension.
func stem(_ name: String) -> String {
    let safe = safeFileName(name)
    guard let dot = safe.lastIndex(of: "."), dot != safe.startIndex else { return safe }
    return String(safe[..<dot])
}
