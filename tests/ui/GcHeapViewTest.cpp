#include <QTemporaryDir>
#include <QtTest>
#include <QtWidgets>

#include <atomic>
#include <future>
#include <memory>
#include <set>

#include "gc/GcHeap.h"
#include "views/GcHeapView.h"

using namespace poolscope;

namespace {

// A heap as a lesson leaves it: a static "opened forms" list holding a closed form in
// generation 2, nodes in generations 1 and 0, two large arrays with a freed hole between them,
// finalizable resources (two alive, three dead and waiting for a finalizer that is held up),
// and weak handles (one to a live form, one cleared).
struct TeachingHeap {
    std::promise<void> releaseFinalizer;
    std::shared_future<void> finalizerReleased = releaseFinalizer.get_future().share();
    std::atomic<bool> finalizerStarted{false};
    std::unique_ptr<GcHeap> heap;
    std::unique_ptr<GcFrame> frame;
    GcHandle closedForm;
    GcHandle clearedWeak;
    GcHandle strong;
    std::uintptr_t closedFormAddress = 0;

    TeachingHeap() {
        GcHeap::Settings settings;
        settings.smallObjectReserveBytes = 64u << 20;
        settings.largeObjectReserveBytes = 256u << 20;
        settings.gen0BudgetBytes = 16 * 1024;
        settings.gen1BudgetBytes = 64 * 1024;
        heap = std::make_unique<GcHeap>(settings);
        const GcTypeId formList = heap->registerType(GcType{"FormList", 16, {{"items", 0}}, {}});
        const GcTypeId form = heap->registerType(GcType{"Form", 48, {{"owner", 0}}, {}});
        const GcTypeId node = heap->registerType(GcType{"Node", 40, {{"next", 0}}, {}});
        const GcTypeId resource =
            heap->registerType(GcType{"FileStream", 32, {}, [this](GcHeap&, ObjectRef) {
                                          finalizerStarted = true;
                                          finalizerReleased.wait();
                                      }});
        const GcHeap::StaticId openedForms = heap->defineStatic("openedForms");
        frame = std::make_unique<GcFrame>(*heap, "main");

        heap->allocateByteArray(*frame, 120000);
        {
            GcFrame garbage(*heap, "garbage");
            heap->allocateByteArray(garbage, 240000);
        }
        heap->allocateByteArray(*frame, 150000);
        {
            GcFrame open(*heap, "Application.run");
            const ObjectRef list = heap->allocate(open, formList);
            heap->setReference(list, 0, heap->allocateReferenceArray(open, 4));
            heap->setStatic(openedForms, list);
            const ObjectRef items = heap->getReference(open, list, 0);
            for (std::size_t i = 0; i < 3; ++i) {
                const ObjectRef opened = heap->allocate(open, form);
                heap->setReference(items, i, opened);
                if (i == 2) {
                    closedForm =
                        heap->allocateHandle(opened, GcHandleKind::WeakShort, "closed form");
                }
            }
        }
        heap->collect(2);  // the 240000-byte array leaves a hole in the LOH
        heap->collect(1);  // the forms to generation 2

        for (int i = 0; i < 6; ++i) {
            heap->allocate(*frame, node);
        }
        {
            GcFrame garbage(*heap, "garbage");
            clearedWeak = heap->allocateHandle(heap->allocate(garbage, node),
                                               GcHandleKind::WeakLong, "thumbnail cache");
            for (int i = 0; i < 3; ++i) {
                heap->allocate(garbage, resource);
            }
        }
        heap->allocate(*frame, resource);
        heap->collect(0);  // nodes to generation 1; the dead resources to the f-reachable queue
        while (!finalizerStarted) {
            QThread::msleep(1);
        }
        for (int i = 0; i < 5; ++i) {
            heap->allocate(*frame, node);
        }
        const ObjectRef liveResource = heap->allocate(*frame, resource);
        strong = heap->allocateHandle(liveResource, GcHandleKind::Strong, "open file");
        closedFormAddress = heap->addressOf(closedForm.ref());
    }

    ~TeachingHeap() {
        releaseFinalizer.set_value();
        heap->waitForPendingFinalizers();
    }
};

QColor pixelAt(const QImage& image, QPoint point) {
    return image.pixelColor(point);
}

}  // namespace

class GcHeapViewTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void view_drawsOneRectanglePerObject_inTheBandOfItsGeneration();
    void largeObjectHeapHole_isDrawnUnlikeAnyObject();
    void queueAndHandleTables_haveOneRowPerEntry();
    void clickingAnObject_emitsItsAddress_andShowsTheRootThatKeepsItAlive();
    void selectedObject_showsItsAgePinningFinalizerAndTheHandlesPointingAtIt();
    void longLessonTitle_wrapsInsteadOfWideningTheView();
    void clickingEmptySpace_clearsTheSelection();
    void tooltip_givesAddressTypeSizeAndGeneration();
    void buttons_askForCollectionsAndLessonSteps_andCanBeDisabled();
    void equalSnapshot_changesNothing_aNewHeapStateRebuilds();
    void lesson_showsTitleAndExplanation();
    void longQueue_showsItsFirstRowsAndCountsTheRest();
    void screenshot_isReadableAt1280x800_inLightAndDarkPalettes();

private:
    std::unique_ptr<TeachingHeap> heap_;
    std::shared_ptr<const GcHeapSnapshot> snapshot_;
    std::unique_ptr<GcHeapView> view_;
};

void GcHeapViewTest::initTestCase() {
    heap_ = std::make_unique<TeachingHeap>();
    snapshot_ = std::make_shared<const GcHeapSnapshot>(heap_->heap->snapshot());
    view_ = std::make_unique<GcHeapView>();
    view_->resize(1280, 800);
    view_->setLesson(QStringLiteral("A static list keeps closed forms alive"),
                     QStringLiteral("The form was closed and disposed, but the static list "
                                    "openedForms still points at it."));
    view_->setSnapshot(snapshot_);
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_.get()));
}

void GcHeapViewTest::cleanupTestCase() {
    view_.reset();
    heap_.reset();
}

void GcHeapViewTest::view_drawsOneRectanglePerObject_inTheBandOfItsGeneration() {
    QCOMPARE(view_->objectRectCount(), static_cast<int>(snapshot_->objects.size()));
    int perGeneration[4] = {0, 0, 0, 0};
    int bandTop[4] = {-1, -1, -1, -1};
    for (const GcHeapSnapshot::Object& object : snapshot_->objects) {
        const QRect rect = view_->objectRect(object.address);
        QVERIFY2(!rect.isEmpty(), qPrintable(QString::fromStdString(object.typeName)));
        QVERIFY(view_->heapMap()->rect().contains(rect));
        ++perGeneration[object.generation];
        if (bandTop[object.generation] < 0) {
            bandTop[object.generation] = rect.top();
        }
        QCOMPARE(rect.top(), bandTop[object.generation]);  // one band per generation
    }
    for (int generation = 0; generation < 4; ++generation) {
        QVERIFY2(perGeneration[generation] > 0, qPrintable(QString::number(generation)));
    }
    // Bands top to bottom: gen 0, gen 1, gen 2, LOH.
    QVERIFY(bandTop[0] < bandTop[1] && bandTop[1] < bandTop[2] && bandTop[2] < bandTop[3]);
}

void GcHeapViewTest::largeObjectHeapHole_isDrawnUnlikeAnyObject() {
    QCOMPARE(view_->largeObjectHoleRectCount(),
             static_cast<int>(snapshot_->largeObjectFreeBlocks.size()));
    QCOMPARE(view_->largeObjectHoleRectCount(), 1);
    const QRect hole = view_->largeObjectHoleRect(0);
    QVERIFY(hole.width() > 20);
    const QImage image = view_->heapMap()->grab().toImage();
    const qreal ratio = image.devicePixelRatio();
    const auto at = [&](QPoint point) {
        return pixelAt(image, QPoint(qRound(point.x() * ratio), qRound(point.y() * ratio)));
    };
    std::set<QRgb> objectColours;
    for (const GcHeapSnapshot::Object& object : snapshot_->objects) {
        const QRect rect = view_->objectRect(object.address);
        if (rect.width() >= 3) {
            objectColours.insert(at(QPoint(rect.center().x(), rect.bottom() - 2)).rgb());
        }
    }
    // The lower part of the hole: hatched, so more than one colour, none an object's.
    std::set<QRgb> holeColours;
    for (int x = hole.left() + 2; x < hole.right() - 2; ++x) {
        holeColours.insert(at(QPoint(x, hole.bottom() - 3)).rgb());
    }
    QVERIFY(holeColours.size() >= 2);
    for (QRgb colour : holeColours) {
        QVERIFY2(!objectColours.contains(colour), qPrintable(QColor(colour).name()));
    }
}

