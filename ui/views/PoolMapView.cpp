#include "views/PoolMapView.h"

#include <QFontMetrics>
#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

#include "imaging/PixelTypeId.h"
#include "models/DisplayFormat.h"
#include "views/ViewColors.h"

namespace poolscope {

namespace {

constexpr int kMargin = 8;
constexpr int kMaximumCellSide = 80;
constexpr int kStripBarHeight = 18;
constexpr int kSwatchSide = 12;
// Long enough to be noticed, short enough that the next trim pass has its own flash.
constexpr qint64 kTrimFlashMilliseconds = 1500;
const QColor kTrimFlash(255, 166, 0);

QString slotStateName(SlotState state) {
    switch (state) {
        case SlotState::Empty:
            return PoolMapView::tr("never created (no memory)");
        case SlotState::Retained:
            return PoolMapView::tr("retained (free, memory committed)");
        case SlotState::Rented:
            return PoolMapView::tr("rented");
    }
    return {};
}

}  // namespace

PoolMapView::PoolMapView(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    flashClock_.start();
    flashTimer_.setInterval(40);
    connect(&flashTimer_, &QTimer::timeout, this, [this] {
        const bool anyFlash = std::any_of(trimmedAt_.begin(), trimmedAt_.end(), [this](qint64 at) {
            return at >= 0 && flashClock_.elapsed() - at < kTrimFlashMilliseconds;
        });
        if (!anyFlash) {
            flashTimer_.stop();
        }
        update(geometry_.grid);
    });
}

QSize PoolMapView::sizeHint() const {
    return {640, 400};
}

QSize PoolMapView::minimumSizeHint() const {
    return {320, 220};
}

QColor PoolMapView::allocationColour(quint64 id) {
    // splitmix64: neighbouring ids land far apart on the colour wheel.
    std::uint64_t z = id + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    const int hue = static_cast<int>(z % 360);
    const int saturation = 150 + static_cast<int>((z >> 16) % 80);
    const int value = 195 + static_cast<int>((z >> 32) % 45);
    return QColor::fromHsv(hue, saturation, value);
}

void PoolMapView::setSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    if (!snapshot) {
        return;
    }
    if (snapshot_ && snapshot_->slotStates.size() == snapshot->slotStates.size()) {
        noteTrimmedSlots(*snapshot_, *snapshot);
    } else {
        trimmedAt_.assign(snapshot->slotStates.size(), -1);
    }
    // The strips come from the allocation table, which the session shares between snapshots
    // while nothing changed: a million rows are not walked thirty times a second.
    const bool layoutChanged = !snapshot_ || snapshot_->allocations != snapshot->allocations ||
                               snapshot_->slotStates.size() != snapshot->slotStates.size();
    snapshot_ = snapshot;
    if (layoutChanged) {
        rebuildGeometry();
    }
    update();
}

void PoolMapView::setSelectedAllocation(quint64 id) {
    if (selected_ == id) {
        return;
    }
    selected_ = id;
    update();
}

int PoolMapView::rentedCellCount() const {
    if (!snapshot_) {
        return 0;
    }
    return static_cast<int>(
        std::count(snapshot_->slotStates.begin(), snapshot_->slotStates.end(), SlotState::Rented));
}

int PoolMapView::cellCount() const {
    return snapshot_ ? static_cast<int>(snapshot_->slotStates.size()) : 0;
}

QRect PoolMapView::cellRect(int slot) const {
    if (slot < 0 || slot >= cellCount() || geometry_.cellSide <= 0) {
        return {};
    }
    const int side = geometry_.cellSide;
    const int gap = side >= 10 ? 2 : (side >= 4 ? 1 : 0);
    const int column = slot % geometry_.columns;
    const int row = slot / geometry_.columns;
    return {geometry_.grid.left() + column * side, geometry_.grid.top() + row * side, side - gap,
            side - gap};
}

