#include "SizeHistogramChart.h"

#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/DisplayFormat.h"

namespace poolscope {

namespace {

constexpr std::uint64_t kLargestEdge = std::uint64_t{1} << 63;

MemoryTier tierOf(std::uint64_t toBytes, const std::vector<SizeHistogram::Threshold>& thresholds) {
    const auto below = std::count_if(
        thresholds.begin(), thresholds.end(),
        [toBytes](const SizeHistogram::Threshold& threshold) { return threshold.bytes < toBytes; });
    return below == 0 ? MemoryTier::Small : below == 1 ? MemoryTier::Pooled : MemoryTier::Unpooled;
}

}  // namespace

SizeHistogramChart SizeHistogramChart::of(const std::vector<SizeHistogram::Bucket>& buckets,
                                          const std::vector<SizeHistogram::Threshold>& thresholds) {
    SizeHistogramChart chart;
    chart.thresholds_ = thresholds;
    std::sort(chart.thresholds_.begin(), chart.thresholds_.end(),
              [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
    for (const SizeHistogram::Bucket& bucket : buckets) {
        chart.bars_.push_back({bucket.fromBytes, bucket.toBytes, bucket.requests, bucket.bytes});
        chart.requests_ += bucket.requests;
    }
    if (chart.bars_.empty() || chart.thresholds_.empty()) {
        return chart;
    }
    // Buckets double, so the edges stay powers of two whichever way they are added.
    const std::uint64_t smallest = chart.thresholds_.front().bytes;
    const std::uint64_t largest = chart.thresholds_.back().bytes;
    while (chart.bars_.back().toBytes < largest && chart.bars_.back().toBytes < kLargestEdge) {
        const std::uint64_t from = chart.bars_.back().toBytes;
        chart.bars_.push_back({from, from * 2, 0, 0});
    }
    while (chart.bars_.front().fromBytes >= smallest && chart.bars_.front().fromBytes > 1) {
        const std::uint64_t to = chart.bars_.front().fromBytes;
        chart.bars_.insert(chart.bars_.begin(), Bar{to / 2, to, 0, 0});
    }
    for (Bar& bar : chart.bars_) {
        bar.tier = tierOf(bar.toBytes, chart.thresholds_);
    }
    for (const SizeHistogram::Threshold& threshold : chart.thresholds_) {
        for (std::size_t i = 0; i < chart.bars_.size(); ++i) {
            const Bar& bar = chart.bars_[i];
            if (threshold.bytes <= bar.fromBytes || threshold.bytes > bar.toBytes) {
                continue;
            }
            // A threshold that is not a power of two sits inside its bucket, where it would on
            // the doubling scale.
            const double within = threshold.bytes == bar.toBytes || bar.fromBytes == 0
                                      ? 1.0
                                      : std::log2(static_cast<double>(threshold.bytes) /
                                                  static_cast<double>(bar.fromBytes)) /
                                            std::log2(static_cast<double>(bar.toBytes) /
                                                      static_cast<double>(bar.fromBytes));
            chart.lines_.push_back({QString::fromStdString(threshold.name), threshold.bytes,
                                    static_cast<double>(i) - 0.5 + within});
        }
    }
    return chart;
}

std::vector<MemoryTier> SizeHistogramChart::tiers() const {
    return {MemoryTier::Small, MemoryTier::Pooled, MemoryTier::Unpooled};
}

QString SizeHistogramChart::tierLabel(MemoryTier tier) const {
    if (thresholds_.size() < 2) {
        return DisplayFormat::tierDescription(tier);
    }
    switch (tier) {
        case MemoryTier::Small:
            return tr("Small-buffer pool (up to %1)").arg(edgeLabel(thresholds_[0].bytes));
        case MemoryTier::Pooled:
            return tr("One pool chunk (up to %1)").arg(edgeLabel(thresholds_[1].bytes));
        case MemoryTier::Unpooled:
            return tr("Unpooled or a group of chunks (over %1)")
                .arg(edgeLabel(thresholds_[1].bytes));
        default:
            return DisplayFormat::tierDescription(tier);
    }
}

QString SizeHistogramChart::rangeLabel(const Bar& bar) {
    const QLocale locale;
    const QString largest = locale.toString(static_cast<qulonglong>(bar.toBytes));
    if (bar.fromBytes == 0) {
        return tr("Up to %1 (0 to %2 bytes)").arg(edgeLabel(bar.toBytes), largest);
    }
    return tr("Over %1, up to %2 (%3 to %4 bytes)")
        .arg(edgeLabel(bar.fromBytes), edgeLabel(bar.toBytes),
             locale.toString(static_cast<qulonglong>(bar.fromBytes + 1)), largest);
}

QString SizeHistogramChart::toolTip(const Bar& bar) const {
    const QString requests =
        bar.requests == 1
            ? tr("1 request")
            : tr("%1 requests").arg(QLocale().toString(static_cast<qulonglong>(bar.requests)));
    return tr("%1\n%2, %3 in all\n%4")
        .arg(rangeLabel(bar), requests, DisplayFormat::exactBytes(bar.bytes), tierLabel(bar.tier));
}

QString SizeHistogramChart::edgeLabel(std::uint64_t bytes) {
    static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    std::uint64_t value = bytes;
    std::size_t unit = 0;
    while (value >= 1024 && value % 1024 == 0 && unit + 1 < std::size(kUnits)) {
        value /= 1024;
        ++unit;
    }
    if (value >= 1024) {
        return DisplayFormat::bytes(bytes);
    }
    return QStringLiteral("%1 %2").arg(value).arg(QLatin1String(kUnits[unit]));
}

}  // namespace poolscope
