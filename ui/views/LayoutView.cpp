#include "views/LayoutView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontMetrics>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "imaging/PixelTypeId.h"
#include "memory/InvalidMemoryOperation.h"

namespace poolscope {

namespace {

QColor mix(const QColor& from, const QColor& to, double share) {
    const auto channel = [share](int a, int b) {
        return static_cast<int>(std::lround(a + (b - a) * share));
    };
    return QColor(channel(from.red(), to.red()), channel(from.green(), to.green()),
                  channel(from.blue(), to.blue()));
}

QString formatBytes(std::uint64_t bytes) {
    return QStringLiteral("%1 (%2 B)")
        .arg(QLocale().formattedDataSize(static_cast<qint64>(bytes), 2),
             QLocale().toString(static_cast<qulonglong>(bytes)));
}

QString formatCount(std::int64_t value) {
    return QLocale().toString(static_cast<qlonglong>(value));
}

QColor tierColour(MemoryTier tier) {
    switch (tier) {
        case MemoryTier::Pooled:
            return QColor(52, 120, 210);
        case MemoryTier::Small:
            return QColor(70, 170, 90);
        case MemoryTier::Unpooled:
            return QColor(230, 140, 40);
        case MemoryTier::Managed:
            return QColor(150, 80, 200);
        case MemoryTier::Heap:
            break;
    }
    return QColor(130, 130, 130);
}

QString tierText(MemoryTier tier) {
    switch (tier) {
        case MemoryTier::Pooled:
            return LayoutView::tr("pooled (4 MiB chunk pool)");
        case MemoryTier::Small:
            return LayoutView::tr("pooled (small-buffer pool)");
        case MemoryTier::Unpooled:
            return LayoutView::tr("unpooled (its own OS memory)");
        case MemoryTier::Heap:
            return LayoutView::tr("heap (not pooled)");
        case MemoryTier::Managed:
            return LayoutView::tr("managed heap array (not pooled)");
    }
    return {};
}

int bytesPerPixel(PixelTypeId type) {
    const PixelTypeInfo* const info = findPixelType(type);
    return info != nullptr ? info->bytesPerPixel() : 0;
}

QString pixelTypeText(PixelTypeId type) {
    const std::string_view name = pixelTypeName(type);
    return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
}

}  // namespace

// One band per chunk, top to bottom in row order, each as tall as its share of the bytes (but
// never too short for its label).
struct LayoutBand {
    std::uint64_t bytes = 0;
    QString heading;  // "Chunk 2 · rows 524–785 (262 rows)"
    QString details;  // bytes, address, tier or slot
    MemoryTier tier = MemoryTier::Pooled;
};

class LayoutBands : public QWidget {
public:
    explicit LayoutBands(QWidget* parent) : QWidget(parent) {
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    }

    void setBands(std::vector<LayoutBand> bands) {
        bands_ = std::move(bands);
        setMinimumHeight(static_cast<int>(bands_.size()) * (minimumBandHeight() + kGap) + 2);
        updateGeometry();
        update();
    }
    // Shown in place of the bands when there are none.
    void setEmptyText(const QString& text) {
        emptyText_ = text;
        update();
    }
    int count() const { return static_cast<int>(bands_.size()); }
    QStringList labels() const {
        QStringList labels;
        for (const LayoutBand& band : bands_) {
            labels << band.heading + QStringLiteral(" \u00b7 ") + band.details;
        }
        return labels;
    }

