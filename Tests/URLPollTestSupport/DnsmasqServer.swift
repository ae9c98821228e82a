import Foundation
import NIOCore
import NIOPosix

/// A throwaway dnsmasq (Debian's) on 127.0.0.1 at a free port, UDP and TCP, answering only the zone the
/// test gives (`--no-resolv --no-hosts`, `--local=/test/`: other .test names are NXDOMAIN, and nothing
/// is forwarded anywhere). `.ci/run` installs it.
package struct DnsmasqServer: Sendable {
    package let port: Int

    package static let executable = "/usr/sbin/dnsmasq"
    package static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// The records every test zone has: A, AAAA, CNAME, MX, TXT, SRV, PTR and CAA under `.test`.
    package static let zone = [
        "--host-record=multi.test,192.0.2.1", "--host-record=multi.test,192.0.2.2", "--host-record=six.test,2001:db8::1",
        "--cname=alias.test,multi.test", "--mx-host=mail.test,mx.mail.test,10", "--txt-record=txt.test,v=spf1 -all",
        "--srv-host=_imap._tcp.test,mail.test,143,10,60", "--ptr-record=1.2.0.192.in-addr.arpa,multi.test",
        "--caa-record=caa.test,0,issue,ca.example", "--local=/test/",
    ]

    /// Runs `body` with a live server answering `records` (dnsmasq options), stopped afterwards.
    package static func with<T: Sendable>(_ records: [String] = zone, _ body: (DnsmasqServer) async throws -> T) async throws -> T {
        let port = try PostgresCluster.unusedPort()
        let arguments =
            [
                executable, "--keep-in-foreground", "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                "--no-hosts", "--conf-file=/dev/null", "--user=root", "--pid-file",
            ] + records
        // Started through a shell that exits at once, so dnsmasq is not this process's child: with it as one
        // (in --no-daemon mode), a urlpoll run beside it was seen to stay a zombie whose Process never ended,
        // hanging its test. The shell prints dnsmasq's pid; SIGTERM (dnsmasq handles it, and reaps the
        // children it forks for TCP queries) stops it afterwards.
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        guard let started = try await Tool.spawn(["/bin/sh", "-c", "\(quoted) </dev/null >/dev/null 2>&1 & echo $!"]) as String?,
            let pid = Int32(started)
        else {
            throw PostgresCluster.StartFailure(description: "dnsmasq could not be started")
        }
        defer { kill(pid, SIGTERM) }
        try await LoopbackPort.waitUntilListening(port, what: "dnsmasq")  // it opens UDP and TCP at once
        return try await body(DnsmasqServer(port: port))
    }
}
