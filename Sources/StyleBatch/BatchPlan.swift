import Foundation
import ImageCodecs
import StylizeEngine

/// One (content, style) pair of a batch and the file its result goes to.
public struct BatchItem: Sendable, Equatable {
    /// Path of the content image.
    public let content: String
    /// The content's path relative to the content folder (the sort key, and the
    /// subfolder mirrored under the output folder).
    public let contentRelative: String
    /// Path of the style image.
    public let style: String
    /// Where the stylized image is written.
    public let output: String
    /// Why this pair cannot be run at all (e.g. its output would replace an input), or nil.
    public let refusal: String?

    public init(content: String, contentRelative: String, style: String, output: String, refusal: String? = nil) {
        self.content = content; self.contentRelative = contentRelative
        self.style = style; self.output = output; self.refusal = refusal
    }
}

/// A file of a content or style folder that is not part of the work list.
public struct BatchSkippedFile: Sendable, Equatable, Codable {
    public let path: String
    public let reason: String
}

/// `--shard K/N`: the K-th (1-based) of N deterministic slices of the work list.
///
/// The work list is every (content, style) pair sorted by content path relative to
/// the content folder, then by style path as given; shard K takes the pairs whose
/// 0-based index i satisfies i % N == K - 1. Every pair belongs to exactly one shard,
/// independently of which outputs already exist, so shards can run on different
/// machines (a Slurm array, Kubernetes indexed Jobs, GNU parallel) and be rerun.
extension OptionName {
    /// `--shard K/N`.
    public static let shard = OptionName(field: "shard")
}

public struct BatchShard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 1, index <= count else {
            throw OptionError(.shard, "\(option: .shard) K/N needs 1 <= K <= N, got \(index)/\(count)")
        }
        self.index = index; self.count = count
    }

    /// Parses "K/N".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw OptionError(.shard, "\(option: .shard) must look like K/N (e.g. 3/8), got '\(text)'")
        }
        try self.init(index: k, count: n)
    }

    /// The pairs of this shard, in work-list order.
    public func select<T>(_ list: [T]) -> [T] {
        list.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }

    public var description: String { "\(index)/\(count)" }
}

/// Errors found while building a batch's work list.
public enum BatchError: Error, CustomStringConvertible, Equatable {
    case notADirectory(String)
    case noStyles
    case styleNotFound(String)
    case outputIsContentFolder(String)
    case duplicateOutput(output: String, first: String, second: String)
    case outputEscapesFolder(output: String, folder: String)

    public var description: String {
        switch self {
        case .notADirectory(let path): return "\(path): not a folder"
        case .styleNotFound(let path): return "\(path): style image not found"
        case .noStyles: return "no style images found (give --style FILE or --style FOLDER with JPEG/PNG files)"
        case .outputIsContentFolder(let path):
            return "\(path): the output folder must not be the content folder (outputs would become inputs)"
        case .duplicateOutput(let output, let first, let second):
            return "\(output): two pairs would write this file (\(first) and \(second)); rename one of the inputs"
        case .outputEscapesFolder(let output, let folder):
            return "\(output): refusing an output name that leaves the output folder \(folder)"
        }
    }
}

/// The work list of a batch: every content image of a folder with every style.
public struct BatchPlan: Sendable {
    /// All pairs, sorted (see `BatchShard` for the order), before sharding.
    public var items: [BatchItem]
    /// Files that were looked at and left out, with the reason.
    public var skippedFiles: [BatchSkippedFile]

    /// Builds the work list.
    ///
    /// - Images are recognised by their first bytes (JPEG or PNG signature). A file
    ///   whose bytes are not an image is skipped with a note, unless its name ends in
    ///   .jpg/.jpeg/.png: then it is kept and reported as a failure when it fails to
    ///   decode (a broken image, not a stray file). Hidden files (name starting with
    ///   ".", which includes temporary files of interrupted writes) are ignored.
    /// - `recursive` walks subfolders (not through symbolic links to folders) and
    ///   mirrors them under `outputFolder`; the output folder itself is never walked.
    /// - Outputs are `<outputFolder>/<subfolder>/<content stem>_stylized_<style stem>.<ext>`
    ///   (ext: the content's, png when it has none); an output that would leave the
    ///   output folder is an error; a pair whose output is one of the inputs, or the same
    ///   file as an earlier pair's output (e.g. a.jpg and a.JPG), is refused (reported as
    ///   failed with the reason) and the others run.
    public static func make(contentFolder: String, styles: [String], outputFolder: String,
                            recursive: Bool) throws -> BatchPlan {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: contentFolder, isDirectory: &isDir), isDir.boolValue else {
            throw BatchError.notADirectory(contentFolder)
        }
        let outRoot = canonical(outputFolder)
        if canonical(contentFolder) == outRoot { throw BatchError.outputIsContentFolder(outputFolder) }

