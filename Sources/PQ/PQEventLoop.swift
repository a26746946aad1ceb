import CLibPQ
import Foundation
import Synchronization

/// One statement (or script, or one step of a COPY) in flight on one connection, driven by a
/// ``PQEventLoop`` with libpq's non-blocking API: send, then consume input whenever the socket
/// is readable.
final class PQOperation {
    enum Work {
        /// A statement with parameters, through the connection's prepared-statement cache.
        case statement(text: String, binds: [PQBind])
        /// A parameterless script of one or more statements (simple protocol).
        case script(String)
        /// Sends `COPY ... FROM STDIN`; done once the server waits for data.
        case copyStart(String)
        /// Queues one chunk of COPY data; done once libpq has written all it buffers to the socket
        /// (so a caller that sends chunk after chunk never grows libpq's buffer without bound).
        case copyData(statement: String, bytes: [UInt8])
        /// Ends the COPY (or fails it with `abort` as the reason); done with the command's result.
        case copyEnd(statement: String, abort: String?)
    }

    enum Phase {
        case idle
        case preparing(name: String, key: PQConnection.StatementKey)
        case executing(key: PQConnection.StatementKey?)
        /// `COPY ... FROM STDIN` sent; waiting for the server's CopyInResponse.
        case copyStarting
        /// COPY data being handed to libpq (`queued`: PQputCopyData accepted it) and flushed.
        case copySending(queued: Bool)
        /// PQputCopyEnd not yet accepted (libpq's buffer was full); afterwards `.executing`.
        case copyEnding
        case done
    }

    let connection: PQConnection
    let work: Work
    let continuation: CheckedContinuation<PQRows, any Error>
    var phase = Phase.idle
    var socket: Int32 = -1
    var rows: PQRows?
    var error: PQError?
    var wantsWrite = false

    init(connection: PQConnection, work: Work, continuation: CheckedContinuation<PQRows, any Error>) {
        self.connection = connection
        self.work = work
        self.continuation = continuation
    }

    var statementText: String {
        switch work {
        case .statement(let text, _): text
        case .script(let text): String(text.prefix(200))
        case .copyStart(let text), .copyData(let text, _), .copyEnd(let text, _): text
        }
    }
}

/// A thread that multiplexes many connections with `epoll`, the way pgbench's threads do.
///
/// Submitting a statement costs a queue append (and an `eventfd` write only when the loop
/// sleeps); the loop sends it, waits for the socket, reads the result and resumes the caller.
/// libpq is never called on Swift's cooperative threads, and a busy loop serves many
/// statements per wake-up instead of one thread hop each way per statement.
final class PQEventLoop: Sendable {
    private let epoll: Int32
    private let wakeFD: Int32
    private let shared = Mutex(Shared())
    /// Touched only by the loop thread (see `LoopState`).
    private let loopState = LoopState()

    struct Shared: ~Copyable {
        var submitted: [PQOperation] = []
        var sleeping = false
        var stopping = false
    }

    /// The loop thread's own table of operations by socket.
    /// `@unchecked Sendable` is safe: after `init`, only the loop thread (`run()`) reads or writes it.
    final class LoopState: @unchecked Sendable {
        var active: [Int32: PQOperation] = [:]
        /// Sockets registered with epoll, and the serial number of the connection that owns each.
        /// A socket stays registered between statements (no epoll_ctl per statement); closing it
        /// removes it from epoll, and a new connection reusing the descriptor has another serial.
        var registered: [Int32: Int] = [:]
    }

    /// A submitted operation crossing from the caller to the loop thread; the caller keeps no reference.
    struct Handoff: @unchecked Sendable {
        let operation: PQOperation
    }

