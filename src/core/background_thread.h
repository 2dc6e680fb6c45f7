// Background threads: named for `top -H`/`ps -L`, and niced so that work which
// can wait (WAL checkpoints, key-index refreshes, pool refills) yields the CPU
// to the threads answering requests.
//
// Under a handout storm on a small machine, a once-a-second refresh folding
// thousands of new keys, or a checkpoint copying a 64 MiB WAL, otherwise takes
// its turn on a core in the middle of requests and shows up as a 10-30 ms
// latency spike. At nice 10 the scheduler gives it about a tenth of a busy
// core, and all of an idle one, so it still finishes promptly when load allows.
//
// Thread-safety: call from the thread itself, once, at its start. Failures
// (e.g. a sandbox refusing setpriority) are ignored: only scheduling changes.
#pragma once

namespace spacecrab {

inline constexpr int kBackgroundNice = 10;

// Names the calling thread (truncated to 15 characters) and lowers its
// scheduling priority to kBackgroundNice (left alone if already lower, e.g.
// when the whole service runs niced).
void MarkBackgroundThread(const char* name);

}  // namespace spacecrab
