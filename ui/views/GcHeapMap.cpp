#include "views/GcHeapMap.h"

#include <QEvent>
#include <QFontMetrics>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPolygonF>
#include <QToolTip>
#include <QVariantAnimation>

#include <algorithm>
#include <cmath>

#include "models/DisplayFormat.h"
#include "views/Theme.h"
#include "views/ViewColors.h"

namespace poolscope {

namespace {

constexpr int kLabelWidth = 150;
constexpr int kMargin = 8;
constexpr int kLegendHeight = 26;
constexpr int kScaleBarHeight = 5;

// One colour per type, spread around the hue circle by the golden angle so that neighbouring
// type ids look different; lighter on a dark palette, so objects stand out from the band.
QColor typeColor(GcTypeId typeId, const QPalette& palette) {
    const int hue = static_cast<int>(std::fmod(typeId * 137.508, 360.0));
    return QColor::fromHsl(hue, 150, Theme::isDark(palette) ? 150 : 125);
}

const QColor kFinalizableMark(220, 40, 40);
const QColor kFReachableMark(240, 150, 20);
const QColor kMarkedOutline(40, 180, 80);
// What a condemned object the mark has not reached keeps of its colour.
constexpr double kUnmarkedShare = 0.3;

// A band spans its region's bytes: the objects fill it to scale, and the label tells the
// budget. (Spanning the budget instead would shrink a young generation's objects to slivers.)
std::uint64_t bandExtent(const GcHeapSnapshot::Region& region) {
    return region.sizeBytes();
}

}  // namespace

GcHeapMap::GcHeapMap(QWidget* parent)
    : QWidget(parent),
      transition_(new QVariantAnimation(this)),
      markSpread_(new QVariantAnimation(this)) {
    setObjectName(QStringLiteral("gcHeapMap"));
    // Runs only while objects travel: a still heap costs no timer.
    transition_->setDuration(kTransitionMilliseconds);
    transition_->setStartValue(0.0);
    transition_->setEndValue(1.0);
    transition_->setEasingCurve(QEasingCurve::InOutCubic);
    connect(transition_, &QVariantAnimation::valueChanged, this, [this](const QVariant& value) {
        transitionProgress_ = value.toDouble();
        update();
    });
    connect(transition_, &QVariantAnimation::finished, this, &GcHeapMap::finishTransition);
    // The mark reaches objects one after another at an even pace, as a collector walks them.
    markSpread_->setDuration(kTransitionMilliseconds);
    markSpread_->setStartValue(0.0);
    markSpread_->setEndValue(1.0);
    connect(markSpread_, &QVariantAnimation::valueChanged, this, [this](const QVariant& value) {
        markProgress_ = value.toDouble();
        update();
    });
    setMouseTracking(false);
    // Enough for the generations and the large object heap to stay readable; the dock gives
    // the map more room when the window has it.
    setMinimumHeight(180);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
}

QString GcHeapMap::generationTitle(int generation) {
    return generation == GcHeapSnapshot::kLargeObjectHeap
               ? QStringLiteral("LOH")
               : QStringLiteral("Gen %1").arg(generation);
}

QString GcHeapMap::generationName(int generation) {
    return generation == GcHeapSnapshot::kLargeObjectHeap
               ? QStringLiteral("large object heap")
               : QStringLiteral("generation %1").arg(generation);
}

void GcHeapMap::setSnapshot(std::shared_ptr<const GcHeapSnapshot> snapshot) {
    std::unordered_map<std::uintptr_t, QRectF> drawnBefore;
    const std::shared_ptr<const GcHeapSnapshot> previous = snapshot_;
    if (transitionsEnabled_ && previous) {
        for (const ObjectRect& object : objects_) {
            drawnBefore.emplace(previous->objects[object.index].address, drawnRect(object));
        }
    }
    snapshot_ = std::move(snapshot);
    fReachable_.clear();
    if (snapshot_) {
        fReachable_.insert(snapshot_->fReachableQueue.begin(), snapshot_->fReachableQueue.end());
    }
    relayout();
    if (previous && snapshot_ && !drawnBefore.empty()) {
        startTransition(*previous, drawnBefore);
    } else {
        finishTransition();
    }
    markSpread_->stop();
    markRank_.clear();
    markGeneration_ = snapshot_ ? snapshot_->markGeneration : -1;
    markProgress_ = 1.0;
    if (markGeneration_ >= 0) {
        const std::vector<std::uintptr_t> order = snapshot_->markOrder(markGeneration_);
        for (std::size_t rank = 0; rank < order.size(); ++rank) {
            markRank_.emplace(order[rank], rank);
        }
        if (transitionsEnabled_ && !order.empty()) {
            markProgress_ = 0.0;
            markSpread_->start();
        }
    }
    update();
}

std::size_t GcHeapMap::markedCount() const {
    return static_cast<std::size_t>(
        std::ceil(markProgress_ * static_cast<double>(markRank_.size())));
}

bool GcHeapMap::markedNow(quintptr address) const {
    const auto rank = markRank_.find(address);
    return rank != markRank_.end() && rank->second < markedCount();
}

void GcHeapMap::startTransition(const GcHeapSnapshot& previous,
                                const std::unordered_map<std::uintptr_t, QRectF>& drawnBefore) {
    transition_->stop();
    transitionFrom_.clear();
    // Addresses tell objects apart only across at most one collection, whose moves are known.
    const std::uint64_t collections = snapshot_->collectionCount - previous.collectionCount;
    if (snapshot_->collectionCount < previous.collectionCount || collections > 1) {
        finishTransition();
        return;
    }
    std::unordered_map<std::uintptr_t, std::uintptr_t> movedFrom;  // new address -> old
    std::unordered_set<std::uintptr_t> vacated;
    if (collections == 1) {
        for (const GcObjectMove& move : snapshot_->lastCollectionMoves) {
            movedFrom.emplace(move.to, move.from);
            vacated.insert(move.from);
        }
    }
    for (const ObjectRect& object : objects_) {
        const GcHeapSnapshot::Object& now = snapshot_->objects[object.index];
        const auto moved = movedFrom.find(now.address);
        if (moved == movedFrom.end() && vacated.contains(now.address)) {
            continue;  // a newer object where a moved one used to be
        }
        const std::uintptr_t before = moved != movedFrom.end() ? moved->second : now.address;
        const auto drawn = drawnBefore.find(before);
        const GcHeapSnapshot::Object* was = previous.findObject(before);
        // A dead object's place taken by a new one of another kind is no journey.
        if (drawn == drawnBefore.end() || was == nullptr || was->typeId != now.typeId ||
            was->sizeBytes != now.sizeBytes || drawn->second == object.rect) {
            continue;
        }
        transitionFrom_.emplace(now.address, drawn->second);
    }
    if (transitionFrom_.empty()) {
        finishTransition();
        return;
    }
    transitionProgress_ = 0.0;
    transition_->start();
}

void GcHeapMap::setTransitionsEnabled(bool enabled) {
    transitionsEnabled_ = enabled;
    if (!enabled) {
        finishTransition();
    }
}

bool GcHeapMap::transitionRunning() const {
    return transition_->state() == QAbstractAnimation::Running ||
           markSpread_->state() == QAbstractAnimation::Running;
}

void GcHeapMap::finishTransition() {
    transition_->stop();
    transitionFrom_.clear();
    transitionProgress_ = 1.0;
    markSpread_->stop();
    markProgress_ = 1.0;
    update();
}

QRectF GcHeapMap::drawnRect(const ObjectRect& object) const {
    if (transitionFrom_.empty()) {
        return object.rect;
    }
    const auto from = transitionFrom_.find(snapshot_->objects[object.index].address);
    if (from == transitionFrom_.end()) {
        return object.rect;
    }
    const double t = transitionProgress_;
    const auto mix = [t](double a, double b) { return a + (b - a) * t; };
    const QRectF& a = from->second;
    const QRectF& b = object.rect;
    return QRectF(QPointF(mix(a.left(), b.left()), mix(a.top(), b.top())),
                  QPointF(mix(a.right(), b.right()), mix(a.bottom(), b.bottom())));
}

QRectF GcHeapMap::drawnRectOf(quintptr address) const {
    if (!snapshot_) {
        return {};
    }
    for (const ObjectRect& object : objects_) {
        if (snapshot_->objects[object.index].address == address) {
            return drawnRect(object);
        }
    }
    return {};
}

void GcHeapMap::setSnapshotQuietly(std::shared_ptr<const GcHeapSnapshot> snapshot) {
    snapshot_ = std::move(snapshot);
}

void GcHeapMap::setSelected(quintptr address) {
    selected_ = address;
    update();
}

QRect GcHeapMap::rectOf(quintptr address) const {
    if (!snapshot_) {
        return {};
    }
    for (const ObjectRect& object : objects_) {
        if (snapshot_->objects[object.index].address == address) {
            return object.rect.toAlignedRect();
        }
    }
    return {};
}

void GcHeapMap::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    relayout();
}

