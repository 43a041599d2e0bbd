import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 file server on 127.0.0.1 (an ephemeral port) for the download tests:
/// serves fixed bodies by path, honours `Range: bytes=N-` unless told not to, and can cut a
/// response short to simulate an interrupted transfer. One connection at a time.
final class LoopbackHTTPServer: @unchecked Sendable {
    struct Behaviour {
        var honourRange = true
        /// Send only this many body bytes, then close (the headers announce the full length).
        var cutAfter: Int? = nil
    }

    let port: UInt16
    private let listener: Int32
    private let files: [String: [UInt8]]
    private let lock = NSLock()
    private var _behaviour = Behaviour()
    private var _requests: [String] = []
    private let finished = DispatchSemaphore(value: 0)

    var behaviour: Behaviour {
        get { lock.lock(); defer { lock.unlock() }; return _behaviour }
        set { lock.lock(); _behaviour = newValue; lock.unlock() }
    }

    /// Request heads received so far (request line and headers).
    var requests: [String] { lock.lock(); defer { lock.unlock() }; return _requests }

    init(files: [String: [UInt8]]) throws {
        self.files = files
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1") // loopback only
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { close(listener); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        finished.wait()
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                break
            }
            handle(client)
            close(client)
        }
        finished.signal()
    }

    private func handle(_ client: Int32) {
        var head = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while head.count < 65536 {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { return }
            head += buffer[0 ..< n]
            if head.count >= 4, head.suffix(from: max(0, head.count - n - 3)).containsCRLFCRLF { break }
        }
        let text = String(decoding: head, as: UTF8.self)
        lock.lock(); _requests.append(text); let behaviour = _behaviour; lock.unlock()
        let lines = text.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET", let body = files[String(parts[1])] else {
            return send(client, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", [])
        }
        var start = 0, status = "200 OK", extra = ""
        if behaviour.honourRange,
           let range = lines.first(where: { $0.lowercased().hasPrefix("range:") }),
           let eq = range.firstIndex(of: "="), let dash = range.lastIndex(of: "-"),
           let from = Int(range[range.index(after: eq) ..< dash].trimmingCharacters(in: .whitespaces)) {
            if from >= body.count {
                return send(client, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */\(body.count)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", [])
            }
            start = from; status = "206 Partial Content"
            extra = "Content-Range: bytes \(from)-\(body.count - 1)/\(body.count)\r\n"
        }
        let payload = Array(body[start...])
        let header = "HTTP/1.1 \(status)\r\nContent-Type: application/octet-stream\r\nContent-Length: \(payload.count)\r\n\(extra)Accept-Ranges: bytes\r\nConnection: close\r\n\r\n"
        send(client, header, behaviour.cutAfter.map { Array(payload.prefix($0)) } ?? payload)
    }

    private func send(_ client: Int32, _ header: String, _ body: [UInt8]) {
        let bytes = Array(header.utf8) + body
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }
}

private extension ArraySlice where Element == UInt8 {
    var containsCRLFCRLF: Bool {
        guard count >= 4 else { return false }
        var i = startIndex
        while i + 3 < endIndex {
            if self[i] == 13, self[i + 1] == 10, self[i + 2] == 13, self[i + 3] == 10 { return true }
            i += 1
        }
        return false
    }
}