void PoolMapView::noteTrimmedSlots(const SessionSnapshot& previous, const SessionSnapshot& next) {
    const qint64 now = flashClock_.elapsed();
    bool trimmed = false;
    for (std::size_t slot = 0; slot < next.slotStates.size(); ++slot) {
        if (previous.slotStates[slot] == SlotState::Retained &&
            next.slotStates[slot] == SlotState::Empty) {
            trimmedAt_[slot] = now;
            trimmed = true;
        } else if (next.slotStates[slot] != SlotState::Empty) {
            trimmedAt_[slot] = -1;
        }
    }
    if (trimmed && !flashTimer_.isActive()) {
        flashTimer_.start();
    }
}

double PoolMapView::flashStrength(int slot) const {
    const qint64 at = trimmedAt_[static_cast<std::size_t>(slot)];
    if (at < 0) {
        return 0.0;
    }
    const qint64 age = flashClock_.elapsed() - at;
    return age >= kTrimFlashMilliseconds
               ? 0.0
               : 1.0 - static_cast<double>(age) / static_cast<double>(kTrimFlashMilliseconds);
}

void PoolMapView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    rebuildGeometry();
}

QString PoolMapView::headerText() const {
    if (!snapshot_ || cellCount() == 0) {
        return headerText(0, 0, 0);
    }
    const PoolSnapshot& pool = snapshot_->pool;
    return headerText(pool.rentedChunks, pool.retainedChunks, pool.emptySlots);
}

QString PoolMapView::headerText(int rented, int retained, int neverCreated) const {
    if (!snapshot_ || cellCount() == 0) {
        return tr("No pool yet: run a scenario to see its chunks.");
    }
    return tr("Pool: %1 slots of %2 \u2014 rented %3, retained %4, never created %5")
        .arg(cellCount())
        .arg(DisplayFormat::bytes(static_cast<std::uint64_t>(snapshot_->pool.chunkBytes)))
        .arg(rented)
        .arg(retained)
        .arg(neverCreated);
}

void PoolMapView::rebuildGeometry() {
    const QFontMetrics metrics(font());
    const int lineHeight = metrics.height();
    const QRect area = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);
    Geometry geometry;
    // Two lines when the header with every count at its widest does not fit one: it wraps
    // instead of losing its end.
    const QString widestHeader = headerText(cellCount(), cellCount(), cellCount());
    const int headerLines = metrics.horizontalAdvance(widestHeader) > area.width() ? 2 : 1;
    geometry.header = QRect(area.left(), area.top(), area.width(), headerLines * lineHeight);

    // The legend flows over as many lines as the width needs.
    const QStringList legendTexts{tr("Never created"), tr("Retained (free, committed)"),
                                  tr("Rented: colour = allocation"), tr("Just trimmed"),
                                  tr("Selected")};
    int legendLines = 1;
    int x = 0;
    for (const QString& text : legendTexts) {
        const int itemWidth = kSwatchSide + 6 + metrics.horizontalAdvance(text) + 16;
        if (x > 0 && x + itemWidth > area.width()) {
            legendLines += 1;
            x = 0;
        }
        x += itemWidth;
    }
    const int legendHeight = legendLines * (lineHeight + 2);
    const int stripHeight = lineHeight + 2 + kStripBarHeight;
    geometry.legend =
        QRect(area.left(), area.bottom() + 1 - legendHeight, area.width(), legendHeight);
    const int smallTop = geometry.legend.top() - 8 - stripHeight;
    const int unpooledTop = smallTop - 6 - stripHeight;
    geometry_ = geometry;
    fillStrip(geometry_.small, MemoryTier::Small,
              QRect(area.left(), smallTop, area.width(), lineHeight),
              QRect(area.left(), smallTop + lineHeight + 2, area.width(), kStripBarHeight));
    fillStrip(geometry_.unpooled, MemoryTier::Unpooled,
              QRect(area.left(), unpooledTop, area.width(), lineHeight),
              QRect(area.left(), unpooledTop + lineHeight + 2, area.width(), kStripBarHeight));

    const QRect gridArea(area.left(), geometry.header.bottom() + 6, area.width(),
                         std::max(0, unpooledTop - 8 - (geometry.header.bottom() + 6)));
    const int cells = cellCount();
    geometry_.cellSide = 0;
    geometry_.columns = 1;
    if (cells > 0 && gridArea.width() > 0 && gridArea.height() > 0) {
        // The column count that gives the largest square cells.
        for (int columns = 1; columns <= cells; ++columns) {
            const int rows = (cells + columns - 1) / columns;
            const int side = std::min(gridArea.width() / columns, gridArea.height() / rows);
            if (side > geometry_.cellSide) {
                geometry_.cellSide = side;
                geometry_.columns = columns;
            }
        }
        geometry_.cellSide = std::min(geometry_.cellSide, kMaximumCellSide);
        geometry_.columns =
            std::max(1, std::min(cells, gridArea.width() / std::max(1, geometry_.cellSide)));
    }
    geometry_.grid = gridArea;
}

