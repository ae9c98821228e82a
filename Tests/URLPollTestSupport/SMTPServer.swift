import Foundation

/// A throwaway SMTP server (PyPI's aiosmtpd) on 127.0.0.1 at a free port, offering STARTTLS with a
/// certificate of the test's CA. `.ci/run` installs it; ``isInstalled`` tells where it is missing.
package struct SMTPServer: Sendable {
    package let port: Int

    package static let isInstalled = Tool.run("/usr/bin/env", ["python3", "-c", "import aiosmtpd"])?.status == 0

    /// Runs `body` with a live server using `certificate` and `key` (PEM files), stopped afterwards. Like
    /// dnsmasq, it runs detached from the test process (started through a shell that exits at once).
    package static func with<T: Sendable>(certificate: String, key: String, _ body: (SMTPServer) async throws -> T) async throws -> T {
        let port = try PostgresCluster.unusedPort()
        let command = "exec python3 -m aiosmtpd -n -l 127.0.0.1:\(port) --tlscert '\(certificate)' --tlskey '\(key)'"
        guard let started = try await Tool.spawn(["/bin/sh", "-c", "(\(command)) </dev/null >/dev/null 2>&1 & echo $!"]) as String?,
            let pid = Int32(started)
        else {
            throw PostgresCluster.StartFailure(description: "aiosmtpd could not be started")
        }
        defer { kill(pid, SIGKILL) }
        try await LoopbackPort.waitUntilListening(port, what: "aiosmtpd")
        return try await body(SMTPServer(port: port))
    }
}
