import Foundation
import URLPollCore

/// How one result's health, method and status code share one integer column (`outcome`): the code
/// times four, plus 1 when up, plus 2 when polled with GET, plus ``methodStep`` times the method's place
/// in ``extendedMethods`` (1 for POST …) for the methods beyond HEAD and GET (rows written before they
/// existed decode unchanged). A code of 0 means no answer. Pure; it keeps a result row small (two bytes
/// where three columns would take more).
enum ResultEncoding {
    /// Above every value of the code-health-GET part (999 × 4 + 3).
    static let methodStep: Int64 = 4000
    static let extendedMethods: [CheckMethod] = [.post, .put, .patch, .options]

    static func outcome(health: Health, method: CheckMethod, code: Int?) -> Int64 {
        let base = Int64(min(max(code ?? 0, 0), 999)) * 4 + (health == .up ? 1 : 0) + (method == .get ? 2 : 0)
        return base + methodStep * Int64(extendedMethods.firstIndex(of: method).map { $0 + 1 } ?? 0)
    }

    static func decode(_ outcome: Int64) -> (health: Health, method: CheckMethod, code: Int?) {
        let (extended, base) = outcome.quotientAndRemainder(dividingBy: methodStep)
        let code = Int(base / 4)
        let method: CheckMethod =
            extended > 0 && extended <= extendedMethods.count ? extendedMethods[Int(extended) - 1] : (base & 2 == 2 ? .get : .head)
        return (base & 1 == 1 ? .up : .down, method, code == 0 ? nil : code)
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
