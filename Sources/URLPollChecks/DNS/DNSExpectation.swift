import URLPollCore

/// What a `dns://` check expects of the response, and the verdict on one. Pure.
///
/// Checked in this order, the first that fails naming the result: `rcode:` (default `NOERROR`),
/// `min-answers:` (default 1 when the expected code is `NOERROR`, else 0), `answers-contain:` (every value
/// among the answers' data; names compared without case or a trailing dot), `answer-matches:` (some
/// answer's data matches the expression).
package struct DNSExpectation: Sendable, Equatable {
    package var code: DNSResponseCode = .noError
    package var minimumAnswers: Int?
    package var contains: [String] = []
    package var matches: BodyPattern?

    package init(code: DNSResponseCode = .noError, minimumAnswers: Int? = nil, contains: [String] = [], matches: BodyPattern? = nil) {
        self.code = code
        self.minimumAnswers = minimumAnswers
        self.contains = contains
        self.matches = matches
    }

    /// The fewest answers that are up.
    package var fewestAnswers: Int { minimumAnswers ?? (code == .noError ? 1 : 0) }

    /// `NOERROR, 2 answers: 192.0.2.1, 192.0.2.2` (the list bounded), and what failed, if anything.
    package func result(_ response: DNSResponse) -> CheckResult {
        let values = response.answers.map(\.value)
        let count = values.count == 1 ? "1 answer" : "\(values.count) answers"
        let listed = values.isEmpty ? "" : ": " + Excerpt.bounded(values.joined(separator: ", "))
        let answer = "\(response.code), \(count)\(listed)"
        guard response.code == code else {
            return .failed(.unexpectedAnswer, "\(answer) (expected \(code))")
        }
        guard values.count >= fewestAnswers else {
            return .failed(.unexpectedAnswer, "\(answer) (expected at least \(fewestAnswers))")
        }
        let missing = contains.filter { wanted in !response.answers.contains { Self.same($0, wanted) } }
        if !missing.isEmpty {
            return .failed(.unexpectedAnswer, "\(answer) (missing \(Excerpt.bounded(missing.joined(separator: ", "))))")
        }
        if let matches, !values.contains(where: matches.matches) {
            return .failed(.unexpectedAnswer, "\(answer) (none matches \(matches))")
        }
        return CheckResult(health: .up, status: answer)
    }

    /// Whether an answer's data is the value wanted: as written, or as a name (no case, no trailing dot);
    /// for MX and SRV records, their target name alone is enough (`mx.example.org` for `10 mx.example.org`).
    static func same(_ answer: DNSAnswer, _ wanted: String) -> Bool {
        if answer.value == wanted || DNSName.same(answer.value, wanted) { return true }
        guard answer.type == DNSRecordType.mx.rawValue || answer.type == DNSRecordType.srv.rawValue,
            let target = answer.value.split(separator: " ").last
        else { return false }
        return DNSName.same(String(target), wanted)
    }
}