void GcHeapViewTest::queueAndHandleTables_haveOneRowPerEntry() {
    auto* finalization = view_->findChild<QTreeWidget*>(QStringLiteral("finalizationQueueTable"));
    auto* fReachable = view_->findChild<QTreeWidget*>(QStringLiteral("fReachableQueueTable"));
    auto* handles = view_->findChild<QTreeWidget*>(QStringLiteral("handleTable"));
    QVERIFY(finalization && fReachable && handles);
    QCOMPARE(snapshot_->finalizationQueue.size(), std::size_t{2});
    QCOMPARE(snapshot_->fReachableQueue.size(), std::size_t{2});  // the third one is running
    QCOMPARE(finalization->topLevelItemCount(), 2);
    QCOMPARE(fReachable->topLevelItemCount(), 2);
    QCOMPARE(fReachable->topLevelItem(0)->text(1), QStringLiteral("FileStream"));
    QCOMPARE(handles->topLevelItemCount(), static_cast<int>(snapshot_->handles.size()));
    QCOMPARE(handles->topLevelItemCount(), 3);
    const auto row = [&](const QString& name) -> QTreeWidgetItem* {
        const auto found = handles->findItems(name, Qt::MatchExactly, 0);
        return found.isEmpty() ? nullptr : found.front();
    };
    QVERIFY(row(QStringLiteral("thumbnail cache")) != nullptr);
    QCOMPARE(row(QStringLiteral("thumbnail cache"))->text(1), QStringLiteral("long weak handle"));
    QCOMPARE(row(QStringLiteral("thumbnail cache"))->text(2), QStringLiteral("cleared"));
    QCOMPARE(row(QStringLiteral("closed form"))->text(3), QStringLiteral("Form"));
    QCOMPARE(row(QStringLiteral("open file"))->text(1), QStringLiteral("strong handle"));
}

