#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace poolscope {

// A loaded executable or shared object: where its file is, which build it is (the GNU
// build-id note, hexadecimal; empty when it has none) and where it was loaded.
struct LoadedModule {
    std::string path;
    std::string buildId;
    std::uint64_t loadAddress = 0;
};

// Where a captured address lies: in which module (an index into modules()) and how far into
// it. The offset stays the same whenever the same binary runs, wherever it is loaded.
struct ModuleLocation {
    std::uint32_t module = 0;
    std::uint64_t offset = 0;
};

// The modules of this process, as dl_iterate_phdr lists them. Listed once, and again when an
// address falls outside every known module (a library loaded since). Indices are stable: a
// module keeps its index for the life of the process. Thread-safe.
class ModuleMap {
public:
    std::optional<ModuleLocation> locate(std::uint64_t address);
    LoadedModule module(std::uint32_t index) const;
    std::vector<LoadedModule> modules() const;

    static ModuleMap& instance();

private:
    struct Segment {
        std::uint64_t start = 0;
        std::uint64_t end = 0;
        std::uint32_t module = 0;
    };
    std::optional<ModuleLocation> find(std::uint64_t address) const;
    void list();

    mutable std::mutex mutex_;
    std::vector<LoadedModule> modules_;
    std::vector<Segment> segments_;  // sorted by start
};

}  // namespace poolscope
