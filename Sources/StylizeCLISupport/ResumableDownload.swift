import Foundation
import StyleWeights
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Downloads a file over HTTP(S) into `<destination>.part`, resuming a previous partial
/// download with a `Range: bytes=N-` request, and renames it to `destination` once the
/// whole body has arrived (and, when given, its SHA-256 matches).
///
/// A server that ignores the range (status 200) restarts the download from zero; a 416
/// reply to a range that starts at the known total size means the part is already complete.
public enum ResumableDownload {
    /// What a finished download produced.
    public struct Result: Equatable, Sendable {
        public let path: String
        public let size: Int
        public let sha256: String
        /// Bytes that were already in the `.part` file and were not fetched again.
        public let resumedFrom: Int
    }

    /// Path of the partial file for `destination`.
    public static func partPath(for destination: String) -> String { destination + ".part" }

    /// Downloads `url` to `destination`. `progress(received, total)` is called as bytes
    /// arrive (received counts resumed bytes too; total is nil when the server gives no
    /// length). `timeout` is the longest wait for the next bytes, in seconds.
    @discardableResult
    public static func download(from url: URL, to destination: String, expectedSHA256: String? = nil,
                                timeout: TimeInterval = 60,
                                progress: ((Int64, Int64?) -> Void)? = nil) throws -> Result {
        let part = partPath(for: destination)
        let existing = (try? FileManager.default.attributesOfItem(atPath: part)[.size] as? NSNumber)?.intValue ?? 0
        let transfer = try Transfer(url: url, partPath: part, existing: existing, progress: progress)
        try transfer.run(timeout: timeout)

        guard let received = FileManager.default.contents(atPath: part) else {
            throw WeightsError.downloadFailed(url: url.absoluteString, detail: "cannot read the downloaded part \(part)")
        }
        if let total = transfer.total, received.count != total {
            throw WeightsError.downloadFailed(url: url.absoluteString, detail: "received \(received.count) of \(total) bytes; run again to resume")
        }
        let digest = SHA256.hex(received)
        if let expected = expectedSHA256, expected.lowercased() != digest {
            try? FileManager.default.removeItem(atPath: part)
            throw WeightsError.downloadFailed(url: url.absoluteString, detail: "sha256 is \(digest), expected \(expected.lowercased()); the partial file was removed")
        }
        guard rename(part, destination) == 0 else {
            throw WeightsError.writeFailed(file: destination, reason: String(cString: strerror(errno)))
        }
        return Result(path: destination, size: received.count, sha256: digest, resumedFrom: transfer.resumedFrom)
    }
}

/// One HTTP transfer appending to the part file, driven by URLSession delegate callbacks.
/// Its state is touched only on the serial delegate queue, and read by `run` after the
/// completion semaphore, hence `@unchecked Sendable`.
private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let url: URL
    let partPath: String
    let progress: ((Int64, Int64?) -> Void)?
    private(set) var existing: Int
    private(set) var resumedFrom = 0
    private(set) var total: Int?
    private var received: Int64 = 0
    private var fd: Int32 = -1
    private var failure: Error?
    private var alreadyComplete = false
    private let done = DispatchSemaphore(value: 0)

    init(url: URL, partPath: String, existing: Int, progress: ((Int64, Int64?) -> Void)?) throws {
        self.url = url; self.partPath = partPath; self.existing = existing; self.progress = progress
    }

    func run(timeout: TimeInterval) throws {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        var request = URLRequest(url: url)
        if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        session.dataTask(with: request).resume()
        done.wait()
        session.finishTasksAndInvalidate()
        if fd >= 0 { close(fd); fd = -1 }
        if let failure { throw failure }
    }

    private func fail(_ detail: String) -> WeightsError { .downloadFailed(url: url.absoluteString, detail: detail) }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            failure = fail("not an HTTP response"); return completionHandler(.cancel)
        }
        let length = http.expectedContentLength >= 0 ? Int(http.expectedContentLength) : nil
        var truncate = false
        switch http.statusCode {
        case 206:
            // Content-Range: bytes START-END/TOTAL must continue exactly where the part ends.
            let range = http.value(forHTTPHeaderField: "Content-Range") ?? ""
            guard let (start, total) = Self.parseContentRange(range), start == existing else {
                failure = fail("the server answered the resume request with Content-Range '\(range)'")
                return completionHandler(.cancel)
            }
            resumedFrom = existing
            self.total = total ?? length.map { existing + $0 }
        case 200:
            truncate = true // the server sent the whole file: start over
            existing = 0
            total = length
        case 416 where existing > 0:
            // The range starts at or past the end: complete if the size matches.
            let range = http.value(forHTTPHeaderField: "Content-Range") ?? ""
            if let (_, total) = Self.parseContentRange(range), total == existing {
                alreadyComplete = true
                resumedFrom = existing
                self.total = existing
                return completionHandler(.cancel)
            }
            try? FileManager.default.removeItem(atPath: partPath)
            failure = fail("the server rejected resuming at byte \(existing); the partial file was removed, run again")
            return completionHandler(.cancel)
        default:
            failure = fail("HTTP status \(http.statusCode)")
            return completionHandler(.cancel)
        }
        fd = open(partPath, O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND), 0o644)
        guard fd >= 0 else {
            failure = WeightsError.writeFailed(file: partPath, reason: String(cString: strerror(errno)))
            return completionHandler(.cancel)
        }
        received = Int64(existing)
        progress?(received, total.map(Int64.init))
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard fd >= 0, failure == nil else { return }
        let ok = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        guard ok else {
            failure = WeightsError.writeFailed(file: partPath, reason: String(cString: strerror(errno)))
            dataTask.cancel()
            return
        }
        received += Int64(data.count)
        progress?(received, total.map(Int64.init))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if failure == nil, let error, !alreadyComplete {
            failure = fail("\(error.localizedDescription) after \(received) bytes; the partial file is kept, run again to resume")
        }
        done.signal()
    }

    /// "bytes START-END/TOTAL" (TOTAL may be "*") -> (START, TOTAL); "bytes */TOTAL" -> (-1, TOTAL).
    static func parseContentRange(_ value: String) -> (start: Int, total: Int?)? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        let parts = trimmed.dropFirst(6).split(separator: "/")
        guard parts.count == 2 else { return nil }
        let total = Int(parts[1])
        if parts[0] == "*" { return (-1, total) }
        guard let start = parts[0].split(separator: "-").first.flatMap({ Int($0) }) else { return nil }
        return (start, total)
    }
}
