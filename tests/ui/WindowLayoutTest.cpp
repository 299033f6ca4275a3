// The window's space for the task at hand: docks arranged per kind of scenario and remembered
// per kind, View > Reset layout, a compact layout view for a one-chunk image, leak table
// columns sized to their content, and a timeline whose legend leaves the plot its width.

#include <QAction>
#include <QDockWidget>
#include <QHeaderView>
#include <QScrollArea>
#include <QSettings>
#include <QTableView>
#include <QtTest>

#include "TinyPoolSnapshot.h"
#include "models/LeakTableModel.h"
#include "session/EngineSession.h"
#include "views/DockArrangement.h"
#include "views/LayoutView.h"
#include "views/LeakView.h"
#include "views/MainWindow.h"
#include "views/PoolMapView.h"
#include "views/TimelineView.h"

using namespace poolscope;

namespace {

constexpr int kRunTimeoutMilliseconds = 120'000;

QDockWidget* dockOf(MainWindow& window, const QString& name) {
    return window.findChild<QDockWidget*>(name + QStringLiteral("Dock"));
}

bool showAt(MainWindow& window, QSize size) {
    window.resize(size);
    window.show();
    return QTest::qWaitForWindowExposed(&window);
}

}  // namespace

class WindowLayoutTest : public QObject {
    Q_OBJECT

private slots:
    void init() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void leakHunting_givesTheLeakTableMoreHeightThanTheLayout() {
        EngineSession session;
        MainWindow window(session);
        window.selectScenario("leak-hunt", {});
        QVERIFY(showAt(window, {1600, 1000}));
        QDockWidget* layout = dockOf(window, QStringLiteral("layout"));
        QDockWidget* leaks = dockOf(window, QStringLiteral("leaks"));
        QTRY_VERIFY2(
            leaks->height() > layout->height() * 3 / 2,
            qPrintable(
                QStringLiteral("leaks %1, layout %2").arg(leaks->height()).arg(layout->height())));
        QVERIFY(!layout->visibleRegion().isEmpty());
    }

    void leakHunting_tabsOverTheLeakTable_holdItToNoFloor() {
        EngineSession session;
        MainWindow window(session);
        window.selectScenario("leak-hunt", {});
        QVERIFY(showAt(window, {1600, 1000}));
        QDockWidget* layout = dockOf(window, QStringLiteral("layout"));
        QDockWidget* leaks = dockOf(window, QStringLiteral("leaks"));
        QTRY_VERIFY(leaks->height() > layout->height());
        const int column = layout->height() + leaks->height();
        // The splitter between the tabs and the table dragged up as far as it goes: whichever
        // tab is in front (layout, GC heap, GC vs pool), the table gets nearly the whole column.
        for (const QString& tab :
             {QStringLiteral("layout"), QStringLiteral("gc"), QStringLiteral("compare")}) {
            window.showView(tab);
            window.resizeDocks({layout, leaks}, {1, column}, Qt::Vertical);
            QTRY_VERIFY2(dockOf(window, tab)->height() <= column / 6,
                         qPrintable(QStringLiteral("%1 in front: tabs %2 of a %3 px column")
                                        .arg(tab)
                                        .arg(dockOf(window, tab)->height())
                                        .arg(column)));
        }
    }

    void teaching_givesTheHeapMostOfTheRightColumn() {
        EngineSession session;
        MainWindow window(session);
        window.selectScenario("gc-lessons", {});
        QVERIFY(showAt(window, {1600, 1000}));
        QDockWidget* gc = dockOf(window, QStringLiteral("gc"));
        QDockWidget* leaks = dockOf(window, QStringLiteral("leaks"));
        QTRY_VERIFY(!gc->visibleRegion().isEmpty());
        QTRY_VERIFY2(
            gc->height() > leaks->height() * 3 / 2,
            qPrintable(QStringLiteral("gc %1, leaks %2").arg(gc->height()).arg(leaks->height())));
    }

