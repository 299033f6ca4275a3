#include "views/GcHeapView.h"

#include <QEvent>
#include <QFontMetrics>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHelpEvent>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPolygonF>
#include <QPushButton>
#include <QSplitter>
#include <QToolTip>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_set>
#include <vector>

namespace poolscope {

namespace {

constexpr int kRows = 4;  // gen 0, gen 1, gen 2, LOH, drawn top to bottom
constexpr int kLabelWidth = 150;
constexpr int kMargin = 8;
constexpr int kLegendHeight = 26;
constexpr int kScaleBarHeight = 5;
constexpr std::size_t kMaxTableRows = 1000;

QString hexAddress(quintptr address) {
    return QStringLiteral("0x") + QString::number(address, 16);
}

QString bytesText(std::uint64_t bytes) {
    return QLocale::system().formattedDataSize(static_cast<qint64>(bytes), 1,
                                               QLocale::DataSizeTraditionalFormat);
}

QString generationName(int generation) {
    return generation == GcHeapSnapshot::kLargeObjectHeap
               ? QStringLiteral("large object heap")
               : QStringLiteral("generation %1").arg(generation);
}

QString rowTitle(int generation) {
    return generation == GcHeapSnapshot::kLargeObjectHeap
               ? QStringLiteral("LOH")
               : QStringLiteral("Gen %1").arg(generation);
}

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightness() < 128;
}

// One colour per type, spread around the hue circle by the golden angle so that neighbouring
// type ids look different; lighter on a dark palette, so objects stand out from the band.
QColor typeColor(GcTypeId typeId, const QPalette& palette) {
    const int hue = static_cast<int>(std::fmod(typeId * 137.508, 360.0));
    return QColor::fromHsl(hue, 150, isDark(palette) ? 150 : 125);
}

const QColor kFinalizableMark(220, 40, 40);
const QColor kFReachableMark(240, 150, 20);

// A simple mix of the values that make one snapshot look different from another.
struct Fingerprint {
    std::uint64_t value = 1469598103934665603ull;
    void add(std::uint64_t word) {
        value ^= word + 0x9e3779b97f4a7c15ull + (value << 6) + (value >> 2);
    }
};

std::uint64_t fingerprintOf(const GcHeapSnapshot& snapshot) {
    Fingerprint print;
    print.add(snapshot.collectionCount);
    print.add(snapshot.objects.size());
    for (const GcHeapSnapshot::Object& object : snapshot.objects) {
        print.add(object.address);
        print.add(object.sizeBytes);
        print.add(object.typeId);
        print.add(static_cast<std::uint64_t>(object.generation) |
                  (object.finalizerRegistered ? 16u : 0u));
        for (std::uintptr_t reference : object.references) {
            print.add(reference);
        }
    }
    for (const GcHeapSnapshot::FreeBlock& block : snapshot.largeObjectFreeBlocks) {
        print.add(block.address);
        print.add(block.sizeBytes);
    }
    for (std::uintptr_t address : snapshot.finalizationQueue) {
        print.add(address);
    }
    print.add(0xF00D);
    for (std::uintptr_t address : snapshot.fReachableQueue) {
        print.add(address);
    }
    for (const GcHeapSnapshot::Handle& handle : snapshot.handles) {
        print.add(handle.slot);
        print.add(static_cast<std::uint64_t>(handle.kind));
        print.add(handle.target);
    }
    for (const GcHeapSnapshot::Root& root : snapshot.roots) {
        print.add(root.target);
        print.add(std::hash<std::string>{}(root.name));
    }
    for (const GcHeapSnapshot::Region& region : snapshot.regions) {
        print.add(region.start);
        print.add(region.end);
    }
    return print.value;
}

// A band spans its region's bytes: the objects fill it to scale, and the label tells the
// budget. (Spanning the budget instead would shrink a young generation's objects to slivers.)
std::uint64_t bandExtent(const GcHeapSnapshot::Region& region) {
    return region.sizeBytes();
}

}  // namespace

