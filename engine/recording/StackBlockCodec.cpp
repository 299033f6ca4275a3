#include "recording/StackBlockCodec.h"

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <unordered_set>

#include "recording/RecordingError.h"

namespace poolscope {

namespace {

// zstd's level for stack blocks: they are few and small, so a better ratio costs nothing
// noticeable.
constexpr int kLevel = 6;
// No block decompresses to more: a larger size read from a file is damage, refused before
// anything is allocated for it.
constexpr unsigned long long kMaxBlockBytes = 64ull << 20;
constexpr std::size_t kMaxVarintBytes = 10;

void putVarint(std::vector<unsigned char>& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<unsigned char>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<unsigned char>(value));
}

std::uint64_t zigzag(std::uint64_t value, std::uint64_t previous) {
    const auto step = static_cast<std::int64_t>(value - previous);
    return (static_cast<std::uint64_t>(step) << 1) ^ static_cast<std::uint64_t>(step >> 63);
}

std::uint64_t unzigzag(std::uint64_t coded, std::uint64_t previous) {
    const std::uint64_t step = (coded >> 1) ^ (~(coded & 1) + 1);
    return previous + step;
}

struct Damage {
    std::string problem;
};

class Reader {
public:
    explicit Reader(std::span<const unsigned char> bytes)
        : at_(bytes.data()), end_(at_ + bytes.size()) {}
    std::uint64_t next() {
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < kMaxVarintBytes; ++i) {
            if (at_ == end_) {
                throw Damage{"ends early"};
            }
            const unsigned char byte = *at_++;
            value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
            if ((byte & 0x80) == 0) {
                return value;
            }
        }
        throw Damage{"holds a number longer than 64 bits"};
    }
    std::size_t left() const { return static_cast<std::size_t>(end_ - at_); }

private:
    const unsigned char* at_;
    const unsigned char* end_;
};

std::uint64_t baseOf(const LocatedFrame& frame) {
    return frame.location ? frame.address - frame.location->offset : 0;
}

}  // namespace

StackBlockCodec::StackBlockCodec() = default;
StackBlockCodec::~StackBlockCodec() = default;

std::uint32_t StackBlockCodec::addressOf(const LocatedFrame& frame) {
    const auto [it, added] =
        addressIndex_.try_emplace(frame.address, static_cast<std::uint32_t>(addresses_.size()));
    if (added) {
        addresses_.push_back(frame);
    }
    return it->second;
}

void StackBlockCodec::add(StackId stackId, const std::vector<LocatedFrame>& frames) {
    if (stacks_.contains(stackId)) {
        return;
    }
    // From the outermost frame in, along the nodes that exist, then new ones.
    std::uint32_t node = 0;
    for (auto frame = frames.rbegin(); frame != frames.rend(); ++frame) {
        const std::uint32_t address = addressOf(*frame);
        const std::uint64_t key = (std::uint64_t{node} << 32) | address;
        const auto [child, added] =
            childIndex_.try_emplace(key, static_cast<std::uint32_t>(nodes_.size()));
        if (added) {
            nodes_.push_back({node, address});
        }
        node = child->second + 1;
    }
    stacks_.emplace(stackId, node);
    order_.push_back(stackId);
}

