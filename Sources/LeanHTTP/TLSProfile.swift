import NIOSSL

/// TLS for some requests beyond the client's defaults (a private CA, a client certificate, a minimum
/// version, a name to verify): one `NIOSSLContext`, built once and shared by every connection that uses
/// the profile. Connections with different profiles are never shared.
///
/// Immutable and `Sendable`; compared by identity (two profiles are two pools of connections).
public final class TLSProfile: Sendable, Hashable {
    /// The context every connection with this profile uses.
    public let context: NIOSSLContext
    /// Sent in SNI and verified in the certificate in place of the URL's host; `nil` uses the host
    /// (none for an IP address, whose certificate is checked against the address).
    public let serverName: String?

    /// The key-exchange groups are ``LeanHTTPClient/keyExchangeGroups`` unless `configuration` sets its own.
    ///
    /// - Throws: what `NIOSSLContext` throws for a configuration it cannot use.
    public init(configuration: TLSConfiguration, serverName: String? = nil) throws {
        var configuration = configuration
        if configuration.curves == nil { configuration.curves = LeanHTTPClient.keyExchangeGroups }
        context = try NIOSSLContext(configuration: configuration)
        self.serverName = serverName
    }

    public static func == (lhs: TLSProfile, rhs: TLSProfile) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