// The four bands, painted. Lays out one rectangle per object to the scale of its band, and
// answers clicks and tooltips from the same rectangles.
class GcHeapMap : public QWidget {
public:
    struct ObjectRect {
        QRectF rect;
        std::size_t index;  // into the snapshot's objects
    };

    explicit GcHeapMap(QWidget* parent) : QWidget(parent) {
        setObjectName(QStringLiteral("gcHeapMap"));
        setMouseTracking(false);
        setMinimumHeight(260);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
        setAttribute(Qt::WA_OpaquePaintEvent, false);
    }

    std::function<void(quintptr)> onClicked;

    void setSnapshot(std::shared_ptr<const GcHeapSnapshot> snapshot) {
        snapshot_ = std::move(snapshot);
        fReachable_.clear();
        if (snapshot_) {
            fReachable_.insert(snapshot_->fReachableQueue.begin(),
                               snapshot_->fReachableQueue.end());
        }
        relayout();
        update();
    }

    // For a snapshot equal to the shown one: same objects in the same order, so the laid out
    // rectangles stay right and nothing needs painting.
    void setSnapshotQuietly(std::shared_ptr<const GcHeapSnapshot> snapshot) {
        snapshot_ = std::move(snapshot);
    }

    void setSelected(quintptr address) {
        selected_ = address;
        update();
    }

    const std::vector<ObjectRect>& objectRects() const { return objects_; }
    const std::vector<QRectF>& holeRects() const { return holes_; }

