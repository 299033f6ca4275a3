#pragma once

#include <QCoreApplication>
#include <QString>

#include <cstdint>
#include <vector>

#include "session/LayoutCalculation.h"
#include "session/SessionSnapshot.h"

namespace poolscope {

// One chunk of an image buffer as the layout view draws it: a band as tall as its share of the
// bytes, with a heading and a line of details.
struct LayoutBand {
    std::uint64_t bytes = 0;
    QString heading;  // "Chunk 2 of 3 · rows 262–523 (262 rows)"
    QString details;  // bytes, address, tier or slot
    MemoryTier tier = MemoryTier::Pooled;
};

// How an image buffer lies in memory, in words and bands, worked out without widgets: for a
// live allocation (gathering an unpooled image's chunk allocations and the rows each chunk
// holds), or for a request the calculator answers without allocating.
struct ImageLayoutDescription {
    Q_DECLARE_TR_FUNCTIONS(ImageLayoutDescription)

public:
    QString title;                  // what is shown, in one line
    QString singlePixelText;        // what dangerousTryGetSinglePixelMemory returns, and why
    QString emptyText;              // shown in place of the bands when there are none
    std::vector<LayoutBand> bands;  // top to bottom in row order
    quint64 shownAllocation = 0;    // 0 for a calculation or when nothing is live

    // The `selected` allocation of `table`; while nothing is selected, or the selection is no
    // longer live, the largest live image buffer (the largest allocation when no image is
    // live). A null table: nothing allocated yet.
    static ImageLayoutDescription ofAllocation(const AllocationTable* table, quint64 selected);
    // The layout the default allocator would give `request`, or why it gives none.
    static ImageLayoutDescription ofRequest(const ImageLayoutRequest& request);
};

}  // namespace poolscope
