import Foundation
import URLPollCore

/// `tcp://host:port`: a TCP port that accepts connections, and optionally answers what it is sent
/// (``TCPCheck``); `tls://host:port` (or `tls: true`) makes a TLS handshake first, with the TLS settings
/// https URLs have.
///
/// Keys: `send:` (text written once connected; `\r`, `\n`, `\t`, `\0`, `\\` and `\xHH` escapes),
/// `expect:` (a regular expression the first bytes received must match, within 64 KiB and the
/// timeout), `tls:` and `starttls: smtp` (EHLO and STARTTLS before the handshake).
package struct TCPKind: CheckKind {
    package var name: CheckKindName { .tcp }
    package var schemes: [String] { ["tcp", "tls"] }
    package var keys: [String] { ["send", "expect", "tls", "starttls"] }

    /// The longest `send:` text, in bytes.
    package static let sendLimit = 64 * 1024

    package init() {}

    package func problem(with url: URLComponents) -> String? {
        guard let host = url.host, !host.isEmpty else { return "missing host" }
        let scheme = url.scheme?.lowercased() ?? "tcp"
        guard let port = url.port else { return "missing port (write \(scheme)://host:port)" }
        guard (1...65535).contains(port) else { return "port \(port) is out of range (1-65535)" }
        guard url.user == nil, url.password == nil else { return "a \(scheme) URL carries no user or password" }
        guard url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil else {
            return "a \(scheme) URL is only \(scheme)://host:port (no path, query or fragment)"
        }
        return nil
    }

    package func spec(for url: URLComponents, settings: any CheckSettingsReader) throws(CheckSettingIssue) -> any CheckSpec {
        var host = url.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let send = try settings.text("send").map { text throws(CheckSettingIssue) in try Self.unescaped(text) }
        let expect = try settings.text("expect").map { text throws(CheckSettingIssue) in
            do throws(InputError) {
                return try BodyPattern(text)
            } catch {
                throw CheckSettingIssue(key: "expect", error.message)
            }
        }
        let tls = try usesTLS(url, settings: settings)
        let startTLS = try Self.startTLS(url, settings)
        return TCPCheck(
            host: host,
            port: url.port ?? 0,
            send: send,
            expect: expect,
            tls: tls,
            startTLS: startTLS,
            kind: CheckKindName(scheme: url.scheme ?? "tcp")
        )
    }

    /// `starttls: smtp`, on `tcp://` URLs only.
    static func startTLS(_ url: URLComponents, _ settings: any CheckSettingsReader) throws(CheckSettingIssue) -> TCPCheck.StartTLS? {
        guard let text = try settings.text("starttls") else { return nil }
        guard let protocolName = TCPCheck.StartTLS(rawValue: text.lowercased()) else {
            throw CheckSettingIssue(key: "starttls", "\(Excerpt.quoted(text)) is not a protocol urlpoll upgrades (smtp)")
        }
        guard url.scheme?.lowercased() == "tcp" else {
            throw CheckSettingIssue(key: "starttls", "a tls:// URL starts with TLS; write tcp:// for STARTTLS")
        }
        return protocolName
    }

    /// `tls://` URLs always, `tcp://` URLs with `tls: true` or `starttls:`.
    package func usesTLS(_ url: URLComponents, settings: any CheckSettingsReader) throws(CheckSettingIssue) -> Bool {
        if try settings.text("starttls") != nil { return true }
        let flag = try settings.flag("tls")
        guard url.scheme?.lowercased() == "tls" else { return flag ?? false }
        if flag == false { throw CheckSettingIssue(key: "tls", "a tls:// URL always makes a TLS handshake (write tcp:// for none)") }
        return true
    }

    /// The bytes `text` stands for, its escapes replaced.
    ///
    /// - Throws: ``CheckSettingIssue`` for an unknown escape, a bad `\x`, an empty text or one longer than
    ///   ``sendLimit``.
    package static func unescaped(_ text: String) throws(CheckSettingIssue) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = Substring(text).utf8[...]
        while let byte = rest.popFirst() {
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                continue
            }
            guard let escape = rest.popFirst() else { throw CheckSettingIssue(key: "send", "ends with a lone backslash") }
            switch escape {
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "0"): bytes.append(0x00)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "x"):
                let digits = rest.prefix(2)
                guard digits.count == 2, let value = UInt8(String(decoding: digits, as: UTF8.self), radix: 16) else {
                    throw CheckSettingIssue(key: "send", "\\x needs two hex digits")
                }
                bytes.append(value)
                rest = rest.dropFirst(2)
            default:
                throw CheckSettingIssue(
                    key: "send",
                    "unknown escape \\\(Character(Unicode.Scalar(escape))) (use \\r, \\n, \\t, \\0, \\\\ or \\xHH)"
                )
            }
        }
        guard !bytes.isEmpty else { throw CheckSettingIssue(key: "send", "must not be empty") }
        guard bytes.count <= sendLimit else {
            throw CheckSettingIssue(key: "send", "longer than \(ByteSize.format(sendLimit)) (\(bytes.count) bytes)")
        }
        return bytes
    }
}
