#include "recording/RecordingEventPages.h"

#include <future>

namespace poolscope {

void RecordingEventPages::forEach(
    const RecordingReader& reader,
    const std::function<void(const std::vector<RecordedEvent>&)>& visit) {
    // The next page is read while this one is visited: reading and decoding the event blocks
    // (or a version 2 recording's rows) and the visitor's work overlap, the reader used by one
    // thread at a time.
    const auto read = [&reader](std::int64_t afterSequence) {
        return std::async(std::launch::async, [&reader, afterSequence] {
            return reader.events(afterSequence, kEventsPerPage);
        });
    };
    std::future<std::vector<RecordedEvent>> next = read(0);
    for (;;) {
        const std::vector<RecordedEvent> page = next.get();
        if (page.empty()) {
            return;
        }
        next = read(page.back().sequence);
        visit(page);
    }
}

}  // namespace poolscope
