#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "recording/RecordingReader.h"

namespace poolscope {

// A recording's events read page by page, in order, so that a recording of a gigabyte is never
// held in memory whole: one reading for the report and every analysis of a recording. The
// next page is read on a thread of its own while `visit` works on the one before, so `visit`
// must not read from `reader` itself.
class RecordingEventPages {
public:
    static constexpr std::size_t kEventsPerPage = 65536;

    static void forEach(const RecordingReader& reader,
                        const std::function<void(const std::vector<RecordedEvent>&)>& visit);
};

}  // namespace poolscope