    QSize sizeHint() const override { return {600, 300}; }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter painter(this);
        const QPalette& colours = palette();
        const QColor base = colours.color(QPalette::Base);
        const QColor text = colours.color(QPalette::Text);
        painter.fillRect(rect(), base);
        if (bands_.empty()) {
            painter.setPen(colours.color(QPalette::PlaceholderText));
            painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap,
                             emptyText_);
            return;
        }
        std::uint64_t total = 0;
        for (const LayoutBand& band : bands_) {
            total += band.bytes;
        }
        const int minimum = minimumBandHeight();
        const int count = static_cast<int>(bands_.size());
        // Proportional heights, then the short ones raised to the minimum at the cost of the
        // tall ones.
        const int available = std::max(0, height() - 2 - count * kGap);
        std::vector<int> heights;
        int raised = 0;
        int proportionalTotal = 0;
        for (const LayoutBand& band : bands_) {
            const int proportional =
                total == 0 ? minimum
                           : static_cast<int>(static_cast<double>(band.bytes) / total * available);
            heights.push_back(proportional);
            if (proportional < minimum) {
                raised += minimum - proportional;
            } else {
                proportionalTotal += proportional;
            }
        }
        for (int& bandHeight : heights) {
            if (bandHeight < minimum) {
                bandHeight = minimum;
            } else if (proportionalTotal > 0) {
                const int share =
                    static_cast<int>(static_cast<double>(bandHeight) / proportionalTotal * raised);
                bandHeight = std::max(minimum, bandHeight - share);
            }
        }
        const QFontMetrics metrics(font());
        int y = 1;
        for (int i = 0; i < count; ++i) {
            const LayoutBand& band = bands_[static_cast<std::size_t>(i)];
            const QRect area(1, y, width() - 2, heights[static_cast<std::size_t>(i)]);
            const QColor colour = tierColour(band.tier);
            painter.fillRect(area, mix(base, colour, i % 2 == 0 ? 0.22 : 0.32));
            painter.fillRect(QRect(area.left(), area.top(), kStripe, area.height()), colour);
            painter.setPen(mix(base, colour, 0.7));
            painter.drawRect(area.adjusted(0, 0, -1, -1));
            painter.setPen(text);
            const QRect textArea = area.adjusted(kStripe + 8, 3, -6, -3);
            const bool twoLines = textArea.height() >= 2 * metrics.height();
            if (twoLines) {
                const int top = textArea.top() + (textArea.height() - 2 * metrics.height()) / 2;
                QFont bold = font();
                bold.setBold(true);
                painter.setFont(bold);
                painter.drawText(
                    QRect(textArea.left(), top, textArea.width(), metrics.height()),
                    Qt::AlignLeft | Qt::AlignVCenter,
                    QFontMetrics(bold).elidedText(band.heading, Qt::ElideRight, textArea.width()));
                painter.setFont(font());
                painter.drawText(
                    QRect(textArea.left(), top + metrics.height(), textArea.width(),
                          metrics.height()),
                    Qt::AlignLeft | Qt::AlignVCenter,
                    metrics.elidedText(band.details, Qt::ElideRight, textArea.width()));
            } else {
                painter.drawText(
                    textArea, Qt::AlignLeft | Qt::AlignVCenter,
                    metrics.elidedText(band.heading + QStringLiteral(" \u00b7 ") + band.details,
                                       Qt::ElideRight, textArea.width()));
            }
            y += area.height() + kGap;
        }
    }

private:
    static constexpr int kGap = 3;
    static constexpr int kStripe = 10;

    int minimumBandHeight() const { return QFontMetrics(font()).height() + 8; }

    std::vector<LayoutBand> bands_;
    QString emptyText_;
};

LayoutView::LayoutView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(this);
    title_->setWordWrap(true);
    title_->setTextFormat(Qt::PlainText);
    QFont titleFont = title_->font();
    titleFont.setBold(true);
    title_->setFont(titleFont);
    singlePixel_ = new QLabel(this);
    singlePixel_->setWordWrap(true);
    singlePixel_->setTextFormat(Qt::PlainText);
    singlePixel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bands_ = new LayoutBands(this);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(bands_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::StyledPanel);
    layout->addWidget(title_);
    layout->addWidget(singlePixel_);
    layout->addWidget(scroll, 1);
    layout->addWidget(createCalculatorForm());
    showLiveAllocation();
}

LayoutView::~LayoutView() = default;

QSize LayoutView::sizeHint() const {
    return {700, 480};
}

