import Foundation
import Testing
import URLPollCore

@testable import URLPollTestSupport

struct ReportRenderingTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func sampleReport() -> Report {
        let targets = TargetList([
            URLListEntry(url: "http://up.example/", origin: .argument(position: 1)),
            URLListEntry(url: "http://down.example/\"quoted\"", origin: .argument(position: 2)),
            URLListEntry(url: "http://pending.example/", origin: .argument(position: 3)),
        ])
        var table = StateTable(targets: targets, start: start)
        table.apply(
            State(
                resourceID: 0,
                outcome: .response(code: 200, reason: "OK"),
                latency: .microseconds(12_345),
                checkedAt: start.addingTimeInterval(5),
                consecutiveFailures: 0
            )
        )
        table.apply(
            State(
                resourceID: 1,
                outcome: .failure(reason: "invalid HTTP response (\u{1}bad\n)"),
                latency: .milliseconds(3),
                checkedAt: start.addingTimeInterval(6),
                consecutiveFailures: 2
            )
        )
        return table.report(at: start.addingTimeInterval(65))
    }

    @Test func jsonIsOneLineWithTheDocumentedShape() throws {
        let json = JSONReport.render(sampleReport())
        #expect(json.hasSuffix("\n"))
        #expect(json.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["time", "up", "down", "pending", "urls"])
        #expect(object["time"] as? String == "2027-01-15T08:01:05.000Z")
        #expect(object["up"] as? Int == 1 && object["down"] as? Int == 1 && object["pending"] as? Int == 1)
        let urls = try #require(object["urls"] as? [[String: Any]])
        #expect(urls.map { $0["url"] as? String } == ["http://down.example/\"quoted\"", "http://pending.example/", "http://up.example/"])
        let keys: Set = [
            "id", "url", "state", "status", "code", "latency_ms", "checked_at", "consecutive_failures", "method", "name", "cert_expires_at",
            "phases_ms", "address", "kind",
        ]
        #expect(urls.allSatisfy { Set($0.keys) == keys })

        let down = urls[0]
        #expect(down["state"] as? String == "down")
        #expect(down["status"] as? String == "invalid HTTP response (\u{1}bad\n)")
        #expect(down["code"] is NSNull)
        #expect(down["consecutive_failures"] as? Int == 2)

        let pending = urls[1]
        #expect(pending["state"] as? String == "pending")
        #expect(pending["code"] is NSNull && pending["latency_ms"] is NSNull && pending["checked_at"] is NSNull)

        let up = urls[2]
        #expect(up["state"] as? String == "up" && up["status"] as? String == "200 OK" && up["code"] as? Int == 200)
        #expect(up["latency_ms"] as? Double == 12.345)
        #expect(up["checked_at"] as? String == "2027-01-15T08:00:05.000Z")
        #expect(up["method"] as? String == "HEAD")
    }

    @Test func textIsAnAlignedTableWithAHeaderLine() {
        let lines = TextReport.render(sampleReport()).split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0] == "2027-01-15T08:01:05.000Z  up 1  down 1  pending 1")
        #expect(lines[1].hasPrefix("STATE    URL"))
        let statusColumn = lines[1].range(of: "STATUS")!.lowerBound.utf16Offset(in: lines[1])
        #expect(lines[4].hasPrefix("up       http://up.example/"))
        #expect(lines[4].dropFirst(statusColumn).hasPrefix("200 OK"))
        #expect(lines[4].hasSuffix("12ms     1m"))
        #expect(lines[3].hasPrefix("pending  http://pending.example/"))
        #expect(lines[3].hasSuffix("-        1m5s"))
        #expect(lines[2].contains("invalid HTTP response (\\x01bad\\x0A)"))
    }
}
