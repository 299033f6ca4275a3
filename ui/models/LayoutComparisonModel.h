#pragma once

#include <QAbstractTableModel>

#include <cstdint>
#include <optional>
#include <vector>

#include "memory/LayoutCalculator.h"
#include "scenarios/Scenario.h"

namespace poolscope {

// contiguous-vs-discontiguous image by image: how each image's pixels lay under the default
// configuration and under preferContiguousImageBuffers (chunks, rows per chunk, one span or
// not, bytes that went unpooled).
class LayoutComparisonModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        ImageColumn,
        SizeColumn,
        DefaultChunksColumn,
        DefaultRowsPerChunkColumn,
        DefaultSingleSpanColumn,
        DefaultUnpooledColumn,
        ContiguousChunksColumn,
        ContiguousSingleSpanColumn,
        ContiguousUnpooledColumn,
        ColumnCount
    };

    explicit LayoutComparisonModel(QObject* parent = nullptr);

    // poolSizeMegabytes: the pool the run used, so that a calculated layout is the run's.
    void setComparisons(std::vector<ImageLayoutComparison> comparisons,
                        std::optional<std::int64_t> poolSizeMegabytes);
    const std::vector<ImageLayoutComparison>& comparisons() const { return comparisons_; }
    // The image of a row under the default configuration, for the layout calculator.
    ImageLayoutRequest requestFor(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<ImageLayoutComparison> comparisons_;
    std::optional<std::int64_t> poolSizeMegabytes_;
};

}  // namespace poolscope
