import Foundation
import ImageCodecs
#if canImport(Glibc)
import Glibc
#endif

/// Writes batch outputs whole or not at all, inside the output folder, never over an input.
///
/// Bytes go to `.<name>.stylize-tmp-<pid>` beside the output (a hidden name the batch
/// never takes for an image), are flushed with fsync and renamed over the output. The
/// temporary path is registered in `TemporaryFiles` while it exists, so a forced exit
/// can remove it; on any failure it is unlinked. A temporary file left by a killed
/// process is never mistaken for an output: resuming looks only at the output names.
struct BatchOutputWriter {
    /// The output folder with links resolved; outputs must stay below it.
    let root: String
    let temporaries: TemporaryFiles

    init(outputFolder: String, temporaries: TemporaryFiles) {
        root = BatchPlan.canonical(outputFolder)
        self.temporaries = temporaries
    }

    /// Encodes `image` in the format of `path`'s extension and writes it atomically.
    func write(_ image: Image, to path: String, quality: Int, protecting inputs: [String]) throws {
        guard let format = ImageFormat(pathExtension: (path as NSString).pathExtension) else {
            throw PipelineError.invalidOption("\(path): output must end in .jpg, .jpeg or .png")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        try Self.makeFolders(folder, for: path)
        // A subfolder that is a link to somewhere else must not carry outputs outside the root.
        let resolvedFolder = BatchPlan.canonical(folder)
        guard resolvedFolder == root || resolvedFolder.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw BatchError.outputEscapesFolder(output: path, folder: root)
        }
        if let target = Self.identity(path) {
            for input in inputs where Self.identity(input).map({ $0 == target }) ?? false {
                throw PipelineError.outputWouldOverwriteInput(output: path)
            }
        }
        let bytes = try ImageIO.encode(image, as: format, quality: quality, name: path)
        try writeAtomically(bytes, to: path, folder: folder, name: name)
    }

    /// The temporary name used for `name` by this process.
    static func temporaryName(for name: String) -> String { ".\(name).stylize-tmp-\(getpid())" }

    private func writeAtomically(_ bytes: [UInt8], to path: String, folder: String, name: String) throws {
        let temp = folder + "/" + Self.temporaryName(for: name)
        temporaries.add(temp)
        defer { temporaries.remove(temp) }
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw Self.ioError(path, "cannot create a file in \(folder)") }
        var closed = false
        do {
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Self.ioError(path, "write failed")
                }
                offset += n
            }
            guard fsync(fd) == 0 else { throw Self.ioError(path, "fsync failed") }
            closed = true
            guard close(fd) == 0 else { throw Self.ioError(path, "close failed") }
            guard rename(temp, path) == 0 else { throw Self.ioError(path, "cannot rename the finished file into place") }
        } catch {
            if !closed { close(fd) }
            unlink(temp)
            throw error
        }
    }

    /// `mkdir -p folder`, with the system's reason when a level cannot be made.
    static func makeFolders(_ folder: String, for path: String) throws {
        var st = stat()
        if stat(folder, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw CodecError(file: path, kind: .io, detail: "\(folder) exists and is not a folder")
            }
            return
        }
        let parent = (folder as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != folder { try makeFolders(parent, for: path) }
        if mkdir(folder, 0o777) != 0 && errno != EEXIST {
            throw ioError(path, "cannot create the folder \(folder)")
        }
    }

    static func ioError(_ path: String, _ what: String) -> CodecError {
        CodecError(file: path, kind: .io, detail: "\(what): \(String(cString: strerror(errno)))")
    }

    /// Device and inode of an existing file (links followed).
    static func identity(_ path: String) -> [UInt64]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [UInt64(st.st_dev), UInt64(st.st_ino)]
    }
}
