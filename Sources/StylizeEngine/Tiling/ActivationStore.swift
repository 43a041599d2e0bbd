import Foundation
import StyleTensor
#if canImport(Glibc)
import Glibc
#endif

/// How much memory a layer-by-layer sweep may keep activations in; what does not fit goes
/// to unlinked temporary files (see `ActivationStore`). Shared by the stores of one run.
public final class SpillPolicy: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int
    /// Folder of the temporary files (they are unlinked at once, so nothing is left behind
    /// even if the process is killed).
    public let folder: String
    /// Bytes written to temporary files so far.
    public private(set) var spilledBytes = 0

    /// `memoryBytes`: what the stores may hold in memory in total (0: always spill).
    public init(memoryBytes: Int, folder: String = NSTemporaryDirectory()) {
        remaining = max(memoryBytes, 0)
        self.folder = folder.isEmpty ? "/tmp" : folder
    }

    func reserve(_ bytes: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard bytes <= remaining else { spilledBytes += bytes; return false }
        remaining -= bytes
        return true
    }

    func release(_ bytes: Int) { lock.lock(); remaining += bytes; lock.unlock() }
}

/// Errors of the sweep's temporary storage (a full disk, an unwritable temporary folder).
public struct SpillError: Error, CustomStringConvertible {
    public let description: String
}

/// One activation of a sweep, `height x width x channels` floats stored row by row (NHWC,
/// one sample), either in memory or in an unlinked temporary file; written once in row
/// order, read in row ranges.
final class ActivationStore: @unchecked Sendable {
    let height: Int
    let width: Int
    let channels: Int
    private var memory: [Float]?
    private var fd: Int32 = -1
    private let policy: SpillPolicy
    private let bytes: Int

    var rowFloats: Int { width * channels }

    init(height: Int, width: Int, channels: Int, policy: SpillPolicy) throws {
        self.height = height; self.width = width; self.channels = channels; self.policy = policy
        bytes = height * width * channels * MemoryLayout<Float>.stride
        if policy.reserve(bytes) {
            memory = [Float](repeating: 0, count: height * width * channels)
        } else {
            var template = Array((policy.folder + "/stylize-sweep-XXXXXX").utf8CString)
            fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else {
                throw SpillError(description: "cannot create a temporary file in \(policy.folder): \(String(cString: strerror(errno)))")
            }
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        }
    }

    deinit {
        if memory != nil { policy.release(bytes) }
        if fd >= 0 { close(fd) }
    }

    /// Stores `values` (rows.count rows) at `rows`.
    func write(rows: Range<Int>, _ values: [Float]) throws {
        precondition(values.count == rows.count * rowFloats && rows.upperBound <= height, "ActivationStore.write: wrong size")
        if memory != nil {
            memory!.withUnsafeMutableBufferPointer { m in
                values.withUnsafeBufferPointer { v in
                    (m.baseAddress! + rows.lowerBound * rowFloats).update(from: v.baseAddress!, count: v.count)
                }
            }
            return
        }
        let total = values.count * MemoryLayout<Float>.stride
        var done = 0
        let offset = off_t(rows.lowerBound * rowFloats * MemoryLayout<Float>.stride)
        while done < total {
            let n = values.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, total - done, offset + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpillError(description: "cannot write \(total) bytes of activations to a temporary file in \(policy.folder): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    /// Rows `rows` as a 1 x rows.count x width x channels tensor.
    func read(rows: Range<Int>) throws -> Tensor {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= height, "ActivationStore.read: rows \(rows) outside 0..<\(height)")
        let count = rows.count * rowFloats
        if let memory {
            return Tensor(shape: Shape(n: 1, h: rows.count, w: width, c: channels),
                          data: Array(memory[(rows.lowerBound * rowFloats)..<(rows.lowerBound * rowFloats + count)]))
        }
        var values = [Float](repeating: 0, count: count)
        let total = count * MemoryLayout<Float>.stride
        var done = 0
        let offset = off_t(rows.lowerBound * rowFloats * MemoryLayout<Float>.stride)
        while done < total {
            let n = values.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, total - done, offset + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpillError(description: "cannot read activations back from a temporary file: \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw SpillError(description: "temporary activation file ended early") }
            done += n
        }
        return Tensor(shape: Shape(n: 1, h: rows.count, w: width, c: channels), data: values)
    }
}
