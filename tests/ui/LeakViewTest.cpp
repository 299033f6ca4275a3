// LeakView with real data from the leak-hunt scenario and with hand-made sessions: the table
// holds exactly the scenario's leaks, the detail pane names the leaking function, and filter,
// sort, time range, checkpoint, suppression and diff each change the visible rows as they
// should; CSV export round-trips rows and quoting.

#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "UiTestSupport.h"
#include "models/LeakTableModel.h"
#include "scenarios/LeakHuntScenario.h"
#include "views/LeakView.h"

using namespace poolscope;

namespace {

constexpr std::uint16_t kPool = 3;
constexpr std::uint64_t kChunk = 4u << 20;
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::uint16_t kAwkwardTag = 9;  // its name needs CSV quoting
const QString kAwkwardTagName = QStringLiteral("cache, \"big\"\nsecond line");

// A session fed by hand: allocation `id` made by stack (id % 3) + 1, at `id` seconds.
class HandFedSession {
public:
    HandFedSession() : state_(resolvers(), 0) { state_.followPool(kPool, 64, kChunk); }

    void rent(AllocationId id) {
        MemoryEvent event;
        event.kind = MemoryEventKind::Rent;
        event.allocationId = id;
        event.slot = static_cast<std::int32_t>(id % 64);
        event.bytes = kChunk;
        event.sourceId = kPool;
        event.timeNanoseconds = static_cast<std::int64_t>(id) * kSecond;
        event.stackId = static_cast<StackId>(id % 3 + 1);
        event.value = id == 2 ? kAwkwardTag : 1;
        event.tier = MemoryTier::Pooled;
        state_.apply(event);
    }
    void giveBack(AllocationId id) {
        MemoryEvent event;
        event.kind = MemoryEventKind::Return;
        event.allocationId = id;
        event.slot = static_cast<std::int32_t>(id % 64);
        event.bytes = kChunk;
        event.sourceId = kPool;
        state_.apply(event);
    }
    std::shared_ptr<const SessionSnapshot> snapshot() {
        now_ += 10 * kSecond;  // past the table's rebuild interval
        return state_.takeSnapshot(now_);
    }

private:
    static SessionState::Resolvers resolvers() {
        SessionState::Resolvers resolvers;
        resolvers.stack = [](StackId id) {
            return std::vector<Frame>{{"makeBuffer" + std::to_string(id), "buffer.cpp",
                                       static_cast<int>(id), "libapp.so", 0x100},
                                      {"main", "main.cpp", 1, "app", 0x200}};
        };
        resolvers.tag = [](std::uint16_t tag) {
            return tag == kAwkwardTag ? kAwkwardTagName : QStringLiteral("tag-%1").arg(tag);
        };
        return resolvers;
    }

    SessionState state_;
    std::int64_t now_ = 0;
};

std::set<AllocationId> exportedIds(LeakView& view, const QString& path) {
    std::set<AllocationId> ids;
    if (!view.exportCsv(path)) {
        return ids;
    }
    QFile file(path);
    file.open(QIODevice::ReadOnly | QIODevice::Text);
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        bool ok = false;
        const quint64 id = lines[i].section(QLatin1Char(','), 0, 0).toULongLong(&ok);
        if (ok) {
            ids.insert(id);
        }
    }
    return ids;
}

// RFC 4180 records: quoted fields may hold separators, doubled quotes and line breaks.
QList<QStringList> parseCsv(const QString& text) {
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            record.append(field);
            field.clear();
        } else if (c == QLatin1Char('\n')) {
            record.append(field);
            field.clear();
            records.append(record);
            record.clear();
        } else {
            field += c;
        }
    }
    return records;
}

}  // namespace

class LeakViewTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QVERIFY(settingsDir_.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("PoolScopeTests"));
        QCoreApplication::setApplicationName(QStringLiteral("LeakViewTest"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
        leakHunt_ = testing::runScenarioSession("leak-hunt", {{"cached-images", "3"},
                                                              {"subscribers", "2"},
                                                              {"never-disposed", "2"},
                                                              {"clean-images", "2"},
                                                              {"width", "512"},
                                                              {"height", "384"}});
        QVERIFY(!leakHunt_.report.leaks.empty());
    }

    void init() { QSettings().remove(LeakView::suppressionsSettingsKey()); }

    void table_holdsExactlyTheScenariosLeaks() {
        LeakView view;
        view.setSnapshot(leakHunt_.snapshot);
        std::set<AllocationId> reported;
        for (const LeakRecord& leak : leakHunt_.report.leaks) {
            reported.insert(leak.id);
        }
        QCOMPARE(view.visibleRowCount(), static_cast<int>(reported.size()));
        QCOMPARE(exportedIds(view, tempDir_.filePath(QStringLiteral("all.csv"))), reported);
    }

    void detailStack_namesTheLeakingFunction() {
        LeakView view;
        view.setSnapshot(leakHunt_.snapshot);
        QSignalSpy selected(&view, &LeakView::allocationSelected);
        for (const LeakRecord& leak : leakHunt_.report.leaks) {
            QVERIFY(!leak.stack.empty());
            view.setSelectedAllocation(leak.id);
            const QString stackTop = QString::fromStdString(leak.stack.front().toString());
            const QString function = stackTop.section(QStringLiteral(" ("), 0, 0);
            QVERIFY2(view.detailStackText().contains(function),
                     qPrintable(function + QStringLiteral(" not in\n") + view.detailStackText()));
            QVERIFY(view.detailStackText().contains(QStringLiteral("#%1").arg(leak.id)));
        }
        QCOMPARE(selected.count(), 0);  // set from outside: no echo
    }

    void selectingARow_emitsItsAllocation() {
        LeakView view;
        view.setSnapshot(leakHunt_.snapshot);
        QSignalSpy selected(&view, &LeakView::allocationSelected);
        auto* table = view.findChild<QTableView*>();
        QVERIFY(table != nullptr);
        table->selectRow(0);
        QCOMPARE(selected.count(), 1);
        const quint64 id = selected.front().front().value<quint64>();
        QVERIFY(view.detailStackText().contains(QStringLiteral("#%1").arg(id)));
    }

    void textFilter_showsOneLeakKind() {
        LeakView view;
        view.setSnapshot(leakHunt_.snapshot);
        const auto cached =
            std::count_if(leakHunt_.report.leaks.begin(), leakHunt_.report.leaks.end(),
                          [](const LeakRecord& leak) {
                              return leak.tag == LeakHuntScenario::kForgottenCacheTag;
                          });
        QVERIFY(cached > 0);
        view.setFilterText(QString::fromLatin1(LeakHuntScenario::kForgottenCacheTag));
        QCOMPARE(view.visibleRowCount(), static_cast<int>(cached));
        view.setFilterText(QStringLiteral("openImageAndNeverDispose"));  // the top frame
        const auto neverDisposed =
            std::count_if(leakHunt_.report.leaks.begin(), leakHunt_.report.leaks.end(),
                          [](const LeakRecord& leak) { return leak.releasedWithoutDispose; });
        QCOMPARE(view.visibleRowCount(), static_cast<int>(neverDisposed));
        view.setFilterText(QStringLiteral("no such function anywhere"));
        QCOMPARE(view.visibleRowCount(), 0);
        view.setFilterText(QString());
        QCOMPARE(view.visibleRowCount(), static_cast<int>(leakHunt_.report.leaks.size()));
    }

    void sort_ordersTheExportedRows() {
        LeakView view;
        view.setSnapshot(leakHunt_.snapshot);
        auto* table = view.findChild<QTableView*>();
        table->sortByColumn(LeakTableModel::IdColumn, Qt::DescendingOrder);
        const QString path = tempDir_.filePath(QStringLiteral("sorted.csv"));
        QVERIFY(view.exportCsv(path));
        const QList<QStringList> records = [&] {
            QFile file(path);
            file.open(QIODevice::ReadOnly | QIODevice::Text);
            return parseCsv(QString::fromUtf8(file.readAll()));
        }();
        std::vector<quint64> ids;
        for (qsizetype i = 1; i < records.size(); ++i) {
            ids.push_back(records[i].front().toULongLong());
        }
        QVERIFY(ids.size() > 1);
        QVERIFY(std::is_sorted(ids.rbegin(), ids.rend()));
    }

    void timeRange_showsWhatWasCreatedInIt() {
        LeakView view;
        view.setSnapshot(leakHunt_.snapshot);
        const SessionSnapshot& snapshot = *leakHunt_.snapshot;
        const auto& rows = snapshot.allocations->rows;
        // The forgotten cache is filled first, before the other leaks.
        std::int64_t lastCached = 0;
        int cached = 0;
        for (const LiveAllocation& row : rows) {
            if (snapshot.stacks->tagName(row.tagId) ==
                QLatin1String(LeakHuntScenario::kForgottenCacheTag)) {
                lastCached = std::max(lastCached, row.createdNanoseconds);
                ++cached;
            }
        }
        const double until = static_cast<double>(lastCached - snapshot.timeOriginNanoseconds) / 1e9;
        view.setTimeRange(-1.0, until);
        QCOMPARE(view.visibleRowCount(), cached);
        view.setTimeRange(until + 1000.0, until + 2000.0);
        QCOMPARE(view.visibleRowCount(), 0);
        view.clearTimeRange();
        QCOMPARE(view.visibleRowCount(), static_cast<int>(rows.size()));
    }

    void checkpoint_showsOnlyNewerAllocationsUntilShowAll() {
        HandFedSession session;
        for (AllocationId id = 1; id <= 5; ++id) {
            session.rent(id);
        }
        LeakView view;
        view.setSnapshot(session.snapshot());
        QSignalSpy checkpoints(&view, &LeakView::checkpointRequested);
        view.requestCheckpoint();
        QCOMPARE(checkpoints.count(), 1);
        QVERIFY(!checkpoints.front().front().toString().isEmpty());
        QCOMPARE(view.visibleRowCount(), 0);
        session.rent(6);
        session.rent(7);
        session.giveBack(2);
        view.setSnapshot(session.snapshot());
        QCOMPARE(view.visibleRowCount(), 2);
        view.showAllAllocations();
        QCOMPARE(view.visibleRowCount(), 6);
    }

    void diff_showsWhatBHasThatAHadNot() {
        HandFedSession session;
        for (AllocationId id = 1; id <= 4; ++id) {
            session.rent(id);
        }
        LeakView view;
        QVERIFY(!view.showDiff(true));  // nothing to compare yet
        view.setSnapshot(session.snapshot());
        view.takeSnapshotA();
        session.rent(5);
        session.rent(6);
        session.rent(7);
        session.giveBack(1);
        view.setSnapshot(session.snapshot());
        view.takeSnapshotB();
        QVERIFY(view.showDiff(true));
        QCOMPARE(view.visibleRowCount(), 3);
        QCOMPARE(exportedIds(view, tempDir_.filePath(QStringLiteral("diff.csv"))),
                 (std::set<AllocationId>{5, 6, 7}));
        session.rent(8);
        view.setSnapshot(session.snapshot());  // live data waits while the diff shows
        QCOMPARE(view.visibleRowCount(), 3);
        view.showDiff(false);
        QCOMPARE(view.visibleRowCount(), 7);
    }

    void suppressedStacks_stayHiddenInALaterView() {
        HandFedSession session;
        for (AllocationId id = 1; id <= 9; ++id) {
            session.rent(id);
        }
        const auto snapshot = session.snapshot();
        {
            LeakView view;
            view.setSnapshot(snapshot);
            view.setSelectedAllocation(3);  // stack 1: ids 3, 6, 9
            view.suppressSelectedStack();
            QCOMPARE(view.visibleRowCount(), 6);
            QCOMPARE(view.suppressedStackSignatures().size(), 1);
        }
        QVERIFY(QSettings().contains(LeakView::suppressionsSettingsKey()));
        LeakView later;
        later.setSnapshot(snapshot);
        QCOMPARE(later.visibleRowCount(), 6);
        QCOMPARE(exportedIds(later, tempDir_.filePath(QStringLiteral("suppressed.csv"))),
                 (std::set<AllocationId>{1, 2, 4, 5, 7, 8}));
        later.clearSuppressions();
        QCOMPARE(later.visibleRowCount(), 9);
        QVERIFY(!QSettings().contains(LeakView::suppressionsSettingsKey()));
    }

    void groupByStack_keepsTheFilteredRows() {
        HandFedSession session;
        for (AllocationId id = 1; id <= 9; ++id) {
            session.rent(id);
        }
        LeakView view;
        view.setSnapshot(session.snapshot());
        view.setGroupedByStack(true);
        QVERIFY(view.isGroupedByStack());
        view.setFilterText(QStringLiteral("makeBuffer2"));  // stack 2: ids 1, 4, 7
        QCOMPARE(view.visibleRowCount(), 3);
        view.setSelectedAllocation(4);
        QVERIFY(view.detailStackText().contains(QStringLiteral("makeBuffer2")));
        view.setGroupedByStack(false);
        QVERIFY(!view.isGroupedByStack());
    }

    void csv_roundTripsRowsAndQuoting() {
        HandFedSession session;
        for (AllocationId id = 1; id <= 5; ++id) {
            session.rent(id);
        }
        LeakView view;
        view.setSnapshot(session.snapshot());
        const QString path = tempDir_.filePath(QStringLiteral("quoted.csv"));
        QVERIFY(view.exportCsv(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const QList<QStringList> records = parseCsv(QString::fromUtf8(file.readAll()));
        QCOMPARE(records.size(), 1 + view.visibleRowCount());
        const QStringList header = records.front();
        const qsizetype tagColumn = header.indexOf(QStringLiteral("tag"));
        QVERIFY(tagColumn >= 0);
        bool sawAwkward = false;
        for (qsizetype i = 1; i < records.size(); ++i) {
            QCOMPARE(records[i].size(), header.size());
            if (records[i].front() == QLatin1String("2")) {
                QCOMPARE(records[i][tagColumn], kAwkwardTagName);
                sawAwkward = true;
            }
        }
        QVERIFY(sawAwkward);
        QString error;
        QVERIFY(!view.exportCsv(tempDir_.filePath(QStringLiteral("missing/dir/x.csv")), &error));
        QVERIFY(!error.isEmpty());
    }

    void view_rendersReadablyAt1280x800() {
        LeakView view;
        view.resize(1280, 800);
        view.setSnapshot(leakHunt_.snapshot);
        view.setSelectedAllocation(leakHunt_.report.leaks.front().id);
        const QImage image = testing::renderWidget(view);
        QCOMPARE(image.size(), QSize(1280, 800) * image.devicePixelRatio());
        QVERIFY(image.save(tempDir_.filePath(QStringLiteral("leakview.png"))));
        view.setGroupedByStack(true);
        QVERIFY(testing::renderWidget(view).save(
            tempDir_.filePath(QStringLiteral("leakview-grouped.png"))));
    }

private:
    QTemporaryDir settingsDir_;
    QTemporaryDir tempDir_;
    testing::ScenarioSessionResult leakHunt_;
};

QTEST_MAIN(LeakViewTest)
#include "LeakViewTest.moc"
