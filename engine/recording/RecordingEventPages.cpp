#include "recording/RecordingEventPages.h"

namespace poolscope {

void RecordingEventPages::forEach(
    const RecordingReader& reader,
    const std::function<void(const std::vector<RecordedEvent>&)>& visit) {
    std::int64_t sequence = 0;
    for (;;) {
        const std::vector<RecordedEvent> page = reader.events(sequence, kEventsPerPage);
        if (page.empty()) {
            return;
        }
        visit(page);
        sequence = page.back().sequence;
    }
}

}  // namespace poolscope
