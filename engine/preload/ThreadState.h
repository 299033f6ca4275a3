#pragma once

#include <cstdint>

namespace poolscope::preload {

// What the interposer keeps per thread. Initial-exec TLS: the library is loaded at start through
// LD_PRELOAD, so its TLS lives in the static block and reading it never calls the allocator (a
// dynamic TLS access may, on a thread's first touch).
struct ThreadState {
    // Set while a hook works: everything it calls (libunwind, dlsym, the packet writer) reaches
    // the hooks again and passes through untracked instead of recursing or deadlocking.
    bool busy;
    // Set on the thread that resolves the real functions: dlsym's own allocations are served
    // from the bootstrap arena.
    bool resolving;
    // Set on the forking thread while it holds the channel's locks across fork().
    bool forking;
    std::uint32_t threadId;
};

extern __thread ThreadState tThread __attribute__((tls_model("initial-exec")));

// The kernel's id of the calling thread, asked once per thread.
std::uint32_t currentThreadId();

// Marks the calling thread busy for the life of a hook, when the tracker is tracking and the
// thread is not inside another hook already; tracking() says whether the hook should record.
class HookScope {
public:
    explicit HookScope(bool trackerActive) : tracking_(trackerActive && !tThread.busy) {
        if (tracking_) {
            tThread.busy = true;
        }
    }
    ~HookScope() {
        if (tracking_) {
            tThread.busy = false;
        }
    }
    HookScope(const HookScope&) = delete;
    HookScope& operator=(const HookScope&) = delete;

    bool tracking() const { return tracking_; }

private:
    bool tracking_;
};

}  // namespace poolscope::preload
