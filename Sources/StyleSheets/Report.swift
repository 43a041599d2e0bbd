import Foundation
import StylizeEngine

extension OptionName {
    public static let report = OptionName(field: "report")
    /// The cell size of a contact sheet (`--size`).
    public static let cellSize = OptionName(field: "size")
    public static let columns = OptionName(field: "columns")
}

/// A report of figures, shown as aligned text on a terminal and saved with `--report` as
/// Markdown (`.md`) or JSON (`.json`): the comparison of the norms and the flicker of a video.
public protocol Report: Encodable {
    /// Aligned columns for a terminal.
    func text() -> String
    /// GitHub-flavoured Markdown.
    func markdown() -> String
}

extension Report {
    /// Pretty-printed JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Checks that `path` names a report format (before any work is done).
    public static func checkPath(_ path: String) throws {
        guard ["md", "markdown", "json"].contains((path as NSString).pathExtension.lowercased()) else {
            throw OptionError(.report, "\(path): \(option: .report) must end in .md or .json")
        }
    }

    /// Writes Markdown for .md, JSON for .json, whole or not at all (temporary file, then rename).
    public func write(to path: String) throws {
        try Self.checkPath(path)
        let text = (path as NSString).pathExtension.lowercased() == "json" ? try json() : markdown()
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw EngineError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }
}

/// Table layouts shared by the reports.
public enum ReportTable {
    /// Columns padded to their widest cell, two spaces apart, no trailing spaces.
    public static func aligned(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max()! }
        return rows.map { row in
            row.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }

    /// A Markdown table with a header row.
    public static func markdown(_ header: [String], _ rows: [[String]]) -> String {
        ([header, header.map { _ in "---" }] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
    }
}
