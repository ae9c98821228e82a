import Foundation
import Testing
import URLPollCore

@testable import URLPollTestSupport

struct DurationFormatTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)),
        ("10s", .seconds(10)),
        ("1m30s", .seconds(90)),
        ("2h", .seconds(7200)),
        ("0s", .zero),
        ("1.5s", .milliseconds(1500)),
        ("1h2m3s", .seconds(3723)),
    ])
    func parsesDurationsWithUnits(text: String, expected: Duration) throws {
        #expect(try DurationFormat.parse(text) == expected)
    }

    @Test(arguments: [
        ("10", "has no unit"),
        ("", "empty duration"),
        ("10x", "unknown unit"),
        ("-5s", "is not a duration"),
        ("s", "is not a duration"),
        ("1.2.3s", "is not a duration"),
    ])
    func rejectsMalformedDurations(text: String, complaint: String) {
        #expect {
            try DurationFormat.parse(text)
        } throws: { error in
            (error as? InputError)?.message.contains(complaint) == true
        }
    }

    @Test(arguments: [
        (Duration.microseconds(420), "0.4ms"),
        (.microseconds(3050), "3ms"),
        (.microseconds(9990), "9.9ms"),
        (.milliseconds(850), "850ms"),
        (.milliseconds(1500), "1.5s"),
        (.seconds(2), "2s"),
        (.seconds(45), "45s"),
        (.seconds(90), "1m30s"),
        (.seconds(3600), "1h"),
        (.seconds(3900), "1h5m"),
        (.seconds(90000), "1d1h"),
    ])
    func formatsDurationsForPeople(duration: Duration, expected: String) {
        #expect(DurationFormat.format(duration) == expected)
    }
}