void PoolMapView::fillStrip(Strip& strip, MemoryTier tier, const QRect& labelRect,
                            const QRect& barRect) {
    strip = Strip{};
    strip.labelRect = labelRect;
    strip.barRect = barRect;
    std::vector<const LiveAllocation*> rows;
    if (snapshot_ && snapshot_->allocations) {
        for (const LiveAllocation& row : snapshot_->allocations->rows) {
            // A row released without dispose holds no memory any more.
            if (row.tier == tier && !row.releasedWithoutDispose) {
                rows.push_back(&row);
                strip.bytes += row.bytes;
            }
        }
    }
    strip.allocations = static_cast<int>(rows.size());
    const QString name = tier == MemoryTier::Small ? tr("Small buffers (<= 1 MiB)")
                                                   : tr("Unpooled (outside the pool)");
    strip.title = tr("%1: %n allocation(s), %2", nullptr, strip.allocations)
                      .arg(name, DisplayFormat::bytes(strip.bytes));
    if (strip.bytes == 0 || barRect.width() <= 2) {
        return;
    }
    const double pixelsPerByte = static_cast<double>(barRect.width()) / strip.bytes;
    double position = barRect.left();
    for (const LiveAllocation* row : rows) {
        const double end = position + row->bytes * pixelsPerByte;
        const int left = static_cast<int>(std::floor(position));
        const int right = std::max(left + 1, static_cast<int>(std::floor(end)));
        position = end;
        // Thousands of small allocations share pixels; the first in a pixel stands for them.
        if (!strip.segments.empty() && strip.segments.back().rect.right() >= left) {
            continue;
        }
        strip.segments.push_back(
            {QRect(left, barRect.top(), right - left, barRect.height()), row->id});
    }
}

void PoolMapView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QPalette& colours = palette();
    painter.fillRect(rect(), colours.color(QPalette::Window));
    painter.setPen(colours.color(QPalette::WindowText));

    painter.drawText(geometry_.header, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap,
                     headerText());
    paintGrid(painter);
    paintStrip(painter, geometry_.unpooled);
    paintStrip(painter, geometry_.small);
    paintLegend(painter);
}

void PoolMapView::paintGrid(QPainter& painter) const {
    if (!snapshot_) {
        return;
    }
    const QPalette& colours = palette();
    const QColor base = colours.color(QPalette::Base);
    const QColor text = colours.color(QPalette::Text);
    const QColor emptyFill = ViewColors::mix(base, text, 0.06);
    const QColor emptyBorder = ViewColors::mix(base, text, 0.3);
    const QColor retainedFill = ViewColors::mix(base, text, 0.42);
    const int cells = cellCount();
    for (int slot = 0; slot < cells; ++slot) {
        const QRect cell = cellRect(slot);
        const auto state = snapshot_->slotStates[static_cast<std::size_t>(slot)];
        const quint64 owner = snapshot_->slotOwners.size() > static_cast<std::size_t>(slot)
                                  ? snapshot_->slotOwners[static_cast<std::size_t>(slot)]
                                  : 0;
        switch (state) {
            case SlotState::Empty: {
                const double flash = flashStrength(slot);
                painter.fillRect(
                    cell, flash > 0.0 ? ViewColors::mix(emptyFill, kTrimFlash, flash) : emptyFill);
                if (cell.width() >= 4) {
                    painter.setPen(emptyBorder);
                    painter.drawRect(cell.adjusted(0, 0, -1, -1));
                }
                break;
            }
            case SlotState::Retained:
                painter.fillRect(cell, retainedFill);
                break;
            case SlotState::Rented:
                painter.fillRect(cell, owner != 0 ? allocationColour(owner) : text);
                break;
        }
        if (selected_ != 0 && owner == selected_ && state == SlotState::Rented) {
            const int width = cell.width() >= 8 ? 2 : 1;
            painter.setPen(QPen(text, width));
            painter.setBrush(Qt::NoBrush);
            painter.drawRect(
                cell.adjusted(width / 2, width / 2, -(width + 1) / 2 - 0, -(width + 1) / 2 - 0));
        }
    }
}

