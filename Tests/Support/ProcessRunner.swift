import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// What one run of a program did.
public struct ProcessRun: Sendable {
    /// The exit status, or the signal's number when `signalled`.
    public let status: Int32
    /// The program was ended by a signal (status is the signal's number).
    public let signalled: Bool
    /// Standard output as bytes (an image, for `stylize ... -o -`).
    public let output: Data
    public let stderr: String
    /// Wall-clock seconds from start to exit.
    public let seconds: Double
    /// The run outlived its `timeout` and was stopped (SIGTERM, then SIGKILL 5 s later).
    public let timedOut: Bool

    /// Standard output as text.
    public var stdout: String { String(decoding: output, as: UTF8.self) }
}

/// A program while `runProgram` runs it: its output so far (both pipes are drained as the
/// program writes), signals, and waits. Handed to `whileRunning`.
public final class RunningProcess: @unchecked Sendable {
    public let process: Process
    private let lock = NSLock()
    private var out = Data(), err = Data()

    init(_ process: Process) { self.process = process }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    /// Standard output received so far.
    public var outputSoFar: Data { lock.lock(); defer { lock.unlock() }; return out }
    /// Standard error received so far.
    public var stderrSoFar: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

    func append(_ data: Data, stderr: Bool) {
        lock.lock(); defer { lock.unlock() }
        if stderr { err += data } else { out += data }
    }

    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Polls `condition` every `interval` seconds until it holds, the program has exited, or
    /// `seconds` have passed; returns the condition's last value.
    @discardableResult
    public func wait(seconds: Double, interval: Double = 0.002, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard isRunning, Date() < deadline else { return try condition() }
            usleep(UInt32(interval * 1_000_000))
        }
        return true
    }

    /// Waits up to `seconds` for the program to exit; returns whether it has.
    @discardableResult
    public func waitForExit(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning, Date() < deadline { usleep(10_000) }
        return !isRunning
    }
}

/// Runs `executable` with `arguments` and waits for it: standard output and standard error are
/// read concurrently as the program writes them (neither pipe can fill up and block it), `stdin`
/// is written on a thread of its own (nil: /dev/null; a program that stops reading early makes
/// the write fail quietly, not raise SIGPIPE here).
///
/// - `directory`: the working directory (default: this process's).
/// - `environment` is this process's, without the variables in `unsetting`, then with those of
///   `environment` set.
/// - `timeout`: seconds after which the program is stopped (SIGTERM, SIGKILL 5 s later) and the
///   result says `timedOut`; nil waits as long as it takes.
/// - `whileRunning`: called once the program has started, on this thread, to watch its output,
///   signal it or poke at it; the run then waits for the program's exit. If it throws, the
///   program is killed and the error rethrown.
@discardableResult
public func runProgram(_ executable: String, _ arguments: [String] = [], stdin: Data? = nil, in directory: String? = nil,
                       environment: [String: String] = [:], unsetting: [String] = [], timeout: Double? = nil,
                       whileRunning: (RunningProcess) throws -> Void = { _ in }) throws -> ProcessRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    for name in unsetting { env[name] = nil }
    for (name, value) in environment { env[name] = value }
    process.environment = env
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    let running = RunningProcess(process)
    let start = Date()
    try process.run()

    let readers = DispatchGroup()
    for (pipe, isStderr) in [(out, false), (err, true)] {
        readers.enter()
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread {
            drain(handle.fileDescriptor) { running.append($0, stderr: isStderr) }
            readers.leave()
        }
    }
    if let stdin {
        let handle = input.fileHandleForWriting
        Thread.detachNewThread { feed(stdin, to: handle) }
    }

    final class Flag: @unchecked Sendable { var value = false }
    let timedOut = Flag()
    var timer: DispatchWorkItem?
    if let timeout {
        let item = DispatchWorkItem {
            guard process.isRunning else { return }
            timedOut.value = true
            process.terminate()
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: item)
        timer = item
    }
    do {
        try whileRunning(running)
    } catch {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        timer?.cancel()
        _ = readers.wait(timeout: .now() + 5)
        throw error
    }
    process.waitUntilExit()
    timer?.cancel()
    // A child the program left behind may hold the pipes open: wait for it too, as long as
    // the timeout allows.
    if let timeout {
        _ = readers.wait(timeout: .now() + max(5, timeout - Date().timeIntervalSince(start)))
    } else {
        readers.wait()
    }
    return ProcessRun(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                      output: running.outputSoFar, stderr: running.stderrSoFar,
                      seconds: Date().timeIntervalSince(start), timedOut: timedOut.value)
}

/// Reads `fd` to its end, handing each chunk to `sink`.
private func drain(_ fd: Int32, _ sink: (Data) -> Void) {
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            sink(Data(buffer[0..<count]))
        } else if count < 0 && errno == EINTR {
            continue
        } else {
            return
        }
    }
}

/// Writes `data` to `handle` and closes it, with SIGPIPE blocked on this thread, so a reader
/// that has gone away makes the write fail (EPIPE) instead of killing the test process.
private func feed(_ data: Data, to handle: FileHandle) {
    var pipeSignal = sigset_t()
    sigemptyset(&pipeSignal)
    sigaddset(&pipeSignal, SIGPIPE)
    pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
    var broken = false
    data.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(handle.fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                broken = true
                return
            }
        }
    }
    try? handle.close()
    if broken {
        // Take the SIGPIPE the failed write left pending on this thread.
        var none = timespec(tv_sec: 0, tv_nsec: 0)
        _ = sigtimedwait(&pipeSignal, nil, &none)
    }
}

/// Runs a command line with `bash -c`.
@discardableResult
public func runShell(_ command: String, in directory: String? = nil, environment: [String: String] = [:],
                     unsetting: [String] = [], timeout: Double? = nil) throws -> ProcessRun {
    try runProgram("/bin/bash", ["-c", command], in: directory, environment: environment, unsetting: unsetting, timeout: timeout)
}

/// The `stylize` binary built beside the test bundle (`swift build --build-tests` builds both),
/// or the package's `.build/debug/stylize`.
public func stylizeBinary() throws -> URL {
    // The test runner is .build/<triple>/<config>/<package>PackageTests.xctest on Linux.
    let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var candidates: [URL] = []
    var dir = URL(fileURLWithPath: runner).deletingLastPathComponent()
    for _ in 0..<3 {
        candidates.append(dir.appendingPathComponent("stylize"))
        dir = dir.deletingLastPathComponent()
    }
    candidates.append(URL(fileURLWithPath: packageRoot + "/.build/debug/stylize"))
    for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) { return url }
    XCTFail("stylize binary not found beside the test runner \(runner) or in .build/debug; run swift build --build-tests")
    throw CocoaError(.fileNoSuchFile)
}

/// Runs the built `stylize` (see `runProgram`) with `STYLIZE_WEIGHTS` unset unless
/// `environment` sets it, so the user's weights never stand in for a test's.
@discardableResult
public func runStylize(_ arguments: [String], stdin: Data? = nil, in directory: String? = nil,
                       environment: [String: String] = [:], unsetting: [String] = [], timeout: Double? = nil,
                       whileRunning: (RunningProcess) throws -> Void = { _ in }) throws -> ProcessRun {
    try runProgram(try stylizeBinary().path, arguments, stdin: stdin, in: directory, environment: environment,
                   unsetting: ["STYLIZE_WEIGHTS"] + unsetting, timeout: timeout, whileRunning: whileRunning)
}

/// The absolute path of the program `name` on PATH, or nil.
public func findProgram(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}
