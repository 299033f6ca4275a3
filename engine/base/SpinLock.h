#pragma once

#include <atomic>
#include <thread>

namespace poolscope {

// A lock for the few dozen instructions that every rent and return spends under it (the chunk
// pool's stack, the allocation registry's lists). Taking it free is one atomic exchange and
// releasing it a plain store, where std::mutex makes two library calls and two atomic
// read-modify-writes, and puts a waiter to sleep in the kernel for a wait shorter than the
// sleep. A waiter spins a little, then yields, so that a holder preempted on a busy machine
// gets its core back. Usable with std::lock_guard and std::unique_lock.
class SpinLock {
public:
    void lock() noexcept {
        int spins = 0;
        while (locked_.exchange(true, std::memory_order_acquire)) {
            while (locked_.load(std::memory_order_relaxed)) {
                if (++spins < kSpinsBeforeYield) {
                    pause();
                } else {
                    std::this_thread::yield();
                }
            }
        }
    }
    bool try_lock() noexcept {
        return !locked_.load(std::memory_order_relaxed) &&
               !locked_.exchange(true, std::memory_order_acquire);
    }
    void unlock() noexcept { locked_.store(false, std::memory_order_release); }

private:
    static constexpr int kSpinsBeforeYield = 64;

    static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }

    std::atomic<bool> locked_{false};
};

}  // namespace poolscope
