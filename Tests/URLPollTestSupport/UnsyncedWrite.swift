import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension String {
    /// Writes the string (UTF-8) to `path`, replacing the file, without flushing it to disk.
    ///
    /// Foundation's `write(toFile:atomically:encoding:)` calls `fsync` however it is asked to write, and a
    /// test's fixtures (configs, URL lists, certificates) need no durability. An `fsync` blocks its thread
    /// for as long as the disk takes (seconds on a busy CI disk), and a blocked thread of Swift's two-thread
    /// pool stalls every other test meanwhile: their servers answer late and their polls time out.
    /// - Throws: `POSIXError` when the file cannot be opened or written.
    package func save(toFile path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        var bytes = Array(utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
