// The Results dock: what `poolscope run` prints for a run, shown in the window from the same
// report, for every scenario; and for an opened recording, the same rows from the report its
// run kept in it, or why there are none.

#include <QSettings>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <string>

#include "UiTestSupport.h"
#include "imaging/Image.h"
#include "imaging/Rgba32.h"
#include "imaging/codecs/ImageCodecs.h"
#include "models/DisplayFormat.h"
#include "models/LayoutComparisonModel.h"
#include "models/RunResultsModel.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"
#include "scenarios/RunSummary.h"
#include "scenarios/ScenarioRegistry.h"
#include "session/EngineSession.h"
#include "session/RecordedRunSummary.h"
#include "views/LayoutView.h"
#include "views/MainWindow.h"
#include "views/ResultsView.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

constexpr int kRunTimeoutMilliseconds = 180'000;

void writeImage(const std::filesystem::path& path, int width, int height) {
    Image<Rgba32> image(width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            image.setPixel(x, y, Rgba32{static_cast<std::uint8_t>(x % 256), 90, 40, 255});
        }
    }
    ImageCodecs::save(image, path);
}

// Every labelled value of the run's summary, as the model shows it: same sections, same rows,
// same values.
void verifyShowsTheWholeSummary(const RunResultsModel& model, const ScenarioRunReport& report) {
    const std::vector<RunSummary::Section> sections = RunSummary::sections(report);
    QVERIFY(model.rowCount() >= static_cast<int>(sections.size()));
    for (std::size_t s = 0; s < sections.size(); ++s) {
        const QModelIndex section = model.index(static_cast<int>(s), 0);
        QCOMPARE(section.data().toString(), QString::fromStdString(sections[s].title));
        QCOMPARE(model.rowCount(section), static_cast<int>(sections[s].rows.size()));
        for (std::size_t r = 0; r < sections[s].rows.size(); ++r) {
            const RunSummary::Row& row = sections[s].rows[r];
            const QModelIndex label = model.index(static_cast<int>(r), 0, section);
            QCOMPARE(label.data(RunResultsModel::PrintedLabelRole).toString(),
                     QString::fromStdString(row.label));
            QCOMPARE(model.index(static_cast<int>(r), 1, section).data().toString(),
                     QString::fromStdString(row.value));
        }
    }
}

// What the dock shows, row by row: each section's title, then each row's label as shown and
// as printed, and its value; then every cell of the per-image table.
QStringList dockRows(const ResultsView& view) {
    QStringList rows;
    const RunResultsModel& model = *view.resultsModel();
    for (int s = 0; s < model.rowCount(); ++s) {
        const QModelIndex section = model.index(s, 0);
        rows.append(section.data().toString());
        for (int r = 0; r < model.rowCount(section); ++r) {
            rows.append(QStringLiteral("  %1 | %2 | %3")
                            .arg(model.index(r, 0, section).data().toString(),
                                 model.index(r, 0, section)
                                     .data(RunResultsModel::PrintedLabelRole)
                                     .toString(),
                                 model.index(r, 1, section).data().toString()));
        }
    }
    const LayoutComparisonModel& images = *view.comparisonModel();
    for (int r = 0; r < images.rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < images.columnCount(); ++c) {
            cells.append(images.index(r, c).data().toString());
        }
        rows.append(QStringLiteral("image: ") + cells.join(QStringLiteral(" | ")));
    }
    return rows;
}

// Opens `path` in the window and waits until the dock shows what the file holds.
bool openInWindow(MainWindow& window, EngineSession& session, const QString& path) {
    const std::shared_ptr<const RecordedRunResults> before = session.recordedResults();
    window.openRecordingFile(path);
    return QTest::qWaitFor(
        [&] {
            return session.showsRecording() && session.recordedResults() &&
                   session.recordedResults() != before;
        },
        kRunTimeoutMilliseconds);
}

// A wrap-memory run recorded headless, finished with `summary` as its stored results.
QString recordWithSummary(const QTemporaryDir& directory, const std::string& summary) {
    const QString path = directory.filePath(QStringLiteral("edited.psrec"));
    RecordingWriter writer(path.toStdString(), {{"scenario", "wrap-memory"}});
    ScenarioRunner::Options options;
    options.eventSink = &writer;
    ScenarioRunner runner(options);
    const std::unique_ptr<Scenario> scenario = ScenarioRegistry::builtIn().create("wrap-memory");
    const ScenarioRunReport report = runner.run(*scenario, scenario->resolveParameters({}));
    writer.finish({}, report.droppedEvents, {{RecordedRunSummary::kMetaKey, summary}});
    return path;
}

