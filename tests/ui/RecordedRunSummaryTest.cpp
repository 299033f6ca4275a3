// A run's report kept in its recording (RecordedRunSummary): every scenario's report comes back
// field for field from the file it was recorded into; a summary that is damaged or of an
// unknown version is refused with the recording and the problem named; a recording without
// one says why.

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "imaging/Image.h"
#include "imaging/Rgba32.h"
#include "imaging/codecs/ImageCodecs.h"
#include "recording/RecordingReader.h"
#include "recording/RecordingWriter.h"
#include "scenarios/ScenarioRegistry.h"
#include "scenarios/ScenarioRunner.h"
#include "session/RecordedRunSummary.h"

using namespace poolscope;

namespace {

using Parameters = std::vector<std::pair<std::string, std::string>>;

void writeImage(const std::filesystem::path& path, int width, int height) {
    Image<Rgba32> image(width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            image.setPixel(x, y, Rgba32{static_cast<std::uint8_t>(x % 256), 60, 200, 255});
        }
    }
    ImageCodecs::save(image, path);
}

// Runs `name` headless into a recording at `path`, finished as `poolscope run --record`
// finishes it: with its leaks and its report.
ScenarioRunReport recordRun(const QString& path, const std::string& name,
                            const Parameters& parameters) {
    RecordingWriter writer(path.toStdString(), {{"scenario", name}});
    ScenarioRunner::Options options;
    options.poolSizeMegabytes = 64;
    options.eventSink = &writer;
    options.onAllocatorReady = [&writer](const PooledMemoryAllocator& allocator) {
        writer.setPool(allocator.sourceId(), allocator.pool().capacity(),
                       static_cast<std::int64_t>(allocator.pool().chunkBytes()));
    };
    ScenarioRunner runner(options);
    const std::unique_ptr<Scenario> scenario = ScenarioRegistry::builtIn().create(name);
    ScenarioRunReport report = runner.run(*scenario, scenario->resolveParameters(parameters));
    std::vector<RecordedLeak> leaks;
    for (const LeakRecord& leak : report.leaks) {
        leaks.push_back({leak.id, leak.tag, leak.releasedWithoutDispose});
    }
    writer.finish(leaks, report.droppedEvents,
                  {{RecordedRunSummary::kMetaKey, RecordedRunSummary::toText(report)}});
    return report;
}

bool sameValue(const ScenarioValue& a, const ScenarioValue& b) {
    if (a.index() != b.index()) {
        return false;
    }
    if (const double* x = std::get_if<double>(&a)) {
        const double y = std::get<double>(b);
        return (std::isnan(*x) && std::isnan(y)) || *x == y;
    }
    return a == b;
}

void verifySameValues(const std::vector<std::pair<std::string, ScenarioValue>>& actual,
                      const std::vector<std::pair<std::string, ScenarioValue>>& expected) {
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(actual[i].first, expected[i].first);
        QVERIFY2(sameValue(actual[i].second, expected[i].second), expected[i].first.c_str());
    }
}

void verifySameLayout(const ImageBufferLayout& actual, const ImageBufferLayout& expected) {
    QCOMPARE(actual.chunks, expected.chunks);
    QCOMPARE(actual.rowsPerChunk, expected.rowsPerChunk);
    QCOMPARE(actual.singlePixelMemory, expected.singlePixelMemory);
    QCOMPARE(actual.unpooledBytes, expected.unpooledBytes);
}

