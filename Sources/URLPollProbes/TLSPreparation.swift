import Foundation
import LeanHTTP
import NIOSSL
import URLPollCore
import X509

/// A URL's ``TLSSettings`` made ready for both clients: the files read and checked once, the
/// `TLSConfiguration` (what async-http-client takes per request) and the ``TLSProfile`` (one
/// `NIOSSLContext`, shared by every connection of the lean client with these settings).
package final class PreparedTLSContext: PreparedTLS {
    package let settings: TLSSettings
    let configuration: TLSConfiguration
    package let profile: TLSProfile

    init(settings: TLSSettings, configuration: TLSConfiguration, profile: TLSProfile) {
        self.settings = settings
        self.configuration = configuration
        self.profile = profile
    }
}

/// Reads and checks the TLS files of every URL (once per distinct settings) and hangs the result on the
/// URLs' options, at start and at each reload.
package enum TLSPreparation {
    /// `targets` with every option that has ``TLSSettings`` prepared, and warnings (a key file others
    /// may read).
    ///
    /// - Throws: ``InputError`` naming the file and the reason: missing, unreadable, not PEM, holding no
    ///   certificate, or a key that does not match its certificate.
    package static func prepare(_ targets: TargetList) throws(InputError) -> (targets: TargetList, warnings: [String]) {
        var bySettings: [Key: PreparedTLSContext] = [:]
        var byOptions: [ObjectIdentifier: CheckOptions] = [:]
        var warnings: [String] = []
        let prepared = try targets.mappingOptions { options throws(InputError) in
            guard let settings = options.tls else { return options }
            if let done = byOptions[ObjectIdentifier(options)] { return done }
            let key = Key(settings: settings, insecure: options.insecureTLS)
            let context: PreparedTLSContext
            if let existing = bySettings[key] {
                context = existing
            } else {
                (context, warnings) = try (make(settings, insecure: options.insecureTLS), warnings + keyWarnings(settings))
                bySettings[key] = context
            }
            let ready = options.preparing(context)
            byOptions[ObjectIdentifier(options)] = ready
            return ready
        }
        return (prepared, Array(Set(warnings)).sorted())
    }

    struct Key: Hashable {
        let settings: TLSSettings
        let insecure: Bool
    }

    static func make(_ settings: TLSSettings, insecure: Bool) throws(InputError) -> PreparedTLSContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = settings.minimumVersion == .tls13 ? .tlsv13 : .tlsv12
        if insecure { configuration.certificateVerification = .none }
        if settings.postQuantum { configuration.curves = [.x25519_MLKEM768] + LeanHTTPClient.keyExchangeGroups }
        if let path = settings.caFile {
            let certificates = try certificates(inPEM: try text(path, key: "ca-file"), path, key: "ca-file")
            if settings.caOnly {
                configuration.trustRoots = .certificates(certificates)
            } else {
                configuration.additionalTrustRoots = [.certificates(certificates)]
            }
        }
        if let certificatePath = settings.clientCertificate, let keyPath = settings.clientKey {
            let certificatePEM = try text(certificatePath, key: "client-cert")
            let chain = try certificates(inPEM: certificatePEM, certificatePath, key: "client-cert")
            let keyPEM = try text(keyPath, key: "client-key")
            let privateKey: NIOSSLPrivateKey
            do {
                privateKey = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
            } catch {
                throw InputError("client-key \(keyPath): not a PEM private key")
            }
            try checkPair(certificatePEM: certificatePEM, keyPEM: keyPEM, certificatePath, keyPath)
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(privateKey)
        }
        do {
            let profile = try TLSProfile(configuration: configuration, serverName: settings.serverName)
            return PreparedTLSContext(settings: settings, configuration: configuration, profile: profile)
        } catch {
            throw InputError("cannot set up TLS with \(describe(settings)): \(error)")
        }
    }

    private static func text(_ path: String, key: String) throws(InputError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw InputError("\(key) \(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError("\(key) \(path): cannot be read (permission denied?)") }
        guard let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN ") else {
            throw InputError("\(key) \(path): not a PEM file (expected -----BEGIN …-----)")
        }
        return text
    }

    /// The certificates of `pem`, read from `path` (named in messages as `key`).
    private static func certificates(inPEM pem: String, _ path: String, key: String) throws(InputError) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
        } catch {
            throw InputError("\(key) \(path): not a PEM certificate bundle")
        }
        guard !certificates.isEmpty else { throw InputError("\(key) \(path): holds no certificate") }
        return certificates
    }

    /// Checks that the private key belongs to the (first) certificate, comparing their package keys.
    private static func checkPair(certificatePEM: String, keyPEM: String, _ certificatePath: String, _ keyPath: String) throws(InputError) {
        do {
            let certificate = try Certificate(pemEncoded: certificatePEM)
            let key = try Certificate.PrivateKey(pemEncoded: keyPEM)
            guard key.publicKey == certificate.publicKey else {
                throw InputError("client-key \(keyPath) does not match client-cert \(certificatePath)")
            }
        } catch let error as InputError {
            throw error
        } catch {
            // A key type swift-certificates cannot read (NIOSSL could): the handshake will tell.
            return
        }
    }

    /// A warning for a client key that others than its owner may read.
    static func keyWarnings(_ settings: TLSSettings) -> [String] {
        guard let path = settings.clientKey,
            let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int,
            mode & 0o077 != 0
        else { return [] }
        return ["client-key \(path) can be read by others (mode \(String(mode & 0o777, radix: 8))); chmod 600 it"]
    }

    private static func describe(_ settings: TLSSettings) -> String {
        [settings.caFile.map { "ca-file \($0)" }, settings.clientCertificate.map { "client-cert \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
    }
}
