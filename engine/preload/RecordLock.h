#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <atomic>

namespace poolscope::preload {

// The append lock: every hook takes it once, so its uncontended path is one atomic exchange
// each way, inline (a pthread mutex is a call through the PLT with its own checks, a sixth of
// a hook's time). Contended, it spins briefly, then sleeps on a futex, so a preempted holder
// does not leave the others spinning.
class RecordLock {
public:
    void lock() {
        int expected = kFree;
        if (!state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire)) {
            lockContended();
        }
    }

    bool tryLock() {
        int expected = kFree;
        return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire);
    }

    void unlock() {
        if (state_.exchange(kFree, std::memory_order_release) == kWaited) {
            syscall(SYS_futex, reinterpret_cast<int*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr,
                    nullptr, 0);
        }
    }

private:
    static constexpr int kFree = 0;
    static constexpr int kLocked = 1;
    static constexpr int kWaited = 2;  // locked, and someone may sleep on it
    static constexpr int kSpins = 100;

    void lockContended() {
        for (int spin = 0; spin < kSpins; ++spin) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
            int expected = kFree;
            if (state_.load(std::memory_order_relaxed) == kFree &&
                state_.compare_exchange_weak(expected, kLocked, std::memory_order_acquire)) {
                return;
            }
        }
        while (state_.exchange(kWaited, std::memory_order_acquire) != kFree) {
            syscall(SYS_futex, reinterpret_cast<int*>(&state_), FUTEX_WAIT_PRIVATE, kWaited,
                    nullptr, nullptr, 0);
        }
    }

    std::atomic<int> state_{kFree};
};

}  // namespace poolscope::preload
