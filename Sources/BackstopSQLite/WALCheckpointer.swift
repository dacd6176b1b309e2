import Foundation
import SQLiteNIO
import Synchronization

/// Copies the write-ahead log back into the database file on a connection of its own, after
/// commits, instead of inside them.
///
/// SQLite's automatic checkpoint runs in the commit that crosses 1,000 WAL pages: that commit
/// (and the request waiting for it) also copies and fsyncs the database file, a seventh of a
/// batch's time. Here the writer's automatic checkpoint is off and a passive checkpoint runs
/// beside the next write instead: it blocks neither the writer nor a reader, and what it must
/// leave (frames a reader still uses) the next one copies. At most one runs at a time, and at
/// most one starts every `interval`; closing the last connection checkpoints what is left.
///
/// The log starts again from its beginning only when a write begins with every frame copied;
/// with writes back to back, one always begins while the checkpoint beside it is still
/// copying. So once the log holds `restartFrames`, the checkpoint finishes with the writers
/// held at the store's gate: by then only the last commits' frames are left to copy, and the
/// next write starts the log afresh instead of letting it grow.
final class WALCheckpointer: Sendable {
    static let interval: Duration = .milliseconds(200)
    /// SQLite's own automatic checkpoint starts at 1,000 pages; the log is let grow to 4 MiB
    /// of 4 KiB pages before the writers wait for a checkpoint.
    static let restartFrames = 1_000

    private struct State {
        var running: Task<Void, Never>?
        var lastStarted: ContinuousClock.Instant?
        var closed = false
    }

    private let connection: SQLiteConnection
    private let gate: AsyncGate
    private let state = Mutex(State())

    init(connection: SQLiteConnection, gate: AsyncGate) {
        self.connection = connection
        self.gate = gate
    }

    /// Called after each commit: starts a checkpoint unless one is running or ran lately.
    func committed() {
        state.withLock { state in
            let now = ContinuousClock.now
            guard !state.closed, state.running == nil,
                  state.lastStarted.map({ now - $0 >= Self.interval }) ?? true else { return }
            state.lastStarted = now
            state.running = Task { [connection, gate] in
                // A checkpoint that fails (the disk full, say) leaves the WAL to the next one:
                // the committed data is in the WAL already, durably.
                let frames = try? await connection.query("PRAGMA wal_checkpoint(PASSIVE)").first?.column("log")?.integer
                if let frames, frames >= Self.restartFrames {
                    try? await gate.withLock { _ = try await connection.query("PRAGMA wal_checkpoint(PASSIVE)") }
                }
                self.state.withLock { $0.running = nil }
            }
        }
    }

    /// Waits for a running checkpoint and closes the connection; no checkpoint starts after.
    func close() async throws {
        let running = state.withLock { state in
            state.closed = true
            return state.running
        }
        await running?.value
        try await connection.close()
    }
}