QWidget* LayoutView::createCalculatorForm() {
    auto* box =
        new QGroupBox(tr("Calculator: the layout of an image, without allocating it"), this);
    auto* grid = new QGridLayout(box);
    widthInput_ = new QSpinBox(box);
    widthInput_->setRange(1, std::numeric_limits<int>::max());
    widthInput_->setValue(4000);
    widthInput_->setGroupSeparatorShown(true);
    heightInput_ = new QSpinBox(box);
    heightInput_->setRange(1, std::numeric_limits<int>::max());
    heightInput_->setValue(3000);
    heightInput_->setGroupSeparatorShown(true);
    pixelTypeInput_ = new QComboBox(box);
    for (const PixelTypeInfo& type : kPixelTypes) {
        pixelTypeInput_->addItem(tr("%1 (%2 B)")
                                     .arg(QString::fromStdString(type.optionName()))
                                     .arg(type.bytesPerPixel()),
                                 type.bytesPerPixel());
    }
    poolInput_ = new QSpinBox(box);
    poolInput_->setRange(-1, 1024 * 1024);
    poolInput_->setSpecialValueText(tr("machine default"));
    poolInput_->setSuffix(tr(" MiB"));
    poolInput_->setValue(-1);
    poolInput_->setToolTip(tr("Maximum pool size; the lowest value means the machine's default"));
    contiguousInput_ = new QCheckBox(tr("Prefer contiguous buffers"), box);
    auto* calculate = new QPushButton(tr("Calculate"), box);
    calculate->setObjectName(QStringLiteral("calculateButton"));
    calculate->setDefault(true);
    connect(calculate, &QPushButton::clicked, this, [this] { calculateFromForm(); });
    auto* back = new QPushButton(tr("Show selection"), box);
    back->setToolTip(tr("Back to the selected (or largest) live image buffer"));
    connect(back, &QPushButton::clicked, this, [this] {
        calculatorShown_ = false;
        showLiveAllocation();
    });

    grid->addWidget(new QLabel(tr("Width"), box), 0, 0);
    grid->addWidget(widthInput_, 0, 1);
    grid->addWidget(new QLabel(tr("Height"), box), 0, 2);
    grid->addWidget(heightInput_, 0, 3);
    grid->addWidget(new QLabel(tr("Pixel type"), box), 0, 4);
    grid->addWidget(pixelTypeInput_, 0, 5);
    grid->addWidget(new QLabel(tr("Max pool"), box), 1, 0);
    grid->addWidget(poolInput_, 1, 1);
    grid->addWidget(contiguousInput_, 1, 2, 1, 2);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(calculate);
    buttons->addWidget(back);
    grid->addLayout(buttons, 1, 4, 1, 2);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    grid->setColumnStretch(5, 1);
    return box;
}

void LayoutView::calculateFromForm() {
    ImageLayoutRequest request;
    request.width = widthInput_->value();
    request.height = heightInput_->value();
    request.bytesPerPixel = pixelTypeInput_->currentData().toInt();
    if (poolInput_->value() >= 0) {
        request.maximumPoolSizeMegabytes = poolInput_->value();
    }
    request.preferContiguous = contiguousInput_->isChecked();
    showCalculation(request);
}

void LayoutView::setSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    if (!snapshot) {
        return;
    }
    // The session shares one allocation table between snapshots while nothing changed.
    const bool tableChanged = !snapshot_ || snapshot_->allocations != snapshot->allocations;
    snapshot_ = snapshot;
    if (tableChanged && !calculatorShown_) {
        showLiveAllocation();
    }
}

void LayoutView::setSelectedAllocation(quint64 id) {
    selected_ = id;
    calculatorShown_ = false;
    showLiveAllocation();
}

int LayoutView::bandCount() const {
    return bands_->count();
}

QString LayoutView::singlePixelMemoryText() const {
    return singlePixel_->text();
}

QStringList LayoutView::bandLabels() const {
    return bands_->labels();
}

QString LayoutView::titleText() const {
    return title_->text();
}

void LayoutView::showMessage(const QString& title, const QString& singlePixelText,
                             const QString& emptyText) {
    title_->setText(title);
    singlePixel_->setText(singlePixelText);
    bands_->setEmptyText(emptyText);
    bands_->setBands({});
}

