import Foundation
import URLPollCore

/// The `expect:` of a TCP check as the answer arrives: the bytes received so far (at most
/// ``limit``), whether they match yet, and the verdict when the exchange ends. Pure and I/O-free: the
/// channel handler feeds it bytes and says how the exchange ended; tests feed it tables.
package struct TCPExpectation: Sendable {
    /// The most bytes read for the expression: an answer that has not matched within them is down.
    package static let limit = 64 * 1024

    package let pattern: BodyPattern
    package private(set) var received: [UInt8] = []

    package init(_ pattern: BodyPattern) {
        self.pattern = pattern
    }

    /// How an exchange ended.
    package enum Ending: Sendable, Equatable {
        /// The answer so far matches the expression.
        case matched
        /// ``limit`` bytes came without a match.
        case full
        /// The server closed the connection.
        case closed
        /// The poll's deadline came; `limit` is the timeout to quote.
        case timedOut(limit: Duration)
        /// The connection failed (`reason` as a status text, `kind` as its code).
        case failed(FailureKind, reason: String)
    }

    /// Takes `bytes` that arrived; returns how the exchange ends now (``Ending/matched`` or
    /// ``Ending/full``), or `nil` to wait for more.
    package mutating func receive(_ bytes: some Collection<UInt8>) -> Ending? {
        received.append(contentsOf: bytes.prefix(Self.limit - received.count))
        if pattern.matches(String(decoding: received, as: UTF8.self)) { return .matched }
        return received.count >= Self.limit ? .full : nil
    }

    /// `bytes` as text on one line: `\r`, `\n`, `\t` and other control characters written as escapes (as
    /// `send:` writes them), invalid UTF-8 replaced.
    package static func escaped(_ bytes: [UInt8]) -> String {
        var text = ""
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "\r": text += "\\r"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: text += "\\x" + String(format: "%02X", scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// The verdict for an exchange that ended as `ending`: up when the answer matched, else down saying
    /// what was expected and what came (quoted, bounded).
    package func result(_ ending: Ending) -> CheckResult {
        let expected = "expected \(pattern)"
        let got = received.isEmpty ? "got nothing" : "got \(Excerpt.quoted(Self.escaped(received)))"
        switch ending {
        case .matched:
            return CheckResult(health: .up, status: "connected")
        case .full:
            return .failed(.unexpectedAnswer, "\(expected) in the first \(ByteSize.format(Self.limit)), \(got)")
        case .closed:
            return .failed(.unexpectedAnswer, "\(expected), \(got) (connection closed by server)")
        case .timedOut(let limit):
            return .failed(.timeout, "\(expected), \(got) (timed out after \(DurationFormat.format(limit)))")
        case .failed(let kind, let reason):
            return .failed(kind, "\(expected), \(got) (\(reason))")
        }
    }
}
