#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace poolscope::bench {

// A general-purpose allocator the pool is measured against: glibc malloc, jemalloc or mimalloc.
//
// jemalloc and mimalloc are not linked: linking either would replace malloc for the whole
// process (the engine, Google Benchmark and the glibc peer included). They are loaded with
// dlopen(RTLD_LOCAL | RTLD_NOW) instead, and called through their own entry points, so all
// three live side by side in one run.
class PeerAllocator {
public:
    using AllocateFunction = void* (*)(std::size_t bytes);
    using FreeFunction = void (*)(void* data);

    // glibc, jemalloc and mimalloc, loaded and verified once. Throws std::runtime_error when a
    // peer cannot be loaded or does not prove that it is the library it claims to be.
    static const std::vector<PeerAllocator>& all();

    // Asks glibc, before anything else runs, for the static TLS room that jemalloc needs.
    // jemalloc keeps its thread state in initial-exec TLS, which dlopen can only place in the
    // small surplus glibc reserves at start-up (512 bytes by default, jemalloc needs ~2.6 KiB),
    // and that surplus is a tunable read at exec time only. So when it is not set, this
    // re-executes the program with it set; it returns only when no re-exec was needed or
    // possible.
    static void ensureStaticTlsRoomForPeers(char** argv);

    const std::string& name() const { return name_; }
    // Which library and version answered, e.g. "jemalloc 5.3.0-0-g54eaed1 (libjemalloc.so.2)".
    const std::string& identity() const { return identity_; }

    void* allocate(std::size_t bytes) const { return allocate_(bytes); }
    void free(void* data) const { free_(data); }

private:
    PeerAllocator(std::string name, std::string identity, AllocateFunction allocate,
                  FreeFunction free);

    static PeerAllocator loadGlibc();
    static PeerAllocator loadJemalloc();
    static PeerAllocator loadMimalloc();

    std::string name_;
    std::string identity_;
    AllocateFunction allocate_;
    FreeFunction free_;
};

}  // namespace poolscope::bench
