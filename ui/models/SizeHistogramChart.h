#pragma once

#include <QCoreApplication>
#include <QString>

#include <cstdint>
#include <vector>

#include "analysis/SizeHistogram.h"
#include "base/MemoryTier.h"

namespace poolscope {

// A size histogram as the Sizes page draws it: one bar per bucket, at 0, 1, 2, ..., coloured by
// where the default allocator puts requests of that size (the small-buffer pool, one pool chunk,
// or unpooled memory and groups of chunks), and the pool's thresholds as lines between bars.
// The buckets reach the thresholds even where no request was, so that the lines are always
// drawn and a run of small requests is seen to be far from a chunk.
class SizeHistogramChart {
    Q_DECLARE_TR_FUNCTIONS(SizeHistogramChart)

public:
    struct Bar {
        std::uint64_t fromBytes = 0;  // excluded (0 included by the first bucket)
        std::uint64_t toBytes = 0;    // included
        std::uint64_t requests = 0;
        std::uint64_t bytes = 0;
        MemoryTier tier = MemoryTier::Small;
    };
    struct Line {
        QString name;
        std::uint64_t bytes = 0;
        // On the bars' axis: bar i spans i - 0.5 to i + 0.5, a bucket's top at its right edge.
        double position = 0.0;
    };

    static SizeHistogramChart of(const std::vector<SizeHistogram::Bucket>& buckets,
                                 const std::vector<SizeHistogram::Threshold>& thresholds);

    const std::vector<Bar>& bars() const { return bars_; }
    const std::vector<Line>& lines() const { return lines_; }
    std::uint64_t requests() const { return requests_; }

    // The tiers the bars are coloured by, smallest requests first, and their legend names with
    // the threshold sizes in them.
    std::vector<MemoryTier> tiers() const;
    QString tierLabel(MemoryTier tier) const;
    // A bar's sizes, exact: "513 B – 1 KiB (513 to 1,024 bytes)".
    static QString rangeLabel(const Bar& bar);
    // Everything about one bar, exact, for its tooltip.
    QString toolTip(const Bar& bar) const;
    // A bucket edge as the axis writes it: "512 B", "1 KiB", "4 MiB".
    static QString edgeLabel(std::uint64_t bytes);

private:
    std::vector<Bar> bars_;
    std::vector<Line> lines_;
    std::vector<SizeHistogram::Threshold> thresholds_;
    std::uint64_t requests_ = 0;
};

}  // namespace poolscope