bool runToTheEnd(MainWindow& window, EngineSession& session, const std::string& scenario,
                 const std::vector<std::pair<std::string, std::string>>& parameters) {
    window.selectScenario(scenario, parameters);
    window.startRunToTheEnd();
    if (!QTest::qWaitFor([&] { return session.isRunning() || session.lastOutcome(); },
                         kRunTimeoutMilliseconds)) {
        return false;
    }
    return QTest::qWaitFor(
        [&] {
            return !session.isRunning() && session.lastOutcome() &&
                   session.lastOutcome()->scenario == scenario;
        },
        kRunTimeoutMilliseconds);
}

}  // namespace

class ResultsViewTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void plainWords_turnsFigureNamesIntoWords_andLeavesFileNamesAlone() {
        QCOMPARE(RunResultsModel::plainWords("imagesPerSide"), QStringLiteral("Images per side"));
        QCOMPARE(RunResultsModel::plainWords("gcCollectionsGen0"),
                 QStringLiteral("GC collections gen 0"));
        QCOMPARE(RunResultsModel::plainWords("resizeError"), QStringLiteral("Resize error"));
        QCOMPARE(RunResultsModel::plainWords("a.png 640x480"), QStringLiteral("a.png 640x480"));
    }

    void resultsView_wrapMemory_showsEveryRowOfTheRunSummary_withItsResizeError() {
        const ScenarioSessionResult run = runScenarioSession("wrap-memory", {});
        QVERIFY2(run.report.error.empty(), run.report.error.c_str());
        ResultsView view;
        view.showReport(run.report);
        verifyShowsTheWholeSummary(*view.resultsModel(), run.report);
        const QString error =
            view.resultsModel()->value(QStringLiteral("Figures"), QStringLiteral("resizeError"));
        QVERIFY2(error.contains(QStringLiteral("wrap"), Qt::CaseInsensitive), qPrintable(error));
        QCOMPARE(view.headline(), QStringLiteral("wrap-memory"));
        QVERIFY(!view.openFolderOffered());
    }

    void resultsView_batchResize_listsFailedFilesWithTheirErrors_andOffersTheOutputFolder() {
        QTemporaryDir input;
        QTemporaryDir output;
        writeImage(std::filesystem::path(input.filePath(QStringLiteral("good.png")).toStdString()),
                   120, 80);
        const std::string broken = input.filePath(QStringLiteral("broken.png")).toStdString();
        std::ofstream(broken, std::ios::binary) << "\x89PNG\r\n\x1a\n";
        const ScenarioSessionResult run =
            runScenarioSession("batch-resize", {{"input", input.path().toStdString()},
                                                {"output", output.path().toStdString()},
                                                {"width", "40"}});
        QVERIFY2(run.report.error.empty(), run.report.error.c_str());
        ResultsView view;
        view.showReport(run.report);
        verifyShowsTheWholeSummary(*view.resultsModel(), run.report);
        const RunResultsModel& model = *view.resultsModel();
        QCOMPARE(model.value(QStringLiteral("Images"), QStringLiteral("Processed")),
                 QStringLiteral("1"));
        QCOMPARE(model.value(QStringLiteral("Images"), QStringLiteral("Failed")),
                 QStringLiteral("1"));
        const QString reason =
            model.value(QStringLiteral("Images"), QString::fromStdString(broken));
        QVERIFY2(reason.contains(QStringLiteral("broken.png")), qPrintable(reason));
        QCOMPARE(model.outputFolder(), QDir::cleanPath(output.path()));
        QVERIFY(view.openFolderOffered());
    }

    void window_showsTheRunsReportInTheResultsDock_forEveryScenario() {
        QSettings().setValue(QStringLiteral("run/speed"), 0);
        EngineSession session;
        MainWindow window(session);
        window.resize(1400, 900);
        window.show();
        const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>
            runs = {{"default", {{"iterations", "6"}}},
                    {"wrap-memory", {}},
                    {"leak-hunt", {}},
                    {"gc-vs-pool", {}},
                    {"gc-lessons", {}},
                    {"periodic-bursts", {{"bursts", "1"}}}};
        for (const auto& [scenario, parameters] : runs) {
            QVERIFY2(runToTheEnd(window, session, scenario, parameters), scenario.c_str());
            const ScenarioRunReport& report = session.lastOutcome()->report;
            QVERIFY2(report.error.empty(), report.error.c_str());
            QCOMPARE(window.resultsView()->resultsModel()->scenario(),
                     QString::fromStdString(scenario));
            verifyShowsTheWholeSummary(*window.resultsView()->resultsModel(), report);
            QVERIFY2(!report.outcome.figures.empty(), scenario.c_str());
            // The results come forward at the end (a leak hunt leaves its leak table in front).
            if (scenario != "leak-hunt") {
                QVERIFY2(window.resultsView()->isVisible(), scenario.c_str());
            }
        }
    }

    void window_leakHunt_summarisesTheLeaksFoundByStack() {
        EngineSession session;
        MainWindow window(session);
        QVERIFY(runToTheEnd(window, session, "leak-hunt", {}));
        const RunResultsModel& model = *window.resultsView()->resultsModel();
        const ScenarioRunReport& report = session.lastOutcome()->report;
        QVERIFY(!report.leaks.empty());
        QCOMPARE(model.value(QStringLiteral("Diagnostics"), QStringLiteral("Leaks")),
                 QString::fromStdString(RunSummary::leaksInBrief(report.leaks)));
        const std::vector<RunSummary::LeakStack> stacks = RunSummary::leakStacks(report.leaks);
        QCOMPARE(model.value(QStringLiteral("Leaking stacks"), QStringLiteral("Stack 1")),
                 QString::fromStdString(RunSummary::describe(stacks.front())));
    }

    void window_contiguousVsDiscontiguous_listsEachImage_andTheLayoutViewShowsOne() {
        EngineSession session;
        MainWindow window(session);
        window.resize(1400, 900);
        window.show();
        QVERIFY(runToTheEnd(window, session, "contiguous-vs-discontiguous", {{"images", "3"}}));
        const ScenarioRunReport& report = session.lastOutcome()->report;
        const LayoutComparisonModel& images = *window.resultsView()->comparisonModel();
        QCOMPARE(images.rowCount(), 3);
        QCOMPARE(static_cast<std::size_t>(images.rowCount()),
                 report.outcome.layoutComparisons.size());
        const ImageLayoutComparison& first = report.outcome.layoutComparisons.front();
        QCOMPARE(images.index(0, LayoutComparisonModel::DefaultChunksColumn).data().toInt(),
                 first.discontiguous.chunks);
        QCOMPARE(
            images.index(0, LayoutComparisonModel::ContiguousSingleSpanColumn).data().toString(),
            first.contiguous.singlePixelMemory ? QStringLiteral("yes") : QStringLiteral("no"));

        // The images are gone at the end; the layout view shows the first one instead of nothing.
        LayoutView& layout = *window.layoutView();
        QVERIFY(layout.calculatorShown());
        QVERIFY(layout.bandCount() > 0);
        QCOMPARE(layout.bandCount(), first.discontiguous.chunks);
        const ImageLayoutComparison& third = report.outcome.layoutComparisons[2];
        window.resultsView()->showImage(2);
        QCOMPARE(layout.bandCount(), third.discontiguous.chunks);
        QVERIFY2(layout.titleText().contains(DisplayFormat::count(third.height)),
                 qPrintable(layout.titleText()));

        // The run's recording, opened, shows the same rows, and a click on an image still shows
        // its layout.
        const QStringList liveRows = dockRows(*window.resultsView());
        QTRY_VERIFY_WITH_TIMEOUT(!session.lastRunRecording().isEmpty(), kRunTimeoutMilliseconds);
        QVERIFY(openInWindow(window, session, session.lastRunRecording()));
        QCOMPARE(dockRows(*window.resultsView()), liveRows);
        QCOMPARE(window.resultsView()->headline(),
                 QStringLiteral("contiguous-vs-discontiguous (from its recording)"));
        QCOMPARE(window.resultsView()->comparisonModel()->rowCount(), 3);
        window.resultsView()->showImage(2);
        QCOMPARE(layout.bandCount(), third.discontiguous.chunks);
    }

    void openedRecording_batchResize_showsTheLiveRunsRows_andAGoneOutputFolderCannotBeOpened() {
        QTemporaryDir input;
        auto output = std::make_unique<QTemporaryDir>();
        writeImage(std::filesystem::path(input.filePath(QStringLiteral("good.png")).toStdString()),
                   120, 80);
        const std::string broken = input.filePath(QStringLiteral("broken.png")).toStdString();
        std::ofstream(broken, std::ios::binary) << "\x89PNG\r\n\x1a\n";
        EngineSession session;
        MainWindow window(session);
        window.resize(1400, 900);
        window.show();
        QVERIFY(runToTheEnd(window, session, "batch-resize",
                            {{"input", input.path().toStdString()},
                             {"output", output->path().toStdString()},
                             {"width", "40"}}));
        const QStringList liveRows = dockRows(*window.resultsView());
        QVERIFY(liveRows.contains(QStringLiteral("Images")));
        QVERIFY(window.resultsView()->openFolderEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!session.lastRunRecording().isEmpty(), kRunTimeoutMilliseconds);
        // Kept beside the test's folders: the session removes its recordings with it.
        QTemporaryDir kept;
        const QString recording = kept.filePath(QStringLiteral("batch.psrec"));
        QVERIFY(QFile::copy(session.lastRunRecording(), recording));

        QVERIFY(openInWindow(window, session, recording));
        ResultsView& view = *window.resultsView();
        QCOMPARE(dockRows(view), liveRows);
        const QString reason =
            view.resultsModel()->value(QStringLiteral("Images"), QString::fromStdString(broken));
        QVERIFY2(reason.contains(QStringLiteral("broken.png")), qPrintable(reason));
        QCOMPARE(view.resultsModel()->outputFolder(), QDir::cleanPath(output->path()));
        QVERIFY(view.openFolderOffered());
        QVERIFY(view.openFolderEnabled());

        // The files the run wrote are gone: the folder is still named, but cannot be opened.
        const QString folder = QDir::cleanPath(output->path());
        output.reset();
        QVERIFY(!QFileInfo::exists(folder));
        QVERIFY(openInWindow(window, session, recording));
        QCOMPARE(dockRows(view), liveRows);
        QVERIFY(view.openFolderOffered());
        QVERIFY(!view.openFolderEnabled());
        QVERIFY2(view.openFolderToolTip().contains(folder) &&
                     view.openFolderToolTip().contains(QStringLiteral("no longer exists")),
                 qPrintable(view.openFolderToolTip()));
    }

    void openedRecording_ofAStoppedRun_showsWhatItHadAndSaysItStopped() {
        EngineSession session;
        MainWindow window(session);
        window.selectScenario("default", {{"iterations", "100000"}});
        window.startRunToTheEnd();
        QTRY_VERIFY_WITH_TIMEOUT(session.isRunning(), kRunTimeoutMilliseconds);
        session.stop();
        QTRY_VERIFY_WITH_TIMEOUT(
            !session.isRunning() && session.lastOutcome() && !session.lastRunRecording().isEmpty(),
            kRunTimeoutMilliseconds);
        QVERIFY(session.lastOutcome()->report.outcome.cancelled);
        const QStringList liveRows = dockRows(*window.resultsView());
        QCOMPARE(window.resultsView()->headline(),
                 QStringLiteral("default, stopped before its end"));

        QVERIFY(openInWindow(window, session, session.lastRunRecording()));
        QCOMPARE(dockRows(*window.resultsView()), liveRows);
        QCOMPARE(window.resultsView()->headline(),
                 QStringLiteral("default, stopped before its end (from its recording)"));
    }

    void openedRecording_olderThanStoredResults_saysWhyThereAreNone() {
        QTemporaryDir directory;
        const QString recording = directory.filePath(QStringLiteral("old.psrec"));
        QVERIFY(QFile::copy(QStringLiteral(POOLSCOPE_OLD_RECORDING), recording));
        {
            const RecordingReader reader(recording.toStdString());
            QVERIFY2(reader.metadata().count(RecordedRunSummary::kMetaKey) == 0,
                     "the corpus's recording is meant to predate stored results");
        }
        EngineSession session;
        MainWindow window(session);
        QVERIFY(openInWindow(window, session, recording));
        const ResultsView& view = *window.resultsView();
        QCOMPARE(view.resultsModel()->rowCount(), 0);
        QCOMPARE(view.comparisonModel()->rowCount(), 0);
        QVERIFY(!view.openFolderOffered());
        QVERIFY2(view.headline().contains(QStringLiteral("wrap-memory")) &&
                     view.headline().contains(QStringLiteral("PoolScope 0.1.0")) &&
                     view.headline().contains(QStringLiteral("not its results")),
                 qPrintable(view.headline()));
    }

    void openedRecording_malformedOrNewerResults_showTheProblemInsteadOfRows() {
        QTemporaryDir directory;
        EngineSession session;
        MainWindow window(session);
        const std::vector<std::pair<std::string, QString>> cases = {
            {"{\"version\": 1, \"scenario\": 5}", QStringLiteral("scenario is not text")},
            {"{\"version\": 99}", QStringLiteral("version 99")},
            {"garbage", QStringLiteral("not JSON")}};
        for (const auto& [summary, problem] : cases) {
            QFile::remove(directory.filePath(QStringLiteral("edited.psrec")));
            const QString recording = recordWithSummary(directory, summary);
            QVERIFY(openInWindow(window, session, recording));
            const ResultsView& view = *window.resultsView();
            QCOMPARE(view.resultsModel()->rowCount(), 0);
            QVERIFY(!view.openFolderOffered());
            QVERIFY2(view.headline().contains(recording) && view.headline().contains(problem),
                     qPrintable(problem + QStringLiteral(" in: ") + view.headline()));
            QCOMPARE(session.recordedResults()->state, RecordedRunResults::State::Refused);
        }
    }
};

QTEST_MAIN(ResultsViewTest)
#include "ResultsViewTest.moc"