    QRect rectOf(quintptr address) const {
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

protected:
    void resizeEvent(QResizeEvent* event) override {
        QWidget::resizeEvent(event);
        relayout();
    }

    bool event(QEvent* event) override {
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

    void mousePressEvent(QMouseEvent* event) override {
        if (event->button() != Qt::LeftButton) {
            QWidget::mousePressEvent(event);
            return;
        }
        const ObjectRect* hit = objectAt(event->position());
        if (onClicked) {
            onClicked(hit != nullptr ? snapshot_->objects[hit->index].address : 0);
        }
    }

    void paintEvent(QPaintEvent*) override {
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
            painter.drawText(label, Qt::AlignLeft | Qt::AlignTop, rowTitle(generation));
            painter.setFont(font());
            QString detail = bytesText(region.sizeBytes());
            if ((generation == 0 || generation == 1) && region.budgetBytes > 0) {
                detail += tr("\nbudget %1").arg(bytesText(region.budgetBytes));
            }
            detail += tr("\n%n object(s)", nullptr, objectsPerBand_[generation]);
            if (generation == GcHeapSnapshot::kLargeObjectHeap) {
                detail += tr("\n%1 free").arg(bytesText(snapshot_->largeObjectFreeBytes));
            }
            painter.drawText(label.adjusted(0, metrics.height() + 2, 0, 0),
                             Qt::AlignLeft | Qt::AlignTop, detail);

            // The band: gaps between objects show the base colour.
            painter.setPen(Qt::NoPen);
            painter.fillRect(band, colors.color(QPalette::Base));
            if (region.sizeBytes() == 0) {
                painter.setPen(colors.color(QPalette::PlaceholderText));
                painter.drawText(band, Qt::AlignCenter, tr("empty"));
            }
            // The band's size against the largest band: the regions to one common scale.
            const double scale =
                static_cast<double>(region.sizeBytes()) / static_cast<double>(largest);
            painter.fillRect(QRectF(band.left(), band.bottom() + 2,
                                    std::max(1.0, band.width() * scale), kScaleBarHeight),
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
        for (const ObjectRect& object : objects_) {
            const GcHeapSnapshot::Object& info = snapshot_->objects[object.index];
            painter.fillRect(object.rect, typeColor(info.typeId, colors));
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
            if (object.rect.width() > 60 && object.rect.height() > 2 * metrics.height()) {
                painter.setPen(QColor::fromHsl(
                    0, 0, typeColor(info.typeId, colors).lightness() > 128 ? 20 : 235));
                painter.drawText(object.rect.adjusted(4, 12, -4, -2), Qt::AlignLeft | Qt::AlignTop,
                                 QString::fromStdString(info.typeName) + QLatin1Char('\n') +
                                     bytesText(info.sizeBytes));
            }
        }
        if (selected_ != 0) {
            for (const ObjectRect& object : objects_) {
                if (snapshot_->objects[object.index].address == selected_) {
                    painter.setPen(QPen(colors.color(QPalette::Highlight), 3));
                    painter.setBrush(Qt::NoBrush);
                    painter.drawRect(object.rect.adjusted(-2, -2, 2, 2));
                }
            }
        }
        paintLegend(painter);
    }

private:
    void relayout() {
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
            const double span =
                band.width() * static_cast<double>(bytes) / static_cast<double>(extent);
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
            holes_.push_back(
                place(GcHeapSnapshot::kLargeObjectHeap, block.address, block.sizeBytes));
        }
    }

    void paintLegend(QPainter& painter) {
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
    }

    const ObjectRect* objectAt(QPointF position) const {
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

    QString toolTipAt(QPoint position) const {
        if (!snapshot_) {
            return {};
        }
        if (const ObjectRect* hit = objectAt(position)) {
            const GcHeapSnapshot::Object& object = snapshot_->objects[hit->index];
            QString text = tr("<b>%1</b><br>address %2<br>%3 (%4 bytes)<br>%5")
                               .arg(QString::fromStdString(object.typeName).toHtmlEscaped(),
                                    hexAddress(object.address), bytesText(object.sizeBytes))
                               .arg(object.sizeBytes)
                               .arg(generationName(object.generation));
            if (object.finalizerRegistered) {
                text += tr("<br>has a finalizer (on the finalization queue)");
            }
            if (fReachable_.contains(object.address)) {
                text += tr("<br>dead, waiting for the finalizer thread (f-reachable)");
            }
            return text;
        }
        for (std::size_t i = 0; i < holes_.size(); ++i) {
            if (holes_[i].contains(position)) {
                const GcHeapSnapshot::FreeBlock& block = snapshot_->largeObjectFreeBlocks[i];
                return tr("<b>Free block</b> in the large object heap<br>address %1<br>%2<br>"
                          "The LOH is swept, not compacted: this hole stays until an object "
                          "that fits is allocated here.")
                    .arg(hexAddress(block.address), bytesText(block.sizeBytes));
            }
        }
        return {};
    }

    std::shared_ptr<const GcHeapSnapshot> snapshot_;
    std::unordered_set<std::uintptr_t> fReachable_;
    std::vector<ObjectRect> objects_;
    std::vector<QRectF> holes_;
    QRectF bands_[kRows];
    int objectsPerBand_[kRows] = {0, 0, 0, 0};
    quintptr selected_ = 0;
};

GcHeapView::GcHeapView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(createLessonPanel());

    map_ = new GcHeapMap(this);
    map_->onClicked = [this](quintptr address) { selectObject(address); };

    auto* splitter = new QSplitter(Qt::Vertical, this);
    auto* mapBox = new QGroupBox(tr("Managed heap (each band to the scale of its region)"), this);
    auto* mapLayout = new QVBoxLayout(mapBox);
    summary_ = new QLabel(mapBox);
    summary_->setObjectName(QStringLiteral("heapSummary"));
    mapLayout->addWidget(summary_);
    mapLayout->addWidget(map_, 1);
    splitter->addWidget(mapBox);
    splitter->addWidget(createTables());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);
    showRetentionPath();
}

GcHeapView::~GcHeapView() = default;

QWidget* GcHeapView::createLessonPanel() {
    auto* box = new QGroupBox(tr("Lesson"), this);
    auto* layout = new QHBoxLayout(box);
    auto* text = new QVBoxLayout;
    lessonTitle_ = new QLabel(box);
    lessonTitle_->setObjectName(QStringLiteral("lessonTitle"));
    QFont titleFont = lessonTitle_->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    lessonTitle_->setFont(titleFont);
    lessonText_ = new QLabel(box);
    lessonText_->setObjectName(QStringLiteral("lessonExplanation"));
    lessonText_->setWordWrap(true);
    lessonText_->setTextFormat(Qt::PlainText);
    lessonText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    text->addWidget(lessonTitle_);
    text->addWidget(lessonText_, 1);
    layout->addLayout(text, 1);

    auto* buttons = new QVBoxLayout;
    auto* collectRow = new QHBoxLayout;
    for (int generation = 0; generation < 3; ++generation) {
        auto* button = new QPushButton(tr("Collect gen %1").arg(generation), box);
        button->setObjectName(QStringLiteral("collectGen%1Button").arg(generation));
        button->setToolTip(generation == 2
                               ? tr("A full collection: every generation and the large object "
                                    "heap.")
                               : tr("Collect generations 0 to %1.").arg(generation));
        connect(button, &QPushButton::clicked, this,
                [this, generation] { emit collectRequested(generation); });
        collectButtons_[generation] = button;
        collectRow->addWidget(button);
    }
    stepButton_ = new QPushButton(tr("Step lesson"), box);
    stepButton_->setObjectName(QStringLiteral("stepLessonButton"));
    connect(stepButton_, &QPushButton::clicked, this, &GcHeapView::stepLessonRequested);
    buttons->addLayout(collectRow);
    buttons->addWidget(stepButton_);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    return box;
}

QTreeWidget* GcHeapView::createTable(const QString& objectName, const QStringList& headers) {
    auto* table = new QTreeWidget(this);
    table->setObjectName(objectName);
    table->setRootIsDecorated(false);
    table->setUniformRowHeights(true);
    table->setAlternatingRowColors(true);
    table->setHeaderLabels(headers);
    table->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->header()->setStretchLastSection(true);
    connect(table, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item != nullptr) {
            const quintptr address = item->data(0, Qt::UserRole).value<quintptr>();
            if (address != 0 && address != selected_) {
                selectObject(address);
            }
        }
    });
    return table;
}