    init(name: String) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFD
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, wakeFD, &event)
        let thread = Thread { [self] in self.run() }
        thread.name = name
        thread.start()
    }

    /// Runs one operation to completion on the loop.
    func perform(_ work: PQOperation.Work, on connection: PQConnection) async throws -> PQRows {
        try await withCheckedThrowingContinuation { continuation in
            let handoff = Handoff(operation: PQOperation(connection: connection, work: work, continuation: continuation))
            let (accepted, wake) = shared.withLock { shared -> (Bool, Bool) in
                if shared.stopping { return (false, false) }
                shared.submitted.append(handoff.operation)
                let wake = shared.sleeping
                shared.sleeping = false
                return (true, wake)
            }
            if !accepted {
                continuation.resume(throwing: PQError(kind: .client, message: "the connection pool is shut down"))
                return
            }
            if wake { signal() }
        }
    }

    /// Stops the thread; operations still queued or in flight fail. Idempotent.
    func stop() {
        let first = shared.withLock { shared -> Bool in
            defer { shared.stopping = true }
            return !shared.stopping
        }
        if first { signal() }
    }

    deinit {
        // Closed only here, when nothing can signal any more: a descriptor closed earlier could be
        // reused by another connection's socket, and a late wake-up would write into it.
        close(epoll)
        close(wakeFD)
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let (batch, stopping) = shared.withLock { shared -> ([PQOperation], Bool) in
                let batch = shared.submitted
                shared.submitted.removeAll(keepingCapacity: true)
                if batch.isEmpty && !shared.stopping { shared.sleeping = true }
                return (batch, shared.stopping)
            }
            if stopping {
                for operation in batch { operation.continuation.resume(throwing: PQError(kind: .client, message: "the connection pool is shut down")) }
                for operation in loopState.active.values { fail(operation, PQError(kind: .client, message: "the connection pool is shut down")) }
                loopState.active.removeAll()
                return
            }
            if !batch.isEmpty {
                for operation in batch { start(operation) }
                continue  // look at the queue again before sleeping
            }
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            shared.withLock { $0.sleeping = false }
            guard count > 0 else { continue }
            for index in 0..<Int(count) {
                let fd = events[index].data.fd
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                    continue
                }
                guard let operation = loopState.active[fd] else {
                    // An idle connection's socket became readable: the server is closing it. Stop
                    // watching it; the pool's check before the next use finds it dead.
                    _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
                    loopState.registered[fd] = nil
                    continue
                }
                if events[index].events & EPOLLOUT.rawValue != 0 { writable(operation) }
                if case .done = operation.phase { continue }
                if events[index].events & (EPOLLIN.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
                    readable(operation)
                }
            }
        }
    }

    // MARK: - One operation

    private func start(_ operation: PQOperation) {
        let sent: Bool = operation.connection.withHandle { conn, state in
            guard let conn else {
                operation.error = PQError(kind: .client, message: "connection is closed")
                return false
            }
            operation.socket = PQsocket(conn)
            switch operation.work {
            case .script(let text):
                operation.phase = .executing(key: nil)
                return PQsendQuery(conn, text) == 1
            case .copyStart(let text):
                operation.phase = .copyStarting
                return PQsendQuery(conn, text) == 1
            case .copyData:
                // Queued by `pumpCopy` once the socket is watched.
                operation.phase = .copySending(queued: false)
                return true
            case .copyEnd:
                operation.phase = .copyEnding
                return true
            case .statement(let text, let binds):
                let key = PQConnection.StatementKey(text: text, types: binds.map { $0.type.rawValue })
                if let name = state.statements[key] {
                    operation.phase = .executing(key: key)
                    return PQConnection.sendPrepared(conn, name: name, binds: binds)
                }
                if state.statements.count >= state.capacity {
                    // Forget every cached statement at once, here and on the server.
                    state.statements.removeAll(keepingCapacity: true)
                    state.needsDeallocate = true
                }
                state.nextStatement += 1
                let name = "pq_\(state.nextStatement)"
                operation.phase = .preparing(name: name, key: key)
                if state.needsDeallocate {
                    // Rare (a full cache): one blocking round trip on the loop thread.
                    state.needsDeallocate = false
                    PQclear(PQexec(conn, "DEALLOCATE ALL"))
                }
                return key.types.withUnsafeBufferPointer { types in
                    PQsendPrepare(conn, name, text, Int32(binds.count), types.baseAddress) == 1
                }
            }
        }
        guard sent else {
            fail(operation, operation.error ?? operation.connection.currentError(statement: operation.statementText))
            return
        }
        loopState.active[operation.socket] = operation
        if loopState.registered[operation.socket] != operation.connection.serial {
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.fd = operation.socket
            if epoll_ctl(epoll, EPOLL_CTL_ADD, operation.socket, &event) != 0 {
                _ = epoll_ctl(epoll, EPOLL_CTL_MOD, operation.socket, &event)
            }
            loopState.registered[operation.socket] = operation.connection.serial
        }
        writable(operation)
    }

    /// The socket can take more (or the operation just started): move the operation's output on.
    private func writable(_ operation: PQOperation) {
        switch operation.phase {
        case .copySending, .copyEnding: pumpCopy(operation)
        default: flush(operation)
        }
    }

    /// Hands COPY data (or the end of the COPY) to libpq and flushes it. In non-blocking mode
    /// PQputCopyData/PQputCopyEnd answer 0 when libpq cannot buffer more: then wait until the
    /// socket is writable and try again. A data chunk is done once libpq's buffer is empty.
    private func pumpCopy(_ operation: PQOperation) {
        enum Step { case accepted, blocked, failed }
        let step: Step = operation.connection.withHandle { conn, _ in
            guard let conn else { return .failed }
            switch (operation.phase, operation.work) {
            case (.copySending(queued: false), .copyData(_, let bytes)):
                let result = bytes.withUnsafeBytes { raw in
                    PQputCopyData(conn, raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count))
                }
                if result == 1 { operation.phase = .copySending(queued: true) }
                return result == 1 ? .accepted : result == 0 ? .blocked : .failed
            case (.copyEnding, .copyEnd(_, let abort)):
                let result = abort.map { PQputCopyEnd(conn, $0) } ?? PQputCopyEnd(conn, nil)
                if result == 1 { operation.phase = .executing(key: nil) }
                return result == 1 ? .accepted : result == 0 ? .blocked : .failed
            default:
                return .accepted
            }
        }
        switch step {
        case .failed:
            fail(operation, operation.connection.currentError(statement: operation.statementText))
        case .blocked:
            flush(operation)
            if case .done = operation.phase { return }
            // Wait for room even if libpq had nothing left to flush: the retry comes with EPOLLOUT.
            watchWritable(operation, true)
        case .accepted:
            flush(operation)
            if case .copySending(queued: true) = operation.phase, !operation.wantsWrite {
                complete(operation)
                operation.continuation.resume(returning: PQRows.empty)
            }
        }
    }

    /// Sends what libpq still buffers; waits for the socket to be writable if needed.
    private func flush(_ operation: PQOperation) {
        let pending = operation.connection.withHandle { conn, _ in conn.map { PQflush($0) } ?? -1 }
        if pending < 0 {
            fail(operation, operation.connection.currentError(statement: operation.statementText))
            return
        }
        watchWritable(operation, pending == 1)
    }

    /// Adds or removes EPOLLOUT for the operation's socket.
    private func watchWritable(_ operation: PQOperation, _ wantsWrite: Bool) {
        if wantsWrite != operation.wantsWrite {
            operation.wantsWrite = wantsWrite
            var event = epoll_event()
            event.events = EPOLLIN.rawValue | (wantsWrite ? EPOLLOUT.rawValue : 0)
            event.data.fd = operation.socket
            _ = epoll_ctl(epoll, EPOLL_CTL_MOD, operation.socket, &event)
        }
    }

    private func readable(_ operation: PQOperation) {
        enum Step { case waiting, finished, lost, copyReady }
        let step: Step = operation.connection.withHandle { conn, _ in
            guard let conn, PQconsumeInput(conn) == 1 else { return .lost }
            switch operation.phase {
            case .copySending, .copyEnding:
                // Mid-COPY the server speaks only to refuse the data; libpq keeps its error until
                // the COPY ends. Reading it here keeps the socket from staying readable.
                return .waiting
            case .copyStarting:
                while PQisBusy(conn) == 0 {
                    guard let result = PQgetResult(conn) else { return .finished }
                    defer { PQclear(result) }
                    switch PQresultStatus(result) {
                    case PGRES_COPY_IN:
                        // Asking for another result now would only return COPY_IN again.
                        return .copyReady
                    case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                        continue
                    default:
                        if operation.error == nil {
                            operation.error = PQConnection.makeError(result: result, conn: conn, statement: operation.statementText)
                        }
                    }
                }
                return .waiting
            default:
                break
            }
            while PQisBusy(conn) == 0 {
                guard let result = PQgetResult(conn) else { return .finished }
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                    if case .executing = operation.phase { operation.rows = PQConnection.copyRows(result) }
                default:
                    if operation.error == nil {
                        operation.error = PQConnection.makeError(result: result, conn: conn, statement: operation.statementText)
                    }
                }
            }
            return .waiting
        }
        switch step {
        case .waiting:
            return
        case .lost:
            fail(operation, operation.connection.currentError(statement: operation.statementText, lost: true))
        case .finished:
            finishStep(operation)
        case .copyReady:
            complete(operation)
            operation.continuation.resume(returning: PQRows.empty)
        }
    }

    private func finishStep(_ operation: PQOperation) {
        switch operation.phase {
        case .preparing(let name, let key):
            if let error = operation.error {
                fail(operation, error)
                return
            }
            guard case .statement(_, let binds) = operation.work else { return }
            let sent = operation.connection.withHandle { conn, state -> Bool in
                guard let conn else { return false }
                state.statements[key] = name
                operation.phase = .executing(key: key)
                return PQConnection.sendPrepared(conn, name: name, binds: binds)
            }
            guard sent else {
                fail(operation, operation.connection.currentError(statement: operation.statementText))
                return
            }
            flush(operation)
        case .executing(let key):
            if let error = operation.error {
                // A plan cached before a schema change; forget it so the next call prepares afresh.
                if let key, error.sqlState == "0A000" || error.sqlState == "26000" {
                    operation.connection.withHandle { _, state in state.statements[key] = nil }
                }
                fail(operation, error)
                return
            }
            complete(operation)
            operation.continuation.resume(returning: operation.rows ?? PQRows.empty)
        case .copyStarting:
            fail(operation, operation.error ?? PQError(kind: .client, message: "the statement did not start COPY FROM STDIN",
                                                       statement: operation.statementText))
        case .idle, .copySending, .copyEnding, .done:
            return
        }
    }

    private func complete(_ operation: PQOperation) {
        operation.phase = .done
        loopState.active[operation.socket] = nil
        if operation.wantsWrite {
            operation.wantsWrite = false
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.fd = operation.socket
            _ = epoll_ctl(epoll, EPOLL_CTL_MOD, operation.socket, &event)
        }
    }

    private func fail(_ operation: PQOperation, _ error: PQError) {
        complete(operation)
        operation.continuation.resume(throwing: error)
    }
}
