#if canImport(Glibc)
    import Glibc
#endif

/// A DNS query as it goes on the wire (RFC 1035 §4): one question, recursion desired, no EDNS. Pure.
package struct DNSQuery: Sendable, Equatable {
    package let id: UInt16
    /// The name asked for, without the trailing dot (``DNSName/validate(_:)`` checked it).
    package let name: String
    package let type: DNSRecordType

    package init(id: UInt16, name: String, type: DNSRecordType) {
        self.id = id
        self.name = name
        self.type = type
    }

    /// The query's bytes (for TCP, ``DNSTransport`` adds the two-byte length).
    package var bytes: [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        bytes += DNSName.encoded(name)
        bytes += [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF), 0, 1]
        return bytes
    }
}

/// One answer record, its data shown as text: `192.0.2.1`, `10 mail.test`, `"v=spf1 -all"`.
package struct DNSAnswer: Sendable, Equatable {
    package let name: String
    package let type: UInt16
    package let ttl: UInt32
    package let value: String
}

/// Why a response cannot be read: the status text of the failed check (`invalid DNS answer (…)`).
package struct DNSParseError: Error, Equatable, CustomStringConvertible {
    package let reason: String

    package init(_ reason: String) {
        self.reason = reason
    }

    package var description: String { "invalid DNS answer (\(reason))" }
}

/// A response to a ``DNSQuery``, read strictly: the header, the question (which must be the query's),
/// and the answer section; authority and additional records are not read. Every length and pointer is
/// checked against the message's bounds, compression pointers must point backwards (so they cannot
/// loop), and a name is at most 255 bytes. Pure: a function of the bytes.
package struct DNSResponse: Sendable, Equatable {
    package let id: UInt16
    package let code: DNSResponseCode
    package let isTruncated: Bool
    package let isAuthoritative: Bool
    package let answers: [DNSAnswer]

    /// Reads `bytes` as the response to `query`.
    ///
    /// - Throws: ``DNSParseError`` for anything that is not such a response: too short, not a response,
    ///   another ID or question, a bad name, a record that runs past the end, data of the wrong length.
    package init(_ bytes: [UInt8], answering query: DNSQuery) throws(DNSParseError) {
        var reader = DNSReader(bytes)
        guard bytes.count >= 12 else { throw DNSParseError("\(bytes.count) bytes, shorter than a header") }
        id = try reader.u16()
        let flags = try reader.u16()
        guard flags & 0x8000 != 0 else { throw DNSParseError("not a response") }
        guard id == query.id else { throw DNSParseError("another query's ID") }
        guard (flags >> 11) & 0xF == 0 else { throw DNSParseError("opcode \((flags >> 11) & 0xF), not a query's") }
        isAuthoritative = flags & 0x0400 != 0
        isTruncated = flags & 0x0200 != 0
        code = DNSResponseCode(flags & 0x000F)
        let questions = try reader.u16()
        let answerCount = try reader.u16()
        _ = try reader.u16()
        _ = try reader.u16()
        guard questions == 1 else { throw DNSParseError("\(questions) questions, expected the one asked") }
        let name = try reader.name()
        let type = try reader.u16()
        let klass = try reader.u16()
        guard DNSName.same(name, query.name), type == query.type.rawValue, klass == 1 else {
            throw DNSParseError("the question is not the one asked")
        }
        var answers: [DNSAnswer] = []
        // A truncated answer may end anywhere: what is complete is kept, the rest comes over TCP.
        for _ in 0..<answerCount {
            do throws(DNSParseError) {
                answers.append(try reader.record())
            } catch {
                if isTruncated { break }
                throw error
            }
        }
        self.answers = answers
    }
}

/// Names on the wire: encoding, comparing and the checks a configured name must pass.
package enum DNSName {
    /// The longest name, in wire bytes (RFC 1035 §2.3.4).
    static let maximumLength = 255

    /// What is wrong with `name` as a name to ask for, or `nil`: empty labels, a label over 63 bytes, over
    /// 253 characters, or characters outside ASCII (write an IDN in its `xn--` form).
    package static func problem(with name: String) -> String? {
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        guard !trimmed.isEmpty else { return "no name to ask for (write dns://server/name)" }
        guard trimmed.utf8.count <= 253 else { return "the name is longer than 253 characters" }
        guard trimmed.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7F }) else {
            return "the name holds characters DNS names cannot (write an international name in its xn-- form)"
        }
        for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { return "the name has an empty label" }
            guard label.utf8.count <= 63 else { return "a label of the name is longer than 63 characters" }
        }
        return nil
    }

    static func encoded(_ name: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for label in name.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += label.utf8
        }
        return bytes + [0]
    }

    /// Whether two names are the same (ASCII case does not matter, nor a trailing dot).
    package static func same(_ a: String, _ b: String) -> Bool {
        func normal(_ name: String) -> String { (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased() }
        return normal(a) == normal(b)
    }
}