    void resetLayout_bringsBackTheDefaultAfterDocksWereClosedAndFloated() {
        EngineSession session;
        MainWindow window(session);
        window.selectScenario("leak-hunt", {});
        QVERIFY(showAt(window, {1600, 1000}));
        QDockWidget* leaks = dockOf(window, QStringLiteral("leaks"));
        QDockWidget* timeline = dockOf(window, QStringLiteral("timeline"));
        leaks->setFloating(true);
        timeline->close();
        QVERIFY(leaks->isFloating());
        QVERIFY(!timeline->isVisible());

        auto* reset = window.findChild<QAction*>(QStringLiteral("resetLayoutAction"));
        QVERIFY(reset != nullptr);
        reset->trigger();
        QVERIFY(!leaks->isFloating());
        QVERIFY(timeline->isVisible());
        QCOMPARE(window.dockWidgetArea(leaks), Qt::RightDockWidgetArea);
        QCOMPARE(window.dockWidgetArea(timeline), Qt::LeftDockWidgetArea);
        QTRY_VERIFY(leaks->height() > dockOf(window, QStringLiteral("layout"))->height());
    }

    void focusedOnOneView_leavesThePersonsArrangementAsItWas() {
        const QString key = DockArrangement::settingsKey(ScenarioKind::LeakHunting);
        QByteArray arranged;
        {
            EngineSession session;
            MainWindow window(session);
            window.selectScenario("leak-hunt", {});
            QVERIFY(showAt(window, {1600, 1000}));
            window.close();
            arranged = QSettings().value(key).toByteArray();
        }
        QVERIFY(!arranged.isEmpty());
        {
            // A screenshot of one view (--view timeline) hides the others, then closes.
            EngineSession session;
            MainWindow window(session);
            window.selectScenario("leak-hunt", {});
            QVERIFY(showAt(window, {1600, 1000}));
            window.focusView(QStringLiteral("timeline"));
            QVERIFY(!dockOf(window, QStringLiteral("leaks"))->isVisible());
            window.close();
        }
        QCOMPARE(QSettings().value(key).toByteArray(), arranged);
    }

    void arrangement_isRememberedPerKindOfTask() {
        {
            EngineSession session;
            MainWindow window(session);
            window.selectScenario("leak-hunt", {});
            QVERIFY(showAt(window, {1600, 1000}));
            dockOf(window, QStringLiteral("timeline"))->close();
            // A lesson has its own arrangement: the timeline the leak hunt closed is there.
            window.selectScenario("gc-lessons", {});
            QCOMPARE(window.dockArrangement()->kind(), ScenarioKind::Teaching);
            QVERIFY(dockOf(window, QStringLiteral("timeline"))->isVisible());
            window.selectScenario("leak-hunt", {});
            QVERIFY(!dockOf(window, QStringLiteral("timeline"))->isVisible());
            window.close();
        }
        QVERIFY(QSettings().contains(DockArrangement::settingsKey(ScenarioKind::LeakHunting)));
        EngineSession session;
        MainWindow window(session);
        window.selectScenario("leak-hunt", {});
        QVERIFY(showAt(window, {1600, 1000}));
        QVERIFY(!dockOf(window, QStringLiteral("timeline"))->isVisible());
        window.selectScenario("default", {});
        QVERIFY(dockOf(window, QStringLiteral("timeline"))->isVisible());
    }

