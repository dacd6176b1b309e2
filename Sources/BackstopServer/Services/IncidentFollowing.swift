import BackstopStore
import ServiceLifecycle

/// Keeps the node's incidents following the store: the board reads what was written and the
/// incident work (when this node holds it) derives what arrived, at start, whenever the store
/// announces a commit (this node's or another's), and on a timer for stores that cannot
/// announce. Stops at graceful shutdown.
struct IncidentFollowing: Service {
    let board: IncidentBoard
    let announcements: AsyncStream<Void>
    let interval: Duration

    func run() async throws {
        board.changed()
        let (board, announcements, interval) = (board, announcements, interval)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in announcements { board.changed() }
                }
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil { board.changed() }
                }
            }
        }
    }
}