/// Reads a message's bytes with every bound checked.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func u8() throws(DNSParseError) -> UInt8 {
        guard offset < bytes.count else { throw DNSParseError("ends early, at byte \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSParseError) -> UInt16 {
        UInt16(try u8()) << 8 | UInt16(try u8())
    }

    mutating func u32() throws(DNSParseError) -> UInt32 {
        UInt32(try u16()) << 16 | UInt32(try u16())
    }

    mutating func take(_ count: Int) throws(DNSParseError) -> ArraySlice<UInt8> {
        guard count <= bytes.count - offset else { throw DNSParseError("ends early, at byte \(offset)") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// A name at the current offset, following compression pointers (each strictly backwards).
    mutating func name() throws(DNSParseError) -> String {
        var labels: [String] = []
        var length = 1
        var position = offset
        var jumped = false
        var lowestTarget = offset
        while true {
            guard position < bytes.count else { throw DNSParseError("a name runs past the end") }
            let byte = bytes[position]
            switch byte & 0xC0 {
            case 0x00:
                if byte == 0 {
                    if !jumped { offset = position + 1 }
                    return labels.isEmpty ? "." : labels.joined(separator: ".")
                }
                let count = Int(byte)
                guard position + 1 + count <= bytes.count else { throw DNSParseError("a name runs past the end") }
                length += count + 1
                guard length <= DNSName.maximumLength else { throw DNSParseError("a name longer than 255 bytes") }
                labels.append(Self.label(bytes[(position + 1)..<(position + 1 + count)]))
                position += 1 + count
            case 0xC0:
                guard position + 1 < bytes.count else { throw DNSParseError("a name runs past the end") }
                let target = Int(byte & 0x3F) << 8 | Int(bytes[position + 1])
                // Backwards only, and before every earlier target: no pointer can lead into a loop.
                guard target < lowestTarget else { throw DNSParseError("a compression pointer that loops or points forward") }
                if !jumped { offset = position + 2 }
                jumped = true
                lowestTarget = target
                position = target
            default:
                throw DNSParseError("a label type urlpoll does not read (0x\(String(byte, radix: 16)))")
            }
        }
    }

    /// A label as text; bytes outside printable ASCII (and `.` and `\`) written as `\DDD`, as dig does.
    static func label(_ bytes: ArraySlice<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: ".") && byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\" + String(repeating: "0", count: 3 - String(byte).count) + String(byte)
            }
        }
        return text
    }

    /// One resource record, its data read by its type.
    mutating func record() throws(DNSParseError) -> DNSAnswer {
        let name = try name()
        let type = try u16()
        _ = try u16()
        let ttl = try u32()
        let length = Int(try u16())
        guard length <= bytes.count - offset else { throw DNSParseError("a record runs past the end") }
        let end = offset + length
        let value = try data(type: type, length: length)
        guard offset == end else { throw DNSParseError("\(DNSRecordType(rawValue: type)?.name ?? "a") record's data has the wrong length") }
        return DNSAnswer(name: name, type: type, ttl: ttl, value: value)
    }

    private mutating func data(type: UInt16, length: Int) throws(DNSParseError) -> String {
        let end = offset + length
        switch DNSRecordType(rawValue: type) {
        case .a:
            guard length == 4 else { throw DNSParseError("an A record of \(length) bytes") }
            return try take(4).map(String.init).joined(separator: ".")
        case .aaaa:
            guard length == 16 else { throw DNSParseError("an AAAA record of \(length) bytes") }
            return Self.ipv6(Array(try take(16)))
        case .cname, .ns, .ptr:
            return try name()
        case .mx:
            let preference = try u16()
            return "\(preference) \(try name())"
        case .srv:
            let (priority, weight, port) = (try u16(), try u16(), try u16())
            return "\(priority) \(weight) \(port) \(try name())"
        case .soa:
            let (primary, mailbox) = (try name(), try name())
            let numbers = [try u32(), try u32(), try u32(), try u32(), try u32()].map(String.init).joined(separator: " ")
            return "\(primary) \(mailbox) \(numbers)"
        case .txt:
            var strings: [String] = []
            while offset < end {
                let count = Int(try u8())
                guard count <= end - offset else { throw DNSParseError("a TXT string runs past its record") }
                strings.append(String(decoding: try take(count), as: UTF8.self))
            }
            return strings.joined()
        case .caa:
            let flags = try u8()
            let tagLength = Int(try u8())
            guard tagLength <= end - offset else { throw DNSParseError("a CAA tag runs past its record") }
            let tag = String(decoding: try take(tagLength), as: UTF8.self)
            let value = String(decoding: try take(end - offset), as: UTF8.self)
            return "\(flags) \(tag) \"\(value)\""
        case nil:
            _ = try take(length)
            return "(type \(type), \(length) bytes)"
        }
    }

    /// An IPv6 address as `inet_ntop` writes it (`2001:db8::1`).
    static func ipv6(_ bytes: [UInt8]) -> String {
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(cString: text)
    }
}
