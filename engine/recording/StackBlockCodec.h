#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "diagnostics/MemoryEvent.h"
#include "diagnostics/StackSource.h"

namespace poolscope {

// A recording's stacks (schema version 4, table stack_blocks) as a trace tree: every return
// address is stored once (with its module and offset), every stack is a path from the
// outermost frame to its innermost, and stacks that share their outer frames (main, the
// event loop, the allocator's own) share the tree's nodes. Each block holds the stacks first
// named by one commit of the writer, as the nodes and addresses they add to those of the
// blocks before it, varint-encoded and compressed with zstd with its checksum: a stack takes
// a few bytes where a row a frame took some twenty. Blocks are read in the order they were
// written; a block that refers to a node or an address no block before it defined, or that
// does not decode to exactly its stacks, is refused.
class StackBlockCodec {
public:
    // The encoding column of stack_blocks: 1 is this class's layout.
    static constexpr int kEncoding = 1;

    StackBlockCodec();
    ~StackBlockCodec();
    StackBlockCodec(const StackBlockCodec&) = delete;
    StackBlockCodec& operator=(const StackBlockCodec&) = delete;

    // Writing. A stack added is pending until commit() keeps it (its block was committed) or
    // discard() forgets it (its transaction rolled back), so that the next block names it again.
    bool contains(StackId stackId) const { return stacks_.contains(stackId); }
    void add(StackId stackId, const std::vector<LocatedFrame>& frames);
    std::size_t pendingStacks() const { return order_.size() - committedStacks_; }
    // The pending stacks as a block's bytes.
    std::vector<unsigned char> encode() const;
    void commit();
    void discard();

    // Reading: the stacks of the next block of `path` (number `block`), added to those read
    // before. Throws RecordingError naming the file and the block when it is damaged.
    void decode(std::span<const unsigned char> data, std::int64_t stackCount, int encoding,
                const std::string& path, std::int64_t block);
    // A stack's frames, innermost first; empty for a stack no block named.
    std::vector<LocatedFrame> stack(StackId stackId) const;
    // Every stack named, in ascending order.
    std::vector<StackId> stackIds() const;

private:
    struct Node {
        std::uint32_t parent = 0;  // 0: the root; otherwise the parent's index + 1
        std::uint32_t address = 0;
    };
    std::uint32_t addressOf(const LocatedFrame& frame);

    std::vector<LocatedFrame> addresses_;
    std::vector<Node> nodes_;
    std::unordered_map<StackId, std::uint32_t> stacks_;  // its innermost node + 1, 0 if empty
    std::vector<StackId> order_;                         // in the order added
    // Writer only: where each address and each child of a node is, to share them.
    std::unordered_map<std::uint64_t, std::uint32_t> addressIndex_;
    std::unordered_map<std::uint64_t, std::uint32_t> childIndex_;
    std::size_t committedAddresses_ = 0;
    std::size_t committedNodes_ = 0;
    std::size_t committedStacks_ = 0;
};

}  // namespace poolscope
