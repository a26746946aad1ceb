// Probes that observe whether XML processing touched a file or the network (used by the
// LibXML tests and by the HTTP attack suite).
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on 127.0.0.1 that nobody should ever connect to: payloads point at it, and
/// after parsing, a non-blocking `accept` tells whether libxml2 tried (the kernel completes the
/// handshake into the backlog even if nobody accepts).
public final class LoopbackListener {
    public let port: UInt16
    private let socketFD: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProbeError("socket: errno \(errno)") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw ProbeError("bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        socketFD = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    /// Accepts (and closes) every connection made so far; returns how many there were.
    public func takeConnections() -> Int {
        var count = 0
        while true {
            let client = accept(socketFD, nil, nil)
            guard client >= 0 else { return count }
            close(client)
            count += 1
        }
    }

    /// Checks that the listener really notices a connection, so that "no connection" means something.
    public func selfTest() throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = Self.loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ProbeError("connect: errno \(errno)") }
        return takeConnections() == 1
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    deinit { close(socketFD) }
}

/// A temporary file whose content is a unique marker: if the marker shows up in a parse result
/// or error, the file was read.
public struct SecretFile: Sendable {
    public let path: String
    public let marker: String

    public init() throws {
        marker = "SECRET-MARKER-\(UUID().uuidString)"
        path = FileManager.default.temporaryDirectory.appendingPathComponent("libxml-probe-\(UUID().uuidString).txt").path
        try Data(marker.utf8).write(to: URL(fileURLWithPath: path))
    }

    public var url: String { "file://" + path }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A named pipe with a writer waiting on it: opening it for reading, as a file loader would,
/// completes the writer's `open`, which is recorded. So "never opened" is observed, not inferred.
public final class FileOpenProbe: Sendable {
    public let path: String
    private let opened = Atomic<Bool>(false)
    private let writerDone = DispatchSemaphore(value: 0)

    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("libxml-fifo-\(UUID().uuidString)").path
        guard mkfifo(path, 0o600) == 0 else { throw ProbeError("mkfifo: errno \(errno)") }
        Thread.detachNewThread { [self] in
            let fd = open(path, O_WRONLY)   // blocks until someone opens the pipe for reading
            opened.store(true, ordering: .sequentiallyConsistent)
            if fd >= 0 { close(fd) }
            writerDone.signal()
        }
    }

    public var url: String { "file://" + path }

    /// Whether anyone opened the pipe; then releases the writer and removes the pipe. Call once.
    public func wasOpened() -> Bool {
        usleep(50_000)   // time for a writer released by a reader to record it
        let before = opened.load(ordering: .sequentiallyConsistent)
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        writerDone.wait()
        if fd >= 0 { close(fd) }
        unlink(path)
        return before
    }
}

public struct ProbeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

