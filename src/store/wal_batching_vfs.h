// WAL batching VFS: SQLite's own file layer, except that a transaction's WAL
// frames reach the kernel in one write instead of two per page.
//
// SQLite appends each WAL frame as two pwrite(2) calls (its 24-byte header,
// then the page), so a commit of N pages costs 2N system calls; on a
// virtualised host a system call costs microseconds, and at thousands of
// handouts a second those writes were the largest single cost of serving one.
// This VFS gathers a WAL's contiguous appends in memory and writes them with
// one call when the transaction's commit frame is complete — before COMMIT
// returns and before the wal-index header that makes the frames visible is
// published — so readers, checkpoints and crash recovery find exactly the
// bytes they would have found without it. Durability is unchanged: nothing is
// synced that was not synced before, nothing committed waits in memory.
//
// Only appends are gathered. Gathered bytes are written first whenever
// anything else touches the WAL (a read, sync, size, truncate, file control,
// close, or any write that is not the next append) and on every shared-memory
// lock or barrier of its database, so the order of writes the kernel sees is
// SQLite's. Writes that are not appends (the log's header when it restarts,
// a page or checksum rewritten in place) go down at once. A failed write fails
// the SQLite call that made it or, for gathered bytes, the call that wrote
// them — for a commit, the write of its last page — so the transaction fails
// as it would have.
//
// Database files, rollback journals, locks, shared memory and mmap pass
// through to the default VFS untouched.
//
// Registration: SQLite's VFS registry is process-wide, so the VFS is
// registered once (thread-safe), never as the default; only connections that
// name it (SqliteConnection::Open does) use it.
// Thread-safety: as SQLite's own VFS — a file object belongs to one
// connection, which SQLite uses from one thread at a time.
#pragma once

namespace spacecrab {

// Registers the VFS on first call and returns its name for sqlite3_open_v2.
// Returns nullptr (SQLite's default VFS) if registration failed.
const char* WalBatchingVfsName();

// The most bytes gathered before they are written anyway (a transaction larger
// than this reaches the WAL in several writes).
inline constexpr int kWalBatchMaxBytes = 1 << 20;

}  // namespace spacecrab