void GcHeapViewTest::clickingAnObject_emitsItsAddress_andShowsTheRootThatKeepsItAlive() {
    QSignalSpy selected(view_.get(), &GcHeapView::objectSelected);
    const QRect rect = view_->objectRect(heap_->closedFormAddress);
    QVERIFY(rect.width() >= 3);
    QTest::mouseClick(view_->heapMap(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.front().front().value<quintptr>(), heap_->closedFormAddress);
    QCOMPARE(view_->selectedAddress(), heap_->closedFormAddress);
    const QString text = view_->retentionPathText();
    QVERIFY2(text.contains(QStringLiteral("static openedForms")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("items → object[]")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("[2] → Form")), qPrintable(text));
    auto* label = view_->findChild<QLabel*>(QStringLiteral("retentionPathText"));
    QCOMPARE(label->text(), text);
}

void GcHeapViewTest::longLessonTitle_wrapsInsteadOfWideningTheView() {
    const QString title = QStringLiteral(
        "A finalizable object dies twice 2/4: the collection moves it to the f-reachable queue");
    view_->setLesson(title, QStringLiteral("The collection found it dead but could not free it."));
    auto* label = view_->findChild<QLabel*>(QStringLiteral("lessonTitle"));
    QVERIFY(label != nullptr);
    QVERIFY2(label->minimumSizeHint().width() < label->fontMetrics().horizontalAdvance(title) / 2,
             qPrintable(QString::number(label->minimumSizeHint().width())));
    view_->setLesson({}, {});
}

void GcHeapViewTest::selectedObject_showsItsAgePinningFinalizerAndTheHandlesPointingAtIt() {
    view_->selectObject(heap_->closedFormAddress);
    QString text = view_->retentionPathText();
    // The form was made before the fixture's collections of generations 2 and 1.
    QVERIFY2(text.contains(QStringLiteral("Age: survived 2 collection(s).")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Pinned: no.")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Finalizer: none registered.")), qPrintable(text));
    QVERIFY2(
        text.contains(QStringLiteral("Handles pointing at it: short weak handle \"closed form\".")),
        qPrintable(text));

    view_->selectObject(snapshot_->fReachableQueue.front());
    text = view_->retentionPathText();
    QVERIFY2(text.contains(QStringLiteral("Finalizer: due, on the f-reachable queue.")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Handles pointing at it: none.")), qPrintable(text));

    view_->selectObject(snapshot_->finalizationQueue.front());
    text = view_->retentionPathText();
    QVERIFY2(text.contains(QStringLiteral("Finalizer: registered, on the finalization queue.")),
             qPrintable(text));
    view_->selectObject(0);
}

void GcHeapViewTest::clickingEmptySpace_clearsTheSelection() {
    view_->selectObject(heap_->closedFormAddress);
    QSignalSpy selected(view_.get(), &GcHeapView::objectSelected);
    QTest::mouseClick(view_->heapMap(), Qt::LeftButton, {}, QPoint(5, 5));  // the label column
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.front().front().value<quintptr>(), quintptr{0});
    QVERIFY(!view_->retentionPathText().contains(QStringLiteral("openedForms")));
}

void GcHeapViewTest::tooltip_givesAddressTypeSizeAndGeneration() {
    QWidget* map = view_->heapMap();
    const QRect rect = view_->objectRect(heap_->closedFormAddress);
    QHelpEvent help(QEvent::ToolTip, rect.center(), map->mapToGlobal(rect.center()));
    QApplication::sendEvent(map, &help);
    QTRY_VERIFY_WITH_TIMEOUT(QToolTip::isVisible(), 5000);
    const QString text = QToolTip::text();
    QVERIFY2(text.contains(QStringLiteral("Form")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("0x") + QString::number(heap_->closedFormAddress, 16)),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("72 bytes")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("generation 2")), qPrintable(text));

    const QRect hole = view_->largeObjectHoleRect(0);
    QHelpEvent holeHelp(QEvent::ToolTip, hole.center() + QPoint(0, 10),
                        map->mapToGlobal(hole.center() + QPoint(0, 10)));
    QApplication::sendEvent(map, &holeHelp);
    QTRY_VERIFY_WITH_TIMEOUT(QToolTip::text().contains(QStringLiteral("Free block")), 5000);
    QToolTip::hideText();
}

void GcHeapViewTest::buttons_askForCollectionsAndLessonSteps_andCanBeDisabled() {
    QSignalSpy collect(view_.get(), &GcHeapView::collectRequested);
    QSignalSpy step(view_.get(), &GcHeapView::stepLessonRequested);
    for (int generation = 0; generation < 3; ++generation) {
        auto* button =
            view_->findChild<QPushButton*>(QStringLiteral("collectGen%1Button").arg(generation));
        QVERIFY(button != nullptr);
        QCOMPARE(button->text(), QStringLiteral("Collect gen %1").arg(generation));
        QTest::mouseClick(button, Qt::LeftButton);
    }
    QCOMPARE(collect.count(), 3);
    QCOMPARE(collect.at(0).front().toInt(), 0);
    QCOMPARE(collect.at(2).front().toInt(), 2);
    auto* stepButton = view_->findChild<QPushButton*>(QStringLiteral("stepLessonButton"));
    QTest::mouseClick(stepButton, Qt::LeftButton);
    QCOMPARE(step.count(), 1);

    view_->setLessonControlsEnabled(false);
    QTest::mouseClick(stepButton, Qt::LeftButton);
    QCOMPARE(step.count(), 1);
    QVERIFY(!view_->findChild<QPushButton*>(QStringLiteral("collectGen2Button"))->isEnabled());
    view_->setLessonControlsEnabled(true);
    QVERIFY(stepButton->isEnabled());
}

void GcHeapViewTest::equalSnapshot_changesNothing_aNewHeapStateRebuilds() {
    GcHeapView view;
    view.resize(1000, 700);
    view.setSnapshot(std::make_shared<const GcHeapSnapshot>(heap_->heap->snapshot()));
    QCOMPARE(view.snapshotChanges(), 1);
    view.setSnapshot(std::make_shared<const GcHeapSnapshot>(heap_->heap->snapshot()));
    QCOMPARE(view.snapshotChanges(), 1);
    {
        GcFrame frame(*heap_->heap, "more");
        heap_->heap->allocateByteArray(frame, 64);
        view.setSnapshot(std::make_shared<const GcHeapSnapshot>(heap_->heap->snapshot()));
    }
    QCOMPARE(view.snapshotChanges(), 2);
    QCOMPARE(view.objectRectCount(), static_cast<int>(snapshot_->objects.size()) + 1);
    view.setSnapshot(nullptr);
    QCOMPARE(view.objectRectCount(), 0);
}

