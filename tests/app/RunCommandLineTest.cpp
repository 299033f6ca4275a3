#include <QtTest>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <csignal>
#include <numeric>
#include <optional>
#include <vector>

#include "analysis/AllocationAnalyzer.h"
#include "analysis/AnalysisSummary.h"
#include "imaging/Image.h"
#include "imaging/Rgba32.h"
#include "imaging/codecs/ImageCodecs.h"
#include "recording/RecordingError.h"
#include "recording/RecordingReader.h"
#include "recording/SqliteDatabase.h"
#include "scenarios/RunSummary.h"
#include "session/RecordedRunSummary.h"

#include "PoolscopeProcess.h"

namespace {

// The snapshots a recording being written has committed so far; none while its file or its
// tables are still being made.
std::int64_t committedSnapshots(const QString& path) {
    try {
        poolscope::SqliteDatabase database(path.toStdString(),
                                           poolscope::SqliteDatabase::Mode::ReadOnly);
        poolscope::SqliteDatabase::Statement count(database, "SELECT COUNT(*) FROM snapshots");
        return count.step() ? count.integer(0) : 0;
    } catch (const std::exception&) {
        return 0;
    }
}

// A small picture of diagonal stripes, written with the engine's own codecs.
void writeSmallImage(const QString& path, int width, int height) {
    poolscope::Image<poolscope::Rgba32> image(width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const auto value = static_cast<std::uint8_t>(((x + y) / 8) % 2 ? 230 : 30);
            image.setPixel(
                x, y, poolscope::Rgba32{value, 128, static_cast<std::uint8_t>(255 - value), 255});
        }
    }
    poolscope::ImageCodecs::save(image, path.toStdString());
}

}  // namespace

class RunCommandLineTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void leakHunt_withFailOnLeak_exitsThreeAndReportsEveryLeak() {
        const QString report = directory_.filePath(QStringLiteral("leak-hunt.json"));
        const Finished run =
            runHeadless({QStringLiteral("run"), QStringLiteral("leak-hunt"),
                         QStringLiteral("--param"), QStringLiteral("clean-images=2"),
                         QStringLiteral("--report"), report, QStringLiteral("--fail-on-leak")});

        QVERIFY2(run.exitCode == 3, qPrintable(run.err + run.out));
        const QJsonObject json = readJson(report);
        QCOMPARE(json[QStringLiteral("scenario")].toString(), QStringLiteral("leak-hunt"));
        const QJsonObject parameters = json[QStringLiteral("parameters")].toObject();
        QCOMPARE(parameters[QStringLiteral("clean-images")].toInteger(), 2);
        QCOMPARE(parameters[QStringLiteral("cached-images")].toInteger(), 3);
        const QJsonObject options = json[QStringLiteral("options")].toObject();
        QCOMPARE(options[QStringLiteral("failOnLeak")].toBool(), true);
        QCOMPARE(options[QStringLiteral("poolSizeMegabytes")].toInteger(), 256);
        QVERIFY(json[QStringLiteral("durationMs")].isDouble());
        const QJsonObject pool = json[QStringLiteral("pool")].toObject();
        for (const char* key :
             {"chunkBytes", "capacityChunks", "peakRentedBytes", "peakRetainedBytes",
              "retainedBytesAtEnd", "unpooledPeakBytes", "trims"}) {
            QVERIFY2(pool.contains(QLatin1String(key)), key);
        }
        QCOMPARE(pool[QStringLiteral("chunkBytes")].toInteger(), 4 * 1024 * 1024);
        QCOMPARE(pool[QStringLiteral("capacityChunks")].toInteger(), 64);
        QCOMPARE(json[QStringLiteral("undisposedAtEnd")].toInteger(), 6);
        QCOMPARE(json[QStringLiteral("droppedEvents")].toInteger(), 0);
        QVERIFY(!json.contains(QStringLiteral("gc")));
        QVERIFY(!json.contains(QStringLiteral("images")));