    void window_fitsIn1024x640_withNothingClipped() {
        EngineSession session;
        MainWindow window(session);
        window.selectScenario("default", {});
        QVERIFY2(
            window.minimumSizeHint().width() <= 1024 && window.minimumSizeHint().height() <= 640,
            qPrintable(QStringLiteral("%1 x %2")
                           .arg(window.minimumSizeHint().width())
                           .arg(window.minimumSizeHint().height())));
        QVERIFY(showAt(window, {1024, 640}));
        QCOMPARE(window.size(), QSize(1024, 640));
        window.startRunToTheEnd();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning() && session.lastOutcome().has_value(),
                                 kRunTimeoutMilliseconds);
        QTRY_VERIFY(window.poolMapView()->headerText().startsWith(QStringLiteral("Pool:")));
        // The pool header wraps instead of losing its end.
        PoolMapView* pool = window.poolMapView();
        const QRect needed = pool->fontMetrics().boundingRect(
            pool->headerRect(), Qt::AlignLeft | Qt::TextWordWrap, pool->headerText());
        QVERIFY2(needed.height() <= pool->headerRect().height() &&
                     needed.width() <= pool->headerRect().width(),
                 qPrintable(pool->headerText()));
        // The plot keeps most of the timeline's width; the legend sits above it.
        auto* plot = window.timelineView()->findChild<QWidget*>(QStringLiteral("timelinePlot"));
        QVERIFY(window.timelineView()->plotAreaWidth() > plot->width() * 3 / 4);
        // The leak table still shows rows.
        auto* table = window.leakView()->findChild<QTableView*>();
        QVERIFY(table->viewport()->height() > 3 * table->verticalHeader()->defaultSectionSize());
    }

    void layoutView_ofOneChunk_isACompactStrip() {
        LayoutView view;
        view.resize(800, 700);
        view.setSnapshot(testing::tinyPoolSnapshot());
        view.setSelectedAllocation(11);
        QCOMPARE(view.bandCount(), 1);
        auto* scroll = view.findChild<QScrollArea*>();
        QVERIFY(scroll != nullptr);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // Two lines of text and a margin, not most of a 700-pixel view.
        const int line = view.fontMetrics().height();
        QVERIFY2(scroll->height() <= 4 * line + 20, qPrintable(QString::number(scroll->height())));
        QVERIFY(view.sizeHint().height() < 500);

        view.setSelectedAllocation(10);
        QCOMPARE(view.bandCount(), 3);
        QTRY_VERIFY(scroll->height() > 2 * 2 * line);
    }

    void leakTable_sizesColumnsToContentAndGivesTheTopFrameTheRest() {
        EngineSession session;
        MainWindow window(session);
        window.selectScenario("leak-hunt", {});
        QVERIFY(showAt(window, {1600, 1000}));
        window.startRunToTheEnd();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isRunning() && session.lastOutcome().has_value(),
                                 kRunTimeoutMilliseconds);
        QTRY_VERIFY_WITH_TIMEOUT(window.leakView()->visibleRowCount() > 0, kRunTimeoutMilliseconds);
        auto* table = window.leakView()->findChild<QTableView*>();
        QVERIFY(table != nullptr);
        const QHeaderView* header = table->horizontalHeader();
        const QFontMetrics metrics = table->fontMetrics();
        // No cell elided: each column is as wide as its widest text in view.
        for (int column = 0; column < LeakTableModel::TopFrameColumn; ++column) {
            for (int row = 0; row < table->model()->rowCount(); ++row) {
                const QString text = table->model()->index(row, column).data().toString();
                QVERIFY2(header->sectionSize(column) >= metrics.horizontalAdvance(text),
                         qPrintable(QStringLiteral("column %1: '%2' in %3 px")
                                        .arg(column)
                                        .arg(text)
                                        .arg(header->sectionSize(column))));
            }
        }
        int others = 0;
        for (int column = 0; column < LeakTableModel::TopFrameColumn; ++column) {
            others += header->sectionSize(column);
        }
        QVERIFY(header->sectionSize(LeakTableModel::TopFrameColumn) > others / 2);
    }

    void timeline_legendLeavesThePlotItsWidth() {
        TimelineView view;
        view.resize(420, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto* plot = view.findChild<QWidget*>(QStringLiteral("timelinePlot"));
        QVERIFY(plot != nullptr);
        QTRY_VERIFY2(
            view.plotAreaWidth() > plot->width() * 3 / 4,
            qPrintable(
                QStringLiteral("plot %1 of %2").arg(view.plotAreaWidth()).arg(plot->width())));
    }
};

QTEST_MAIN(WindowLayoutTest)
#include "WindowLayoutTest.moc"
