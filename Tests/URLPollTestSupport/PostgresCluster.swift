import Foundation
import Testing

@testable import URLPollCore

/// A throwaway PostgreSQL cluster (Debian's `postgresql` package): `initdb` into a temporary directory,
/// the server on a loopback port with its socket in that directory, trust authentication for the
/// superuser `urlpoll`. PostgreSQL refuses to run as root, so as root the server tools run as the
/// `postgres` user the package creates.
///
/// ``shared`` is one cluster for the whole test process (each test takes a database of its own);
/// ``start()`` makes a private one for a test that stops or restarts it. A watchdog child process stops
/// a cluster and removes its directory when the test process ends, however it ends (even `kill -9`).
final class PostgresCluster: Sendable {
    /// The server programs of the newest PostgreSQL installed, or `nil`.
    static let binaries: String? = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted().reversed().map { "\(root)/\($0)/bin" }.first {
            FileManager.default.isExecutableFile(atPath: "\($0)/initdb")
        }
    }()

    static let toolsRequired = ProcessInfo.processInfo.environment["URLPOLL_REQUIRE_TOOLS"] == "1"
    /// Whether PostgreSQL tests run: PostgreSQL is installed, or CI requires it (then its absence fails).
    static let available = binaries != nil || toolsRequired

    let directory: String
    let port: Int
    private let bin: String
    /// Whether the server takes TLS connections (with a certificate for 127.0.0.1 from a test CA).
    let tls: Bool

    private init(directory: String, port: Int, bin: String, tls: Bool) {
        self.directory = directory
        self.port = port
        self.bin = bin
        self.tls = tls
    }

    /// The process's shared cluster, started on first use.
    static func shared() async throws -> PostgresCluster {
        try await sharedCluster.value
    }

    private static let sharedCluster = Task { try await start() }

    /// Starts a new cluster on a free loopback port; with `pki`, TLS on, presenting a certificate the
    /// test CA signed for 127.0.0.1.
    ///
    /// The port is below the kernel's ephemeral range, so that no outgoing connection of another test
    /// takes it while `initdb` runs or while a test has the server stopped; if one was taken anyway, the
    /// server starts on another.
    static func start(pki: TestPKI? = nil) async throws -> PostgresCluster {
        let bin = try #require(binaries, "PostgreSQL is not installed (apt-get install postgresql)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("urlpoll-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        if geteuid() == 0 {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"], ofItemAtPath: directory)
        }
        var attempt = 0
        while true {
            attempt += 1
            let cluster = PostgresCluster(directory: directory, port: try Self.unusedPort(), bin: bin, tls: pki != nil)
            if attempt == 1 {
                try await cluster.server(["initdb", "-D", "\(directory)/data", "--auth=trust", "-U", "urlpoll", "--no-sync", "-E", "UTF8"])
                try await cluster.watch()
                if let pki { try cluster.writeCertificate(from: pki) }
            }
            do {
                try await cluster.startServer()
                return cluster
            } catch let failure as StartFailure where failure.description.contains("could not bind") && attempt < 5 {
                continue
            }
        }
    }

    /// A loopback port nothing listens on, from 20000–31999 (below the ephemeral ports outgoing
    /// connections get).
    static func unusedPort() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20_000..<32_000)
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { continue }
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound == 0 { return port }
        }
        throw StartFailure(description: "no free loopback port between 20000 and 31999")
    }

    /// Writes a server certificate the test CA signed for 127.0.0.1, and its key, beside the data.
    private func writeCertificate(from pki: TestPKI) throws {
        // The server reads its key only if no one else may (mode 600, its own user).
        let leaf = try pki.leaf([TestPKI.loopbackIP])
        let (certificate, key) = ("\(directory)/server.crt", "\(directory)/server.key")
        try leaf.certificate.serializeAsPEM().pemString.save(toFile: certificate)
        try leaf.key.pemRepresentation.save(toFile: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        if geteuid() == 0 {
            for file in [certificate, key] {
                try FileManager.default.setAttributes([.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"], ofItemAtPath: file)
            }
        }
    }

    /// A server that did not start: the tail of its log says why.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts the server (again, after ``stop(_:)``); a failure carries the end of the server's log.
    func startServer() async throws {
        do {
            try await startServerOnce()
        } catch {
            let log = (try? String(contentsOfFile: "\(directory)/log", encoding: .utf8)) ?? ""
            throw StartFailure(description: "\(error)\nserver log: \(log.suffix(1500))")
        }
    }

    private func startServerOnce() async throws {
        try await server([
            "pg_ctl", "-D", "\(directory)/data", "-w", "-l", "\(directory)/log",
            "-o",
            "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                + "-c max_connections=200 -c shared_buffers=32MB -c autovacuum=off"
                + (tls ? " -c ssl=on -c ssl_cert_file=\(directory)/server.crt -c ssl_key_file=\(directory)/server.key" : ""),
            "start",
        ])
    }

    /// Stops the server: `fast` ends sessions cleanly, `immediate` as a crash would.
    func stop(_ mode: String = "fast") async throws {
        try await server(["pg_ctl", "-D", "\(directory)/data", "-w", "-m", mode, "stop"])
    }

    /// A new empty database in this cluster, and where it is.
    func makeDatabase() async throws -> PostgresLocation {
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try await Self.run(["\(bin)/createdb", "-h", "127.0.0.1", "-p", "\(port)", "-U", "urlpoll", name])
        return location(database: name)
    }

    /// Where `database` is, over TCP with TLS off.
    func location(database: String) -> PostgresLocation {
        try! PostgresLocation(parsing: url(database: database))
    }

    /// The URL of `database`, for the command line and config files.
    func url(database: String) -> String {
        "postgres://urlpoll@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// A login role that must give `password` over TCP (SCRAM), owning `database`: for tests of the
    /// password's path. Only this role's line is added to the cluster's `pg_hba.conf`, ahead of the
    /// trust lines, so the other tests' logins are as before.
    func addPasswordRole(_ role: String, password: String, owning database: String) async throws {
        _ = try await psql("CREATE ROLE \(role) LOGIN PASSWORD '\(password)'; ALTER DATABASE \(database) OWNER TO \(role)", database: database)
        let hba = "\(directory)/data/pg_hba.conf"
        let text = try String(contentsOfFile: hba, encoding: .utf8)
        try ("host all \(role) 127.0.0.1/32 scram-sha-256\n" + text).save(toFile: hba)
        try await server(["pg_ctl", "-D", "\(directory)/data", "reload"])
    }

    /// The output of `psql -c sql` on `database`.
    func psql(_ sql: String, database: String) async throws -> String {
        try await Self.run(["\(bin)/psql", "-h", "127.0.0.1", "-p", "\(port)", "-U", "urlpoll", "-d", database, "-Atc", sql])
    }

    /// Runs a server program (`initdb`, `pg_ctl`) as the `postgres` user when this process is root.
    /// At a lower priority (`nice`, inherited by the server and its backends): on 2 cores the tests'
    /// own in-process servers, which time their clients out, come first.
    private func server(_ arguments: [String]) async throws {
        let program = ["/usr/bin/nice", "-n", "10", "\(bin)/\(arguments[0])"]
        let rest = Array(arguments.dropFirst())
        if geteuid() == 0 {
            try await Self.run(["/usr/sbin/runuser", "-u", "postgres", "--"] + program + rest)
        } else {
            try await Self.run(program + rest)
        }
    }

    /// A detached shell that outlives nothing: when this test process is gone, it stops the server and
    /// removes the directory. (Started through a shell that exits at once.)
    private func watch() async throws {
        let stop =
            geteuid() == 0
            ? "/usr/sbin/runuser -u postgres -- \(bin)/pg_ctl -D \(directory)/data -m immediate stop"
            : "\(bin)/pg_ctl -D \(directory)/data -m immediate stop"
        let loop = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop); rm -rf \(directory)"
        try await Self.run(["/bin/sh", "-c", "(\(loop)) </dev/null >/dev/null 2>&1 &"])
    }

    /// Runs `arguments` to the end; throws with its output when it fails. Spawned and waited for
    /// directly (`posix_spawn`, `waitpid`), not through Foundation's `Process`,
    /// whose reaper stops reaping in a test process once `pg_ctl` has daemonized a server. The output
    /// goes through a file, not a pipe, which a daemonized server could keep open.
    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        try await Tool.spawn(arguments)
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "\(command) failed: \(output)" }
    }
}
