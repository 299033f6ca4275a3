#include <QHelpEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolTip>
#include <QtTest>

#include <algorithm>

#include "UiTestSupport.h"
#include "views/PoolMapView.h"
#include "views/Theme.h"

using namespace poolscope;

namespace {

constexpr std::uint16_t kSource = 7;
constexpr std::uint64_t kChunk = 4u * 1024 * 1024;

MemoryEvent poolEvent(MemoryEventKind kind, std::int32_t slot, AllocationId id) {
    MemoryEvent event;
    event.kind = kind;
    event.sourceId = kSource;
    event.slot = slot;
    event.allocationId = id;
    event.bytes = kChunk;
    event.tier = MemoryTier::Pooled;
    return event;
}

int firstSlotIn(const SessionSnapshot& snapshot, SlotState state) {
    const auto it = std::find(snapshot.slotStates.begin(), snapshot.slotStates.end(), state);
    return it == snapshot.slotStates.end() ? -1
                                           : static_cast<int>(it - snapshot.slotStates.begin());
}

}  // namespace

class PoolMapViewTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        // leak-hunt leaves its leaked 2048x1536 images rented (three chunks each) in a pool of
        // 32 slots, so that rented, retained and never-created cells all show.
        run_ = testing::runScenarioSession(
            "leak-hunt",
            {{"width", "2048"}, {"height", "1536"}, {"cached-images", "2"}, {"clean-images", "1"}},
            128);
        QVERIFY(run_.snapshot);
        QVERIFY(run_.snapshot->pool.rentedChunks > 0);
    }

    void rentedCells_equalTheRentedSlotsOfARealRun() {
        PoolMapView view;
        view.resize(900, 500);
        view.setSnapshot(run_.snapshot);
        const SessionSnapshot& snapshot = *run_.snapshot;
        QCOMPARE(view.cellCount(), static_cast<int>(snapshot.slotStates.size()));
        QCOMPARE(view.rentedCellCount(), snapshot.pool.rentedChunks);
        QCOMPARE(view.rentedCellCount(),
                 static_cast<int>(std::count(snapshot.slotStates.begin(), snapshot.slotStates.end(),
                                             SlotState::Rented)));
    }

    void rentedCell_isDrawnInItsOwnersColourUnlikeAnEmptyCell() {
        PoolMapView view;
        view.resize(900, 500);
        view.setSnapshot(run_.snapshot);
        const SessionSnapshot& snapshot = *run_.snapshot;
        const int rented = firstSlotIn(snapshot, SlotState::Rented);
        const int empty = firstSlotIn(snapshot, SlotState::Empty);
        QVERIFY(rented >= 0);
        QVERIFY(empty >= 0);
        const QImage image = testing::renderWidget(view);
        const QColor rentedPixel = image.pixelColor(view.cellRect(rented).center());
        const QColor emptyPixel = image.pixelColor(view.cellRect(empty).center());
        QVERIFY(rentedPixel != emptyPixel);
        QCOMPARE(rentedPixel.rgb(), PoolMapView::allocationColour(
                                        snapshot.slotOwners[static_cast<std::size_t>(rented)])
                                        .rgb());
    }

    void cellsOfOneAllocation_shareAColourAndCellsFitTheWidget() {
        PoolMapView view;
        view.resize(900, 500);
        view.setSnapshot(run_.snapshot);
        const SessionSnapshot& snapshot = *run_.snapshot;
        const QImage image = testing::renderWidget(view);
        for (int slot = 0; slot < view.cellCount(); ++slot) {
            const QRect cell = view.cellRect(slot);
            QVERIFY2(view.rect().contains(cell), qPrintable(QString::number(slot)));
            const AllocationId owner = snapshot.slotOwners[static_cast<std::size_t>(slot)];
            if (owner != 0) {
                QCOMPARE(image.pixelColor(cell.center()).rgb(),
                         PoolMapView::allocationColour(owner).rgb());
            }
        }
    }

    void clickingARentedCell_selectsItsOwner() {
        PoolMapView view;
        view.resize(900, 500);
        view.setSnapshot(run_.snapshot);
        const int rented = firstSlotIn(*run_.snapshot, SlotState::Rented);
        QVERIFY(rented >= 0);
        const AllocationId owner = run_.snapshot->slotOwners[static_cast<std::size_t>(rented)];
        QVERIFY(owner != 0);
        QSignalSpy selected(&view, &PoolMapView::allocationSelected);
        QTest::mouseClick(&view, Qt::LeftButton, {}, view.cellRect(rented).center());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.front().front().value<quint64>(), quint64{owner});
        QCOMPARE(view.selectedAllocation(), quint64{owner});
    }

    void selectingAnAllocation_outlinesEachOfItsCells() {
        PoolMapView view;
        view.resize(900, 500);
        view.setSnapshot(run_.snapshot);
        const SessionSnapshot& snapshot = *run_.snapshot;
        const int rented = firstSlotIn(snapshot, SlotState::Rented);
        const AllocationId owner = snapshot.slotOwners[static_cast<std::size_t>(rented)];
        const QImage before = testing::renderWidget(view);
        view.setSelectedAllocation(owner);
        const QImage after = testing::renderWidget(view);
        const QColor text = view.palette().color(QPalette::Text);
        int outlined = 0;
        for (int slot = 0; slot < view.cellCount(); ++slot) {
            const QPoint corner = view.cellRect(slot).topLeft() + QPoint(1, 1);
            const bool ownedBySelection =
                snapshot.slotOwners[static_cast<std::size_t>(slot)] == owner;
            if (ownedBySelection) {
                QCOMPARE(after.pixelColor(corner).rgb(), text.rgb());
                ++outlined;
            } else {
                QCOMPARE(after.pixelColor(corner).rgb(), before.pixelColor(corner).rgb());
            }
        }
        QVERIFY(outlined >= 1);
    }

    void trimmedSlot_flashesWhileANeverCreatedOneDoesNot() {
        SessionState state({}, 0);
        state.followPool(kSource, 4, kChunk);
        state.apply(poolEvent(MemoryEventKind::Rent, 0, 1));
        state.apply(poolEvent(MemoryEventKind::Return, 0, 1));
        const auto retained = state.takeSnapshot(1'000'000);
        state.apply(poolEvent(MemoryEventKind::ChunkFreed, 0, 0));
        const auto trimmed = state.takeSnapshot(2'000'000);
        QCOMPARE(trimmed->slotStates[0], SlotState::Empty);

        PoolMapView view;
        view.resize(600, 400);
        view.setSnapshot(retained);
        view.setSnapshot(trimmed);
        const QImage image = testing::renderWidget(view);
        QVERIFY(image.pixelColor(view.cellRect(0).center()) !=
                image.pixelColor(view.cellRect(1).center()));
    }

    void hoveringACell_namesItsSlotOwnerImageAndTag() {
        SessionState::Resolvers resolvers;
        resolvers.tag = [](std::uint16_t) { return QStringLiteral("thumbnail-cache"); };
        SessionState state(resolvers, 0);
        state.followPool(kSource, 4, kChunk);
        MemoryEvent rent = poolEvent(MemoryEventKind::Rent, 2, 42);
        rent.value = 9;  // the tag id
        state.apply(rent);
        MemoryEvent image;
        image.kind = MemoryEventKind::ImageBufferCreated;
        image.sourceId = kSource;
        image.allocationId = 42;
        image.value = 1024;
        image.value2 = 768;
        image.chunkIndex = static_cast<std::uint32_t>(PixelTypeId::Bgra32);
        image.chunkCount = 1;
        state.apply(image);

        PoolMapView view;
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setSnapshot(state.takeSnapshot(3'000'000'000));
        const QPoint at = view.cellRect(2).center();
        QHelpEvent help(QEvent::ToolTip, at, view.mapToGlobal(at));
        QApplication::sendEvent(&view, &help);
        QTRY_VERIFY(QToolTip::isVisible());
        const QString text = QToolTip::text();
        QVERIFY2(text.contains(QStringLiteral("Slot 2")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("rented")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("#42")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("1024 \u00d7 768, Bgra32")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("thumbnail-cache")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Age %1 s").arg(QLocale().toString(3.0, 'f', 2))),
                 qPrintable(text));
        QToolTip::hideText();
    }

    void strips_showTheMemoryOutsideThePool() {
        SessionState state({}, 0);
        state.followPool(kSource, 2, kChunk);
        MemoryEvent unpooled = poolEvent(MemoryEventKind::UnpooledAllocate, -1, 5);
        unpooled.tier = MemoryTier::Unpooled;
        unpooled.bytes = 48u * 1024 * 1024;
        state.apply(unpooled);
        MemoryEvent small = poolEvent(MemoryEventKind::SmallRent, -1, 6);
        small.tier = MemoryTier::Small;
        small.bytes = 64 * 1024;
        state.apply(small);
        PoolMapView view;
        view.resize(600, 400);
        view.setSnapshot(state.takeSnapshot(1'000'000));
        const QImage image = testing::renderWidget(view);
        // The unpooled allocation is the only one in its strip, so its colour is in the image.
        bool unpooledShown = false;
        bool smallShown = false;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const QRgb pixel = image.pixel(x, y);
                unpooledShown |= pixel == PoolMapView::allocationColour(5).rgb();
                smallShown |= pixel == PoolMapView::allocationColour(6).rgb();
            }
        }
        QVERIFY(unpooledShown);
        QVERIFY(smallShown);
        QCOMPARE(view.rentedCellCount(), 0);
    }

    void screenshot_ofARealRun() {
        const QTemporaryDir screenshots;
        PoolMapView view;
        view.resize(900, 500);
        view.setSnapshot(run_.snapshot);
        const int rented = firstSlotIn(*run_.snapshot, SlotState::Rented);
        view.setSelectedAllocation(run_.snapshot->slotOwners[static_cast<std::size_t>(rented)]);
        QVERIFY(
            testing::renderWidget(view).save(screenshots.filePath(QStringLiteral("poolmap.png"))));
        view.setPalette(Theme::darkPalette());
        QCoreApplication::processEvents();
        const QImage dark = testing::renderWidget(view);
        QCOMPARE(dark.pixelColor(2, dark.height() - 2).rgb(),
                 Theme::darkPalette().color(QPalette::Window).rgb());
        QVERIFY(dark.save(screenshots.filePath(QStringLiteral("poolmap-dark.png"))));
    }

private:
    testing::ScenarioSessionResult run_;
};

QTEST_MAIN(PoolMapViewTest)
#include "PoolMapViewTest.moc"