void GcHeapViewTest::lesson_showsTitleAndExplanation() {
    view_->setLesson(QStringLiteral("Finalizers delay freeing"),
                     QStringLiteral("An object with a finalizer survives one extra collection."));
    QCOMPARE(view_->findChild<QLabel*>(QStringLiteral("lessonTitle"))->text(),
             QStringLiteral("Finalizers delay freeing"));
    QVERIFY(view_->findChild<QLabel*>(QStringLiteral("lessonExplanation"))
                ->text()
                .contains(QStringLiteral("extra collection")));
}

void GcHeapViewTest::longQueue_showsItsFirstRowsAndCountsTheRest() {
    GcHeap::Settings settings;
    settings.smallObjectReserveBytes = 64u << 20;
    settings.largeObjectReserveBytes = 64u << 20;
    GcHeap heap(settings);
    const GcTypeId resource =
        heap.registerType(GcType{"FileStream", 8, {}, [](GcHeap&, ObjectRef) {}});
    GcFrame frame(heap, "main");
    for (int i = 0; i < 1500; ++i) {
        heap.allocate(frame, resource);
    }
    GcHeapView view;
    view.resize(1280, 800);
    view.setSnapshot(std::make_shared<const GcHeapSnapshot>(heap.snapshot()));
    QCOMPARE(view.snapshot()->finalizationQueue.size(), std::size_t{1500});
    auto* table = view.findChild<QTreeWidget*>(QStringLiteral("finalizationQueueTable"));
    QCOMPARE(table->topLevelItemCount(), 1001);
    QCOMPARE(table->topLevelItem(1000)->text(0), QStringLiteral("… 500 more"));
    QCOMPARE(view.objectRectCount(), 1500);  // the map still draws every object
}

void GcHeapViewTest::screenshot_isReadableAt1280x800_inLightAndDarkPalettes() {
    const QTemporaryDir screenshots;
    view_->setLesson(QStringLiteral("A static list keeps closed forms alive"),
                     QStringLiteral("The form was closed and disposed, but the static list "
                                    "openedForms still points at it, so the collector must keep "
                                    "it. Click it to see the chain of references from the root."));
    view_->selectObject(heap_->closedFormAddress);
    QCOMPARE(view_->size(), QSize(1280, 800));
    const QImage light = view_->grab().toImage();
    QVERIFY(light.save(screenshots.filePath(QStringLiteral("gcheapview.png"))));
    // Every band's label and the legend fit: the map is tall enough for four readable bands.
    QVERIFY(view_->heapMap()->height() >= 260);

    QPalette dark;
    dark.setColor(QPalette::Window, QColor(37, 37, 38));
    dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
    dark.setColor(QPalette::Base, QColor(24, 24, 24));
    dark.setColor(QPalette::AlternateBase, QColor(45, 45, 48));
    dark.setColor(QPalette::Text, QColor(230, 230, 230));
    dark.setColor(QPalette::Button, QColor(55, 55, 58));
    dark.setColor(QPalette::ButtonText, QColor(230, 230, 230));
    dark.setColor(QPalette::Mid, QColor(90, 90, 90));
    dark.setColor(QPalette::Highlight, QColor(42, 130, 218));
    view_->setPalette(dark);
    const QImage darkImage = view_->grab().toImage();
    QVERIFY(darkImage.save(screenshots.filePath(QStringLiteral("gcheapview-dark.png"))));
    // The dark palette really is used: the map's background follows the palette's window colour.
    const QImage map = view_->heapMap()->grab().toImage();
    QCOMPARE(map.pixelColor(2, map.height() / 2), QColor(37, 37, 38));
    view_->setPalette(QPalette());
}

QTEST_MAIN(GcHeapViewTest)
#include "GcHeapViewTest.moc"