QWidget* GcHeapView::createTables() {
    auto* panel = new QWidget(this);
    auto* layout = new QHBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    const QStringList objectColumns = {tr("Address"), tr("Type"), tr("Size"), tr("Gen")};
    const auto boxed = [&](const QString& title, QWidget* content) {
        auto* box = new QGroupBox(title, panel);
        auto* boxLayout = new QVBoxLayout(box);
        boxLayout->setContentsMargins(4, 4, 4, 4);
        boxLayout->addWidget(content);
        return box;
    };
    finalizationQueue_ = createTable(QStringLiteral("finalizationQueueTable"), objectColumns);
    finalizationQueue_->setToolTip(
        tr("Objects with a finalizer that has not run yet. When the collector finds one dead, it "
           "moves it to the f-reachable queue instead of freeing it."));
    fReachableQueue_ = createTable(QStringLiteral("fReachableQueueTable"), objectColumns);
    fReachableQueue_->setToolTip(
        tr("Dead objects brought back to life until the finalizer thread has run their "
           "finalizer; they are freed by a later collection."));
    handles_ = createTable(QStringLiteral("handleTable"),
                           {tr("Handle"), tr("Kind"), tr("Target"), tr("Target type")});
    handles_->setToolTip(
        tr("GC handles. Weak handles do not keep their target alive: a short one is cleared "
           "before finalization, a long one only after it."));

    retentionPath_ = new QLabel(panel);
    retentionPath_->setObjectName(QStringLiteral("retentionPathText"));
    retentionPath_->setWordWrap(true);
    retentionPath_->setTextFormat(Qt::PlainText);
    retentionPath_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    retentionPath_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    retentionPath_->setMinimumWidth(260);

    layout->addWidget(boxed(tr("Finalization queue"), finalizationQueue_), 1);
    layout->addWidget(boxed(tr("F-reachable queue"), fReachableQueue_), 1);
    layout->addWidget(boxed(tr("GC handles (strong, pinned, weak)"), handles_), 1);
    layout->addWidget(boxed(tr("Why is it alive? (retention path)"), retentionPath_), 1);
    return panel;
}