namespace {

// The rows of `table` that hold one image buffer with `row`: itself, or for an unpooled group
// (one allocation per chunk, each told the image's size) its neighbours from the same request,
// in chunk order.
std::vector<const LiveAllocation*> imageAllocations(const AllocationTable& table,
                                                    const LiveAllocation& row,
                                                    std::uint64_t imageBytes) {
    if (row.tier != MemoryTier::Unpooled || row.pixelType == PixelTypeId::Unknown ||
        row.bytes >= imageBytes) {
        return {&row};
    }
    const auto sameRequest = [&row](const LiveAllocation& other) {
        return other.tier == row.tier && other.pixelType == row.pixelType &&
               other.imageWidth == row.imageWidth && other.imageHeight == row.imageHeight &&
               other.stackId == row.stackId && other.threadId == row.threadId;
    };
    const std::size_t index = static_cast<std::size_t>(&row - table.rows.data());
    std::size_t first = index;
    while (first > 0 && sameRequest(table.rows[first - 1])) {
        --first;
    }
    std::size_t last = index;
    while (last + 1 < table.rows.size() && sameRequest(table.rows[last + 1])) {
        ++last;
    }
    // Several images of the same size from the same place: split the run at image sizes.
    std::vector<const LiveAllocation*> group;
    std::uint64_t bytes = 0;
    for (std::size_t i = first; i <= last; ++i) {
        group.push_back(&table.rows[i]);
        bytes += table.rows[i].bytes;
        if (bytes >= imageBytes) {
            if (i >= index) {
                return group;
            }
            group.clear();
            bytes = 0;
        }
    }
    return group.empty() ? std::vector<const LiveAllocation*>{&row} : group;
}

std::uint64_t imageBytesOf(const LiveAllocation& row) {
    return static_cast<std::uint64_t>(row.imageWidth) *
           static_cast<std::uint64_t>(row.imageHeight) *
           static_cast<std::uint64_t>(bytesPerPixel(row.pixelType));
}

QString chunkPlace(const AllocationChunk& chunk, MemoryTier tier) {
    if (chunk.slot >= 0) {
        return LayoutView::tr("pooled, slot %1").arg(chunk.slot);
    }
    return tierText(tier);
}

QString addressText(std::uint64_t address) {
    return address == 0 ? LayoutView::tr("address unknown")
                        : QStringLiteral("0x%1").arg(address, 0, 16);
}

}  // namespace

