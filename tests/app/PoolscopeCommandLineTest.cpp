#include <QtTest>

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>

#include "PoolscopeProcess.h"

class PoolscopeCommandLineTest : public QObject {
    Q_OBJECT

private slots:
    void headlessRun_printsThePoolFiguresAndExitsZero() {
        const Finished run = runPoolscope(
            {QStringLiteral("--headless"), QStringLiteral("--iterations"), QStringLiteral("16")});

        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        QVERIFY(run.out.contains(QStringLiteral("Iterations                16 of 16")));
        QVERIFY(run.out.contains(QStringLiteral("Capacity                  64 chunks of 4.0 MiB")));
        QVERIFY(run.out.contains(QStringLiteral("Rented chunks             0\n")));
        QVERIFY(run.out.contains(QStringLiteral("Retained chunks")));
        QVERIFY(run.out.contains(QStringLiteral("Unpooled bytes live")));
        QVERIFY(run.out.contains(QStringLiteral("Undisposed allocations    0\n")));
        QVERIFY(run.out.contains(QStringLiteral("Leak checkpoint           clean")));
    }

    void headlessLeakRun_exitsThreeAndNamesTheLeakingFunction() {
        const Finished run = runPoolscope({QStringLiteral("--headless"), QStringLiteral("--leak")});

        QVERIFY2(run.exitCode == 3, qPrintable(run.err + run.out));
        QVERIFY2(
            run.out.contains(QStringLiteral("4 allocations (16.0 MiB) still live, from 1 stack")),
            qPrintable(run.out));
        QVERIFY(run.out.contains(QStringLiteral("tag leaky-cache")));
        QVERIFY2(run.out.contains(
                     QStringLiteral("at poolscope::DefaultWorkload::keepPreviewInLeakyCache")),
                 qPrintable(run.out));
        QVERIFY(run.out.contains(QStringLiteral("Undisposed allocations    4\n")));
    }

    void poolscope_withoutADisplay_runsHeadlessByItself() {
        const Finished run = runPoolscope({QStringLiteral("--iterations"), QStringLiteral("4")},
                                          withoutAnyDisplay());

        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        QVERIFY(run.out.contains(QStringLiteral("default workload, headless")));
        QVERIFY(run.out.contains(QStringLiteral("Iterations                4 of 4")));
    }

