import Foundation
import ImageCodecs

/// The folder of style images the page offers (`--styles DIR`; default: the repository's
/// `Images/`). Only its direct children that are images by their bytes are listed, and a
/// style is looked up by its exact name in that listing, never by joining a client's text
/// to a path, so no request can read a file outside the folder (`..`, `/`, `%2F`, links
/// that lead out of the folder are not in the listing).
public struct StyleFolder: Sendable {
    /// One style image of the folder.
    public struct Entry: Sendable, Equatable {
        /// The file name (the style's name in the API).
        public var name: String
        public var format: ImageFormat
        public var bytes: Int
        /// The resolved path (inside the folder).
        public var path: String
    }

    /// The resolved folder path.
    public let path: String

    /// Most files listed (the page shows each as a thumbnail).
    public static let maxEntries = 500

    public init(path: String) throws {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDir), isDir.boolValue else {
            throw APIError(500, "bad_styles_folder", "styles folder \(path) does not exist or is not a folder")
        }
        self.path = resolved
    }

    /// The image files of the folder, sorted by name. Files that are not JPEG or PNG by
    /// their first bytes, hidden files, subfolders and links leading out of the folder are
    /// left out.
    public func entries() -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        var out: [Entry] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            guard out.count < Self.maxEntries else { break }
            let full = URL(fileURLWithPath: path).appendingPathComponent(name).resolvingSymlinksInPath()
            guard full.deletingLastPathComponent().path == path else { continue }   // a link out of the folder
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: full.path),
                  attributes[.type] as? FileAttributeType == .typeRegular,
                  let size = attributes[.size] as? Int,
                  let format = try? ImageIO.format(ofFile: full.path) else { continue }
            out.append(Entry(name: name, format: format, bytes: size, path: full.path))
        }
        return out
    }

    /// The entry named exactly `name`, nil if the listing has none.
    public func entry(named name: String) -> Entry? {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else { return nil }
        return entries().first { $0.name == name }
    }

    /// The default folder: `Images/` of the working directory, or of the package root or
    /// `<prefix>/share/stylize/` above the executable (as `WeightsLocator` looks for weights).
    public static func defaultPath(workingDirectory: String = FileManager.default.currentDirectoryPath,
                                   executablePath: String = CommandLine.arguments.first ?? "") -> String? {
        var candidates = [workingDirectory + "/Images"]
        var dir = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("Images").path)
            candidates.append(dir.appendingPathComponent("share/stylize/Images").path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { candidate in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir) && isDir.boolValue
        }
    }
}