std::vector<unsigned char> StackBlockCodec::encode() const {
    std::vector<unsigned char> raw;
    putVarint(raw, pendingStacks());
    std::size_t nodeCount = committedNodes_;
    std::size_t addressCount = committedAddresses_;
    std::uint64_t previousStack = 0;
    std::uint64_t previousAddress = 0;
    std::unordered_map<std::uint32_t, std::uint64_t> moduleBases;
    for (std::size_t s = committedStacks_; s < order_.size(); ++s) {
        const StackId stackId = order_[s];
        putVarint(raw, zigzag(stackId, previousStack));
        previousStack = stackId;
        // The nodes this stack added follow nodeCount; it hangs them from the deepest node
        // of its path that existed before.
        std::vector<std::uint32_t> added;
        std::uint32_t node = stacks_.at(stackId);
        while (node > nodeCount) {
            added.push_back(node - 1);
            node = nodes_[node - 1].parent;
        }
        std::reverse(added.begin(), added.end());
        putVarint(raw, nodeCount - node);
        putVarint(raw, added.size());
        for (const std::uint32_t index : added) {
            const std::uint32_t address = nodes_[index].address;
            if (address < addressCount) {
                putVarint(raw, addressCount - address);
                continue;
            }
            // A new address, in the order add() met them: its value, its module and the
            // module's load address (the same for every address of the module).
            putVarint(raw, 0);
            const LocatedFrame& frame = addresses_[address];
            putVarint(raw, zigzag(frame.address, previousAddress));
            previousAddress = frame.address;
            putVarint(raw, frame.location ? std::uint64_t{frame.location->module} + 1 : 0);
            if (frame.location) {
                std::uint64_t& base = moduleBases[frame.location->module];
                putVarint(raw, zigzag(baseOf(frame), base));
                base = baseOf(frame);
            }
            ++addressCount;
        }
        nodeCount += added.size();
    }

    std::unique_ptr<ZSTD_CCtx, std::size_t (*)(ZSTD_CCtx*)> context(ZSTD_createCCtx(),
                                                                    ZSTD_freeCCtx);
    if (!context) {
        throw RecordingError("zstd could not make a compression context");
    }
    ZSTD_CCtx_setParameter(context.get(), ZSTD_c_compressionLevel, kLevel);
    // The checksum is how a reader tells a garbled block from a sound one.
    ZSTD_CCtx_setParameter(context.get(), ZSTD_c_checksumFlag, 1);
    std::vector<unsigned char> data(ZSTD_compressBound(raw.size()));
    const std::size_t written =
        ZSTD_compress2(context.get(), data.data(), data.size(), raw.data(), raw.size());
    if (ZSTD_isError(written)) {
        throw RecordingError(std::string("zstd could not compress a stack block: ") +
                             ZSTD_getErrorName(written));
    }
    data.resize(written);
    return data;
}

void StackBlockCodec::commit() {
    committedAddresses_ = addresses_.size();
    committedNodes_ = nodes_.size();
    committedStacks_ = order_.size();
}

void StackBlockCodec::discard() {
    for (std::size_t s = committedStacks_; s < order_.size(); ++s) {
        stacks_.erase(order_[s]);
    }
    order_.resize(committedStacks_);
    for (std::size_t n = committedNodes_; n < nodes_.size(); ++n) {
        childIndex_.erase((std::uint64_t{nodes_[n].parent} << 32) | nodes_[n].address);
    }
    nodes_.resize(committedNodes_);
    for (std::size_t a = committedAddresses_; a < addresses_.size(); ++a) {
        addressIndex_.erase(addresses_[a].address);
    }
    addresses_.resize(committedAddresses_);
}

