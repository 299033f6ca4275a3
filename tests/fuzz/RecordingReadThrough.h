#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "recording/RecordingReader.h"

namespace poolscope::testing {

// Reads a recording through every query the window makes: events and snapshots page by page,
// the left-behind allocations, the stacks they and the events name, the modules. A damaged
// file raises RecordingError; what comes back is what was inconsistent in what was read
// (empty when nothing was). Shared by RecordingReaderFuzzer and RecordingCorpusTest.
inline std::string readThrough(const std::string& path) {
    // Small pages, so that paging itself is exercised on small files.
    constexpr std::size_t kPageRows = 64;
    // Naming a stack can read module files from disk: a few per file keep each read quick.
    constexpr std::size_t kMaxStacks = 16;

    const RecordingReader reader(path);
    std::set<StackId> stacks;
    const auto pagesGoOn = [&](auto read, const char* what) -> std::string {
        std::int64_t after = 0;
        for (;;) {
            const auto page = read(after);
            if (page.empty()) {
                return {};
            }
            for (const auto& row : page) {
                // A window following such pages would never reach the end.
                if (row.sequence <= after) {
                    return std::string(what) + " " + std::to_string(row.sequence) + " came after " +
                           std::to_string(after);
                }
                after = row.sequence;
                if constexpr (requires { row.event.stackId; }) {
                    if (stacks.size() < kMaxStacks) {
                        stacks.insert(row.event.stackId);
                    }
                }
            }
        }
    };
    std::string problem =
        pagesGoOn([&](std::int64_t after) { return reader.events(after, kPageRows); }, "event");
    if (problem.empty()) {
        problem = pagesGoOn([&](std::int64_t after) { return reader.snapshots(after, kPageRows); },
                            "snapshot");
    }
    for (const RecordedAllocation& leak : reader.leaks()) {
        if (stacks.size() < kMaxStacks) {
            stacks.insert(leak.stackId);
        }
    }
    for (const StackId stackId : stacks) {
        reader.stack(stackId);
    }
    return problem;
}

}  // namespace poolscope::testing