void LayoutView::showLiveAllocation() {
    shownAllocation_ = 0;
    if (!snapshot_ || !snapshot_->allocations) {
        showMessage(tr("No live allocations yet"),
                    tr("Run a scenario, or use the calculator below to see a layout without "
                       "allocating."),
                    tr("Nothing allocated yet"));
        return;
    }
    const AllocationTable& table = *snapshot_->allocations;
    const LiveAllocation* row = selected_ != 0 ? table.find(selected_) : nullptr;
    QString how;
    if (selected_ != 0 && row == nullptr) {
        how = tr("allocation #%1 is no longer live; ").arg(selected_);
    }
    if (row == nullptr) {
        // The largest live image buffer, or the largest allocation when no image is live.
        const LiveAllocation* largestImage = nullptr;
        const LiveAllocation* largest = nullptr;
        for (const LiveAllocation& candidate : table.rows) {
            if (candidate.releasedWithoutDispose) {
                continue;
            }
            if (candidate.pixelType != PixelTypeId::Unknown &&
                (largestImage == nullptr ||
                 imageBytesOf(candidate) > imageBytesOf(*largestImage))) {
                largestImage = &candidate;
            }
            if (largest == nullptr || candidate.bytes > largest->bytes) {
                largest = &candidate;
            }
        }
        row = largestImage != nullptr ? largestImage : largest;
        how += largestImage != nullptr ? tr("the largest live image buffer")
                                       : tr("the largest live allocation");
    }
    if (row == nullptr) {
        showMessage(tr("No live allocations"),
                    tr("Nothing is allocated now. Use the calculator below to see a layout "
                       "without allocating."),
                    tr("Nothing allocated"));
        return;
    }
    shownAllocation_ = row->id;

    const int pixelBytes = bytesPerPixel(row->pixelType);
    const bool image = row->pixelType != PixelTypeId::Unknown && row->imageWidth > 0 &&
                       row->imageHeight > 0 && pixelBytes > 0;
    const std::uint64_t imageBytes = image ? imageBytesOf(*row) : row->bytes;
    const std::vector<const LiveAllocation*> rows =
        image ? imageAllocations(table, *row, imageBytes) : std::vector{row};

    std::vector<LayoutBand> bands;
    const std::int64_t rowBytes = image ? std::int64_t{row->imageWidth} * pixelBytes : 0;
    std::int64_t nextRow = 0;
    std::size_t chunkCount = 0;
    for (const LiveAllocation* part : rows) {
        chunkCount += part->chunkCount;
    }
    for (const LiveAllocation* part : rows) {
        for (std::uint32_t i = 0; i < part->chunkCount; ++i) {
            const AllocationChunk& chunk = table.chunks[part->firstChunk + i];
            LayoutBand band;
            band.bytes = chunk.bytes;
            band.tier = part->tier;
            const int index = static_cast<int>(bands.size());
            band.heading = tr("Chunk %1 of %2").arg(index + 1).arg(chunkCount);
            if (image) {
                const bool lastChunk = static_cast<std::size_t>(index) + 1 == chunkCount;
                std::int64_t rowsHere = static_cast<std::int64_t>(chunk.bytes) / rowBytes;
                rowsHere = lastChunk ? row->imageHeight - nextRow
                                     : std::min<std::int64_t>(rowsHere, row->imageHeight - nextRow);
                rowsHere = std::max<std::int64_t>(rowsHere, 0);
                band.heading += rowsHere > 0 ? tr(" \u00b7 rows %1\u2013%2 (%3 rows)")
                                                   .arg(formatCount(nextRow))
                                                   .arg(formatCount(nextRow + rowsHere - 1))
                                                   .arg(formatCount(rowsHere))
                                             : tr(" \u00b7 no rows");
                nextRow += rowsHere;
            }
            if (part != row) {
                band.heading += tr(" \u00b7 allocation #%1").arg(part->id);
            }
            band.details = tr("%1 \u00b7 %2 \u00b7 %3")
                               .arg(formatBytes(chunk.bytes), addressText(chunk.address),
                                    chunkPlace(chunk, part->tier));
            bands.push_back(std::move(band));
        }
    }

    QString title;
    if (image) {
        title = tr("Allocation #%1: image %2 \u00d7 %3 %4, %5, %n chunk(s)", nullptr,
                   static_cast<int>(chunkCount))
                    .arg(row->id)
                    .arg(formatCount(row->imageWidth), formatCount(row->imageHeight),
                         pixelTypeText(row->pixelType), formatBytes(imageBytes));
    } else {
        title = tr("Allocation #%1: not an image buffer, %2, %n chunk(s)", nullptr,
                   static_cast<int>(chunkCount))
                    .arg(row->id)
                    .arg(formatBytes(row->bytes));
    }
    title += QStringLiteral(" \u2014 ") + tierText(row->tier);
    if (!how.isEmpty()) {
        title += tr(" (%1; click an allocation to choose another)").arg(how);
    }
    if (row->releasedWithoutDispose) {
        title += tr(" \u2014 released without dispose: these chunks are no longer its memory");
    }
    title_->setText(title);

    if (!image) {
        singlePixel_->setText(
            tr("Not an image buffer: dangerousTryGetSinglePixelMemory does not apply. The "
               "allocation is %n chunk(s) of plain memory.",
               nullptr, static_cast<int>(chunkCount)));
    } else if (chunkCount == 1) {
        singlePixel_->setText(
            tr("dangerousTryGetSinglePixelMemory returns true: one chunk holds the whole image, "
               "%1 pixels in one span.")
                .arg(formatCount(std::int64_t{row->imageWidth} * row->imageHeight)));
    } else {
        singlePixel_->setText(
            tr("dangerousTryGetSinglePixelMemory returns false: the image is split over %1 "
               "chunks, so no single span holds it. Read it row by row, or ask for "
               "contiguous buffers (preferContiguousImageBuffers).")
                .arg(chunkCount));
    }
    bands_->setBands(std::move(bands));
}

