import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// Printed times round to the millisecond the way the history store does, so a time reads the same
/// before a restart and after it is restored from the database.
struct TimestampTests {
    @Test(arguments: [
        (1_796_003_361.4795, "2026-11-30T01:49:21.480Z"),
        (1_796_003_361.4794, "2026-11-30T01:49:21.479Z"),
        (1_796_003_361.9996, "2026-11-30T01:49:22.000Z"),
        (1_796_003_361.0, "2026-11-30T01:49:21.000Z"),
        (1_796_003_361.007, "2026-11-30T01:49:21.007Z"),
        (-0.25, "1969-12-31T23:59:59.750Z"),
    ])
    func roundsToTheNearestMillisecond(seconds: Double, expected: String) {
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func aTimeReadBackFromWholeMillisecondsPrintsTheSame() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let seconds = Double.random(in: 1_700_000_000...1_900_000_000, using: &generator)
            let original = Date(timeIntervalSince1970: seconds)
            let stored = Int64((seconds * 1000).rounded())
            let restored = Date(timeIntervalSince1970: Double(stored) / 1000)
            #expect(Timestamp.rfc3339(original) == Timestamp.rfc3339(restored))
        }
    }
}
