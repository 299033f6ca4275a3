#include "native/ReachabilityScan.h"

#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
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

// `region` without the parts `sorted` blocks cover, into `out`. The kernel merges a mapping the
// program made into the anonymous bss before it when their permissions agree, so a module's
// bss and the program's own blocks can share one region of /proc/PID/maps.
void addUncovered(const ReachabilityScan::Region& region,
                  const std::vector<ReachabilityScan::Block>& sorted,
                  std::vector<ReachabilityScan::Region>& out) {
    auto it = std::upper_bound(sorted.begin(), sorted.end(), region.start,
                               [](std::uint64_t address, const ReachabilityScan::Block& block) {
                                   return address < block.address;
                               });
    if (it != sorted.begin()) {
        --it;
    }
    std::uint64_t from = region.start;
    for (; it != sorted.end() && it->address < region.end; ++it) {
        const std::uint64_t blockEnd = it->address + it->bytes;
        if (blockEnd <= from) {
            continue;
        }
        if (it->address > from) {
            ReachabilityScan::Region part = region;
            part.start = from;
            part.end = it->address;
            out.push_back(std::move(part));
        }
        from = std::max(from, blockEnd);
    }
    if (from < region.end) {
        ReachabilityScan::Region part = region;
        part.start = from;
        out.push_back(std::move(part));
    }
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
        region.inaccessible = permissions.rfind("---", 0) == 0;
        std::getline(fields >> std::ws, region.path);
        regions.push_back(std::move(region));
    }
    return regions;
}

std::vector<ReachabilityScan::Region> ReachabilityScan::roots(
    const std::vector<Region>& regions, const std::vector<Block>& blocks, std::uint64_t startBrk,
    const std::vector<std::uint64_t>& threadPointers) {
    std::vector<Region> roots;
    const auto window = [&](const Region& region, std::uint64_t from, std::uint64_t to) {
        Region part = region;
        part.start = std::max(region.start, from);
        part.end = std::min(region.end, to);
        if (part.start < part.end) {
            addUncovered(part, blocks, roots);
        }
    };
    const Region* before = nullptr;
    for (const Region& region : regions) {
        if (region.writable) {
            for (const std::uint64_t pointer : threadPointers) {
                if (pointer >= region.start && pointer < region.end) {
                    window(region, pointer > kThreadLocalBytes ? pointer - kThreadLocalBytes : 0,
                           pointer + kThreadDescriptorBytes);
                }
            }
            const bool threadStack = region.path.empty() && before != nullptr &&
                                     before->inaccessible && before->end == region.start;
            if (threadStack) {
                window(region, region.end - std::min(region.end, kThreadLocalBytes), region.end);
            }
        }
        before = &region;
    }
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
        if (region.writable && !interposer && (file || (region.path.empty() && afterFile))) {
            addUncovered(region, blocks, roots);
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

std::uint64_t ReachabilityScan::threadPointerOf(pid_t tracedThread) {
#if defined(__x86_64__)
    user_regs_struct registers{};
    if (::ptrace(PTRACE_GETREGS, tracedThread, nullptr, &registers) == 0) {
        return registers.fs_base;
    }
#else
    (void)tracedThread;
#endif
    return 0;
}

std::vector<AllocationId> ReachabilityScan::reachable(
    pid_t pid, std::vector<Block> blocks, const std::vector<std::uint64_t>& threadPointers) {
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
    for (const Region& root : roots(regions, blocks, startBrk, threadPointers)) {
        marker.scan(root.start, root.end);
    }
    marker.flood();
    ::close(memory);
    return marker.reached();
}

}  // namespace poolscope