// Every field of the report, one by one, so that a failure names the one that differs.
void verifySameReport(const ScenarioRunReport& actual, const ScenarioRunReport& expected) {
    QCOMPARE(actual.scenario, expected.scenario);
    verifySameValues(actual.parameters, expected.parameters);
    QCOMPARE(actual.poolSizeMegabytes, expected.poolSizeMegabytes);
    QCOMPARE(actual.duration.count(), expected.duration.count());
    const PoolFigures::Values& pool = actual.pool;
    QCOMPARE(pool.chunkBytes, expected.pool.chunkBytes);
    QCOMPARE(pool.capacityChunks, expected.pool.capacityChunks);
    QCOMPARE(pool.peakRentedBytes, expected.pool.peakRentedBytes);
    QCOMPARE(pool.peakRetainedBytes, expected.pool.peakRetainedBytes);
    QCOMPARE(pool.retainedBytes, expected.pool.retainedBytes);
    QCOMPARE(pool.unpooledPeakBytes, expected.pool.unpooledPeakBytes);
    QCOMPARE(pool.trims, expected.pool.trims);
    QCOMPARE(pool.chunkRents, expected.pool.chunkRents);
    QCOMPARE(pool.chunkReturns, expected.pool.chunkReturns);
    QCOMPARE(actual.leaks.size(), expected.leaks.size());
    for (std::size_t i = 0; i < expected.leaks.size(); ++i) {
        const LeakRecord& leak = actual.leaks[i];
        QCOMPARE(leak.id, expected.leaks[i].id);
        QCOMPARE(leak.bytes, expected.leaks[i].bytes);
        QCOMPARE(leak.tier, expected.leaks[i].tier);
        QCOMPARE(leak.tag, expected.leaks[i].tag);
        QCOMPARE(leak.stackId, expected.leaks[i].stackId);
        QCOMPARE(leak.releasedWithoutDispose, expected.leaks[i].releasedWithoutDispose);
        QCOMPARE(leak.stack.size(), expected.leaks[i].stack.size());
        QVERIFY(leak.stack == expected.leaks[i].stack);
    }
    QCOMPARE(actual.undisposedAtEnd, expected.undisposedAtEnd);
    QCOMPARE(actual.eventsObserved, expected.eventsObserved);
    QCOMPARE(actual.droppedEvents, expected.droppedEvents);
    QCOMPARE(actual.gc.has_value(), expected.gc.has_value());
    if (expected.gc) {
        for (int g = 0; g < 3; ++g) {
            QCOMPARE(actual.gc->collections[g], expected.gc->collections[g]);
        }
        QCOMPARE(actual.gc->finalizersRun, expected.gc->finalizersRun);
        QCOMPARE(actual.gc->resurrections, expected.gc->resurrections);
        QCOMPARE(actual.gc->weakClearedShort, expected.gc->weakClearedShort);
        QCOMPARE(actual.gc->weakClearedLong, expected.gc->weakClearedLong);
        QCOMPARE(actual.gc->pauseNanoseconds, expected.gc->pauseNanoseconds);
    }
    const ScenarioOutcome& outcome = actual.outcome;
    QCOMPARE(outcome.cancelled, expected.outcome.cancelled);
    verifySameValues(outcome.figures, expected.outcome.figures);
    QCOMPARE(outcome.injectedLeaks.size(), expected.outcome.injectedLeaks.size());
    for (std::size_t i = 0; i < expected.outcome.injectedLeaks.size(); ++i) {
        const InjectedLeak& leak = outcome.injectedLeaks[i];
        const InjectedLeak& made = expected.outcome.injectedLeaks[i];
        QCOMPARE(leak.kind, made.kind);
        QCOMPARE(leak.tag, made.tag);
        QCOMPARE(leak.function, made.function);
        QCOMPARE(leak.allocations, made.allocations);
        QCOMPARE(leak.bytes, made.bytes);
        QCOMPARE(leak.releasedWithoutDispose, made.releasedWithoutDispose);
    }
    QCOMPARE(outcome.images.has_value(), expected.outcome.images.has_value());
    if (expected.outcome.images) {
        QCOMPARE(outcome.images->processed, expected.outcome.images->processed);
        QCOMPARE(outcome.images->failed.size(), expected.outcome.images->failed.size());
        for (std::size_t i = 0; i < expected.outcome.images->failed.size(); ++i) {
            QCOMPARE(outcome.images->failed[i].file, expected.outcome.images->failed[i].file);
            QCOMPARE(outcome.images->failed[i].error, expected.outcome.images->failed[i].error);
        }
    }
    QCOMPARE(outcome.layoutComparisons.size(), expected.outcome.layoutComparisons.size());
    for (std::size_t i = 0; i < expected.outcome.layoutComparisons.size(); ++i) {
        const ImageLayoutComparison& image = outcome.layoutComparisons[i];
        const ImageLayoutComparison& made = expected.outcome.layoutComparisons[i];
        QCOMPARE(image.file, made.file);
        QCOMPARE(image.width, made.width);
        QCOMPARE(image.height, made.height);
        verifySameLayout(image.discontiguous, made.discontiguous);
        verifySameLayout(image.contiguous, made.contiguous);
    }
    QCOMPARE(actual.error, expected.error);
    QCOMPARE(actual.missingSymbols.size(), expected.missingSymbols.size());
    for (std::size_t i = 0; i < expected.missingSymbols.size(); ++i) {
        QCOMPARE(actual.missingSymbols[i].module, expected.missingSymbols[i].module);
        QCOMPARE(actual.missingSymbols[i].unnamedFrames, expected.missingSymbols[i].unnamedFrames);
        QCOMPARE(actual.missingSymbols[i].framesWithoutSource,
                 expected.missingSymbols[i].framesWithoutSource);
        QCOMPARE(actual.missingSymbols[i].reason, expected.missingSymbols[i].reason);
    }
}

