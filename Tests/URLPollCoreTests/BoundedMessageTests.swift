import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// Every message that quotes input quotes at most about 200 characters and says how long the rest was:
/// a huge list line, reason phrase or `Location` never floods standard error.
@Suite(.timeLimit(.minutes(1)))
struct BoundedMessageTests {
    static let limit = 16 * 1024

    @Test func excerptsKeepTwoHundredCharactersAndCountTheRest() {
        #expect(Excerpt.quoted("short") == "\"short\"")
        let long = String(repeating: "é", count: 250)
        #expect(Excerpt.quoted(long) == "\"\(String(repeating: "é", count: 200))…\" (50 more characters)")
        #expect(Excerpt.bounded(long) == "\(String(repeating: "é", count: 200))… (50 more characters)")
        #expect(Excerpt.bounded(String(repeating: "a", count: 200)) == String(repeating: "a", count: 200))
    }

    @Test func aOneMebibyteListLine() async throws {
        let list = try TemporaryFile("http://127.0.0.1:9/ok\nhttp://" + String(repeating: "x", count: 1 << 20) + " space\n")
        let result = try await URLPollProcess.run(["--once", "-f", list.path])
        #expect(result.status == 64)
        #expect(result.stderr.utf8.count < Self.limit)
        #expect(result.stderr.hasPrefix("Error: \(list.path):2: invalid URL \"http://xxxx"))
        #expect(result.stderr.hasSuffix("…\" (1048389 more characters): longer than 8192 bytes (1048589)\n"))
    }

    @Test func aHugeURLArgumentAndConfigValue() async throws {
        // Linux takes at most 128 KiB in one argument.
        let huge = "http://" + String(repeating: "x", count: 100 * 1024) + "/"
        let argument = try await URLPollProcess.run(["--once", huge])
        #expect(argument.status == 64)
        #expect(argument.stderr.utf8.count < Self.limit)
        #expect(argument.stderr.contains("longer than 8192 bytes (102408)"))
        let config = try TemporaryFile("interval: \(String(repeating: "9", count: 1 << 20))\nurls: [http://127.0.0.1:9/]\n")
        let value = try await URLPollProcess.run(["--check-config", "-c", config.path])
        #expect(value.status == 64)
        #expect(value.stderr.utf8.count < Self.limit)
        #expect(value.stderr.contains("more characters)"))
    }

    @Test func a64KiBReasonPhrase() async throws {
        let reason = String(repeating: "r", count: 64 * 1024)
        try await MisbehavingTarget.with(.answers("HTTP/1.1 503 \(reason)\r\nContent-Length: 0\r\n\r\n")) { target in
            let result = try await URLPollProcess.run(["--once", "--format", "json", target.url])
            #expect(result.status == 1)
            #expect(result.stderr.utf8.count < Self.limit)
            #expect(result.stdout.utf8.count < Self.limit)
            #expect(result.stdout.contains(#""status":"503 \#(String(repeating: "r", count: 200))… (65336 more characters)""#))
        }
    }

    @Test func a64KiBLocation() async throws {
        let location = "ftp://" + String(repeating: "l", count: 64 * 1024)
        try await MisbehavingTarget.with(.answers("HTTP/1.1 302 Found\r\nLocation: \(location)\r\nContent-Length: 0\r\n\r\n")) { target in
            let result = try await URLPollProcess.run(["--once", "--format", "json", target.url])
            #expect(result.status == 1)
            #expect(result.stderr.utf8.count < Self.limit)
            #expect(result.stderr.contains("redirect to an unsupported URL \"ftp://lll"))
            #expect(result.stdout.contains("more characters) refused"))
        }
        let long = "http://127.0.0.1:9/" + String(repeating: "l", count: 64 * 1024)
        try await MisbehavingTarget.with(.answers("HTTP/1.1 302 Found\r\nLocation: \(long)\r\nContent-Length: 0\r\n\r\n")) { target in
            let result = try await URLPollProcess.run(["--once", "--format", "json", target.url])
            #expect(result.stderr.utf8.count < Self.limit)
            #expect(result.stdout.contains("redirect to a URL longer than 8192 bytes refused"))
        }
    }
}
