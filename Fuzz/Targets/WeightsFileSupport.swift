// Shared by the weights fuzz targets: the readers take paths (they mmap), so
// each input is written to a per-process file in /dev/shm (or /tmp).
#if canImport(Glibc)
import Glibc
#endif

let fuzzScratchPath: String = {
    let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    return "\(dir)/stylize-fuzz-\(getpid()).bin"
}()

/// Writes the fuzz input to `fuzzScratchPath`, replacing the previous one.
func writeScratch(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let fd = open(fuzzScratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { fuzzFail("cannot create \(fuzzScratchPath)") }
    var offset = 0
    while offset < size {
        let n = write(fd, data + offset, size - offset)
        guard n > 0 else { fuzzFail("cannot write \(fuzzScratchPath)") }
        offset += n
    }
    close(fd)
}

/// Every error must be a WeightsError whose text names the file.
func checkWeightsError(_ error: Error) {
    guard let weightsError = error as? WeightsError else { fuzzFail("unexpected error type: \(error)") }
    guard "\(weightsError)".contains(fuzzScratchPath) else { fuzzFail("error does not name the file: \(weightsError)") }
}

func fuzzFail(_ message: String) -> Never {
    fputs("FUZZ CONTRACT VIOLATION: \(message)\n", stderr)
    abort()
}
