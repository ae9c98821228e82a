import Foundation
import URLPollCore

/// How one result's health, method and status code share one integer column (`outcome`): the code
/// times four, plus 1 when up, plus 2 when polled with GET. A code of 0 means no answer. Pure; it keeps
/// a result row small (two bytes where three columns would take more).
enum ResultEncoding {
    static func outcome(health: Health, method: CheckMethod, code: Int?) -> Int64 {
        Int64(min(max(code ?? 0, 0), 999)) * 4 + (health == .up ? 1 : 0) + (method == .get ? 2 : 0)
    }

    static func decode(_ outcome: Int64) -> (health: Health, method: CheckMethod, code: Int?) {
        let code = Int(outcome / 4)
        return (outcome & 1 == 1 ? .up : .down, outcome & 2 == 2 ? .get : .head, code == 0 ? nil : code)
    }

    /// Milliseconds since 1970, the unit every time column uses.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    static func health(_ value: Int64) -> Health {
        switch value {
        case 1: .up
        case 2: .down
        default: .pending
        }
    }

    static func value(_ health: Health) -> Int64 {
        switch health {
        case .pending: 0
        case .up: 1
        case .down: 2
        }
    }
}