void PoolMapView::paintStrip(QPainter& painter, const Strip& strip) const {
    const QPalette& colours = palette();
    painter.setPen(colours.color(QPalette::WindowText));
    painter.drawText(
        strip.labelRect, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(font()).elidedText(strip.title, Qt::ElideRight, strip.labelRect.width()));
    const QColor base = colours.color(QPalette::Base);
    const QColor text = colours.color(QPalette::Text);
    painter.fillRect(strip.barRect, ViewColors::mix(base, text, 0.06));
    for (const StripSegment& segment : strip.segments) {
        painter.fillRect(segment.rect, allocationColour(segment.allocationId));
        if (segment.rect.width() >= 5) {
            painter.fillRect(
                QRect(segment.rect.right(), segment.rect.top(), 1, segment.rect.height()), base);
        }
    }
    for (const StripSegment& segment : strip.segments) {
        if (selected_ != 0 && segment.allocationId == selected_) {
            painter.setPen(QPen(text, 2));
            painter.setBrush(Qt::NoBrush);
            painter.drawRect(segment.rect.adjusted(1, 1, -1, -1));
        }
    }
    painter.setPen(ViewColors::mix(base, text, 0.3));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(strip.barRect.adjusted(0, 0, -1, -1));
}

void PoolMapView::paintLegend(QPainter& painter) const {
    const QPalette& colours = palette();
    const QColor base = colours.color(QPalette::Base);
    const QColor text = colours.color(QPalette::Text);
    const QFontMetrics metrics(font());
    struct Item {
        QString text;
        QColor fill;
        bool outlined;
    };
    const Item items[] = {
        {tr("Never created"), ViewColors::mix(base, text, 0.06), false},
        {tr("Retained (free, committed)"), ViewColors::mix(base, text, 0.42), false},
        {tr("Rented: colour = allocation"), allocationColour(1), false},
        {tr("Just trimmed"), kTrimFlash, false},
        {tr("Selected"), allocationColour(2), true},
    };
    const QRect area = geometry_.legend;
    int x = area.left();
    int y = area.top();
    for (const Item& item : items) {
        const int itemWidth = kSwatchSide + 6 + metrics.horizontalAdvance(item.text) + 16;
        if (x > area.left() && x + itemWidth > area.right() + 1) {
            x = area.left();
            y += metrics.height() + 2;
        }
        const QRect swatch(x, y + (metrics.height() - kSwatchSide) / 2, kSwatchSide, kSwatchSide);
        painter.fillRect(swatch, item.fill);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(item.outlined ? QPen(text, 2) : QPen(ViewColors::mix(base, text, 0.3)));
        painter.drawRect(swatch.adjusted(0, 0, -1, -1));
        painter.setPen(colours.color(QPalette::WindowText));
        painter.drawText(QRect(x + kSwatchSide + 6, y, itemWidth, metrics.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, item.text);
        x += itemWidth;
    }
}

int PoolMapView::slotAt(const QPoint& position) const {
    if (geometry_.cellSide <= 0 || !geometry_.grid.contains(position)) {
        return -1;
    }
    const int column = (position.x() - geometry_.grid.left()) / geometry_.cellSide;
    const int row = (position.y() - geometry_.grid.top()) / geometry_.cellSide;
    if (column >= geometry_.columns) {
        return -1;
    }
    const int slot = row * geometry_.columns + column;
    return slot < cellCount() && cellRect(slot).contains(position) ? slot : -1;
}

quint64 PoolMapView::stripAllocationAt(const QPoint& position) const {
    for (const Strip* strip : {&geometry_.unpooled, &geometry_.small}) {
        if (!strip->barRect.contains(position)) {
            continue;
        }
        for (const StripSegment& segment : strip->segments) {
            if (segment.rect.contains(position)) {
                return segment.allocationId;
            }
        }
    }
    return 0;
}

QString PoolMapView::allocationToolTip(quint64 id) const {
    QString text = tr("Allocation #%1").arg(id);
    const LiveAllocation* row =
        snapshot_ && snapshot_->allocations ? snapshot_->allocations->find(id) : nullptr;
    if (row == nullptr) {
        return text + tr("<br>(details arrive with the next allocation table)");
    }
    text += tr("<br>%1 in %n chunk(s), %2", nullptr, static_cast<int>(row->chunkCount))
                .arg(DisplayFormat::bytes(row->bytes), DisplayFormat::tierName(row->tier));
    if (row->pixelType != PixelTypeId::Unknown) {
        text += tr("<br>Image %1 \u00d7 %2, %3")
                    .arg(row->imageWidth)
                    .arg(row->imageHeight)
                    .arg(QString::fromLatin1(
                        pixelTypeName(row->pixelType).data(),
                        static_cast<qsizetype>(pixelTypeName(row->pixelType).size())));
    } else {
        text += tr("<br>Not an image buffer");
    }
    const double createdSeconds =
        static_cast<double>(row->createdNanoseconds - snapshot_->timeOriginNanoseconds) / 1e9;
    const double age = std::max(0.0, snapshot_->pool.secondsSinceStart - createdSeconds);
    text += tr("<br>Age %1 s (made at %2 s)")
                .arg(QLocale().toString(age, 'f', 2), QLocale().toString(createdSeconds, 'f', 2));
    if (snapshot_->stacks) {
        const QString tag = snapshot_->stacks->tagName(row->tagId);
        text += tr("<br>Tag: %1").arg(tag.isEmpty() ? tr("none") : tag.toHtmlEscaped());
        const Frame top = snapshot_->stacks->topFrame(row->stackId);
        if (!top.function.empty() || top.address != 0) {
            text +=
                tr("<br>Made by %1").arg(QString::fromStdString(top.toString()).toHtmlEscaped());
        }
    }
    if (row->releasedWithoutDispose) {
        text += tr("<br><b>Released without dispose (a leak)</b>");
    }
    return text;
}

QString PoolMapView::slotToolTip(int slot) const {
    const auto index = static_cast<std::size_t>(slot);
    const SlotState state = snapshot_->slotStates[index];
    QString text = tr("<b>Slot %1</b>: %2").arg(slot).arg(slotStateName(state));
    if (state == SlotState::Empty && flashStrength(slot) > 0.0) {
        text += tr("<br>Just trimmed: its memory went back to the OS");
    }
    const quint64 owner = index < snapshot_->slotOwners.size() ? snapshot_->slotOwners[index] : 0;
    if (state == SlotState::Rented && owner != 0) {
        text += QStringLiteral("<br>") + allocationToolTip(owner);
    }
    return text;
}

bool PoolMapView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip && snapshot_) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const int slot = slotAt(help->pos());
        if (slot >= 0) {
            QToolTip::showText(help->globalPos(), slotToolTip(slot), this, cellRect(slot));
            return true;
        }
        const quint64 id = stripAllocationAt(help->pos());
        if (id != 0) {
            QToolTip::showText(help->globalPos(), allocationToolTip(id), this);
            return true;
        }
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}

void PoolMapView::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !snapshot_) {
        QWidget::mousePressEvent(event);
        return;
    }
    quint64 id = 0;
    const int slot = slotAt(event->position().toPoint());
    if (slot >= 0) {
        const auto index = static_cast<std::size_t>(slot);
        if (snapshot_->slotStates[index] == SlotState::Rented &&
            index < snapshot_->slotOwners.size()) {
            id = snapshot_->slotOwners[index];
        }
    } else {
        id = stripAllocationAt(event->position().toPoint());
    }
    if (id != 0) {
        setSelectedAllocation(id);
        emit allocationSelected(id);
    }
}

}  // namespace poolscope
