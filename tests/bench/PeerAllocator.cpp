#include "PeerAllocator.h"

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

#ifndef POOLSCOPE_JEMALLOC_LIBRARY
#define POOLSCOPE_JEMALLOC_LIBRARY "libjemalloc.so.2"
#endif
#ifndef POOLSCOPE_MIMALLOC_LIBRARY
#define POOLSCOPE_MIMALLOC_LIBRARY "libmimalloc.so.2"
#endif

namespace poolscope::bench {

namespace {

constexpr const char* kStaticTlsTunable = "glibc.rtld.optional_static_tls";
constexpr const char* kStaticTlsBytes = "8192";
// Set before the re-exec, so that a second failure cannot loop.
constexpr const char* kReexecMarker = "POOLSCOPE_BENCH_TLS_REEXEC";

// The peers' own signatures (their headers are not included: jemalloc's would declare malloc).
using JemallocAllocate = void* (*)(std::size_t size, int flags);
using JemallocFree = void (*)(void* ptr, int flags);
using JemallocControl = int (*)(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                                std::size_t newlen);
using MimallocVersion = int (*)();
using MimallocIsInHeap = bool (*)(const void* p);

JemallocAllocate g_jemallocAllocate = nullptr;
JemallocFree g_jemallocFree = nullptr;

// jemalloc's mallocx/dallocx take flags; these give them the common (size) / (pointer) shape.
void* jemallocAllocate(std::size_t bytes) {
    return g_jemallocAllocate(bytes, 0);
}
void jemallocFree(void* data) {
    g_jemallocFree(data, 0);
}

void* openLocal(const char* library) {
    void* handle = dlopen(library, RTLD_LOCAL | RTLD_NOW);
    if (handle == nullptr) {
        throw std::runtime_error(std::string("cannot load ") + library + ": " + dlerror());
    }
    return handle;
}

template <class Function>
Function symbol(void* handle, const char* library, const char* name) {
    void* address = dlsym(handle, name);
    if (address == nullptr) {
        throw std::runtime_error(std::string(library) + " has no symbol " + name);
    }
    return reinterpret_cast<Function>(address);
}

std::uint64_t jemallocThreadAllocatedBytes(JemallocControl control) {
    std::uint64_t allocated = 0;
    std::size_t length = sizeof(allocated);
    if (control("thread.allocated", &allocated, &length, nullptr, 0) != 0) {
        return 0;
    }
    return allocated;
}

}  // namespace

PeerAllocator::PeerAllocator(std::string name, std::string identity, AllocateFunction allocate,
                             FreeFunction free)
    : name_(std::move(name)), identity_(std::move(identity)), allocate_(allocate), free_(free) {}

void PeerAllocator::ensureStaticTlsRoomForPeers(char** argv) {
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    const std::string current = tunables ? tunables : "";
    if (current.find(kStaticTlsTunable) != std::string::npos || std::getenv(kReexecMarker)) {
        return;
    }
    const std::string wanted =
        current + (current.empty() ? "" : ":") + kStaticTlsTunable + "=" + kStaticTlsBytes;
    setenv("GLIBC_TUNABLES", wanted.c_str(), 1);
    setenv(kReexecMarker, "1", 1);
    execv("/proc/self/exe", argv);
    // Only reached when exec failed; loading jemalloc will then report the real problem.
}

PeerAllocator PeerAllocator::loadGlibc() {
    // Proves that nothing interposes malloc: the process's malloc is the one libc.so.6 defines.
    void* libc = dlopen("libc.so.6", RTLD_LOCAL | RTLD_NOW | RTLD_NOLOAD);
    if (libc == nullptr || dlsym(libc, "malloc") != dlsym(RTLD_DEFAULT, "malloc")) {
        throw std::runtime_error("malloc in this process is not glibc's; a peer was interposed");
    }
    return PeerAllocator("glibc", std::string("glibc malloc ") + gnu_get_libc_version(),
                         &std::malloc, &std::free);
}

PeerAllocator PeerAllocator::loadJemalloc() {
    const char* library = POOLSCOPE_JEMALLOC_LIBRARY;
    void* handle = openLocal(library);
    g_jemallocAllocate = symbol<JemallocAllocate>(handle, library, "mallocx");
    g_jemallocFree = symbol<JemallocFree>(handle, library, "dallocx");
    const auto control = symbol<JemallocControl>(handle, library, "mallctl");

    const char* version = nullptr;
    std::size_t length = sizeof(version);
    if (control("version", &version, &length, nullptr, 0) != 0 || version == nullptr) {
        throw std::runtime_error(std::string(library) + " does not answer mallctl(\"version\")");
    }
    // jemalloc counts what each thread allocated through it; the count must move by at least
    // what we ask for, or the calls went somewhere else.
    constexpr std::size_t kProbeBytes = 1024 * 1024;
    const std::uint64_t before = jemallocThreadAllocatedBytes(control);
    void* probe = jemallocAllocate(kProbeBytes);
    const std::uint64_t after = jemallocThreadAllocatedBytes(control);
    jemallocFree(probe);
    std::string identity = std::string("jemalloc ") + version + " (" + library + ")";
    if (before == 0 && after == 0) {
        identity += ", thread.allocated unavailable";
    } else if (after - before < kProbeBytes) {
        throw std::runtime_error("jemalloc's thread.allocated did not count a mallocx");
    } else {
        identity += ", mallocx counted in thread.allocated";
    }
    return PeerAllocator("jemalloc", identity, &jemallocAllocate, &jemallocFree);
}

PeerAllocator PeerAllocator::loadMimalloc() {
    const char* library = POOLSCOPE_MIMALLOC_LIBRARY;
    void* handle = openLocal(library);
    const auto miAllocate = symbol<AllocateFunction>(handle, library, "mi_malloc");
    const auto miFree = symbol<FreeFunction>(handle, library, "mi_free");
    const auto version = symbol<MimallocVersion>(handle, library, "mi_version");
    const auto isInHeap = symbol<MimallocIsInHeap>(handle, library, "mi_is_in_heap_region");

    void* probe = miAllocate(1024 * 1024);
    const bool owned = isInHeap(probe);
    miFree(probe);
    void* foreign = std::malloc(64);
    const bool claimsForeign = isInHeap(foreign);
    std::free(foreign);
    if (!owned || claimsForeign) {
        throw std::runtime_error("mimalloc does not own what mi_malloc returned");
    }
    const int number = version();  // 209 = 2.0.9
    const std::string dotted = std::to_string(number / 100) + "." +
                               std::to_string(number / 10 % 10) + "." + std::to_string(number % 10);
    return PeerAllocator(
        "mimalloc",
        "mimalloc " + dotted + " (" + library + "), mi_malloc memory in mi_is_in_heap_region",
        miAllocate, miFree);
}

const std::vector<PeerAllocator>& PeerAllocator::all() {
    static const std::vector<PeerAllocator> peers{loadGlibc(), loadJemalloc(), loadMimalloc()};
    return peers;
}

}  // namespace poolscope::bench
