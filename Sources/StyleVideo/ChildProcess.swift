import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum ChildTermination: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signalled(let sig):
            let names: [Int32: String] = [SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGSEGV: "SIGSEGV",
                                          SIGABRT: "SIGABRT", SIGPIPE: "SIGPIPE", SIGXFSZ: "SIGXFSZ (file size limit)"]
            return "killed by " + (names[sig] ?? "signal \(sig)")
        }
    }
}

/// A program started with `posix_spawn`, with its standard input and/or output on pipes and
/// its standard error collected (the last 16 KiB) by a thread of its own.
///
/// - The child runs in its own process group, so a Ctrl-C on the terminal reaches only this
///   process, which decides how to stop its children (they never finalize a partial output
///   behind its back).
/// - SIGINT, SIGTERM, SIGPIPE and SIGXFSZ are reset to their default actions and no signal
///   is blocked in the child, whatever this process ignores or blocks.
/// - Every pipe end is close-on-exec, so no other child inherits it (a decoder's output
///   reaches end-of-file as soon as the decoder exits).
/// - `wait()` reaps the child; a child never waited for is killed and reaped on `deinit`.
/// - Writes that find the reader gone return `EPIPE` as an error instead of killing this
///   process, because the writing thread blocks SIGPIPE (see `write`).
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    /// The program's name for messages ("ffmpeg").
    let name: String
    private let lock = NSLock()
    private var stdinFD: Int32
    private var stdoutFD: Int32
    private var termination: ChildTermination?
    private let errors: StderrCollector

    /// Starts `executable` with `arguments` (argv[0] is the executable's file name).
    init(executable: String, arguments: [String], pipeStdin: Bool, pipeStdout: Bool) throws {
        name = (executable as NSString).lastPathComponent
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        func closeAll() { for fd in inPipe + outPipe + errPipe where fd >= 0 { close(fd) } }
        if pipeStdin, !Self.makePipe(&inPipe) { throw VideoError.system("pipe", errno) }
        if pipeStdout, !Self.makePipe(&outPipe) { closeAll(); throw VideoError.system("pipe", errno) }
        if !Self.makePipe(&errPipe) { closeAll(); throw VideoError.system("pipe", errno) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if pipeStdin { posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0) }
        else { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        if pipeStdout { posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1) }
        else { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGPIPE, SIGXFSZ, SIGQUIT] { sigaddset(&defaults, sig) }
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        // The child's ends are ours to close now.
        if pipeStdin { close(inPipe[0]) }
        if pipeStdout { close(outPipe[1]) }
        close(errPipe[1])
        guard rc == 0 else {
            if pipeStdin { close(inPipe[1]) }
            if pipeStdout { close(outPipe[0]) }
            close(errPipe[0])
            throw VideoError.system("cannot start \(executable)", rc)
        }
        pid = child
        stdinFD = pipeStdin ? inPipe[1] : -1
        stdoutFD = pipeStdout ? outPipe[0] : -1
        errors = StderrCollector(fd: errPipe[0])
    }

    /// A pipe whose two ends are close-on-exec (pipe2 is not visible to Swift on glibc, so
    /// the flag is set right after; the pipeline spawns its children from one thread at a time).
    static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    deinit {
        if termination == nil {
            kill(-pid, SIGKILL)
            _ = reap()
        }
        closeStdin()
        closeStdout()
    }

    /// Reads until `count` bytes have arrived or the output ends; returns the bytes read
    /// (fewer than `count` only at end of output).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var got = 0
        while got < buffer.count {
            let n = Glibc.read(stdoutFD, buffer.baseAddress! + got, buffer.count - got)
            if n < 0 {
                if errno == EINTR { continue }
                throw VideoError.system("reading from \(name)", errno)
            }
            if n == 0 { break }
            got += n
        }
        return got
    }

    /// Writes all of `bytes` to the child's standard input. Throws `VideoError.brokenPipe`
    /// when the child has closed it (exited). SIGPIPE is blocked in the calling thread first,
    /// so the write fails with EPIPE instead of killing the process; call it from a thread
    /// of the pipeline's own (the pending thread-directed SIGPIPE goes when the thread ends).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        Self.blockSIGPIPE()
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(stdinFD, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { throw VideoError.brokenPipe }
                throw VideoError.system("writing to \(name)", errno)
            }
            offset += n
        }
    }

    /// Blocks SIGPIPE in the calling thread (once per thread is enough; repeating is harmless).
    static func blockSIGPIPE() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Closes the child's standard input (it sees end of file).
    func closeStdin() {
        lock.lock(); defer { lock.unlock() }
        if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
    }

    /// Closes our end of the child's standard output (its further writes fail with EPIPE).
    func closeStdout() {
        lock.lock(); defer { lock.unlock() }
        if stdoutFD >= 0 { close(stdoutFD); stdoutFD = -1 }
    }

    /// Sends `sig` to the child's process group (the child and anything it started, e.g. the
    /// programs of a wrapper script) unless the child has been reaped already.
    func signal(_ sig: Int32) {
        lock.lock(); defer { lock.unlock() }
        if termination == nil { kill(-pid, sig) }
    }

    /// Waits for the child to end (once; later calls return the same result) and for its
    /// standard error to be collected.
    @discardableResult
    func wait() -> ChildTermination {
        lock.lock()
        if let t = termination { lock.unlock(); return t }
        lock.unlock()
        let t = reap()
        errors.join()
        lock.lock(); termination = t; lock.unlock()
        return t
    }

    /// Kills the child (SIGKILL) and reaps it.
    func killAndWait() {
        signal(SIGKILL)
        closeStdin()
        closeStdout()
        wait()
    }

    /// The last lines the child wrote to standard error, trimmed (empty if none).
    var errorText: String { errors.text }

    private func reap() -> ChildTermination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(-1) }
        }
        let sig = status & 0x7f
        if sig == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(sig)
    }
}

/// Reads a child's standard error on a thread of its own (so the child never blocks on a
/// full pipe) and keeps the last 16 KiB.
final class StderrCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var tail: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)
    private var joined = false
    static let limit = 16 * 1024

    init(fd: Int32) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                lock.lock()
                tail.append(contentsOf: buffer[0..<n])
                if tail.count > Self.limit { tail.removeFirst(tail.count - Self.limit) }
                lock.unlock()
            }
            close(fd)
            done.signal()
        }
        thread.start()
    }

    /// Waits until the child's standard error is closed (it has exited).
    func join() {
        lock.lock(); let already = joined; joined = true; lock.unlock()
        if !already { done.wait() }
    }

    var text: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: tail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
