import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollStorage

/// What the store test-suite needs of a store beyond the protocols: its row counts, its hourly
/// aggregates, and closing it.
protocol TestableStore: HistoryStore, AlertStore {
    func counts() async throws -> [String: Int]
    func hourly(url: String, since: Date) async throws -> [HourlyAggregate]
    func shutDown() async throws
}

extension SQLiteHistoryStore: TestableStore {
    func shutDown() async throws { try await close() }
}

extension PostgresHistoryStore: TestableStore {
    func shutDown() async throws { await close() }
}

/// The storage implementations the same store tests run against: SQLite in a temporary directory, and
/// PostgreSQL in a database of its own in the tests' throwaway cluster (when PostgreSQL is installed,
/// or always in CI).
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    /// The kinds this machine can run.
    static let available: [StoreKind] = PostgresCluster.available ? allCases : [.sqlite]

    var testDescription: String { rawValue }

    /// A place for a new, empty store; ``open(_:)`` opens it (again).
    func makePlace() async throws -> StorePlace {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            return .sqlite(directory, directory.file("history.sqlite"))
        case .postgres:
            return .postgres(try await PostgresCluster.shared().makeDatabase())
        }
    }

    /// Runs `body` with a place for a new, empty store, kept until `body` returns.
    func withPlace<T>(_ body: (StorePlace) async throws -> T) async throws -> T {
        let place = try await makePlace()
        defer { withExtendedLifetime(place) {} }
        return try await body(place)
    }
}

/// Where a test's store lives: it can be opened again, as after a restart.
enum StorePlace: Sendable {
    /// The directory is kept here so that it lives as long as the place.
    case sqlite(TemporaryDirectory, String)
    case postgres(PostgresLocation)

    func open() async throws -> any TestableStore {
        switch self {
        case .sqlite(_, let path): try await SQLiteHistoryStore.open(path: path)
        case .postgres(let location): try await PostgresHistoryStore.open(location)
        }
    }
}
