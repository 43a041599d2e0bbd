import Foundation
@testable import StyleServer
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a real TCP socket, written for these tests: it sends the
/// request target byte for byte (so `..` and `%2F` reach the server unnormalised, which
/// URLSession and curl would not do), and can hang up before the answer (client-gone tests).
struct RawHTTPClient {
    struct Answer {
        var status: Int
        /// Header names lowercased.
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        /// `error.code` of a JSON error answer.
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    let port: Int
    var host = "127.0.0.1"
    var timeoutSeconds = 120

    /// An open connection, for tests that hang up early.
    final class Connection {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        func send(_ bytes: [UInt8]) throws {
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw Failure(description: "send failed: errno \(errno)") }
                sent += n
            }
        }
        func close() { Glibc.close(fd) }
        deinit { Glibc.close(fd) }
    }

    func connect() throws -> Connection {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { Glibc.close(fd); throw Failure(description: "connect to \(host):\(port) failed: errno \(errno)") }
        return Connection(fd: fd)
    }

    /// The request bytes: `target` as given, a Host header (unless `headers` has one),
    /// Connection: close, Content-Length for a body.
    static func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                        host: String) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { head += "Host: \(host)\r\n" }
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body, !headers.contains(where: { $0.0.lowercased() == "content-length" || $0.0.lowercased() == "transfer-encoding" }) {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws -> Answer {
        let c = try connect()
        try c.send(Self.request(method, target, headers: headers, body: body, host: "\(host):\(port)"))
        return try Self.readAnswer(c.fd)
    }

    func get(_ target: String, headers: [(String, String)] = []) throws -> Answer {
        try send("GET", target, headers: headers)
    }

    /// POSTs a multipart body built from `parts`.
    func post(_ target: String, parts: [FormPart], headers: [(String, String)] = []) throws -> Answer {
        let boundary = "test-boundary-\(UUID().uuidString)"
        return try send("POST", target, headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")] + headers,
                        body: Multipart.encode(parts, boundary: boundary))
    }

    /// Reads one answer until the server closes the connection (Connection: close).
    static func readAnswer(_ fd: Int32) throws -> Answer {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 65536, 0) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET, !data.isEmpty { break }
                throw Failure(description: "recv failed: errno \(errno) after \(data.count) bytes")
            }
            data += buffer[0..<n]
            if let answer = try? parse(data), answer.complete { return answer.answer }
        }
        guard let answer = try? parse(data), answer.complete else {
            throw Failure(description: "incomplete answer (\(data.count) bytes): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return answer.answer
    }

    static func parse(_ data: [UInt8]) throws -> (answer: Answer, complete: Bool) {
        guard let end = Multipart.find(Array("\r\n\r\n".utf8), in: data, from: 0) else { throw Failure(description: "no header end") }
        let lines = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(data[(end + 4)...])
        if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard body.count >= length else { return (Answer(status: status, headers: headers, body: body), false) }
            body = Array(body.prefix(length))
            return (Answer(status: status, headers: headers, body: body), true)
        }
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var out: [UInt8] = [], i = 0
            while true {
                guard let lineEnd = Multipart.find([13, 10], in: body, from: i) else { return (Answer(status: status, headers: headers, body: out), false) }
                guard let size = Int(String(decoding: body[i..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) else {
                    throw Failure(description: "bad chunk size")
                }
                if size == 0 { return (Answer(status: status, headers: headers, body: out), true) }
                guard lineEnd + 2 + size + 2 <= body.count else { return (Answer(status: status, headers: headers, body: out), false) }
                out += body[(lineEnd + 2)..<(lineEnd + 2 + size)]
                i = lineEnd + 2 + size + 2
            }
        }
        return (Answer(status: status, headers: headers, body: body), false)
    }
}
