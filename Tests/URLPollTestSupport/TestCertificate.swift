import Crypto
import Foundation
import NIOSSL
import X509

/// A self-signed P-256 certificate made for a test, with its key, ready for a NIOSSL server.
struct TestCertificate {
    let certificate: Certificate
    let key: P256.Signing.PrivateKey
    /// The expiry, to the second (as certificates store it).
    let notValidAfter: Date

    /// A certificate valid from an hour ago for `validFor` seconds from now.
    init(validFor: TimeInterval = 86_400) throws {
        key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("urlpoll test") }
        let now = Date()
        notValidAfter = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + validFor).rounded(.down))
        certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now - 3600,
            notValidAfter: notValidAfter,
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
    }

    /// A server TLS context presenting this certificate.
    func serverContext() throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(try certificate.serializeAsPEM().pemString.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pemRepresentation.utf8), format: .pem))
        )
        return try NIOSSLContext(configuration: configuration)
    }
}