        var skipped: [BatchSkippedFile] = []
        var contents: [(path: String, relative: String)] = []
        walk(folder: contentFolder, relative: "", recursive: recursive, excluding: outRoot,
             into: &contents, skipped: &skipped)

        var styleFiles: [String] = []
        for style in styles {
            if fm.fileExists(atPath: style, isDirectory: &isDir), isDir.boolValue {
                var found: [(path: String, relative: String)] = []
                walk(folder: style, relative: "", recursive: false, excluding: outRoot, into: &found, skipped: &skipped)
                styleFiles += found.map(\.path)
            } else {
                guard fm.fileExists(atPath: style) else { throw BatchError.styleNotFound(style) }
                styleFiles.append(style)   // an unreadable or broken style fails each of its pairs with the reason
            }
        }
        guard !styleFiles.isEmpty else { throw BatchError.noStyles }

        let inputs = Set((contents.map(\.path) + styleFiles).map(canonical))
        var items: [BatchItem] = []
        var owner: [String: String] = [:]
        for c in contents.sorted(by: { $0.relative < $1.relative }) {
            let subfolder = (c.relative as NSString).deletingLastPathComponent
            for s in styleFiles.sorted() {
                let name = TransferRequest.defaultOutputName(content: c.path, styles: [s])
                let output = try outputPath(folder: outputFolder, subfolder: subfolder, name: name)
                let key = canonical(output)
                var refusal: String? = nil
                if inputs.contains(key) {
                    refusal = "refusing to overwrite the input file \(output)"
                } else if let first = owner[key] {
                    refusal = BatchError.duplicateOutput(output: output, first: first, second: "\(c.path) + \(s)").description
                } else {
                    owner[key] = "\(c.path) + \(s)"
                }
                items.append(BatchItem(content: c.path, contentRelative: c.relative, style: s,
                                       output: output, refusal: refusal))
            }
        }
        return BatchPlan(items: items, skippedFiles: skipped)
    }

    /// `folder/subfolder/name`, checked to stay inside `folder`: no empty, "." or ".."
    /// component and no "/" in the name.
    static func outputPath(folder: String, subfolder: String, name: String) throws -> String {
        let parts = subfolder.isEmpty ? [] : subfolder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts + [name] where part.isEmpty || part == "." || part == ".." || part.contains("/") {
            throw BatchError.outputEscapesFolder(output: ([folder] + parts + [name]).joined(separator: "/"), folder: folder)
        }
        return ([folder] + parts + [name]).joined(separator: "/")
    }

    /// The absolute path with ".", ".." and symbolic links resolved (as far as they exist).
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Collects the image files of `folder` (sorted by name), descending when `recursive`.
    static func walk(folder: String, relative: String, recursive: Bool, excluding outRoot: String,
                     into found: inout [(path: String, relative: String)], skipped: inout [BatchSkippedFile]) {
        let fm = FileManager.default
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: folder).sorted() } catch {
            skipped.append(BatchSkippedFile(path: folder, reason: "cannot list the folder: \(error.localizedDescription)"))
            return
        }
        for name in names where !name.hasPrefix(".") {
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: path, isDirectory: &isDir)
            if isDir.boolValue {
                let isLink = (try? fm.destinationOfSymbolicLink(atPath: path)) != nil
                if canonical(path) == outRoot { continue }
                if !recursive {
                    skipped.append(BatchSkippedFile(path: path, reason: "folder (use --recursive to include subfolders)"))
                } else if isLink {
                    skipped.append(BatchSkippedFile(path: path, reason: "symbolic link to a folder (not followed)"))
                } else {
                    walk(folder: path, relative: rel, recursive: true, excluding: outRoot, into: &found, skipped: &skipped)
                }
                continue
            }
            switch sniff(path) {
            case .image:
                found.append((path, rel))
            case .unreadable(let reason):
                // Reported as a failure of its pairs when named like an image, else skipped.
                if ImageFormat(pathExtension: (name as NSString).pathExtension) != nil { found.append((path, rel)) }
                else { skipped.append(BatchSkippedFile(path: path, reason: reason)) }
            case .notImage:
                if ImageFormat(pathExtension: (name as NSString).pathExtension) != nil { found.append((path, rel)) }
                else { skipped.append(BatchSkippedFile(path: path, reason: "not a JPEG or PNG image (by its bytes)")) }
            }
        }
    }

    enum Sniffed { case image, notImage, unreadable(String) }

    /// Looks at a file's first bytes (`ImageIO.format(ofFile:)`).
    static func sniff(_ path: String) -> Sniffed {
        do { return try ImageIO.format(ofFile: path) == nil ? .notImage : .image } catch { return .unreadable("\(error)") }
    }
}
