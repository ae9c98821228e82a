import Foundation
import NIOCore
import NIOSSL
import PostgresNIO
import URLPollCore

/// How a ``PostgresLocation`` becomes postgres-nio's settings: the password (from the URL, `PGPASSWORD`,
/// or the password file), TLS as `sslmode` asks, and the same settings for the pool and for the single
/// connection that sets up the tables.
enum PostgresConnectionSettings {
    /// The password for `location`: the URL's, else `PGPASSWORD`, else the password file's (`PGPASSFILE`,
    /// or `~/.pgpass`); `nil` when none has one (trust or peer authentication).
    static func password(
        for location: PostgresLocation,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Secret<String>? {
        if let password = location.password { return password }
        if let password = environment["PGPASSWORD"] { return Secret(password) }
        let file = environment["PGPASSFILE"] ?? environment["HOME"].map { "\($0)/.pgpass" }
        guard let file, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        return PostgresLocation.PasswordFile.password(for: location, in: text)
    }

    /// NIOSSL's settings for `location`'s `sslmode`; `nil` for `disable`.
    ///
    /// - Throws: ``StoreError`` when the root certificate file cannot be read as PEM.
    static func tls(for location: PostgresLocation) throws(StoreError) -> TLSConfiguration? {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch location.tls {
        case .disable: return nil
        case .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let file = location.rootCertificateFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            } catch {
                throw StoreError("\(location): cannot read sslrootcert \(file) (\(error))")
            }
        }
        return tls
    }

    /// The pool's settings.
    static func pool(for location: PostgresLocation) throws(StoreError) -> PostgresClient.Configuration {
        // Revealed for postgres-nio's login only (its configuration describes itself without it).
        let password = password(for: location)?.revealed
        var configuration: PostgresClient.Configuration
        if let socket = location.socketPath {
            configuration = .init(unixSocketPath: socket, username: location.username, password: password, database: location.database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch (location.tls, try Self.tls(for: location)) {
            case (_, nil): tls = .disable
            case (.prefer, let settings?): tls = .prefer(settings)
            case (_, let settings?): tls = .require(settings)
            }
            configuration = .init(
                host: location.host ?? "localhost",
                port: location.port,
                username: location.username,
                password: password,
                database: location.database,
                tls: tls
            )
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.keepAliveBehavior = .init(frequency: .seconds(30))
        return configuration
    }

    /// The settings of one connection outside the pool (the one that sets up the tables).
    static func connection(for location: PostgresLocation, connectTimeout: Duration) throws(StoreError) -> PostgresConnection.Configuration {
        // Revealed for postgres-nio's login only (its configuration describes itself without it).
        let password = password(for: location)?.revealed
        var configuration: PostgresConnection.Configuration
        if let socket = location.socketPath {
            configuration = .init(unixSocketPath: socket, username: location.username, password: password, database: location.database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            do {
                switch (location.tls, try Self.tls(for: location)) {
                case (_, nil): tls = .disable
                case (.prefer, let settings?): tls = .prefer(try NIOSSLContext(configuration: settings))
                case (_, let settings?): tls = .require(try NIOSSLContext(configuration: settings))
                }
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError("\(location): cannot set up TLS (\(error))")
            }
            configuration = .init(
                host: location.host ?? "localhost",
                port: location.port,
                username: location.username,
                password: password,
                database: location.database,
                tls: tls
            )
        }
        configuration.options.connectTimeout = .nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000)
        return configuration
    }

    /// Connections the pool opens at most: one writer, readers for the page and the API, and the
    /// cluster's claims alongside them.
    static let maximumConnections = 8
}
