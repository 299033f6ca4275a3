#include "views/GcHeapView.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>
#include <vector>

#include "models/DisplayFormat.h"
#include "views/GcHeapMap.h"
#include "views/GcQueueJourney.h"

namespace poolscope {

namespace {

constexpr std::size_t kMaxTableRows = 1000;

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
    // The same heap shown with a collection's mark is another picture.
    print.add(static_cast<std::uint64_t>(snapshot.markGeneration + 1));
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

// What the selected object's header and the heap's tables say about it beyond its place: its
// age, whether it is pinned, whether a finalizer is pending, and the handles that point at it.
QString headerDetails(const GcHeapSnapshot& snapshot, const GcHeapSnapshot::Object& object) {
    const auto queued = [&object](const std::vector<std::uintptr_t>& queue) {
        return std::find(queue.begin(), queue.end(), object.address) != queue.end();
    };
    QString text =
        GcHeapView::tr("Age: survived %n collection(s).", nullptr, static_cast<int>(object.age));
    text += object.pinned ? GcHeapView::tr("\nPinned: yes, compaction leaves it in place.")
                          : GcHeapView::tr("\nPinned: no.");
    text += QLatin1Char('\n');
    if (queued(snapshot.fReachableQueue)) {
        text += GcHeapView::tr("Finalizer: due, on the f-reachable queue.");
    } else if (queued(snapshot.finalizationQueue)) {
        text += GcHeapView::tr("Finalizer: registered, on the finalization queue.");
    } else {
        text += GcHeapView::tr("Finalizer: none registered.");
    }
    QStringList handles;
    for (const GcHeapSnapshot::Handle& handle : snapshot.handles) {
        if (handle.target != object.address) {
            continue;
        }
        const QString kind = QString::fromLatin1(gcHandleKindName(handle.kind));
        handles.append(
            handle.name.empty()
                ? kind
                : QStringLiteral("%1 \"%2\"").arg(kind, QString::fromStdString(handle.name)));
    }
    text +=
        GcHeapView::tr("\nHandles pointing at it: %1.")
            .arg(handles.isEmpty() ? GcHeapView::tr("none") : handles.join(QStringLiteral(", ")));
    return text;
}

}  // namespace

GcHeapView::GcHeapView(QWidget* parent) : QWidget(parent), journey_(new GcQueueJourney(this)) {
    // Below the height the lesson, the map and the tables need, the view scrolls instead of
    // holding every other dock of the window to that height.
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* content = new QWidget(scroll);
    scroll->setWidget(content);
    outer->addWidget(scroll);
    auto* layout = new QVBoxLayout(content);
    layout->addWidget(createLessonPanel());

    map_ = new GcHeapMap(this);
    map_->onClicked = [this](quintptr address) {
        journey_->finish();  // a click skips every journey, the map's and the queues'
        selectObject(address);
    };

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
    // A long step title wraps: unwrapped it would widen the view past its dock, whose
    // horizontal scroll bar is off, and cut the collect buttons and the heap's right end.
    lessonTitle_->setWordWrap(true);
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
    const std::uint64_t collectionsBefore = snapshot_ ? snapshot_->collectionCount : 0;
    const std::shared_ptr<const GcHeapSnapshot> previous = snapshot_;
    snapshot_ = std::move(snapshot);
    fingerprint_ = fingerprint;
    ++snapshotChanges_;
    map_->setSnapshot(snapshot_);
    if (selected_ != 0 && snapshot_ && snapshot_->collectionCount == collectionsBefore + 1) {
        // One collection later the selection follows its object if compaction moved it.
        for (const GcObjectMove& move : snapshot_->lastCollectionMoves) {
            if (move.from == selected_) {
                selected_ = move.to;
                map_->setSelected(selected_);
                break;
            }
        }
    }
    if (selected_ != 0 && (!snapshot_ || snapshot_->findObject(selected_) == nullptr)) {
        // The selected object died, or left over more than one collection.
        selected_ = 0;
        map_->setSelected(0);
    }
    std::unordered_map<std::uintptr_t, QRect> queuedBefore;
    if (transitionsEnabled_ && previous) {
        queuedBefore = rowRects(finalizationQueue_, previous->finalizationQueue);
    }
    rebuildTables();
    showRetentionPath();
    // A finalizable object found dead travels from its finalization queue row to its new row.
    std::vector<GcQueueJourney::Trip> trips;
    if (snapshot_ && !queuedBefore.empty()) {
        for (const auto& [address, to] : rowRects(fReachableQueue_, snapshot_->fReachableQueue)) {
            const auto from = queuedBefore.find(address);
            const GcHeapSnapshot::Object* object = snapshot_->findObject(address);
            if (from != queuedBefore.end() && object != nullptr) {
                trips.push_back({QString::fromStdString(object->typeName), from->second, to});
            }
        }
    }
    journey_->start(std::move(trips));
}

std::unordered_map<std::uintptr_t, QRect> GcHeapView::rowRects(
    QTreeWidget* table, const std::vector<std::uintptr_t>& addresses) const {
    std::unordered_map<std::uintptr_t, QRect> rects;
    QWidget* viewport = table->viewport();
    const int shown = std::min(table->topLevelItemCount(), static_cast<int>(addresses.size()));
    for (int row = 0; row < shown; ++row) {
        const QRect rect = table->visualItemRect(table->topLevelItem(row));
        if (!rect.isEmpty() && viewport->rect().intersects(rect)) {
            rects.emplace(addresses[static_cast<std::size_t>(row)],
                          QRect(viewport->mapTo(this, rect.topLeft()), rect.size()));
        }
    }
    return rects;
}

void GcHeapView::setTransitionsEnabled(bool enabled) {
    transitionsEnabled_ = enabled;
    map_->setTransitionsEnabled(enabled);
    if (!enabled) {
        journey_->finish();
    }
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
    item->setText(0, DisplayFormat::address(address));
    item->setData(0, Qt::UserRole, QVariant::fromValue(address));
    const GcHeapSnapshot::Object* object = snapshot_->findObject(address);
    if (object != nullptr) {
        item->setText(1, QString::fromStdString(object->typeName));
        item->setText(2, DisplayFormat::bytes(object->sizeBytes));
        item->setText(3, GcHeapMap::generationTitle(object->generation));
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
                item->setText(2, DisplayFormat::address(handle.target));
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
                          .arg(DisplayFormat::bytes(objectBytes))
                          .arg(snapshot_->collectionCount)
                          .arg(snapshot_->roots.size())
                          .arg(DisplayFormat::bytes(snapshot_->largeObjectFreeBytes))
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
    QString text =
        tr("%1 at %2, %3, %4.\n")
            .arg(QString::fromStdString(object->typeName), DisplayFormat::address(object->address),
                 DisplayFormat::bytes(object->sizeBytes),
                 GcHeapMap::generationName(object->generation)) +
        headerDetails(*snapshot_, *object) + QStringLiteral("\n\n");
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
                                              DisplayFormat::address(step.address));
    }
    if (path->rootName == "f-reachable queue") {
        text += tr("\n\nIt is dead already; only its pending finalizer holds it.");
    } else {
        text += tr("\n\nBreak any link of this chain and the object becomes garbage.");
    }
    retentionPath_->setText(text);
}

}  // namespace poolscope