void StackBlockCodec::decode(std::span<const unsigned char> data, std::int64_t stackCount,
                             int encoding, const std::string& path, std::int64_t block) {
    const auto refuse = [&](const std::string& problem) {
        return RecordingError(path + " is corrupt: its stack block " + std::to_string(block) + " " +
                              problem);
    };
    if (encoding != kEncoding) {
        throw refuse("has encoding " + std::to_string(encoding) + ", which this PoolScope " +
                     "does not know (it reads encoding " + std::to_string(kEncoding) + ")");
    }
    const unsigned long long declared = ZSTD_getFrameContentSize(data.data(), data.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN) {
        throw refuse("is not a zstd frame of known size (" + std::to_string(data.size()) +
                     " bytes)");
    }
    if (declared > kMaxBlockBytes) {
        throw refuse("claims " + std::to_string(declared) + " bytes, more than a block holds");
    }
    std::vector<unsigned char> raw(static_cast<std::size_t>(declared));
    const std::size_t got = ZSTD_decompress(raw.data(), raw.size(), data.data(), data.size());
    if (ZSTD_isError(got) || got != raw.size()) {
        throw refuse(std::string("does not decompress: ") +
                     (ZSTD_isError(got) ? ZSTD_getErrorName(got) : "it is short"));
    }
    // Read into the tables, then kept only if the whole block held up.
    const std::size_t addressesBefore = addresses_.size();
    const std::size_t nodesBefore = nodes_.size();
    std::vector<std::pair<StackId, std::uint32_t>> named;
    std::unordered_set<std::uint64_t> namedIds;
    try {
        Reader reader(raw);
        const std::uint64_t count = reader.next();
        if (stackCount < 1 || count != static_cast<std::uint64_t>(stackCount)) {
            throw Damage{"holds " + std::to_string(count) + " stacks where its row counts " +
                         std::to_string(stackCount)};
        }
        std::uint64_t previousStack = 0;
        std::uint64_t previousAddress = 0;
        std::unordered_map<std::uint32_t, std::uint64_t> moduleBases;
        for (std::uint64_t s = 0; s < count; ++s) {
            const std::uint64_t stackId = unzigzag(reader.next(), previousStack);
            previousStack = stackId;
            if (stackId == 0 || stackId > UINT32_MAX || stacks_.contains(stackId) ||
                !namedIds.insert(stackId).second) {
                throw Damage{"names stack " + std::to_string(stackId) +
                             ", which is no stack id or was named before"};
            }
            const std::uint64_t back = reader.next();
            if (back > nodes_.size()) {
                throw Damage{"hangs stack " + std::to_string(stackId) + " from a missing node"};
            }
            auto node = static_cast<std::uint32_t>(nodes_.size() - back);
            const std::uint64_t frames = reader.next();
            // Every frame takes at least a byte: a count past what is left is damage.
            if (frames > reader.left()) {
                throw Damage{"gives stack " + std::to_string(stackId) + " " +
                             std::to_string(frames) + " frames it does not hold"};
            }
            for (std::uint64_t f = 0; f < frames; ++f) {
                const std::uint64_t reference = reader.next();
                if (reference > addresses_.size()) {
                    throw Damage{"refers to an address no block defined"};
                }
                if (reference == 0) {
                    LocatedFrame frame;
                    frame.address = unzigzag(reader.next(), previousAddress);
                    previousAddress = frame.address;
                    const std::uint64_t module = reader.next();
                    if (module > UINT32_MAX) {
                        throw Damage{"names module " + std::to_string(module - 1) +
                                     ", which is no module id"};
                    }
                    if (module != 0) {
                        const auto index = static_cast<std::uint32_t>(module - 1);
                        std::uint64_t& base = moduleBases[index];
                        base = unzigzag(reader.next(), base);
                        frame.location = ModuleLocation{index, frame.address - base};
                    }
                    addresses_.push_back(frame);
                }
                const auto address = static_cast<std::uint32_t>(
                    reference == 0 ? addresses_.size() - 1 : addresses_.size() - reference);
                nodes_.push_back({node, address});
                node = static_cast<std::uint32_t>(nodes_.size());
            }
            named.emplace_back(static_cast<StackId>(stackId), node);
        }
        if (reader.left() != 0) {
            throw Damage{"holds " + std::to_string(reader.left()) + " bytes after its stacks"};
        }
    } catch (const Damage& damage) {
        addresses_.resize(addressesBefore);
        nodes_.resize(nodesBefore);
        throw refuse(damage.problem);
    }
    for (const auto& [stackId, node] : named) {
        stacks_.emplace(stackId, node);
        order_.push_back(stackId);
    }
    commit();
}

std::vector<LocatedFrame> StackBlockCodec::stack(StackId stackId) const {
    std::vector<LocatedFrame> frames;
    const auto it = stacks_.find(stackId);
    if (it == stacks_.end()) {
        return frames;
    }
    for (std::uint32_t node = it->second; node != 0; node = nodes_[node - 1].parent) {
        frames.push_back(addresses_[nodes_[node - 1].address]);
    }
    return frames;
}

std::vector<StackId> StackBlockCodec::stackIds() const {
    std::vector<StackId> ids(order_.begin(), order_.end());
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace poolscope