// A report with every optional part present and values JSON numbers cannot hold.
ScenarioRunReport extremeReport() {
    ScenarioRunReport report;
    report.scenario = "made-up \"scenario\" \u00e9";
    report.parameters = {{"count", std::int64_t{-(std::int64_t{1} << 60)}},
                         {"ratio", 0.1},
                         {"flag", true},
                         {"name", std::string("a\nb\tc")}};
    report.poolSizeMegabytes = 0;
    report.duration = std::chrono::nanoseconds(std::numeric_limits<std::int64_t>::max());
    report.pool.chunkBytes = 4 << 20;
    report.pool.capacityChunks = 64;
    report.pool.peakRentedBytes = std::numeric_limits<std::uint64_t>::max();
    report.pool.trims = (std::uint64_t{1} << 53) + 1;
    Frame frame;
    frame.function = "f(int)";
    frame.file = "f.cpp";
    frame.line = 12;
    frame.module = "/lib/x.so";
    frame.address = 0xffff'ffff'ffff'fff1;
    frame.moduleOffset = 0x1234;
    frame.inlined = true;
    report.leaks.push_back({7, 100, MemoryTier::Managed, "cache", 3, {frame}, false});
    Frame other = frame;
    other.line = 13;
    // The same stack id with frames of its own, and a leak without a stack.
    report.leaks.push_back({8, 200, MemoryTier::Descriptor, "", 3, {other, frame}, true});
    report.leaks.push_back({9, 300, MemoryTier::Small, "", 0, {}, false});
    report.undisposedAtEnd = -1;
    report.eventsObserved = 5;
    report.droppedEvents = 6;
    GcRunFigures gc;
    gc.collections[0] = 1;
    gc.collections[1] = 2;
    gc.collections[2] = 3;
    gc.pauseNanoseconds = 99;
    report.gc = gc;
    report.outcome.cancelled = true;
    report.outcome.figures = {{"nan", std::numeric_limits<double>::quiet_NaN()},
                              {"inf", -std::numeric_limits<double>::infinity()},
                              {"tiny", 5e-324},
                              {"big", std::int64_t{std::numeric_limits<std::int64_t>::min()}}};
    report.outcome.injectedLeaks.push_back({"k", "t", "g()", 2, 3, true});
    report.outcome.images = ImageResults{4, {{"a.png", "broken"}}};
    report.outcome.layoutComparisons.push_back(
        {"b.png", 10, 20, {2, 5, false, 0}, {1, 20, true, 7}});
    report.error = "it failed";
    report.missingSymbols.push_back({"/lib/y.so", 1, 2, "install y-dbg"});
    return report;
}

QString refusal(const std::string& text) {
    try {
        RecordedRunSummary::fromText("/some/where/run.psrec", text);
    } catch (const RecordedRunSummary::Refused& refused) {
        return QString::fromUtf8(refused.what());
    }
    return {};
}

}  // namespace

class RecordedRunSummaryTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void recordedRun_eachScenario_readsBackEveryFieldOfItsReport_data() {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QStringList>("parameters");
        QTest::newRow("default") << QStringLiteral("default") << QStringList{"iterations=2"};
        QTest::newRow("periodic-bursts")
            << QStringLiteral("periodic-bursts") << QStringList{"bursts=1"};
        QTest::newRow("stress") << QStringLiteral("stress")
                                << QStringList{"threads=2", "operations=300"};
        QTest::newRow("leak-hunt") << QStringLiteral("leak-hunt") << QStringList{};
        QTest::newRow("wrap-memory") << QStringLiteral("wrap-memory") << QStringList{};
        QTest::newRow("contiguous-vs-discontiguous")
            << QStringLiteral("contiguous-vs-discontiguous") << QStringList{"images=3"};
        QTest::newRow("batch-resize") << QStringLiteral("batch-resize") << QStringList{"width=40"};
        QTest::newRow("gc-vs-pool") << QStringLiteral("gc-vs-pool") << QStringList{};
        QTest::newRow("gc-lessons") << QStringLiteral("gc-lessons") << QStringList{};
        QTest::newRow("make-samples") << QStringLiteral("make-samples") << QStringList{};
    }

    void recordedRun_eachScenario_readsBackEveryFieldOfItsReport() {
        QFETCH(QString, scenario);
        QFETCH(QStringList, parameters);
        Parameters given;
        for (const QString& assignment : parameters) {
            given.push_back(ScenarioParameters::splitAssignment(assignment.toStdString()));
        }
        if (scenario == QLatin1String("batch-resize")) {
            // One file that resizes and one that cannot be decoded, so both lists are kept.
            const QString input = directory_.filePath(QStringLiteral("input"));
            QVERIFY(QDir().mkpath(input));
            writeImage((input + QStringLiteral("/good.png")).toStdString(), 90, 60);
            std::ofstream((input + QStringLiteral("/broken.png")).toStdString(), std::ios::binary)
                << "\x89PNG\r\n\x1a\n";
            given.emplace_back("input", input.toStdString());
            given.emplace_back("output", directory_.filePath(QStringLiteral("out")).toStdString());
        }
        if (scenario == QLatin1String("make-samples")) {
            given.emplace_back("output",
                               directory_.filePath(QStringLiteral("samples")).toStdString());
        }
        const QString path = directory_.filePath(scenario + QStringLiteral(".psrec"));
        const ScenarioRunReport report = recordRun(path, scenario.toStdString(), given);
        QVERIFY2(report.error.empty(), report.error.c_str());
        QVERIFY(!report.outcome.figures.empty());

        const RecordingReader reader(path.toStdString());
        const RecordedRunResults results =
            RecordedRunSummary::fromMetadata(reader.path(), reader.metadata());
        QVERIFY2(results.state == RecordedRunResults::State::Stored, qPrintable(results.message));
        QVERIFY(results.report.has_value());
        verifySameReport(*results.report, report);
        if (scenario == QLatin1String("batch-resize")) {
            QVERIFY(report.outcome.images.has_value());
            QCOMPARE(report.outcome.images->failed.size(), std::size_t{1});
        }
        if (scenario == QLatin1String("contiguous-vs-discontiguous")) {
            QCOMPARE(report.outcome.layoutComparisons.size(), std::size_t{3});
        }
        if (scenario == QLatin1String("leak-hunt")) {
            QVERIFY(!report.leaks.empty());
            QVERIFY(!report.leaks.front().stack.empty());
        }
    }

    void toText_valuesJsonNumbersCannotHold_comeBackExactly() {
        const ScenarioRunReport report = extremeReport();
        const std::string text = RecordedRunSummary::toText(report);
        verifySameReport(RecordedRunSummary::fromText("x.psrec", text), report);
        // A cancelled run is marked so where a person reading the meta table sees it.
        const QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
        QCOMPARE(json[QStringLiteral("cancelled")].toBool(), true);
        QCOMPARE(json[QStringLiteral("version")].toInt(), RecordedRunSummary::kVersion);
    }

    void fromText_damagedOrUnknownVersion_isRefusedNamingTheRecordingAndTheProblem() {
        const std::string good = RecordedRunSummary::toText(extremeReport());
        QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(good)).object();
        const auto variant = [&json](const char* key, const QJsonValue& value) {
            QJsonObject changed = json;
            if (value.isUndefined()) {
                changed.remove(QLatin1String(key));
            } else {
                changed.insert(QLatin1String(key), value);
            }
            return QJsonDocument(changed).toJson().toStdString();
        };
        const std::vector<std::pair<std::string, QString>> cases = {
            {good.substr(0, good.size() / 2), QStringLiteral("not JSON")},
            {"[1, 2]", QStringLiteral("not a JSON object")},
            {variant("version", 2), QStringLiteral("version 2")},
            {variant("version", QJsonValue::Undefined), QStringLiteral("no version")},
            {variant("scenario", QJsonValue::Undefined), QStringLiteral("scenario is missing")},
            {variant("scenario", 3), QStringLiteral("scenario is not text")},
            {variant("durationNanoseconds", 1.5),
             QStringLiteral("durationNanoseconds is not a whole number")},
            {variant("figures",
                     QJsonArray{QJsonObject{{"name", "x"}, {"type", "colour"}, {"value", 1}}}),
             QStringLiteral("figures[0].type is 'colour'")},
            {variant("layoutComparisons", QJsonArray{QJsonObject{{"file", "a.png"}}}),
             QStringLiteral("layoutComparisons[0].width is missing")},
        };
        for (const auto& [text, problem] : cases) {
            const QString message = refusal(text);
            QVERIFY2(message.contains(QStringLiteral("/some/where/run.psrec")),
                     qPrintable(message));
            QVERIFY2(message.contains(problem),
                     qPrintable(problem + QStringLiteral(" in: ") + message));
        }
        QJsonObject leaks = json[QStringLiteral("leaks")].toObject();
        QJsonArray records = leaks[QStringLiteral("records")].toArray();
        QJsonObject first = records[0].toObject();
        first.insert(QStringLiteral("tier"), QStringLiteral("attic"));
        records[0] = first;
        leaks.insert(QStringLiteral("records"), records);
        const QString tier = refusal(variant("leaks", leaks));
        QVERIFY2(tier.contains(QStringLiteral("leaks.records[0].tier is 'attic'")),
                 qPrintable(tier));
    }

    void fromMetadata_refusedSummary_saysWhatIsWrong_andNeverThrows() {
        const RecordedRunResults results = RecordedRunSummary::fromMetadata(
            "/r/f.psrec", {{"scenario", "wrap-memory"}, {"finished", "1"}, {"run_summary", "{"}});
        QVERIFY(results.state == RecordedRunResults::State::Refused);
        QVERIFY(!results.report.has_value());
        QVERIFY2(results.message.contains(QStringLiteral("/r/f.psrec")) &&
                     results.message.contains(QStringLiteral("not JSON")),
                 qPrintable(results.message));
    }

    void fromMetadata_withoutSummary_saysWhyThereAreNoResults() {
        const RecordedRunResults older = RecordedRunSummary::fromMetadata(
            "a.psrec",
            {{"scenario", "wrap-memory"}, {"finished", "1"}, {"poolscope_version", "0.1.0"}});
        QVERIFY(older.state == RecordedRunResults::State::Absent);
        QVERIFY2(older.message.contains(QStringLiteral("PoolScope 0.1.0")) &&
                     older.message.contains(QStringLiteral("wrap-memory")),
                 qPrintable(older.message));
        const RecordedRunResults killed =
            RecordedRunSummary::fromMetadata("b.psrec", {{"scenario", "stress"}});
        QVERIFY(killed.state == RecordedRunResults::State::Absent);
        QVERIFY2(killed.message.contains(QStringLiteral("never finished")),
                 qPrintable(killed.message));
        const RecordedRunResults program = RecordedRunSummary::fromMetadata(
            "c.psrec",
            {{"program", "/usr/bin/thumbnailer"}, {"source", "launch"}, {"finished", "1"}});
        QVERIFY(program.state == RecordedRunResults::State::Absent);
        QVERIFY2(program.message.contains(QStringLiteral("/usr/bin/thumbnailer")),
                 qPrintable(program.message));
    }

private:
    QTemporaryDir directory_;
};

QTEST_MAIN(RecordedRunSummaryTest)
#include "RecordedRunSummaryTest.moc"