QWidget* GcHeapView::heapMap() const {
    return map_;
}

int GcHeapView::objectRectCount() const {
    return static_cast<int>(map_->objectRects().size());
}

QRect GcHeapView::objectRect(quintptr address) const {
    return map_->rectOf(address);
}

int GcHeapView::largeObjectHoleRectCount() const {
    return static_cast<int>(map_->holeRects().size());
}

QRect GcHeapView::largeObjectHoleRect(int index) const {
    const std::vector<QRectF>& holes = map_->holeRects();
    return index >= 0 && index < static_cast<int>(holes.size())
               ? holes[static_cast<std::size_t>(index)].toAlignedRect()
               : QRect();
}

QString GcHeapView::retentionPathText() const {
    return retentionPath_->text();
}

void GcHeapView::setSnapshot(std::shared_ptr<const GcHeapSnapshot> snapshot) {
    if (snapshot == snapshot_) {
        return;
    }
    const std::uint64_t fingerprint = snapshot ? fingerprintOf(*snapshot) : 0;
    if (snapshot && snapshot_ && fingerprint == fingerprint_) {
        snapshot_ =
            std::move(snapshot);  // the same heap state: keep the newer copy, redraw nothing
        map_->setSnapshotQuietly(snapshot_);
        return;
    }
    snapshot_ = std::move(snapshot);
    fingerprint_ = fingerprint;
    ++snapshotChanges_;
    map_->setSnapshot(snapshot_);
    if (selected_ != 0 && (!snapshot_ || snapshot_->findObject(selected_) == nullptr)) {
        // The selected object moved or died; a selection by address cannot follow it.
        selected_ = 0;
        map_->setSelected(0);
    }
    rebuildTables();
    showRetentionPath();
}

void GcHeapView::setLesson(const QString& title, const QString& explanation) {
    lessonTitle_->setText(title);
    lessonText_->setText(explanation);
}

void GcHeapView::setLessonControlsEnabled(bool enabled) {
    for (QPushButton* button : collectButtons_) {
        button->setEnabled(enabled);
    }
    stepButton_->setEnabled(enabled);
}

void GcHeapView::selectObject(quintptr address) {
    if (address != 0 && (!snapshot_ || snapshot_->findObject(address) == nullptr)) {
        return;
    }
    const bool changed = address != selected_;
    selected_ = address;
    map_->setSelected(address);
    showRetentionPath();
    if (changed) {
        emit objectSelected(address);
    }
}

void GcHeapView::fillObjectRow(QTreeWidgetItem* item, quintptr address) const {
    item->setText(0, hexAddress(address));
    item->setData(0, Qt::UserRole, QVariant::fromValue(address));
    const GcHeapSnapshot::Object* object = snapshot_->findObject(address);
    if (object != nullptr) {
        item->setText(1, QString::fromStdString(object->typeName));
        item->setText(2, bytesText(object->sizeBytes));
        item->setText(3, rowTitle(object->generation));
    }
}

