import Foundation
import Testing

@testable import URLPollChecks
@testable import URLPollCore

/// Builds DNS responses byte by byte, for the parser's tables.
struct DNSResponseBuilder {
    var id: UInt16 = 0x1234
    var flags: UInt16 = 0x8180  // response, RD, RA, NOERROR
    var question: (name: String, type: UInt16) = ("a.test", 1)
    var questionCount: UInt16 = 1
    var answers: [[UInt8]] = []

    static func name(_ text: String) -> [UInt8] { DNSName.encoded(text) }

    /// A record with `data`, owned by a pointer to the question's name (offset 12).
    static func record(type: UInt16, ttl: UInt32 = 300, _ data: [UInt8], owner: [UInt8] = [0xC0, 12]) -> [UInt8] {
        owner + [UInt8(type >> 8), UInt8(type & 0xFF), 0, 1] + [UInt8(ttl >> 24), UInt8(ttl >> 16 & 0xFF), UInt8(ttl >> 8 & 0xFF), UInt8(ttl & 0xFF)]
            + [UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
    }

    var bytes: [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), UInt8(flags >> 8), UInt8(flags & 0xFF)]
        bytes += [UInt8(questionCount >> 8), UInt8(questionCount & 0xFF), 0, UInt8(answers.count), 0, 0, 0, 0]
        if questionCount > 0 { bytes += Self.name(question.name) + [UInt8(question.type >> 8), UInt8(question.type & 0xFF), 0, 1] }
        for answer in answers { bytes += answer }
        return bytes
    }
}

struct DNSMessageTests {
    static let query = DNSQuery(id: 0x1234, name: "a.test", type: .a)

