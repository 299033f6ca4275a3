#include "models/LayoutComparisonModel.h"

#include "models/DisplayFormat.h"

namespace poolscope {

namespace {

QString yesNo(bool value) {
    return value ? QObject::tr("yes") : QObject::tr("no");
}

}  // namespace

LayoutComparisonModel::LayoutComparisonModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayoutComparisonModel::setComparisons(std::vector<ImageLayoutComparison> comparisons,
                                           std::optional<std::int64_t> poolSizeMegabytes) {
    beginResetModel();
    comparisons_ = std::move(comparisons);
    poolSizeMegabytes_ = poolSizeMegabytes;
    endResetModel();
}

ImageLayoutRequest LayoutComparisonModel::requestFor(int row) const {
    const ImageLayoutComparison& image = comparisons_.at(static_cast<std::size_t>(row));
    ImageLayoutRequest request;
    request.width = image.width;
    request.height = image.height;
    // The scenario decodes into Rgba32.
    request.bytesPerPixel = 4;
    request.maximumPoolSizeMegabytes = poolSizeMegabytes_;
    return request;
}

int LayoutComparisonModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(comparisons_.size());
}

int LayoutComparisonModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayoutComparisonModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || role != Qt::DisplayRole) {
        return {};
    }
    const ImageLayoutComparison& image = comparisons_[static_cast<std::size_t>(index.row())];
    switch (index.column()) {
        case ImageColumn:
            return QString::fromStdString(image.file);
        case SizeColumn:
            return QStringLiteral("%1 × %2").arg(image.width).arg(image.height);
        case DefaultChunksColumn:
            return image.discontiguous.chunks;
        case DefaultRowsPerChunkColumn:
            return static_cast<qlonglong>(image.discontiguous.rowsPerChunk);
        case DefaultSingleSpanColumn:
            return yesNo(image.discontiguous.singlePixelMemory);
        case DefaultUnpooledColumn:
            return DisplayFormat::bytes(image.discontiguous.unpooledBytes);
        case ContiguousChunksColumn:
            return image.contiguous.chunks;
        case ContiguousSingleSpanColumn:
            return yesNo(image.contiguous.singlePixelMemory);
        case ContiguousUnpooledColumn:
            return DisplayFormat::bytes(image.contiguous.unpooledBytes);
        default:
            return {};
    }
}

QVariant LayoutComparisonModel::headerData(int section, Qt::Orientation orientation,
                                           int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    static const char* const kTitles[ColumnCount] = {QT_TR_NOOP("Image"),
                                                     QT_TR_NOOP("Size"),
                                                     QT_TR_NOOP("Default: chunks"),
                                                     QT_TR_NOOP("Default: rows per chunk"),
                                                     QT_TR_NOOP("Default: one span"),
                                                     QT_TR_NOOP("Default: unpooled"),
                                                     QT_TR_NOOP("Contiguous: chunks"),
                                                     QT_TR_NOOP("Contiguous: one span"),
                                                     QT_TR_NOOP("Contiguous: unpooled")};
    return section >= 0 && section < ColumnCount ? tr(kTitles[section]) : QVariant();
}

}  // namespace poolscope
