#pragma once

#include <cstddef>
#include <cstdint>

namespace poolscope::preload {

// Call stacks seen so far, each with its id, so that a stack crosses the pipe once. An
// open-addressing table on the interposer's own pages; the caller holds the channel's append
// lock for find and insert.
class StackTable {
public:
    struct Entry {
        std::uint64_t hash;
        const std::uint64_t* frames;  // innermost first
        std::uint32_t id;
        std::uint32_t depth;
        bool sent;
    };

    bool initialize();

    // `epoch` changes when a module is unloaded: an address may then lie in another module, so
    // the same addresses make a new stack, announced with the modules of now.
    static std::uint64_t hash(const std::uint64_t* frames, std::uint32_t depth,
                              std::uint32_t epoch);

    // The entry for this stack, made if it is new (sent false), or nullptr when out of memory.
    Entry* intern(const std::uint64_t* frames, std::uint32_t depth, std::uint64_t hash);

private:
    bool grow();
    const std::uint64_t* keep(const std::uint64_t* frames, std::uint32_t depth);

    Entry* slots_ = nullptr;
    std::size_t capacity_ = 0;
    std::size_t count_ = 0;
    std::uint32_t nextId_ = 1;
    std::uint64_t* frameChunk_ = nullptr;
    std::size_t frameChunkLeft_ = 0;
};

}  // namespace poolscope::preload
