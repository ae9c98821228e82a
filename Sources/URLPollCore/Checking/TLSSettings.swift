/// How https connections to one URL are secured beyond the defaults (`ca-file`, `ca-only`, `client-cert`,
/// `client-key`, `server-name`, `min-tls-version`, `post-quantum-tls`). A pure value: file paths, not their contents; the
/// probe layer reads and checks the files once per distinct settings (``PreparedTLS``).
public struct TLSSettings: Sendable, Hashable {
    public enum Version: String, Sendable, Hashable, CaseIterable {
        case tls12 = "1.2"
        case tls13 = "1.3"
    }

    /// A PEM bundle of CA certificates trusted for this URL, added to the system's roots.
    public var caFile: String?
    /// Whether ``caFile`` replaces the system's roots instead of adding to them.
    public var caOnly = false
    /// A PEM client certificate (chain) for mutual TLS; needs ``clientKey``.
    public var clientCertificate: String?
    /// The PEM private key of ``clientCertificate``.
    public var clientKey: String?
    /// The name sent in SNI and verified in the certificate, in place of the URL's host.
    public var serverName: String?
    /// The oldest TLS version accepted (default: TLS 1.2, whatever the library allows below).
    public var minimumVersion: Version?
    /// Whether the post-quantum hybrid key exchange X25519MLKEM768 is offered (and preferred), at the cost
    /// of an ML-KEM key generated for every new connection.
    public var postQuantum = false

    public init(
        caFile: String? = nil,
        caOnly: Bool = false,
        clientCertificate: String? = nil,
        clientKey: String? = nil,
        serverName: String? = nil,
        minimumVersion: Version? = nil,
        postQuantum: Bool = false
    ) {
        self.postQuantum = postQuantum
        self.caFile = caFile
        self.caOnly = caOnly
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.serverName = serverName
        self.minimumVersion = minimumVersion
    }

    /// Whether nothing is set (the client's defaults apply).
    public var isDefault: Bool { self == TLSSettings() }
}

/// TLS settings made ready for a client (files read, contexts built): what a probe layer hangs on a
/// URL's ``CheckOptions`` so that every connection of every URL with the same settings shares one.
/// Immutable; the concrete type belongs to the probe layer.
public protocol PreparedTLS: Sendable, AnyObject {
    /// The settings it was prepared from.
    var settings: TLSSettings { get }
}
