import Foundation
import URLPollCore

#if canImport(Glibc)
    import Glibc
#endif

/// `dns://server[:port]/name?type=T` (and `dns+tcp://`): one query to a DNS server (``DNSCheck``).
///
/// The server is an IP address (`dns://127.0.0.1:5353/…`, `dns://[::1]/…`); without one
/// (`dns:///example.org`) the first `nameserver` of /etc/resolv.conf, read when the configuration is
/// loaded. Keys: `rcode:`, `min-answers:`, `answers-contain:`, `answer-matches:` (``DNSExpectation``).
package struct DNSKind: CheckKind {
    package var name: CheckKindName { .dns }
    package var schemes: [String] { ["dns", "dns+tcp"] }
    package var keys: [String] { ["rcode", "min-answers", "answers-contain", "answer-matches"] }

    /// Where the system's resolvers are listed.
    let resolvConf: String

    package init(resolvConf: String = "/etc/resolv.conf") {
        self.resolvConf = resolvConf
    }

    package func problem(with url: URLComponents) -> String? {
        guard url.user == nil, url.password == nil else { return "a dns URL carries no user or password" }
        if let host = url.host, !host.isEmpty, !Self.isAddress(Self.unbracketed(host)) {
            return "the server must be an IP address (dns://192.0.2.53/name), not \(Excerpt.quoted(host))"
        }
        if let port = url.port, !(1...65535).contains(port) { return "port \(port) is out of range (1-65535)" }
        let name = String(url.path.drop { $0 == "/" })
        if let problem = DNSName.problem(with: name) { return problem }
        for item in url.queryItems ?? [] {
            guard item.name == "type" else { return "unknown query parameter \(Excerpt.quoted(item.name)) (only type)" }
            guard DNSRecordType(name: item.value ?? "") != nil else {
                return "unknown type \(Excerpt.quoted(item.value ?? "")) (\(DNSRecordType.allCases.map(\.name).joined(separator: ", ")))"
            }
        }
        guard url.fragment == nil else { return "a dns URL has no fragment" }
        return nil
    }

    package func spec(for url: URLComponents, settings: any CheckSettingsReader) throws(CheckSettingIssue) -> any CheckSpec {
        var expectation = DNSExpectation()
        if let text = try settings.text("rcode") {
            guard let code = DNSResponseCode(name: text) else {
                throw CheckSettingIssue(key: "rcode", "\(Excerpt.quoted(text)) is not a response code (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, …)")
            }
            expectation.code = code
        }
        expectation.minimumAnswers = try settings.integer("min-answers", in: 0...1000)
        expectation.contains = try (settings.texts("answers-contain") ?? []).map { value throws(CheckSettingIssue) in
            guard !value.isEmpty else { throw CheckSettingIssue(key: "answers-contain", "an empty value") }
            return Self.canonical(value)
        }
        if let text = try settings.text("answer-matches") {
            do throws(InputError) {
                expectation.matches = try BodyPattern(text)
            } catch {
                throw CheckSettingIssue(key: "answer-matches", error.message)
            }
        }
        let type = (url.queryItems ?? []).first { $0.name == "type" }.flatMap { DNSRecordType(name: $0.value ?? "") } ?? .a
        let name = String(url.path.drop { $0 == "/" })
        var server = url.host.map(Self.unbracketed) ?? ""
        if server.isEmpty {
            guard let system = Self.firstNameserver(in: resolvConf) else {
                throw CheckSettingIssue(key: "url", "no nameserver in \(resolvConf): name the server (dns://192.0.2.53/\(name))")
            }
            server = system
        }
        return DNSCheck(
            server: server,
            port: url.port ?? 53,
            name: name.hasSuffix(".") ? String(name.dropLast()) : name,
            type: type,
            overTCP: url.scheme?.lowercased() == "dns+tcp",
            expecting: expectation
        )
    }

    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    static func isAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// An IPv6 address as answers show it (`2001:db8::1`); anything else as written.
    static func canonical(_ value: String) -> String {
        var v6 = in6_addr()
        guard value.contains(":"), inet_pton(AF_INET6, value, &v6) == 1 else { return value }
        return DNSReader.ipv6(withUnsafeBytes(of: &v6) { Array($0) })
    }

    /// The first `nameserver` address of a resolv.conf.
    static func firstNameserver(in path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2, words[0] == "nameserver", isAddress(String(words[1])) { return String(words[1]) }
        }
        return nil
    }
}
