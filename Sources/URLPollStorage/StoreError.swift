import GRDB
import PostgresNIO

/// Why the history database cannot be used: one message that names the path, for the one error line
/// (exit status 64). Never a stack trace, and the file is left as it was.
package struct StoreError: Error, Equatable, CustomStringConvertible {
    package let message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}

extension StoreError {
    /// A short description of an error either store may throw, for one log line or message: the
    /// SQLite or PostgreSQL server's message (postgres-nio's own description hides everything, since it
    /// may carry data; this keeps what an operator needs, and never a password, which no server echoes).
    package static func describe(_ error: any Error) -> String {
        switch error {
        case let error as StoreError: error.message
        case is DatabaseError: SQLiteHistoryStore.describe(error)
        case is PSQLError, is PostgresTransactionError: PostgresHistoryStore.describe(error)
        default: "\(error)"
        }
    }
}