    @Test func aQueryIsOneQuestionWithRecursionDesired() {
        #expect(
            DNSQuery(id: 0xBEEF, name: "a.test", type: .aaaa).bytes
                == [0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 28, 0, 1]
        )
    }

    static func parse(_ type: DNSRecordType, _ data: [UInt8], extra: [[UInt8]] = []) throws -> [String] {
        var builder = DNSResponseBuilder()
        builder.question = ("a.test", type.rawValue)
        builder.answers = [DNSResponseBuilder.record(type: type.rawValue, data)] + extra
        return try DNSResponse(builder.bytes, answering: DNSQuery(id: 0x1234, name: "a.test", type: type)).answers.map(\.value)
    }

    @Test func everyTypeIsShownAsTextAndCompressedNamesAreFollowed() throws {
        #expect(try Self.parse(.a, [192, 0, 2, 1]) == ["192.0.2.1"])
        #expect(try Self.parse(.aaaa, [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]) == ["2001:db8::1"])
        #expect(try Self.parse(.cname, DNSResponseBuilder.name("b.test")) == ["b.test"])
        #expect(try Self.parse(.ns, [3] + Array("ns1".utf8) + [0xC0, 12]) == ["ns1.a.test"])  // a label, then a pointer
        #expect(try Self.parse(.ptr, DNSResponseBuilder.name("host.test")) == ["host.test"])
        #expect(try Self.parse(.mx, [0, 10] + DNSResponseBuilder.name("mail.test")) == ["10 mail.test"])
        #expect(try Self.parse(.txt, [5] + Array("v=spf".utf8) + [4] + Array("1 -a".utf8)) == ["v=spf1 -a"])
        #expect(try Self.parse(.srv, [0, 10, 0, 60, 0, 143] + DNSResponseBuilder.name("imap.test")) == ["10 60 143 imap.test"])
        #expect(try Self.parse(.caa, [0, 5] + Array("issue".utf8) + Array("ca.example".utf8)) == [#"0 issue "ca.example""#])
        let soa =
            DNSResponseBuilder.name("ns1.test") + DNSResponseBuilder.name("admin.test") + [
                0, 0, 0, 7, 0, 0, 14, 16, 0, 0, 7, 8, 0, 9, 58, 128, 0, 0, 1, 44,
            ]
        #expect(try Self.parse(.soa, soa) == ["ns1.test admin.test 7 3600 1800 604800 300"])
        // A CNAME chain answers an A query: both records are answers.
        let chained = try Self.parse(.a, [192, 0, 2, 7], extra: [DNSResponseBuilder.record(type: 1, [192, 0, 2, 8])])
        #expect(chained == ["192.0.2.7", "192.0.2.8"])
    }

    @Test func theCodeTheFlagsAndAnEmptyAnswerAreRead() throws {
        var builder = DNSResponseBuilder()
        builder.flags = 0x8583  // response, AA, RD, RA, NXDOMAIN
        let response = try DNSResponse(builder.bytes, answering: Self.query)
        #expect(response.code == .nxDomain && response.code.description == "NXDOMAIN")
        #expect(response.isAuthoritative && !response.isTruncated && response.answers.isEmpty)
        #expect(DNSResponseCode(9).description == "NOTAUTH" && DNSResponseCode(23).description == "RCODE23")
        #expect(DNSResponseCode(name: "servfail") == DNSResponseCode(2))
    }

    /// Every malformed response is one clear reason (or, where it does not answer the query, ignored).
    static let malformed: [(String, @Sendable (inout DNSResponseBuilder) -> Void, [UInt8]?, DNSReply)] = [
        ("short", { _ in }, [0x12, 0x34, 0x81], .unreadable(DNSParseError("3 bytes, shorter than a header"))),
        ("not a response", { $0.flags = 0x0100 }, nil, .ignored),
        ("another ID", { $0.id = 0x4321 }, nil, .ignored),
        ("another question", { $0.question = ("b.test", 1) }, nil, .ignored),
        ("another type", { $0.question = ("a.test", 28) }, nil, .ignored),
        ("no question", { $0.questionCount = 0 }, nil, .unreadable(DNSParseError("0 questions, expected the one asked"))),
        ("an opcode", { $0.flags = 0x8980 }, nil, .unreadable(DNSParseError("opcode 1, not a query's"))),
        (
            "a pointer to itself", { $0.answers = [DNSResponseBuilder.record(type: 1, [1, 2, 3, 4], owner: [0xC0, 24])] }, nil,
            .unreadable(DNSParseError("a compression pointer that loops or points forward"))
        ),
        (
            "a forward pointer", { $0.answers = [DNSResponseBuilder.record(type: 1, [1, 2, 3, 4], owner: [0xC0, 60])] }, nil,
            .unreadable(DNSParseError("a compression pointer that loops or points forward"))
        ),
        (
            "a label type", { $0.answers = [DNSResponseBuilder.record(type: 1, [1, 2, 3, 4], owner: [0x41, 0])] }, nil,
            .unreadable(DNSParseError("a label type urlpoll does not read (0x41)"))
        ),
        (
            "an A of five bytes", { $0.answers = [DNSResponseBuilder.record(type: 1, [1, 2, 3, 4, 5])] }, nil,
            .unreadable(DNSParseError("an A record of 5 bytes"))
        ),
        (
            "an MX longer than its data", { $0.answers = [DNSResponseBuilder.record(type: 15, [0, 10] + DNSResponseBuilder.name("m.test") + [0])] },
            nil,
            .unreadable(DNSParseError("MX record's data has the wrong length"))
        ),
        (
            "a TXT string past its record", { $0.answers = [DNSResponseBuilder.record(type: 16, [9, 0x61])] }, nil,
            .unreadable(DNSParseError("a TXT string runs past its record"))
        ),
    ]

    @Test(arguments: malformed.indices)
    func eachMalformedResponseHasItsReason(index: Int) {
        let (label, change, raw, expected) = Self.malformed[index]
        var builder = DNSResponseBuilder()
        builder.answers = [DNSResponseBuilder.record(type: 1, [192, 0, 2, 1])]
        change(&builder)
        #expect(DNSReply(raw ?? builder.bytes, to: Self.query) == expected, "\(label)")
    }

    @Test func aRecordOrANameRunningPastTheEndIsUnreadable() {
        var builder = DNSResponseBuilder()
        builder.answers = [DNSResponseBuilder.record(type: 1, [192, 0, 2, 1])]
        let whole = builder.bytes
        for cut in 30..<whole.count {
            guard case .unreadable = DNSReply(Array(whole[..<cut]), to: Self.query) else {
                Issue.record("cut at \(cut) of \(whole.count) was read")
                continue
            }
        }
        // A name of more than 255 bytes, made of labels that each fit.
        var long = DNSResponseBuilder()
        long.answers = [DNSResponseBuilder.record(type: 5, (0..<5).flatMap { _ in [63] + [UInt8](repeating: 0x61, count: 63) } + [0])]
        long.question = ("a.test", 5)
        #expect(
            DNSReply(long.bytes, to: DNSQuery(id: 0x1234, name: "a.test", type: .cname)) == .unreadable(DNSParseError("a name longer than 255 bytes"))
        )
    }

    @Test func aTruncatedResponseKeepsItsCompleteAnswers() throws {
        var builder = DNSResponseBuilder()
        builder.flags = 0x8380  // TC
        builder.answers = [DNSResponseBuilder.record(type: 1, [192, 0, 2, 1]), [0xC0, 12, 0, 1]]
        var bytes = builder.bytes
        bytes[7] = 2
        let response = try DNSResponse(bytes, answering: Self.query)
        #expect(response.isTruncated && response.answers.map(\.value) == ["192.0.2.1"])
    }

    /// Mutations of good responses (bytes changed, cut, repeated) never crash the parser, and whatever it
    /// reads stays within what a message of that size can hold. `URLPOLL_FUZZ_MUTATIONS` runs more.
    @Test func thousandsOfMutationsNeverCrash() async {
        let mutations = ProcessInfo.processInfo.environment["URLPOLL_FUZZ_MUTATIONS"].flatMap(Int.init) ?? 20_000
        var random = SystemRandomNumberGenerator()
        var seeds: [(bytes: [UInt8], type: DNSRecordType)] = []
        for (type, data) in [(1, [192, 0, 2, 1] as [UInt8]), (15, [0, 10] + DNSResponseBuilder.name("mail.test")), (16, [3, 0x61, 0x62, 0x63])] {
            var builder = DNSResponseBuilder()
            builder.question = ("a.test", UInt16(type))
            builder.answers = [DNSResponseBuilder.record(type: UInt16(type), data), DNSResponseBuilder.record(type: UInt16(type), data)]
            seeds.append((builder.bytes, DNSRecordType(rawValue: UInt16(type)) ?? .a))
        }
        var outcomes = (answers: 0, ignored: 0, unreadable: 0)
        for round in 0..<mutations {
            if round % 2_000 == 0 { await Task.yield() }
            let seed = seeds[round % seeds.count]
            var bytes = seed.bytes
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
                default: bytes += bytes.prefix(Int.random(in: 0...min(8, bytes.count), using: &random))
                }
                if bytes.isEmpty { bytes = [0] }
            }
            switch DNSReply(bytes, to: DNSQuery(id: 0x1234, name: "a.test", type: seed.type)) {
            case .answer(let response):
                outcomes.answers += 1
                #expect(response.answers.count <= bytes.count / 11)
            case .ignored: outcomes.ignored += 1
            case .unreadable: outcomes.unreadable += 1
            }
        }
        #expect(outcomes.answers > 0 && outcomes.unreadable > 0 && outcomes.ignored > 0, "\(outcomes)")
    }
}
