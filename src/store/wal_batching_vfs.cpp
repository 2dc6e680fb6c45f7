#include "store/wal_batching_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace spacecrab {
namespace {

constexpr char kName[] = "unix-walbatch";
constexpr int kFrameHeaderBytes = 24;  // SQLite's WAL frame header (file format)
// The unix VFS writes at most 128 KiB - 1 per call (it masks the length to 17
// bits), so a larger batch goes down in pieces of this size.
constexpr size_t kMaxPieceBytes = 0x1ffff;

// Our file object; the default VFS's own object follows it in the same
// allocation (SQLite allocates szOsFile bytes and never constructs anything).
struct BatchFile {
  sqlite3_file base;      // must be first: SQLite sees this
  sqlite3_file* real;     // the default VFS's file, just after this struct
  bool is_wal;
  BatchFile* db;          // for a WAL: its database's file object
  BatchFile* wal;         // for a database: its open WAL, if any
  unsigned char* buf;     // gathered WAL bytes, written at `start`
  size_t len;
  size_t cap;
  sqlite3_int64 start;
  sqlite3_int64 end;      // just past the last byte appended since the log's header
  bool commit_page_next;  // the last append was a commit frame's header
};

constexpr size_t kRealOffset = (sizeof(BatchFile) + 15) & ~size_t{15};

sqlite3_vfs* RealVfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
BatchFile* Self(sqlite3_file* f) { return reinterpret_cast<BatchFile*>(f); }
const sqlite3_io_methods* Real(BatchFile* f) { return f->real->pMethods; }

int Flush(BatchFile* f) {
  int rc = SQLITE_OK;
  for (size_t done = 0; done < f->len && rc == SQLITE_OK;) {
    const size_t piece = std::min(f->len - done, kMaxPieceBytes);
    rc = Real(f)->xWrite(f->real, f->buf + done, static_cast<int>(piece),
                         f->start + static_cast<sqlite3_int64>(done));
    done += piece;
  }
  f->len = 0;
  return rc;
}

int FlushWalOf(BatchFile* f) { return f->wal != nullptr ? Flush(f->wal) : SQLITE_OK; }

bool Append(BatchFile* f, const void* data, size_t amt, sqlite3_int64 off) {
  if (f->len + amt > f->cap) {
    size_t cap = f->cap == 0 ? 64 * 1024 : f->cap;
    while (cap < f->len + amt) cap *= 2;
    auto* grown = static_cast<unsigned char*>(std::realloc(f->buf, cap));
    if (grown == nullptr) return false;
    f->buf = grown;
    f->cap = cap;
  }
  if (f->len == 0) f->start = off;
  std::memcpy(f->buf + f->len, data, amt);
  f->len += amt;
  return true;
}

// ---- file methods ---------------------------------------------------------------

int Close(sqlite3_file* file) {
  BatchFile* f = Self(file);
  int rc = SQLITE_OK;
  if (f->is_wal) {
    rc = Flush(f);
    if (f->db != nullptr && f->db->wal == f) f->db->wal = nullptr;
  } else if (f->wal != nullptr) {
    rc = Flush(f->wal);
    f->wal->db = nullptr;
  }
  std::free(f->buf);
  f->buf = nullptr;
  const int close_rc = Real(f)->xClose(f->real);
  return rc != SQLITE_OK ? rc : close_rc;
}

int Read(sqlite3_file* file, void* out, int amt, sqlite3_int64 off) {
  BatchFile* f = Self(file);
  if (f->is_wal) {
    if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  return Real(f)->xRead(f->real, out, amt, off);
}

int Write(sqlite3_file* file, const void* data, int amt, sqlite3_int64 off) {
  BatchFile* f = Self(file);
  if (!f->is_wal) return Real(f)->xWrite(f->real, data, amt, off);
  const auto n = static_cast<size_t>(amt);
  if (off == 0 || off < f->end) {
    // The WAL header (written when the log restarts from the top) or an
    // overwrite of bytes already appended (a page rewritten within its
    // transaction, a frame header's checksum rewritten after the commit
    // frame): written at once, in order, and its result returned to SQLite.
    f->commit_page_next = false;
    if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
    if (off == 0) f->end = 0;  // a restart: what follows the header is stale
    f->end = std::max(f->end, off + static_cast<sqlite3_int64>(n));
    return Real(f)->xWrite(f->real, data, amt, off);
  }
  // An append.
  if (f->len > 0 && off != f->start + static_cast<sqlite3_int64>(f->len)) {
    if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (f->len + n > static_cast<size_t>(kWalBatchMaxBytes)) {
    if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  f->end = off + static_cast<sqlite3_int64>(n);
  const bool commit_page = f->commit_page_next;
  f->commit_page_next = false;
  if (amt == kFrameHeaderBytes) {
    // Bytes 4..7 of a frame header: the database size after commit, in pages,
    // for a transaction's last frame; zero for every other frame.
    const auto* h = static_cast<const unsigned char*>(data);
    f->commit_page_next = (h[4] | h[5] | h[6] | h[7]) != 0;
  }
  if (n > kMaxPieceBytes || !Append(f, data, n, off)) {
    if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
    return Real(f)->xWrite(f->real, data, amt, off);
  }
  return commit_page ? Flush(f) : SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  BatchFile* f = Self(file);
  if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  f->end = std::min(f->end, size);
  return Real(f)->xTruncate(f->real, size);
}

int Sync(sqlite3_file* file, int flags) {
  BatchFile* f = Self(file);
  if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->xSync(f->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  BatchFile* f = Self(file);
  if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->xFileSize(f->real, size);
}

int Lock(sqlite3_file* file, int level) { return Real(Self(file))->xLock(Self(file)->real, level); }
int Unlock(sqlite3_file* file, int level) {
  return Real(Self(file))->xUnlock(Self(file)->real, level);
}
int CheckReservedLock(sqlite3_file* file, int* out) {
  return Real(Self(file))->xCheckReservedLock(Self(file)->real, out);
}

int FileControl(sqlite3_file* file, int op, void* arg) {
  BatchFile* f = Self(file);
  if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  const int rc = Real(f)->xFileControl(f->real, op, arg);
  if (op == SQLITE_FCNTL_VFSNAME && rc == SQLITE_OK) {  // "unix-walbatch/unix", as shims do
    char** name = static_cast<char**>(arg);
    char* ours = sqlite3_mprintf("%s/%z", kName, *name);
    *name = ours;
  }
  return rc;
}

int SectorSize(sqlite3_file* file) { return Real(Self(file))->xSectorSize(Self(file)->real); }
int DeviceCharacteristics(sqlite3_file* file) {
  return Real(Self(file))->xDeviceCharacteristics(Self(file)->real);
}

// Shared memory belongs to the database file; every lock or barrier on it may
// be about to publish (or let another connection see) the WAL's frames.
int ShmMap(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  return Real(Self(file))->xShmMap(Self(file)->real, page, size, extend, out);
}
int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  BatchFile* f = Self(file);
  if (const int rc = FlushWalOf(f); rc != SQLITE_OK) return rc;
  return Real(f)->xShmLock(f->real, offset, n, flags);
}
void ShmBarrier(sqlite3_file* file) {
  BatchFile* f = Self(file);
  // No way to report a failure here; the commit page's write already wrote
  // (and reported) everything a commit gathers, so this finds nothing.
  (void)FlushWalOf(f);
  Real(f)->xShmBarrier(f->real);
}
int ShmUnmap(sqlite3_file* file, int delete_flag) {
  BatchFile* f = Self(file);
  if (const int rc = FlushWalOf(f); rc != SQLITE_OK) return rc;
  return Real(f)->xShmUnmap(f->real, delete_flag);
}

int Fetch(sqlite3_file* file, sqlite3_int64 off, int amt, void** out) {
  BatchFile* f = Self(file);
  if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  return Real(f)->xFetch(f->real, off, amt, out);
}
int Unfetch(sqlite3_file* file, sqlite3_int64 off, void* p) {
  return Real(Self(file))->xUnfetch(Self(file)->real, off, p);
}

// One method table per io_methods version, so we never claim a method the
// default VFS's file does not have.
const sqlite3_io_methods* MethodsFor(int version) {
  static const sqlite3_io_methods kMethods[3] = {
      {1, Close, Read, Write, Truncate, Sync, FileSize, Lock, Unlock, CheckReservedLock,
       FileControl, SectorSize, DeviceCharacteristics, nullptr, nullptr, nullptr, nullptr,
       nullptr, nullptr},
      {2, Close, Read, Write, Truncate, Sync, FileSize, Lock, Unlock, CheckReservedLock,
       FileControl, SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap,
       nullptr, nullptr},
      {3, Close, Read, Write, Truncate, Sync, FileSize, Lock, Unlock, CheckReservedLock,
       FileControl, SectorSize, DeviceCharacteristics, ShmMap, ShmLock, ShmBarrier, ShmUnmap,
       Fetch, Unfetch},
  };
  if (version < 1) version = 1;
  if (version > 3) version = 3;
  return &kMethods[version - 1];
}

// ---- VFS methods ----------------------------------------------------------------

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  BatchFile* f = Self(file);
  std::memset(f, 0, sizeof(BatchFile));
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kRealOffset);
  const int rc = RealVfs(vfs)->xOpen(RealVfs(vfs), name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods != nullptr) f->real->pMethods->xClose(f->real);
    file->pMethods = nullptr;
    return rc;
  }
  file->pMethods = MethodsFor(f->real->pMethods->iVersion);
  if ((flags & SQLITE_OPEN_WAL) != 0 && name != nullptr) {
    f->is_wal = true;
    // The WAL's database was opened through this VFS too (a connection has one VFS).
    f->db = Self(sqlite3_database_file_object(name));
    if (f->db != nullptr) f->db->wal = f;
  }
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return RealVfs(vfs)->xDelete(RealVfs(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return RealVfs(vfs)->xAccess(RealVfs(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return RealVfs(vfs)->xFullPathname(RealVfs(vfs), name, n, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) {
  return RealVfs(vfs)->xDlOpen(RealVfs(vfs), name);
}
void DlError(sqlite3_vfs* vfs, int n, char* out) { RealVfs(vfs)->xDlError(RealVfs(vfs), n, out); }
void (*DlSym(sqlite3_vfs* vfs, void* lib, const char* sym))(void) {
  return RealVfs(vfs)->xDlSym(RealVfs(vfs), lib, sym);
}
void DlClose(sqlite3_vfs* vfs, void* lib) { RealVfs(vfs)->xDlClose(RealVfs(vfs), lib); }
int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return RealVfs(vfs)->xRandomness(RealVfs(vfs), n, out);
}
int Sleep(sqlite3_vfs* vfs, int us) { return RealVfs(vfs)->xSleep(RealVfs(vfs), us); }
int CurrentTime(sqlite3_vfs* vfs, double* out) {
  return RealVfs(vfs)->xCurrentTime(RealVfs(vfs), out);
}
int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return RealVfs(vfs)->xGetLastError(RealVfs(vfs), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return RealVfs(vfs)->xCurrentTimeInt64(RealVfs(vfs), out);
}

sqlite3_vfs* Register() {
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  if (real == nullptr) return nullptr;
  static sqlite3_vfs vfs{};
  // Version 2 at most: the system-call override methods (version 3) are a
  // test facility of the default VFS that nothing here uses.
  vfs.iVersion = real->iVersion < 2 ? real->iVersion : 2;
  vfs.szOsFile = static_cast<int>(kRealOffset) + real->szOsFile;
  vfs.mxPathname = real->mxPathname;
  vfs.zName = kName;
  vfs.pAppData = real;
  vfs.xOpen = Open;
  vfs.xDelete = Delete;
  vfs.xAccess = Access;
  vfs.xFullPathname = FullPathname;
  vfs.xDlOpen = DlOpen;
  vfs.xDlError = DlError;
  vfs.xDlSym = DlSym;
  vfs.xDlClose = DlClose;
  vfs.xRandomness = Randomness;
  vfs.xSleep = Sleep;
  vfs.xCurrentTime = CurrentTime;
  vfs.xGetLastError = GetLastError;
  if (vfs.iVersion >= 2) vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  if (sqlite3_vfs_register(&vfs, /*makeDflt=*/0) != SQLITE_OK) return nullptr;
  return &vfs;
}

}  // namespace

const char* WalBatchingVfsName() {
  static sqlite3_vfs* vfs = Register();  // thread-safe static initialisation
  return vfs != nullptr ? vfs->zName : nullptr;
}

}  // namespace spacecrab
