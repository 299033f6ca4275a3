#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "diagnostics/Frame.h"
#include "diagnostics/ModuleMap.h"

namespace poolscope {

// How many frames of one module could not be named, and why.
struct ModuleSymbolStatus {
    std::string module;
    std::uint64_t unnamedFrames = 0;        // no function name
    std::uint64_t framesWithoutSource = 0;  // a name but no file and line
    std::string reason;                     // what is missing, and what to install
};

// Turns return addresses into frames through libdw (elfutils): functions, source lines and the
// calls inlined at each address, innermost first. An address is looked up as its module's
// file and the offset into it, so addresses of this process and addresses a recording kept
// from another run are named the same way, from the binaries on disk (checked against their
// build-ids). Results are cached up to a limit; releaseMemory() gives everything back.
// Thread-safe; libdw itself is used under one lock.
class Symbolizer {
public:
    struct Limits {
        std::size_t maxCachedAddresses = std::size_t{1} << 16;
        std::size_t maxOpenModules = 32;
    };

    Symbolizer();
    explicit Symbolizer(Limits limits);
    ~Symbolizer();
    Symbolizer(const Symbolizer&) = delete;
    Symbolizer& operator=(const Symbolizer&) = delete;

    // The frames of a return address of this process, innermost first; never empty.
    std::vector<Frame> symbolize(std::uint64_t address);
    // The frames of a return address `offset` bytes into `module`, from the module's file.
    std::vector<Frame> symbolize(const LoadedModule& module, std::uint64_t offset,
                                 std::uint64_t address);
    // Why the module's file cannot name anything (missing, another build); empty when it can.
    std::string problemWith(const LoadedModule& module);
    // Every module with frames left unnamed or without source lines so far.
    std::vector<ModuleSymbolStatus> missingSymbols() const;
    // Drops the cached frames and closes every module's debug information.
    void releaseMemory();
    std::size_t cachedAddressCount() const;
    std::size_t openModuleCount() const;

    static Symbolizer& instance();

private:
    struct ModuleFile;
    std::size_t moduleSlot(const LoadedModule& module);
    bool open(ModuleFile& file);
    std::vector<Frame> resolve(ModuleFile& file, std::uint64_t offset, std::uint64_t address);

    Limits limits_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<ModuleFile>> files_;
    std::unordered_map<std::string, std::size_t> slots_;  // path and build-id to files_ index
    std::unordered_map<std::uint64_t, std::vector<Frame>> cache_;  // slot and offset
    std::uint64_t useClock_ = 0;
};

}  // namespace poolscope