bool GcHeapMap::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

void GcHeapMap::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    // A click skips the journey: objects are where they are hit.
    finishTransition();
    const ObjectRect* hit = objectAt(event->position());
    if (onClicked) {
        onClicked(hit != nullptr ? snapshot_->objects[hit->index].address : 0);
    }
}

void GcHeapMap::paintEvent(QPaintEvent* /*event*/) {
    QPainter painter(this);
    const QPalette& colors = palette();
    painter.fillRect(rect(), colors.color(QPalette::Window));
    if (!snapshot_) {
        painter.setPen(colors.color(QPalette::WindowText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No heap snapshot yet."));
        return;
    }
    const QFontMetrics metrics(font());
    std::uint64_t largest = 1;
    for (int generation = 0; generation < kRows; ++generation) {
        largest = std::max(largest, snapshot_->regions[generation].sizeBytes());
    }
    for (int generation = 0; generation < kRows; ++generation) {
        const QRectF band = bands_[generation];
        const GcHeapSnapshot::Region& region = snapshot_->regions[generation];
        // The label: what the band is, how much it holds, against its budget.
        const QRectF label(kMargin, band.top(), kLabelWidth - 2 * kMargin, band.height());
        painter.setPen(colors.color(QPalette::WindowText));
        QFont bold = font();
        bold.setBold(true);
        painter.setFont(bold);
        painter.drawText(label, Qt::AlignLeft | Qt::AlignTop, generationTitle(generation));
        painter.setFont(font());
        const double rowBottom = band.bottom() + kScaleBarHeight + 8;
        const int room =
            std::max(0, static_cast<int>((rowBottom - label.top()) / metrics.lineSpacing()) - 1);
        const QStringList details = bandDetails(generation);
        painter.drawText(label.adjusted(0, metrics.lineSpacing(), 0, rowBottom - label.bottom()),
                         Qt::AlignLeft | Qt::AlignTop,
                         details.mid(0, room).join(QLatin1Char('\n')));

        // The band: gaps between objects show the base colour.
        painter.setPen(Qt::NoPen);
        painter.fillRect(band, colors.color(QPalette::Base));
        if (region.sizeBytes() == 0) {
            painter.setPen(colors.color(QPalette::PlaceholderText));
            painter.drawText(band, Qt::AlignCenter, tr("empty"));
        }
        // The band's size against the largest band: the regions to one common scale.
        const double scale = static_cast<double>(region.sizeBytes()) / static_cast<double>(largest);
        painter.fillRect(QRectF(band.left(), band.bottom() + 2, std::max(1.0, band.width() * scale),
                                kScaleBarHeight),
                         colors.color(QPalette::Highlight));
    }
    painter.setRenderHint(QPainter::Antialiasing, false);
    for (const QRectF& hole : holes_) {
        painter.fillRect(hole, colors.color(QPalette::Base));
        painter.fillRect(hole, QBrush(colors.color(QPalette::Text), Qt::BDiagPattern));
        painter.setPen(QPen(colors.color(QPalette::Text), 1, Qt::DashLine));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(hole.adjusted(0, 0, -1, -1));
        if (hole.width() > metrics.horizontalAdvance(tr("free")) + 8) {
            painter.setPen(colors.color(QPalette::Text));
            const QRectF textBox(hole.center().x() - 20, hole.top() + 4, 40, metrics.height());
            painter.fillRect(textBox, colors.color(QPalette::Base));
            painter.drawText(textBox, Qt::AlignCenter, tr("free"));
        }
    }
    const QColor outline = colors.color(QPalette::Window);
    for (const ObjectRect& laidOut : objects_) {
        const GcHeapSnapshot::Object& info = snapshot_->objects[laidOut.index];
        const ObjectRect object{drawnRect(laidOut), laidOut.index};
        const bool condemned =
            markGeneration_ >= 0 && GcHeapSnapshot::condemns(markGeneration_, info);
        const bool marked = condemned && markedNow(info.address);
        QColor fill = typeColor(info.typeId, colors);
        if (condemned && !marked) {
            fill = ViewColors::mix(colors.color(QPalette::Base), fill, kUnmarkedShare);
        }
        painter.fillRect(object.rect, fill);
        if (object.rect.width() >= 3) {
            painter.setPen(outline);
            painter.drawLine(object.rect.topRight(), object.rect.bottomRight());
        }
        const bool fReachable = fReachable_.contains(info.address);
        if (info.finalizerRegistered || fReachable) {
            // A corner flag: on the finalization queue (red) or waiting for the finalizer
            // thread (orange).
            const double side = std::min(10.0, std::max(3.0, object.rect.width()));
            QPolygonF flag;
            flag << object.rect.topLeft() << object.rect.topLeft() + QPointF(side, 0)
                 << object.rect.topLeft() + QPointF(0, side);
            painter.setPen(Qt::NoPen);
            painter.setBrush(fReachable ? kFReachableMark : kFinalizableMark);
            painter.drawPolygon(flag);
            painter.setBrush(Qt::NoBrush);
        }
        if (marked) {
            painter.setPen(QPen(kMarkedOutline, 3));
            painter.setBrush(Qt::NoBrush);
            painter.drawRect(object.rect.adjusted(1.5, 1.5, -1.5, -1.5));
        }
        // Below the corner flag, the type and then the size, as many lines as fit.
        const double textTop = 12;
        const int lines =
            static_cast<int>((object.rect.height() - textTop - 2) / metrics.lineSpacing());
        if (object.rect.width() > 60 && lines >= 1) {
            painter.setPen(QColor::fromHsl(0, 0, fill.lightness() > 128 ? 20 : 235));
            QString text = QString::fromStdString(info.typeName);
            if (lines >= 2) {
                text += QLatin1Char('\n') + DisplayFormat::bytes(info.sizeBytes);
            }
            painter.drawText(object.rect.adjusted(4, textTop, -4, -2), Qt::AlignLeft | Qt::AlignTop,
                             text);
        }
    }
    if (selected_ != 0) {
        for (const ObjectRect& object : objects_) {
            if (snapshot_->objects[object.index].address == selected_) {
                painter.setPen(QPen(colors.color(QPalette::Highlight), 3));
                painter.setBrush(Qt::NoBrush);
                painter.drawRect(drawnRect(object).adjusted(-2, -2, 2, 2));
            }
        }
    }
    paintLegend(painter);
}

void GcHeapMap::relayout() {
    objects_.clear();
    holes_.clear();
    std::fill(std::begin(objectsPerBand_), std::end(objectsPerBand_), 0);
    const double barLeft = kLabelWidth;
    const double barWidth = std::max(50.0, width() - kLabelWidth - kMargin * 1.0);
    const double available = height() - kLegendHeight - 2.0 * kMargin;
    const double rowHeight = std::max(30.0, available / kRows);
    const double bandHeight = rowHeight - kScaleBarHeight - 10;
    for (int generation = 0; generation < kRows; ++generation) {
        bands_[generation] =
            QRectF(barLeft, kMargin + generation * rowHeight, barWidth, bandHeight);
    }
    if (!snapshot_) {
        return;
    }
    const auto place = [&](int generation, std::uintptr_t address, std::uint64_t bytes) {
        const GcHeapSnapshot::Region& region = snapshot_->regions[generation];
        const std::uint64_t extent = std::max<std::uint64_t>(1, bandExtent(region));
        const QRectF band = bands_[generation];
        const double offset =
            address >= region.start
                ? static_cast<double>(address - region.start) / static_cast<double>(extent)
                : 0.0;
        const double left = band.left() + band.width() * std::min(1.0, offset);
        const double span = band.width() * static_cast<double>(bytes) / static_cast<double>(extent);
        // Every object stays visible and clickable, however small against its band.
        const double right = std::min(band.right(), left + std::max(1.0, span));
        return QRectF(QPointF(std::min(left, band.right() - 1.0), band.top()),
                      QPointF(right, band.bottom()));
    };
    objects_.reserve(snapshot_->objects.size());
    for (std::size_t i = 0; i < snapshot_->objects.size(); ++i) {
        const GcHeapSnapshot::Object& object = snapshot_->objects[i];
        const int generation = std::clamp(object.generation, 0, kRows - 1);
        ++objectsPerBand_[generation];
        objects_.push_back({place(generation, object.address, object.sizeBytes), i});
    }
    for (const GcHeapSnapshot::FreeBlock& block : snapshot_->largeObjectFreeBlocks) {
        holes_.push_back(place(GcHeapSnapshot::kLargeObjectHeap, block.address, block.sizeBytes));
    }
}

void GcHeapMap::paintLegend(QPainter& painter) {
    const QPalette& colors = palette();
    const QFontMetrics metrics(font());
    double x = kMargin;
    const double y = height() - kLegendHeight + 4;
    const double box = metrics.height() - 4;
    const auto entry = [&](const QBrush& brush, const QString& text) {
        painter.fillRect(QRectF(x, y + 2, box, box), colors.color(QPalette::Base));
        painter.fillRect(QRectF(x, y + 2, box, box), brush);
        x += box + 4;
        painter.setPen(colors.color(QPalette::WindowText));
        painter.drawText(QPointF(x, y + metrics.ascent()), text);
        x += metrics.horizontalAdvance(text) + 14;
    };
    // The types present, in type id order.
    std::vector<GcTypeId> present;
    for (const GcHeapSnapshot::Object& object : snapshot_->objects) {
        present.push_back(object.typeId);
    }
    std::sort(present.begin(), present.end());
    present.erase(std::unique(present.begin(), present.end()), present.end());
    for (GcTypeId type : present) {
        if (x > width() - 360) {
            break;
        }
        entry(typeColor(type, colors), type < snapshot_->types.size()
                                           ? QString::fromStdString(snapshot_->types[type].name)
                                           : QString::number(type));
    }
    entry(kFinalizableMark, tr("finalizable"));
    entry(kFReachableMark, tr("awaiting finalizer"));
    entry(QBrush(colors.color(QPalette::Text), Qt::BDiagPattern), tr("LOH free block"));
    if (markGeneration_ >= 0) {
        entry(kMarkedOutline, tr("marked"));
        entry(ViewColors::mix(colors.color(QPalette::Base), colors.color(QPalette::Text),
                              kUnmarkedShare),
              tr("not marked: garbage"));
    }
}

QStringList GcHeapMap::bandDetails(int generation) const {
    const GcHeapSnapshot::Region& region = snapshot_->regions[generation];
    QStringList details{DisplayFormat::bytes(region.sizeBytes()),
                        tr("%n object(s)", nullptr, objectsPerBand_[generation])};
    if (generation == GcHeapSnapshot::kLargeObjectHeap) {
        details.append(tr("%1 free").arg(DisplayFormat::bytes(snapshot_->largeObjectFreeBytes)));
    }
    if ((generation == 0 || generation == 1) && region.budgetBytes > 0) {
        details.append(tr("budget %1").arg(DisplayFormat::bytes(region.budgetBytes)));
    }
    return details;
}

const GcHeapMap::ObjectRect* GcHeapMap::objectAt(QPointF position) const {
    // The smallest rectangle under the point wins: small objects are drawn over big ones.
    const ObjectRect* best = nullptr;
    for (const ObjectRect& object : objects_) {
        if (object.rect.adjusted(-0.5, 0, 0.5, 0).contains(position) &&
            (best == nullptr || object.rect.width() < best->rect.width())) {
            best = &object;
        }
    }
    return best;
}

QString GcHeapMap::toolTipAt(QPoint position) const {
    if (!snapshot_) {
        return {};
    }
    if (const ObjectRect* hit = objectAt(position)) {
        const GcHeapSnapshot::Object& object = snapshot_->objects[hit->index];
        QString text =
            tr("<b>%1</b><br>address %2<br>%3 (%4 bytes)<br>%5")
                .arg(QString::fromStdString(object.typeName).toHtmlEscaped(),
                     DisplayFormat::address(object.address), DisplayFormat::bytes(object.sizeBytes))
                .arg(object.sizeBytes)
                .arg(generationName(object.generation));
        if (object.finalizerRegistered) {
            text += tr("<br>has a finalizer (on the finalization queue)");
        }
        if (fReachable_.contains(object.address)) {
            text += tr("<br>dead, waiting for the finalizer thread (f-reachable)");
        }
        if (markGeneration_ >= 0 && GcHeapSnapshot::condemns(markGeneration_, object)) {
            text += markRank_.contains(object.address)
                        ? tr("<br>marked: the collection reaches it from a root")
                        : tr("<br>not marked: nothing reaches it, the collection frees it");
        }
        return text;
    }
    for (int generation = 0; generation < kRows; ++generation) {
        const QRectF& band = bands_[generation];
        if (position.x() < band.left() && position.y() >= band.top() &&
            position.y() <= band.bottom() + kScaleBarHeight + 8) {
            return QStringLiteral("<b>%1</b><br>%2")
                .arg(generationTitle(generation),
                     bandDetails(generation).join(QStringLiteral("<br>")));
        }
    }
    for (std::size_t i = 0; i < holes_.size(); ++i) {
        if (holes_[i].contains(position)) {
            const GcHeapSnapshot::FreeBlock& block = snapshot_->largeObjectFreeBlocks[i];
            return tr("<b>Free block</b> in the large object heap<br>address %1<br>%2<br>"
                      "The LOH is swept, not compacted: this hole stays until an object "
                      "that fits is allocated here.")
                .arg(DisplayFormat::address(block.address), DisplayFormat::bytes(block.sizeBytes));
        }
    }
    return {};
}

}  // namespace poolscope
