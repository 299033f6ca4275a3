#include "diagnostics/ModuleMap.h"

#include <elf.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace poolscope {

namespace {

std::string executablePath() {
    char path[PATH_MAX];
    const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
    return length > 0 ? std::string(path, static_cast<std::size_t>(length)) : std::string();
}

// The NT_GNU_BUILD_ID note of a loaded module, read from its mapped PT_NOTE segments.
std::string buildIdOf(const dl_phdr_info& info) {
    for (int i = 0; i < info.dlpi_phnum; ++i) {
        const ElfW(Phdr)& header = info.dlpi_phdr[i];
        if (header.p_type != PT_NOTE) {
            continue;
        }
        const auto* note = reinterpret_cast<const unsigned char*>(info.dlpi_addr + header.p_vaddr);
        const unsigned char* const end = note + header.p_memsz;
        const std::size_t align = header.p_align == 8 ? 8 : 4;
        auto aligned = [align](std::size_t size) { return (size + align - 1) & ~(align - 1); };
        while (note + sizeof(ElfW(Nhdr)) <= end) {
            ElfW(Nhdr) nhdr;
            std::memcpy(&nhdr, note, sizeof nhdr);
            const unsigned char* name = note + sizeof nhdr;
            const unsigned char* desc = name + aligned(nhdr.n_namesz);
            if (desc + nhdr.n_descsz > end) {
                break;
            }
            if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 &&
                std::memcmp(name, "GNU", 4) == 0) {
                static constexpr char kHex[] = "0123456789abcdef";
                std::string hex;
                for (std::size_t b = 0; b < nhdr.n_descsz; ++b) {
                    hex += kHex[desc[b] >> 4];
                    hex += kHex[desc[b] & 15];
                }
                return hex;
            }
            note = desc + aligned(nhdr.n_descsz);
        }
    }
    return {};
}

}  // namespace

ModuleMap& ModuleMap::instance() {
    static ModuleMap map;
    return map;
}

std::optional<ModuleLocation> ModuleMap::locate(std::uint64_t address) {
    std::lock_guard lock(mutex_);
    if (std::optional<ModuleLocation> known = find(address)) {
        return known;
    }
    list();
    return find(address);
}

LoadedModule ModuleMap::module(std::uint32_t index) const {
    std::lock_guard lock(mutex_);
    return index < modules_.size() ? modules_[index] : LoadedModule{};
}

std::vector<LoadedModule> ModuleMap::modules() const {
    std::lock_guard lock(mutex_);
    return modules_;
}

std::optional<ModuleLocation> ModuleMap::find(std::uint64_t address) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), address,
                               [](std::uint64_t a, const Segment& s) { return a < s.start; });
    if (it == segments_.begin()) {
        return std::nullopt;
    }
    --it;
    if (address >= it->end) {
        return std::nullopt;
    }
    return ModuleLocation{it->module, address - modules_[it->module].loadAddress};
}

void ModuleMap::list() {
    struct Listing {
        ModuleMap* map;
        std::string executable;
    } listing{this, executablePath()};
    segments_.clear();
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* data) {
            auto& [map, executable] = *static_cast<Listing*>(data);
            LoadedModule module;
            // The executable is listed first, without a name.
            module.path = (info->dlpi_name != nullptr && info->dlpi_name[0] != '\0')
                              ? std::string(info->dlpi_name)
                              : executable;
            module.loadAddress = info->dlpi_addr;
            module.buildId = buildIdOf(*info);
            auto known = std::find_if(
                map->modules_.begin(), map->modules_.end(), [&](const LoadedModule& m) {
                    return m.path == module.path && m.loadAddress == module.loadAddress;
                });
            const auto index = static_cast<std::uint32_t>(known - map->modules_.begin());
            if (known == map->modules_.end()) {
                map->modules_.push_back(std::move(module));
            }
            for (int i = 0; i < info->dlpi_phnum; ++i) {
                const ElfW(Phdr)& header = info->dlpi_phdr[i];
                if (header.p_type == PT_LOAD) {
                    const std::uint64_t start = info->dlpi_addr + header.p_vaddr;
                    map->segments_.push_back({start, start + header.p_memsz, index});
                }
            }
            return 0;
        },
        &listing);
    std::sort(segments_.begin(), segments_.end(),
              [](const Segment& a, const Segment& b) { return a.start < b.start; });
}

}  // namespace poolscope
