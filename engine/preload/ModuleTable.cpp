#include "ModuleTable.h"

#include <link.h>
#include <unistd.h>
#include <cstring>

#include "PageMemory.h"

namespace poolscope::preload {

namespace {

constexpr std::uint32_t kMaxModules = 16384;
constexpr std::uint32_t kMaxScratch = 4096;
constexpr std::size_t kPathPoolBytes = 4 << 20;

void segmentRange(const dl_phdr_info& info, std::uint64_t& start, std::uint64_t& end) {
    start = ~0ull;
    end = 0;
    for (int i = 0; i < info.dlpi_phnum; ++i) {
        const ElfW(Phdr)& header = info.dlpi_phdr[i];
        if (header.p_type != PT_LOAD) {
            continue;
        }
        const std::uint64_t from = info.dlpi_addr + header.p_vaddr;
        const std::uint64_t to = from + header.p_memsz;
        start = from < start ? from : start;
        end = to > end ? to : end;
    }
}

struct RangeQuery {
    std::uint64_t address;
    std::uint64_t start;
    std::uint64_t end;
    bool found;
};

}  // namespace

bool ModuleTable::initialize() {
    modules_ = static_cast<Module*>(PageMemory::map(kMaxModules * sizeof(Module)));
    scratch_ = static_cast<Module*>(PageMemory::map(kMaxScratch * sizeof(Module)));
    paths_ = static_cast<char*>(PageMemory::map(kPathPoolBytes));
    const ssize_t bytes = readlink("/proc/self/exe", executable_, sizeof executable_);
    executableBytes_ = bytes > 0 ? static_cast<std::uint32_t>(bytes) : 0;
    return modules_ != nullptr && scratch_ != nullptr && paths_ != nullptr;
}

bool ModuleTable::collectIfChanged() {
    if (pthread_mutex_trylock(&collectLock_) != 0) {
        // Another thread is reading the list, possibly waiting for the loader's lock that a
        // thread inside a hook holds: do not wait for it; the next new stack looks again.
        return false;
    }
    scratchCount_ = 0;
    changed_ = false;
    dl_iterate_phdr(&ModuleTable::collectOne, this);
    if (!changed_) {
        pthread_mutex_unlock(&collectLock_);
    }
    return changed_;
}

int ModuleTable::collectOne(dl_phdr_info* info, std::size_t, void* context) {
    auto& table = *static_cast<ModuleTable*>(context);
    if (table.scratchCount_ == 0 && !table.changed_) {
        if (info->dlpi_adds == table.seenAdds_ && info->dlpi_subs == table.seenSubs_) {
            return 1;
        }
        table.seenAdds_ = info->dlpi_adds;
        table.seenSubs_ = info->dlpi_subs;
        table.changed_ = true;
    }
    if (table.scratchCount_ == kMaxScratch) {
        return 1;
    }
    Module found{};
    found.loadAddress = info->dlpi_addr;
    segmentRange(*info, found.startAddress, found.endAddress);
    const char* name = info->dlpi_name != nullptr ? info->dlpi_name : "";
    std::size_t nameBytes = std::strlen(name);
    if (nameBytes == 0 && table.scratchCount_ == 0) {
        // The first object is the program itself, which the loader lists without a name.
        name = table.executable_;
        nameBytes = table.executableBytes_;
    }
    for (std::uint32_t i = 0; i < table.count_; ++i) {
        const Module& known = table.modules_[i];
        if (known.loaded && known.loadAddress == found.loadAddress &&
            known.startAddress == found.startAddress && known.pathBytes == nameBytes &&
            std::memcmp(known.path, name, nameBytes) == 0) {
            found.path = known.path;
            found.pathBytes = known.pathBytes;
            found.index = known.index;
            found.loaded = true;
            break;
        }
    }
    if (!found.loaded) {
        found.path = table.keepPath(name, nameBytes);
        found.pathBytes = found.path != nullptr ? static_cast<std::uint32_t>(nameBytes) : 0;
        found.index = ~0u;
    }
    table.scratch_[table.scratchCount_++] = found;
    return 0;
}

void ModuleTable::merge() {
    bool unloaded = false;
    for (std::uint32_t i = 0; i < count_; ++i) {
        Module& known = modules_[i];
        if (!known.loaded) {
            continue;
        }
        bool present = false;
        for (std::uint32_t j = 0; j < scratchCount_ && !present; ++j) {
            present = scratch_[j].index == known.index;
        }
        if (!present) {
            known.loaded = false;
            unloaded = true;
        }
    }
    for (std::uint32_t j = 0; j < scratchCount_ && count_ < kMaxModules; ++j) {
        if (scratch_[j].index != ~0u) {
            continue;
        }
        Module added = scratch_[j];
        added.index = count_;
        added.loaded = true;
        added.sent = false;
        modules_[count_++] = added;
    }
    if (unloaded) {
        epoch_.fetch_add(1, std::memory_order_relaxed);
    }
    pthread_mutex_unlock(&collectLock_);
}

void ModuleTable::release() {
    pthread_mutex_unlock(&collectLock_);
}

ModuleTable::Module* ModuleTable::find(std::uint64_t address) {
    for (std::uint32_t i = 0; i < count_; ++i) {
        Module& module = modules_[i];
        if (module.loaded && address >= module.startAddress && address < module.endAddress) {
            return &module;
        }
    }
    return nullptr;
}

bool ModuleTable::rangeOf(const void* address, std::uint64_t& start, std::uint64_t& end) {
    RangeQuery query{reinterpret_cast<std::uint64_t>(address), 0, 0, false};
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* context) {
            auto& query = *static_cast<RangeQuery*>(context);
            std::uint64_t from;
            std::uint64_t to;
            segmentRange(*info, from, to);
            if (query.address >= from && query.address < to) {
                query.start = from;
                query.end = to;
                query.found = true;
                return 1;
            }
            return 0;
        },
        &query);
    start = query.start;
    end = query.end;
    return query.found;
}

const char* ModuleTable::keepPath(const char* path, std::size_t bytes) {
    if (pathsUsed_ + bytes > kPathPoolBytes) {
        return nullptr;
    }
    char* kept = paths_ + pathsUsed_;
    std::memcpy(kept, path, bytes);
    pathsUsed_ += bytes;
    return kept;
}

}  // namespace poolscope::preload
