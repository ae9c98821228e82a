import Foundation
import Testing
import URLPollConfig
import URLPollCore

@testable import URLPollTestSupport

struct URLListParserTests {
    @Test func skipsBlankLinesAndCommentsAndTrimsSpaces() throws {
        let text = """
            # production
              https://example.org/health  \t

               # indented comment
            http://127.0.0.1:8080/x
            """
        let entries = try URLListParser.parse(text, source: "urls.txt")
        #expect(entries.map(\.url) == ["https://example.org/health", "http://127.0.0.1:8080/x"])
        #expect(entries.map(\.origin) == [.file(name: "urls.txt", line: 2), .file(name: "urls.txt", line: 5)])
    }

    @Test func acceptsWindowsLineEndings() throws {
        let entries = try URLListParser.parse("http://a/\r\nhttp://b/\r\n", source: "u")
        #expect(entries.map(\.url) == ["http://a/", "http://b/"])
    }

    @Test(arguments: [
        ("http://ok/\nftp://files.example.org/\n", "urls.txt:2: invalid URL \"ftp://files.example.org/\": unsupported scheme \"ftp\""),
        ("\n\nexample.org\n", "urls.txt:3: invalid URL \"example.org\": missing scheme"),
        ("http://\n", "urls.txt:1: invalid URL \"http://\": missing host"),
        ("http://a b/\n", "urls.txt:1: invalid URL \"http://a b/\": not a valid URL"),
        ("# only a comment\n\n", "urls.txt: the URL list is empty"),
        ("", "urls.txt: the URL list is empty"),
    ])
    func reportsTheFileLineAndTextOfTheFirstProblem(text: String, message: String) {
        #expect {
            try URLListParser.parse(text, source: "urls.txt")
        } throws: { error in
            (error as? InputError)?.message.hasPrefix(message) == true
        }
    }

    @Test func namesTheArgumentOfABadCommandLineURL() {
        #expect(
            throws: InputError(
                "argument 2: invalid URL \"mailto:x@y\": unsupported scheme \"mailto\" (urlpoll polls http, https, tcp, tls, dns, dns+tcp)"
            )
        ) {
            try URLListParser.argument("mailto:x@y", position: 2)
        }
    }

    @Test func aURLGivenTwiceIsKeptOnceAndTheRepeatIsReported() throws {
        let entries = try URLListParser.parse("http://a/\nhttp://b/\nhttp://a/\n", source: "f")
        let targets = TargetList(entries)
        #expect(targets.urls == ["http://a/", "http://b/"])
        #expect(targets.duplicates.count == 1)
        #expect(targets.duplicates.first?.first == .file(name: "f", line: 1))
        #expect(targets.duplicates.first?.again == .file(name: "f", line: 3))
    }
}
