import Foundation
@testable import StyleServer
#if canImport(Glibc)
import Glibc
#endif

/// A minimal WebSocket client (RFC 6455) over `RawHTTPClient`'s TCP socket, written for the
/// live view's tests: it sends masked frames byte for byte (so a test can send what a
/// browser never would: a frame in pieces, a wrong header, a message over the limit), reads
/// the server's frames (answering pings), and can vanish without a close frame.
final class RawWebSocket {
    enum Message: Equatable {
        case text(String)
        case binary([UInt8])
        /// The server's close frame: its code and reason.
        case close(UInt16, String)
    }

    let connection: RawHTTPClient.Connection
    private var pending: [UInt8]

    private init(connection: RawHTTPClient.Connection, pending: [UInt8]) {
        self.connection = connection
        self.pending = pending
    }

    /// Opens `path` on the client's server: the WebSocket, or the HTTP answer that refused
    /// the upgrade. `origin` adds an Origin header.
    static func open(_ client: RawHTTPClient, path: String = "/v1/live", origin: String? = nil,
                     host: String? = nil) throws -> (socket: RawWebSocket?, refusal: RawHTTPClient.Answer?) {
        let c = try client.connect()
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        var head = "GET \(path) HTTP/1.1\r\nHost: \(host ?? "\(client.host):\(client.port)")\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if let origin { head += "Origin: \(origin)\r\n" }
        try c.send(Array((head + "\r\n").utf8))
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = find(Array("\r\n\r\n".utf8), in: data) {
                let status = Int(String(decoding: data[0..<end], as: UTF8.self).split(separator: " ").dropFirst().first ?? "") ?? 0
                if status == 101 { return (RawWebSocket(connection: c, pending: Array(data[(end + 4)...])), nil) }
                // Refused: read the rest of the HTTP answer.
                while (try? RawHTTPClient.parse(data))?.complete != true {
                    let n = buffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress!, 65536, 0) }
                    if n <= 0 { break }
                    data += buffer[0..<n]
                }
                return (nil, try RawHTTPClient.parse(data).answer)
            }
            let n = buffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress!, 65536, 0) }
            guard n > 0 else { throw RawHTTPClient.Failure(description: "the server closed during the upgrade") }
            data += buffer[0..<n]
        }
    }

    static func find(_ needle: [UInt8], in data: [UInt8]) -> Int? {
        guard data.count >= needle.count else { return nil }
        for i in 0...(data.count - needle.count) where data[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }

    // MARK: - Sending

    /// One frame, masked as a client must: opcode 1 text, 2 binary, 0 continuation, 8 close, 10 pong.
    func sendFrame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let n = payload.count
        if n < 126 { frame.append(0x80 | UInt8(n)) }
        else if n < 65536 { frame += [0x80 | 126, UInt8(n >> 8), UInt8(n & 0xFF)] }
        else { frame.append(0x80 | 127); frame += (0..<8).reversed().map { UInt8((UInt64(n) >> (8 * UInt64($0))) & 0xFF) } }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        try connection.send(frame)
    }

    func send(text: String) throws { try sendFrame(opcode: 1, Array(text.utf8)) }
    func send(binary: [UInt8]) throws { try sendFrame(opcode: 2, binary) }

    /// Sends a JSON control message.
    func send(controls: [String: Any]) throws {
        var message = controls
        message["type"] = "controls"
        try send(text: String(decoding: try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys]), as: UTF8.self))
    }

    /// A clean close (code 1000).
    func close() { try? sendFrame(opcode: 8, [0x03, 0xE8]) ; connection.close() }

    /// Goes away without a close frame (a browser tab killed, a network gone).
    func vanish() { connection.close() }

    // MARK: - Receiving

    /// The next data or close message (pings are answered, fragments gathered).
    func receive() throws -> Message {
        var gathered: [UInt8] = []
        var firstOpcode: UInt8 = 0
        while true {
            let (fin, opcode, payload) = try readFrame()
            switch opcode {
            case 9: try sendFrame(opcode: 10, payload)     // ping -> pong
            case 10: continue
            case 8:
                let code = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 1005
                return .close(code, String(decoding: payload.dropFirst(2), as: UTF8.self))
            default:
                if opcode != 0 { firstOpcode = opcode }
                gathered += payload
                if fin { return firstOpcode == 1 ? .text(String(decoding: gathered, as: UTF8.self)) : .binary(gathered) }
            }
        }
    }

    /// The next text message as JSON (binary messages before it are an error).
    func receiveJSON() throws -> [String: Any] {
        let m = try receive()
        guard case .text(let t) = m else { throw RawHTTPClient.Failure(description: "expected a text message, got \(Self.describe(m))") }
        return (try JSONSerialization.jsonObject(with: Data(t.utf8))) as? [String: Any] ?? [:]
    }

    static func describe(_ m: Message) -> String {
        switch m {
        case .text(let t): return "text \(t.prefix(300))"
        case .binary(let b): return "binary of \(b.count) bytes"
        case .close(let c, let r): return "close \(c) \(r)"
        }
    }

    private func readFrame() throws -> (fin: Bool, opcode: UInt8, payload: [UInt8]) {
        let head = try read(2)
        var length = Int(head[1] & 0x7F)
        if length == 126 { let b = try read(2); length = Int(b[0]) << 8 | Int(b[1]) }
        else if length == 127 { length = try read(8).reduce(0) { $0 << 8 | Int($1) } }
        let mask = head[1] & 0x80 != 0 ? try read(4) : nil
        var payload = try read(length)
        if let mask { payload = payload.enumerated().map { $0.element ^ mask[$0.offset & 3] } }
        return (head[0] & 0x80 != 0, head[0] & 0x0F, payload)
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while pending.count < count {
            let n = buffer.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress!, 65536, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw RawHTTPClient.Failure(description: "the connection ended (recv \(n), errno \(errno)) with \(pending.count) of \(count) bytes") }
            pending += buffer[0..<n]
        }
        let out = Array(pending[0..<count])
        pending.removeFirst(count)
        return out
    }
}