void LayoutView::showCalculation(const ImageLayoutRequest& request) {
    calculatorShown_ = true;
    shownAllocation_ = 0;
    // The form shows what was asked, whoever asked.
    widthInput_->setValue(static_cast<int>(
        std::clamp<std::int64_t>(request.width, widthInput_->minimum(), widthInput_->maximum())));
    heightInput_->setValue(static_cast<int>(std::clamp<std::int64_t>(
        request.height, heightInput_->minimum(), heightInput_->maximum())));
    if (pixelTypeInput_->currentData().toInt() != request.bytesPerPixel) {
        const int index = pixelTypeInput_->findData(request.bytesPerPixel);
        if (index >= 0) {
            pixelTypeInput_->setCurrentIndex(index);
        }
    }
    poolInput_->setValue(request.maximumPoolSizeMegabytes
                             ? static_cast<int>(std::clamp<std::int64_t>(
                                   *request.maximumPoolSizeMegabytes, 0, poolInput_->maximum()))
                             : -1);
    contiguousInput_->setChecked(request.preferContiguous);

    const QString asked =
        tr("%1 \u00d7 %2 pixels of %3 B, %4, pool %5")
            .arg(formatCount(request.width), formatCount(request.height))
            .arg(request.bytesPerPixel)
            .arg(request.preferContiguous ? tr("contiguous preferred") : tr("row-aligned group"))
            .arg(request.maximumPoolSizeMegabytes
                     ? tr("%1 MiB").arg(formatCount(*request.maximumPoolSizeMegabytes))
                     : tr("machine default"));
    ImageLayout layout;
    try {
        layout = LayoutCalculator::calculate(request);
    } catch (const InvalidMemoryOperation& refusal) {
        showMessage(tr("Calculated: %1 \u2014 refused").arg(asked),
                    tr("The allocator refuses this request (InvalidMemoryOperation): %1")
                        .arg(QString::fromStdString(refusal.what())),
                    tr("No layout: the allocator would throw before allocating anything."));
        return;
    } catch (const std::invalid_argument& invalid) {
        showMessage(tr("Calculated: %1 \u2014 invalid").arg(asked),
                    tr("Not a valid request: %1").arg(QString::fromStdString(invalid.what())),
                    tr("No layout for an invalid request."));
        return;
    }

    std::vector<LayoutBand> bands;
    std::int64_t nextRow = 0;
    std::int64_t totalBytes = 0;
    const int count = static_cast<int>(layout.chunks.size());
    for (int i = 0; i < count; ++i) {
        const ImageLayout::Chunk& chunk = layout.chunks[static_cast<std::size_t>(i)];
        LayoutBand band;
        band.bytes = static_cast<std::uint64_t>(chunk.bytes);
        band.tier = layout.tier;
        band.heading = tr("Chunk %1 of %2 \u00b7 rows %3\u2013%4 (%5 rows)")
                           .arg(i + 1)
                           .arg(count)
                           .arg(formatCount(nextRow))
                           .arg(formatCount(nextRow + chunk.rows - 1))
                           .arg(formatCount(chunk.rows));
        band.details = tr("%1 \u00b7 %2 pixels \u00b7 %3 \u00b7 not allocated")
                           .arg(formatBytes(static_cast<std::uint64_t>(chunk.bytes)),
                                formatCount(chunk.elements), tierText(layout.tier));
        nextRow += chunk.rows;
        totalBytes += chunk.bytes;
        bands.push_back(std::move(band));
    }
    title_->setText(
        tr("Calculated: %1 \u2014 %2, %n chunk(s), %3 (nothing allocated)", nullptr, count)
            .arg(asked, formatBytes(static_cast<std::uint64_t>(totalBytes)),
                 tierText(layout.tier)));
    singlePixel_->setText(
        layout.singlePixelMemory
            ? tr("dangerousTryGetSinglePixelMemory would return true: one chunk holds the whole "
                 "image.")
            : tr("dangerousTryGetSinglePixelMemory would return false: the image would be split "
                 "over %1 chunks.")
                  .arg(count));
    bands_->setBands(std::move(bands));
}

}  // namespace poolscope