void GcHeapView::rebuildTables() {
    for (QTreeWidget* table : {finalizationQueue_, fReachableQueue_, handles_}) {
        const QSignalBlocker blocker(table);
        table->clear();
    }
    if (!snapshot_) {
        summary_->clear();
        return;
    }
    // A heap under load can queue tens of thousands of objects; rebuilding that many rows at
    // the snapshot rate would stall the GUI, and nobody reads past the first screens anyway.
    const auto moreRow = [&](std::size_t total) {
        auto* item = new QTreeWidgetItem;
        item->setText(0, tr("… %1 more").arg(total - kMaxTableRows));
        return item;
    };
    const auto fill = [&](QTreeWidget* table, const std::vector<std::uintptr_t>& addresses) {
        const QSignalBlocker blocker(table);
        QList<QTreeWidgetItem*> items;
        const std::size_t shown = std::min(addresses.size(), kMaxTableRows);
        items.reserve(static_cast<qsizetype>(shown + 1));
        for (std::size_t i = 0; i < shown; ++i) {
            auto* item = new QTreeWidgetItem;
            fillObjectRow(item, addresses[i]);
            items.append(item);
        }
        if (addresses.size() > shown) {
            items.append(moreRow(addresses.size()));
        }
        table->addTopLevelItems(items);
    };
    fill(finalizationQueue_, snapshot_->finalizationQueue);
    fill(fReachableQueue_, snapshot_->fReachableQueue);
    {
        const QSignalBlocker blocker(handles_);
        QList<QTreeWidgetItem*> items;
        for (const GcHeapSnapshot::Handle& handle : snapshot_->handles) {
            if (static_cast<std::size_t>(items.size()) == kMaxTableRows) {
                items.append(moreRow(snapshot_->handles.size()));
                break;
            }
            auto* item = new QTreeWidgetItem;
            item->setText(0, handle.name.empty() ? QStringLiteral("#%1").arg(handle.slot)
                                                 : QString::fromStdString(handle.name));
            item->setText(1, QString::fromLatin1(gcHandleKindName(handle.kind)));
            item->setData(0, Qt::UserRole, QVariant::fromValue<quintptr>(handle.target));
            if (handle.target == 0) {
                item->setText(2, tr("cleared"));
            } else {
                item->setText(2, hexAddress(handle.target));
                if (const GcHeapSnapshot::Object* object = snapshot_->findObject(handle.target)) {
                    item->setText(3, QString::fromStdString(object->typeName));
                }
            }
            items.append(item);
        }
        handles_->addTopLevelItems(items);
    }
    std::uint64_t objectBytes = 0;
    for (const GcHeapSnapshot::Object& object : snapshot_->objects) {
        objectBytes += object.sizeBytes;
    }
    summary_->setText(tr("%n object(s), %1 in objects; %2 collection(s) so far; %3 roots; "
                         "LOH free %4 in %5 block(s)",
                         nullptr, static_cast<int>(snapshot_->objects.size()))
                          .arg(bytesText(objectBytes))
                          .arg(snapshot_->collectionCount)
                          .arg(snapshot_->roots.size())
                          .arg(bytesText(snapshot_->largeObjectFreeBytes))
                          .arg(snapshot_->largeObjectFreeBlocks.size()));
}

void GcHeapView::showRetentionPath() {
    if (!snapshot_ || selected_ == 0) {
        retentionPath_->setText(
            tr("Click an object in the heap to see which root keeps it alive, through which "
               "references."));
        return;
    }
    const GcHeapSnapshot::Object* object = snapshot_->findObject(selected_);
    if (object == nullptr) {
        retentionPath_->setText(tr("The selected object is no longer in this snapshot."));
        return;
    }
    QString text = tr("%1 at %2, %3, %4.\n\n")
                       .arg(QString::fromStdString(object->typeName), hexAddress(object->address),
                            bytesText(object->sizeBytes), generationName(object->generation));
    const std::optional<RetentionPath> path = snapshot_->retentionPathTo(selected_);
    if (!path) {
        text +=
            tr("No root reaches it: it is garbage. The next collection of its generation "
               "frees it (or, if it has a finalizer, moves it to the f-reachable queue).");
        retentionPath_->setText(text);
        return;
    }
    text += tr("Kept alive by the root \"%1\":\n").arg(QString::fromStdString(path->rootName));
    text += QString::fromStdString(path->rootName);
    for (const RetentionPath::Step& step : path->steps) {
        text += QStringLiteral("\n  → ");
        if (!step.viaField.empty()) {
            text += QString::fromStdString(step.viaField) + QStringLiteral(" → ");
        }
        text += QStringLiteral("%1 (%2)").arg(QString::fromStdString(step.typeName),
                                              hexAddress(step.address));
    }
    if (path->rootName == "f-reachable queue") {
        text += tr("\n\nIt is dead already; only its pending finalizer holds it.");
    } else {
        text += tr("\n\nBreak any link of this chain and the object becomes garbage.");
    }
    retentionPath_->setText(text);
}

}  // namespace poolscope
