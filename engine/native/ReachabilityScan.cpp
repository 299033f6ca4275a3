#include "native/ReachabilityScan.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "native/ProcText.h"

namespace poolscope {

namespace {

constexpr std::size_t kReadBytes = std::size_t{1} << 20;
// Past this a block's contents are not read: a huge mapping holds pixels, not pointers.
constexpr std::uint64_t kMaxScannedBlockBytes = std::uint64_t{64} << 20;
constexpr std::uint64_t kChunkHeaderBytes = 8;

bool overlaps(std::uint64_t start, std::uint64_t end,
              const std::vector<ReachabilityScan::Block>& sorted) {
    auto it = std::upper_bound(sorted.begin(), sorted.end(), start,
                               [](std::uint64_t address, const ReachabilityScan::Block& block) {
                                   return address < block.address;
                               });
    if (it != sorted.begin() && std::prev(it)->address + std::prev(it)->bytes > start) {
        return true;
    }
    return it != sorted.end() && it->address < end;
}

class Marker {
public:
    Marker(int memory, std::vector<ReachabilityScan::Block>& blocks)
        : memory_(memory), blocks_(blocks), marked_(blocks.size(), false) {}

    void pointer(std::uint64_t value) {
        auto it = std::upper_bound(blocks_.begin(), blocks_.end(), value,
                                   [](std::uint64_t address, const ReachabilityScan::Block& block) {
                                       return address < block.address;
                                   });
        if (it == blocks_.begin()) {
            return;
        }
        --it;
        const auto index = static_cast<std::size_t>(it - blocks_.begin());
        // glibc's allocator keeps pointers to its free chunks' headers, which lie in the last
        // 8 bytes of the block before them: those are not the program's pointers.
        const bool inside =
            value == it->address ||
            (it->bytes > kChunkHeaderBytes && value < it->address + it->bytes - kChunkHeaderBytes);
        if (inside && !marked_[index]) {
            marked_[index] = true;
            pending_.push_back(index);
        }
    }

    void scan(std::uint64_t start, std::uint64_t end) {
        start = (start + 7) & ~std::uint64_t{7};
        std::vector<std::uint64_t> words(kReadBytes / sizeof(std::uint64_t));
        while (start + sizeof(std::uint64_t) <= end) {
            const std::size_t want = static_cast<std::size_t>(
                std::min<std::uint64_t>(kReadBytes, (end - start) & ~std::uint64_t{7}));
            const ssize_t got = ::pread(memory_, words.data(), want, static_cast<off_t>(start));
            if (got <= 0) {
                return;  // unreadable memory holds no pointers to follow
            }
            for (std::size_t i = 0; i < static_cast<std::size_t>(got) / sizeof(std::uint64_t);
                 ++i) {
                pointer(words[i]);
            }
            start += static_cast<std::uint64_t>(got);
        }
    }

    void flood() {
        while (!pending_.empty()) {
            const ReachabilityScan::Block block = blocks_[pending_.back()];
            pending_.pop_back();
            scan(block.address, block.address + std::min(block.bytes, kMaxScannedBlockBytes));
        }
    }

    std::vector<AllocationId> reached() const {
        std::vector<AllocationId> ids;
        for (std::size_t i = 0; i < blocks_.size(); ++i) {
            if (marked_[i]) {
                ids.push_back(blocks_[i].id);
            }
        }
        return ids;
    }

private:
    int memory_;
    std::vector<ReachabilityScan::Block>& blocks_;
    std::vector<bool> marked_;
    std::vector<std::size_t> pending_;
};

}  // namespace

std::vector<ReachabilityScan::Region> ReachabilityScan::parseMaps(const std::string& text) {
    std::vector<Region> regions;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string range;
        std::string permissions;
        std::string offset;
        std::string device;
        std::string inode;
        if (!(fields >> range >> permissions >> offset >> device >> inode)) {
            continue;
        }
        Region region;
        const auto dash = range.find('-');
        if (dash == std::string::npos) {
            continue;
        }
        region.start = std::stoull(range.substr(0, dash), nullptr, 16);
        region.end = std::stoull(range.substr(dash + 1), nullptr, 16);
        region.writable = permissions.size() > 1 && permissions[0] == 'r' && permissions[1] == 'w';
        std::getline(fields >> std::ws, region.path);
        regions.push_back(std::move(region));
    }
    return regions;
}

std::vector<ReachabilityScan::Region> ReachabilityScan::roots(const std::vector<Region>& regions,
                                                              const std::vector<Block>& blocks,
                                                              std::uint64_t startBrk) {
    std::vector<Region> roots;
    const Region* previous = nullptr;
    for (const Region& region : regions) {
        if (region.path == "[heap]" && region.writable && region.start < startBrk) {
            Region bss = region;
            bss.end = std::min(region.end, startBrk);
            bss.path.clear();
            roots.push_back(std::move(bss));
        }
        const bool file = !region.path.empty() && region.path.front() != '[';
        const bool afterFile = previous && previous->end == region.start &&
                               !previous->path.empty() && previous->path.front() != '[';
        const bool interposer =
            region.path.find("libpoolscope_preload") != std::string::npos ||
            (afterFile && previous->path.find("libpoolscope_preload") != std::string::npos);
        if (region.writable && !interposer && (file || (region.path.empty() && afterFile)) &&
            !overlaps(region.start, region.end, blocks)) {
            roots.push_back(region);
        }
        // The bss of a module follows the module's last file mapping, itself maybe anonymous.
        if (file || region.path.empty()) {
            previous = file ? &region : nullptr;
        } else {
            previous = nullptr;
        }
    }
    return roots;
}

std::vector<AllocationId> ReachabilityScan::reachable(pid_t pid, std::vector<Block> blocks) {
    std::sort(blocks.begin(), blocks.end(),
              [](const Block& a, const Block& b) { return a.address < b.address; });
    const std::string proc = "/proc/" + std::to_string(pid);
    std::ifstream maps(proc + "/maps");
    if (!maps) {
        throw std::runtime_error("cannot read " + proc + "/maps");
    }
    std::ostringstream text;
    text << maps.rdbuf();
    const std::vector<Region> regions = parseMaps(text.str());
    std::ifstream statFile(proc + "/stat");
    if (!statFile) {
        throw std::runtime_error("cannot read " + proc + "/stat");
    }
    std::ostringstream stat;
    stat << statFile.rdbuf();
    const std::uint64_t startBrk = ProcText::parseStatStartBrk(stat.str());

    const int memory = ::open((proc + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    if (memory < 0) {
        throw std::runtime_error("cannot read " + proc + "/mem: " + std::strerror(errno));
    }
    Marker marker(memory, blocks);
    for (const Region& root : roots(regions, blocks, startBrk)) {
        marker.scan(root.start, root.end);
    }
    marker.flood();
    ::close(memory);
    return marker.reached();
}

}  // namespace poolscope
