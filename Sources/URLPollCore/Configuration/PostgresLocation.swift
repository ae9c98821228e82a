import Foundation

/// Where a PostgreSQL database is, parsed from a `postgres://` URL (libpq's URI form). Pure.
///
///     postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE&sslrootcert=FILE&host=/SOCKET/DIR]
///
/// The password is kept but never shown: ``description`` (what messages, logs and reports print) leaves
/// it out, and so does every error this type throws. A URL without a password gets one from a password
/// file (``PasswordFile``) or `PGPASSWORD` when the store connects.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection uses TLS (libpq's `sslmode`, without `allow`).
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS if the server offers it, certificate not verified (libpq's default).
        case prefer
        /// TLS or no connection, certificate not verified.
        case require
        /// TLS, the certificate verified against the roots (`sslrootcert` or the system's), any name.
        case verifyCA = "verify-ca"
        /// TLS, the certificate verified and its name checked against the host.
        case verifyFull = "verify-full"
    }

    public var username: String
    /// Never printed; `nil` when the URL has none.
    public var password: Secret<String>?
    /// A host name or address; `nil` with ``socketDirectory``.
    public var host: String?
    public var port: Int
    /// The directory of the server's Unix socket (`?host=/dir`): the socket is `DIR/.s.PGSQL.PORT`.
    public var socketDirectory: String?
    public var database: String
    public var tls: TLSMode
    /// A PEM bundle of the roots that sign the server's certificate (`sslrootcert`).
    public var rootCertificateFile: String?

    /// Parses `text`, a `postgres://` or `postgresql://` URL.
    ///
    /// - Throws: ``InputError`` naming what is wrong (never quoting the password): not a URL, no user, a
    ///   bad port, an unknown `sslmode` or parameter.
    public init(parsing text: String) throws(InputError) {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"),
            let components = URLComponents(string: text)
        else {
            throw InputError("not a PostgreSQL URL (write postgres://user@host:port/database)")
        }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw InputError("the PostgreSQL URL names no user (write postgres://user@host:port/database)")
        }
        username = user
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }.map(Secret.init)
        let hostText = components.host.map { $0.hasPrefix("[") && $0.hasSuffix("]") ? String($0.dropFirst().dropLast()) : $0 }
        host = hostText?.isEmpty == false ? hostText : nil
        if let port = components.port {
            guard (1...65_535).contains(port) else { throw InputError("the PostgreSQL URL's port \(port) is out of range (1-65535)") }
            self.port = port
        } else {
            port = 5432
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : (path.removingPercentEncoding ?? path)
        tls = .prefer
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw InputError(
                        "the PostgreSQL URL's sslmode \(Excerpt.quoted(value)) is not one of "
                            + TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    )
                }
                tls = mode
            case "sslrootcert":
                rootCertificateFile = value
            case "host":
                guard value.hasPrefix("/") else { throw InputError("the PostgreSQL URL's host parameter must be a socket directory (/…)") }
                socketDirectory = value
            default:
                throw InputError(
                    "the PostgreSQL URL has an unknown parameter \(Excerpt.quoted(item.name)) (known: sslmode, sslrootcert, host)"
                )
            }
        }
        if host == nil && socketDirectory == nil {
            throw InputError("the PostgreSQL URL names no host (write postgres://user@host:port/database, or ?host=/socket/dir)")
        }
        if socketDirectory != nil { host = nil }
        if rootCertificateFile != nil && (tls == .disable || tls == .prefer || tls == .require) {
            tls = .verifyCA
        }
    }

    /// The URL without its password: what every message and report shows.
    public var description: String {
        var text = "postgres://\(username)@"
        if let host {
            text += host.contains(":") ? "[\(host)]" : host
            text += ":\(port)"
        }
        text += "/\(database)"
        var parameters: [String] = []
        if let socketDirectory { parameters.append("host=\(socketDirectory)") }
        if tls != .prefer { parameters.append("sslmode=\(tls.rawValue)") }
        if let rootCertificateFile { parameters.append("sslrootcert=\(rootCertificateFile)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// The path of the Unix socket, with ``socketDirectory``.
    public var socketPath: String? {
        socketDirectory.map { "\($0)/.s.PGSQL.\(port)" }
    }
}

extension PostgresLocation {
    /// libpq's password file (`~/.pgpass`, or the file `PGPASSFILE` names): lines of
    /// `hostname:port:database:username:password`, `*` matching anything, `\:` and `\\` escaped. Pure.
    public enum PasswordFile {
        /// The password of the first line of `text` that matches `location`; `nil` if none does.
        /// A Unix socket matches the host `localhost`, as in libpq.
        public static func password(for location: PostgresLocation, in text: String) -> Secret<String>? {
            let host = location.host ?? "localhost"
            for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
                let fields = split(line)
                guard fields.count == 5 else { continue }
                let wanted = [host, String(location.port), location.database, location.username]
                if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return Secret(fields[4]) }
            }
            return nil
        }

        /// The fields of one line: split at unescaped colons, escapes removed.
        private static func split(_ line: Substring) -> [String] {
            var fields: [String] = []
            var field = ""
            var escaped = false
            for character in line {
                if escaped {
                    field.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == ":" && fields.count < 4 {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(character)
                }
            }
            fields.append(field)
            return fields
        }
    }
}
