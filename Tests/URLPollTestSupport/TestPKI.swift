import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwiftASN1
import X509

/// A private CA made for a test, the certificates it signs, and https servers presenting them.
struct TestPKI {
    let caKey = P256.Signing.PrivateKey()
    let caCertificate: Certificate
    let caName: DistinguishedName

    init() throws {
        caName = try DistinguishedName { CommonName("urlpoll test CA") }
        let now = Date()
        caCertificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(caKey.publicKey),
            notValidBefore: now - 3600,
            notValidAfter: now + 86_400,
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey)
        )
    }

    /// A leaf certificate signed by the CA for `names` (DNS names and IP addresses), and its key.
    func leaf(_ names: [GeneralName], client: Bool = false) throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now - 3600,
            notValidAfter: now + 86_400,
            issuer: caName,
            subject: try DistinguishedName { CommonName(client ? "urlpoll test client" : "urlpoll test server") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames(names)
                try ExtendedKeyUsage([client ? .clientAuth : .serverAuth])
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey)
        )
        return (certificate, key)
    }

    static let loopbackIP = GeneralName.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))

    /// Writes the CA (`ca.pem`), a client certificate and key (`client.pem`, `client.key`, mode 600) into `directory`.
    func writeFiles(into directory: TemporaryDirectory) throws {
        try caCertificate.serializeAsPEM().pemString.save(toFile: directory.file("ca.pem"))
        let client = try leaf([.dnsName("client.test")], client: true)
        try client.certificate.serializeAsPEM().pemString.save(toFile: directory.file("client.pem"))
        try client.key.pemRepresentation.save(toFile: directory.file("client.key"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory.file("client.key"))
    }

    /// Writes a server certificate for 127.0.0.1 (`server.pem`) and its key (`server.key`), for servers a
    /// test starts as programs of their own.
    func writeServerFiles(into directory: TemporaryDirectory) throws {
        let server = try leaf([TestPKI.loopbackIP])
        try server.certificate.serializeAsPEM().pemString.save(toFile: directory.file("server.pem"))
        try server.key.pemRepresentation.save(toFile: directory.file("server.key"))
    }

    /// Serves `200 ok` over https on 127.0.0.1 with a leaf for `names`; with `requireClientCertificate`
    /// only to clients presenting a certificate this CA signed; at most TLS 1.2 with `tls12Only`; only
    /// with the key-exchange groups `curves`, when given.
    func serve<T: Sendable>(
        names: [GeneralName] = [TestPKI.loopbackIP],
        requireClientCertificate: Bool = false,
        tls12Only: Bool = false,
        curves: [NIOTLSCurve]? = nil,
        _ body: (_ port: Int) async throws -> T
    ) async throws -> T {
        let server = try leaf(names)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [
                .certificate(try NIOSSLCertificate(bytes: Array(try server.certificate.serializeAsPEM().pemString.utf8), format: .pem))
            ],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(server.key.pemRepresentation.utf8), format: .pem))
        )
        if requireClientCertificate {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates([
                try NIOSSLCertificate(bytes: Array(try caCertificate.serializeAsPEM().pemString.utf8), format: .pem)
            ])
        }
        if tls12Only { configuration.maximumTLSVersion = .tlsv12 }
        configuration.curves = curves
        return try await TLSTarget.serve(context: try NIOSSLContext(configuration: configuration), body)
    }
}