    void badIterationCount_isAUsageErrorWithExitCodeOne() {
        const Finished run = runPoolscope(
            {QStringLiteral("--headless"), QStringLiteral("--iterations"), QStringLiteral("many")});

        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains(QStringLiteral("--iterations must be a whole number")));
        QVERIFY(run.out.isEmpty());
    }

    void help_documentsTheOptionsAndTheLeakExitCode() {
        const Finished run = runPoolscope({QStringLiteral("--help")}, withoutAnyDisplay());

        QCOMPARE(run.exitCode, 0);
        for (const char* option :
             {"--headless", "--iterations", "--leak", "--screenshot", "--pool-size", "--version"}) {
            QVERIFY2(run.out.contains(QLatin1String(option)), option);
        }
        QVERIFY(run.out.contains(QStringLiteral("  3  headless: the leak checkpoint")));
    }

    void version_printsTheProjectVersion() {
        const Finished run = runPoolscope({QStringLiteral("--version")}, withoutAnyDisplay());

        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.trimmed(), QStringLiteral("poolscope " POOLSCOPE_VERSION));
    }

    void screenshot_savesTheWindowAsAPngAfterTheRun() {
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        const QString path = directory.filePath(QStringLiteral("window.png"));
        QProcessEnvironment offscreen = withoutAnyDisplay();
        offscreen.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));

        const Finished run = runPoolscope({QStringLiteral("--screenshot"), path,
                                           QStringLiteral("--iterations"), QStringLiteral("8")},
                                          offscreen);

        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QImage image(path);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 900 && image.height() >= 520);
    }

    void screenshot_withoutADisplay_rendersOffscreen() {
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        const QString path = directory.filePath(QStringLiteral("window.png"));

        const Finished run = runPoolscope({QStringLiteral("--screenshot"), path,
                                           QStringLiteral("--iterations"), QStringLiteral("2")},
                                          withoutAnyDisplay());

        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(!QImage(path).isNull());
    }

    void screenshotOfOneView_savesOnlyThatView() {
        QTemporaryDir directory;
        const QString window = directory.filePath(QStringLiteral("window.png"));
        const QString leaks = directory.filePath(QStringLiteral("leaks.png"));
        const Finished whole =
            runPoolscope({QStringLiteral("--scenario"), QStringLiteral("leak-hunt"),
                          QStringLiteral("--screenshot"), window},
                         withoutAnyDisplay());
        QVERIFY2(whole.exitCode == 0, qPrintable(whole.err));
        const Finished view =
            runPoolscope({QStringLiteral("--scenario"), QStringLiteral("leak-hunt"),
                          QStringLiteral("--screenshot"), leaks, QStringLiteral("--view"),
                          QStringLiteral("leaks")},
                         withoutAnyDisplay());
        QVERIFY2(view.exitCode == 0, qPrintable(view.err));
        const QImage windowImage(window);
        const QImage viewImage(leaks);
        QVERIFY(!windowImage.isNull() && !viewImage.isNull());
        // The view alone fills the window below its menu and toolbars, above its status bar.
        QVERIFY(viewImage.width() <= windowImage.width());
        QVERIFY(viewImage.height() < windowImage.height());
        QVERIFY(viewImage.width() > windowImage.width() / 2);
        QVERIFY(viewImage.height() > windowImage.height() / 2);
    }

    void screenshotAtACheckpoint_holdsTheLessonThere_andAWholeLessonRunsToItsEnd() {
        QTemporaryDir directory;
        const auto shoot = [&](const QStringList& extra, const QString& name) {
            const QString path = directory.filePath(name);
            Finished run =
                runPoolscope(QStringList{QStringLiteral("--scenario"), QStringLiteral("gc-lessons"),
                                         QStringLiteral("--screenshot"), path,
                                         QStringLiteral("--view"), QStringLiteral("gc")} +
                                 extra,
                             withoutAnyDisplay());
            return std::pair{run, QImage(path)};
        };
        const auto [first, firstImage] =
            shoot({QStringLiteral("--checkpoint"), QStringLiteral("0")}, QStringLiteral("0.png"));
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const auto [later, laterImage] =
            shoot({QStringLiteral("--checkpoint"), QStringLiteral("9")}, QStringLiteral("9.png"));
        QVERIFY2(later.exitCode == 0, qPrintable(later.err));
        QVERIFY(!firstImage.isNull() && !laterImage.isNull());
        QVERIFY(firstImage != laterImage);  // another step, another picture
        // Without --checkpoint a lesson, which opens held in the window, runs to its end.
        const auto [whole, wholeImage] = shoot({}, QStringLiteral("whole.png"));
        QVERIFY2(whole.exitCode == 0, qPrintable(whole.err));
        QVERIFY(!wholeImage.isNull());

        const auto [beyond, beyondImage] =
            shoot({QStringLiteral("--checkpoint"), QStringLiteral("999")}, QStringLiteral("x.png"));
        QCOMPARE(beyond.exitCode, 1);
        QVERIFY2(beyond.err.contains(QStringLiteral("ended before its checkpoint 999")),
                 qPrintable(beyond.err));
    }

    void checkpoint_isAWholeNumber_andGoesWithScreenshot() {
        for (const QString& sloppy : {QStringLiteral(" 3"), QStringLiteral("+3"),
                                      QStringLiteral("03"), QStringLiteral("-1")}) {
            const Finished run =
                runPoolscope({QStringLiteral("--checkpoint"), sloppy,
                              QStringLiteral("--screenshot"), QStringLiteral("x.png")},
                             withoutAnyDisplay());
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains(QStringLiteral("--checkpoint must be a whole number")),
                     qPrintable(run.err));
        }
        const Finished alone = runPoolscope({QStringLiteral("--checkpoint"), QStringLiteral("2")},
                                            withoutAnyDisplay());
        QCOMPARE(alone.exitCode, 1);
        QVERIFY2(alone.err.contains(QStringLiteral("give --screenshot FILE.png too")),
                 qPrintable(alone.err));
    }

    void size_setsTheScreenshotsWindow_andIsRefusedBelowTheMinimum() {
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        const QString path = directory.filePath(QStringLiteral("small.png"));
        const Finished run = runPoolscope(
            {QStringLiteral("--screenshot"), path, QStringLiteral("--size"),
             QStringLiteral("1024x640"), QStringLiteral("--iterations"), QStringLiteral("2")},
            withoutAnyDisplay());
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(QImage(path).size(), QSize(1024, 640));
        for (const QString& wrong : {QStringLiteral("800x600"), QStringLiteral("1024"),
                                     QStringLiteral("1024x+640"), QStringLiteral("x")}) {
            const Finished refused = runPoolscope(
                {QStringLiteral("--screenshot"), path, QStringLiteral("--size"), wrong},
                withoutAnyDisplay());
            QCOMPARE(refused.exitCode, 1);
            QVERIFY2(refused.err.contains(QStringLiteral("--size must be WIDTHxHEIGHT")),
                     qPrintable(refused.err));
        }
        const Finished alone = runPoolscope({QStringLiteral("--size"), QStringLiteral("1024x640")},
                                            withoutAnyDisplay());
        QCOMPARE(alone.exitCode, 1);
        QVERIFY2(alone.err.contains(QStringLiteral("give --screenshot FILE.png too")),
                 qPrintable(alone.err));
    }

    void listScenarios_namesTheCheckpointsOfALesson() {
        const Finished run = runPoolscope({QStringLiteral("--list-scenarios")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(
            run.out.contains(QStringLiteral("checkpoints (for --checkpoint N with --screenshot)")));
        QVERIFY2(run.out.contains(QStringLiteral("\n      0  Promotion 1/4")), qPrintable(run.out));
    }

    void unknownView_isAUsageErrorNamingTheViews() {
        const Finished run = runPoolscope({QStringLiteral("--screenshot"), QStringLiteral("x.png"),
                                           QStringLiteral("--view"), QStringLiteral("heapmap")},
                                          withoutAnyDisplay());
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("heapmap")), qPrintable(run.err));
        QVERIFY(run.err.contains(QStringLiteral("timeline")));
    }

    void open_showsARecordingAndScreenshotsIt() {
        QTemporaryDir directory;
        const QString recording = directory.filePath(QStringLiteral("run.poolscope"));
        const Finished recorded = runPoolscope({QStringLiteral("run"), QStringLiteral("leak-hunt"),
                                                QStringLiteral("--record"), recording},
                                               withoutAnyDisplay());
        QVERIFY2(recorded.exitCode == 0, qPrintable(recorded.err));
        const QString shot = directory.filePath(QStringLiteral("timeline.png"));
        const Finished opened =
            runPoolscope({QStringLiteral("open"), recording, QStringLiteral("--screenshot"), shot,
                          QStringLiteral("--view"), QStringLiteral("timeline")},
                         withoutAnyDisplay());
        QVERIFY2(opened.exitCode == 0, qPrintable(opened.err));
        QVERIFY(!QImage(shot).isNull());
    }

    void screenshotOfTheAnalyses_waitsForTheAnalysesOfTheRecording() {
        QTemporaryDir directory;
        const QString recording = directory.filePath(QStringLiteral("run.poolscope"));
        const Finished recorded = runPoolscope({QStringLiteral("run"), QStringLiteral("leak-hunt"),
                                                QStringLiteral("--record"), recording},
                                               withoutAnyDisplay());
        QVERIFY2(recorded.exitCode == 0, qPrintable(recorded.err));
        const QString shot = directory.filePath(QStringLiteral("analyses.png"));
        // A settings folder of its own: the dock opens on its first page, the flame graph.
        QProcessEnvironment environment = withoutAnyDisplay();
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"), directory.filePath("config"));
        const Finished opened =
            runPoolscope({QStringLiteral("open"), recording, QStringLiteral("--screenshot"), shot,
                          QStringLiteral("--view"), QStringLiteral("analyses")},
                         environment);
        QVERIFY2(opened.exitCode == 0, qPrintable(opened.err));
        const QImage image(shot);
        QVERIFY(!image.isNull());
        // The flame graph's frames are drawn in warm, saturated colours; before the analyses
        // are in, the page holds only a line of text.
        qsizetype warm = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const QColor colour = image.pixelColor(x, y);
                if (colour.hsvHue() >= 0 && colour.hsvHue() <= 60 && colour.hsvSaturation() > 100 &&
                    colour.value() > 200) {
                    ++warm;
                }
            }
        }
        QVERIFY2(warm > image.width() * 18 * 2, qPrintable(QString::number(warm)));
    }

    void openingACorruptRecording_failsNamingTheFile() {
        QTemporaryDir directory;
        const QString path = directory.filePath(QStringLiteral("broken.poolscope"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'z'));
        file.close();
        const Finished run =
            runPoolscope({QStringLiteral("open"), path, QStringLiteral("--screenshot"),
                          directory.filePath(QStringLiteral("never.png"))},
                         withoutAnyDisplay());
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(path), qPrintable(run.err));
        QVERIFY(!QFile::exists(directory.filePath(QStringLiteral("never.png"))));
    }

    void open_withoutADisplay_saysItNeedsTheWindow() {
        const Finished run = runPoolscope({QStringLiteral("open"), QStringLiteral("any.poolscope")},
                                          withoutAnyDisplay());
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("display")), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(PoolscopeCommandLineTest)
#include "PoolscopeCommandLineTest.moc"
