/// The record types a `dns://` check can ask for (`?type=`), with their numbers (RFC 1035, 3596, 2782, 8659).
package enum DNSRecordType: UInt16, Sendable, CaseIterable {
    case a = 1
    case ns = 2
    case cname = 5
    case soa = 6
    case ptr = 12
    case mx = 15
    case txt = 16
    case aaaa = 28
    case srv = 33
    case caa = 257

    /// The type named `text` (`A`, `aaaa`, …), or `nil`.
    package init?(name text: String) {
        guard let type = Self.allCases.first(where: { $0.name == text.uppercased() }) else { return nil }
        self = type
    }

    /// `A`, `AAAA`, `MX`, …
    package var name: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .ptr: "PTR"
        case .mx: "MX"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .caa: "CAA"
        }
    }
}

/// A response code (RFC 1035 and 6895): `NOERROR`, `NXDOMAIN`, …
package struct DNSResponseCode: Hashable, Sendable, CustomStringConvertible {
    package let value: UInt16

    package init(_ value: UInt16) {
        self.value = value
    }

    static let names: [UInt16: String] = [
        0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED", 6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET",
        9: "NOTAUTH", 10: "NOTZONE",
    ]

    /// The code named `text` (`NOERROR`, `nxdomain`, …), or `nil`.
    package init?(name text: String) {
        guard let value = Self.names.first(where: { $0.value == text.uppercased() })?.key else { return nil }
        self.value = value
    }

    package static let noError = DNSResponseCode(0)
    package static let nxDomain = DNSResponseCode(3)

    package var description: String { Self.names[value] ?? "RCODE\(value)" }
}