        // Each injected leak is found, as many times as it was made, with its function.
        const QJsonArray injected = json[QStringLiteral("injectedLeaks")].toArray();
        const QJsonArray leaks = json[QStringLiteral("leaks")].toArray();
        QCOMPARE(injected.size(), 4);
        QCOMPARE(leaks.size(), 6);
        for (const QJsonValue& value : injected) {
            const QJsonObject leak = value.toObject();
            const QString tag = leak[QStringLiteral("tag")].toString();
            const QString function = leak[QStringLiteral("function")].toString();
            qint64 found = 0;
            for (const QJsonValue& reported : leaks) {
                const QJsonObject entry = reported.toObject();
                if (entry[QStringLiteral("tag")].toString() != tag) {
                    continue;
                }
                found += 1;
                QVERIFY(entry[QStringLiteral("id")].toInteger() > 0);
                QCOMPARE(entry[QStringLiteral("bytes")].toInteger(), 1024 * 768 * 4);
                QCOMPARE(entry[QStringLiteral("tier")].toString(), QStringLiteral("pooled"));
                const QJsonArray stack = entry[QStringLiteral("stack")].toArray();
                bool named = false;
                // "function (file:line)"
                const QRegularExpression withSourceLine(QStringLiteral(R"( \(.+\.cpp:\d+\)$)"));
                for (const QJsonValue& frame : stack) {
                    named = named || (frame.toString().startsWith(function) &&
                                      frame.toString().contains(withSourceLine));
                }
                QVERIFY2(named, qPrintable(function));
                // The same frames, structured: one object per line of the stack.
                const QJsonArray frames = entry[QStringLiteral("frames")].toArray();
                QCOMPARE(frames.size(), stack.size());
                for (qsizetype i = 0; i < frames.size(); ++i) {
                    const QJsonObject frame = frames[i].toObject();
                    const QString name = frame[QStringLiteral("function")].toString();
                    QVERIFY(stack[i].toString().startsWith(name));
                    QVERIFY(frame[QStringLiteral("address")].toString().startsWith("0x"));
                    QVERIFY(frame[QStringLiteral("inlined")].isBool());
                    QVERIFY(frame.contains(QStringLiteral("moduleOffset")));
                }
            }
            QCOMPARE(found, leak[QStringLiteral("allocations")].toInteger());
        }
        // Per module, the frames that could not be named, and why.
        QVERIFY(json[QStringLiteral("missingSymbols")].isArray());
        for (const QJsonValue& value : json[QStringLiteral("missingSymbols")].toArray()) {
            QVERIFY(!value.toObject()[QStringLiteral("reason")].toString().isEmpty());
        }
    }

    void runText_printsOneBlockPerLeakingStackBiggestFirst() {
        const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("leak-hunt")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        // "Leaking stack 1: 3 allocations, 9.0 MiB total, pooled, tag ..."
        const QRegularExpression header(
            QStringLiteral(R"(^Leaking stack (\d+): (\d+) allocations?, ([\d.]+) MiB total)"),
            QRegularExpression::MultilineOption);
        std::vector<int> counts;
        std::vector<double> mebibytes;
        for (const QRegularExpressionMatch& match : header.globalMatch(run.out)) {
            QCOMPARE(match.captured(1).toInt(), static_cast<int>(counts.size()) + 1);
            counts.push_back(match.captured(2).toInt());
            mebibytes.push_back(match.captured(3).toDouble());
        }
        QVERIFY2(!counts.empty(), qPrintable(run.out));
        QVERIFY(counts.size() < 6);  // some stack stands for several allocations
        QVERIFY(std::is_sorted(mebibytes.rbegin(), mebibytes.rend()));
        QCOMPARE(std::accumulate(counts.begin(), counts.end(), 0), 6);
        QVERIFY2(
            run.out.contains(
                QStringLiteral("%1 leaking stacks stand for 6 allocations").arg(counts.size())),
            qPrintable(run.out));
        // Each block shows its stack once.
        QCOMPARE(run.out.count(QStringLiteral("Leaking stack ")),
                 static_cast<qsizetype>(counts.size()));
    }

    void leakingRun_withoutFailOnLeak_stillExitsZero() {
        const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("leak-hunt")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QStringLiteral("Leaks                     6 allocations")));
        // stdout is a pipe here: no progress line.
        QVERIFY(!run.out.contains(QLatin1Char('\r')));
    }

    void cleanStressRun_passesTheLeakGate() {
        const QString report = directory_.filePath(QStringLiteral("stress.json"));
        const Finished run =
            runHeadless({QStringLiteral("run"), QStringLiteral("stress"), QStringLiteral("-p"),
                         QStringLiteral("threads=2"), QStringLiteral("--param"),
                         QStringLiteral("operations=300"), QStringLiteral("--report"), report,
                         QStringLiteral("--fail-on-leak"), QStringLiteral("--pool-size"),
                         QStringLiteral("32")});

        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        const QJsonObject json = readJson(report);
        QCOMPARE(json[QStringLiteral("leaks")].toArray().size(), 0);
        QCOMPARE(json[QStringLiteral("undisposedAtEnd")].toInteger(), 0);
        QCOMPARE(
            json[QStringLiteral("figures")].toObject()[QStringLiteral("operations")].toInteger(),
            600);
        QCOMPARE(
            json[QStringLiteral("pool")].toObject()[QStringLiteral("capacityChunks")].toInteger(),
            8);
    }

    void periodicBursts_givesMemoryBackWhileIdle() {
        const QString report = directory_.filePath(QStringLiteral("bursts.json"));
        const Finished run = runHeadless(
            {QStringLiteral("run"), QStringLiteral("periodic-bursts"), QStringLiteral("-p"),
             QStringLiteral("bursts=1"), QStringLiteral("-p"), QStringLiteral("images-per-burst=2"),
             QStringLiteral("-p"), QStringLiteral("width=2048"), QStringLiteral("-p"),
             QStringLiteral("height=1024"), QStringLiteral("-p"), QStringLiteral("idle-ms=1500"),
             QStringLiteral("-p"), QStringLiteral("trim-period-ms=200"), QStringLiteral("--report"),
             report});

        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        const QJsonObject pool = readJson(report)[QStringLiteral("pool")].toObject();
        QCOMPARE(pool[QStringLiteral("peakRetainedBytes")].toInteger(), 4 * 4 * 1024 * 1024);
        QCOMPARE(pool[QStringLiteral("retainedBytesAtEnd")].toInteger(), 0);
        QVERIFY(pool[QStringLiteral("trims")].toInteger() >= 3);  // 4 -> 2 -> 1 -> 0
    }

    void usageAndScenarioErrors_exitOne() {
        Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("batch")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(
            run.err.contains(QStringLiteral("there is no scenario 'batch'; there are: default, "
                                            "periodic-bursts, leak-hunt, stress")));

        run = runHeadless({QStringLiteral("run"), QStringLiteral("stress"), QStringLiteral("-p"),
                           QStringLiteral("threads=many")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(
            run.err.contains(QStringLiteral("parameter 'threads' of scenario 'stress' must be "
                                            "a whole number from 1 to 256, not 'many'")));

        run = runHeadless({QStringLiteral("run"), QStringLiteral("stress"), QStringLiteral("-p"),
                           QStringLiteral("threads")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains(QStringLiteral("a parameter is written key=value")));

        run = runHeadless({QStringLiteral("run")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains(QStringLiteral("which scenario?")));
    }

    void emptyPathsAndSloppyNumbers_areRefusedBeforeTheRun() {
        for (const QString& option : {QStringLiteral("--record"), QStringLiteral("--report")}) {
            const Finished run =
                runHeadless({QStringLiteral("run"), QStringLiteral("default"), option, QString()});
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains(option + QStringLiteral(" needs a file name")),
                     qPrintable(run.err));
        }
        for (const QString& sloppy :
             {QStringLiteral(" 8"), QStringLiteral("+8"), QStringLiteral("08")}) {
            const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("default"),
                                              QStringLiteral("--pool-size"), sloppy});
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains(QStringLiteral("--pool-size must be a whole number")),
                     qPrintable(run.err));
        }
    }

    void failingScenario_exitsOneAndSaysWhy() {
        const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("periodic-bursts"),
                                          QStringLiteral("-p"), QStringLiteral("width=65535"),
                                          QStringLiteral("-p"), QStringLiteral("height=65535"),
                                          QStringLiteral("-p"), QStringLiteral("idle-ms=0")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("the scenario periodic-bursts failed: Attempted "
                                                 "to allocate a buffer")),
                 qPrintable(run.err));
    }

    void runHelp_documentsTheThreeExitStatuses() {
        const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        for (const char* text :
             {"  0  the scenario ran", "  1  a usage error", "  3  --fail-on-leak", "--param",
              "--report", "--record", "--fail-on-leak"}) {
            QVERIFY2(run.out.contains(QLatin1String(text)), text);
        }
    }

    void listScenarios_namesEveryScenarioAndItsParameters() {
        const Finished run = runHeadless({QStringLiteral("--list-scenarios")});
        QCOMPARE(run.exitCode, 0);
        for (const char* text :
             {"default\n", "periodic-bursts\n", "leak-hunt\n", "stress\n", "batch-resize\n",
              "contiguous-vs-discontiguous\n", "wrap-memory\n", "gc-vs-pool\n", "gc-lessons\n",
              "make-samples\n", "trim-period-ms=1000", "cached-images=3", "threads=4",
              "decoder-errors=1"}) {
            QVERIFY2(run.out.contains(QLatin1String(text)), text);
        }
    }

    void scenario_withoutADisplay_runsHeadless() {
        Finished run = runHeadless({QStringLiteral("--scenario"), QStringLiteral("stress"),
                                    QStringLiteral("--param"), QStringLiteral("threads=1"),
                                    QStringLiteral("--param"), QStringLiteral("operations=50")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QStringLiteral("scenario stress, headless")));

        run = runHeadless({QStringLiteral("--scenario"), QStringLiteral("nothing")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains(QStringLiteral("there is no scenario 'nothing'")));

        run = runHeadless({QStringLiteral("--param"), QStringLiteral("threads=1")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains(QStringLiteral("--param sets a parameter of a --scenario")));
    }

    void recordingOfARun_opensWithEveryEventItObserved() {
        const QString recording = directory_.filePath(QStringLiteral("run.psrec"));
        const QString report = directory_.filePath(QStringLiteral("run.json"));
        const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("leak-hunt"),
                                          QStringLiteral("--record"), recording,
                                          QStringLiteral("--report"), report});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        const poolscope::RecordingReader reader(recording.toStdString());
        QVERIFY(reader.finished());
        QCOMPARE(reader.lastEventSequence(),
                 readJson(report)[QStringLiteral("eventsObserved")].toInteger());
        QCOMPARE(reader.metadata().at("scenario"), std::string("leak-hunt"));
        QCOMPARE(reader.leaks().size(), std::size_t{6});
        QCOMPARE(readJson(report)[QStringLiteral("options")]
                     .toObject()[QStringLiteral("record")]
                     .toString(),
                 recording);
    }

    void recordedRun_keepsItsSummary_rowForRowAsTheRunPrintedIt() {
        const QString input = directory_.filePath(QStringLiteral("summary-in"));
        const QString output = directory_.filePath(QStringLiteral("summary-out"));
        QVERIFY(QDir().mkpath(input));
        writeSmallImage(input + QStringLiteral("/first.png"), 96, 64);
        QFile broken(input + QStringLiteral("/broken.png"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write(QByteArray("\x89PNG\r\n\x1a\n", 8));
        broken.close();
        const QString recording = directory_.filePath(QStringLiteral("summary.psrec"));
        const QString report = directory_.filePath(QStringLiteral("summary.json"));
        const Finished run = runHeadless(
            {QStringLiteral("run"), QStringLiteral("batch-resize"), QStringLiteral("-p"),
             QStringLiteral("input=") + input, QStringLiteral("-p"),
             QStringLiteral("output=") + output, QStringLiteral("-p"), QStringLiteral("width=40"),
             QStringLiteral("--record"), recording, QStringLiteral("--report"), report});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));

        const poolscope::RecordingReader reader(recording.toStdString());
        const poolscope::RecordedRunResults stored =
            poolscope::RecordedRunSummary::fromMetadata(reader.path(), reader.metadata());
        QVERIFY2(stored.state == poolscope::RecordedRunResults::State::Stored,
                 qPrintable(stored.message));
        const poolscope::ScenarioRunReport& kept = *stored.report;
        const QJsonObject json = readJson(report);
        QCOMPARE(QString::fromStdString(kept.scenario), QStringLiteral("batch-resize"));
        QVERIFY(!kept.outcome.cancelled);
        QCOMPARE(static_cast<qint64>(kept.eventsObserved),
                 json[QStringLiteral("eventsObserved")].toInteger());
        QCOMPARE(
            static_cast<qint64>(kept.pool.peakRentedBytes),
            json[QStringLiteral("pool")].toObject()[QStringLiteral("peakRentedBytes")].toInteger());
        QVERIFY(kept.outcome.images.has_value());
        QCOMPARE(kept.outcome.images->processed, std::int64_t{1});
        QCOMPARE(kept.outcome.images->failed.size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(kept.outcome.images->failed.front().error),
                 json[QStringLiteral("images")]
                     .toObject()[QStringLiteral("failed")]
                     .toArray()
                     .first()
                     .toObject()[QStringLiteral("error")]
                     .toString());
        // Every row of every section, as the run printed it.
        const QStringList printed = run.out.split(QLatin1Char('\n'));
        int rows = 0;
        for (const poolscope::RunSummary::Section& section :
             poolscope::RunSummary::sections(kept)) {
            QVERIFY2(printed.contains(QString::fromStdString(section.title)),
                     section.title.c_str());
            for (const poolscope::RunSummary::Row& row : section.rows) {
                const QString label = QStringLiteral("  ") + QString::fromStdString(row.label);
                const QString value = QString::fromStdString(row.value);
                const bool found = std::any_of(
                    printed.begin(), printed.end(), [&label, &value](const QString& line) {
                        return line.startsWith(label) && line.endsWith(value);
                    });
                QVERIFY2(found, qPrintable(label + QStringLiteral(": ") + value));
                ++rows;
            }
        }
        QVERIFY(rows > 10);
    }

    void reportOfARecordedRun_printsTheFiguresTheRunKept() {
        const QString recording = directory_.filePath(QStringLiteral("wrap.psrec"));
        const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("wrap-memory"),
                                          QStringLiteral("--record"), recording});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const Finished report = runHeadless({QStringLiteral("report"), recording});
        QVERIFY2(report.exitCode == 0, qPrintable(report.err));
        // Each of the scenario's figures, printed as the run printed it.
        const QStringList runLines = run.out.split(QLatin1Char('\n'));
        const qsizetype figures = runLines.indexOf(QStringLiteral("Figures"));
        const qsizetype pool = runLines.indexOf(QStringLiteral("Pool"));
        QVERIFY(figures >= 0 && pool > figures + 1);
        const QStringList reportLines = report.out.split(QLatin1Char('\n'));
        for (qsizetype i = figures + 1; i < pool; ++i) {
            if (!runLines[i].isEmpty()) {
                QVERIFY2(reportLines.contains(runLines[i]), qPrintable(runLines[i]));
            }
        }
        QVERIFY(report.out.contains(QStringLiteral("resizeError")));
    }

    void recordedRun_carriesItsAnalysisSummary_whichAgreesWithAPass() {
        const QString recording = directory_.filePath(QStringLiteral("analysed.psrec"));
        const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("stress"),
                                          QStringLiteral("-p"), QStringLiteral("threads=2"),
                                          QStringLiteral("-p"), QStringLiteral("operations=20000"),
                                          QStringLiteral("--record"), recording});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));

        const poolscope::RecordingReader reader(recording.toStdString());
        const std::optional<poolscope::AllocationAnalysis> summary =
            poolscope::AnalysisSummary::allocationsOf(reader);
        QVERIFY(summary.has_value());
        QVERIFY(poolscope::AnalysisSummary::whatIfOf(reader).has_value());
        const poolscope::AllocationAnalysis pass = poolscope::AllocationAnalyzer::pass(reader);
        QVERIFY(pass.total().allocations > 0);
        QCOMPARE(summary->events, pass.events);
        QCOMPARE(summary->peakBytes, pass.peakBytes);
        QCOMPARE(summary->peakNanoseconds, pass.peakNanoseconds);
        QCOMPARE(summary->sites, pass.sites);
    }

    void killNineDuringARecording_leavesEveryCommittedBatch() {
        const QString recording = directory_.filePath(QStringLiteral("killed.psrec"));
        QProcess process;
        process.setProcessEnvironment(withoutAnyDisplay());
        process.start(
            QStringLiteral(POOLSCOPE_BINARY),
            {QStringLiteral("run"), QStringLiteral("stress"), QStringLiteral("-p"),
             QStringLiteral("threads=2"), QStringLiteral("-p"),
             QStringLiteral("operations=100000000"), QStringLiteral("--record"), recording});
        QVERIFY(process.waitForStarted());
        // Many batches committed, and a megabyte written. On a busy machine the writer may
        // commit a megabyte in one batch, so the batches are counted, not guessed from sizes.
        QTRY_VERIFY_WITH_TIMEOUT(
            committedSnapshots(recording) >= 3 &&
                QFileInfo(recording).size() + QFileInfo(recording + QStringLiteral("-wal")).size() >
                    1'000'000,
            60'000);
        ::kill(static_cast<pid_t>(process.processId()), SIGKILL);
        QVERIFY(process.waitForFinished());
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);

        const poolscope::RecordingReader reader(recording.toStdString());
        QVERIFY(!reader.finished());
        QVERIFY(reader.lastEventSequence() > 0);
        QCOMPARE(reader.metadata().at("scenario"), std::string("stress"));
        std::int64_t after = 0;
        std::int64_t read = 0;
        for (;;) {
            const auto page = reader.events(after, 50'000);
            if (page.empty()) {
                break;
            }
            QCOMPARE(page.front().sequence, after + 1);
            read += static_cast<std::int64_t>(page.size());
            after = page.back().sequence;
        }
        QCOMPARE(read, reader.lastEventSequence());
        // Every batch commits its events with a snapshot naming its last event: the last
        // committed batch is there whole.
        const auto snapshots = reader.snapshots(0, 1'000'000);
        QVERIFY(snapshots.size() > 1);
        QCOMPARE(snapshots.back().lastEventSequence, reader.lastEventSequence());
        // The analysis summary is written with the last transaction, which a killed run never
        // reaches: its analyses make a pass over every committed event instead.
        QVERIFY(!poolscope::AnalysisSummary::allocationsOf(reader).has_value());
        QVERIFY(!poolscope::AnalysisSummary::whatIfOf(reader).has_value());
        QCOMPARE(static_cast<std::int64_t>(poolscope::AllocationAnalyzer::of(reader).events),
                 reader.lastEventSequence());
    }

    void batchWithOneCorruptFile_exitsZeroAndListsTheFailureWithFileAndError() {
        const QString input = directory_.filePath(QStringLiteral("batch-in"));
        const QString output = directory_.filePath(QStringLiteral("batch-out"));
        QVERIFY(QDir().mkpath(input));
        writeSmallImage(input + QStringLiteral("/first.png"), 96, 64);
        writeSmallImage(input + QStringLiteral("/second.jpg"), 80, 120);
        // A JPEG signature and then nothing a decoder can use.
        QFile broken(input + QStringLiteral("/broken.jpg"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write(QByteArray("\xFF\xD8\xFF\xE0", 4) + QByteArray(200, '\x13'));
        broken.close();
        const QString report = directory_.filePath(QStringLiteral("batch.json"));

        const Finished run = runHeadless(
            {QStringLiteral("run"), QStringLiteral("batch-resize"), QStringLiteral("--param"),
             QStringLiteral("input=") + input, QStringLiteral("--param"),
             QStringLiteral("output=") + output, QStringLiteral("--param"),
             QStringLiteral("width=40"), QStringLiteral("--param"), QStringLiteral("threads=2"),
             QStringLiteral("--report"), report, QStringLiteral("--fail-on-leak")});

        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        const QJsonObject images = readJson(report)[QStringLiteral("images")].toObject();
        QCOMPARE(images[QStringLiteral("processed")].toInteger(), 2);
        const QJsonArray failed = images[QStringLiteral("failed")].toArray();
        QCOMPARE(failed.size(), 1);
        const QJsonObject failure = failed.first().toObject();
        QVERIFY(failure[QStringLiteral("file")].toString().endsWith(QStringLiteral("broken.jpg")));
        QVERIFY(failure[QStringLiteral("error")].toString().contains(QStringLiteral("broken.jpg")));
        QVERIFY(run.out.contains(QStringLiteral("broken.jpg: ")));
        QVERIFY(QFile::exists(output + QStringLiteral("/first.png")));
        QVERIFY(QFile::exists(output + QStringLiteral("/second.jpg")));
        QVERIFY(!QFile::exists(output + QStringLiteral("/broken.jpg")));
        QVERIFY(!readJson(report).contains(QStringLiteral("gc")));
    }

    void gcLessons_reportsTheManagedHeapSection() {
        const QString report = directory_.filePath(QStringLiteral("gc-lessons.json"));
        const Finished run = runHeadless({QStringLiteral("run"), QStringLiteral("gc-lessons"),
                                          QStringLiteral("--report"), report});

        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        const QJsonObject json = readJson(report);
        QVERIFY(!json.contains(QStringLiteral("images")));
        const QJsonObject gc = json[QStringLiteral("gc")].toObject();
        const QJsonArray collections = gc[QStringLiteral("collections")].toArray();
        QCOMPARE(collections.size(), 3);
        // Promotion collects generations 0 and 1, compaction generation 0; the other lessons
        // collect generation 2: twice for the object that dies twice, four times for the
        // resurrected one, twice for the weak references and the dispose pattern, once each
        // for the LOH and the list, and three times to clear what promotion, compaction and
        // the LOH lesson left behind before the next lesson starts.
        QCOMPARE(collections[0].toInteger(), 2);
        QCOMPARE(collections[1].toInteger(), 1);
        QCOMPARE(collections[2].toInteger(), 15);
        // The object that dies twice, the resurrected one twice (it registered again), the
        // weakly watched one and the forgotten file of the dispose pattern.
        QCOMPARE(gc[QStringLiteral("finalizersRun")].toInteger(), 5);
        QCOMPARE(gc[QStringLiteral("resurrections")].toInteger(), 1);
        const QJsonObject weakCleared = gc[QStringLiteral("weakCleared")].toObject();
        // Only the weak-reference lesson holds weak handles: one short, one long.
        QCOMPARE(weakCleared[QStringLiteral("short")].toInteger(), 1);
        QCOMPARE(weakCleared[QStringLiteral("long")].toInteger(), 1);
        QVERIFY(run.out.contains(QStringLiteral("Resurrections             1")));
    }

    void foreignFile_isRefusedByTheReaderNamingIt() {
        const QString path = directory_.filePath(QStringLiteral("notes.txt"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'n'));
        file.close();
        QVERIFY_THROWS_EXCEPTION(poolscope::RecordingError,
                                 poolscope::RecordingReader(path.toStdString()));
    }

private:
    QTemporaryDir directory_;
};

QTEST_GUILESS_MAIN(RunCommandLineTest)
#include "RunCommandLineTest.moc"
