#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace poolscope {

// The system's memory load, as /proc/meminfo tells it.
struct MemoryLoad {
    std::uint64_t totalBytes = 0;
    std::uint64_t availableBytes = 0;

    std::uint64_t usedBytes() const {
        return availableBytes < totalBytes ? totalBytes - availableBytes : 0;
    }
    // The system counts as under high load above 90% of its memory in use (the threshold the
    // .NET runtime uses); trimming purges everything at highLoadFactor of that threshold.
    bool isHigh(double highLoadFactor) const;
};

// Injectable source of the memory load, so tests can simulate pressure.
class MemoryLoadSource {
public:
    virtual ~MemoryLoadSource() = default;
    virtual MemoryLoad read() = 0;
};

class ProcMeminfoLoadSource final : public MemoryLoadSource {
public:
    MemoryLoad read() override;
    static ProcMeminfoLoadSource& instance();
};

class FixedLoadSource final : public MemoryLoadSource {
public:
    explicit FixedLoadSource(MemoryLoad load) : load_(load) {}
    MemoryLoad read() override { return load_; }
    void set(MemoryLoad load) { load_ = load; }

private:
    MemoryLoad load_;
};

namespace SystemMemory {

std::uint64_t physicalMemoryBytes();
// The cgroup (v2, then v1) memory limit of this process, if one is set and readable.
std::optional<std::uint64_t> cgroupLimitBytes();
// What the machine can give this process: physical memory, or a lower cgroup limit.
std::optional<std::uint64_t> availableToProcessBytes();
// ImageSharp's default: an eighth of the available memory, 128 MB where it cannot be read.
std::uint64_t defaultMaximumPoolSizeBytes();
// Resident set size of this process, from /proc/self/statm.
std::uint64_t residentSetBytes();

// Parses a "MemTotal: N kB" style text; exposed for tests.
MemoryLoad parseMeminfo(const std::string& text);

}  // namespace SystemMemory

}  // namespace poolscope
