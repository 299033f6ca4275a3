#pragma once

#include <atomic>

namespace poolscope::preload {

// Where the interposer is in its life, one value for the whole process. Hooks read it on every
// call (one load), so it is the only thing the fast path looks at before recording.
enum class Phase : int {
    Unresolved,  // no hook has run yet
    Resolving,   // one thread is looking up the real functions
    Inert,       // the real functions are known but nothing is tracked (no or a foreign stream)
    Active,      // tracking
    Stopped,     // the stream ended (exit, exec, crash, a reader gone, a forked child)
};

class TrackingState {
public:
    static Phase phase() { return phase_.load(std::memory_order_acquire); }
    static bool active() { return phase() == Phase::Active; }
    static bool resolved() { return phase() >= Phase::Inert; }
    static void set(Phase phase) { phase_.store(phase, std::memory_order_release); }
    // Stops tracking unless it already stopped; true for the caller that stopped it.
    static bool stop() {
        Phase expected = Phase::Active;
        return phase_.compare_exchange_strong(expected, Phase::Stopped, std::memory_order_acq_rel);
    }
    static bool beginResolving() {
        Phase expected = Phase::Unresolved;
        return phase_.compare_exchange_strong(expected, Phase::Resolving,
                                              std::memory_order_acq_rel);
    }

private:
    static inline std::atomic<Phase> phase_{Phase::Unresolved};
};

}  // namespace poolscope::preload
