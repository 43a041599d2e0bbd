import Foundation
import ImageCodecs
import StylizeEngine
#if canImport(Glibc)
import Glibc
#endif

/// Writes batch outputs whole or not at all, inside the output folder, never over an input.
///
/// `ImageIO.write` puts the bytes in a hidden temporary file beside the output (a name the
/// batch never takes for an image), flushes it and renames it over the output. The
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
        try ImageIO.checkOutput(path, protecting: inputs)
        let folder = (path as NSString).deletingLastPathComponent
        try Self.makeFolders(folder, for: path)
        // A subfolder that is a link to somewhere else must not carry outputs outside the root.
        let resolvedFolder = BatchPlan.canonical(folder)
        guard resolvedFolder == root || resolvedFolder.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw BatchError.outputEscapesFolder(output: path, folder: root)
        }
        try ImageIO.write(image, to: path, quality: quality, protecting: inputs) { temp, exists in
            if exists { temporaries.add(temp) } else { temporaries.remove(temp) }
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

}
