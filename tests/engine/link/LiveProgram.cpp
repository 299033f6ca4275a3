// A program that uses the engine's pool as a person's own program would, for the live-link
// tests: run with POOLSCOPE_LISTEN=1, it publishes its socket before main (the engine's start
// hook), leaks one pooled buffer from leakOnePooledBuffer(), then rents and returns chunks
// until it is killed or, with an argument N, for N rounds, exiting normally after them.
// It prints "ready" once the leak is made.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "diagnostics/MemoryDiagnostics.h"
#include "memory/MemoryAllocator.h"

namespace {

// The leak the tests look for, by this function's name in its stack.
[[gnu::noinline]] poolscope::MemoryGroup leakOnePooledBuffer(poolscope::MemoryAllocator& pool) {
    poolscope::AllocationTagScope tag("live-program-leak");
    return pool.allocateGroup(6 * 1024 * 1024, 1, 1024);
}

}  // namespace

int main(int argc, char** argv) {
    const long rounds = argc > 1 ? std::atol(argv[1]) : -1;
    const std::shared_ptr<poolscope::MemoryAllocator> pool =
        poolscope::MemoryAllocator::create({64, std::nullopt});
    // Never disposed: still live when a viewer attaches, and at exit.
    new poolscope::MemoryGroup(leakOnePooledBuffer(*pool));
    std::printf("ready\n");
    std::fflush(stdout);
    for (long round = 0; rounds < 0 || round < rounds; ++round) {
        poolscope::MemoryGroup buffer = pool->allocateGroup(1024 * 1024, 4, 1024);
        buffer.dispose();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return 0;
}
