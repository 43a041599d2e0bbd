// The failure path of the image fuzz targets: a message, then abort(), which
// libFuzzer records as a crash with the input that caused it.
#if canImport(Glibc)
import Glibc
#endif

func fuzzFail(_ message: String) -> Never {
    fputs("FUZZ CONTRACT VIOLATION: \(message)\n", stderr)
    abort()
}
