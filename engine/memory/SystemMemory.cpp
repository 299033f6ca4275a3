#include "memory/SystemMemory.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace poolscope {

namespace {

constexpr double kSystemHighLoadThreshold = 0.9;
constexpr std::uint64_t kFallbackPoolBytes = 128ull * 1024 * 1024;

std::optional<std::uint64_t> readLimitFile(const char* path) {
    std::ifstream in(path);
    std::string value;
    if (!(in >> value) || value == "max") {
        return std::nullopt;
    }
    try {
        const std::uint64_t bytes = std::stoull(value);
        // cgroup v1 reports "no limit" as a huge page-rounded number.
        if (bytes == 0 || bytes >= (1ull << 60)) {
            return std::nullopt;
        }
        return bytes;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

bool MemoryLoad::isHigh(double highLoadFactor) const {
    if (totalBytes == 0) {
        return false;
    }
    const double threshold = static_cast<double>(totalBytes) * kSystemHighLoadThreshold;
    return static_cast<double>(usedBytes()) >= threshold * highLoadFactor;
}

MemoryLoad ProcMeminfoLoadSource::read() {
    std::ifstream in("/proc/meminfo");
    std::stringstream text;
    text << in.rdbuf();
    return SystemMemory::parseMeminfo(text.str());
}

ProcMeminfoLoadSource& ProcMeminfoLoadSource::instance() {
    static ProcMeminfoLoadSource source;
    return source;
}

namespace SystemMemory {

MemoryLoad parseMeminfo(const std::string& text) {
    MemoryLoad load;
    std::istringstream in(text);
    std::string key;
    std::uint64_t kilobytes = 0;
    std::string unit;
    while (in >> key >> kilobytes) {
        std::getline(in, unit);
        if (key == "MemTotal:") {
            load.totalBytes = kilobytes * 1024;
        } else if (key == "MemAvailable:") {
            load.availableBytes = kilobytes * 1024;
        }
    }
    return load;
}

std::uint64_t physicalMemoryBytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0) {
        return 0;
    }
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
}

std::optional<std::uint64_t> cgroupLimitBytes() {
    if (auto v2 = readLimitFile("/sys/fs/cgroup/memory.max")) {
        return v2;
    }
    return readLimitFile("/sys/fs/cgroup/memory/memory.limit_in_bytes");
}

std::optional<std::uint64_t> availableToProcessBytes() {
    const std::uint64_t physical = physicalMemoryBytes();
    const auto limit = cgroupLimitBytes();
    if (physical == 0) {
        return limit;
    }
    if (limit && *limit < physical) {
        return limit;
    }
    return physical;
}

std::uint64_t defaultMaximumPoolSizeBytes() {
    if constexpr (sizeof(void*) < 8) {
        return kFallbackPoolBytes;
    }
    const auto available = availableToProcessBytes();
    if (!available || *available == 0) {
        return kFallbackPoolBytes;
    }
    return *available / 8;
}

std::uint64_t residentSetBytes() {
    std::ifstream in("/proc/self/statm");
    std::uint64_t sizePages = 0;
    std::uint64_t residentPages = 0;
    in >> sizePages >> residentPages;
    return residentPages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace SystemMemory

}  // namespace poolscope
